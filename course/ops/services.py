"""Health checks for /healthz: can this process reach what it needs to serve requests?

Each check raises on failure. Failures are reported by the exception's class name only:
exception text may carry a database or Redis URL with its password.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from course.database import course_engine

logger = logging.getLogger("pfr.health")

# Seconds a Redis ping may take: a load balancer's probe must not hang on a dead host.
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass
class Health:
    """The outcome of every check: name -> "ok" or "failing: <ExceptionClass>"."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(result == "ok" for result in self.checks.values())


def check_database() -> None:
    # Its own connection, so a request's session (and its transaction) is left alone.
    with course_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def redis_urls(config: Mapping) -> list[str]:
    """The Redis servers this site uses: REDIS_URL (jobs) and the rate-limit store."""
    urls = []
    if config.get("COURSE_REDIS_URL"):
        urls.append(config["COURSE_REDIS_URL"])
    limits = config.get("RATELIMIT_STORAGE_URI") or ""
    # redis:// and rediss:// only: redis+sentinel:// and redis+cluster:// are the limits
    # library's own schemes, which redis-py cannot open from a URL.
    if limits.split("://", 1)[0] in ("redis", "rediss") and limits not in urls:
        urls.append(limits)
    return urls


def check_redis(urls: list[str]) -> None:
    import redis

    for url in urls:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()


def check_storage() -> None:
    from course.media.services import storage

    storage().check()


def run_checks() -> Health:
    """Run every check that applies to this configuration; never raises."""
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    urls = redis_urls(current_app.config)
    if urls:
        checks["redis"] = lambda: check_redis(urls)
    checks["storage"] = check_storage
    health = Health()
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means "failing"; the class name says which
            health.checks[name] = f"failing: {type(exc).__name__}"
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
        else:
            health.checks[name] = "ok"
    return health
