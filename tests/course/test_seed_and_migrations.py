from collections import Counter

from sqlalchemy import func, select

from app import create_app
from config import TestConfig
from course.accounts.models import Role, User
from course.agencies.models import Agency, Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import Enrolment, UnitProgress
from course.mentoring.models import (
    Certificate,
    LevelThreeInvitation,
    Meeting,
    MentorGroup,
    WeekSignOff,
)
from course.notifications.models import Notification
from course.reflections.models import Reflection, ReflectionVersion, Review
from quizzes.models import QuizAnswer, QuizAttempt

COUNTED = (
    User,
    Agency,
    Cohort,
    Enrolment,
    UnitProgress,
    MentorGroup,
    Reflection,
    ReflectionVersion,
    Review,
    Meeting,
    WeekSignOff,
    Certificate,
    LevelThreeInvitation,
    QuizAttempt,
    Notification,
)


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


def test_seed_demo_creates_every_role_and_progress(runner):
    result = runner.invoke(args=["course", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "first-relationships-demo" in result.output
    roles = {link for user in db.session.scalars(select(User)) for link in user.roles}
    assert roles == set(Role)
    trainees = [u for u in db.session.scalars(select(User)) if u.has_role(Role.TRAINEE)]
    assert len(trainees) == 7
    assert len({t.agency_id for t in trainees}) == 2
    level_one = get_curriculum().level("level-1")
    done = sorted(learning.level_progress(t, level_one).done for t in trainees)
    # Amara passed three quizzes; her trainer asked her to revisit an answer in one.
    assert done == [0, 1, 2, 7, 7, 7, 7]
    # The October workshop signed off all but Kofi, who missed day 2.
    signed = {t.email.split("@")[0] for t in trainees if learning.has_completed_level(t, "level-1")}
    assert signed == {"jonah", "tomasz", "rosa"}
    amara = next(t for t in trainees if t.email.startswith("amara"))
    states = db.session.scalars(
        select(QuizAnswer.review_state)
        .join(QuizAttempt)
        .where(QuizAttempt.user_id == amara.id, QuizAnswer.review_state.is_not(None))
    )
    counts = Counter(states)
    assert (counts["revisit"], counts["waiting"]) == (1, 1) and counts["replied"] >= 1
    jonah = next(t for t in trainees if t.email.startswith("jonah"))
    assert learning.has_completed_level(jonah, "level-1")


def test_seed_demo_shows_the_mentored_weeks_at_work(runner):
    from course.reflections.models import ReflectionStatus

    runner.invoke(args=["course", "seed-demo"])
    statuses = sorted(r.status for r in db.session.scalars(select(Reflection)))
    assert statuses == sorted(["accepted", "accepted", "submitted", "returned", "draft"])
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert db.session.scalar(select(func.count()).select_from(WeekSignOff)) == 2
    # Level 1 for Jonah, Tomasz and Rosa; Level 2 for Rosa and Pilar; Level 3 for Pilar.
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 6
    assert db.session.scalar(select(func.count()).select_from(LevelThreeInvitation)) == 1
    returned = db.session.scalar(
        select(Reflection).where(Reflection.status == ReflectionStatus.RETURNED)
    )
    assert returned.latest.review.feedback


def test_seed_demo_twice_changes_nothing(runner):
    runner.invoke(args=["course", "seed-demo"])
    before = _counts()
    result = runner.invoke(args=["course", "seed-demo"])
    assert result.exit_code == 0
    assert _counts() == before


def test_create_user_command_creates_a_site_admin(runner):
    result = runner.invoke(
        args=[
            "course",
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
        args=[
            "course",
            "create-user",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--password",
            "short",
        ],
    )
    assert result.exit_code != 0
    assert "at least 12" in result.output


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    """`flask course db upgrade` and `flask quizzes db upgrade` from empty, then each
    plugin's `db check`: no difference between migrations and models."""

    class FileDb(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"

    app = create_app(FileDb)
    runner = app.test_cli_runner()
    for plugin in ("course", "quizzes"):
        upgrade = runner.invoke(args=[plugin, "db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        check = runner.invoke(args=[plugin, "db", "check"])
        assert check.exit_code == 0, check.output
        assert "agree" in check.output
        current = runner.invoke(args=[plugin, "db", "current"])
        assert current.output.strip() not in ("", "none")
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {
        "course_user",
        "course_user_role",
        "course_agency",
        "course_cohort",
        "course_enrolment",
        "course_unit_progress",
        "course_invitation",
        "course_alembic_version",
        "quiz_attempt",
        "quiz_alembic_version",
    } <= tables
    assert not {"user", "alembic_version"} & tables


def test_the_demo_shows_everyday_corrections_and_settings(app, runner):
    from sqlalchemy import select

    from course.accounts.services import get_user_by_email
    from course.agencies.models import Agency
    from course.audit.models import AuditEvent
    from course.extensions import db

    runner.invoke(args=["course", "seed-demo"])
    runner.invoke(args=["course", "seed-demo"])  # twice: nothing doubles

    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.change"))
    assert change.detail["before"]["minutes"] == 60
    assert actions.count("person.deactivate") == actions.count("person.reactivate") == 1
    assert get_user_by_email("lucia@riverbend.example.org").active
    cedar = db.session.scalar(select(Agency).where(Agency.name.like("Cedar Hills%")))
    assert cedar.time_zone == "America/Denver"
    assert get_user_by_email("mei@cedarhills.example.org").email_muted == ["schedule"]
