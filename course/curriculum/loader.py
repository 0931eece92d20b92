"""Build the Curriculum from content/, checking every reference between files."""

from __future__ import annotations

from pathlib import Path

from course.curriculum.models import (
    RUBRIC_SCORES,
    Criterion,
    Curriculum,
    Handout,
    Level,
    Unit,
    UnitKind,
    Video,
)
from course.curriculum.reader import ContentError, Problem, Reader, Record
from course.markup import render_markdown

__all__ = ["ContentError", "Problem", "load_curriculum", "load_curriculum_cached"]

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
    "observe_prompts": (list, False),
    "focus": (str, False),
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
CRITERION_FIELDS = {
    "slug": (str, True),
    "title": (str, True),
    "question": (str, True),
    "levels": (dict, True),
}
RUBRIC_FILE = "rubric.yaml"
VIDEO_FIELDS = {
    "slug": (str, True),
    "title": (str, True),
    "description": (str, True),
    "duration_seconds": (int, True),
    "captions": (str, True),
    "file": (str, False),
    "url": (str, False),
}


def load_curriculum(
    content_dir: str | Path, known_quizzes: frozenset[str] = frozenset()
) -> Curriculum:
    """Load and validate content/; raise ContentError listing every problem found."""
    reader = Reader(Path(content_dir).resolve())
    if not reader.root.is_dir():
        raise ContentError([Problem(str(content_dir), None, "content folder not found")])
    videos = _load_videos(reader)
    handouts = _load_handouts(reader)
    level_records = reader.read_list_file(LEVELS_FILE, "levels", LEVEL_FIELDS)
    if not level_records and not reader.problems:
        reader.problem(f"{reader.root.name}/{LEVELS_FILE}", 1, "no levels are defined")
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
    rubric = _load_rubric(reader)
    if reader.problems:
        raise ContentError(reader.problems)
    return Curriculum(
        rubric=rubric,
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


def _check_unique(reader: Reader, records: list[Record], key: str, what: str) -> None:
    seen: set = set()
    for record in records:
        value = record.data[key]
        if value in seen:
            reader.problem(record.path, record.line(key), f"duplicate {what} {key} '{value}'")
        seen.add(value)


def _load_videos(reader: Reader) -> dict[str, Video]:
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
        captions = reader.root / record.data["captions"]
        if not captions.is_file():
            reader.problem(
                record.path,
                record.line("captions"),
                f"captions file {record.data['captions']} not found",
            )
            continue
        if not captions.read_text(encoding="utf-8", errors="replace").startswith("WEBVTT"):
            reader.problem(
                record.path, record.line("captions"), f"{record.data['captions']} is not WebVTT"
            )
            continue
        videos[record.data["slug"]] = Video(**record.data)
    return videos


def _load_rubric(reader: Reader) -> tuple[Criterion, ...]:
    records = reader.read_list_file(RUBRIC_FILE, "criteria", CRITERION_FIELDS)
    _check_unique(reader, records, "slug", "criterion")
    criteria = []
    for record in records:
        levels = record.data["levels"]
        if set(levels) != set(RUBRIC_SCORES) or not all(
            isinstance(text, str) and text.strip() for text in levels.values()
        ):
            reader.problem(
                record.path, record.line("levels"), "levels must describe each score 1, 2, 3 and 4"
            )
            continue
        criteria.append(
            Criterion(
                slug=record.data["slug"],
                title=record.data["title"],
                question=record.data["question"],
                levels=tuple(levels[score] for score in RUBRIC_SCORES),
            )
        )
    return tuple(criteria)


def _load_handouts(reader: Reader) -> dict[str, Handout]:
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
    observe_prompts = reader.check_string_list(record, "observe_prompts")
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
        observe_prompts=observe_prompts,
        focus=data.get("focus"),
        videos=unit_videos,
        quiz=quiz,
    )
