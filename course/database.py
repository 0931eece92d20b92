"""Database settings for the course's own engine (never every engine in the process)."""

import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


def init_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on foreign keys and WAL for SQLite (readers then never block the writer)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def course_engine() -> Engine:
    from course.extensions import db

    return db.engine


def course_history():
    """The course's migrations: course/migrations/versions, its own version table."""
    from course.extensions import TABLE_PREFIX, CourseModel
    from course.prefix_tables import prefix_tables
    from quizzes.migrating import History

    return History(
        name="course",
        versions_dir=str(Path(__file__).parent / "migrations" / "versions"),
        version_table="course_alembic_version",
        table_prefix=TABLE_PREFIX,
        metadata=CourseModel.metadata,
        engine=course_engine,
        on_adopt=prefix_tables,
    )
