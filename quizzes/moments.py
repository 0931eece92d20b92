"""The "mark the moments" question type.

A clip plays; the trainee marks each moment they see a named behaviour. Marks are
scored against the expert's time codes, within a tolerance. Times are seconds of the
whole film (what the player shows), so a center that swaps in its licensed clip only
updates the numbers in the quiz file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import islice
from typing import ClassVar

from quizzes.question_types import (
    Grade,
    ParseProblem,
    Question,
    VideoClip,
    _check_keys,
    _clip,
    _list,
    _text,
)

DEFAULT_TOLERANCE = 1.5  # seconds either side of an expert moment
MAX_TOLERANCE = 5.0  # wider than this and one mark could cover two moments of a clip
MAX_MARKS = 50  # far more than any clip needs; keeps a pasted list from bloating a row

# 95, 95.5, 1:35 or 1:35.5 (the player's own display); seconds of a m:ss below 60.
_TIME_RE = re.compile(r"^(?:(\d{1,3}):([0-5]?\d(?:\.\d+)?)|(\d{1,5}(?:\.\d+)?))$", re.ASCII)
_WORDS = re.compile(r"[^\s,;]+")  # marks are separated by commas, spaces or semicolons


def parse_time(text: str) -> float | None:
    """Seconds from "95", "95.5", "1:35" or "1:35.5"; None for anything else."""
    match = _TIME_RE.match(text.strip())
    if match is None:
        return None
    minutes, seconds, plain = match.groups()
    return float(plain) if plain is not None else int(minutes) * 60 + float(seconds)


def clock(seconds: float) -> str:
    """m:ss.s for people ("1:35.5"); whole seconds drop the ".0" ("1:35")."""
    tenths = round(seconds * 10)  # in whole tenths, so 59.96 cannot print as 0:60.0
    minutes, tenths = divmod(tenths, 600)
    whole, tenth = divmod(tenths, 10)
    return f"{minutes}:{whole:02d}" + (f".{tenth}" if tenth else "")


def _seconds(value) -> float | None:
    """A time code from a quiz file: a number, or a quoted "m:ss" string.

    (YAML itself reads an unquoted 1:35 as 95: base-60 numbers are part of YAML 1.1.)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return parse_time(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Moment:
    at: float  # seconds into the film
    note: str  # one line: what the expert saw there


@dataclass(frozen=True)
class MomentsQuestion(Question):
    """Watch a clip and mark each moment a behaviour shows; scored against time codes."""

    behaviour: str = ""
    video: VideoClip = VideoClip("")
    moments: tuple[Moment, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    type_name: ClassVar[str] = "moments"
    scored: ClassVar[bool] = True
    fields: ClassVar[set[str]] = {
        "id",
        "type",
        "prompt",
        "behaviour",
        "video",
        "moments",
        "tolerance",
    }

    @classmethod
    def parse(cls, data: dict, video_slugs: frozenset[str]) -> MomentsQuestion:
        raw_video = data.get("video")
        needs_video = ParseProblem(
            "needs 'video' with a slug from videos.yaml and the clip's 'start' and 'end'"
            " (whole seconds), e.g. {slug: l2-infant-bottle-pauses, start: 6, end: 30}"
        )
        if not isinstance(raw_video, dict) or not {"start", "end"} <= set(raw_video):
            raise needs_video
        clip = _clip(raw_video, video_slugs)
        if clip is None or clip.end is None:
            raise needs_video
        tolerance = data.get("tolerance", DEFAULT_TOLERANCE)
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, int | float)
            or not 0 < tolerance <= MAX_TOLERANCE
        ):
            raise ParseProblem(
                f"'tolerance' must be a number of seconds above 0 and at most"
                f" {MAX_TOLERANCE:g} (leave it out for {DEFAULT_TOLERANCE:g})"
            )
        moments = [_moment(raw, n, clip) for n, raw in enumerate(_list(data, "moments"), 1)]
        moments.sort(key=lambda m: m.at)  # authors may list them in any order
        for before, after in zip(moments, moments[1:], strict=False):
            if before.at == after.at:
                raise ParseProblem(f"two moments at {clock(after.at)}: merge them into one")
        return cls(
            id=data["id"],
            prompt=_text(data, "prompt"),
            behaviour=_text(data, "behaviour"),
            video=clip,
            moments=tuple(moments),
            tolerance=float(tolerance),
        )

    @property
    def start(self) -> int:
        return self.video.start

    @property
    def end(self) -> int:
        return self.video.end if self.video.end is not None else self.video.start

    def clock(self, seconds: float) -> str:
        """For templates: ``question.clock(95.5)`` gives "1:35.5"."""
        return clock(seconds)

    def position(self, seconds: float) -> float:
        """Where a time sits on the clip's timeline, in percent (for a tick's ``left``)."""
        span = max(self.end - self.start, 1)
        return round(min(max((seconds - self.start) / span, 0.0), 1.0) * 100, 2)

    def read_marks(self, values) -> list[float]:
        """Clean marks: times (numbers or text) clamped to the clip, rounded, sorted.

        Junk is dropped; a mark outside the clip counts at its nearer edge (a press
        is never free); repeats collapse; at most MAX_MARKS, the earliest.
        """
        marks: set[float] = set()
        for value in values:
            seconds = _seconds(value)
            if seconds is not None:
                marks.add(round(min(max(seconds, self.start), self.end), 1))
        return sorted(marks)[:MAX_MARKS]

    def response_from_form(self, form) -> dict:
        # One text field, "12.5, 0:20, 1:35.5": the page works without JavaScript,
        # and the Mark button only writes into it.
        typed = form.get(self.field_name("marks"), "")
        words = islice((m.group() for m in _WORDS.finditer(typed)), MAX_MARKS * 4)
        return {"marks": self.read_marks(words)}

    def is_answered(self, response: dict) -> bool:
        return bool(response.get("marks"))

    def model_response(self, correct: bool = True) -> dict:
        """The expert's times, or up to three times well away from every moment."""
        if correct:
            return {"marks": [m.at for m in self.moments]}
        far = [
            self.start + half / 2
            for half in range(0, (self.end - self.start) * 2 + 1)
            if all(abs(self.start + half / 2 - m.at) > self.tolerance for m in self.moments)
        ]
        picks = far[:: max(len(far) // 3, 1)][:3] or [float(self.start)]
        return {"marks": picks}

    def grade(self, response: dict) -> Grade:
        given = (response or {}).get("marks")
        marks = self.read_marks(given if isinstance(given, list) else [])
        # Closest pairs first; each moment takes at most one mark and each mark
        # counts for at most one moment, so one press never finds two moments.
        pairs = sorted(
            (abs(mark - moment.at), n, k)
            for n, moment in enumerate(self.moments)
            for k, mark in enumerate(marks)
            if abs(mark - moment.at) <= self.tolerance + 1e-9  # 1e-9: float noise at the edge
        )
        matched: dict[int, int] = {}  # moment index -> mark index
        used: set[int] = set()
        for _, n, k in pairs:
            if n not in matched and k not in used:
                matched[n] = k
                used.add(k)
        found = [
            {"at": m.at, "note": m.note, "mark": marks[matched[n]]}
            for n, m in enumerate(self.moments)
            if n in matched
        ]
        missed = [
            {"at": m.at, "note": m.note, "mark": None}
            for n, m in enumerate(self.moments)
            if n not in matched
        ]
        extra = [mark for k, mark in enumerate(marks) if k not in used]
        # Extra marks count against the score, so pressing all the time does not pay:
        # a press every second would find every moment and still score low.
        score = len(found) / (len(self.moments) + len(extra))
        return Grade(
            score=score,
            details={"found": found, "missed": missed, "extra": extra, "marks": marks},
        )


def _moment(raw: dict, number: int, clip: VideoClip) -> Moment:
    where = f"moment {number}"
    _check_keys(raw, {"at", "note"}, f" in {where}")
    at = _seconds(raw.get("at"))
    if at is None:
        raise ParseProblem(
            f"{where} needs 'at': seconds into the film (95 or 95.5) or \"m:ss\" in quotes"
        )
    end = clip.end if clip.end is not None else clip.start
    if not clip.start <= at <= end:
        raise ParseProblem(
            f"{where} at {clock(at)} is outside the clip"
            f" ({clock(clip.start)} to {clock(end)}): move it or widen start/end"
        )
    note = raw.get("note")
    if not isinstance(note, str) or not note.strip():
        raise ParseProblem(f"{where} needs a 'note': one line saying what happens there")
    if "\n" in note.strip():
        raise ParseProblem(f"{where}: keep the note to one line")
    return Moment(at=at, note=note.strip())
