"""UTC time helpers shared by the models and services."""

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC, the calendar every schedule and deadline uses."""
    return utcnow().date()


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC; SQLite returns naive values, so re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use course.timeutil.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def parse_date(value: str | None) -> date | None:
    """A date typed as YYYY-MM-DD (a date field, a query string), or None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@cache  # available_timezones() reads the disk
def time_zones() -> tuple[str, ...]:
    """The IANA zones people pick from, US ones first."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return tuple(sorted(zones, key=lambda z: not z.startswith("America/")))
