"""The course's database: the host's Flask-SQLAlchemy or its own, its engine (optionally
a bind of its own), SQLite settings on that engine only, and its migration history."""

import sqlite3
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine


def init_app(app: Flask) -> None:
    """Share the host's Flask-SQLAlchemy when it has one, or set up the course's own.

    ``COURSE_DATABASE_BIND`` names one of the host's ``SQLALCHEMY_BINDS`` to keep the
    course's tables in a database apart; by default they sit beside the host's.
    """
    from course.extensions import CourseModel, own_db

    if "sqlalchemy" not in app.extensions:
        own_db.init_app(app)
    bind = app.config["COURSE_DATABASE_BIND"]
    if bind and bind not in app.config.get("SQLALCHEMY_BINDS", {}):
        raise RuntimeError(f"COURSE_DATABASE_BIND {bind!r} is not one of SQLALCHEMY_BINDS")
    if bind:  # one course per process: the tables' MetaData is shared
        CourseModel.metadata.info["bind_key"] = bind  # Flask-SQLAlchemy routes by it
    else:
        CourseModel.metadata.info.pop("bind_key", None)
    with app.app_context():
        init_engine(course_engine())


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
    """The engine of the course's tables (the app's default one, or its bind)."""
    return current_app.extensions["sqlalchemy"].engines[current_app.config["COURSE_DATABASE_BIND"]]


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
