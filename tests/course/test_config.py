import sqlite3

import pytest
from sqlalchemy import text

from app import create_app
from config import INSECURE_DEV_KEY, ProductionConfig, TestConfig
from course.extensions import db


@pytest.mark.parametrize("key", [INSECURE_DEV_KEY, "short", ""])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    class Prod(ProductionConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


def test_production_starts_with_a_long_random_key_and_secure_cookies():
    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 48
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        COURSE_MAIL_BACKEND = "smtp"
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    app = create_app(Prod)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_create_app_accepts_a_mapping_of_overrides(monkeypatch):
    monkeypatch.setenv("PFR_ENV", "testing")
    app = create_app({"COURSE_MAX_UPLOAD_MB": 7})
    assert app.config["COURSE_MAX_UPLOAD_MB"] == 7
    assert app.config["TESTING"] is True


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PFR_ENV", "staging")
    with pytest.raises(RuntimeError, match="PFR_ENV"):
        create_app()


def test_sqlite_file_database_uses_wal_and_foreign_keys(tmp_path):
    class FileDb(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'site.sqlite3'}"

    app = create_app(FileDb)
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_pragmas_leave_other_databases_alone():
    conn = sqlite3.connect(":memory:")
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0  # listener is per-engine
    conn.close()


def test_two_step_roles_and_time_zone_come_from_the_environment(monkeypatch):
    from course.settings import from_environment

    monkeypatch.setenv("TWO_STEP_ROLES", "site_admin, agency_admin")
    assert from_environment("TWO_STEP_ROLES") == ["site_admin", "agency_admin"]
    monkeypatch.setenv("TWO_STEP_ROLES", "none")
    assert from_environment("TWO_STEP_ROLES") == []
    monkeypatch.setenv("JOB_RETRY_SECONDS", "5, 50")
    assert from_environment("JOB_RETRY_SECONDS") == [5, 50]


def test_an_unknown_time_zone_stops_start_up_naming_it():
    import pytest

    from app import create_app
    from config import TestConfig

    class Wrong(TestConfig):
        COURSE_TIME_ZONE = "America/Atlantis"

    with pytest.raises(RuntimeError, match="America/Atlantis"):
        create_app(Wrong)
