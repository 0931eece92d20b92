"""The dashboards' progress queries read their covering indexes alone (the plans the
database chooses, on SQLite and on PostgreSQL); `make bench` prints the same plans."""

import pytest
from sqlalchemy import insert, text

from course.curriculum.services import get_curriculum
from course.extensions import db
from course.mentoring.models import WeekSignOff
from course.progress.summary import signed_weeks, week_bits, written_weeks
from course.reflections.models import Reflection
from course.timeutil import utcnow


def fill_with_history(group, rows=3000) -> None:
    """Enough revoked sign-offs and reflections, and fresh statistics, for the planner
    to weigh its indexes as it would on a real site (the table alone is read when a
    table holds a few rows)."""
    (trainee_id,) = group.trainee_ids
    mentor_id, now = group.mentor_id, utcnow()
    db.session.execute(
        insert(WeekSignOff),
        [
            dict(
                public_id=f"history-{n}", trainee_id=trainee_id, group_id=group.id,
                level="level-2", unit_slug=f"week-{n}", signed_by_id=mentor_id,
                signed_at=now, revoked_at=now,
            )
            for n in range(rows)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(Reflection),
        [
            dict(
                public_id=f"history-{n}", trainee_id=trainee_id, group_id=group.id,
                level="level-2", unit_slug=f"week-{n}", status="accepted", body="x" * 400,
            )
            for n in range(rows)
        ],
    )  # fmt: skip
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE course_week_sign_off, course_reflection"))
    else:
        db.session.execute(text("ANALYZE"))


def plan(statement) -> str:
    """The query plan as one string (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(row[-1] for row in rows)
    rows = db.session.execute(text(f"EXPLAIN {compiled}")).all()
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    "query, index",
    [
        (signed_weeks, "ix_course_week_sign_off_progress"),
        (written_weeks, "ix_course_reflection_progress"),
    ],
)
def test_progress_queries_are_answered_from_a_covering_index(app, make, query, index):
    group = make.make_group()
    trainees = group.trainee_ids
    fill_with_history(group)
    shown = plan(query(trainees, week_bits(get_curriculum())))
    db.session.rollback()
    assert index in shown, shown
    if db.engine.dialect.name == "sqlite":
        assert f"COVERING INDEX {index}" in shown, shown  # no table row is read
    else:
        assert f"Index Only Scan using {index}" in shown, shown
