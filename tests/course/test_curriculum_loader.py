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
from course.curriculum.loader import ContentError, Problem, load_curriculum
from course.curriculum.models import Curriculum, UnitKind

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

# -- a minimal valid tree --------------------------------------------------------------
# Line numbers matter: the tests below name the line each field sits on.

LEVELS = "content/levels.yaml"
VIDEOS = "content/videos.yaml"
RUBRIC = "content/rubric.yaml"
MODULE = "content/level-1/01-first-module.md"
WEEK = "content/level-2/01-week-one.md"
HANDOUT = "content/handouts/first-handout.md"

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
        "    duration_seconds: 240\n"  # 5
        "    file: curriculum/bath-time.mp4\n"  # 6
        "    captions: captions/bath-time.vtt\n"  # 7
    ),
    "captions/bath-time.vtt": "WEBVTT\n\n00:00.000 --> 00:04.000\nSplash!\n",
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
    ),
    "handouts/first-handout.md": (
        "---\n"  # 1
        "slug: first-handout\n"  # 2
        "title: A First Handout\n"  # 3
        "summary: What the handout is about.\n"  # 4
        "---\n"  # 5
        "\n"
        "## For you and your child\n"
        "\n"
        "Some warm words.\n"
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
        "videos: []\n"  # 10
        "quiz: null\n"  # 11
        "---\n"  # 12
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
        "videos: [bath-time]\n"  # 8
        "---\n"  # 9
        "\n"
        "Watch the video with your mentor.\n"
    ),
}


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


# -- the real content/ -----------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Curriculum:
    quizzes = frozenset(path.stem for path in (REAL_CONTENT / "quizzes").glob("*.yaml"))
    return load_curriculum(REAL_CONTENT, quizzes)


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
    assert module.quiz is None
    assert "<h2" in module.html and "Key ideas" in module.html

    week = curriculum.unit("week-one")
    assert week.kind is UnitKind.VIDEO_WEEK
    assert week.week == 1
    assert week.videos == ("bath-time",)
    assert week.level == "level-2"

    assert curriculum.unit("no-such-unit") is None
    assert curriculum.level("level-2").units == (week,)
    assert curriculum.level("level-3").invitation_only is True
    assert curriculum.level("level-3").units == ()
    assert curriculum.level("level-9") is None

    assert curriculum.handouts["first-handout"].title == "A First Handout"
    assert curriculum.handouts["first-handout"].source == HANDOUT
    video = curriculum.videos["bath-time"]
    assert video.file == "curriculum/bath-time.mp4"
    assert video.url is None
    assert video.captions == "captions/bath-time.vtt"


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
                        "videos": [],
                        "quiz": None,
                        "focus": None,
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
                        "videos": ["bath-time"],
                        "quiz": None,
                        "focus": None,
                        "observe_prompts": [],
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
    [problem] = problems_of(root)
    assert (problem.path, problem.line) == (LEVELS, 9)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")


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
        Problem(WEEK, 1, "missing field 'week' (required for a video_week)")
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


def test_load_curriculum_unknown_video(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-2/01-week-one.md", "[bath-time]", "[no-such-video]")
    assert problems_of(root) == [Problem(WEEK, 8, "unknown video 'no-such-video'")]


def test_load_curriculum_unknown_quiz(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n", "quiz: first-quiz\n")
    assert problems_of(root) == [Problem(MODULE, 11, "unknown quiz 'first-quiz'")]
    assert problems_of(root, frozenset({"another-quiz"})) == [
        Problem(MODULE, 11, "unknown quiz 'first-quiz'")
    ]


def test_load_curriculum_known_quiz_accepted(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "quiz: null\n", "quiz: first-quiz\n")
    curriculum = load_curriculum(root, frozenset({"first-quiz"}))
    assert curriculum.unit("first-module").quiz == "first-quiz"


def test_load_curriculum_video_with_file_and_url(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "    file: curriculum/bath-time.mp4\n",
        "    file: curriculum/bath-time.mp4\n    url: https://media.example.org/bath-time.mp4\n",
    )
    problems = problems_of(root)
    assert problems[0] == Problem(VIDEOS, 2, "a video needs either 'file' or 'url', not both")
    # The week naming the rejected video is reported too.
    assert problems[1:] == [Problem(WEEK, 8, "unknown video 'bath-time'")]


def test_load_curriculum_video_with_neither_file_nor_url(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    file: curriculum/bath-time.mp4\n", "")
    problems = problems_of(root)
    assert problems[0] == Problem(VIDEOS, 2, "a video needs either 'file' or 'url', not both")


def test_load_curriculum_video_with_url_only(tmp_path):
    root = make_content(tmp_path)
    edit(
        root,
        "videos.yaml",
        "    file: curriculum/bath-time.mp4\n",
        "    url: https://media.example.org/bath-time.mp4\n",
    )
    video = load_curriculum(root).videos["bath-time"]
    assert (video.file, video.url) == (None, "https://media.example.org/bath-time.mp4")


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


def test_load_curriculum_rubric_criterion_missing_a_score(tmp_path):
    root = make_content(tmp_path)
    edit(root, "rubric.yaml", "      4: Precise actions.\n", "")
    assert problems_of(root) == [
        Problem(RUBRIC, 5, "levels must describe each score 1, 2, 3 and 4")
    ]


def test_real_rubric_has_the_five_pfr_criteria(real):
    assert [c.slug for c in real.rubric] == [
        "objective-observation",
        "cues-and-needs",
        "strengths-based-feedback",
        "reflective-capacity",
        "next-steps",
    ]
    assert all(len(c.levels) == 4 for c in real.rubric)


def test_load_curriculum_video_with_missing_captions_file(tmp_path):
    root = make_content(tmp_path)
    (root / "captions" / "bath-time.vtt").unlink()
    problems = problems_of(root)
    assert Problem(VIDEOS, 7, "captions file captions/bath-time.vtt not found") in problems


def test_load_curriculum_video_with_captions_that_are_not_webvtt(tmp_path):
    root = make_content(tmp_path)
    write(root, "captions/bath-time.vtt", "1\n00:00:00,000 --> 00:00:04,000\nSplash!\n")
    problems = problems_of(root)
    assert Problem(VIDEOS, 7, "captions/bath-time.vtt is not WebVTT") in problems


def test_load_curriculum_video_without_captions(tmp_path):
    root = make_content(tmp_path)
    edit(root, "videos.yaml", "    captions: captions/bath-time.vtt\n", "")
    assert Problem(VIDEOS, 2, "missing field 'captions'") in problems_of(root)


def test_load_curriculum_level_requires_unknown_level(tmp_path):
    root = make_content(tmp_path)
    edit(root, "levels.yaml", "    requires: level-2\n", "    requires: level-9\n")
    assert problems_of(root) == [Problem(LEVELS, 16, "unknown level 'level-9'")]


def test_load_curriculum_levels_file_missing(tmp_path):
    root = make_content(tmp_path)
    (root / "levels.yaml").unlink()
    assert problems_of(root) == [Problem(LEVELS, None, "file is missing")]


def test_load_curriculum_levels_file_without_list(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "level: []\n")
    assert problems_of(root) == [Problem(LEVELS, 1, "the file must hold a list under 'levels:'")]


def test_load_curriculum_handout_missing_summary(tmp_path):
    root = make_content(tmp_path)
    edit(root, "handouts/first-handout.md", "summary: What the handout is about.\n", "")
    problems = problems_of(root)
    assert problems[0] == Problem(HANDOUT, 1, "missing field 'summary'")
    # The module naming the rejected handout is reported too.
    assert problems[1:] == [Problem(MODULE, 7, "unknown handout 'first-handout'")]


def test_load_curriculum_several_problems_reported_together(tmp_path):
    root = make_content(tmp_path)
    edit(root, "level-1/01-first-module.md", "order: 1\n", 'order: "two"\n')
    edit(root, "level-2/01-week-one.md", "kind: video_week\n", "kind: weekly\n")
    edit(root, "levels.yaml", "    requires: level-2\n", "    requires: level-9\n")
    problems = problems_of(root)
    assert len(problems) == 3
    assert {(problem.path, problem.line) for problem in problems} == {
        (MODULE, 5),
        (WEEK, 4),
        (LEVELS, 16),
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
    edit(root, "level-2/01-week-one.md", "[bath-time]", "[no-such-video]")
    with pytest.raises(ContentError) as excinfo:
        load_curriculum(root)
    message = str(excinfo.value)
    assert f"{MODULE}:5: field 'order' must be a whole number" in message
    assert f"{WEEK}:8: unknown video 'no-such-video'" in message


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
    assert [(p.path, p.line) for p in problems] == [(LEVELS, 1)]
    assert "levels:" in problems[0].message


def test_load_curriculum_levels_file_with_no_levels(tmp_path):
    root = make_content(tmp_path)
    write(root, "levels.yaml", "levels: []\n")
    problems = problems_of(root)
    assert [(p.path, p.line, p.message) for p in problems] == [(LEVELS, 1, "no levels are defined")]


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
