"""Shared fixtures: an app with a fresh database per test, a client, and sign-in help.

Runs on in-memory SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

import pytest

from app import create_app
from config import TestConfig
from course.extensions import CourseModel, db
from quizzes.models import QuizBase
from tests import factories

pytest_plugins = ["tests.fixtures_auth"]


def create_tables():
    """Create the course's and the quiz plugin's tables (two MetaData objects)."""
    CourseModel.metadata.create_all(db.engine)
    QuizBase.metadata.create_all(db.engine)


def drop_tables():
    db.session.remove()
    QuizBase.metadata.drop_all(db.engine)
    CourseModel.metadata.drop_all(db.engine)
    db.engine.dispose()  # close pooled connections, or PostgreSQL ones leak


@pytest.fixture
def app(tmp_path):
    app = create_app(TestConfig)
    app.config["COURSE_UPLOAD_DIR"] = str(tmp_path / "uploads")  # each test its own media store
    with app.app_context():
        create_tables()
        yield app
        drop_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries:`` ... then ``len(queries)`` statements ran."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        executed = []

        def count(*args):
            executed.append(args[2])  # the SQL text, handy when a count changes

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            yield executed
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    return counting


@pytest.fixture
def make():
    """The test data factories, as a fixture so tests need no imports."""
    return factories
