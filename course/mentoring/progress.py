"""Where each trainee of a group stands, week by week (a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from course.curriculum.models import Unit
from course.mentoring.models import MentorGroup, WeekSignOff
from course.mentoring.services import scheduled_units
from course.mentoring.signoffs import standing_sign_offs
from course.reflections.models import Reflection
from course.reflections.services import reflections_of_group


class WeekStatus(StrEnum):
    LOCKED = "locked"
    OPEN = "open"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    SIGNED_OFF = "signed_off"

    @property
    def label(self) -> str:
        return {"signed_off": "Signed off", "returned": "Returned for revision"}.get(
            self.value, self.value.capitalize()
        )

    @property
    def next_step(self) -> str:
        """What the trainee does next, in words."""
        return {
            "locked": "Opens on its date.",
            "open": "Watch, then write your reflection.",
            "draft": "Finish and submit your reflection.",
            "submitted": "Waiting for your mentor's review.",
            "returned": "Revise your reflection and submit it again.",
            "accepted": "Meet with your mentor; then the week is signed off.",
            "signed_off": "Done.",
        }[self.value]


@dataclass(frozen=True)
class WeekRow:
    unit: Unit
    opens_on: date
    status: WeekStatus
    reflection: Reflection | None
    sign_off: WeekSignOff | None


def group_progress(group: MentorGroup, today: date | None = None) -> dict[int, list[WeekRow]]:
    """Return, for each trainee of the group, a row per unit of the level."""
    schedule = scheduled_units(group, today)
    reflections = reflections_of_group(group)
    sign_offs = standing_sign_offs(group.trainee_ids, group.level)
    progress = {}
    for trainee_id in sorted(group.trainee_ids):
        rows = []
        for item in schedule:
            key = (trainee_id, item.unit.slug)
            reflection, sign_off = reflections.get(key), sign_offs.get(key)
            rows.append(
                WeekRow(
                    item.unit,
                    item.opens_on,
                    _status(item.is_open, reflection, sign_off),
                    reflection,
                    sign_off,
                )
            )
        progress[trainee_id] = rows
    return progress


def _status(
    is_open: bool, reflection: Reflection | None, sign_off: WeekSignOff | None
) -> WeekStatus:
    if sign_off is not None:
        return WeekStatus.SIGNED_OFF
    if reflection is not None:
        return WeekStatus(reflection.status)
    return WeekStatus.OPEN if is_open else WeekStatus.LOCKED


@dataclass(frozen=True)
class TraineeWeek:
    """A trainee's view of one week: their row, and their partner's shared reflection."""

    group: MentorGroup | None
    row: WeekRow | None
    partner_reflection: Reflection | None

    @property
    def lock_reason(self) -> str | None:
        if self.group is None or self.row is None:
            return "You are not in a mentor group for this level yet."
        if self.row.status == WeekStatus.LOCKED:
            return f"This week opens on {self.row.opens_on:%-d %B %Y}."
        return None


def trainee_week(trainee, unit: Unit, today: date | None = None) -> TraineeWeek:
    """Return where the trainee stands on a week of their mentored level."""
    from course.mentoring.services import group_of_trainee, partner_of
    from course.reflections.models import ReflectionStatus

    group = group_of_trainee(trainee, unit.level)
    if group is None:
        return TraineeWeek(None, None, None)
    rows = group_progress(group, today)
    row = next((r for r in rows[trainee.id] if r.unit.slug == unit.slug), None)
    partner = partner_of(group, trainee)
    partner_reflection = None
    if partner is not None and group.share_reflections:
        partner_row = next(r for r in rows[partner.id] if r.unit.slug == unit.slug)
        shared = partner_row.reflection
        if shared is not None and shared.status != ReflectionStatus.DRAFT:
            partner_reflection = shared
    return TraineeWeek(group, row, partner_reflection)


@dataclass(frozen=True)
class LevelOverview:
    group: MentorGroup | None
    rows: list[WeekRow]
    partner: object | None  # the pair partner (a User), if any

    @property
    def signed_off(self) -> int:
        return sum(row.status == WeekStatus.SIGNED_OFF for row in self.rows)

    @property
    def next_row(self) -> WeekRow | None:
        """The first week that asks something of the trainee."""
        waiting = (WeekStatus.OPEN, WeekStatus.DRAFT, WeekStatus.RETURNED)
        return next((row for row in self.rows if row.status in waiting), None)


def mentored_level_overview(trainee, level, today: date | None = None) -> LevelOverview:
    from course.mentoring.services import group_of_trainee, partner_of

    group = group_of_trainee(trainee, level.slug)
    if group is None:
        return LevelOverview(None, [], None)
    return LevelOverview(
        group, group_progress(group, today)[trainee.id], partner_of(group, trainee)
    )
