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
    """A practice film the site ships (content/videos.yaml), copied into the film
    catalogue by ``flask course practice-films``; the center's licensed films
    are uploaded to the catalogue from the site instead."""

    slug: str
    title: str
    description: str
    duration_seconds: int
    captions: dict[str, str]  # language code -> WebVTT file under content/
    units: tuple[str, ...] = ()
    guide: str = ""
    file: str | None = None


# Who a handout is written for; the library groups and labels them by these.
HANDOUT_AUDIENCES = {
    "parents": "For parents",
    "child-care": "For child-care providers",
    "providers": "Practice tools for providers",
}
HANDOUT_AGES = {"infants": "Infants (birth to 12 months)", "toddlers": "Toddlers (1 to 3 years)"}
HANDOUT_LANGUAGES = {"en": "English", "es": "Español"}


@dataclass(frozen=True)
class HandoutText:
    """A handout in one language."""

    language: str
    title: str
    summary: str
    html: Markup
    source: str


@dataclass(frozen=True)
class Handout:
    slug: str
    title: str
    summary: str
    html: Markup
    source: str
    topic: str = ""
    ages: tuple[str, ...] = ()
    audience: str = "parents"
    variant_of: str | None = None
    translations: dict[str, HandoutText] = field(default_factory=dict)

    def text(self, language: str | None) -> HandoutText:
        """The handout in ``language`` when written in it, else in English."""
        english = HandoutText("en", self.title, self.summary, self.html, self.source)
        return self.translations.get(language or "en", english)

    @property
    def languages(self) -> tuple[str, ...]:
        return ("en", *sorted(self.translations))


@dataclass(frozen=True)
class ObservePrompt:
    """A "What do you observe?" prompt, with notes for the mentor only."""

    text: str
    answers_may_include: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


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
    observe_prompts: tuple[ObservePrompt, ...] = ()
    focus: str | None = None
    film_brief: str | None = None  # what kind of film the week needs (for the site admin)
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

    @property
    def short_title(self) -> str:
        """ "Level 2" of "Level 2: Skill Building"."""
        return self.title.split(":")[0]


RUBRIC_SCORES = (1, 2, 3, 4)
NOT_APPLICABLE = "na"  # stored in a review's scores where a criterion does not apply


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion for reviewing reflections; ``levels[n - 1]`` describes score n."""

    slug: str
    title: str
    question: str
    levels: tuple[str, ...]
    not_applicable_in: frozenset[UnitKind] = frozenset()
    examples: tuple[ScoredExample, ...] = ()

    def allows_not_applicable(self, kind: UnitKind) -> bool:
        return kind in self.not_applicable_in


@dataclass(frozen=True)
class ScoredExample:
    """An excerpt scored against one criterion, for calibrating mentors."""

    score: int
    excerpt: str
    why: str


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

    def units_with_films(self) -> list[Unit]:
        """The film weeks, in course order: each needs films in the catalogue."""
        return [unit for level in self.levels for unit in level.units if unit.film_brief]

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
                    "units": [_unit_outline(unit, self.videos) for unit in level.units],
                }
                for level in self.levels
            ],
            "handouts": sorted(self.handouts),
            "videos": sorted(self.videos),
            "rubric": [criterion.slug for criterion in self.rubric],
        }


def _unit_outline(unit: Unit, videos: dict[str, Video]) -> dict:
    return {
        "slug": unit.slug,
        "title": unit.title,
        "kind": unit.kind.value,
        "order": unit.order,
        "week": unit.week,
        "handouts": list(unit.handouts),
        "quiz": unit.quiz,
        "focus": unit.focus,
        "film_brief": unit.film_brief,
        "practice_films": sorted(
            slug for slug, video in videos.items() if unit.slug in video.units
        ),
        "observe_prompts": [prompt.text for prompt in unit.observe_prompts],
        "reflection_prompts": list(unit.reflection_prompts),
    }
