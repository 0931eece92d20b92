from sqlalchemy import func, select

from app import create_app
from config import TestConfig
from course.accounts.models import Role, User
from course.agencies.models import Agency, Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import Enrolment, UnitProgress

COUNTED = (User, Agency, Cohort, Enrolment, UnitProgress)


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


def test_seed_demo_creates_every_role_and_progress(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "first-relationships-demo" in result.output
    roles = {link for user in db.session.scalars(select(User)) for link in user.roles}
    assert roles == set(Role)
    trainees = [u for u in db.session.scalars(select(User)) if u.has_role(Role.TRAINEE)]
    assert len(trainees) == 4
    assert len({t.agency_id for t in trainees}) == 2
    level_one = get_curriculum().level("level-1")
    done = sorted(learning.level_progress(t, level_one).done for t in trainees)
    assert done == [0, 1, 3, 7]
    jonah = next(t for t in trainees if t.email.startswith("jonah"))
    assert learning.has_completed_level(jonah, "level-1")


def test_seed_demo_twice_changes_nothing(runner):
    runner.invoke(args=["seed-demo"])
    before = _counts()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert _counts() == before


def test_create_user_command_creates_a_site_admin(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Boss@Example.org",
            "--name",
            "Boss",
            "--password",
            "a-long-admin-password",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.roles == {Role.SITE_ADMIN}


def test_create_user_command_reports_a_weak_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "b@example.org", "--name", "B", "--password", "short"],
    )
    assert result.exit_code != 0
    assert "at least 12" in result.output


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    """`db upgrade` from empty, then `db check`: no difference between migrations and models."""

    class FileDb(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"

    app = create_app(FileDb)
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade", "heads"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {
        "user",
        "user_role",
        "agency",
        "cohort",
        "enrolment",
        "unit_progress",
        "invitation",
        "alembic_version",
    } <= tables
