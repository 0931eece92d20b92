"""Check WebVTT caption files, for content/ and for the films a site admin uploads.

webvtt-py parses the cues; it accepts cues that end before they start or run out of
order, so those are checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

# Captions must run to within this many seconds of a film's end, and may fall silent
# for no longer than this in between (a pause in speech still gets a sound caption).
TIMING_LIKE = re.compile(r"\s*[\d:.]+\s*-+>")  # a timing line, even a mistyped one
HEADER = re.compile(r"WEBVTT(?:[ \t]|\r?\n|$)")
COVERAGE_SLACK_SECONDS = 5
LONGEST_GAP_SECONDS = 10


@dataclass(frozen=True)
class CaptionCheck:
    problems: tuple[str, ...]
    cues: int = 0
    last_end: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_captions(text: str, duration_seconds: float | None = None) -> CaptionCheck:
    """Return what is wrong with a WebVTT file's text, if anything.

    With ``duration_seconds``, the cues must also cover the film to its end with no
    long silent gap (a practice film's captions are its whole story).
    """
    if not HEADER.match(text.lstrip("\ufeff")):
        return CaptionCheck(("the file does not start with WEBVTT, so it is not WebVTT",))
    try:
        captions = webvtt.from_string(text)
    except (MalformedFileError, ValueError) as exc:
        return CaptionCheck((f"the WebVTT could not be read: {exc}",))
    cues = list(captions)
    if not cues:
        return CaptionCheck(("the file holds no captions",))
    problems = []
    # webvtt-py drops a cue whose timing line is mistyped ("->"); count what looks
    # like a timing line so that a cue never vanishes without a word.
    timings = sum(1 for line in text.splitlines() if TIMING_LIKE.match(line))
    if timings != len(cues):
        problems.append(
            f"{timings - len(cues)} timing line(s) could not be read; write them like "
            "00:00:01.000 --> 00:00:04.000"
        )
    previous_start, previous_end = 0.0, 0.0
    for number, cue in enumerate(cues, start=1):
        start, end = cue.start_in_seconds, cue.end_in_seconds
        timing = f"caption {number} ({cue.start} --> {cue.end})"
        if end <= start:
            problems.append(f"{timing} ends before it starts")
        elif start < previous_start:
            problems.append(f"{timing} starts before the caption above it")
        elif duration_seconds is not None and start - previous_end > LONGEST_GAP_SECONDS:
            problems.append(f"{timing} leaves {start - previous_end:.0f} s without captions")
        previous_start, previous_end = start, max(previous_end, end)
    if duration_seconds is not None:
        if previous_end < duration_seconds - COVERAGE_SLACK_SECONDS:
            problems.append(
                f"the captions end at {previous_end:.0f} s but the film runs "
                f"{duration_seconds:.0f} s"
            )
        elif previous_end > duration_seconds + COVERAGE_SLACK_SECONDS:
            problems.append(
                f"the captions run to {previous_end:.0f} s, past the film's "
                f"{duration_seconds:.0f} s"
            )
    return CaptionCheck(tuple(problems), len(cues), previous_end)
