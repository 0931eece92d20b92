"""Does a trainee's free text mention what a model answer's cues describe?

Deliberately simple and predictable, so authors can reason about it: lower-case
words, the Snowball (Porter2) English stemmer, and phrase matching on consecutive
stems. "wait" matches waits, waiting and waited; "look back" matches "looked back".
"""

import re
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[a-z0-9]+")
POSSESSIVE_RE = re.compile(r"['’]s\b")  # "Luz's" -> "Luz"; "'splash'" stays whole
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """Return the stems of the words of ``text``, in order."""
    return [stem(word) for word in WORD_RE.findall(POSSESSIVE_RE.sub("", text.lower()))]


def contains_phrase(haystack: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return size > 0 and any(
        haystack[i : i + size] == phrase for i in range(len(haystack) - size + 1)
    )


def cue_matches(answer_stems: list[str], alternatives: list[str]) -> bool:
    """True when any alternative (a word or phrase) appears in the answer."""
    return any(contains_phrase(answer_stems, stems(alt)) for alt in alternatives)


def covers(answer: str, cues: list[list[str]]) -> bool:
    """True when every cue of a model answer matches the trainee's answer."""
    answer_stems = stems(answer)
    return bool(cues) and all(cue_matches(answer_stems, cue) for cue in cues)
