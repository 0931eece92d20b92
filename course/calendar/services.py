"""Training dates as iCalendar: workshop days and planned weekly meetings, each as a
download or all in a person's private feed (a secret URL calendar apps subscribe to;
revocable)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select

from course.accounts.models import User
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.links import absolute, path_for
from course.mentoring.models import MentorGroup, MentorGroupMember, PlannedMeeting
from course.timeutil import utcnow
from course.workshops.models import (
    CalendarFeed,
    Workshop,
    WorkshopSession,
)
from course.workshops.services import seated_in, teaching

PRODID = "-//PFR Learn//Training calendar//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def new_feed(user: User) -> str:
    """Give ``user`` a new feed URL (any earlier one stops working); return the token."""
    token = secrets.token_urlsafe(32)
    feed = _feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _hash(token)
    feed.created_at = utcnow()
    db.session.commit()
    return token


def revoke_feed(user: User) -> None:
    feed = _feed_of(user)
    if feed is not None:
        db.session.delete(feed)
        db.session.commit()


def has_feed(user: User) -> bool:
    return _feed_of(user) is not None


def feed_owner(token: str) -> User | None:
    """The active person whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


@dataclass(frozen=True)
class Entry:
    """One event of a person's training calendar."""

    uid: str
    start: datetime  # aware, in the event's own time zone
    end: datetime
    summary: str
    location: str
    page: str  # site path of the page that tells more
    ics: str  # site path of this event's .ics download
    sequence: int


def entries_of(user: User) -> list[Entry]:
    """Workshop days of workshops ``user`` holds a place in or teaches, and the planned
    weekly meetings of the groups they mentor or belong to, soonest first."""
    sessions = db.session.scalars(
        select(WorkshopSession)
        .join(Workshop)
        .where(Workshop.id.in_(seated_in(user)) | Workshop.id.in_(teaching(user)))
    )
    member = select(MentorGroupMember.group_id).where(MentorGroupMember.trainee_id == user.id)
    meetings = db.session.scalars(
        select(PlannedMeeting)
        .join(MentorGroup)
        .where(MentorGroup.id.in_(member) | (MentorGroup.mentor_id == user.id))
    )
    entries = [workshop_entry(s) for s in sessions] + [meeting_entry(m) for m in meetings]
    return sorted(entries, key=lambda entry: entry.start)


def workshop_entry(session: WorkshopSession) -> Entry:
    workshop = session.workshop
    number = workshop.sessions.index(session) + 1
    return Entry(
        uid=f"workshop-session-{session.id}@{_host()}",
        start=session.local_start,
        end=session.local_end,
        summary=f"{workshop.title}: day {number} of {len(workshop.sessions)}",
        location=workshop.place,
        page=path_for("course.workshops.show", workshop_id=workshop.public_id),
        ics=path_for(
            "course.calendar.session_ics",
            workshop_id=workshop.public_id,
            session_id=session.public_id,
        ),
        sequence=session.sequence,
    )


def meeting_entry(planned: PlannedMeeting) -> Entry:
    unit = get_curriculum().unit(planned.unit_slug)
    week = unit.title.split(":")[0] if unit else planned.unit_slug
    zone = ZoneInfo(planned.time_zone)
    return Entry(
        uid=f"planned-meeting-{planned.id}@{_host()}",
        start=planned.starts_at.astimezone(zone),
        end=planned.ends_at.astimezone(zone),
        summary=f"PFR {week} meeting",
        location=planned.link,
        page=path_for("course.learning.unit", slug=planned.unit_slug),
        ics=path_for("course.calendar.meeting_ics", planned_id=planned.public_id),
        sequence=planned.sequence,
    )


def _event(entry: Entry) -> Event:
    page = absolute(entry.page)
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", entry.start)
    event.add("dtend", entry.end)
    event.add("sequence", entry.sequence)
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    event.add("url", page)
    event.add("description", f"PFR training. The page for it on PFR Learn: {page}")
    return event


def _host() -> str:
    return urlsplit(absolute("/")).hostname or "pfr-learn"


def calendar_of(entries: list[Entry], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(_event(entry))
    calendar.add_missing_timezones()  # a VTIMEZONE for each zone the events use
    return calendar.to_ical()
