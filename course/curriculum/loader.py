"""Build the Curriculum from content/, checking every reference between files."""

from __future__ import annotations

from pathlib import Path

from course.curriculum.captions import check_captions
from course.curriculum.models import (
    HANDOUT_AGES,
    HANDOUT_AUDIENCES,
    HANDOUT_LANGUAGES,
    RUBRIC_SCORES,
    Criterion,
    Curriculum,
    Handout,
    HandoutText,
    Level,
    ObservePrompt,
    ScoredExample,
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
    "film_brief": (str, False),
    "quiz": ((str, type(None)), False),
}
TRANSLATION_FIELDS = {"slug": (str, True), "title": (str, True), "summary": (str, True)}
HANDOUT_FIELDS = {
    **TRANSLATION_FIELDS,
    "topic": (str, True),
    "ages": (list, True),
    "audience": (str, True),
    "variant_of": (str, False),
}
# Handouts for parents must also be written in each of these languages.
PARENT_HANDOUT_LANGUAGES = ("es",)
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
    "not_applicable_in": (list, False),
    "examples": (list, True),
}
EXAMPLE_FIELDS = {"score": (int, True), "excerpt": (str, True), "why": (str, True)}
EXAMPLES_PER_CRITERION = (2, 3)
RUBRIC_FILE = "rubric.yaml"
VIDEO_FIELDS = {
    "slug": (str, True),
    "title": (str, True),
    "description": (str, True),
    "duration_seconds": (int, True),
    "captions": (dict, True),
    "units": (list, True),
    "guide": (str, False),
    "file": (str, True),
}


def load_curriculum(
    content_dir: str | Path, known_quizzes: frozenset[str] = frozenset()
) -> Curriculum:
    """Load and validate content/; raise ContentError listing every problem found."""
    reader = Reader(Path(content_dir).resolve())
    if not reader.root.is_dir():
        raise ContentError([Problem(str(content_dir), None, "content folder not found")])
    videos, unit_lines = _load_videos(reader)
    handouts = _load_handouts(reader)
    levels_file = f"{reader.root.name}/{LEVELS_FILE}"
    level_records = reader.read_list_file(LEVELS_FILE, "levels", LEVEL_FIELDS)
    if not level_records and not any(p.path == levels_file for p in reader.problems):
        reader.problem(levels_file, 1, "no levels are defined")
    _check_unique(reader, level_records, "slug", "level")
    known_levels = {record.data["slug"] for record in level_records}
    seen_units: dict[str, str] = {}
    levels = []
    for record in level_records:
        requires = record.data.get("requires")
        if requires is not None and requires not in known_levels:
            reader.problem(record.path, record.line("requires"), f"unknown level '{requires}'")
        units = _load_units(reader, record.data["slug"], seen_units, handouts, known_quizzes)
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
    _check_film_units(reader, videos, seen_units, unit_lines)
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


def _load_videos(reader: Reader) -> tuple[dict[str, Video], dict[str, int]]:
    """The practice films, with the line of each one's ``units`` (checked later)."""
    records = reader.read_list_file(VIDEOS_FILE, "videos", VIDEO_FIELDS)
    _check_unique(reader, records, "slug", "video")
    videos, unit_lines = {}, {}
    for record in records:
        captions = record.data["captions"]
        if "en" not in captions:
            reader.problem(record.path, record.line("captions"), "captions need an 'en' file")
        problems_before = len(reader.problems)
        for language, name in captions.items():
            _check_caption_file(reader, record, language, name)
        units = reader.check_string_list(record, "units")
        if len(reader.problems) > problems_before or "en" not in captions:
            continue
        videos[record.data["slug"]] = Video(**{**record.data, "units": units})
        unit_lines[record.data["slug"]] = record.line("units")
    return videos, unit_lines


def _check_caption_file(reader: Reader, record: Record, language, name) -> None:
    where = record.line("captions")
    if language not in HANDOUT_LANGUAGES:
        known = ", ".join(HANDOUT_LANGUAGES)
        reader.problem(record.path, where, f"captions: '{language}' must be one of {known}")
        return
    if not isinstance(name, str) or not name.strip():
        reader.problem(record.path, where, f"captions: '{language}' needs a file name")
        return
    path = reader.root / name
    if not path.is_file():
        reader.problem(record.path, where, f"captions file {name} not found")
        return
    check = check_captions(
        path.read_text(encoding="utf-8", errors="replace"), record.data["duration_seconds"]
    )
    for problem in check.problems:
        reader.problem(record.path, where, f"{name}: {problem}")


def _check_film_units(reader: Reader, videos, units: dict[str, str], lines) -> None:
    """Each practice film names the weeks it is shown in; those must exist."""
    for video in videos.values():
        for slug in video.units:
            if slug not in units:
                reader.problem(
                    f"{reader.root.name}/{VIDEOS_FILE}",
                    lines[video.slug],
                    f"film {video.slug}: unknown unit '{slug}'",
                )


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
        not_applicable = _unit_kinds(reader, record, "not_applicable_in")
        examples = _scored_examples(reader, record)
        if not_applicable is None or examples is None:
            continue
        criteria.append(
            Criterion(
                slug=record.data["slug"],
                title=record.data["title"],
                question=record.data["question"],
                levels=tuple(levels[score] for score in RUBRIC_SCORES),
                not_applicable_in=not_applicable,
                examples=examples,
            )
        )
    return tuple(criteria)


def _unit_kinds(reader: Reader, record: Record, key: str) -> frozenset[UnitKind] | None:
    """A criterion may be marked not applicable only in weeks of the kinds listed."""
    weeks = [kind.value for kind in UnitKind if kind.is_week]
    names = reader.check_string_list(record, key)
    if any(name not in weeks for name in names):
        reader.problem(record.path, record.line(key), f"{key} lists week kinds: {', '.join(weeks)}")
        return None
    return frozenset(UnitKind(name) for name in names)


def _scored_examples(reader: Reader, record: Record) -> tuple[ScoredExample, ...] | None:
    items = record.data["examples"]
    fewest, most = EXAMPLES_PER_CRITERION
    if not fewest <= len(items) <= most:
        reader.problem(
            record.path, record.line("examples"), f"give {fewest} or {most} scored examples"
        )
        return None
    examples = []
    for item in items:
        if not isinstance(item, dict):
            reader.problem(record.path, record.line("examples"), "each example is a mapping")
            return None
        if not reader.check_fields(
            Record(record.path, item, {}, record.line("examples")), EXAMPLE_FIELDS
        ):
            return None
        if item["score"] not in RUBRIC_SCORES:
            reader.problem(record.path, record.line("examples"), "an example's score is 1 to 4")
            return None
        examples.append(ScoredExample(item["score"], item["excerpt"].strip(), item["why"].strip()))
    return tuple(sorted(examples, key=lambda example: example.score))


def _load_handouts(reader: Reader) -> dict[str, Handout]:
    translations = _load_translations(reader)
    handouts: dict[str, Handout] = {}
    variant_lines: dict[str, int] = {}
    for path in sorted((reader.root / HANDOUTS_DIR).glob("*.md")):
        record, body = reader.read_front_matter(path)
        if record is None or not reader.check_fields(record, HANDOUT_FIELDS):
            continue
        data = record.data
        slug = data["slug"]
        if slug in handouts:
            reader.problem(
                record.path,
                record.line("slug"),
                f"duplicate handout slug '{slug}' (also in {handouts[slug].source})",
            )
            continue
        if not _handout_labels_known(reader, record):
            continue
        written_in = translations.get(slug, {})
        for language in PARENT_HANDOUT_LANGUAGES if data["audience"] == "parents" else ():
            if language not in written_in:
                reader.problem(
                    record.path,
                    record.first_line,
                    f"a handout for parents needs a version in '{language}' "
                    f"({HANDOUTS_DIR}/{language}/{slug}.md)",
                )
        variant_lines[slug] = record.line("variant_of")
        handouts[slug] = Handout(
            slug=slug,
            title=data["title"],
            summary=data["summary"],
            html=render_markdown(body),
            source=record.path,
            topic=data["topic"],
            ages=tuple(data["ages"]),
            audience=data["audience"],
            variant_of=data.get("variant_of"),
            translations=written_in,
        )
    for slug, texts in translations.items():
        for text in texts.values() if slug not in handouts else ():
            reader.problem(text.source, 1, f"no English handout '{slug}' to translate")
    for handout in handouts.values():
        if handout.variant_of and handout.variant_of not in handouts:
            reader.problem(
                handout.source,
                variant_lines[handout.slug],
                f"variant_of: unknown handout '{handout.variant_of}'",
            )
    return handouts


def _handout_labels_known(reader: Reader, record: Record) -> bool:
    data = record.data
    ok = True
    if data["audience"] not in HANDOUT_AUDIENCES:
        known = ", ".join(HANDOUT_AUDIENCES)
        reader.problem(record.path, record.line("audience"), f"audience must be one of: {known}")
        ok = False
    ages = reader.check_string_list(record, "ages")
    if not ages or any(age not in HANDOUT_AGES for age in ages):
        known = ", ".join(HANDOUT_AGES)
        reader.problem(record.path, record.line("ages"), f"ages lists one or more of: {known}")
        ok = False
    return ok


def _load_translations(reader: Reader) -> dict[str, dict[str, HandoutText]]:
    """handouts/<language>/<slug>.md, by slug and language."""
    found: dict[str, dict[str, HandoutText]] = {}
    for language in sorted(set(HANDOUT_LANGUAGES) - {"en"}):
        for path in sorted((reader.root / HANDOUTS_DIR / language).glob("*.md")):
            record, body = reader.read_front_matter(path)
            if record is None or not reader.check_fields(record, TRANSLATION_FIELDS):
                continue
            if record.data["slug"] != path.stem:
                reader.problem(
                    record.path, record.line("slug"), f"slug must be '{path.stem}', as the file"
                )
                continue
            found.setdefault(path.stem, {})[language] = HandoutText(
                language,
                record.data["title"],
                record.data["summary"],
                render_markdown(body),
                record.path,
            )
    return found


def _load_units(reader, level_slug, seen_units, handouts, known_quizzes) -> tuple[Unit, ...]:
    units: list[Unit] = []
    orders: dict[int, str] = {}
    weeks: dict[int, str] = {}
    for path in sorted((reader.root / level_slug).glob("*.md")):
        record, body = reader.read_front_matter(path)
        if record is None or not reader.check_fields(record, UNIT_FIELDS):
            continue
        unit = _build_unit(reader, record, body, level_slug, handouts, known_quizzes)
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


def _build_unit(reader, record, body, level_slug, handouts, known_quizzes) -> Unit | None:
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
    if kind == UnitKind.VIDEO_WEEK and "film_brief" not in data:
        reader.problem(
            record.path,
            record.first_line,
            "missing field 'film_brief' (what kind of film a video_week needs)",
        )
    unit_handouts = reader.check_string_list(record, "handouts")
    for slug in unit_handouts:
        if slug not in handouts:
            reader.problem(record.path, record.line("handouts"), f"unknown handout '{slug}'")
    quiz = data.get("quiz")
    if quiz is not None and quiz not in known_quizzes:
        reader.problem(record.path, record.line("quiz"), f"unknown quiz '{quiz}'")
    prompts = reader.check_string_list(record, "reflection_prompts")
    observe_prompts = _observe_prompts(reader, record, needs_keys=kind == UnitKind.VIDEO_WEEK)
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
        film_brief=data.get("film_brief"),
        quiz=quiz,
    )


OBSERVE_FIELDS = {"prompt": (str, True), "answers_may_include": (list, True)}


def _observe_prompts(reader: Reader, record: Record, needs_keys: bool) -> tuple[ObservePrompt, ...]:
    """Each prompt is text, or {prompt, answers_may_include} with notes for the mentor;
    a film week's prompts all need the notes."""
    prompts = []
    for item in record.data.get("observe_prompts") or []:
        if isinstance(item, str) and item.strip() and not needs_keys:
            prompts.append(ObservePrompt(item.strip()))
            continue
        if not isinstance(item, dict):
            reader.problem(
                record.path,
                record.line("observe_prompts"),
                "observe_prompts: each needs 'prompt' and 'answers_may_include' (mentor notes)"
                if needs_keys
                else "observe_prompts: each is text or a mapping with 'prompt'",
            )
            continue
        entry = Record(record.path, item, {}, record.line("observe_prompts"))
        fields = {**OBSERVE_FIELDS, "answers_may_include": (list, needs_keys)}
        if not reader.check_fields(entry, fields):
            continue
        problems_before = len(reader.problems)
        notes = reader.check_string_list(entry, "answers_may_include")
        if len(reader.problems) > problems_before:
            continue
        if not notes and needs_keys:
            reader.problem(
                record.path,
                record.line("observe_prompts"),
                f"no answers_may_include for '{item['prompt'][:40]}'",
            )
            continue
        prompts.append(ObservePrompt(item["prompt"].strip(), tuple(n.strip() for n in notes)))
    return tuple(prompts)
