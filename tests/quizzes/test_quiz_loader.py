"""The quiz loader: the real content/quizzes, and small quiz files built in tmp_path.

Problems name ``<content-folder-name>/quizzes/<file>``; the small trees are written to
``tmp_path / "content"`` so they read "content/quizzes/sample.yaml:<line>: ...".
"""

import shutil
from pathlib import Path

import pytest
import yaml

from app import create_app
from config import TestConfig
from quizzes.loader import AttemptPolicy, QuizContentError, load_quizzes, quiz_slugs

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_CONTENT = REPO_ROOT / "content"
VIDEOS = frozenset(
    v["slug"] for v in yaml.safe_load((REAL_CONTENT / "videos.yaml").read_text())["videos"]
)
TYPE_NAMES = "observation, domain_sort, describe_interpret, choice, reflection, moments"
FILE = "content/quizzes/sample.yaml"

# -- small quiz files ------------------------------------------------------------------
# Line numbers matter: the header takes lines 1-4, so the first question starts on 5.

HEADER = (
    "slug: sample\n"  # 1
    "title: Sample quiz\n"  # 2
    "pass_mark: 60\n"  # 3
    "questions:\n"  # 4
)
REFLECTION = (
    "  - id: own-practice\n"  # +0
    "    type: reflection\n"  # +1
    "    prompt: Think of a family you visit.\n"  # +2
)
CHOICE = (
    "  - id: pick-one\n"
    "    type: choice\n"
    "    prompt: Which remark describes?\n"
    "    options:\n"
    "      - text: Her eyes stayed on you.\n"
    "        correct: true\n"
    "        feedback: Observable.\n"
    "      - text: She was bored.\n"
    "        correct: false\n"
    "        feedback: A guess.\n"
)
DOMAIN_SORT = (
    "  - id: which-domains\n"
    "    type: domain_sort\n"
    "    prompt: Which domains?\n"
    "    items:\n"
    "      - text: Luz slaps the water.\n"
    "        domains: [{domain}]\n"
    "        explanation: Motor work.\n"
)
OBSERVATION = (
    "  - id: bath-time\n"
    "    type: observation\n"
    "    scenario: Teresa kneels beside the tub.\n"
    "{video}"
    "    parts:\n"
    "      - prompt: What do you observe?\n"
    "        model_answers:\n"
    "          - text: Teresa and Luz laugh together.\n"
    "{extra}"
)


def observation(extra="", video=""):
    return OBSERVATION.format(extra=extra, video=video)


def choice(qid: str, right: int) -> str:
    """A single choice of three options whose right answer is option ``right`` (1-based)."""
    options = "".join(
        f"      - text: Option {n}.\n"
        f"        correct: {'true' if n == right else 'false'}\n"
        f"        feedback: Because {n}.\n"
        for n in (1, 2, 3)
    )
    return f"  - id: {qid}\n    type: choice\n    prompt: Which one?\n    options:\n{options}"


def write(content: Path, name: str, text: str) -> Path:
    path = content / "quizzes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    (folder / "quizzes").mkdir(parents=True)
    return folder


def problems_for(content: Path, video_slugs=frozenset()) -> list[str]:
    with pytest.raises(QuizContentError) as info:
        load_quizzes(content, video_slugs)
    assert str(info.value).startswith("content/quizzes has problems:")
    return info.value.problems


def only_problem(content: Path, video_slugs=frozenset()) -> str:
    problems = problems_for(content, video_slugs)
    assert len(problems) == 1, problems
    return problems[0]


# -- a valid small quiz ----------------------------------------------------------------


def test_load_quizzes_valid_file_builds_the_quiz(content):
    write(content, "sample.yaml", HEADER + REFLECTION + CHOICE + observation())
    quiz = load_quizzes(content)["sample"]
    assert quiz.slug == "sample"
    assert quiz.title == "Sample quiz"
    assert quiz.pass_mark == 60
    assert [q.id for q in quiz.questions] == ["own-practice", "pick-one", "bath-time"]
    assert [q.id for q in quiz.scored_questions] == ["pick-one"]  # open answers are not
    assert quiz.question("bath-time").parts[0].model_answers == ("Teresa and Luz laugh together.",)
    assert quiz.question("pick-one").type_name == "choice"
    assert quiz.question("missing") is None


def test_load_quizzes_empty_folder_gives_no_quizzes(content):
    assert load_quizzes(content) == {}


def test_load_quizzes_known_video_is_accepted(content):
    video = "    video: {slug: toddler-bath-time, start: 3, end: 9}\n"
    write(content, "sample.yaml", HEADER + observation(video=video))
    quiz = load_quizzes(content, frozenset({"toddler-bath-time"}))["sample"]
    assert quiz.question("bath-time").video.slug == "toddler-bath-time"


def test_quiz_slugs_returns_file_stems(content):
    write(content, "sample.yaml", HEADER + REFLECTION)
    write(content, "broken-one.yaml", "not: [valid")
    write(content, "notes.txt", "not a quiz")
    assert quiz_slugs(content) == frozenset({"sample", "broken-one"})


def test_quiz_slugs_real_content_names_the_seven_quizzes():
    assert quiz_slugs(REAL_CONTENT) == frozenset(load_quizzes(REAL_CONTENT, VIDEOS))


# -- the real content ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_quizzes():
    return load_quizzes(REAL_CONTENT, VIDEOS)


def level_1_slugs() -> list[str]:
    slugs = []
    for path in sorted((REAL_CONTENT / "level-1").glob("*.md")):
        front_matter = path.read_text(encoding="utf-8").split("---\n")[1]
        slugs.append(yaml.safe_load(front_matter)["slug"])
    return slugs


def test_real_content_loads_seven_quizzes(real_quizzes):
    assert len(real_quizzes) == 7
    assert len(level_1_slugs()) == 7


@pytest.mark.parametrize("slug", level_1_slugs())
def test_real_content_level_1_module_has_its_quiz(real_quizzes, slug):
    quiz = real_quizzes[slug]
    assert len(quiz.questions) >= 5
    assert len({q.type_name for q in quiz.questions}) >= 3
    assert quiz.scored_questions
    assert 0 < quiz.pass_mark <= 100
    assert quiz.questions[-1].type_name == "moments"
    assert quiz.questions[-1].video.slug in VIDEOS


def test_real_content_observation_exercises_have_four_to_eight_model_answers(real_quizzes):
    observations = [
        q for quiz in real_quizzes.values() for q in quiz.questions if q.type_name == "observation"
    ]
    assert len(observations) >= 6
    for question in observations:
        count = sum(len(part.model_answers) for part in question.parts)
        assert 4 <= count <= 8, question.id


def test_real_content_has_thirty_sort_items_and_statements(real_quizzes):
    total = 0
    for quiz in real_quizzes.values():
        for question in quiz.questions:
            if question.type_name == "domain_sort":
                total += len(question.items)
            elif question.type_name == "describe_interpret":
                total += len(question.statements)
    assert total >= 30


def test_real_content_model_responses_grade_right_and_wrong(real_quizzes):
    for quiz in real_quizzes.values():
        for question in quiz.scored_questions:
            assert question.grade(question.model_response(True)).score == 1.0, question.id
            assert question.grade(question.model_response(False)).score < 1.0, question.id


def test_real_content_open_answers_are_unscored_and_answered_by_model_response(real_quizzes):
    for quiz in real_quizzes.values():
        open_questions = [q for q in quiz.questions if q.is_open]
        assert open_questions, quiz.slug
        for question in open_questions:
            assert question not in quiz.scored_questions
            response = question.model_response(True)
            assert question.is_answered(response), question.id
            assert question.grade(response).score is None


# -- problems in a question: file, line of the question, question id --------------------


def test_load_quizzes_unknown_question_type(content):
    essay = "  - id: essay-question\n    type: essay\n    prompt: Write.\n"
    write(content, "sample.yaml", HEADER + REFLECTION + essay)
    problem = only_problem(content)
    assert problem.startswith(f"{FILE}:8: question 'essay-question': unknown type 'essay'")
    assert f"(one of: {TYPE_NAMES})" in problem


def test_load_quizzes_model_answer_with_cues_is_an_unknown_field(content):
    cues = "            cues:\n              - [laugh, giggle]\n"
    write(content, "sample.yaml", HEADER + REFLECTION + observation(extra=cues))
    assert only_problem(content) == (
        f"{FILE}:8: question 'bath-time': unknown field cues in part 1, model answer 1"
    )


def test_load_quizzes_unknown_domain(content):
    write(content, "sample.yaml", HEADER + DOMAIN_SORT.format(domain="motor-skills"))
    problem = only_problem(content)
    assert problem.startswith(f"{FILE}:5: question 'which-domains': item 1:")
    assert "unknown domain 'motor-skills'" in problem


def test_load_quizzes_unknown_video(content):
    video = "    video: {slug: nap-time}\n"
    write(content, "sample.yaml", HEADER + CHOICE + observation(video=video))
    problem = only_problem(content, frozenset({"toddler-bath-time"}))
    assert problem == f"{FILE}:15: question 'bath-time': unknown video 'nap-time'"


def test_load_quizzes_video_slugs_none_skips_the_video_check(content):
    write(content, "sample.yaml", HEADER + observation(video="    video: {slug: nap-time}\n"))
    assert load_quizzes(content, None)["sample"].question("bath-time").video.slug == "nap-time"


def test_load_quizzes_duplicate_question_id(content):
    write(content, "sample.yaml", HEADER + REFLECTION + CHOICE + REFLECTION)
    assert only_problem(content) == f"{FILE}:18: question 'own-practice': duplicate id"


def test_load_quizzes_unknown_field_in_question(content):
    write(content, "sample.yaml", HEADER + REFLECTION.replace("prompt:", "promt:"))
    assert only_problem(content) == f"{FILE}:5: question 'own-practice': unknown field 'promt'"


def test_load_quizzes_question_id_not_a_slug(content):
    write(content, "sample.yaml", HEADER + REFLECTION.replace("own-practice", "Own Practice"))
    problem = only_problem(content)
    assert problem.startswith(f"{FILE}:5: question 'Own Practice' needs an 'id'")


def test_load_quizzes_every_bad_question_in_a_file_is_reported(content):
    essay = "  - id: essay-question\n    type: essay\n    prompt: Write.\n"
    write(content, "sample.yaml", HEADER + essay + REFLECTION + DOMAIN_SORT.format(domain="x"))
    problems = problems_for(content)
    assert [p.split(": question")[0] for p in problems] == [f"{FILE}:5", f"{FILE}:11"]


# -- problems in the file itself ---------------------------------------------------------


def test_load_quizzes_slug_not_matching_file_name(content):
    write(content, "other-name.yaml", HEADER + REFLECTION)
    assert only_problem(content) == (
        "content/quizzes/other-name.yaml:1: slug must be 'other-name', the file's name"
    )


def test_load_quizzes_missing_title(content):
    write(content, "sample.yaml", HEADER.replace("title: Sample quiz\n", "") + REFLECTION)
    assert only_problem(content) == f"{FILE}:1: missing field 'title'"


def test_load_quizzes_blank_title(content):
    write(content, "sample.yaml", HEADER.replace("Sample quiz", '"  "') + REFLECTION)
    assert only_problem(content) == f"{FILE}:2: missing field 'title'"


@pytest.mark.parametrize("pass_mark", ["0", "101", "-5", "60.5", "sixty", "true"])
def test_load_quizzes_pass_mark_out_of_range(content, pass_mark):
    write(content, "sample.yaml", HEADER.replace("60", pass_mark) + REFLECTION)
    assert only_problem(content) == (f"{FILE}:3: 'pass_mark' must be a whole number from 1 to 100")


@pytest.mark.parametrize("pass_mark", ["1", "100"])
def test_load_quizzes_pass_mark_bounds_accepted(content, pass_mark):
    write(content, "sample.yaml", HEADER.replace("60", pass_mark) + REFLECTION)
    assert load_quizzes(content)["sample"].pass_mark == int(pass_mark)


@pytest.mark.parametrize("questions", [" []\n", "\n"])
def test_load_quizzes_no_questions(content, questions):
    write(content, "sample.yaml", HEADER.replace("questions:\n", "questions:" + questions))
    assert only_problem(content) == f"{FILE}:4: 'questions' must list at least one question"


def test_load_quizzes_unknown_top_level_field(content):
    write(content, "sample.yaml", HEADER + REFLECTION + "pass_mrk: 70\n")
    assert only_problem(content) == f"{FILE}:8: unknown field 'pass_mrk'"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (HEADER.replace("pass_mark: 60\n", "pass_mark: 60\n  bad: x\n"), 4, "mapping values"),
        (HEADER + REFLECTION + "  - id: [unclosed\n", 9, "expected ',' or ']'"),
    ],
    ids=["bad-indent", "unclosed-bracket"],
)
def test_load_quizzes_invalid_yaml_names_the_line(content, text, line, message):
    write(content, "sample.yaml", text)
    problem = only_problem(content)
    assert problem.startswith(f"{FILE}:{line}: invalid YAML: ")
    assert message in problem


def test_load_quizzes_not_a_mapping(content):
    write(content, "sample.yaml", "- just\n- a list\n")
    assert only_problem(content).startswith(f"{FILE}:1: a quiz file must be a mapping")


def test_load_quizzes_not_utf8(content):
    (content / "quizzes" / "sample.yaml").write_bytes(b"title: caf\xe9\n")
    assert only_problem(content) == f"{FILE}: not UTF-8 text"


def test_load_quizzes_problems_from_two_files_are_reported_together(content):
    write(content, "alpha.yaml", HEADER.replace("sample", "alpha") + REFLECTION + REFLECTION)
    write(content, "beta.yaml", HEADER.replace("sample", "beta").replace("60", "0") + REFLECTION)
    write(content, "sample.yaml", HEADER + REFLECTION)  # valid, and not reported
    problems = problems_for(content)
    assert problems == [
        "content/quizzes/alpha.yaml:8: question 'own-practice': duplicate id",
        "content/quizzes/beta.yaml:3: 'pass_mark' must be a whole number from 1 to 100",
    ]


def test_load_quizzes_one_file_several_problems(content):
    text = "slug: wrong\npass_mark: 500\nquestions: []\n"
    write(content, "sample.yaml", text)
    assert problems_for(content) == [
        f"{FILE}:1: slug must be 'sample', the file's name",
        f"{FILE}:1: missing field 'title'",
        f"{FILE}:2: 'pass_mark' must be a whole number from 1 to 100",
        f"{FILE}:3: 'questions' must list at least one question",
    ]


def test_load_quizzes_question_type_given_as_a_list(content):
    write(content, "sample.yaml", HEADER + REFLECTION.replace("reflection", "[reflection]"))
    assert only_problem(content).startswith(f"{FILE}:5: question 'own-practice': unknown type")


def test_load_quizzes_non_string_top_level_key(content):
    write(content, "sample.yaml", HEADER.replace("questions:\n", "2: x\nquestions:\n") + REFLECTION)
    assert only_problem(content) == f"{FILE}:4: unknown field '2'"


# -- attempts: how many, how far apart, when the answers show ----------------------------


def with_attempts(value: str) -> str:
    """The header with an ``attempts:`` line (line 4) before the questions (line 5)."""
    return HEADER.replace("pass_mark: 60\n", f"pass_mark: 60\nattempts: {value}\n")


def test_load_quizzes_attempts_default_when_left_out(content):
    write(content, "sample.yaml", HEADER + REFLECTION)
    assert load_quizzes(content)["sample"].policy == AttemptPolicy(3, 1, "after_last")


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        (
            "{allowed: 5, hours_between: 24, show_answers: after_each}",
            AttemptPolicy(5, 24, "after_each"),
        ),
        ("{allowed: 1}", AttemptPolicy(1, 1, "after_last")),
        ("{allowed: 20, hours_between: 0}", AttemptPolicy(20, 0, "after_last")),
        ("{hours_between: 0.5}", AttemptPolicy(3, 0.5, "after_last")),
        ("{hours_between: 720}", AttemptPolicy(3, 720, "after_last")),
        ("{}", AttemptPolicy()),
        ("", AttemptPolicy()),
    ],
)
def test_load_quizzes_reads_attempts(content, value, policy):
    write(content, "sample.yaml", with_attempts(value) + REFLECTION)
    assert load_quizzes(content)["sample"].policy == policy


TAKES = "'attempts' takes allowed, hours_between, show_answers"
ALLOWED = "attempts 'allowed' must be a whole number from 1 to 20"
HOURS = "attempts 'hours_between' must be 0 to 720 hours"
SHOW = "attempts 'show_answers' must be one of after_each, after_last"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3", TAKES),
        ("[3, 1]", TAKES),
        ("{allowed: 3, tries: 2}", TAKES),
        ("{allowed: 0}", ALLOWED),
        ("{allowed: 21}", ALLOWED),
        ("{allowed: 2.5}", ALLOWED),
        ("{allowed: three}", ALLOWED),
        ("{allowed: true}", ALLOWED),
        ("{hours_between: -1}", HOURS),
        ("{hours_between: 721}", HOURS),
        ("{hours_between: soon}", HOURS),
        ("{hours_between: false}", HOURS),
        ("{show_answers: never}", SHOW),
        ("{show_answers: [after_each]}", SHOW),
    ],
)
def test_load_quizzes_bad_attempts_name_file_and_line(content, value, message):
    write(content, "sample.yaml", with_attempts(value) + REFLECTION)
    assert only_problem(content) == f"{FILE}:4: {message}"


# -- the right answer's position in single choices ---------------------------------------


def test_load_quizzes_refuses_the_right_answer_mostly_in_one_position(content):
    questions = choice("first", 1) + choice("second", 1) + choice("third", 2)
    write(content, "sample.yaml", HEADER + questions)
    problem = only_problem(content)
    assert problem.startswith(f"{FILE}:4: option 1 is the right answer in 2 of 3 single-choice")
    assert "at most 40% in one position" in problem


@pytest.mark.parametrize(
    "rights",
    [
        (1, 2, 3),  # a third each
        (1, 1, 2, 2, 3),  # 40% is the most allowed
        (1, 1),  # too few single choices to tell
    ],
)
def test_load_quizzes_accepts_right_answers_spread_out(content, rights):
    questions = "".join(choice(f"item-{n}", right) for n, right in enumerate(rights))
    write(content, "sample.yaml", HEADER + questions)
    assert len(load_quizzes(content)["sample"].questions) == len(rights)


def test_load_quizzes_position_check_counts_single_choices_only(content):
    multiple = CHOICE.replace("type: choice\n", "type: choice\n    multiple: true\n")
    questions = (
        "".join(multiple.replace("pick-one", f"several-{n}") for n in range(3))
        + choice("first", 1)
        + choice("second", 2)
        + choice("third", 3)
    )
    write(content, "sample.yaml", HEADER + questions)
    assert len(load_quizzes(content)["sample"].questions) == 6


def test_load_quizzes_position_check_names_the_position(content):
    rights = (3, 3, 3, 1, 2)
    questions = "".join(choice(f"item-{n}", right) for n, right in enumerate(rights))
    write(content, "sample.yaml", HEADER + REFLECTION + questions)
    assert only_problem(content).startswith(
        f"{FILE}:4: option 3 is the right answer in 3 of 5 single-choice questions"
    )


# -- app start-up --------------------------------------------------------------------------


def copy_real_content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, copy)
    return copy


def config_for(content_dir: Path) -> type[TestConfig]:
    class CopiedContentConfig(TestConfig):
        COURSE_CONTENT_DIR = str(content_dir)

    return CopiedContentConfig


def test_create_app_starts_with_a_copy_of_the_real_content(tmp_path):
    app = create_app(config_for(copy_real_content(tmp_path)))
    assert len(app.extensions["quizzes"].quizzes) == 7


def test_create_app_refuses_a_broken_quiz_file(tmp_path):
    copy = copy_real_content(tmp_path)
    path = copy / "quizzes" / "reflective-capacity.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if "type: reflection" in line)
    question_line = number  # the "- id:" line is index number - 1, so line number
    question_id = lines[number - 1].split("id:")[1].strip()
    lines[number] = lines[number].replace("reflection", "essay")
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(QuizContentError) as info:
        create_app(config_for(copy))
    assert info.value.problems == [
        f"content/quizzes/reflective-capacity.yaml:{question_line}: question '{question_id}': "
        f"unknown type 'essay' (one of: {TYPE_NAMES})"
    ]
