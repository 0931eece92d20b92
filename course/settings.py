"""Every setting the course plugin reads, with the value it takes when a host sets none.
All are named ``COURSE_...`` so they never meet a host's or another extension's keys.

``init_app`` applies these with ``setdefault``: a host sets only what it wants to
change (a secret key and a database at the least). The standalone site's ``config.py``
reads the same names from the environment and falls back on these values.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

DEFAULTS: dict[str, object] = {
    "COURSE_MAX_UPLOAD_MB": 2048,
    # Days a signed-off week's dyad videos are kept (sooner if the consent ends).
    "COURSE_VIDEO_RETENTION_DAYS": 90,
    # Background jobs (course/jobs.py): "thread" (an in-process pool), "sync" (in the
    # request: tests, debugging) or "rq" (RQ on REDIS_URL).
    "COURSE_JOB_BACKEND": "thread",
    "COURSE_JOB_RETRIES": 3,
    "COURSE_JOB_TIMEOUT_SECONDS": 3600,  # a long transcode
    # Seconds an RQ retry waits, for the first, second, ... retry (the last repeats).
    "COURSE_JOB_RETRY_SECONDS": (10, 60, 300),
    "COURSE_REDIS_URL": "",
    # Where dyad videos live (course/media/storage.py): "local" (UPLOAD_DIR) or "s3".
    "COURSE_STORAGE_BACKEND": "local",
    "COURSE_S3_BUCKET": "",
    "COURSE_S3_ENDPOINT_URL": None,  # any S3-compatible store; None: AWS
    "COURSE_S3_REGION": "us-east-1",
    "COURSE_S3_PREFIX": "dyad/",
    # Seconds to connect and to wait for an answer, and tries in all: a frozen store
    # gets a quick 503 instead of holding the workers.
    "COURSE_S3_CONNECT_TIMEOUT": 3,
    "COURSE_S3_READ_TIMEOUT": 10,
    "COURSE_S3_MAX_ATTEMPTS": 2,
    # "proxy": the app streams every byte after its permission check; "presigned":
    # after the same check (and audit row) it redirects to a URL valid a few minutes.
    "COURSE_VIDEO_DELIVERY": "proxy",
    "COURSE_PRESIGNED_URL_SECONDS": 300,
    # The origin pages may load pre-signed videos from (CSP); "" derives it.
    "COURSE_MEDIA_ORIGIN": "",
    # Resumable uploads are stored in parts of this size (S3 needs at least 5 MB); a
    # client's chunks can be any size.
    "COURSE_UPLOAD_PART_SIZE": 8 * 1024 * 1024,
    # Unfinished uploads one trainee may have at once, and the bytes they may announce
    # in all; an upload no byte reached for a day is removed by the purge.
    "COURSE_MAX_PENDING_UPLOADS": 3,
    "COURSE_MAX_PENDING_UPLOAD_MB": 4096,
    # The local store refuses an upload that would leave less than this free.
    "COURSE_DISK_RESERVE_MB": 1024,
    # A video job that has not reported for this long (it reports every minute while
    # it runs) was lost with its process: the sweep queues it again.
    "COURSE_JOB_LEASE_MINUTES": 10,
    # How often each app process (thread backend) or worker (RQ) runs the sweep; 0: never
    # (then cron's ``flask course purge`` runs it).
    "COURSE_SWEEP_MINUTES": 5,
    # Where sign-in failures are counted (Flask-Limiter); Redis when several processes run.
    "RATELIMIT_STORAGE_URI": "memory://",
    # Redis (the shared store) down: count in each process instead, with a warning,
    # and never refuse a request for an error of the store itself.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # Failed sign-ins allowed per account from one address, and per address (client IP).
    "COURSE_LOGIN_LIMIT_PER_ACCOUNT": "5 per minute;20 per hour",
    "COURSE_LOGIN_LIMIT_PER_ADDRESS": "20 per minute;100 per hour",
    "COURSE_HSTS": False,
    "COURSE_INVITATION_DAYS": 14,
    # A "forgot password" link works once, for this long; requests per address and email.
    "COURSE_PASSWORD_RESET_HOURS": 2,
    "COURSE_PASSWORD_RESET_LIMIT": "5 per hour",
    # Roles that must sign in with a one-time code from an authenticator app as well as
    # their password (others may choose to).
    "COURSE_TWO_STEP_ROLES": ("site_admin", "master_trainer"),
    # Times on pages are shown in each person's zone; this one for people (and agencies)
    # who have not chosen theirs. An IANA name.
    "COURSE_TIME_ZONE": "America/Los_Angeles",
    # Staff (trainers and admins) sign in again after this long without activity, and
    # after this long in all.
    "COURSE_STAFF_IDLE_MINUTES": 30,
    "COURSE_STAFF_SESSION_HOURS": 12,
    # argon2id (memory-hard; older hashes are replaced at next sign-in), or a Werkzeug
    # method such as "pbkdf2:sha256:1000" where speed matters more (the tests).
    "COURSE_PASSWORD_HASH_METHOD": "argon2id",
    # "console" (the log), "file" (.eml files in MAIL_FILE_DIR), "smtp" or "memory".
    "COURSE_MAIL_BACKEND": "console",
    "COURSE_MAIL_SERVER": "localhost",
    "COURSE_MAIL_PORT": 587,
    "COURSE_MAIL_USE_TLS": True,  # STARTTLS
    "COURSE_MAIL_USERNAME": None,
    "COURSE_MAIL_PASSWORD": None,
    "COURSE_MAIL_DEFAULT_SENDER": "PFR Learn <no-reply@pfr-learn.example.org>",
    # Scheme and host for links in emails, e.g. https://learn.example.org; empty: the
    # host's SERVER_NAME and PREFERRED_URL_SCHEME.
    "COURSE_SITE_URL": "",
    "LOG_LEVEL": "INFO",
    # True: headers, error pages and the access log cover every page of the site (the
    # standalone site); False: the plugins' own pages only, beside a host's.
    "COURSE_WHOLE_SITE": False,
    # One of SQLALCHEMY_BINDS for the course's tables; None: the app's default database.
    "COURSE_DATABASE_BIND": None,
}

# Folders that default to a place under the host's instance folder.
INSTANCE_FOLDERS = {
    "COURSE_CONTENT_DIR": "content",
    "COURSE_UPLOAD_DIR": "uploads",
    "COURSE_MAIL_FILE_DIR": "mail",
}


def apply_defaults(app: Flask) -> None:
    """Give every setting the host left out its default; never override the host's."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, list(value) if isinstance(value, tuple) else value)
    for key, folder in INSTANCE_FOLDERS.items():
        app.config.setdefault(key, str(Path(app.instance_path) / folder))


def from_environment(name: str, setting: str | None = None):
    """The environment's value for a setting (typed like its default), or the default."""
    key = setting or (f"COURSE_{name}" if f"COURSE_{name}" in DEFAULTS else name)
    default = DEFAULTS[key]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return list(default) if isinstance(default, tuple) else default
    if isinstance(default, bool):
        return raw != "0"
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):  # comma-separated; "none" for an empty list
        parts = [part.strip() for part in raw.split(",") if part.strip() not in ("", "none")]
        return [int(part) for part in parts] if isinstance(default[0], int) else parts
    return raw
