"""The curriculum loader: the real content/ and small content folders built in tmp_path.

Paths in problems are ``<content-folder-name>/<relative path>``; the small trees are
written to ``tmp_path / "content"`` so they read "content/level-1/01-first-module.md".
"""

import re
from pathlib import Path

import pytest
import yaml

from app import create_app
from config import TestConfig
from course.curriculum.captions import COVERAGE_SLACK_SECONDS, check_captions
from course.curriculum.loader import ContentError, Problem, load_curriculum
from course.curriculum.models import (
    HANDOUT_AGES,
    HANDOUT_AUDIENCES,
    HANDOUT_LANGUAGES,
    RUBRIC_SCORES,
    Curriculum,
    ObservePrompt,
    ScoredExample,
    UnitKind,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_CONTENT = REPO_ROOT / "content"

LEVEL_1_TITLES = [
    "Elements of a Healthy Relationship",
    "Attachment Theory and Secure Relationships",
    "Reflective Capacity Building",
    "Development of Self for Infants and Toddlers",
    "PFR Consultation Strategies",
    "Challenging Behaviors",
    "Intervention Planning Development",
]
MODULE_SECTIONS = ["Key ideas", "From a home visit", "Try this"]
ORIGINAL_CRITERIA = [
    "objective-observation",
    "cues-and-needs",
    "strengths-based-feedback",
    "reflective-capacity",
    "next-steps",
]
ADDED_CRITERIA = ["wondering-stance", "empathic-reflection", "joint-viewing"]

# -- a minimal valid tree --------------------------------------------------------------
# Line numbers matter: the tests below name the line each field sits on.

LEVELS = "content/levels.yaml"
VIDEOS = "content/videos.yaml"
RUBRIC = "content/rubric.yaml"
MODULE = "content/level-1/01-first-module.md"
WEEK = "content/level-2/01-week-one.md"
HANDOUT = "content/handouts/first-handout.md"
HANDOUT_ES = "content/handouts/es/first-handout.md"
CAPTIONS = "captions/bath-time.vtt"  # as videos.yaml names it, and as problems quote it

# The practice film runs 20 s and its two cues cover all of it.
GOOD_CAPTIONS = (
    "WEBVTT\n\n00:00.000 --> 00:10.000\n[water splashing]\n\n00:10.000 --> 00:20.000\nSplash!\n"
)
WEEK_PROMPT = "What does the toddler do when the water splashes?"

MINIMAL_TREE = {
    "levels.yaml": (
        "levels:\n"  # 1
        "  - slug: level-1\n"  # 2
        "    number: 1\n"  # 3
        "    title: Level 1\n"  # 4
        "    summary: First.\n"  # 5
        "    requires: null\n"  # 6
        "  - slug: level-2\n"  # 7
        "    number: 2\n"  # 8
        "    title: Level 2\n"  # 9
        "    summary: Second.\n"  # 10
        "    requires: level-1\n"  # 11
        "  - slug: level-3\n"  # 12
        "    number: 3\n"  # 13
        "    title: Level 3\n"  # 14
        "    summary: Third.\n"  # 15
        "    requires: level-2\n"  # 16
        "    invitation_only: true\n"  # 17
    ),
    "videos.yaml": (
        "videos:\n"  # 1
        "  - slug: bath-time\n"  # 2
        "    title: Bath time\n"  # 3
        "    description: A father and his toddler at bath time.\n"  # 4
        "    duration_seconds: 20\n"  # 5
        "    captions:\n"  # 6
        "      en: captions/bath-time.vtt\n"  # 7
        "    units: [week-one]\n"  # 8
        "    guide: Watch his hands at 0:05.\n"  # 9
        "    file: curriculum/bath-time.mp4\n"  # 10
    ),
    "captions/bath-time.vtt": GOOD_CAPTIONS,
    "rubric.yaml": (
        "criteria:\n"  # 1
        "  - slug: objective-observation\n"  # 2
        "    title: Objective observation\n"  # 3
        "    question: Does it describe what happened?\n"  # 4
        "    levels:\n"  # 5
        "      1: Impressions.\n"  # 6
        "      2: Some actions.\n"  # 7
        "      3: Clear actions.\n"  # 8
        "      4: Precise actions.\n"  # 9
        "    examples:\n"  # 10
        "      - score: 2\n"  # 11
        "        excerpt: She is a patient mom and he was full.\n"  # 12
        "        why: Feelings stated as fact.\n"  # 13
        "      - score: 4\n"  # 14
        "        excerpt: He turned his head away; she lowered the bottle.\n"  # 15
        "        why: Anyone watching could confirm each action.\n"  # 16
    ),
    "handouts/first-handout.md": (
        "---\n"  # 1
        "slug: first-handout\n"  # 2
        "title: A First Handout\n"  # 3
        "summary: What the handout is about.\n"  # 4
        "topic: Everyday connection\n"  # 5
        "ages: [infants, toddlers]\n"  # 6
        "audience: parents\n"  # 7
        "---\n"  # 8
        "\n"
        "## For you and your child\n"
        "\n"
        "Some warm words.\n"
    ),
    "handouts/es/first-handout.md": (
        "---\n"  # 1
        "slug: first-handout\n"  # 2
        "title: Un primer folleto\n"  # 3
        "summary: De qué trata el folleto.\n"  # 4
        "---\n"  # 5
        "\n"
        "## Para usted y su niño\n"
        "\n"
        "Unas palabras cálidas.\n"
    ),
    "level-1/01-first-module.md": (
        "---\n"  # 1
        "slug: first-module\n"  # 2
        "title: First Module\n"  # 3
        "kind: module\n"  # 4
        "order: 1\n"  # 5
        "summary: The first module.\n"  # 6
        "handouts: [first-handout]\n"  # 7
        "reflection_prompts:\n"  # 8
        "  - What did you notice?\n"  # 9
        "quiz: null\n"  # 10
        "---\n"  # 11
        "\n"
        "## Key ideas\n"
        "\n"
        "Some teaching text.\n"
    ),
    "level-2/01-week-one.md": (
        "---\n"  # 1
        "slug: week-one\n"  # 2
        "title: Week One\n"  # 3
        "kind: video_week\n"  # 4
        "order: 1\n"  # 5
        "week: 1\n"  # 6
        "summary: Watch and reflect.\n"  # 7
        "film_brief: A calm film of a parent and a toddler at bath time.\n"  # 8
        "observe_prompts:\n"  # 9
        f"  - prompt: {WEEK_PROMPT}\n"  # 10
        "    answers_may_include:\n"  # 11
        "      - He looks up at his father's face\n"  # 12
        "---\n"  # 13
        "\n"
        "Watch the film with your mentor.\n"
    ),
}

# A week whose film, bath-time, is rejected is reported by the film too.
FILM_WEEK_REJECTED = Problem(VIDEOS, 8, "film bath-time: unknown unit 'week-one'")
# A handout rejected leaves its Spanish version and the module naming it without it.
HANDOUT_REJECTED = [
    Problem(HANDOUT_ES, 1, "no English handout 'first-handout' to translate"),
    Problem(MODULE, 7, "unknown handout 'first-handout'"),
]


def make_content(tmp_path: Path) -> Path:
    """Write the minimal valid tree to tmp_path/content and return that folder."""
    root = tmp_path / "content"
    for rel, text in MINIMAL_TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "level-3").mkdir()
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be present) by ``new`` in root/rel."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def problems_of(root: Path, known_quizzes: frozenset[str] = frozenset()) -> list[Problem]:
    """Load root, which must fail, and return the problems reported."""
    with pytest.raises(ContentError) as excinfo:
        load_curriculum(root, known_quizzes)
    return excinfo.value.problems


def front_matter_and_body(path: Path) -> tuple[dict, str]:
    """Re-read a Markdown file independently of the loader."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return yaml.safe_load("\n".join(lines[1:end])), "\n".join(lines[end + 1 :])


def count_words(markdown_text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", markdown_text))


def vtt(*cues: tuple[str, str]) -> str:
    """A WebVTT file with one cue per (start, end)."""
    return "WEBVTT\n" + "".join(f"\n{start} --> {end}\nWords.\n" for start, end in cues)


# -- the real content/ -----------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Curriculum:
    quizzes = frozenset(path.stem for path in (REAL_CONTENT / "quizzes").glob("*.yaml"))
    return load_curriculum(REAL_CONTENT, quizzes)


def real_units(curriculum: Curriculum):
    return [unit for level in curriculum.levels for unit in level.units]


def test_real_content_has_three_levels_in_order(real):
    assert [level.slug for level in real.levels] == ["level-1", "level-2", "level-3"]
    assert [level.number for level in real.levels] == [1, 2, 3]


def test_real_content_level_1_has_the_seven_modules_in_order(real):
    units = real.level("level-1").units
    assert [unit.title for unit in units] == LEVEL_1_TITLES
    assert [unit.order for unit in units] == [1, 2, 3, 4, 5, 6, 7]
    assert all(unit.kind is UnitKind.MODULE for unit in units)
    assert all(unit.level == "level-1" for unit in units)


def test_real_content_modules_have_at_least_700_words(real):
    counts = {}
    for unit in real.level("level-1").units:
        _, body = front_matter_and_body(REPO_ROOT / unit.source)
        counts[unit.slug] = count_words(body)
    short = {slug: words for slug, words in counts.items() if words < 700}
    assert len(counts) == 7
    assert short == {}


def test_real_content_modules_have_the_three_sections_in_order(real):
    for unit in real.level("level-1").units:
        _, body = front_matter_and_body(REPO_ROOT / unit.source)
        positions = []
        for section in MODULE_SECTIONS:
            match = re.search(rf"^## {re.escape(section)}\s*$", body, re.MULTILINE)
            assert match, f"{unit.source} has no '## {section}' section"
            positions.append(match.start())
        assert positions == sorted(positions), f"{unit.source}: sections out of order"


def test_real_content_modules_have_reflection_prompts_and_handouts(real):
    for unit in real.level("level-1").units:
        assert len(unit.reflection_prompts) >= 3, unit.source
        assert all(prompt.strip() for prompt in unit.reflection_prompts), unit.source
        assert unit.handouts, f"{unit.source} names no handout"
        for slug in unit.handouts:
            assert slug in real.handouts, f"{unit.source}: handout {slug} not loaded"
            assert (REPO_ROOT / real.handouts[slug].source).is_file()


def test_real_content_levels_require_the_previous_level(real):
    level_1, level_2, level_3 = real.levels
    assert level_1.requires is None
    assert level_2.requires == "level-1"
    assert level_3.requires == "level-2"
    assert level_3.invitation_only is True
    assert level_1.invitation_only is False
    assert level_2.invitation_only is False


def test_real_content_film_weeks_have_a_brief_and_prompts_with_mentor_notes(real):
    film_weeks = [unit for unit in real_units(real) if unit.kind is UnitKind.VIDEO_WEEK]
    assert film_weeks, "no video_week in content/"
    assert real.units_with_films() == film_weeks
    for unit in film_weeks:
        assert unit.film_brief and unit.film_brief.strip(), unit.source
        assert unit.observe_prompts, f"{unit.source} has no observe prompts"
        for prompt in unit.observe_prompts:
            assert prompt.text.strip(), unit.source
            assert prompt.answers_may_include, f"{unit.source}: no notes for {prompt.text!r}"
            assert all(note.strip() for note in prompt.answers_may_include), unit.source


def test_real_content_film_weeks_each_show_a_practice_film(real):
    film_weeks = {unit.slug for unit in real_units(real) if unit.kind is UnitKind.VIDEO_WEEK}
    shown_in = {slug for video in real.videos.values() for slug in video.units}
    assert film_weeks <= shown_in, f"film weeks with no practice film: {film_weeks - shown_in}"
    for video in real.videos.values():
        assert video.units, f"film {video.slug} is shown in no unit"
        for slug in video.units:
            assert real.unit(slug).kind is UnitKind.VIDEO_WEEK, f"film {video.slug} in {slug}"


def test_real_content_practice_film_captions_cover_each_film(real):
    assert real.videos
    for video in real.videos.values():
        assert "en" in video.captions, video.slug
        assert set(video.captions) <= set(HANDOUT_LANGUAGES), video.slug
        assert video.file, video.slug
        for language, name in video.captions.items():
            path = REAL_CONTENT / name
            assert path.is_file(), f"{video.slug}: {name} missing"
            check = check_captions(path.read_text(encoding="utf-8"), video.duration_seconds)
            assert check.problems == (), f"{video.slug} ({language}): {check.problems}"
            assert abs(check.last_end - video.duration_seconds) <= COVERAGE_SLACK_SECONDS


def test_real_content_handouts_are_labelled(real):
    assert real.handouts
    for handout in real.handouts.values():
        assert handout.topic.strip(), handout.source
        assert handout.audience in HANDOUT_AUDIENCES, handout.source
        assert handout.ages and set(handout.ages) <= set(HANDOUT_AGES), handout.source
        if handout.variant_of:
            original = real.handouts[handout.variant_of]
            assert original.audience != handout.audience, handout.source
            assert original.topic == handout.topic, handout.source


# Other engineers are still writing the Spanish handouts; until every parent handout has
# one, the next test fails naming the handouts still missing theirs.
def test_real_content_every_parent_handout_has_a_spanish_version(real):
    parents = [h for h in real.handouts.values() if h.audience == "parents"]
    assert parents
    missing = [h.slug for h in parents if "es" not in h.languages]
    assert missing == []
    for handout in parents:
        spanish = handout.text("es")
        assert spanish.language == "es"
        assert spanish.source == f"content/handouts/es/{handout.slug}.md"
        assert spanish.title != handout.title, f"{spanish.source} is not translated"
        assert spanish.html.strip(), spanish.source


def test_real_content_spanish_handouts_each_translate_an_english_one(real):
    spanish_files = {path.stem for path in (REAL_CONTENT / "handouts" / "es").glob("*.md")}
    translated = {slug for slug, h in real.handouts.items() if "es" in h.languages}
    assert spanish_files == translated


def test_real_rubric_keeps_the_five_pfr_criteria_first(real):
    slugs = [c.slug for c in real.rubric]
    assert slugs[:5] == ORIGINAL_CRITERIA
    assert set(ADDED_CRITERIA) <= set(slugs[5:])
    assert len(slugs) == len(set(slugs))
    assert all(len(c.levels) == 4 for c in real.rubric)


def test_real_rubric_criteria_each_have_two_or_three_scored_examples(real):
    for criterion in real.rubric:
        assert 2 <= len(criterion.examples) <= 3, criterion.slug
        scores = [example.score for example in criterion.examples]
        assert set(scores) <= set(RUBRIC_SCORES), criterion.slug
        assert scores == sorted(scores), criterion.slug
        assert all(e.excerpt.strip() and e.why.strip() for e in criterion.examples)


def test_real_rubric_is_only_ever_not_applicable_in_film_weeks(real):
    # In a practice week the trainee has a real caregiver, so every criterion applies;
    # strengths-based feedback applies in film weeks too.
    for criterion in real.rubric:
        assert criterion.not_applicable_in <= {UnitKind.VIDEO_WEEK}, criterion.slug
        assert not criterion.allows_not_applicable(UnitKind.PRACTICE_WEEK), criterion.slug
    by_slug = {c.slug: c for c in real.rubric}
    assert not by_slug["strengths-based-feedback"].allows_not_applicable(UnitKind.VIDEO_WEEK)
    assert by_slug["joint-viewing"].allows_not_applicable(UnitKind.VIDEO_WEEK)


# -- a minimal valid tree ----------------------------------------------------------------


def test_load_curriculum_minimal_tree_loads(tmp_path):
    curriculum = load_curriculum(make_content(tmp_path))

    module = curriculum.unit("first-module")
    assert module.title == "First Module"
    assert module.kind is UnitKind.MODULE
    assert module.level == "level-1"
    assert module.order == 1
    assert module.source == MODULE
    assert module.handouts == ("first-handout",)
    assert module.reflection_prompts == ("What did you notice?",)
    assert module.observe_prompts == ()
    assert module.film_brief is None
    assert module.quiz is None
    assert "<h2" in module.html and "Key ideas" in module.html

    week = curriculum.unit("week-one")
    assert week.kind is UnitKind.VIDEO_WEEK
    assert week.week == 1
    assert week.level == "level-2"
    assert week.film_brief == "A calm film of a parent and a toddler at bath time."
    assert week.observe_prompts == (
        ObservePrompt(WEEK_PROMPT, ("He looks up at his father's face",)),
    )
    assert str(week.observe_prompts[0]) == WEEK_PROMPT
    assert curriculum.units_with_films() == [week]

    assert curriculum.unit("no-such-unit") is None
    assert curriculum.level("level-2").units == (week,)
    assert curriculum.level("level-3").invitation_only is True
    assert curriculum.level("level-3").units == ()
    assert curriculum.level("level-9") is None

    handout = curriculum.handouts["first-handout"]
    assert handout.title == "A First Handout"
    assert handout.source == HANDOUT
    assert handout.topic == "Everyday connection"
    assert handout.ages == ("infants", "toddlers")
    assert handout.audience == "parents"
    assert handout.variant_of is None
    assert handout.languages == ("en", "es")

    video = curriculum.videos["bath-time"]
    assert video.file == "curriculum/bath-time.mp4"
    assert video.duration_seconds == 20
    assert video.captions == {"en": CAPTIONS}
    assert video.units == ("week-one",)
    assert video.guide == "Watch his hands at 0:05."


def test_handout_text_in_spanish_and_english_fallback(tmp_path):
    handout = load_curriculum(make_content(tmp_path)).handouts["first-handout"]

    spanish = handout.text("es")
    assert (spanish.language, spanish.title, spanish.summary, spanish.source) == (
        "es",
        "Un primer folleto",
        "De qué trata el folleto.",
        HANDOUT_ES,
    )
    assert "Para usted y su niño" in spanish.html
    assert "For you and your child" not in spanish.html

    for language in ("fr", "en", None):
        english = handout.text(language)
        assert (english.language, english.title, english.source) == (
            "en",
            "A First Handout",
            HANDOUT,
        )
        assert "For you and your child" in english.html


def test_curriculum_outline_minimal_tree_is_plain_data(tmp_path):
    outline = load_curriculum(make_content(tmp_path)).outline()
    assert outline == {
        "levels": [
            {
                "slug": "level-1",
                "number": 1,
                "title": "Level 1",
                "requires": None,
                "invitation_only": False,
                "units": [
                    {
                        "slug": "first-module",
                        "title": "First Module",
                        "kind": "module",
                        "order": 1,
                        "week": None,
                        "handouts": ["first-handout"],
                        "quiz": None,
                        "focus": None,
                        "film_brief": None,
                        "practice_films": [],
                        "observe_prompts": [],
                        "reflection_prompts": ["What did you notice?"],
                    }
                ],
            },
            {
                "slug": "level-2",
                "number": 2,
                "title": "Level 2",
                "requires": "level-1",
                "invitation_only": False,
                "units": [
                    {
                        "slug": "week-one",
                        "title": "Week One",
                        "kind": "video_week",
                        "order": 1,
                        "week": 1,
                        "handouts": [],
                        "quiz": None,
                        "focus": None,
                        "film_brief": "A calm film of a parent and a toddler at bath time.",
                        "practice_films": ["bath-time"],
                        "observe_prompts": [WEEK_PROMPT],
                        "reflection_prompts": [],
                    }
                ],
            },
            {
                "slug": "level-3",
                "number": 3,
                "title": "Level 3",
                "requires": "level-2",
                "invitation_only": True,
                "units": [],
            },
        ],
        "handouts": ["first-handout"],
        "videos": ["bath-time"],
        "rubric": ["objective-observation"],
    }


def test_load_curriculum_units_sorted_by_order_not_file_name(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-1/00-second.md",
        "---\nslug: second\ntitle: Second\nkind: module\norder: 2\nsummary: S.\n---\nText.\n",
    )
    units = load_curriculum(root).level("level-1").units
    assert [unit.slug for unit in units] == ["first-module", "second"]


# -- broken files ------------------------------------------------------------------------


def test_load_curriculum_missing_content_folder(tmp_path):
    missing = tmp_path / "nowhere"
    assert problems_of(missing) == [Problem(str(missing), None, "content folder not found")]


def test_load_curriculum_missing_required_field(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "title: First Module\n", "")
    assert problems_of(root) == [Problem(MODULE, 1, "missing field 'title'")]


def test_load_curriculum_unknown_field(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "level-1/01-first-module.md",
        "summary: The first module.\n",
        "summary: The first module.\ncolour: blue\n",
    )
    assert problems_of(root) == [Problem(MODULE, 7, "unknown field 'colour'")]


def test_load_curriculum_unit_videos_field_is_gone(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n", "videos: []\nquiz: null\n")
    assert problems_of(root) == [Problem(MODULE, 10, "unknown field 'videos'")]


def test_load_curriculum_wrong_type(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "order: 1\n", 'order: "two"\n')
    assert problems_of(root) == [Problem(MODULE, 5, "field 'order' must be a whole number")]


def test_load_curriculum_boolean_in_number_field(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "order: 1\n", "order: yes\n")
    assert problems_of(root) == [Problem(MODULE, 5, "field 'order' must be a whole number")]


def test_load_curriculum_bad_slug(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "slug: first-module\n", "slug: Bad Slug\n")
    assert problems_of(root) == [
        Problem(MODULE, 2, "slug 'Bad Slug' must be lowercase-with-dashes")
    ]


def test_load_curriculum_invalid_yaml_in_front_matter(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "title: First Module\n", "title: First: Module\n")
    [problem] = problems_of(root)
    assert (problem.path, problem.line) == (MODULE, 3)
    # PyYAML's pure-Python and libyaml parsers word the end of this message differently.
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")


def test_load_curriculum_invalid_yaml_in_levels_file(tmp_path):
    root = make_content(tmp_path)
    edit(root, "levels.yaml", "    title: Level 2\n", "    title: Level: 2\n")
    problem, *others = problems_of(root)
    assert (problem.path, problem.line) == (LEVELS, 9)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")
    # With no levels read there are no units, so the film's week is unknown too.
    assert others == [FILM_WEEK_REJECTED]


def test_load_curriculum_no_front_matter(tmp_path):
    root = make_content(tmp_path)
    write(root, "level-1/01-first-module.md", "# First Module\n\nSome text.\n")
    assert problems_of(root) == [
        Problem(MODULE, 1, "no YAML front matter: the file must start with a line '---'")
    ]


def test_load_curriculum_unclosed_front_matter(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n---\n", "quiz: null\n")
    assert problems_of(root) == [Problem(MODULE, 1, "front matter is not closed by a line '---'")]


def test_load_curriculum_front_matter_not_a_mapping(tmp_path):
    root = make_content(tmp_path)
    write(root, "level-1/01-first-module.md", "---\n- a list\n---\nText.\n")
    assert problems_of(root) == [Problem(MODULE, 2, "front matter must be a mapping of fields")]


def test_load_curriculum_unknown_kind(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "kind: module\n", "kind: lecture\n")
    assert problems_of(root) == [
        Problem(
            MODULE,
            4,
            "unknown kind 'lecture' (one of: module, video_week, practice_week, preparation)",
        )
    ]


def test_load_curriculum_video_week_without_week(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-2/01-week-one.md", "week: 1\n", "")
    assert problems_of(root) == [
        Problem(WEEK, 1, "missing field 'week' (required for a video_week)"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_duplicate_week_in_level(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-2/02-week-two.md",
        "---\nslug: week-two\ntitle: Week Two\nkind: practice_week\norder: 2\nweek: 1\n"
        "summary: Practise.\n---\nText.\n",
    )
    assert problems_of(root) == [
        Problem("content/level-2/02-week-two.md", 6, f"week 1 is also used by {WEEK}")
    ]


def test_load_curriculum_unit_without_body(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "\n## Key ideas\n\nSome teaching text.\n", "")
    assert problems_of(root) == [
        Problem(MODULE, None, "the unit has no text after its front matter")
    ]


def test_load_curriculum_duplicate_unit_slug_across_files(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-3/01-preparation.md",
        "---\n"  # 1
        "slug: first-module\n"  # 2
        "title: Preparation\n"
        "kind: preparation\n"
        "order: 1\n"
        "summary: Get ready.\n"
        "---\n"
        "Text.\n",
    )
    assert problems_of(root) == [
        Problem(
            "content/level-3/01-preparation.md",
            2,
            f"duplicate unit slug 'first-module' (also in {MODULE})",
        )
    ]


def test_load_curriculum_duplicate_order_in_level(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-1/02-second.md",
        "---\n"  # 1
        "slug: second-module\n"  # 2
        "title: Second Module\n"  # 3
        "kind: module\n"  # 4
        "order: 1\n"  # 5
        "summary: The second module.\n"
        "---\n"
        "Text.\n",
    )
    assert problems_of(root) == [
        Problem("content/level-1/02-second.md", 5, f"order 1 is also used by {MODULE}")
    ]


def test_load_curriculum_same_order_in_different_levels_is_fine(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-3/01-preparation.md",
        "---\nslug: preparation\ntitle: Prep\nkind: preparation\norder: 1\nsummary: S.\n"
        "---\nText.\n",
    )
    assert load_curriculum(root).unit("preparation").order == 1


def test_load_curriculum_unknown_handout(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "[first-handout]", "[missing-handout]")
    assert problems_of(root) == [Problem(MODULE, 7, "unknown handout 'missing-handout'")]


def test_load_curriculum_unknown_quiz(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n", "quiz: first-quiz\n")
    assert problems_of(root) == [Problem(MODULE, 10, "unknown quiz 'first-quiz'")]
    assert problems_of(root, frozenset({"another-quiz"})) == [
        Problem(MODULE, 10, "unknown quiz 'first-quiz'")
    ]


def test_load_curriculum_known_quiz_accepted(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n", "quiz: first-quiz\n")
    curriculum = load_curriculum(root, frozenset({"first-quiz"}))
    assert curriculum.unit("first-module").quiz == "first-quiz"


# -- film weeks and observe prompts ------------------------------------------------------


def test_load_curriculum_video_week_without_film_brief(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-2/01-week-one.md", "film_brief: A calm film", "focus: A calm film")
    assert problems_of(root) == [
        Problem(WEEK, 1, "missing field 'film_brief' (what kind of film a video_week needs)"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_video_week_prompt_without_answers_may_include(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "level-2/01-week-one.md",
        "    answers_may_include:\n      - He looks up at his father's face\n",
        "",
    )
    assert problems_of(root) == [
        Problem(WEEK, 9, "missing field 'answers_may_include'"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_video_week_prompt_with_empty_answers_may_include(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "level-2/01-week-one.md",
        "    answers_may_include:\n      - He looks up at his father's face\n",
        "    answers_may_include: []\n",
    )
    assert problems_of(root) == [
        Problem(WEEK, 9, "no answers_may_include for 'What does the toddler do when the water '"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_video_week_prompt_with_blank_note(tmp_path):
    root = make_content(tmp_path)
    edit(
        root, "level-2/01-week-one.md", "      - He looks up at his father's face\n", "      - ''\n"
    )
    assert problems_of(root) == [
        Problem(WEEK, 9, "field 'answers_may_include' must list non-empty text"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_video_week_plain_string_prompt(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "level-2/01-week-one.md",
        f"  - prompt: {WEEK_PROMPT}\n"
        "    answers_may_include:\n      - He looks up at his father's face\n",
        "  - What do you see?\n",
    )
    assert problems_of(root) == [
        Problem(
            WEEK,
            9,
            "observe_prompts: each needs 'prompt' and 'answers_may_include' (mentor notes)",
        ),
        FILM_WEEK_REJECTED,
    ]


PRACTICE_WEEK = "content/level-2/02-week-two.md"
PRACTICE_WEEK_TEXT = (
    "---\n"  # 1
    "slug: week-two\n"  # 2
    "title: Week Two\n"  # 3
    "kind: practice_week\n"  # 4
    "order: 2\n"  # 5
    "week: 2\n"  # 6
    "summary: Practise.\n"  # 7
    "observe_prompts:\n"  # 8
    "  - What did the caregiver do first?\n"  # 9
    "  - prompt: Where did the child look?\n"  # 10
    "    answers_may_include: [At the caregiver's face]\n"  # 11
    "---\n"
    "Film a visit.\n"
)


def test_load_curriculum_practice_week_allows_plain_string_prompts(tmp_path):
    root = make_content(tmp_path)
    write(root, "level-2/02-week-two.md", PRACTICE_WEEK_TEXT)
    curriculum = load_curriculum(root)
    week = curriculum.unit("week-two")
    assert week.kind is UnitKind.PRACTICE_WEEK
    assert week.film_brief is None
    assert week.observe_prompts == (
        ObservePrompt("What did the caregiver do first?"),
        ObservePrompt("Where did the child look?", ("At the caregiver's face",)),
    )
    # Only the film week needs films.
    assert curriculum.units_with_films() == [curriculum.unit("week-one")]


def test_load_curriculum_practice_week_blank_prompt(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "level-2/02-week-two.md",
        PRACTICE_WEEK_TEXT.replace("What did the caregiver do first?", "''"),
    )
    assert problems_of(root) == [
        Problem(PRACTICE_WEEK, 8, "observe_prompts: each is text or a mapping with 'prompt'")
    ]


# -- practice films ----------------------------------------------------------------------


def test_load_curriculum_video_without_file(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    file: curriculum/bath-time.mp4\n", "")
    assert problems_of(root) == [Problem(VIDEOS, 2, "missing field 'file'")]


def test_load_curriculum_video_url_field_is_gone(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "    file: curriculum/bath-time.mp4\n",
        "    file: curriculum/bath-time.mp4\n    url: https://media.example.org/bath-time.mp4\n",
    )
    assert problems_of(root) == [Problem(VIDEOS, 11, "unknown field 'url'")]


def test_load_curriculum_video_without_units(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    units: [week-one]\n", "")
    assert problems_of(root) == [Problem(VIDEOS, 2, "missing field 'units'")]


def test_load_curriculum_video_guide_is_optional(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    guide: Watch his hands at 0:05.\n", "")
    assert load_curriculum(root).videos["bath-time"].guide == ""


def test_load_curriculum_film_names_unknown_unit(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "[week-one]", "[week-one, no-such-week]")
    assert problems_of(root) == [Problem(VIDEOS, 8, "film bath-time: unknown unit 'no-such-week'")]


def test_load_curriculum_video_without_captions(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    captions:\n      en: captions/bath-time.vtt\n", "")
    assert problems_of(root) == [Problem(VIDEOS, 2, "missing field 'captions'")]


def test_load_curriculum_captions_without_english(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "      en: captions/bath-time.vtt\n",
        "      es: captions/bath-time.vtt\n",
    )
    assert problems_of(root) == [Problem(VIDEOS, 6, "captions need an 'en' file")]


def test_load_curriculum_captions_in_unknown_language(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "      en: captions/bath-time.vtt\n",
        "      en: captions/bath-time.vtt\n      fr: captions/bath-time.vtt\n",
    )
    assert problems_of(root) == [Problem(VIDEOS, 6, "captions: 'fr' must be one of en, es")]


def test_load_curriculum_spanish_captions_are_checked_too(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "      en: captions/bath-time.vtt\n",
        "      en: captions/bath-time.vtt\n      es: captions/bath-time.es.vtt\n",
    )
    assert problems_of(root) == [
        Problem(VIDEOS, 6, "captions file captions/bath-time.es.vtt not found")
    ]
    write(root, "captions/bath-time.es.vtt", GOOD_CAPTIONS.replace("Splash!", "¡Chapoteo!"))
    assert load_curriculum(root).videos["bath-time"].captions == {
        "en": CAPTIONS,
        "es": "captions/bath-time.es.vtt",
    }


def test_load_curriculum_video_with_missing_captions_file(tmp_path):
    root = make_content(tmp_path)
    (root / CAPTIONS).unlink()
    assert problems_of(root) == [Problem(VIDEOS, 6, f"captions file {CAPTIONS} not found")]


def test_load_curriculum_video_with_captions_that_are_not_webvtt(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, "1\n00:00:00,000 --> 00:00:20,000\nSplash!\n")
    assert problems_of(root) == [
        Problem(VIDEOS, 6, f"{CAPTIONS}: the file does not start with WEBVTT, so it is not WebVTT")
    ]


def test_load_curriculum_captions_not_covering_the_film(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, vtt(("00:00.000", "00:10.000")))
    assert problems_of(root) == [
        Problem(VIDEOS, 6, f"{CAPTIONS}: the captions end at 10 s but the film runs 20 s")
    ]


def test_load_curriculum_captions_within_five_seconds_of_the_end_are_enough(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, vtt(("00:00.000", "00:15.000")))
    assert load_curriculum(root).videos["bath-time"].duration_seconds == 20


def test_load_curriculum_captions_with_a_long_gap(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, vtt(("00:00.000", "00:04.000"), ("00:16.000", "00:20.000")))
    assert problems_of(root) == [
        Problem(
            VIDEOS,
            6,
            f"{CAPTIONS}: caption 2 (00:00:16.000 --> 00:00:20.000) leaves 12 s without captions",
        )
    ]


def test_load_curriculum_captions_out_of_order(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, vtt(("00:10.000", "00:20.000"), ("00:00.000", "00:10.000")))
    assert problems_of(root) == [
        Problem(
            VIDEOS,
            6,
            f"{CAPTIONS}: caption 2 (00:00:00.000 --> 00:00:10.000) "
            "starts before the caption above it",
        )
    ]


def test_load_curriculum_caption_ending_before_it_starts(tmp_path):
    root = make_content(tmp_path)
    write(root, CAPTIONS, vtt(("00:00.000", "00:20.000"), ("00:10.000", "00:05.000")))
    assert problems_of(root) == [
        Problem(
            VIDEOS,
            6,
            f"{CAPTIONS}: caption 2 (00:00:10.000 --> 00:00:05.000) ends before it starts",
        )
    ]


@pytest.mark.parametrize("old", ["captions/bath-time.vtt", "[captions/bath-time.vtt]"])
def test_load_curriculum_captions_not_a_mapping(tmp_path, old):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "    captions:\n      en: captions/bath-time.vtt\n",
        f"    captions: {old}\n",
    )
    assert problems_of(root) == [
        Problem(VIDEOS, 6, "field 'captions' must be a mapping of names to values")
    ]


# -- handouts ----------------------------------------------------------------------------


def test_load_curriculum_handout_missing_summary(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "summary: What the handout is about.\n", "")
    assert problems_of(root) == [Problem(HANDOUT, 1, "missing field 'summary'"), *HANDOUT_REJECTED]


def test_load_curriculum_handout_missing_topic(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "topic: Everyday connection\n", "")
    assert problems_of(root) == [Problem(HANDOUT, 1, "missing field 'topic'"), *HANDOUT_REJECTED]


def test_load_curriculum_handout_unknown_audience(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "audience: parents\n", "audience: grandparents\n")
    assert problems_of(root) == [
        Problem(HANDOUT, 7, "audience must be one of: parents, child-care, providers"),
        *HANDOUT_REJECTED,
    ]


def test_load_curriculum_handout_unknown_age(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "[infants, toddlers]", "[infants, preschoolers]")
    assert problems_of(root) == [
        Problem(HANDOUT, 6, "ages lists one or more of: infants, toddlers"),
        *HANDOUT_REJECTED,
    ]


def test_load_curriculum_handout_with_no_ages(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "[infants, toddlers]", "[]")
    assert problems_of(root) == [
        Problem(HANDOUT, 6, "ages lists one or more of: infants, toddlers"),
        *HANDOUT_REJECTED,
    ]


def test_load_curriculum_parent_handout_without_spanish_version(tmp_path):
    root = make_content(tmp_path)
    (root / "handouts" / "es" / "first-handout.md").unlink()
    assert problems_of(root) == [
        Problem(
            HANDOUT,
            1,
            "a handout for parents needs a version in 'es' (handouts/es/first-handout.md)",
        )
    ]


def test_load_curriculum_provider_handout_needs_no_spanish_version(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "audience: parents\n", "audience: providers\n")
    (root / "handouts" / "es" / "first-handout.md").unlink()
    handout = load_curriculum(root).handouts["first-handout"]
    assert handout.audience == "providers"
    assert handout.languages == ("en",)
    assert handout.text("es").language == "en"


def test_load_curriculum_spanish_handout_without_english_one(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "handouts/es/orphan.md",
        "---\nslug: orphan\ntitle: Huérfano\nsummary: Sin original.\n---\nTexto.\n",
    )
    assert problems_of(root) == [
        Problem("content/handouts/es/orphan.md", 1, "no English handout 'orphan' to translate")
    ]


def test_load_curriculum_spanish_handout_slug_must_match_file_name(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/es/first-handout.md", "slug: first-handout\n", "slug: primer-folleto\n")
    assert problems_of(root) == [
        Problem(HANDOUT_ES, 2, "slug must be 'first-handout', as the file"),
        Problem(
            HANDOUT,
            1,
            "a handout for parents needs a version in 'es' (handouts/es/first-handout.md)",
        ),
    ]


def test_load_curriculum_spanish_handout_holds_only_slug_title_and_summary(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "handouts/es/first-handout.md",
        "summary: De qué trata el folleto.\n",
        "summary: De qué trata el folleto.\naudience: parents\n",
    )
    assert problems_of(root) == [
        Problem(HANDOUT_ES, 5, "unknown field 'audience'"),
        Problem(
            HANDOUT,
            1,
            "a handout for parents needs a version in 'es' (handouts/es/first-handout.md)",
        ),
    ]


def test_load_curriculum_handout_variant_of_unknown_handout(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "handouts/first-handout.md",
        "audience: parents\n",
        "audience: parents\nvariant_of: no-such-handout\n",
    )
    assert problems_of(root) == [
        Problem(HANDOUT, 8, "variant_of: unknown handout 'no-such-handout'")
    ]


def test_load_curriculum_handout_variant_of_known_handout(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "handouts/first-handout-child-care.md",
        "---\nslug: first-handout-child-care\ntitle: For Your Room\nsummary: S.\n"
        "topic: Everyday connection\nages: [toddlers]\naudience: child-care\n"
        "variant_of: first-handout\n---\nText.\n",
    )
    handouts = load_curriculum(root).handouts
    variant = handouts["first-handout-child-care"]
    assert variant.variant_of == "first-handout"
    assert variant.ages == ("toddlers",)
    assert variant.languages == ("en",)
    assert handouts["first-handout"].variant_of is None


# -- the rubric --------------------------------------------------------------------------


def test_load_curriculum_reads_the_rubric(tmp_path):
    curriculum = load_curriculum(make_content(tmp_path))
    [criterion] = curriculum.rubric
    assert criterion.slug == "objective-observation"
    assert criterion.levels == (
        "Impressions.",
        "Some actions.",
        "Clear actions.",
        "Precise actions.",
    )
    assert criterion.examples == (
        ScoredExample(2, "She is a patient mom and he was full.", "Feelings stated as fact."),
        ScoredExample(
            4,
            "He turned his head away; she lowered the bottle.",
            "Anyone watching could confirm each action.",
        ),
    )
    assert criterion.not_applicable_in == frozenset()
    assert not any(criterion.allows_not_applicable(kind) for kind in UnitKind)


def test_load_curriculum_rubric_examples_sorted_by_score(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", "      - score: 2\n", "      - score: 3\n")
    edit(root, "rubric.yaml", "      - score: 4\n", "      - score: 1\n")
    [criterion] = load_curriculum(root).rubric
    assert [example.score for example in criterion.examples] == [1, 3]


def test_load_curriculum_rubric_criterion_missing_a_score(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", "      4: Precise actions.\n", "")
    assert problems_of(root) == [
        Problem(RUBRIC, 5, "levels must describe each score 1, 2, 3 and 4")
    ]


def test_load_curriculum_rubric_criterion_without_examples(tmp_path):
    root = make_content(tmp_path)
    text = MINIMAL_TREE["rubric.yaml"]
    write(root, "rubric.yaml", text[: text.index("    examples:\n")])
    assert problems_of(root) == [Problem(RUBRIC, 2, "missing field 'examples'")]


SECOND_EXAMPLE = (
    "      - score: 4\n"
    "        excerpt: He turned his head away; she lowered the bottle.\n"
    "        why: Anyone watching could confirm each action.\n"
)


def test_load_curriculum_rubric_criterion_with_one_example(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", SECOND_EXAMPLE, "")
    assert problems_of(root) == [Problem(RUBRIC, 10, "give 2 or 3 scored examples")]


def test_load_curriculum_rubric_criterion_with_four_examples(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", SECOND_EXAMPLE, SECOND_EXAMPLE * 3)
    assert problems_of(root) == [Problem(RUBRIC, 10, "give 2 or 3 scored examples")]


def test_load_curriculum_rubric_criterion_with_three_examples(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", SECOND_EXAMPLE, SECOND_EXAMPLE * 2)
    [criterion] = load_curriculum(root).rubric
    assert [example.score for example in criterion.examples] == [2, 4, 4]


def test_load_curriculum_rubric_example_score_5(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", "      - score: 4\n", "      - score: 5\n")
    assert problems_of(root) == [Problem(RUBRIC, 10, "an example's score is 1 to 4")]


def test_load_curriculum_rubric_example_missing_why(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", "        why: Feelings stated as fact.\n", "")
    assert problems_of(root) == [Problem(RUBRIC, 10, "missing field 'why'")]


def test_load_curriculum_rubric_example_not_a_mapping(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", SECOND_EXAMPLE, "      - A fine excerpt.\n")
    assert problems_of(root) == [Problem(RUBRIC, 10, "each example is a mapping")]


def test_load_curriculum_rubric_not_applicable_in_a_film_week(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "rubric.yaml",
        "    examples:\n",
        "    not_applicable_in: [video_week]\n    examples:\n",
    )
    [criterion] = load_curriculum(root).rubric
    assert criterion.not_applicable_in == frozenset({UnitKind.VIDEO_WEEK})
    assert criterion.allows_not_applicable(UnitKind.VIDEO_WEEK)
    assert not criterion.allows_not_applicable(UnitKind.PRACTICE_WEEK)
    assert not criterion.allows_not_applicable(UnitKind.MODULE)


@pytest.mark.parametrize("kind", ["module", "lecture"])
def test_load_curriculum_rubric_not_applicable_in_unknown_kind(tmp_path, kind):
    root = make_content(tmp_path)
    edit(
        root,
        "rubric.yaml",
        "    examples:\n",
        f"    not_applicable_in: [video_week, {kind}]\n    examples:\n",
    )
    assert problems_of(root) == [
        Problem(RUBRIC, 10, "not_applicable_in lists week kinds: video_week, practice_week")
    ]


# -- other files -------------------------------------------------------------------------


def test_load_curriculum_level_requires_unknown_level(tmp_path):
    root = make_content(tmp_path)
    edit(root, "levels.yaml", "    requires: level-2\n", "    requires: level-9\n")
    assert problems_of(root) == [Problem(LEVELS, 16, "unknown level 'level-9'")]


def test_load_curriculum_levels_file_missing(tmp_path):
    root = make_content(tmp_path)
    (root / "levels.yaml").unlink()
    assert problems_of(root) == [Problem(LEVELS, None, "file is missing"), FILM_WEEK_REJECTED]


def test_load_curriculum_levels_file_without_list(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "level: []\n")
    assert problems_of(root) == [
        Problem(LEVELS, 1, "the file must hold a list under 'levels:'"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_several_problems_reported_together(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "order: 1\n", 'order: "two"\n')
    edit(root, "level-2/01-week-one.md", "kind: video_week\n", "kind: weekly\n")
    edit(root, "levels.yaml", "    requires: level-2\n", "    requires: level-9\n")
    problems = problems_of(root)
    assert len(problems) == 4
    assert {(problem.path, problem.line) for problem in problems} == {
        (MODULE, 5),
        (WEEK, 4),
        (LEVELS, 16),
        (VIDEOS, 8),  # the film shown in the rejected week
    }


# -- the error message -------------------------------------------------------------------


def test_content_error_str_lists_path_line_and_message():
    error = ContentError(
        [
            Problem("content/level-1/01-x.md", 3, "unknown field 'colour'"),
            Problem("content/levels.yaml", None, "file is missing"),
        ]
    )
    assert str(error) == (
        "content/ has problems:\n"
        "  content/level-1/01-x.md:3: unknown field 'colour'\n"
        "  content/levels.yaml: file is missing"
    )


def test_content_error_str_from_loader_names_each_problem(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "order: 1\n", 'order: "two"\n')
    edit(root, "videos.yaml", "[week-one]", "[no-such-week]")
    with pytest.raises(ContentError) as excinfo:
        load_curriculum(root)
    message = str(excinfo.value)
    assert f"{MODULE}:5: field 'order' must be a whole number" in message
    assert f"{VIDEOS}:8: film bath-time: unknown unit 'no-such-week'" in message


# -- start-up ----------------------------------------------------------------------------


def test_create_app_refuses_broken_content(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "kind: module\n", "kind: lecture\n")

    class BrokenContentConfig(TestConfig):
        COURSE_CONTENT_DIR = str(root)

    with pytest.raises(ContentError) as excinfo:
        create_app(BrokenContentConfig)
    assert f"{MODULE}:4: unknown kind 'lecture'" in str(excinfo.value)


def test_create_app_loads_content_dir(tmp_path):
    root = make_content(tmp_path)

    class SmallContentConfig(TestConfig):
        COURSE_CONTENT_DIR = str(root)

    app = create_app(SmallContentConfig)
    curriculum = app.extensions["course"].curriculum
    assert curriculum.unit("first-module").title == "First Module"
    assert curriculum.unit("elements-of-a-healthy-relationship") is None


# -- files that once slipped past or crashed the loader ----------------------------------


def test_load_curriculum_empty_front_matter(tmp_path):
    root = make_content(tmp_path)
    write(root, "level-1/01-first-module.md", "---\n# fields to come\n---\nText.\n")
    problems = problems_of(root)
    assert [(p.path, p.line, p.message) for p in problems] == [
        (MODULE, 2, "front matter must be a mapping of fields")
    ]


def test_load_curriculum_empty_levels_file(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "# levels to come\n")
    problems = problems_of(root)
    assert [(p.path, p.line) for p in problems] == [(LEVELS, 1), (VIDEOS, 8)]
    assert "levels:" in problems[0].message


def test_load_curriculum_levels_file_with_no_levels(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "levels: []\n")
    assert problems_of(root) == [
        Problem(LEVELS, 1, "no levels are defined"),
        FILM_WEEK_REJECTED,
    ]


def test_load_curriculum_file_not_utf8(tmp_path):
    root = make_content(tmp_path)
    path = root / "level-1" / "01-first-module.md"
    path.write_bytes(path.read_bytes().replace(b"First Module", b"Caf\xe9 Module"))
    problems = problems_of(root)
    assert [p.path for p in problems] == [MODULE]
    assert problems[0].message.startswith("not UTF-8 text")


def test_load_curriculum_levels_file_with_duplicate_key(tmp_path):
    root = make_content(tmp_path)
    write(
        root,
        "levels.yaml",
        MINIMAL_TREE["levels.yaml"] + "levels:\n  - slug: level-1\n    number: 1\n",
    )
    problems = problems_of(root)
    assert any(p.path == LEVELS and p.message == "duplicate key 'levels'" for p in problems)


def test_load_curriculum_front_matter_with_duplicate_field(tmp_path):
    root = make_content(tmp_path)
    path = root / "level-1" / "01-first-module.md"
    text = path.read_text()
    write(root, "level-1/01-first-module.md", text.replace("---\n", "---\ntitle: Again\n", 1))
    problems = problems_of(root)
    assert [(p.path, p.message) for p in problems] == [(MODULE, "duplicate key 'title'")]


def test_load_curriculum_no_levels_is_reported_beside_another_files_problem(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "levels: []\n")
    edit(root, "handouts/first-handout.md", "audience: parents\n", "audience: nobody\n")
    problems = problems_of(root)
    assert Problem(LEVELS, 1, "no levels are defined") in problems
    assert any(p.path == HANDOUT and "audience" in p.message for p in problems)
