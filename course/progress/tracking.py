"""Keep the summary rows in step with the events that change them.

After every flush, the people whose enrolments, modules, groups, week openings,
reflections, sign-offs, meetings or certificates were added, changed or deleted get
their rows rewritten from the source rows, in the same transaction: a sign-off and the
dashboard figure it changes commit (or roll back) together. ``rebuild`` rewrites
everyone's rows (after a content change adds or removes weeks, or to check drift).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain

from sqlalchemy import Connection, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from course.accounts.models import User
from course.learning.models import Enrolment, UnitProgress
from course.mentoring.models import (
    Certificate,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekOpening,
    WeekSignOff,
)
from course.progress.models import LevelProgress
from course.progress.summary import summarize
from course.reflections.models import Reflection, ReflectionStatus

REBUILD_BATCH = 500  # people rewritten per statement batch by ``rebuild``


def start_tracking() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _after_flush(session: Session, flush_context) -> None:
    changed = [
        obj
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, _SOURCES)
    ]
    if not changed:
        return
    # A draft saved again (the autosave, every pause in typing) changes only when the
    # person was last active: one UPDATE rather than a whole refresh.
    dirty = session.dirty  # built afresh on each access: once, not once per object
    drafts = [obj for obj in changed if _draft_saved_again(obj) and obj in dirty]
    connection = session.connection(bind_arguments={"mapper": inspect(LevelProgress)})
    trainee_ids = _people_touched(connection, [obj for obj in changed if obj not in drafts])
    if trainee_ids:
        refresh(connection, trainee_ids)
    for draft in drafts:
        if draft.trainee_id not in trainee_ids:
            _note_activity(connection, draft.trainee_id, draft.level, draft.saved_at)


_SOURCES = (
    Enrolment,
    UnitProgress,
    MentorGroup,
    MentorGroupMember,
    WeekOpening,
    Reflection,
    WeekSignOff,
    Meeting,
    MeetingAttendee,
    Certificate,
)


def _draft_saved_again(obj) -> bool:
    if not isinstance(obj, Reflection) or obj.status != ReflectionStatus.DRAFT:
        return False
    state = inspect(obj)
    return not any(
        state.attrs[name].history.has_changes()
        for name in ("status", "trainee_id", "level", "unit_slug", "group_id")
    )


def _note_activity(connection: Connection, trainee_id: int, level: str, when) -> None:
    row = (LevelProgress.trainee_id == trainee_id) & (LevelProgress.level == level)
    later = LevelProgress.last_activity_at.is_(None) | (LevelProgress.last_activity_at < when)
    connection.execute(update(LevelProgress).where(row, later).values(last_activity_at=when))


def _people_touched(connection: Connection, objects: Iterable) -> set[int]:
    people: set[int | None] = set()
    enrolments, groups, meetings = set(), set(), set()
    for obj in objects:
        match obj:
            case Reflection() | WeekSignOff() | Certificate() | MentorGroupMember():
                people.add(obj.trainee_id)
            case Enrolment() | MeetingAttendee():
                people.add(obj.user_id)
            case UnitProgress():
                enrolments.add(obj.enrolment_id)
            case MentorGroup():
                groups.add(obj.id)
                people.update(_in_collection(obj, "members", "trainee_id"))
            case WeekOpening():
                groups.add(obj.group_id)
            case Meeting():
                meetings.add(obj.id)
                people.update(_in_collection(obj, "attendees", "user_id"))
    if enrolments:
        people.update(
            connection.scalars(select(Enrolment.user_id).where(Enrolment.id.in_(enrolments)))
        )
    if groups:
        people.update(
            connection.scalars(
                select(MentorGroupMember.trainee_id).where(MentorGroupMember.group_id.in_(groups))
            )
        )
    if meetings:
        people.update(
            connection.scalars(
                select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id.in_(meetings))
            )
        )
    people.discard(None)
    return people  # type: ignore[return-value]


def _in_collection(obj, name: str, attribute: str) -> set[int]:
    """The people in a collection as it was before the flush and after it: one taken out
    is deleted as an orphan inside the flush, so it never shows in ``session.deleted``."""
    added, unchanged, deleted = inspect(obj).attrs[name].history
    return {getattr(item, attribute) for item in (*added, *unchanged, *deleted)}


def refresh(connection: Connection, trainee_ids: Collection[int]) -> None:
    """Rewrite these people's rows from the source rows.

    Their user rows are locked first (PostgreSQL; SQLite has one writer anyway), so two
    transactions touching one person take turns, and the second reads what the first
    committed rather than writing rows computed without it."""
    ids = sorted(trainee_ids)
    connection.execute(
        select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update(key_share=True)
    )
    rows = summarize(connection, ids)
    connection.execute(delete(LevelProgress).where(LevelProgress.trainee_id.in_(ids)))
    if rows:
        connection.execute(insert(LevelProgress), list(rows.values()))


def rebuild(session: Session) -> int:
    """Rewrite everyone's rows from the source rows; return how many people have rows.

    Commits once per batch of people, so a large site is never locked whole."""
    connection = session.connection(bind_arguments={"mapper": inspect(LevelProgress)})
    everyone = list(connection.scalars(select(User.id).order_by(User.id)))
    for start in range(0, len(everyone), REBUILD_BATCH):
        refresh(connection, everyone[start : start + REBUILD_BATCH])
        session.commit()
        connection = session.connection(bind_arguments={"mapper": inspect(LevelProgress)})
    return session.scalar(select(func.count(LevelProgress.trainee_id.distinct())))
