"""The migrations against a real database: from empty, over data, and one step down.

Each plugin has its own history and version table (course_alembic_version,
quiz_alembic_version). Each test gets its own database: a temp SQLite file, and also,
when TEST_DATABASE_URL names PostgreSQL, a throwaway PostgreSQL database created and
dropped here (the shared test database belongs to the rest of the suite, which builds
it with create_all).

Nothing here names a revision: heads and the revision before them come from each
history's ScriptDirectory, so the tests keep working as migrations are added.
"""

import os
import pprint
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext

from app import create_app
from course.database import course_history
from course.extensions import TABLE_PREFIX, db
from quizzes.migrating import SHARED_VERSION_TABLE, History, quiz_history

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


COURSE, QUIZZES = course_history(), quiz_history()
HISTORIES = (COURSE, QUIZZES)


# -- Revisions ---------------------------------------------------------------------------


def head_and_previous(history: History) -> tuple[str, str]:
    """A history's single head and the revision before it."""
    script = history.script()
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    if previous is None:
        pytest.skip(f"{history.name} has a single revision: nothing to upgrade from")
    assert isinstance(previous, str), f"the {history.name} head {head} is a merge: {previous}"
    return head, previous


def heads(history: History) -> set[str]:
    return set(history.script().get_heads())


def watch_sqlite_rebuilds(engine: sa.Engine) -> list[str]:
    """Record each DROP TABLE that SQLite runs with its foreign keys on.

    Batch mode rebuilds a table by copy and drop; with foreign keys on, the drop fails
    or cascades into child rows, so the migration environment switches them off.
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
    from flask import current_app

    rebuilds = current_app.extensions["test_sqlite_fk_rebuilds"]
    rebuilds.clear()  # this step's only
    step(revision)
    assert rebuilds == [], f"SQLite tables rebuilt with foreign keys on: {rebuilds}"


def upgrade(history: History, revision: str = "head") -> None:
    _migrate(history.upgrade, revision)


def downgrade(history: History, revision: str) -> None:
    _migrate(history.downgrade, revision)


def upgrade_all() -> None:
    for history in HISTORIES:
        upgrade(history)


# -- Models against migrations ------------------------------------------------------------


def assert_models_match_migrations() -> None:
    """Autogenerate, as `flask <plugin> db revision --autogenerate` would: nothing to do."""
    for history in HISTORIES:
        diff = history.differences()
        if diff:
            with history.engine().connect() as conn:
                options = {**history.context_options(), "target_metadata": history.metadata}
                context = MigrationContext.configure(conn, opts=options)
                script = produce_migrations(context, history.metadata)
                code = render_python_code(script.upgrade_ops, render_as_batch=True)
        assert not diff, (
            f"{history.name}: the models and the migrations disagree; autogenerate would "
            f"write:\n{code}\nraw diff:\n{pprint.pformat(diff)}"
        )


def partial_unique_indexes() -> set[str]:
    """Unique indexes that hold only where a row is not revoked."""
    found = set()
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in inspector.get_table_names():
            for index in inspector.get_indexes(table):
                options = index.get("dialect_options", {})
                where = " ".join(str(v) for k, v in options.items() if k.endswith("_where"))
                if index["unique"] and "revoked_at IS NULL" in where:
                    found.add(index["name"])
    return found


def table_names() -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


# -- Data -------------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def seed_rows() -> list[tuple[str, dict]]:
    """A small agency's week, in foreign-key order; ids in the hundreds, clear of sequences."""
    return [
        ("course_agency", {"id": 101, "name": "Riverside Family Services", "created_at": T0}),
        (
            "course_user",
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
            "course_user",
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
        ("course_user_role", {"id": 101, "user_id": 101, "role": "master_trainer"}),
        ("course_user_role", {"id": 102, "user_id": 102, "role": "trainee"}),
        (
            "course_cohort",
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
            "course_enrolment",
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
            "course_unit_progress",
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
            "course_mentor_group",
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
        ("course_mentor_group_member", {"id": 101, "group_id": 101, "trainee_id": 102}),
        (
            "course_reflection",
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
            "course_reflection_version",
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
            "course_consent",
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
            "course_dyad_video",
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
            "course_video_comment",
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
            "course_audit_event",
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


def find_table(name: str, tables: dict[str, sa.Table]) -> sa.Table | None:
    """The table by its name now, or by its name from before the course_ prefix."""
    return tables.get(name, tables.get(name.removeprefix(TABLE_PREFIX)))


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
            table = find_table(name, tables.tables)
            if table is None:  # created by a later revision
                continue
            values = {key: value for key, value in row.items() if key in table.c}
            for column in table.c:
                required = not (column.nullable or column.primary_key or column.server_default)
                if column.name == "public_id":  # unique: one of its own per row
                    values.setdefault("public_id", f"seed-{row['id']}")
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
            table = find_table(name, tables)
            if table is None:
                problems.append(f"{name}: the table is gone (dropped on purpose? update seed_rows)")
                continue
            # Only the columns the database has: a missing one is the drift check's to report.
            present = {column["name"] for column in sa.inspect(conn).get_columns(table.name)}
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
    return {table.name: table for h in HISTORIES for table in h.metadata.tables.values()}


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
    upgrade_all()

    for history in HISTORIES:
        assert history.current() == heads(history)
    assert {COURSE.version_table, QUIZZES.version_table} <= table_names()
    assert SHARED_VERSION_TABLE not in table_names()
    assert partial_unique_indexes() == {
        "uq_course_certificate_standing",
        "uq_course_week_sign_off_standing",
    }
    assert_models_match_migrations()


def test_upgrade_keeps_existing_data(migration_app):
    head, previous = head_and_previous(COURSE)
    upgrade(COURSE, previous)
    upgrade(QUIZZES)  # the quiz plugin's history, already deployed
    inserted = insert_rows()

    upgrade(COURSE)

    assert COURSE.current() == {head}
    assert_rows_survived(inserted, model_tables())
    assert_models_match_migrations()
    assert_the_app_can_write()


def test_rows_from_before_public_ids_get_random_ones(migration_app):
    upgrade(COURSE, "8969566dee55")  # the revision before public ids
    upgrade(QUIZZES, "5b2e9a41c7d3")
    insert_rows()

    upgrade_all()

    tables = model_tables()
    with db.engine.connect() as conn:
        for name in ("course_user", "course_cohort", "course_reflection", "quiz_attempt"):
            column = tables[name].c.public_id
            values = conn.execute(sa.select(column)).scalars().all()
            assert values, name
            assert all(len(value) == 22 for value in values), name
            assert len(set(values)) == len(values), name


def test_downgrade_one_step_and_back(migration_app):
    head, previous = head_and_previous(COURSE)
    upgrade_all()
    inserted = insert_rows()

    downgrade(COURSE, previous)

    assert COURSE.current() == {previous}
    tables = reflected_tables()
    # What the older schema still has keeps its values.
    kept = {}
    for (name, row_id), values in inserted.items():
        table = find_table(name, tables)
        if table is not None:
            kept[name, row_id] = {
                **{k: v for k, v in values.items() if k in table.c},
                "__columns__": set(table.c.keys()),
            }
    assert_rows_survived(kept, tables)

    upgrade(COURSE)

    assert COURSE.current() == {head}
    # Columns the head adds come back with their defaults; the rest kept their values.
    assert_rows_survived(kept, model_tables())
    assert_models_match_migrations()
    assert_the_app_can_write()


def legacy_history() -> History:
    """The migrations as deployed before the split: the course's revisions creating
    unprefixed tables (kept in tests/legacy_migrations) and the quizzes', in one history
    with one shared alembic_version."""
    versions = os.pathsep.join(
        [str(Path(__file__).parent / "legacy_migrations"), QUIZZES.versions_dir]
    )
    return replace(COURSE, name="legacy", versions_dir=versions, version_table=SHARED_VERSION_TABLE)


def test_a_database_from_before_the_split_keeps_its_data(migration_app):
    """A deployed site kept both plugins' revisions in one alembic_version and had a
    `user` table: the course takes its revision, prefixes its tables and goes on to its
    head; the quizzes take theirs; the shared table goes once empty."""
    head, _ = head_and_previous(COURSE)
    legacy = legacy_history()
    script = legacy.script()
    (legacy_head,) = set(script.get_heads()) - heads(QUIZZES)
    previous = script.get_revision(legacy_head).down_revision
    upgrade(legacy, previous)  # the course at the revision before its last one ...
    upgrade(legacy, "quizzes@head")  # ... and the quizzes at theirs: a site that is behind
    assert {"user", "week_sign_off", SHARED_VERSION_TABLE} <= table_names()
    inserted = insert_rows()

    upgrade_all()

    assert COURSE.current() == {head}
    assert QUIZZES.current() == heads(QUIZZES)
    assert SHARED_VERSION_TABLE not in table_names()
    assert not {"user", "agency", "week_sign_off"} & table_names()
    assert partial_unique_indexes() == {
        "uq_course_certificate_standing",
        "uq_course_week_sign_off_standing",
    }
    assert_rows_survived(inserted, model_tables())
    assert_models_match_migrations()
    assert_the_app_can_write()


def test_the_plugins_migrate_beside_a_hosts_own_tables_and_history(migration_app):
    """A host with its own `user` table and its own alembic_version: the plugins' tables
    and version tables are their own, and autogenerate never proposes the host's."""
    with db.engine.begin() as conn:
        conn.execute(sa.text('CREATE TABLE "user" (id INTEGER PRIMARY KEY, login VARCHAR(40))'))
        conn.execute(sa.text("INSERT INTO \"user\" VALUES (1, 'host-admin')"))
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('hostrev0001')"))

    upgrade_all()

    with db.engine.connect() as conn:
        assert conn.execute(sa.text('SELECT login FROM "user"')).scalar_one() == "host-admin"
        shared = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert shared.scalars().all() == ["hostrev0001"]
    for history in HISTORIES:
        assert history.current() == heads(history)
    assert_models_match_migrations()
    # Down and up again leaves the host's tables alone too.
    downgrade(COURSE, "base")
    assert "user" in table_names() and "course_user" not in table_names()
    upgrade(COURSE)
    assert COURSE.current() == heads(COURSE)
