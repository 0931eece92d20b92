"""Times shown in the reader's time zone: their own choice, else their agency's, else the
site's (``COURSE_TIME_ZONE``). Stored times stay UTC; only what a page prints changes.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_request_context, request
from flask_login import current_user

from course.timeutil import time_zones

DEFAULT_FORMAT = "%-d %b %Y, %-I:%M %p %Z"


def check_zone(name: str) -> None:
    """Refuse to start with a ``COURSE_TIME_ZONE`` the system's time zone data lacks."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"COURSE_TIME_ZONE {name!r} is not a known time zone") from exc


def known_zone(name: str | None) -> bool:
    return bool(name) and name in _zone_names()


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(time_zones())


def zone_name_for(user) -> str:
    """The zone a person reads times in (a name from the IANA database)."""
    return getattr(user, "time_zone", None) or default_zone_name(user)


def default_zone_name(user) -> str:
    """Their zone until they choose one: their agency's, else the site's."""
    agency = getattr(user, "agency", None)
    return getattr(agency, "time_zone", None) or current_app.config["COURSE_TIME_ZONE"]


def reader_zone() -> ZoneInfo:
    """The signed-in reader's zone, worked out once per request (a page of a hundred
    times asks a hundred times; ZoneInfo keeps each zone it has read)."""
    if not has_request_context():
        return _zone_of(None)
    zone = request.environ.get(ZONE_KEY)
    if zone is None:
        zone = request.environ[ZONE_KEY] = _zone_of(
            current_user if current_user.is_authenticated else None
        )
    return zone


ZONE_KEY = "course.reader_zone"  # in the request's environ, which lives as long as it


def _zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(zone_name_for(user))
    except (ZoneInfoNotFoundError, ValueError):  # a zone removed from the system's tzdata
        return ZoneInfo(current_app.config["COURSE_TIME_ZONE"])


def site_time(value: datetime, fmt: str = DEFAULT_FORMAT) -> str:
    """A time in the site's own zone, the same for every reader (a certificate's date)."""
    return value.astimezone(ZoneInfo(current_app.config["COURSE_TIME_ZONE"])).strftime(fmt)


def local(value: datetime | date | None, fmt: str = DEFAULT_FORMAT) -> str:
    """The Jinja filter ``course_time``: ``{{ video.created_at|course_time('%-d %b %Y') }}``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(reader_zone())
    return value.strftime(fmt)
