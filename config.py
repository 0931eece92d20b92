"""Configuration classes, read from the environment.

The embedded default is SQLite in ``instance/`` plus a local upload folder; production
sets DATABASE_URL (PostgreSQL), SECRET_KEY, RATELIMIT_STORAGE_URI and the media store.
"""

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Development needs to run with nothing set; production refuses this value.
INSECURE_DEV_KEY = "dev-only-insecure-key"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'pfr-learn.sqlite3'}"
    )
    # hide_parameters: a database error's message (logged with its traceback) must not
    # carry the values, such as a family's pseudonym or a reflection's text.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 2048)
    # Days a signed-off week's dyad videos are kept (sooner if the consent ends).
    VIDEO_RETENTION_DAYS = _env_int("VIDEO_RETENTION_DAYS", 90)
    # Background jobs (course/jobs.py): "thread" (an in-process pool, the embedded
    # default), "sync" (in the request: tests, debugging) or "rq" (RQ on REDIS_URL).
    JOB_BACKEND = os.environ.get("JOB_BACKEND", "thread")
    JOB_RETRIES = _env_int("JOB_RETRIES", 3)
    JOB_TIMEOUT_SECONDS = _env_int("JOB_TIMEOUT_SECONDS", 3600)  # a long transcode
    # Seconds an RQ retry waits, for the first, second, ... retry (the last repeats).
    JOB_RETRY_SECONDS = [
        int(s) for s in os.environ.get("JOB_RETRY_SECONDS", "10,60,300").split(",") if s.strip()
    ]
    REDIS_URL = os.environ.get("REDIS_URL", "")  # e.g. redis://127.0.0.1:6379/0
    # Where dyad videos live (course/media/storage.py): "local" (UPLOAD_DIR) or "s3".
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None  # any S3-compatible store
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_PREFIX = os.environ.get("S3_PREFIX", "dyad/")
    # Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    # "proxy": the app streams every byte after its permission check; "presigned":
    # after the same check (and audit row) it redirects to a URL valid a few minutes.
    VIDEO_DELIVERY = os.environ.get("VIDEO_DELIVERY", "proxy")
    PRESIGNED_URL_SECONDS = _env_int("PRESIGNED_URL_SECONDS", 300)
    # The origin the pages may load pre-signed videos from (CSP); by default the
    # origin of S3_ENDPOINT_URL, or any amazonaws.com host.
    MEDIA_ORIGIN = os.environ.get("MEDIA_ORIGIN", "")
    # Resumable uploads are stored in parts of this size (S3 needs at least 5 MB).
    UPLOAD_PART_SIZE = _env_int("UPLOAD_PART_MB", 8) * 1024 * 1024
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins allowed per account (email) and per address (client IP).
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get(
        "LOGIN_LIMIT_PER_ADDRESS", "20 per minute;100 per hour"
    )
    HSTS = False
    INVITATION_DAYS = _env_int("INVITATION_DAYS", 14)
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name; memory-hard)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tie CSRF tokens to the session, not a clock
    # Email (course/notifications/mail.py): console, file, smtp or memory.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") != "0"  # STARTTLS unless "0"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "PFR Learn <no-reply@pfr-learn.example.org>"
    )
    # Scheme and host for links in emails, e.g. https://learn.example.org
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
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
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    @staticmethod
    def check(config: Mapping) -> None:
        """Refuse to start with settings unsafe for this environment."""


class DevConfig(Config):
    DEBUG = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Uploads and generated clips go to a throwaway folder, never the project's instance/.
    UPLOAD_DIR = os.environ.get("TEST_UPLOAD_DIR") or tempfile.mkdtemp(prefix="pfr-test-media-")
    JOB_BACKEND = "sync"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # the throttling tests switch it back on
    # Tests hash hundreds of passwords; scrypt's cost is the point in production only.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    MAIL_BACKEND = "memory"  # sent mail lands in app.extensions["course_mail_outbox"]


class ProductionConfig(Config):
    HSTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
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
        mail = config.get("MAIL_BACKEND")
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
