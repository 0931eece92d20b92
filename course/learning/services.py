"""The trainee's path: enrolment, unit progress, and when a level is complete."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from course.accounts.models import User
from course.curriculum.models import Level, Unit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.timeutil import utcnow
from quizzes.api import has_passed

# Level 1 is the self-paced workshop: opening a module enrols the trainee. Later
# levels are entered through a mentor group or an invitation.
SELF_ENROL_LEVELS = {"level-1"}


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


def has_completed_level(user: User, level_slug: str) -> bool:
    enrolment = current_enrolment(user, level_slug)
    return enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED


def level_lock_reason(user: User, level_slug: str) -> str | None:
    """Say why a level is closed to this user, or return None when it is open."""
    level = get_curriculum().level(level_slug)
    if level is None:
        return "This level does not exist."
    if level.requires and not has_completed_level(user, level.requires):
        required = get_curriculum().level(level.requires)
        return f"{level.title.split(':')[0]} opens when you have completed {required.title}."
    if level.slug not in SELF_ENROL_LEVELS and current_enrolment(user, level.slug) is None:
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


def level_progress(user: User, level: Level) -> LevelProgress:
    """Return the user's status for every unit of a level, in order."""
    enrolment = current_enrolment(user, level.slug)
    statuses = _statuses(enrolment)
    rows = tuple(
        UnitRow(unit, statuses.get(unit.slug, UnitStatus.NOT_STARTED)) for unit in level.units
    )
    return LevelProgress(level, enrolment, rows, level_lock_reason(user, level.slug))


def training_overview(user: User) -> list[LevelProgress]:
    """Return progress through every level, for the trainee's training page."""
    return [level_progress(user, level) for level in get_curriculum().levels]


def record_visit(user: User, unit: Unit) -> UnitStatus:
    """Note that the trainee opened a unit: it becomes in progress unless already done."""
    enrolment = _enrolment_for_unit(user, unit)
    progress = _unit_progress(enrolment, unit.slug)
    if progress is None:
        db.session.add(UnitProgress(enrolment=enrolment, unit_slug=unit.slug))
        db.session.commit()
        return UnitStatus.IN_PROGRESS
    return UnitStatus(progress.status)


def unit_status(user: User, unit: Unit) -> UnitStatus:
    enrolment = current_enrolment(user, unit.level)
    return _statuses(enrolment).get(unit.slug, UnitStatus.NOT_STARTED)


def unmet_requirements(user: User, unit: Unit) -> list[str]:
    """List what still stands between the trainee and completing a unit.

    This is the one place completion rules gather.
    """
    unmet = []
    if unit.quiz and not has_passed(user.id, unit.quiz):
        unmet.append("Pass this module's quiz first: the module is complete when you pass it.")
    return unmet


def complete_unit_of_passed_quiz(app, user_id: int, quiz_slug: str, **extra) -> None:
    """Complete the unit whose quiz was just passed (subscribed to ``quiz_passed``)."""
    unit = get_curriculum().unit_for_quiz(quiz_slug)
    user = db.session.get(User, user_id)
    if unit is not None and user is not None:
        mark_unit_complete(user, unit)


def mark_unit_complete(user: User, unit: Unit) -> LevelProgress:
    """Mark a unit complete and, when it was the last one, complete the level.

    :raise LearningError: when a requirement of the unit is not met.
    """
    unmet = unmet_requirements(user, unit)
    if unmet:
        raise LearningError(" ".join(unmet))
    enrolment = _enrolment_for_unit(user, unit)
    progress = _unit_progress(enrolment, unit.slug)
    if progress is None:
        progress = UnitProgress(enrolment=enrolment, unit_slug=unit.slug)
        db.session.add(progress)
    if progress.status != UnitStatus.COMPLETE:
        progress.status = UnitStatus.COMPLETE
        progress.completed_at = utcnow()
    db.session.flush()
    level = get_curriculum().level(unit.level)
    if enrolment.status == EnrolmentStatus.ACTIVE and level_progress(user, level).done == len(
        level.units
    ):
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = utcnow()
    db.session.commit()
    return level_progress(user, level)


def _enrolment_for_unit(user: User, unit: Unit) -> Enrolment:
    enrolment = current_enrolment(user, unit.level)
    if enrolment is None:
        if unit.level not in SELF_ENROL_LEVELS:
            raise LearningError("You are not enrolled in this level.")
        enrolment = Enrolment(user=user, level=unit.level)
        db.session.add(enrolment)
    return enrolment


def _unit_progress(enrolment: Enrolment, unit_slug: str) -> UnitProgress | None:
    if enrolment.id is None:
        return None
    return db.session.scalar(
        select(UnitProgress).where(
            UnitProgress.enrolment_id == enrolment.id, UnitProgress.unit_slug == unit_slug
        )
    )


def _statuses(enrolment: Enrolment | None) -> dict[str, UnitStatus]:
    if enrolment is None or enrolment.id is None:
        return {}
    rows = db.session.execute(
        select(UnitProgress.unit_slug, UnitProgress.status).where(
            UnitProgress.enrolment_id == enrolment.id
        )
    )
    return {slug: UnitStatus(status) for slug, status in rows}
