"""The README's two commands are what a newcomer and CI run."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_make_run_and_make_test():
    head = (ROOT / "README.md").read_text().splitlines()[:8]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_ci_runs_the_readme_test_command_on_sqlite_and_postgresql():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci
    assert 'TEST_DATABASE_URL="$PG_URL" make test' in ci
    assert "apt-get install" in ci and "chromium" in ci


def test_makefile_targets_set_up_before_running():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: db" in makefile and "db: setup" in makefile
    assert "test: setup" in makefile
    assert "-m venv" in makefile and "requirements-dev.txt" in makefile


def test_readme_lists_every_demo_account():
    from course.demo import DEMO_PASSWORD, PEOPLE

    readme = (ROOT / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    for email, *_ in PEOPLE:
        assert email in readme
