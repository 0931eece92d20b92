"""Is an open answer written in the trainee's own words? Checked when they lock it.

Not a grade: nothing here judges what was observed (a trainer reads that). It only
stops the three ways to finish an exercise without observing anything: a line too
short to say who did what, a list of cue words, and the model answers pasted back.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_WORDS = 6
# Words that hold a sentence together, in English and Spanish. A description of what
# people did is full of them ("she looks at her", "y la mamá le da"); a list of cue
# words ("laugh splash yawn stop settle") has almost none.
GLUE = frozenset(
    """a an the and or but then when while as after before because so if that this to
    of in on at by for from with into onto toward towards up down back out off over
    again she he her his him hers they them their it its i you we me my our your is
    was were are be been being has had have did does do not no who what each once
    until el la los las un una unos unas y o pero luego cuando mientras como después
    antes porque si que este esta a de del en con por para hacia sobre otra vez ella
    él le les lo su sus se es era fue son está estaba no quien""".split()  # noqa: SIM905 (a word list reads best as text)
)
MIN_GLUE_SHARE = 0.15
# Runs of this many words shared with the model answers (and not with the scenario,
# which any description echoes) count as copied; copied is half the answer or more.
COPY_RUN = 5
COPIED_SHARE = 0.5


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower().replace("’", "'"))


def problems(texts: list[str], model_answers: list[str], scenario: str = "") -> list[str | None]:
    """For each part's text, what keeps it from counting as the trainee's own words
    (a message for them), or None."""
    copied = _runs(model_answers) - _runs([scenario])
    return [_problem(text, copied) for text in texts]


def _problem(text: str, copied: set[tuple[str, ...]]) -> str | None:
    found = words(text)
    if len(found) < MIN_WORDS:
        return (
            f"Say a little more: who did what, and what happened next? (at least {MIN_WORDS} words)"
        )
    if sum(word in GLUE for word in found) / len(found) < MIN_GLUE_SHARE:
        return (
            "This reads as a list of words. Describe the moment in sentences: "
            "who did what, and how the other responded."
        )
    if _copied_share(found, copied) >= COPIED_SHARE:
        return (
            "Part of this repeats the wording of the model answers. Describe what you "
            "saw in your own words; the comparison comes after you lock it."
        )
    return None


def _copied_share(found: list[str], copied: set[tuple[str, ...]]) -> float:
    inside = set()
    for i in range(len(found) - COPY_RUN + 1):
        if tuple(found[i : i + COPY_RUN]) in copied:
            inside.update(range(i, i + COPY_RUN))
    return len(inside) / len(found)


def _runs(texts: list[str]) -> set[tuple[str, ...]]:
    runs = set()
    for text in texts:
        found = words(text)
        runs.update(tuple(found[i : i + COPY_RUN]) for i in range(len(found) - COPY_RUN + 1))
    return runs
