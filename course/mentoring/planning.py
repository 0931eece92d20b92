"""Scheduling the weekly meetings: a date, time and link the mentor sets for a week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from course.accounts.models import User
from course.curriculum.models import Unit
from course.extensions import db
from course.links import path_for
from course.mentoring.models import MentorGroup, PlannedMeeting
from course.mentoring.services import MentoringError, _require_mentor
from course.notifications.models import Topic
from course.notifications.services import notify

MINUTES = (15, 240)


def plan_meeting(
    group: MentorGroup,
    actor: User,
    unit: Unit,
    day: date,
    start: time,
    minutes: int,
    time_zone: str,
    link: str = "",
) -> PlannedMeeting:
    """Set (or move) the week's meeting; the group is told, and calendars follow.

    :raise MentoringError: for someone not mentoring the group, or a bad time or link.
    """
    _require_mentor(group, actor)
    if unit.level != group.level:
        raise MentoringError("That week is not part of this group's level.")
    if not MINUTES[0] <= minutes <= MINUTES[1]:
        raise MentoringError(f"A meeting lasts {MINUTES[0]} to {MINUTES[1]} minutes.")
    if link and not link.startswith("https://"):
        raise MentoringError("The meeting link must start with https://.")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MentoringError(f"{time_zone!r} is not a time zone this site knows.") from exc
    starts = datetime.combine(day, start, zone)
    planned = db.session.scalar(
        select(PlannedMeeting).where(
            PlannedMeeting.group_id == group.id, PlannedMeeting.unit_slug == unit.slug
        )
    )
    if planned is None:
        planned = PlannedMeeting(group_id=group.id, unit_slug=unit.slug, sequence=0)
        db.session.add(planned)
    elif planned.starts_at != starts or planned.ends_at != starts + timedelta(minutes=minutes):
        planned.sequence += 1
    planned.starts_at, planned.ends_at = starts, starts + timedelta(minutes=minutes)
    planned.time_zone, planned.link, planned.planned_by_id = time_zone, link.strip(), actor.id
    for trainee in group.trainees:
        notify(
            trainee,
            f"Your {unit.title.split(':')[0]} meeting",
            f"{actor.name} set your meeting for {starts:%A %-d %B at %-I:%M %p %Z}. "
            "Add it to your calendar from your calendar page.",
            link=path_for("course.calendar.index"),
            commit=False,
            topic=Topic.SCHEDULE,
        )
    db.session.commit()
    return planned


def planned_meetings(group: MentorGroup) -> list[PlannedMeeting]:
    return list(
        db.session.scalars(
            select(PlannedMeeting)
            .where(PlannedMeeting.group_id == group.id)
            .order_by(PlannedMeeting.starts_at)
        )
    )
