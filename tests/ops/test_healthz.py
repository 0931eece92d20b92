"""/healthz: ok or failing for everyone, which check failed only for a site admin."""

import logging

import pytest

from app import create_app
from config import TestConfig
from course.accounts.models import Role
from course.ops import services

SECRET = "s3cret-redis-pass"  # noqa: S105
DEAD_REDIS = f"redis://:{SECRET}@127.0.0.1:1/0"  # port 1: nothing listens there


@pytest.fixture
def no_redis(app):
    """The checks this machine's environment may configure, switched off."""
    app.config["COURSE_REDIS_URL"] = ""
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"


@pytest.fixture
def live_redis_url():
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 to check against")
    return url


def test_anonymous_caller_gets_ok_without_details_cookie_or_caching(client, no_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Request-ID"]


def test_site_admin_sees_each_check(client, auth, no_redis):
    auth.login_as(Role.SITE_ADMIN)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.MASTER_TRAINER, Role.AGENCY_ADMIN])
def test_other_roles_get_no_details(client, auth, no_redis, app, tmp_path, role):
    app.config["COURSE_UPLOAD_DIR"] = str(_unwritable(tmp_path))
    auth.login_as(role)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "failing"}


def _unwritable(tmp_path):
    """A folder that cannot be made: its parent is a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    return blocker / "uploads"


def test_storage_failure_answers_503_and_names_the_check_to_an_admin(
    client, auth, app, no_redis, tmp_path
):
    app.config["COURSE_UPLOAD_DIR"] = str(_unwritable(tmp_path))
    assert client.get("/healthz").json == {"status": "failing"}
    auth.login_as(Role.SITE_ADMIN)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["storage"].startswith("failing: ")


def test_unreachable_redis_fails_without_leaking_its_password(client, auth, app, caplog):
    app.config["COURSE_REDIS_URL"] = DEAD_REDIS
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    auth.login_as(Role.SITE_ADMIN)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"] == {
        "database": "ok",
        "redis": "failing: ConnectionError",
        "storage": "ok",
    }
    assert SECRET not in response.get_data(as_text=True)
    assert "health check redis failed" in caplog.text
    assert SECRET not in caplog.text


def test_reachable_redis_is_checked(client, auth, app, live_redis_url):
    app.config["COURSE_REDIS_URL"] = live_redis_url
    auth.login_as(Role.SITE_ADMIN)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"] == "ok"


def test_redis_urls_come_from_jobs_and_rate_limits_without_repeats():
    assert services.redis_urls({"COURSE_REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"}) == []
    assert services.redis_urls(
        {"COURSE_REDIS_URL": "", "RATELIMIT_STORAGE_URI": "redis://r:6379/1"}
    ) == ["redis://r:6379/1"]
    assert services.redis_urls(
        {"COURSE_REDIS_URL": "redis://r:6379/0", "RATELIMIT_STORAGE_URI": "redis://r:6379/0"}
    ) == ["redis://r:6379/0"]
    assert services.redis_urls(
        {"COURSE_REDIS_URL": "redis://r:6379/0", "RATELIMIT_STORAGE_URI": "rediss://r:6380/1"}
    ) == ["redis://r:6379/0", "rediss://r:6380/1"]


def test_unreachable_database_fails(tmp_path):
    class NoDatabase(TestConfig):
        # A SQLite file in a folder that does not exist cannot be opened.
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing' / 'site.sqlite3'}"
        COURSE_REDIS_URL = ""
        RATELIMIT_STORAGE_URI = "memory://"
        COURSE_UPLOAD_DIR = str(tmp_path / "uploads")

    app = create_app(NoDatabase)
    with app.app_context():
        health = services.run_checks()
    assert not health.ok
    assert health.checks["database"] == "failing: OperationalError"
    assert health.checks["storage"] == "ok"
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "failing"}


def test_unreachable_database_answers_503_to_a_signed_in_caller_too(tmp_path):
    """A session cookie makes Flask-Login load the person from the database: with the
    database down that must not turn the probe into a 500 page."""
    from course.extensions import db
    from tests import factories
    from tests.conftest import create_tables

    class Working(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'site.sqlite3'}"
        COURSE_REDIS_URL = ""
        RATELIMIT_STORAGE_URI = "memory://"
        COURSE_UPLOAD_DIR = str(tmp_path / "uploads")

    class DatabaseGone(Working):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing' / 'site.sqlite3'}"

    working = create_app(Working)
    client = working.test_client()
    with working.app_context():
        create_tables()
        admin = factories.make_site_admin()
        client.post("/login", data={"email": admin.email, "password": factories.PASSWORD})
        db.engine.dispose()
    gone = create_app(DatabaseGone)
    signed_in = gone.test_client()
    signed_in.set_cookie("session", client.get_cookie("session").value)
    response = signed_in.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "failing"}
