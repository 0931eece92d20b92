"""The curriculum as read-only objects, built once from content/ at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from markupsafe import Markup


class UnitKind(StrEnum):
    MODULE = "module"
    VIDEO_WEEK = "video_week"
    PRACTICE_WEEK = "practice_week"
    PREPARATION = "preparation"

    @property
    def is_week(self) -> bool:
        return self in (UnitKind.VIDEO_WEEK, UnitKind.PRACTICE_WEEK)


@dataclass(frozen=True)
class Video:
    slug: str
    title: str
    description: str
    duration_seconds: int
    captions: str
    file: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Handout:
    slug: str
    title: str
    summary: str
    html: Markup
    source: str


@dataclass(frozen=True)
class Unit:
    slug: str
    title: str
    kind: UnitKind
    order: int
    level: str
    summary: str
    html: Markup
    source: str
    week: int | None = None
    handouts: tuple[str, ...] = ()
    reflection_prompts: tuple[str, ...] = ()
    observe_prompts: tuple[str, ...] = ()
    focus: str | None = None
    videos: tuple[str, ...] = ()
    quiz: str | None = None


@dataclass(frozen=True)
class Level:
    slug: str
    number: int
    title: str
    summary: str
    requires: str | None = None
    invitation_only: bool = False
    units: tuple[Unit, ...] = ()


RUBRIC_SCORES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion for reviewing reflections; ``levels[n - 1]`` describes score n."""

    slug: str
    title: str
    question: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Curriculum:
    levels: tuple[Level, ...]
    handouts: dict[str, Handout] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    rubric: tuple[Criterion, ...] = ()

    def level(self, slug: str) -> Level | None:
        return next((level for level in self.levels if level.slug == slug), None)

    @cached_property
    def _units_by_slug(self) -> dict[str, Unit]:
        return {unit.slug: unit for level in self.levels for unit in level.units}

    def unit(self, slug: str) -> Unit | None:
        return self._units_by_slug.get(slug)

    def unit_for_quiz(self, quiz_slug: str) -> Unit | None:
        return next(
            (unit for level in self.levels for unit in level.units if unit.quiz == quiz_slug), None
        )

    def outline(self) -> dict:
        """Return the whole structure as plain data (for `content outline --json`)."""
        return {
            "levels": [
                {
                    "slug": level.slug,
                    "number": level.number,
                    "title": level.title,
                    "requires": level.requires,
                    "invitation_only": level.invitation_only,
                    "units": [_unit_outline(unit) for unit in level.units],
                }
                for level in self.levels
            ],
            "handouts": sorted(self.handouts),
            "videos": sorted(self.videos),
            "rubric": [criterion.slug for criterion in self.rubric],
        }


def _unit_outline(unit: Unit) -> dict:
    return {
        "slug": unit.slug,
        "title": unit.title,
        "kind": unit.kind.value,
        "order": unit.order,
        "week": unit.week,
        "handouts": list(unit.handouts),
        "videos": list(unit.videos),
        "quiz": unit.quiz,
        "focus": unit.focus,
        "observe_prompts": list(unit.observe_prompts),
        "reflection_prompts": list(unit.reflection_prompts),
    }
