"""Read content/ into a Curriculum, collecting every problem with its file and line.

Front matter is parsed twice on purpose: ``yaml.compose`` gives each key's line for
error messages, ``yaml.safe_load`` gives the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from course.curriculum.models import Curriculum, Handout, Level, Unit, UnitKind, Video
from course.markup import render_markdown

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEVELS_FILE = "levels.yaml"
VIDEOS_FILE = "videos.yaml"
HANDOUTS_DIR = "handouts"

# field name -> (accepted types, required)
UNIT_FIELDS = {
    "slug": (str, True),
    "title": (str, True),
    "kind": (str, True),
    "order": (int, True),
    "summary": (str, True),
    "week": (int, False),
    "handouts": (list, False),
    "reflection_prompts": (list, False),
    "videos": (list, False),
    "quiz": ((str, type(None)), False),
}
HANDOUT_FIELDS = {"slug": (str, True), "title": (str, True), "summary": (str, True)}
LEVEL_FIELDS = {
    "slug": (str, True),
    "number": (int, True),
    "title": (str, True),
    "summary": (str, True),
    "requires": ((str, type(None)), False),
    "invitation_only": (bool, False),
}
VIDEO_FIELDS = {
    "slug": (str, True),
    "title": (str, True),
    "description": (str, True),
    "duration_seconds": (int, True),
    "captions": (str, True),
    "file": (str, False),
    "url": (str, False),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ContentError(Exception):
    """content/ is broken; ``problems`` lists each problem with its file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            "content/ has problems:\n" + "\n".join(f"  {problem}" for problem in problems)
        )


@dataclass
class _Record:
    """One mapping read from a file: its values and the line of each key."""

    path: str
    data: dict
    lines: dict[str, int]
    first_line: int = 1

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


class _Reader:
    def __init__(self, content_dir: Path):
        self.root = content_dir
        self.problems: list[Problem] = []

    def problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def rel(self, path: Path) -> str:
        return str(Path(self.root.name) / path.relative_to(self.root))

    # -- parsing -----------------------------------------------------------------

    def read_yaml(self, path: Path, text: str, line_offset: int = 0):
        """Parse YAML, returning (node, value) or (None, None) after a problem."""
        rel = self.rel(path)
        try:
            node = yaml.compose(text)
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 + line_offset if mark else None
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(rel, line, f"invalid YAML: {reason}")
            return None, None
        return node, value

    def read_front_matter(self, path: Path) -> tuple[_Record | None, str]:
        text = path.read_text(encoding="utf-8")
        rel = self.rel(path)
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.problem(rel, 1, "no YAML front matter: the file must start with a line '---'")
            return None, ""
        try:
            end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
        except StopIteration:
            self.problem(rel, 1, "front matter is not closed by a line '---'")
            return None, ""
        node, data = self.read_yaml(path, "\n".join(lines[1:end]), line_offset=1)
        if node is None:
            return None, ""
        if not isinstance(data, dict):
            self.problem(rel, 2, "front matter must be a mapping of fields")
            return None, ""
        record = _Record(rel, data, _key_lines(node, offset=2), first_line=1)
        return record, "\n".join(lines[end + 1 :])

    def check_fields(self, record: _Record, spec: dict) -> bool:
        ok = True
        for name, (types, required) in spec.items():
            if name not in record.data:
                if required:
                    self.problem(record.path, record.first_line, f"missing field '{name}'")
                    ok = False
                continue
            value = record.data[name]
            # bool is an int in Python; a "yes" in an int field is still a mistake
            if not isinstance(value, types) or (isinstance(value, bool) and types is int):
                self.problem(record.path, record.line(name), f"field '{name}' {_expected(types)}")
                ok = False
        for name in record.data.keys() - spec.keys():
            self.problem(record.path, record.line(name), f"unknown field '{name}'")
            ok = False
        slug = record.data.get("slug")
        if isinstance(slug, str) and not SLUG_RE.match(slug):
            self.problem(
                record.path,
                record.line("slug"),
                f"slug '{slug}' must be lowercase-with-dashes",
            )
            ok = False
        return ok

    def check_string_list(self, record: _Record, key: str) -> tuple[str, ...]:
        values = record.data.get(key) or []
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.problem(record.path, record.line(key), f"field '{key}' must list non-empty text")
            return ()
        return tuple(values)

    # -- files -------------------------------------------------------------------

    def read_list_file(self, name: str, key: str, spec: dict) -> list[_Record]:
        path = self.root / name
        if not path.exists():
            self.problem(self.rel(path), None, "file is missing")
            return []
        node, data = self.read_yaml(path, path.read_text(encoding="utf-8"))
        if node is None:
            return []
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.problem(self.rel(path), 1, f"the file must hold a list under '{key}:'")
            return []
        item_nodes = _mapping_value(node, key).value
        records = []
        for item, item_node in zip(items, item_nodes, strict=True):
            first_line = item_node.start_mark.line + 1
            if not isinstance(item, dict):
                self.problem(self.rel(path), first_line, "each entry must be a mapping")
                continue
            record = _Record(self.rel(path), item, _key_lines(item_node, 1), first_line)
            if self.check_fields(record, spec):
                records.append(record)
        return records


def _key_lines(node, offset: int) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + offset for key, _ in node.value}


def _mapping_value(node, key: str):
    return next(value for k, value in node.value if k.value == key)


def _expected(types) -> str:
    names = {str: "text", int: "a whole number", list: "a list", bool: "true or false"}
    if isinstance(types, tuple):
        return "must be " + " or ".join(names.get(t, "empty") for t in types)
    return f"must be {names[types]}"


def load_curriculum(
    content_dir: str | Path, known_quizzes: frozenset[str] = frozenset()
) -> Curriculum:
    """Load and validate content/; raise ContentError listing every problem found."""
    reader = _Reader(Path(content_dir).resolve())
    if not reader.root.is_dir():
        raise ContentError([Problem(str(content_dir), None, "content folder not found")])
    videos = _load_videos(reader)
    handouts = _load_handouts(reader)
    level_records = reader.read_list_file(LEVELS_FILE, "levels", LEVEL_FIELDS)
    _check_unique(reader, level_records, "slug", "level")
    known_levels = {record.data["slug"] for record in level_records}
    seen_units: dict[str, str] = {}
    levels = []
    for record in level_records:
        requires = record.data.get("requires")
        if requires is not None and requires not in known_levels:
            reader.problem(record.path, record.line("requires"), f"unknown level '{requires}'")
        units = _load_units(
            reader, record.data["slug"], seen_units, handouts, videos, known_quizzes
        )
        levels.append(
            Level(
                slug=record.data["slug"],
                number=record.data["number"],
                title=record.data["title"],
                summary=record.data["summary"],
                requires=requires,
                invitation_only=record.data.get("invitation_only", False),
                units=units,
            )
        )
    if reader.problems:
        raise ContentError(reader.problems)
    return Curriculum(
        levels=tuple(sorted(levels, key=lambda lv: lv.number)),
        handouts=handouts,
        videos=videos,
    )


_cache: dict[tuple, Curriculum] = {}


def load_curriculum_cached(content_dir: str | Path, known_quizzes=frozenset()) -> Curriculum:
    """Load content/ once per process while its files are unchanged.

    Apps built again in the same process (tests, the CLI) reuse the parsed curriculum;
    any edit, added or removed file changes the fingerprint and forces a fresh load.
    """
    root = Path(content_dir).resolve()
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    fingerprint = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    key = (str(root), frozenset(known_quizzes), fingerprint)
    if key not in _cache:
        _cache.clear()  # keep only the latest: one content folder per process in practice
        _cache[key] = load_curriculum(root, known_quizzes)
    return _cache[key]


def _check_unique(reader: _Reader, records: list[_Record], key: str, what: str) -> None:
    seen: set = set()
    for record in records:
        value = record.data[key]
        if value in seen:
            reader.problem(record.path, record.line(key), f"duplicate {what} {key} '{value}'")
        seen.add(value)


def _load_videos(reader: _Reader) -> dict[str, Video]:
    records = reader.read_list_file(VIDEOS_FILE, "videos", VIDEO_FIELDS)
    _check_unique(reader, records, "slug", "video")
    videos = {}
    for record in records:
        if ("file" in record.data) == ("url" in record.data):
            reader.problem(
                record.path,
                record.first_line,
                "a video needs either 'file' or 'url', not both",
            )
            continue
        videos[record.data["slug"]] = Video(**record.data)
    return videos


def _load_handouts(reader: _Reader) -> dict[str, Handout]:
    handouts: dict[str, Handout] = {}
    for path in sorted((reader.root / HANDOUTS_DIR).glob("*.md")):
        record, body = reader.read_front_matter(path)
        if record is None or not reader.check_fields(record, HANDOUT_FIELDS):
            continue
        slug = record.data["slug"]
        if slug in handouts:
            reader.problem(
                record.path,
                record.line("slug"),
                f"duplicate handout slug '{slug}' (also in {handouts[slug].source})",
            )
            continue
        handouts[slug] = Handout(
            slug=slug,
            title=record.data["title"],
            summary=record.data["summary"],
            html=render_markdown(body),
            source=record.path,
        )
    return handouts


def _load_units(
    reader, level_slug, seen_units, handouts, videos, known_quizzes
) -> tuple[Unit, ...]:
    units: list[Unit] = []
    orders: dict[int, str] = {}
    weeks: dict[int, str] = {}
    for path in sorted((reader.root / level_slug).glob("*.md")):
        record, body = reader.read_front_matter(path)
        if record is None or not reader.check_fields(record, UNIT_FIELDS):
            continue
        unit = _build_unit(reader, record, body, level_slug, handouts, videos, known_quizzes)
        if unit is None:
            continue
        if unit.slug in seen_units:
            reader.problem(
                record.path,
                record.line("slug"),
                f"duplicate unit slug '{unit.slug}' (also in {seen_units[unit.slug]})",
            )
            continue
        if unit.order in orders:
            reader.problem(
                record.path,
                record.line("order"),
                f"order {unit.order} is also used by {orders[unit.order]}",
            )
            continue
        if unit.week is not None and unit.week in weeks:
            reader.problem(
                record.path,
                record.line("week"),
                f"week {unit.week} is also used by {weeks[unit.week]}",
            )
            continue
        seen_units[unit.slug] = orders[unit.order] = record.path
        if unit.week is not None:
            weeks[unit.week] = record.path
        units.append(unit)
    return tuple(sorted(units, key=lambda unit: unit.order))


def _build_unit(reader, record, body, level_slug, handouts, videos, known_quizzes) -> Unit | None:
    data = record.data
    problems_before = len(reader.problems)
    try:
        kind = UnitKind(data["kind"])
    except ValueError:
        allowed = ", ".join(kind.value for kind in UnitKind)
        reader.problem(
            record.path,
            record.line("kind"),
            f"unknown kind '{data['kind']}' (one of: {allowed})",
        )
        return None
    if kind.is_week and "week" not in data:
        reader.problem(
            record.path,
            record.first_line,
            f"missing field 'week' (required for a {kind})",
        )
    if not body.strip():
        reader.problem(record.path, None, "the unit has no text after its front matter")
    unit_handouts = reader.check_string_list(record, "handouts")
    unit_videos = reader.check_string_list(record, "videos")
    for slug in unit_handouts:
        if slug not in handouts:
            reader.problem(record.path, record.line("handouts"), f"unknown handout '{slug}'")
    for slug in unit_videos:
        if slug not in videos:
            reader.problem(record.path, record.line("videos"), f"unknown video '{slug}'")
    quiz = data.get("quiz")
    if quiz is not None and quiz not in known_quizzes:
        reader.problem(record.path, record.line("quiz"), f"unknown quiz '{quiz}'")
    prompts = reader.check_string_list(record, "reflection_prompts")
    if len(reader.problems) > problems_before:
        return None
    return Unit(
        slug=data["slug"],
        title=data["title"],
        kind=kind,
        order=data["order"],
        level=level_slug,
        summary=data["summary"],
        html=render_markdown(body),
        source=record.path,
        week=data.get("week"),
        handouts=unit_handouts,
        reflection_prompts=prompts,
        videos=unit_videos,
        quiz=quiz,
    )
