"""The question types, registered by name in QUESTION_TYPES.

Each type is a frozen dataclass built from a quiz file by ``parse``, and shares one
contract: ``template`` renders it, ``response_from_form`` reads a submitted form into
JSON-able data, ``is_answered`` says whether anything was given, and ``grade`` returns
a Grade (score 0..1, or None for unscored types) with per-part feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from quizzes.matching import covers

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
    fields: ClassVar[set[str]] = {"id", "type", "prompt"}

    @property
    def template(self) -> str:
        return f"quizzes/questions/{self.type_name}.html"

    def field_name(self, *parts: object) -> str:
        return "-".join(["q", self.id, *map(str, parts)])


@dataclass(frozen=True)
class ModelAnswer:
    text: str
    cues: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ObservationPart:
    prompt: str
    model_answers: tuple[ModelAnswer, ...]


@dataclass(frozen=True)
class VideoClip:
    slug: str
    start: int = 0
    end: int | None = None


@dataclass(frozen=True)
class ObservationQuestion(Question):
    """A scenario ("What do you observe?") followed by open questions with model answers."""

    scenario: str = ""
    parts: tuple[ObservationPart, ...] = ()
    video: VideoClip | None = None
    type_name: ClassVar[str] = "observation"
    fields: ClassVar[set[str]] = {"id", "type", "scenario", "parts", "video", "prompt"}

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> ObservationQuestion:
        parts = []
        for n, part in enumerate(_list(data, "parts"), 1):
            _check_keys(part, {"prompt", "model_answers"}, f" in part {n}")
            answers = []
            for m, answer in enumerate(_list(part, "model_answers"), 1):
                _check_keys(answer, {"text", "cues"}, f" in part {n}, model answer {m}")
                answers.append(ModelAnswer(_text(answer, "text"), _cues(answer, n, m)))
            parts.append(ObservationPart(_text(part, "prompt"), tuple(answers)))
        return cls(
            id=data["id"],
            prompt=data.get("prompt") or "What do you observe?",
            scenario=_text(data, "scenario"),
            parts=tuple(parts),
            video=_clip(data.get("video"), video_slugs),
        )

    def response_from_form(self, form) -> dict:
        return {
            "parts": [
                form.get(self.field_name("part", n), "").strip() for n in range(len(self.parts))
            ]
        }

    def is_answered(self, response: dict) -> bool:
        return any(response.get("parts") or [])

    def model_response(self, correct: bool = True) -> dict:
        """An answer naming every model answer's first cue words (or nothing useful)."""
        if not correct:
            return {"parts": ["They spent some time together." for _ in self.parts]}
        return {
            "parts": [
                "; ".join(" ".join(cue[0] for cue in answer.cues) for answer in part.model_answers)
                for part in self.parts
            ]
        }

    def coverage(self, response: dict) -> list[list[bool]]:
        """For each part, whether each model answer is covered by what was written."""
        texts = (response.get("parts") or []) + [""] * len(self.parts)
        return [
            [covers(texts[n], [list(cue) for cue in answer.cues]) for answer in part.model_answers]
            for n, part in enumerate(self.parts)
        ]

    def grade(self, response: dict) -> Grade:
        coverage = self.coverage(response)
        flat = [hit for part in coverage for hit in part]
        return Grade(score=sum(flat) / len(flat), details={"coverage": coverage})


def _cues(answer: dict, part: int, number: int) -> tuple[tuple[str, ...], ...]:
    cues = answer.get("cues")
    where = f"part {part}, model answer {number}"
    if not isinstance(cues, list) or not cues:
        raise ParseProblem(f"{where} has no cues: list the words that show it was noticed")
    result = []
    for cue in cues:
        alternatives = [cue] if isinstance(cue, str) else cue
        if not isinstance(alternatives, list) or not all(
            isinstance(alt, str) and alt.strip() for alt in alternatives
        ):
            raise ParseProblem(f"{where}: each cue must be a word, a phrase, or a list of them")
        result.append(tuple(alt.strip() for alt in alternatives))
    return tuple(result)


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
        given = (response.get("items") or []) + [[]] * len(self.items)
        right = [set(given[n]) == set(item.answer) for n, item in enumerate(self.items)]
        return Grade(score=sum(right) / len(right), details={"right": right, "given": given})


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
