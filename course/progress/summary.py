"""Work out people's summary rows from the source rows (enrolments, modules, groups,
reflections, sign-offs, meetings, certificates): the one home of what a row holds.

Everything is read as columns through a Core connection, so it can run inside a flush
(see ``course.progress.tracking``) without loading or flushing ORM objects. The result
does not depend on today's date: a week's opening date is fixed unless its group is
paused, and a paused group's clock stands still at the pause.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Select, case, func, literal, select

from course.curriculum.services import get_curriculum
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.mentoring.models import (
    Certificate,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekOpening,
    WeekSignOff,
)
from course.mentoring.services import scheduled_units
from course.reflections.models import Reflection, ReflectionStatus

LEVEL_ONE = "level-1"


@dataclass(frozen=True)
class EarlyOpening:
    week: int


@dataclass(frozen=True)
class GroupSchedule:
    """What a week's opening date needs of a mentor group (columns, not the object)."""

    id: int
    level: str
    start_date: date
    paused_at: datetime | None
    pauses: list
    early_openings: list[EarlyOpening] = field(default_factory=list)


def group_schedules(connection: Connection, group_ids: Collection[int]) -> dict[int, GroupSchedule]:
    """The schedules of these groups (two queries)."""
    groups = {
        row.id: GroupSchedule(row.id, row.level, row.start_date, row.paused_at, row.pauses or [])
        for row in connection.execute(
            select(
                MentorGroup.id,
                MentorGroup.level,
                MentorGroup.start_date,
                MentorGroup.paused_at,
                MentorGroup.pauses,
            ).where(MentorGroup.id.in_(group_ids))
        )
    }
    openings = select(WeekOpening.group_id, WeekOpening.week).where(
        WeekOpening.group_id.in_(group_ids)
    )
    for group_id, week in connection.execute(openings):
        groups[group_id].early_openings.append(EarlyOpening(week))
    return groups


def summarize(connection: Connection, trainee_ids: Collection[int]) -> dict[tuple[int, str], dict]:
    """The summary rows of these people, keyed by (person, level), as column values.

    A person has a row for each level they have an enrolment, a group, a reflection, a
    sign-off or a certificate in; none if they have not started anything."""
    if not trainee_ids:
        return {}
    ids = sorted(trainee_ids)
    curriculum = get_curriculum()
    rows: dict[tuple[int, str], dict] = {}

    def row(trainee_id: int, level: str) -> dict:
        if (trainee_id, level) not in rows:
            known = curriculum.level(level)
            total = len(known.units) if known else 0
            rows[(trainee_id, level)] = _empty(trainee_id, level, total)
        return rows[(trainee_id, level)]

    level_one_enrolment: dict[int, int] = {}  # person -> the Level 1 enrolment shown
    for enrolment in connection.execute(
        select(
            Enrolment.id,
            Enrolment.user_id,
            Enrolment.level,
            Enrolment.status,
            Enrolment.started_at,
            Enrolment.completed_at,
            Enrolment.cohort_id,
        )
        .where(Enrolment.user_id.in_(ids))
        # The latest one wins; one withdrawn from only when there is no other.
        .order_by(
            case((Enrolment.status == EnrolmentStatus.WITHDRAWN, 0), else_=1),
            Enrolment.started_at,
            Enrolment.id,
        )
    ):
        row(enrolment.user_id, enrolment.level).update(
            enrolment_status=str(enrolment.status),
            started_at=enrolment.started_at,
            completed_at=enrolment.completed_at,
            cohort_id=enrolment.cohort_id,
        )
        if enrolment.level == LEVEL_ONE:
            level_one_enrolment[enrolment.user_id] = enrolment.id
    showing = {enrolment: person for person, enrolment in level_one_enrolment.items()}
    # Modules done in the enrolment the row shows (a graduate enrolled again starts over).
    for enrolment_id, count, latest in connection.execute(
        select(
            UnitProgress.enrolment_id,
            func.count().filter(UnitProgress.status == UnitStatus.COMPLETE),
            func.max(func.coalesce(UnitProgress.completed_at, UnitProgress.started_at)),
        )
        .where(UnitProgress.enrolment_id.in_(showing))
        .group_by(UnitProgress.enrolment_id)
    ):
        level_one = row(showing[enrolment_id], LEVEL_ONE)
        level_one["done"] = count
        _note_activity(level_one, latest)
    latest_group: dict[int, tuple[int, str]] = {}  # person -> (group id, level), any level
    for trainee_id, group_id, level in connection.execute(
        select(MentorGroupMember.trainee_id, MentorGroup.id, MentorGroup.level)
        .join(MentorGroup, MentorGroupMember.group_id == MentorGroup.id)
        .where(MentorGroupMember.trainee_id.in_(ids))
        .order_by(MentorGroup.id)
    ):
        row(trainee_id, level)["group_id"] = group_id  # the latest group at the level
        latest_group[trainee_id] = (group_id, level)
    bits = week_bits(curriculum)
    for trainee_id, level, count, mask, latest in connection.execute(
        signed_weeks(ids, bits).add_columns(func.max(WeekSignOff.signed_at))
    ):
        summary = row(trainee_id, level)
        summary["done"] = count
        summary["dealt_with"] |= int(mask or 0)
        _note_activity(summary, latest)
    for trainee_id, level, mask in connection.execute(written_weeks(ids, bits)):
        row(trainee_id, level)["dealt_with"] |= int(mask or 0)
    for trainee_id, level, latest in connection.execute(
        select(Reflection.trainee_id, Reflection.level, func.max(Reflection.saved_at))
        .where(Reflection.trainee_id.in_(ids))
        .group_by(Reflection.trainee_id, Reflection.level)
    ):
        _note_activity(row(trainee_id, level), latest)
    for user_id, level, minutes in connection.execute(
        select(MeetingAttendee.user_id, MentorGroup.level, func.sum(Meeting.minutes))
        .join(Meeting, MeetingAttendee.meeting_id == Meeting.id)
        .join(MentorGroup, Meeting.group_id == MentorGroup.id)
        .where(MeetingAttendee.user_id.in_(ids))
        .group_by(MeetingAttendee.user_id, MentorGroup.level)
    ):
        row(user_id, level)["meeting_minutes"] = int(minutes or 0)
    for trainee_id, level, issued_at in connection.execute(
        select(Certificate.trainee_id, Certificate.level, Certificate.issued_at).where(
            Certificate.trainee_id.in_(ids), Certificate.revoked_at.is_(None)
        )
    ):
        row(trainee_id, level)["certified_at"] = issued_at
    schedules = group_schedules(
        connection, {r["group_id"] for r in rows.values() if r["group_id"] is not None}
    )
    for summary in rows.values():
        summary["percent"] = (
            round(100 * summary["done"] / summary["total"]) if summary["total"] else 0
        )
        group = schedules.get(summary["group_id"])
        # Only someone still working through the level can fall behind in it (not a
        # person withdrawn from it, nor one who has finished it).
        active = summary["enrolment_status"] == EnrolmentStatus.ACTIVE
        if active and group is not None and curriculum.level(group.level) is not None:
            summary["behind_since"] = _first_due(group, summary["dealt_with"])
        current = latest_group.get(summary["trainee_id"], (None, LEVEL_ONE))[1]
        summary["current"] = summary["level"] == current
    return rows


def _empty(trainee_id: int, level: str, total: int) -> dict:
    return {
        "trainee_id": trainee_id,
        "level": level,
        "current": False,
        "group_id": None,
        "enrolment_status": None,
        "started_at": None,
        "completed_at": None,
        "cohort_id": None,
        "done": 0,
        "total": total,
        "percent": 0,
        "dealt_with": 0,
        "behind_since": None,
        "meeting_minutes": 0,
        "last_activity_at": None,
        "certified_at": None,
    }


def _note_activity(summary: dict, when: datetime | None) -> None:
    if when is not None and (
        summary["last_activity_at"] is None or when > summary["last_activity_at"]
    ):
        summary["last_activity_at"] = when


def _first_due(group: GroupSchedule, dealt_with: int) -> date | None:
    """When the earliest week not dealt with opens. A paused group's closed weeks do not
    count: they cannot fall due until it resumes (which rewrites the row)."""
    paused = group.paused_at is not None
    due = [
        item.opens_on
        for i, item in enumerate(scheduled_units(group))
        if not dealt_with & (1 << i) and (item.is_open or not paused)
    ]
    return min(due, default=None)


def overdue_weeks(group: GroupSchedule, dealt_with: int, today: date, days: int) -> list:
    """The group's weeks open ``days`` or more and not dealt with (units, in order)."""
    return [
        item.unit
        for i, item in enumerate(scheduled_units(group, today))
        if item.is_open and (today - item.opens_on).days >= days and not dealt_with & (1 << i)
    ]


def signed_weeks(trainees, bits: dict[str, int]) -> Select:
    """Per person and level: standing sign-offs, and their weeks as a bit set. Read
    from the index on (trainee_id, revoked_at, level, unit_slug) alone."""
    return (
        select(
            WeekSignOff.trainee_id,
            WeekSignOff.level,
            func.count(),
            func.sum(_bit_of(WeekSignOff.unit_slug, bits)),
        )
        .where(WeekSignOff.trainee_id.in_(trainees), WeekSignOff.revoked_at.is_(None))
        .group_by(WeekSignOff.trainee_id, WeekSignOff.level)
    )


def written_weeks(trainees, bits: dict[str, int]) -> Select:
    """Per person and level: the weeks with a reflection past draft, as a bit set. Read
    from the index on (trainee_id, status, level, unit_slug) alone."""
    return (
        select(
            Reflection.trainee_id, Reflection.level, func.sum(_bit_of(Reflection.unit_slug, bits))
        )
        .where(Reflection.trainee_id.in_(trainees), Reflection.status != ReflectionStatus.DRAFT)
        .group_by(Reflection.trainee_id, Reflection.level)
    )


def week_bits(curriculum) -> dict[str, int]:
    """Each mentored week's bit: 1 << its place in its level. Each table holds at most
    one standing row per person and week, so a SUM of distinct bits is their union."""
    return {
        unit.slug: 1 << i
        for level in curriculum.levels
        if level.slug != LEVEL_ONE
        for i, unit in enumerate(level.units)
    }


def _bit_of(column, bits: dict[str, int]):
    return case(bits, value=column, else_=0) if bits else literal(0)
