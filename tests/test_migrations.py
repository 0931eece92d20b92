"""The migrations against a real database: from empty, over data, and one step down.

Each test gets its own database: a temp SQLite file, and also, when TEST_DATABASE_URL
names PostgreSQL, a throwaway PostgreSQL database created and dropped here (the shared
test database belongs to the rest of the suite, which builds it with create_all).

Nothing here names a revision: the course head and the revision before it come from
alembic's ScriptDirectory, so the tests keep working as migrations are added.
"""

import os
import pprint
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from app import create_app
from course import MIGRATIONS_DIR
from course.extensions import db
from quizzes.models import QuizBase

# The app writes the course's tables and the quiz plugin's (two MetaData objects), as
# course/migrations/env.py hands them to alembic.
METADATA = [db.metadata, QuizBase.metadata]

# A migration that deliberately gives existing rows something other than the model's
# default for a new column names it here: (table, column) -> value for existing rows.
BACKFILLS: dict[tuple[str, str], object] = {}

ANY = object()  # a new column whose default is computed (a timestamp, a random id)


def _is_postgresql(url: str) -> bool:
    return bool(url) and sa.engine.make_url(url).get_backend_name() == "postgresql"


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if _is_postgresql(TEST_DATABASE_URL) else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"pfr_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migration_app(database_url, tmp_path, monkeypatch):
    """The site on that database, inside an app context, with no tables created."""
    monkeypatch.setenv("PFR_ENV", "testing")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "COURSE_UPLOAD_DIR": str(tmp_path / "uploads")}
    )
    with app.app_context():
        app.extensions["test_sqlite_fk_rebuilds"] = watch_sqlite_rebuilds(db.engine)
        yield app
        db.session.remove()
        db.engine.dispose()  # or PostgreSQL refuses to drop a database still in use


# -- Revisions ---------------------------------------------------------------------------


def script_directory() -> ScriptDirectory:
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def course_head_and_previous() -> tuple[str, str, list[str]]:
    """The course branch's head, the revision before it, and every other branch's head."""
    script = script_directory()
    versions = Path(MIGRATIONS_DIR, "versions").resolve()
    heads = script.get_heads()
    course = [h for h in heads if Path(script.get_revision(h).path).resolve().parent == versions]
    assert len(course) == 1, f"expected one course head in {versions}, found {course}"
    head = script.get_revision(course[0])
    previous = head.down_revision
    if previous is None:
        pytest.skip("the course branch has a single revision: nothing to upgrade from")
    assert isinstance(previous, str), f"the course head {head.revision} is a merge: {previous}"
    return head.revision, previous, [h for h in heads if h != head.revision]


def current_revisions() -> set[str]:
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def watch_sqlite_rebuilds(engine: sa.Engine) -> list[str]:
    """Record each DROP TABLE that SQLite runs with its foreign keys on.

    Batch mode rebuilds a table by copy and drop; with foreign keys on, the drop fails
    or cascades into child rows, so env.py switches them off while migrating.
    """
    rebuilds: list[str] = []

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if conn.dialect.name == "sqlite" and statement.lstrip().upper().startswith("DROP TABLE"):
            (foreign_keys_on,) = cursor.connection.execute("PRAGMA foreign_keys").fetchone()
            if foreign_keys_on:
                rebuilds.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", before_execute)
    return rebuilds


def _migrate(step, revision: str) -> None:
    rebuilds = current_app.extensions["test_sqlite_fk_rebuilds"]
    rebuilds.clear()  # this step's only
    step(revision=revision)  # the app's migrations directory
    assert rebuilds == [], f"SQLite tables rebuilt with foreign keys on: {rebuilds}"


def upgrade(revision: str) -> None:
    _migrate(flask_migrate.upgrade, revision)


def downgrade(revision: str) -> None:
    _migrate(flask_migrate.downgrade, revision)


# -- Models against migrations ------------------------------------------------------------


def assert_models_match_migrations() -> None:
    """Autogenerate, as `flask db migrate` would, with env.py's options: nothing to do."""
    options = dict(current_app.extensions["migrate"].configure_args)
    options.pop("process_revision_directives", None)  # env.py's hook for `db migrate`
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={**options, "target_metadata": METADATA})
        diff = compare_metadata(context, METADATA)
        if diff:
            script = produce_migrations(context, METADATA)
            code = render_python_code(script.upgrade_ops, render_as_batch=True)
        else:
            code = ""
    assert not diff, (
        "the models and the migrations disagree; autogenerate would write:\n"
        f"{code}\nraw diff:\n{pprint.pformat(diff)}"
    )


# -- Data -------------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def seed_rows() -> list[tuple[str, dict]]:
    """A small agency's week, in foreign-key order; ids in the hundreds, clear of sequences."""
    return [
        ("agency", {"id": 101, "name": "Riverside Family Services", "created_at": T0}),
        (
            "user",
            {
                "id": 101,
                "email": "maya.mentor@example.org",
                "name": "Maya Mentor",
                "job_title": "Clinical supervisor",
                "password_hash": "pbkdf2:sha256:1000$salt$0123abcd",
                "active": True,
                "agency_id": None,
                "created_at": T0,
            },
        ),
        (
            "user",
            {
                "id": 102,
                "email": "tomas.trainee@example.org",
                "name": "Tomás Núñez",
                "job_title": "Home visitor",
                "password_hash": "pbkdf2:sha256:1000$salt$4567ef01",
                "active": True,
                "agency_id": 101,
                "created_at": T0,
            },
        ),
        ("user_role", {"id": 101, "user_id": 101, "role": "master_trainer"}),
        ("user_role", {"id": 102, "user_id": 102, "role": "trainee"}),
        (
            "cohort",
            {
                "id": 101,
                "agency_id": 101,
                "level": "level-2",
                "name": "Spring 2026",
                "start_date": date(2026, 3, 2),
                "end_date": date(2026, 6, 26),
                "mentor_id": 101,
                "created_at": T0,
            },
        ),
        (
            "enrolment",
            {
                "id": 101,
                "user_id": 102,
                "level": "level-2",
                "cohort_id": 101,
                "status": "active",
                "started_at": T0,
                "completed_at": None,
                "pair_code": "pair-a",
                "withdrawn_at": None,
                "withdrawn_reason": None,
            },
        ),
        (
            "unit_progress",
            {
                "id": 101,
                "enrolment_id": 101,
                "unit_slug": "week-01",
                "status": "complete",
                "started_at": T0,
                "completed_at": datetime(2026, 3, 6, 16, 0, tzinfo=UTC),
            },
        ),
        (
            "mentor_group",
            {
                "id": 101,
                "level": "level-2",
                "mentor_id": 101,
                "agency_id": 101,
                "start_date": date(2026, 3, 2),
                "paused_at": None,
                "pauses": [{"from": "2026-04-06", "days": 7}],
                "share_reflections": True,
                "created_at": T0,
            },
        ),
        ("mentor_group_member", {"id": 101, "group_id": 101, "trainee_id": 102}),
        (
            "reflection",
            {
                "id": 101,
                "trainee_id": 102,
                "group_id": 101,
                "level": "level-2",
                "unit_slug": "week-01",
                "status": "submitted",
                "body": "The baby turned away; I waited, and she came back to me.",
                "answers": ["I waited.", "She looked back — and smiled."],
                "created_at": T0,
                "saved_at": T0,
                "submitted_at": datetime(2026, 3, 5, 20, 15, tzinfo=UTC),
                "accepted_at": None,
            },
        ),
        (
            "reflection_version",
            {
                "id": 101,
                "reflection_id": 101,
                "number": 1,
                "body": "The baby turned away; I waited, and she came back to me.",
                "answers": ["I waited.", "She looked back — and smiled."],
                "submitted_at": datetime(2026, 3, 5, 20, 15, tzinfo=UTC),
            },
        ),
        (
            "consent",
            {
                "id": 101,
                "public_id": "c0nsentPubl1cId0000001",
                "trainee_id": 102,
                "level": "level-2",
                "dyad_pseudonym": "Dyad A",
                "signed_on": date(2026, 3, 3),
                "expires_on": date(2027, 3, 3),
                "covers_partner": False,
                "covers_training": True,
                "attested": True,
                "recorded_at": T0,
                "withdrawn_at": None,
            },
        ),
        (
            "dyad_video",
            {
                "id": 101,
                "public_id": "v1de0Publ1cId000000001",
                "trainee_id": 102,
                "group_id": 101,
                "consent_id": 101,
                "unit_slug": "week-02",
                "status": "ready",
                "expected_size": 3_221_225_472,  # over 2**31: needs the BigInteger
                "received": 3_221_225_472,
                "original_name": "IMG_0042.MOV",
                "storage_key": "a1/b2c3d4e5f6.mov",
                "playable_key": "a1/b2c3d4e5f6.mp4",
                "poster_key": "a1/b2c3d4e5f6.jpg",
                "size": 3_221_225_472,
                "duration_seconds": 312.5,
                "sha256": SHA,
                "error": None,
                "created_at": T0,
                "completed_at": datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
                "reviewed_at": None,
                "reviewed_by_id": None,
                "delete_after": date(2026, 6, 7),
                "deleted_at": None,
                "deleted_by_id": None,
                "deleted_reason": None,
            },
        ),
        (
            "video_comment",
            {
                "id": 101,
                "video_id": 101,
                "author_id": 101,
                "seconds": 42.5,
                "body": "Lovely pause here: you let her lead.",
                "criterion_slug": "following-the-lead",
                "created_at": T0,
            },
        ),
        (
            "audit_event",
            {
                "id": 101,
                "created_at": T0,
                "actor_id": 101,
                "action": "video.view",
                "object_type": "dyad_video",
                "object_id": "v1de0Publ1cId000000001",
                "address": "203.0.113.7",
                "detail": {"range": "bytes=0-1048575"},
            },
        ),
        (
            "quiz_attempt",
            {
                "id": 101,
                "user_id": 102,
                "quiz_slug": "level-2-week-01",
                "number": 1,
                "status": "submitted",
                "started_at": T0,
                "saved_at": T0,
                "submitted_at": datetime(2026, 3, 4, 18, 0, tzinfo=UTC),
                "score": 87.5,
                "passed": True,
            },
        ),
        (
            "quiz_answer",
            {
                "id": 101,
                "attempt_id": 101,
                "question_id": "q1",
                "response": {"choice": "b"},
                "score": 1.0,
                "auto_coverage": [["cue", "turns away"]],
                "self_assessed": None,
            },
        ),
    ]


def _filler(column: sa.Column) -> object:
    """A value for a required column this file does not know about yet."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = None
    fillers = {str: "x", int: 0, float: 0.0, bool: False, datetime: T0, date: T0.date()}
    fillers.update({dict: {}, list: []})
    if kind not in fillers:
        pytest.fail(f"add {column.table.name}.{column.name} ({column.type}) to seed_rows()")
    return fillers[kind]


def insert_rows() -> dict[tuple[str, int], dict]:
    """Insert seed_rows() into the tables the database has now, as plain Core inserts.

    Columns the current schema lacks are left out; required columns this file does not
    know are filled in. Returns what went in, by (table, id), with a "__columns__" entry
    naming the columns the table had then.
    """
    inserted = {}
    with db.engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn)
        for name, row in seed_rows():
            table = tables.tables.get(name)
            if table is None:  # created by a later revision
                continue
            values = {key: value for key, value in row.items() if key in table.c}
            for column in table.c:
                required = not (column.nullable or column.primary_key or column.server_default)
                if column.name not in values and required:
                    values[column.name] = _filler(column)
            conn.execute(table.insert(), values)
            inserted[name, row["id"]] = {**values, "__columns__": set(table.c.keys())}
    assert inserted, "no seed row fitted the schema"
    return inserted


def _same(a: object, b: object) -> bool:
    """Equal, reading a naive datetime (SQLite gives those) as UTC."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        a, b = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (a, b))
    return a == b


def _default_for_existing_rows(column: sa.Column) -> object:
    """What a new column should hold in rows that were there before it: the model's default."""
    key = (column.table.name, column.name)
    if key in BACKFILLS:
        return BACKFILLS[key]
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg
    if default is None and column.server_default is None:
        return None
    return ANY


def assert_rows_survived(inserted: dict, tables: dict[str, sa.Table]) -> None:
    """Every inserted row is there with its values; columns new since then hold defaults.

    ``tables`` describes the schema now: the models' tables at heads, or reflected ones.
    """
    problems, gone = [], []
    with db.engine.connect() as conn:
        for (name, row_id), values in inserted.items():
            table = tables.get(name)
            if table is None:
                problems.append(f"{name}: the table is gone (dropped on purpose? update seed_rows)")
                continue
            # Only the columns the database has: a missing one is the drift check's to report.
            present = {column["name"] for column in sa.inspect(conn).get_columns(name)}
            table_now = [column for column in table.c if column.name in present]
            query = sa.select(*table_now).where(table.c.id == row_id)
            found = conn.execute(query).mappings().first()
            if found is None:
                gone.append(f"{name} id={row_id}: the row is gone")
                continue
            for key, expected in values.items():
                if key in found and not _same(found[key], expected):
                    problems.append(f"{name}.{key} id={row_id}: {found[key]!r} != {expected!r}")
            for column in table_now:
                if column.name in values["__columns__"]:
                    continue
                expected = _default_for_existing_rows(column)
                actual = found[column.name]
                if expected is ANY:
                    wrong = actual is None and not column.nullable
                else:
                    wrong = not _same(actual, expected)
                if wrong:
                    problems.append(
                        f"{name}.{column.name} id={row_id} (new column): existing row has "
                        f"{actual!r}, the model's default is {expected!r} (a deliberate "
                        "backfill goes in BACKFILLS)"
                    )
    problems += gone
    assert not problems, "after migrating:\n" + "\n".join(problems)


def model_tables() -> dict[str, sa.Table]:
    """The tables the models describe (filled in once create_app has imported them)."""
    return {table.name: table for metadata in METADATA for table in metadata.tables.values()}


def reflected_tables() -> dict[str, sa.Table]:
    tables = sa.MetaData()
    with db.engine.connect() as conn:
        tables.reflect(conn)
    return dict(tables.tables)


def assert_the_app_can_write() -> None:
    """The upgraded schema takes a new video from the models (ids from the sequences)."""
    from course.media.models import DyadVideo

    video = DyadVideo(
        trainee_id=102, group_id=101, consent_id=101, unit_slug="week-03", expected_size=1024
    )
    db.session.add(video)
    db.session.commit()
    assert db.session.get(DyadVideo, video.id).status == "uploading"
    db.session.remove()


# -- Tests ------------------------------------------------------------------------------


def test_upgrade_from_empty_matches_the_models(migration_app):
    upgrade("heads")

    assert current_revisions() == set(script_directory().get_heads())
    assert_models_match_migrations()


def test_upgrade_keeps_existing_data(migration_app):
    head, previous, other_heads = course_head_and_previous()
    upgrade(previous)
    for other in other_heads:  # the quiz plugin's branch, already deployed
        upgrade(other)
    assert current_revisions() == {previous, *other_heads}
    inserted = insert_rows()

    upgrade("heads")

    assert current_revisions() == {head, *other_heads}
    assert_rows_survived(inserted, model_tables())
    assert_models_match_migrations()
    assert_the_app_can_write()


def test_downgrade_one_step_and_back(migration_app):
    head, previous, other_heads = course_head_and_previous()
    upgrade("heads")
    inserted = insert_rows()

    downgrade(previous)

    assert current_revisions() == {previous, *other_heads}
    tables = reflected_tables()
    # What the older schema still has keeps its values.
    kept = {
        (name, row_id): {
            **{k: v for k, v in values.items() if k in tables[name].c},
            "__columns__": set(tables[name].c.keys()),
        }
        for (name, row_id), values in inserted.items()
        if name in tables
    }
    assert_rows_survived(kept, tables)

    upgrade("heads")

    assert current_revisions() == {head, *other_heads}
    # Columns the head adds come back with their defaults; the rest kept their values.
    assert_rows_survived(kept, model_tables())
    assert_models_match_migrations()
    assert_the_app_can_write()
