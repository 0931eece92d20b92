"""Describe, don't interpret: coaching questions on a trainee's own sentences.

A sentence that labels ("neglectful"), reads a mind as fact ("he feels sad") or advises
("she should") is shown back with a question, in English or Spanish. The patterns are
content (content/coaching.yaml) whose examples are checked on loading. The browser runs
the same rules (quizzes/static/coaching.js) from ``Coaching.to_json()``: sentence
splitting, quotation spans and ``skip_after`` must stay in step in both files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml's C parser when installed, as in quizzes/loader.py.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LANGUAGES = ("en", "es")
KINDS = ("judgement", "mind-reading", "advice")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# What counts as a letter at a word's edge: ASCII and Latin-1 (á, é, ñ, ü ...). Spelled out
# because JavaScript's \b and \w are ASCII-only, even with the "u" flag.
WORD = "0-9A-Z_a-zÀ-ÖØ-öø-ÿ"
_EDGE = f"(?:(?<=[{WORD}])(?![{WORD}])|(?<![{WORD}])(?=[{WORD}]))"
_NOT_EDGE = f"(?:(?<=[{WORD}])(?=[{WORD}])|(?<![{WORD}])(?![{WORD}]))"
_REWRITTEN = {"b": _EDGE, "B": _NOT_EDGE, "w": f"[{WORD}]", "W": f"[^{WORD}]"}
# Escapes that mean the same in Python and in JavaScript with the "u" flag, which
# rejects escaping anything else (\', \-, \ ...).
_SAME_ESCAPES = frozenset("dDsSnrtfv0123456789xu^$\\.*+?()[]{}|/")
_GROUP_OPENERS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")

# Quotations: what someone said, never flagged. An apostrophe (baby's, doesn't) is not a
# single quote: those need no letter before the opening one or after the closing one.
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|«[^»\n]*»' rf"|(?<![{WORD}])['‘][^\n]*?['’](?![{WORD}])")
_SENTENCE_END = re.compile(r"[.!?…]+['\"”’»)\]]*(?=\s|$)|\n")

PATTERN_FIELDS = {"id", "kind", "question", "match", "examples"}
SKIP_FIELDS = {"id", "kinds", "match"}


@dataclass(frozen=True)
class Highlight:
    """A flagged sentence; offsets index the original text (Python characters)."""

    start: int
    end: int
    sentence: str
    kind: str
    pattern_id: str
    question: str
    match: str


@dataclass(frozen=True)
class Pattern:
    id: str
    kind: str
    question: Mapping[str, str]
    match: Mapping[str, tuple[re.Pattern[str], ...]]


@dataclass(frozen=True)
class SkipRule:
    """Words after which a match is someone's words or a wondering, not a verdict."""

    id: str
    kinds: frozenset[str]
    match: Mapping[str, tuple[re.Pattern[str], ...]]


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    language: str
    start: int
    end: int


class CoachingContentError(Exception):
    """The coaching file is broken; ``problems`` lists each as 'file:line: message'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("coaching patterns have problems:\n" + "\n".join(problems))


class Coaching:
    """The patterns, in order, and the rules that exempt reported speech and wondering."""

    def __init__(self, patterns: Sequence[Pattern], skip_after: Sequence[SkipRule] = ()):
        self.patterns = tuple(patterns)
        self.skip_after = tuple(skip_after)

    def highlights(self, text: str) -> list[Highlight]:
        """Flag each sentence of ``text`` that the first matching pattern finds, once."""
        quotes = _quote_spans(text)
        plain = text.replace("’", "'")  # authors write one apostrophe for both
        found = []
        for start, end in _sentence_spans(text, quotes):
            hit = self._hit(plain[start:end], start, quotes)
            if hit is not None:
                found.append(
                    Highlight(
                        start=start,
                        end=end,
                        sentence=text[start:end],
                        kind=hit.pattern.kind,
                        pattern_id=hit.pattern.id,
                        question=hit.pattern.question[hit.language],
                        match=text[start + hit.start : start + hit.end],
                    )
                )
        return found

    def to_json(self) -> dict:
        """What coaching.js needs to give the same hints while the trainee types."""

        def sources(match: Mapping[str, tuple[re.Pattern[str], ...]]) -> dict[str, list[str]]:
            return {lang: [regex.pattern for regex in match[lang]] for lang in LANGUAGES}

        return {
            "patterns": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "question": dict(p.question),
                    "match": sources(p.match),
                }
                for p in self.patterns
            ],
            "skip_after": [
                {"id": s.id, "kinds": sorted(s.kinds), "match": sources(s.match)}
                for s in self.skip_after
            ],
        }

    def _hit(self, sentence: str, offset: int, quotes: list[tuple[int, int]]) -> _Hit | None:
        skip_from: dict[str, int] = {}
        for rule in self.skip_after:
            for _, found in _matches(rule.match, sentence, offset, quotes):
                for kind in rule.kinds:
                    skip_from[kind] = min(skip_from.get(kind, found.start()), found.start())
        for pattern in self.patterns:
            for language, found in _matches(pattern.match, sentence, offset, quotes):
                if found.start() < skip_from.get(pattern.kind, len(sentence) + 1):
                    return _Hit(pattern, language, found.start(), found.end())
        return None


def _matches(
    match: Mapping[str, tuple[re.Pattern[str], ...]],
    sentence: str,
    offset: int,
    quotes: list[tuple[int, int]],
) -> Iterator[tuple[str, re.Match[str]]]:
    """Yield each regex's first match outside quotations, English list first."""
    for language in LANGUAGES:
        for regex in match[language]:
            found = next(
                (m for m in regex.finditer(sentence) if not _quoted(offset + m.start(), quotes)),
                None,
            )
            if found is not None:
                yield language, found


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in ``text``, quotation marks included."""
    return [m.span() for m in _QUOTED.finditer(text)]


def _quoted(position: int, quotes: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in quotes)


def _sentence_spans(text: str, quotes: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, without surrounding spaces.

    A sentence ends at . ! ? or … (and any closing quotation mark) before a space, or at
    a line break; a full stop inside a quotation does not end the sentence around it.
    """
    cuts = [
        m.end()
        for m in _SENTENCE_END.finditer(text)
        if not any(start < m.end() < end for start, end in quotes)
    ]
    start = 0
    for cut in [*cuts, len(text)]:
        segment = text[start:cut]
        if segment.strip():
            left = start + len(segment) - len(segment.lstrip())
            yield left, left + len(segment.strip())
        start = cut


def _portable(source: str) -> str:
    """Rewrite a content regex so Python and JavaScript ("iu" flags) match alike.

    \\b, \\B, \\w and \\W are spelled out with ``WORD`` so "está" is one word in both;
    raises ValueError for syntax that only one of the two understands.
    """
    out: list[str] = []
    in_class = quantified = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(_escape(source[i + 1 : i + 2], in_class))
            i += 2
            quantified = False
            continue
        if char == "(" and not in_class and source.startswith("(?", i):
            opener = next((g for g in _GROUP_OPENERS if source.startswith(g, i)), None)
            if opener is None:
                raise ValueError(f"'{source[i : i + 3]}' is not understood by browsers")
            out.append(opener)
            i += len(opener)
            quantified = False
            continue
        if char == "+" and quantified:
            raise ValueError("possessive quantifiers (*+, ++, ?+) are not understood by browsers")
        quantified = not in_class and char in "*+?}"
        in_class = (in_class and char != "]") or (not in_class and char == "[")
        out.append(char)
        i += 1
    return "".join(out)


def _escape(letter: str, in_class: bool) -> str:
    if letter == "w" and in_class:
        return WORD
    if letter in _REWRITTEN and not in_class:
        return _REWRITTEN[letter]
    if letter in _SAME_ESCAPES or (letter == "-" and in_class):
        return "\\" + letter
    raise ValueError(f"'\\{letter}' is not understood the same way by Python and browsers")


# -- loading ------------------------------------------------------------------------------

_cache: dict[str, tuple[int, Coaching]] = {}


def load_coaching_cached(path: str | Path) -> Coaching:
    """Load the patterns once per process while the file is unchanged."""
    path = Path(path)
    mtime = path.stat().st_mtime_ns
    cached = _cache.get(str(path))
    if cached is None or cached[0] != mtime:
        cached = _cache[str(path)] = (mtime, load_coaching(path))
    return cached[1]


def load_coaching(path: str | Path) -> Coaching:
    """Read and check the coaching file; raise CoachingContentError naming file and line."""
    path = Path(path)
    reader = _Reader(f"{path.parent.name}/{path.name}")
    coaching, examples = reader.coaching(reader.compose(path))
    reader.raise_problems()
    reader.check_examples(coaching, examples)
    reader.raise_problems()
    return coaching


@dataclass(frozen=True)
class _Example:
    pattern: Pattern
    language: str
    flagged: bool
    text: str
    line: int


class _Reader:
    """Turns the composed YAML tree into patterns, noting each problem with its line."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[str] = []

    def problem(self, node: yaml.Node | int, message: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.problems.append(f"{self.name}:{line}: {message}")

    def raise_problems(self) -> None:
        if self.problems:
            raise CoachingContentError(self.problems)

    def compose(self, path: Path) -> yaml.Node:
        """The file's YAML tree, with line marks; nothing more can be checked without it."""
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
        except UnicodeDecodeError:
            self.problem(1, "not UTF-8 text")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or exc
            self.problem(mark.line + 1 if mark else 1, f"invalid YAML: {problem}")
        else:
            if root is not None:
                return root
            self.problem(1, "the file is empty")
        raise CoachingContentError(self.problems)

    def coaching(self, root: yaml.Node) -> tuple[Coaching, list[_Example]]:
        top = self.mapping(root, {"patterns"}, {"skip_after"}, "the file")
        examples: list[_Example] = []
        patterns: list[Pattern] = []
        skips: list[SkipRule] = []
        if top and "patterns" in top:
            seen: set[str] = set()
            for node in self.sequence(top["patterns"], "'patterns'"):
                pattern = self.pattern(node, seen, examples)
                if pattern is not None:
                    patterns.append(pattern)
        if top and "skip_after" in top:
            seen = set()
            for node in self.sequence(top["skip_after"], "'skip_after'"):
                skip = self.skip_rule(node, seen)
                if skip is not None:
                    skips.append(skip)
        return Coaching(patterns, skips), examples

    def pattern(self, node: yaml.Node, seen: set[str], examples: list[_Example]) -> Pattern | None:
        fields = self.mapping(node, PATTERN_FIELDS, set(), "a pattern")
        if fields is None or len(fields) < len(PATTERN_FIELDS):
            return None
        before = len(self.problems)
        pid = self.slug(fields["id"], seen, "pattern")
        what = f"pattern '{pid}'"
        kind = self.kind(fields["kind"], what)
        languages = self.per_language(fields["question"], f"{what}: question")
        question = {
            lang: self.scalar(text, f"{what}: question.{lang}") or ""
            for lang, text in languages.items()
        }
        match = self.regexes(fields["match"], f"{what}: match")
        if len(self.problems) > before:
            return None
        pattern = Pattern(str(pid), str(kind), question, match)
        self.examples(fields["examples"], pattern, examples)
        return pattern

    def skip_rule(self, node: yaml.Node, seen: set[str]) -> SkipRule | None:
        fields = self.mapping(node, SKIP_FIELDS, set(), "a skip_after rule")
        if fields is None or len(fields) < len(SKIP_FIELDS):
            return None
        before = len(self.problems)
        sid = self.slug(fields["id"], seen, "skip_after rule")
        what = f"skip_after '{sid}'"
        kinds = [self.kind(n, what) for n in self.sequence(fields["kinds"], f"{what}: kinds")]
        match = self.regexes(fields["match"], f"{what}: match")
        if len(self.problems) > before:
            return None
        return SkipRule(str(sid), frozenset(map(str, kinds)), match)

    def examples(self, node: yaml.Node, pattern: Pattern, out: list[_Example]) -> None:
        what = f"pattern '{pattern.id}': examples"
        fields = self.mapping(node, {"flagged", "clean"}, set(), what)
        for expected in ("flagged", "clean"):
            if fields is None or expected not in fields:
                continue
            for lang, texts in self.per_language(fields[expected], f"{what}.{expected}").items():
                for text_node in self.sequence(texts, f"{what}.{expected}.{lang}"):
                    text = self.scalar(text_node, f"{what}.{expected}.{lang}")
                    if text is not None:
                        line = text_node.start_mark.line + 1
                        out.append(_Example(pattern, lang, expected == "flagged", text, line))

    def check_examples(self, coaching: Coaching, examples: list[_Example]) -> None:
        for example in examples:
            what = f"pattern '{example.pattern.id}': {example.language} example {example.text!r}"
            if example.flagged:
                alone = Coaching([_only(example.pattern, example.language)], coaching.skip_after)
                if not alone.highlights(example.text):
                    self.problem(example.line, f"{what} is not flagged by this pattern")
            else:
                found = coaching.highlights(example.text)
                if found:
                    flagged = found[0]
                    self.problem(
                        example.line,
                        f"{what} should be clean, but '{flagged.pattern_id}' flags"
                        f" {flagged.match!r}",
                    )

    # -- small readers: each returns None (or empty) after noting a problem -------------

    def mapping(
        self, node: yaml.Node, required: set[str], optional: set[str], what: str
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping with {', '.join(sorted(required))}")
            return None
        fields = {str(key.value): value for key, value in node.value}
        for key, _ in node.value:
            if key.value not in required | optional:
                self.problem(key, f"{what}: unknown field '{key.value}'")
        for missing in sorted(required - set(fields)):
            self.problem(node, f"{what}: missing field '{missing}'")
        return {k: v for k, v in fields.items() if k in required | optional}

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(node, f"{what} must list at least one item")
            return []
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(node, f"{what} must be some text")
            return None
        return str(node.value)

    def kind(self, node: yaml.Node, what: str) -> str | None:
        kind = self.scalar(node, f"{what}: 'kind'")
        if kind is not None and kind not in KINDS:
            self.problem(node, f"{what}: unknown kind '{kind}' (one of: {', '.join(KINDS)})")
            return None
        return kind

    def slug(self, node: yaml.Node, seen: set[str], what: str) -> str | None:
        value = self.scalar(node, f"{what} 'id'")
        if value is None or not SLUG_RE.match(value):
            self.problem(node, f"{what} needs an 'id' in lowercase-with-dashes")
            return None
        if value in seen:
            self.problem(node, f"{what} '{value}': duplicate id")
            return None
        seen.add(value)
        return value

    def per_language(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        """The 'en' and 'es' entries; a missing language is a problem."""
        fields = self.mapping(node, set(LANGUAGES), set(), what)
        if fields is None or len(fields) < len(LANGUAGES):
            return {}
        return fields

    def regexes(self, node: yaml.Node, what: str) -> dict[str, tuple[re.Pattern[str], ...]]:
        compiled = {}
        for lang, sources in self.per_language(node, what).items():
            regexes = (
                self.regex(n, f"{what}.{lang}") for n in self.sequence(sources, f"{what}.{lang}")
            )
            compiled[lang] = tuple(regex for regex in regexes if regex is not None)
        return compiled

    def regex(self, node: yaml.Node, what: str) -> re.Pattern[str] | None:
        source = self.scalar(node, what)
        if source is None:
            return None
        try:
            re.compile(source)  # first as written, so an error's position is the author's
            return re.compile(_portable(source), re.IGNORECASE)
        except (ValueError, re.error) as exc:
            self.problem(node, f"{what}: '{source}': {exc}")
            return None


def _only(pattern: Pattern, language: str) -> Pattern:
    """The pattern with just one language's list, to check that list's examples."""
    match = {lang: pattern.match[lang] if lang == language else () for lang in LANGUAGES}
    return Pattern(pattern.id, pattern.kind, pattern.question, match)
