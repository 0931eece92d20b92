"""The question types, registered by name in QUESTION_TYPES.

Each type is a frozen dataclass built from a quiz file by ``parse``, and shares one
contract: ``template`` renders it, ``response_from_form`` reads a submitted form into
JSON-able data, ``is_answered`` says whether anything was given, and ``grade`` returns
a Grade (score 0..1, or None for unscored types) with per-part feedback.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar

DOMAINS = {
    "perceptual-motor-physical": "Perceptual, Motor and Physical",
    "social-emotional": "Social and Emotional",
    "cognition-general-knowledge": "Cognition and General Knowledge",
    "approaches-to-learning": "Approaches to Learning",
    "language-literacy": "Language and Literacy",
}
STANCES = {
    "description": "Objective description",
    "interpretation": "Interpretation",
    "judgement": "Judgement",
    "advice": "Advice",
}


MAX_OPEN_CHARS = 5000  # an open answer: a few paragraphs at most


class ParseProblem(Exception):
    """A question in a quiz file is malformed; the message says how."""


@dataclass(frozen=True)
class Grade:
    score: float | None  # share of the question got right, 0..1; None when unscored
    details: Any = None  # what the feedback template shows


def _is_index(value: str) -> bool:
    """True for a plain ASCII whole number (str.isdigit also accepts '²')."""
    return value.isascii() and value.isdigit()


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ParseProblem(f"needs '{key}' (text)")
    return value.strip()


def _list(data: dict, key: str, minimum: int = 1) -> list:
    value = data.get(key)
    if not isinstance(value, list) or len(value) < minimum:
        raise ParseProblem(
            f"needs '{key}' with at least {minimum} entr{'y' if minimum == 1 else 'ies'}"
        )
    for entry in value:
        if not isinstance(entry, dict):
            raise ParseProblem(f"each entry of '{key}' must be a mapping")
    return value


def _check_keys(data: dict, allowed: set[str], where: str = "") -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ParseProblem(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}{where}"
        )


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    type_name: ClassVar[str]
    scored: ClassVar[bool] = True
    is_open: ClassVar[bool] = False  # open answers go to the trainee's trainer to read
    fields: ClassVar[set[str]] = {"id", "type", "prompt"}

    def merge(self, saved: dict, given: dict) -> dict:
        """The response to keep when a form is saved over ``saved``."""
        return given

    @property
    def template(self) -> str:
        return f"quizzes/questions/{self.type_name}.html"

    def field_name(self, *parts: object) -> str:
        return "-".join(["q", self.id, *map(str, parts)])


@dataclass(frozen=True)
class ObservationPart:
    prompt: str
    model_answers: tuple[str, ...]


@dataclass(frozen=True)
class VideoClip:
    slug: str
    start: int = 0
    end: int | None = None


@dataclass(frozen=True)
class ObservationQuestion(Question):
    """Context (and a clip), then open questions answered in the trainee's own words.

    Never scored: matching words cannot tell an observation from a list of cue words.
    The trainee locks each answer, then ticks the model points it covered and may add
    what they missed; a trainer reads it. The response holds ``parts`` (the text),
    ``locked``, ``covered`` (["part-point", ...]), ``missed`` and ``checked``.
    """

    scenario: str = ""
    parts: tuple[ObservationPart, ...] = ()
    video: VideoClip | None = None
    type_name: ClassVar[str] = "observation"
    scored: ClassVar[bool] = False
    is_open: ClassVar[bool] = True
    fields: ClassVar[set[str]] = {"id", "type", "scenario", "parts", "video", "prompt"}

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> ObservationQuestion:
        parts = []
        for n, part in enumerate(_list(data, "parts"), 1):
            _check_keys(part, {"prompt", "model_answers"}, f" in part {n}")
            answers = []
            for m, answer in enumerate(_list(part, "model_answers"), 1):
                _check_keys(answer, {"text"}, f" in part {n}, model answer {m}")
                answers.append(_text(answer, "text"))
            parts.append(ObservationPart(_text(part, "prompt"), tuple(answers)))
        return cls(
            id=data["id"],
            prompt=data.get("prompt") or "What do you observe?",
            scenario=_text(data, "scenario"),
            parts=tuple(parts),
            video=_clip(data.get("video"), video_slugs),
        )

    def point_keys(self) -> list[str]:
        return [
            f"{n}-{m}" for n, part in enumerate(self.parts) for m in range(len(part.model_answers))
        ]

    def response_from_form(self, form) -> dict:
        keys = set(self.point_keys())
        return {
            "parts": [
                form.get(self.field_name("part", n), "").strip()[:MAX_OPEN_CHARS]
                for n in range(len(self.parts))
            ],
            "covered": sorted(
                k for k in set(form.getlist(self.field_name("covered"))) if k in keys
            ),
            "missed": form.get(self.field_name("missed"), "").strip()[:MAX_OPEN_CHARS],
            "checked": form.get(self.field_name("checked")) == "yes",
        }

    def merge(self, saved: dict, given: dict) -> dict:
        """Once locked, the answer's text stays as written; only the self-check changes."""
        if not saved.get("locked"):
            return {"parts": given.get("parts", []), "locked": False}
        return {
            **saved,
            "covered": given.get("covered", []),
            "missed": given.get("missed", ""),
            "checked": bool(given.get("checked")),
        }

    def is_answered(self, response: dict) -> bool:
        """Done when locked in the trainee's own words and compared with the model points."""
        return bool(response.get("locked") and response.get("checked"))

    def model_response(self, correct: bool = True) -> dict:
        """What a trainee who wrote, locked and self-checked each part would have saved."""
        texts = (
            "The baby turned her head away and the mother waited until she looked back."
            if correct
            else "They spent some time together."
        )
        return {
            "parts": [texts for _ in self.parts],
            "locked": True,
            "covered": self.point_keys()[:1] if correct else [],
            "missed": "",
            "checked": True,
        }

    def grade(self, response: dict) -> Grade:
        return Grade(score=None, details={"covered": set(response.get("covered") or [])})


def _clip(data, video_slugs: frozenset[str]) -> VideoClip | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("slug"), str):
        raise ParseProblem("'video' needs a 'slug' from videos.yaml (and optional start, end)")
    _check_keys(data, {"slug", "start", "end"}, " in video")
    if video_slugs is not None and data["slug"] not in video_slugs:
        raise ParseProblem(f"unknown video '{data['slug']}'")
    start, end = data.get("start", 0), data.get("end")
    if not isinstance(start, int) or (
        end is not None and (not isinstance(end, int) or end <= start)
    ):
        raise ParseProblem("video start and end must be whole seconds, with end after start")
    return VideoClip(data["slug"], start, end)


@dataclass(frozen=True)
class SortItem:
    text: str
    answer: frozenset[str]
    explanation: str


@dataclass(frozen=True)
class _SortQuestion(Question):
    choices: ClassVar[dict[str, str]] = {}

    def labels(self, values) -> str:
        """Name the chosen values for people ("Social and Emotional, ...")."""
        if isinstance(values, str):
            values = [values]
        return ", ".join(self.choices[v] for v in sorted(values or []) if v in self.choices)


@dataclass(frozen=True)
class DomainSortQuestion(_SortQuestion):
    """Observations of a child to place in one or more developmental domains."""

    items: tuple[SortItem, ...] = ()
    choices: ClassVar[dict[str, str]] = DOMAINS
    type_name: ClassVar[str] = "domain_sort"
    fields: ClassVar[set[str]] = {"id", "type", "prompt", "items"}

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> DomainSortQuestion:
        items = []
        for n, item in enumerate(_list(data, "items"), 1):
            _check_keys(item, {"text", "domains", "explanation"}, f" in item {n}")
            domains = item.get("domains")
            if not isinstance(domains, list) or not domains:
                raise ParseProblem(f"item {n} needs 'domains' (a list)")
            unknown = [d for d in domains if d not in DOMAINS]
            if unknown:
                raise ParseProblem(
                    f"item {n}: unknown domain '{unknown[0]}' (one of: {', '.join(DOMAINS)})"
                )
            items.append(
                SortItem(_text(item, "text"), frozenset(domains), _text(item, "explanation"))
            )
        return cls(id=data["id"], prompt=_text(data, "prompt"), items=tuple(items))

    def response_from_form(self, form) -> dict:
        return {
            "items": [
                [d for d in form.getlist(self.field_name("item", n)) if d in DOMAINS]
                for n in range(len(self.items))
            ]
        }

    def is_answered(self, response: dict) -> bool:
        return any(response.get("items") or [])

    def model_response(self, correct: bool = True) -> dict:
        wrong = ["approaches-to-learning"]
        return {"items": [sorted(item.answer) if correct else wrong for item in self.items]}

    def grade(self, response: dict) -> Grade:
        """Credit per item: the share of the domains named that are right (overlap over
        union), so a multi-domain item earns part credit and ticking every box does not."""
        given = (response.get("items") or []) + [[]] * len(self.items)
        credit = [_overlap(set(given[n]), item.answer) for n, item in enumerate(self.items)]
        right = [c == 1 for c in credit]
        return Grade(
            score=sum(credit) / len(credit),
            details={"right": right, "given": given, "credit": credit},
        )


def _overlap(given: set[str], answer: frozenset[str]) -> float:
    return len(given & answer) / len(given | answer) if given else 0.0


@dataclass(frozen=True)
class DescribeInterpretQuestion(_SortQuestion):
    """Remarks to classify as description, interpretation, judgement or advice."""

    statements: tuple[SortItem, ...] = ()
    choices: ClassVar[dict[str, str]] = STANCES
    type_name: ClassVar[str] = "describe_interpret"
    fields: ClassVar[set[str]] = {"id", "type", "prompt", "statements"}

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> DescribeInterpretQuestion:
        statements = []
        for n, item in enumerate(_list(data, "statements"), 1):
            _check_keys(item, {"text", "answer", "explanation"}, f" in statement {n}")
            if not isinstance(item.get("answer"), str) or item["answer"] not in STANCES:
                raise ParseProblem(f"statement {n}: answer must be one of {', '.join(STANCES)}")
            statements.append(
                SortItem(
                    _text(item, "text"), frozenset([item["answer"]]), _text(item, "explanation")
                )
            )
        return cls(id=data["id"], prompt=_text(data, "prompt"), statements=tuple(statements))

    def response_from_form(self, form) -> dict:
        values = [form.get(self.field_name("stmt", n)) for n in range(len(self.statements))]
        return {"statements": [v if v in STANCES else None for v in values]}

    def is_answered(self, response: dict) -> bool:
        return any(response.get("statements") or [])

    def model_response(self, correct: bool = True) -> dict:
        return {
            "statements": [
                next(iter(s.answer)) if correct else "judgement" for s in self.statements
            ]
        }

    def grade(self, response: dict) -> Grade:
        given = (response.get("statements") or []) + [None] * len(self.statements)
        right = [given[n] in s.answer for n, s in enumerate(self.statements)]
        return Grade(score=sum(right) / len(right), details={"right": right, "given": given})


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ChoiceQuestion(Question):
    """Single or multiple choice, with feedback for every option."""

    options: tuple[Option, ...] = ()
    multiple: bool = False
    type_name: ClassVar[str] = "choice"
    fields: ClassVar[set[str]] = {"id", "type", "prompt", "options", "multiple"}

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> ChoiceQuestion:
        options = []
        for n, option in enumerate(_list(data, "options", minimum=2), 1):
            _check_keys(option, {"text", "correct", "feedback"}, f" in option {n}")
            if not isinstance(option.get("correct"), bool):
                raise ParseProblem(f"option {n} needs 'correct: true' or 'correct: false'")
            options.append(
                Option(_text(option, "text"), option["correct"], _text(option, "feedback"))
            )
        multiple = data.get("multiple", False)
        correct = sum(o.correct for o in options)
        if correct == 0 or (not multiple and correct > 1):
            raise ParseProblem(
                "a single choice needs exactly one correct option"
                if not multiple
                else "needs at least one correct option"
            )
        return cls(
            id=data["id"],
            prompt=_text(data, "prompt"),
            options=tuple(options),
            multiple=bool(multiple),
        )

    def response_from_form(self, form) -> dict:
        raw = form.getlist(self.field_name("option"))
        picked = sorted({int(v) for v in raw if _is_index(v) and int(v) < len(self.options)})
        return {"selected": picked if self.multiple else picked[:1]}

    def is_answered(self, response: dict) -> bool:
        return bool(response.get("selected"))

    def model_response(self, correct: bool = True) -> dict:
        picked = [n for n, option in enumerate(self.options) if option.correct == correct]
        return {"selected": picked if self.multiple else picked[:1]}

    def order(self, seed: int | None) -> list[int]:
        """The options' display order for one attempt: shuffled, the same on every visit
        to that attempt, new on a retake (``seed`` None keeps the authored order)."""
        indexes = list(range(len(self.options)))
        if seed is not None:
            random.Random(f"{seed}:{self.id}").shuffle(indexes)  # noqa: S311  # nosec B311
        return indexes

    def grade(self, response: dict) -> Grade:
        selected = set(response.get("selected") or [])
        correct = {n for n, option in enumerate(self.options) if option.correct}
        return Grade(score=1.0 if selected == correct else 0.0, details={"selected": selected})


@dataclass(frozen=True)
class ReflectionQuestion(Question):
    """A free-text answer kept for the mentor; counts as answered, never scored."""

    type_name: ClassVar[str] = "reflection"
    scored: ClassVar[bool] = False

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> ReflectionQuestion:
        return cls(id=data["id"], prompt=_text(data, "prompt"))

    def response_from_form(self, form) -> dict:
        return {"text": form.get(self.field_name("text"), "").strip()}

    def is_answered(self, response: dict) -> bool:
        return bool(response.get("text"))

    def model_response(self, correct: bool = True) -> dict:
        return {"text": "A family I visit came to mind; I will bring it to our meeting."}

    def grade(self, response: dict) -> Grade:
        return Grade(score=None, details={"text": response.get("text", "")})


QUESTION_TYPES: dict[str, type[Question]] = {
    cls.type_name: cls
    for cls in (
        ObservationQuestion,
        DomainSortQuestion,
        DescribeInterpretQuestion,
        ChoiceQuestion,
        ReflectionQuestion,
    )
}
