"""Configuration classes, read from the environment.

The embedded default is SQLite in ``instance/`` plus a local upload folder; production
sets DATABASE_URL (PostgreSQL), SECRET_KEY, RATELIMIT_STORAGE_URI and the media store.
"""

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from course.settings import DEFAULTS, from_environment

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Development needs to run with nothing set; production refuses this value.
INSECURE_DEV_KEY = "dev-only-insecure-key"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


_setting = from_environment


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'pfr-learn.sqlite3'}"
    )
    # hide_parameters: a database error's message (logged with its traceback) must not
    # carry the values, such as a family's pseudonym or a reflection's text.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    COURSE_CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
    COURSE_UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    COURSE_MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    # The course's settings, from the environment variable of the same name; what each
    # means, and its default, is in course/settings.py.
    COURSE_MAX_UPLOAD_MB = _setting("MAX_UPLOAD_MB")
    COURSE_VIDEO_RETENTION_DAYS = _setting("VIDEO_RETENTION_DAYS")
    COURSE_JOB_BACKEND = _setting("JOB_BACKEND")
    COURSE_JOB_RETRIES = _setting("JOB_RETRIES")
    COURSE_JOB_TIMEOUT_SECONDS = _setting("JOB_TIMEOUT_SECONDS")
    COURSE_JOB_RETRY_SECONDS = _setting("JOB_RETRY_SECONDS")  # comma-separated seconds
    COURSE_REDIS_URL = _setting("REDIS_URL")  # e.g. redis://127.0.0.1:6379/0
    COURSE_STORAGE_BACKEND = _setting("STORAGE_BACKEND")
    COURSE_S3_BUCKET = _setting("S3_BUCKET")
    COURSE_S3_ENDPOINT_URL = _setting("S3_ENDPOINT_URL")
    COURSE_S3_REGION = _setting("S3_REGION")
    COURSE_S3_PREFIX = _setting("S3_PREFIX")
    COURSE_STAFF_IDLE_MINUTES = _setting("STAFF_IDLE_MINUTES")
    COURSE_STAFF_SESSION_HOURS = _setting("STAFF_SESSION_HOURS")
    COURSE_S3_CONNECT_TIMEOUT = _setting("S3_CONNECT_TIMEOUT")
    COURSE_S3_READ_TIMEOUT = _setting("S3_READ_TIMEOUT")
    COURSE_S3_MAX_ATTEMPTS = _setting("S3_MAX_ATTEMPTS")
    # Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    COURSE_VIDEO_DELIVERY = _setting("VIDEO_DELIVERY")
    COURSE_PRESIGNED_URL_SECONDS = _setting("PRESIGNED_URL_SECONDS")
    COURSE_MEDIA_ORIGIN = _setting("MEDIA_ORIGIN")
    COURSE_UPLOAD_PART_SIZE = (
        _env_int("UPLOAD_PART_MB", 0) * 1024 * 1024 or DEFAULTS["COURSE_UPLOAD_PART_SIZE"]
    )
    RATELIMIT_STORAGE_URI = _setting("RATELIMIT_STORAGE_URI")
    RATELIMIT_HEADERS_ENABLED = True
    COURSE_MAX_PENDING_UPLOADS = _setting("MAX_PENDING_UPLOADS")
    COURSE_MAX_PENDING_UPLOAD_MB = _setting("MAX_PENDING_UPLOAD_MB")
    COURSE_DISK_RESERVE_MB = _setting("DISK_RESERVE_MB")
    COURSE_JOB_LEASE_MINUTES = _setting("JOB_LEASE_MINUTES")
    COURSE_SWEEP_MINUTES = _setting("SWEEP_MINUTES")
    COURSE_LOGIN_LIMIT_PER_ACCOUNT = _setting("LOGIN_LIMIT_PER_ACCOUNT")
    COURSE_LOGIN_LIMIT_PER_ADDRESS = _setting("LOGIN_LIMIT_PER_ADDRESS")
    COURSE_HSTS = False
    COURSE_INVITATION_DAYS = _setting("INVITATION_DAYS")
    COURSE_PASSWORD_RESET_HOURS = _setting("PASSWORD_RESET_HOURS")
    COURSE_PASSWORD_RESET_LIMIT = _setting("PASSWORD_RESET_LIMIT")
    COURSE_TWO_STEP_ROLES = _setting("TWO_STEP_ROLES")  # e.g. "site_admin,master_trainer"
    COURSE_TIME_ZONE = _setting("TIME_ZONE")
    COURSE_PASSWORD_HASH_METHOD = DEFAULTS["COURSE_PASSWORD_HASH_METHOD"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tie CSRF tokens to the session, not a clock
    COURSE_MAIL_BACKEND = _setting("MAIL_BACKEND")
    COURSE_MAIL_SERVER = _setting("MAIL_SERVER")
    COURSE_MAIL_PORT = _setting("MAIL_PORT")
    COURSE_MAIL_USE_TLS = _setting("MAIL_USE_TLS")  # "0" turns STARTTLS off
    COURSE_MAIL_USERNAME = _setting("MAIL_USERNAME")
    COURSE_MAIL_PASSWORD = _setting("MAIL_PASSWORD")
    COURSE_MAIL_DEFAULT_SENDER = _setting("MAIL_DEFAULT_SENDER")
    COURSE_SITE_URL = _setting("SITE_URL") or "http://127.0.0.1:5000"  # where `make run` serves
    # Old keys still accepted when reading session cookies while SECRET_KEY is rotated
    # (comma-separated; remove them once sessions signed with them have expired).
    SECRET_KEY_FALLBACKS = [
        key.strip() for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
    ]
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted: 0 (off)
    # when serving directly, 1 behind one nginx. Higher than the real count lets
    # clients forge their address (and so dodge the sign-in limits).
    PROXY_FIX_HOPS = _env_int("PROXY_FIX_HOPS", 0)
    # "plain" text lines or "json" (one object a line, for a log collector); stderr.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    LOG_LEVEL = _setting("LOG_LEVEL")
    COURSE_WHOLE_SITE = True  # this site is the course: its headers and error pages everywhere

    @staticmethod
    def check(config: Mapping) -> None:
        """Refuse to start with settings unsafe for this environment."""


class DevConfig(Config):
    DEBUG = True
    # The demo's staff accounts sign in with a password alone (production asks site
    # admins and master trainers for a code too; anyone may turn it on on their account).
    COURSE_TWO_STEP_ROLES = ()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Uploads and generated clips go to a throwaway folder, never the project's instance/.
    COURSE_UPLOAD_DIR = os.environ.get("TEST_UPLOAD_DIR") or tempfile.mkdtemp(
        prefix="pfr-test-media-"
    )
    COURSE_JOB_BACKEND = "sync"
    COURSE_SWEEP_MINUTES = 0  # tests call the sweep themselves
    COURSE_DISK_RESERVE_MB = 0
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # the throttling tests switch it back on
    # Tests hash hundreds of passwords; scrypt's cost is the point in production only.
    COURSE_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    COURSE_MAIL_BACKEND = "memory"  # sent mail lands in app.extensions["course_mail_outbox"]
    COURSE_TWO_STEP_ROLES = ()  # the two-step tests ask for it


class ProductionConfig(Config):
    COURSE_HSTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # The __Host- prefix: browsers accept the cookie only from this exact host over
    # HTTPS, for the whole site, so a sibling subdomain cannot plant or shadow it.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember"
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def check(config: Mapping) -> None:
        """Refuse to start with settings that are unsafe in production."""
        key = config.get("SECRET_KEY") or ""
        if key == INSECURE_DEV_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_hex(32))')."
            )
        mail = config.get("COURSE_MAIL_BACKEND")
        if mail in ("console", "memory"):
            raise RuntimeError(
                f"MAIL_BACKEND={mail!r} does not send email, so invitations would never "
                "arrive: set MAIL_BACKEND=smtp (with MAIL_SERVER, MAIL_USERNAME, "
                "MAIL_PASSWORD), or file to hand messages to another mailer, in production."
            )
        limits = config.get("RATELIMIT_STORAGE_URI") or "memory://"
        if config.get("RATELIMIT_ENABLED", True) and limits.startswith("memory://"):
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI=memory:// counts failed sign-ins in each process "
                "separately, so several workers multiply the limit: set it to Redis "
                "(for example redis://127.0.0.1:6379/1) in production."
            )


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProductionConfig}


def config_from_env() -> type[Config]:
    """Pick the config class named by PFR_ENV (development when unset)."""
    name = os.environ.get("PFR_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"PFR_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
