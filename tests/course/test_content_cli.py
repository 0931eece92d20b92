"""``flask course content check`` and ``flask course content outline [--json]``."""

import json
import shutil
from pathlib import Path

import yaml

from course.curriculum.loader import load_curriculum
from quizzes.api import quiz_slugs
from tests.course.test_curriculum_loader import CAPTIONS, edit, make_content, vtt

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_CONTENT = REPO_ROOT / "content"

LEVEL_1 = [
    ("elements-of-a-healthy-relationship", "Elements of a Healthy Relationship"),
    ("attachment-and-secure-relationships", "Attachment Theory and Secure Relationships"),
    ("reflective-capacity", "Reflective Capacity Building"),
    ("development-of-self", "Development of Self for Infants and Toddlers"),
    ("consultation-strategies", "PFR Consultation Strategies"),
    ("challenging-behaviors", "Challenging Behaviors"),
    ("intervention-planning", "Intervention Planning Development"),
]


def real_front_matter(slug: str) -> dict:
    """Read a Level 1 module's front matter straight from its file."""
    [path] = [
        path
        for path in (REAL_CONTENT / "level-1").glob("*.md")
        if path.stem.split("-", 1)[1] == slug
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    return yaml.safe_load("\n".join(lines[1 : lines.index("---", 1)]))


def test_content_check_real_content_is_valid(runner):
    real = load_curriculum(REAL_CONTENT, quiz_slugs(REAL_CONTENT))
    units = sum(len(level.units) for level in real.levels)
    quizzes = len(quiz_slugs(REAL_CONTENT))

    result = runner.invoke(args=["course", "content", "check"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"content/ is valid: 3 levels, {units} units, {len(real.handouts)} handouts, "
        f"{len(real.videos)} videos, {quizzes} quizzes.\n"
    )
    assert units >= 7


def test_content_check_broken_content_exits_1_with_file_and_line(app, runner, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, broken)
    module = broken / "level-1" / "01-elements-of-a-healthy-relationship.md"
    text = module.read_text(encoding="utf-8")
    assert "\norder: 1\n" in text
    module.write_text(text.replace("\norder: 1\n", '\norder: "one"\n', 1), encoding="utf-8")
    handout = broken / "handouts" / "our-ten-visits-together.md"
    text = handout.read_text(encoding="utf-8")
    handout.write_text(text.replace("\ntitle:", "\nheading:", 1), encoding="utf-8")
    # The app started on the valid content; the check re-reads the folder.
    app.config["COURSE_CONTENT_DIR"] = str(broken)

    result = runner.invoke(args=["course", "content", "check"])

    assert result.exit_code == 1
    assert "is valid" not in result.stdout
    reported = result.stderr.splitlines()
    assert (
        "  content/level-1/01-elements-of-a-healthy-relationship.md:5: "
        "field 'order' must be a whole number"
    ) in reported
    assert "  content/handouts/our-ten-visits-together.md:1: missing field 'title'" in reported
    # Its Spanish version is left without an English handout to translate.
    assert (
        "  content/handouts/es/our-ten-visits-together.md:1: "
        "no English handout 'our-ten-visits-together' to translate"
    ) in reported


def test_content_check_small_tree_is_valid(app, runner, tmp_path):
    app.config["COURSE_CONTENT_DIR"] = str(make_content(tmp_path))

    result = runner.invoke(args=["course", "content", "check"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "content/ is valid: 3 levels, 2 units, 1 handouts, 1 videos, 0 quizzes.\n"
    )


def test_content_check_reports_captions_and_handout_rules_of_a_small_tree(app, runner, tmp_path):
    root = make_content(tmp_path)
    (root / CAPTIONS).write_text(vtt(("00:00.000", "00:10.000")), encoding="utf-8")
    (root / "handouts" / "es" / "first-handout.md").unlink()
    edit(root, "level-2/01-week-one.md", "film_brief: A calm film", "focus: A calm film")
    app.config["COURSE_CONTENT_DIR"] = str(root)

    result = runner.invoke(args=["course", "content", "check"])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "content/ has problems:",
        f"  content/videos.yaml:6: {CAPTIONS}: the captions end at 10 s but the film runs 20 s",
        "  content/handouts/first-handout.md:1: a handout for parents needs a version in 'es' "
        "(handouts/es/first-handout.md)",
        "  content/level-2/01-week-one.md:1: "
        "missing field 'film_brief' (what kind of film a video_week needs)",
    ]


def test_content_check_real_film_with_short_captions(app, runner, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, broken)
    videos = yaml.safe_load((broken / "videos.yaml").read_text(encoding="utf-8"))["videos"]
    film = videos[0]
    (broken / film["captions"]["en"]).write_text(
        "WEBVTT\n\n00:00.000 --> 00:09.000\n[music]\n", encoding="utf-8"
    )
    lines = (broken / "videos.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - slug: {film['slug']}")
    captions_line = lines.index("    captions:", start) + 1
    app.config["COURSE_CONTENT_DIR"] = str(broken)

    result = runner.invoke(args=["course", "content", "check"])

    assert result.exit_code == 1
    assert (
        f"  content/videos.yaml:{captions_line}: {film['captions']['en']}: "
        f"the captions end at 9 s but the film runs {film['duration_seconds']} s"
    ) in result.stderr.splitlines()


def test_content_outline_json_lists_levels_and_level_1_modules(runner):
    result = runner.invoke(args=["course", "content", "outline", "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    levels = data["levels"]
    assert [level["slug"] for level in levels] == ["level-1", "level-2", "level-3"]
    assert [level["number"] for level in levels] == [1, 2, 3]
    assert [level["requires"] for level in levels] == [None, "level-1", "level-2"]
    assert [level["invitation_only"] for level in levels] == [False, False, True]

    units = levels[0]["units"]
    assert [(unit["slug"], unit["title"]) for unit in units] == LEVEL_1
    assert [unit["order"] for unit in units] == [1, 2, 3, 4, 5, 6, 7]
    assert {unit["kind"] for unit in units} == {"module"}
    for unit in units:
        front_matter = real_front_matter(unit["slug"])
        assert unit["reflection_prompts"] == front_matter["reflection_prompts"]
        assert len(unit["reflection_prompts"]) >= 3
        assert unit["handouts"] == front_matter["handouts"]
        assert set(unit["handouts"]) <= set(data["handouts"])
    assert len(data["handouts"]) == len(list((REAL_CONTENT / "handouts").glob("*.md")))

    film_weeks = [
        unit for level in levels[1:] for unit in level["units"] if unit["kind"] == "video_week"
    ]
    assert film_weeks
    for unit in film_weeks:
        assert unit["film_brief"], unit["slug"]
        assert unit["observe_prompts"], unit["slug"]
        assert all(isinstance(prompt, str) for prompt in unit["observe_prompts"])
    listed = yaml.safe_load((REAL_CONTENT / "videos.yaml").read_text(encoding="utf-8"))
    assert data["videos"] == sorted(video["slug"] for video in listed["videos"])


def test_content_outline_text_lists_module_titles_in_order(runner):
    result = runner.invoke(args=["course", "content", "outline"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Level 1: Knowledge Building"
    for order, (slug, title) in enumerate(LEVEL_1, start=1):
        assert f"  {order:>2}. {title} [module] ({slug})" in lines
    positions = [result.stdout.index(title) for _, title in LEVEL_1]
    assert positions == sorted(positions)
    assert "Level 2: Skill Building" in lines
    assert "Level 3: Agency Trainer" in lines


def test_flask_cli_with_broken_content_lists_problems_without_traceback(tmp_path):
    """`flask --app app course content check` exits 1 naming file and line, even though the
    broken content stops the app itself from starting."""
    import os
    import subprocess
    import sys

    broken = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, broken)
    module = sorted((broken / "level-1").glob("*.md"))[0]
    module.write_text(module.read_text().replace("kind: module", "kind: lecture", 1))
    env = {**os.environ, "CONTENT_DIR": str(broken), "PFR_ENV": "testing"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "course", "content", "check"],
        cwd=REAL_CONTENT.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"content/level-1/{module.name}:" in result.stderr
    assert "unknown kind 'lecture'" in result.stderr
    assert "Traceback" not in result.stderr
