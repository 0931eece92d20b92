"""Training dates as iCalendar: one event per workshop session, as a download or in a
person's private feed (a secret URL calendar apps subscribe to; revocable)."""

from __future__ import annotations

import hashlib
import secrets

from icalendar import Calendar, Event
from sqlalchemy import select

from course.accounts.models import User
from course.extensions import db
from course.links import absolute, path_for
from course.timeutil import utcnow
from course.workshops.models import (
    CalendarFeed,
    Workshop,
    WorkshopSeat,
    WorkshopSession,
    WorkshopTrainer,
)

PRODID = "-//PFR Learn//Training calendar//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(user: User) -> str:
    """Give ``user`` a new feed URL (any earlier one stops working); return the token."""
    token = secrets.token_urlsafe(32)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _hash(token)
    feed.created_at = utcnow()
    db.session.commit()
    return token


def revoke_feed(user: User) -> None:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is not None:
        db.session.delete(feed)
        db.session.commit()


def has_feed(user: User) -> bool:
    return (
        db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id))
        is not None
    )


def feed_owner(token: str) -> User | None:
    """The active person whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


def sessions_of(user: User) -> list[WorkshopSession]:
    """The sessions of every workshop ``user`` holds a place in or teaches."""
    seated = select(WorkshopSeat.workshop_id).where(
        WorkshopSeat.trainee_id == user.id, WorkshopSeat.withdrawn_at.is_(None)
    )
    teaching = select(WorkshopTrainer.workshop_id).where(WorkshopTrainer.trainer_id == user.id)
    return list(
        db.session.scalars(
            select(WorkshopSession)
            .join(Workshop)
            .where(Workshop.id.in_(seated) | Workshop.id.in_(teaching))
            .order_by(WorkshopSession.starts_at)
        )
    )


def _event(session: WorkshopSession) -> Event:
    workshop = session.workshop
    number = workshop.sessions.index(session) + 1
    page = absolute(path_for("course.workshops.show", workshop_id=workshop.id))
    event = Event()
    event.add("uid", f"workshop-session-{session.id}@{_host()}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", session.local_start)
    event.add("dtend", session.local_end)
    event.add("sequence", session.sequence)
    event.add("summary", f"{workshop.title}: day {number} of {len(workshop.sessions)}")
    event.add("location", workshop.place)
    event.add("url", page)
    event.add(
        "description",
        f"PFR Level 1 workshop, day {number}. Dates, place and the modules to read first: {page}",
    )
    return event


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(absolute("/")).hostname or "pfr-learn"


def calendar_of(sessions: list[WorkshopSession], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones()  # a VTIMEZONE for each zone the events use
    return calendar.to_ical()
