"""The trainee's path: enrolment, unit progress, and when a level is complete."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from course.accounts.models import User
from course.curriculum.models import Level, Unit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.timeutil import utcnow
from quizzes.api import has_passed, has_revisits

# Level 1 is the self-paced workshop: opening a module enrols the trainee. Later
# levels are entered through a mentor group or an invitation.
SELF_ENROL_LEVELS = {"level-1"}
# Levels a workshop trainer signs off (course.workshops): their modules are the
# workshop's pre-work, and finishing them does not complete the level.
WORKSHOP_LEVELS = {"level-1"}


class LearningError(Exception):
    """A rule of the trainee's path was broken; the message says which, for people."""


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    status: UnitStatus


@dataclass(frozen=True)
class LevelProgress:
    level: Level
    enrolment: Enrolment | None
    rows: tuple[UnitRow, ...]
    lock_reason: str | None

    @property
    def done(self) -> int:
        return sum(row.status == UnitStatus.COMPLETE for row in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == EnrolmentStatus.COMPLETED

    @property
    def locked(self) -> bool:
        return self.lock_reason is not None


def current_enrolment(user: User, level_slug: str) -> Enrolment | None:
    """Return the user's active or completed enrolment in a level, if any."""
    return db.session.scalar(
        select(Enrolment)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.level == level_slug,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
        .order_by(Enrolment.started_at.desc())
        .limit(1)
    )


def current_enrolments(user: User) -> dict[str, Enrolment]:
    """The user's active or completed enrolment in each level, from one query (the
    latest per level, as :func:`current_enrolment` would find it)."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Enrolment.started_at, Enrolment.id)
    )
    return {enrolment.level: enrolment for enrolment in enrolments}  # the latest wins


def _enrolment_in(user: User, level_slug: str, enrolments: dict | None) -> Enrolment | None:
    if enrolments is None:
        return current_enrolment(user, level_slug)
    return enrolments.get(level_slug)


def has_completed_level(
    user: User, level_slug: str, enrolments: dict[str, Enrolment] | None = None
) -> bool:
    enrolment = _enrolment_in(user, level_slug, enrolments)
    return enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED


def level_lock_reason(
    user: User, level_slug: str, enrolments: dict[str, Enrolment] | None = None
) -> str | None:
    """Say why a level is closed to this user, or return None when it is open.

    ``enrolments`` (from :func:`current_enrolments`) saves a query per level looked at.
    """
    level = get_curriculum().level(level_slug)
    if level is None:
        return "This level does not exist."
    if level.requires and not has_completed_level(user, level.requires, enrolments):
        required = get_curriculum().level(level.requires)
        return f"{level.short_title} opens when you have completed {required.title}."
    if level.slug not in SELF_ENROL_LEVELS and _enrolment_in(user, level.slug, enrolments) is None:
        return f"You are not enrolled in {level.title} yet."
    return None


def enrol(user: User, level_slug: str, cohort=None) -> Enrolment:
    """Enrol the user in a level, or return the enrolment they already have."""
    enrolment = current_enrolment(user, level_slug)
    if enrolment is None:
        enrolment = Enrolment(user=user, level=level_slug, cohort=cohort)
        db.session.add(enrolment)
        db.session.commit()
    return enrolment


def level_progress(
    user: User,
    level: Level,
    enrolments: dict[str, Enrolment] | None = None,
    statuses: dict[int, dict[str, UnitStatus]] | None = None,
) -> LevelProgress:
    """Return the user's status for every unit of a level, in order.

    ``enrolments`` (level slug -> enrolment, as :func:`current_enrolments` gives) and
    ``statuses`` (enrolment id -> unit slug -> status) let a caller showing several
    levels query once for all of them.
    """
    if enrolments is None:
        enrolments = current_enrolments(user)
    enrolment = enrolments.get(level.slug)
    if statuses is None:
        unit_statuses = _statuses(enrolment)
    else:
        unit_statuses = statuses.get(enrolment.id, {}) if enrolment is not None else {}
    rows = tuple(
        UnitRow(unit, unit_statuses.get(unit.slug, UnitStatus.NOT_STARTED)) for unit in level.units
    )
    return LevelProgress(level, enrolment, rows, level_lock_reason(user, level.slug, enrolments))


def training_overview(user: User) -> list[LevelProgress]:
    """Return progress through every level, for the trainee's training page: one query
    (the enrolments with their units' statuses), however many levels, units and years."""
    found = db.session.execute(
        select(Enrolment, UnitProgress.unit_slug, UnitProgress.status)
        .outerjoin(UnitProgress, UnitProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Enrolment.started_at, Enrolment.id)
    )
    enrolments: dict[str, Enrolment] = {}
    statuses: dict[int, dict[str, UnitStatus]] = {}
    for enrolment, slug, status in found:
        enrolments[enrolment.level] = enrolment  # the latest per level wins
        if slug is not None:
            statuses.setdefault(enrolment.id, {})[slug] = UnitStatus(status)
    return [level_progress(user, level, enrolments, statuses) for level in get_curriculum().levels]


def record_visit(user: User, unit: Unit) -> UnitStatus:
    """Note that the trainee opened a unit: it becomes in progress unless already done.

    A repeat visit reads the enrolment and the unit's progress in one query and writes
    nothing."""
    enrolment, progress = _enrolment_and_progress(user, unit)
    if enrolment is None:
        enrolment = _new_enrolment(user, unit)
    if progress is None:
        db.session.add(UnitProgress(enrolment=enrolment, unit_slug=unit.slug))
        db.session.commit()
        return UnitStatus.IN_PROGRESS
    return UnitStatus(progress.status)


# Built once, with bound parameters: a module page asks this on every view, and building
# the statement cost about as much as running it.
_ENROLMENT_AND_PROGRESS = (
    select(Enrolment, UnitProgress)
    .outerjoin(
        UnitProgress,
        (UnitProgress.enrolment_id == Enrolment.id)
        & (UnitProgress.unit_slug == bindparam("unit_slug")),
    )
    .where(
        Enrolment.user_id == bindparam("user_id"),
        Enrolment.level == bindparam("level"),
        Enrolment.status != EnrolmentStatus.WITHDRAWN,
    )
    .order_by(Enrolment.started_at.desc())
    .limit(1)
)


def _enrolment_and_progress(user: User, unit: Unit) -> tuple[Enrolment | None, UnitProgress | None]:
    """The user's current enrolment in the unit's level and their progress on the unit
    (either may be None), from one query."""
    found = db.session.execute(
        _ENROLMENT_AND_PROGRESS,
        {"unit_slug": unit.slug, "user_id": user.id, "level": unit.level},
    ).first()
    return (found[0], found[1]) if found else (None, None)


def unit_status(user: User, unit: Unit) -> UnitStatus:
    enrolment = current_enrolment(user, unit.level)
    return _statuses(enrolment).get(unit.slug, UnitStatus.NOT_STARTED)


def unmet_requirements(user: User, unit: Unit) -> list[str]:
    """List what still stands between the trainee and completing a unit.

    This is the one place completion rules gather.
    """
    unmet = []
    if unit.quiz and has_revisits(user.id, unit.quiz):
        unmet.append(
            "Your trainer asked you to look again at an answer in this module's quiz: "
            "the module is complete once you have answered it again."
        )
    elif unit.quiz and not has_passed(user.id, unit.quiz):
        unmet.append("Pass this module's quiz first: the module is complete when you pass it.")
    return unmet


def complete_unit_of_passed_quiz(app, user_id: int, quiz_slug: str, **extra) -> None:
    """Complete the unit whose quiz was just passed (subscribed to ``quiz_passed``)."""
    unit = get_curriculum().unit_for_quiz(quiz_slug)
    user = db.session.get(User, user_id)
    if unit is not None and user is not None:
        mark_unit_complete(user, unit)


def reopen_unit_of_quiz(app, user_id: int, quiz_slug: str, **extra) -> None:
    """A trainer asked for an open answer again: the module is not done until the
    trainee answers it (subscribed to ``quiz_reopened``). The level's enrolment stays
    as it is, so a later level already begun is not taken away."""
    unit = get_curriculum().unit_for_quiz(quiz_slug)
    user = db.session.get(User, user_id)
    if unit is None or user is None:
        return
    _, progress = _enrolment_and_progress(user, unit)
    if progress is not None and progress.status == UnitStatus.COMPLETE:
        progress.status = UnitStatus.IN_PROGRESS
        progress.completed_at = None
        db.session.commit()


def mark_unit_complete(user: User, unit: Unit) -> LevelProgress:
    """Mark a unit complete and, when it was the last one, complete the level.

    :raise LearningError: when a requirement of the unit is not met.
    """
    unmet = unmet_requirements(user, unit)
    if unmet:
        raise LearningError(" ".join(unmet))
    enrolment, progress = _enrolment_and_progress(user, unit)
    if enrolment is None:
        enrolment = _new_enrolment(user, unit)
    if progress is None:
        progress = UnitProgress(enrolment=enrolment, unit_slug=unit.slug)
        db.session.add(progress)
    if progress.status != UnitStatus.COMPLETE:
        progress.status = UnitStatus.COMPLETE
        progress.completed_at = utcnow()
    db.session.flush()
    level = get_curriculum().level(unit.level)
    if (
        level.slug not in WORKSHOP_LEVELS
        and enrolment.status == EnrolmentStatus.ACTIVE
        and level_progress(user, level).done == len(level.units)
    ):
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = utcnow()
    db.session.commit()
    return level_progress(user, level)


def _new_enrolment(user: User, unit: Unit) -> Enrolment:
    """Enrol the user in the unit's level on their first visit (self-enrolled levels only).

    :raise LearningError: for a level entered through a mentor group or an invitation.
    """
    if unit.level not in SELF_ENROL_LEVELS:
        raise LearningError("You are not enrolled in this level.")
    enrolment = Enrolment(user=user, level=unit.level)
    db.session.add(enrolment)
    return enrolment


def _statuses(enrolment: Enrolment | None) -> dict[str, UnitStatus]:
    if enrolment is None or enrolment.id is None:
        return {}
    rows = db.session.execute(
        select(UnitProgress.unit_slug, UnitProgress.status).where(
            UnitProgress.enrolment_id == enrolment.id
        )
    )
    return {slug: UnitStatus(status) for slug, status in rows}
