"""The five question types: parse, response_from_form, is_answered, grade, model_response."""

import copy

import pytest
from werkzeug.datastructures import MultiDict

from quizzes.question_types import (
    DOMAINS,
    MAX_OPEN_CHARS,
    QUESTION_TYPES,
    STANCES,
    ChoiceQuestion,
    DescribeInterpretQuestion,
    DomainSortQuestion,
    ObservationQuestion,
    ParseProblem,
    ReflectionQuestion,
    VideoClip,
)

VIDEOS = frozenset({"toddler-bath-time"})

OBSERVATION = {
    "id": "feeding-time",
    "type": "observation",
    "scenario": "Dario sits across from nine-month-old Ines at lunch.",
    "parts": [
        {
            "prompt": "What do you observe?",
            "model_answers": [
                {"text": "Dario waits with the spoon still when Ines turns her head away."},
                {"text": "Ines pats the tray."},
            ],
        },
        {
            "prompt": "What does the provider do to support the relationship?",
            "model_answers": [{"text": "He names her feeling."}, {"text": "He smiles at her."}],
        },
    ],
}

DOMAIN_SORT = {
    "id": "which-domains",
    "type": "domain_sort",
    "prompt": "In which developmental domains do you see the child engaged?",
    "items": [
        {
            "text": "Ines pats the tray with both palms.",
            "domains": ["perceptual-motor-physical", "approaches-to-learning"],
            "explanation": "Both hands, and curiosity.",
        },
        {
            "text": "Ines laughs back at Dario.",
            "domains": ["social-emotional"],
            "explanation": "Shared feeling.",
        },
        {
            "text": "Ines babbles 'ba' when Dario says 'banana'.",
            "domains": ["language-literacy"],
            "explanation": "An early word.",
        },
    ],
}

DESCRIBE = {
    "id": "describe-or-judge",
    "type": "describe_interpret",
    "prompt": "Description, interpretation, judgement or advice?",
    "statements": [
        {"text": "Her eyes stay on your face.", "answer": "description", "explanation": "Seen."},
        {"text": "She is bored.", "answer": "interpretation", "explanation": "A guess."},
        {"text": "You should sing more.", "answer": "advice", "explanation": "Tells."},
        {"text": "You're a natural.", "answer": "judgement", "explanation": "A verdict."},
    ],
}

SINGLE_CHOICE = {
    "id": "strengths-stance",
    "type": "choice",
    "multiple": False,
    "prompt": "Which response shows a strengths-based stance?",
    "options": [
        {"text": "You slowed down.", "correct": False, "feedback": "Half."},
        {"text": "You noticed she was tired.", "correct": True, "feedback": "Yes."},
        {"text": "Try not to rush her.", "correct": False, "feedback": "Advice."},
    ],
}

MULTIPLE_CHOICE = {
    "id": "which-are-repairs",
    "type": "choice",
    "multiple": True,
    "prompt": "Which are repairs?",
    "options": [
        {"text": "She comes back and softens.", "correct": True, "feedback": "Yes."},
        {"text": "He wraps up the call.", "correct": True, "feedback": "Yes."},
        {"text": "He leaves the room.", "correct": False, "feedback": "No return."},
    ],
}

REFLECTION = {
    "id": "own-practice",
    "type": "reflection",
    "prompt": "Think of a family you visit.",
}

SCORED = [DOMAIN_SORT, DESCRIBE, SINGLE_CHOICE, MULTIPLE_CHOICE]


def parse(data, videos=VIDEOS):
    return QUESTION_TYPES[data["type"]].parse(copy.deepcopy(data), videos)


def changed(data, edit):
    """A deep copy of ``data`` with ``edit`` applied to it."""
    data = copy.deepcopy(data)
    edit(data)
    return data


# -- registry and parsing ------------------------------------------------------------


def test_question_types_registry_names_the_five_types():
    expected = {
        "observation": ObservationQuestion,
        "domain_sort": DomainSortQuestion,
        "describe_interpret": DescribeInterpretQuestion,
        "choice": ChoiceQuestion,
        "reflection": ReflectionQuestion,
    }
    assert dict(QUESTION_TYPES) == expected


def test_observation_parse_reads_parts_and_model_answers_as_text():
    question = parse(OBSERVATION)
    assert question.id == "feeding-time"
    assert question.prompt == "What do you observe?"
    assert question.scenario.startswith("Dario sits")
    assert question.parts[0].model_answers == (
        "Dario waits with the spoon still when Ines turns her head away.",
        "Ines pats the tray.",
    )
    assert question.parts[1].prompt == "What does the provider do to support the relationship?"
    assert question.video is None
    assert question.template == "quizzes/questions/observation.html"


def test_observation_is_open_and_never_scored():
    question = parse(OBSERVATION)
    assert question.scored is False
    assert question.is_open is True
    assert not any(QUESTION_TYPES[d["type"]].is_open for d in [*SCORED, REFLECTION])


def test_observation_point_keys_name_part_and_model_answer():
    assert parse(OBSERVATION).point_keys() == ["0-0", "0-1", "1-0", "1-1"]


def test_observation_parse_reads_video_clip():
    data = changed(
        OBSERVATION, lambda d: d.update(video={"slug": "toddler-bath-time", "start": 12, "end": 47})
    )
    assert parse(data).video == VideoClip("toddler-bath-time", 12, 47)


def test_domain_sort_parse_reads_items_as_sets():
    question = parse(DOMAIN_SORT)
    assert question.items[0].answer == frozenset(
        {"perceptual-motor-physical", "approaches-to-learning"}
    )
    assert question.items[1].explanation == "Shared feeling."


def test_choice_parse_reads_options_and_multiple_flag():
    single, multiple = parse(SINGLE_CHOICE), parse(MULTIPLE_CHOICE)
    assert [o.correct for o in single.options] == [False, True, False]
    assert single.multiple is False
    assert multiple.multiple is True


def test_reflection_parse_is_unscored():
    question = parse(REFLECTION)
    assert question.prompt == "Think of a family you visit."
    assert question.scored is False
    assert all(QUESTION_TYPES[d["type"]].scored for d in SCORED)


# -- parse problems ------------------------------------------------------------------


def _cues(d):
    d["parts"][1]["model_answers"][0]["cues"] = [["name", "label"]]


def _answer_without_text(d):
    d["parts"][0]["model_answers"][1] = {"text": "  "}


def _answer_as_plain_text(d):
    d["parts"][0]["model_answers"][0] = "Dario waits."


def _no_model_answers(d):
    d["parts"][1]["model_answers"] = []


def _no_parts(d):
    d["parts"] = []


def _part_without_prompt(d):
    del d["parts"][0]["prompt"]


def _unknown_domain(d):
    d["items"][1]["domains"] = ["social-emotional", "motor-skills"]


def _bad_stance(d):
    d["statements"][2]["answer"] = "opinion"


def _two_correct(d):
    d["options"][0]["correct"] = True


def _none_correct_multiple(d):
    for option in d["options"]:
        option["correct"] = False


def _none_correct_single(d):
    d["options"][1]["correct"] = False


def _unknown_video(d):
    d["video"] = {"slug": "nap-time", "start": 0}


def _end_before_start(d):
    d["video"] = {"slug": "toddler-bath-time", "start": 40, "end": 12}


def _end_at_start(d):
    d["video"] = {"slug": "toddler-bath-time", "start": 12, "end": 12}


def _unknown_part_field(d):
    d["parts"][0]["hint"] = "Look at the spoon."


def _unknown_model_answer_field(d):
    d["parts"][0]["model_answers"][1]["weight"] = 2


def _correct_not_bool(d):
    d["options"][0]["correct"] = "yes"


def _one_option(d):
    d["options"] = d["options"][:1]


def _no_scenario(d):
    del d["scenario"]


@pytest.mark.parametrize(
    ("data", "edit", "message"),
    [
        (OBSERVATION, _cues, "unknown field cues in part 2, model answer 1"),
        (OBSERVATION, _answer_without_text, "needs 'text' (text)"),
        (OBSERVATION, _answer_as_plain_text, "each entry of 'model_answers' must be a mapping"),
        (OBSERVATION, _no_model_answers, "needs 'model_answers' with at least 1 entry"),
        (OBSERVATION, _no_parts, "needs 'parts' with at least 1 entry"),
        (OBSERVATION, _part_without_prompt, "needs 'prompt' (text)"),
        (DOMAIN_SORT, _unknown_domain, "item 2: unknown domain 'motor-skills'"),
        (
            DESCRIBE,
            _bad_stance,
            "statement 3: answer must be one of description, interpretation, judgement, advice",
        ),
        (SINGLE_CHOICE, _two_correct, "a single choice needs exactly one correct option"),
        (SINGLE_CHOICE, _none_correct_single, "a single choice needs exactly one correct option"),
        (MULTIPLE_CHOICE, _none_correct_multiple, "needs at least one correct option"),
        (OBSERVATION, _unknown_video, "unknown video 'nap-time'"),
        (OBSERVATION, _end_before_start, "end after start"),
        (OBSERVATION, _end_at_start, "end after start"),
        (OBSERVATION, _unknown_part_field, "unknown field hint in part 1"),
        (
            OBSERVATION,
            _unknown_model_answer_field,
            "unknown field weight in part 1, model answer 2",
        ),
        (SINGLE_CHOICE, _correct_not_bool, "option 1 needs 'correct: true' or 'correct: false'"),
        (SINGLE_CHOICE, _one_option, "needs 'options' with at least 2 entries"),
        (OBSERVATION, _no_scenario, "needs 'scenario' (text)"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or "",
)
def test_parse_malformed_question_raises_parse_problem(data, edit, message):
    with pytest.raises(ParseProblem) as info:
        parse(changed(data, edit))
    assert message in str(info.value)


def test_domain_sort_parse_problem_lists_the_domain_keys():
    with pytest.raises(ParseProblem) as info:
        parse(changed(DOMAIN_SORT, _unknown_domain))
    assert all(key in str(info.value) for key in DOMAINS)


def test_observation_parse_video_slugs_none_skips_video_check():
    question = parse(changed(OBSERVATION, _unknown_video), videos=None)
    assert question.video == VideoClip("nap-time", 0, None)


def test_describe_interpret_parse_list_answer_raises_parse_problem():
    data = changed(DESCRIBE, lambda d: d["statements"][0].update(answer=["description"]))
    with pytest.raises(ParseProblem, match="statement 1: answer must be one of"):
        parse(data)


# -- observation: never graded, locked, self-checked -----------------------------------

LOCKED = {
    "parts": ["Dario held the spoon still while Ines looked away.", "He smiled at her."],
    "locked": True,
    "highlights": [[], []],
    "covered": ["0-0"],
    "missed": "",
    "checked": False,
}


def test_observation_grade_is_unscored_and_keeps_the_ticked_points():
    grade = parse(OBSERVATION).grade({**LOCKED, "covered": ["0-0", "1-1"], "checked": True})
    assert grade.score is None
    assert grade.details == {"covered": {"0-0", "1-1"}}
    assert parse(OBSERVATION).grade({}).details == {"covered": set()}


@pytest.mark.parametrize(
    ("response", "answered"),
    [
        ({**LOCKED, "checked": True}, True),
        ({**LOCKED, "checked": True, "covered": []}, True),  # ticking nothing is honest
        (LOCKED, False),  # locked, not compared with the model points yet
        ({**LOCKED, "locked": False, "checked": True}, False),  # ticked before writing
        ({"parts": ["He smiled.", "He smiled."]}, False),  # written, not locked
        ({}, False),
    ],
    ids=[
        "locked-and-checked",
        "checked-nothing-ticked",
        "not-checked",
        "not-locked",
        "text-only",
        "empty",
    ],
)
def test_observation_is_answered_only_when_locked_and_checked(response, answered):
    assert parse(OBSERVATION).is_answered(response) is answered


def test_observation_merge_before_locking_keeps_only_the_text():
    question = parse(OBSERVATION)
    given = {"parts": ["First try.", ""], "covered": ["0-0"], "missed": "x", "checked": True}
    merged = question.merge({"parts": ["Older.", ""], "locked": False}, given)
    assert merged == {"parts": ["First try.", ""], "locked": False}
    assert question.is_answered(merged) is False  # no self-check without a locked answer


def test_observation_merge_once_locked_keeps_the_text_and_updates_the_self_check():
    question = parse(OBSERVATION)
    given = {
        "parts": ["Rewritten after seeing the model answers.", "Also rewritten."],
        "covered": ["0-1", "1-0"],
        "missed": "I missed the tray.",
        "checked": True,
    }
    merged = question.merge(LOCKED, given)
    assert merged == {
        **LOCKED,
        "covered": ["0-1", "1-0"],
        "missed": "I missed the tray.",
        "checked": True,
    }
    assert question.is_answered(merged) is True
    assert question.merge(merged, {"parts": ["x", "y"]})["checked"] is False  # unticked


def test_observation_model_response_is_locked_checked_and_in_sentences():
    question = parse(OBSERVATION)
    right, wrong = question.model_response(True), question.model_response(False)
    for response in (right, wrong):
        assert response["locked"] is True and response["checked"] is True
        assert len(response["parts"]) == len(question.parts)
        assert all(text.strip() for text in response["parts"])
        assert question.is_answered(response) is True
        assert question.grade(response).score is None
    assert right["covered"] == ["0-0"]
    assert wrong["covered"] == []


# -- domain sort grading -------------------------------------------------------------


def test_domain_sort_grade_gives_credit_for_the_overlap_per_item():
    question = parse(DOMAIN_SORT)
    response = {
        "items": [
            ["approaches-to-learning", "perceptual-motor-physical"],  # exact, other order
            ["social-emotional", "language-literacy"],  # one too many: 1 of 2 named
            [],  # none
        ]
    }
    grade = question.grade(response)
    assert grade.details["credit"] == [1.0, 0.5, 0.0]
    assert grade.details["right"] == [True, False, False]
    assert grade.score == pytest.approx(1.5 / 3)


def test_domain_sort_grade_one_of_two_domains_earns_half():
    grade = parse(DOMAIN_SORT).grade(
        {"items": [["perceptual-motor-physical"], ["social-emotional"], ["language-literacy"]]}
    )
    assert grade.details["credit"] == [0.5, 1.0, 1.0]
    assert grade.details["right"] == [False, True, True]
    assert grade.score == pytest.approx(2.5 / 3)


def test_domain_sort_grade_ticking_every_domain_earns_a_fifth():
    grade = parse(DOMAIN_SORT).grade({"items": [[], list(DOMAINS), []]})
    assert grade.details["credit"] == [0.0, pytest.approx(0.2), 0.0]
    assert grade.details["right"] == [False, False, False]
    assert grade.score == pytest.approx(0.2 / 3)


def test_domain_sort_grade_a_wrong_domain_earns_nothing():
    grade = parse(DOMAIN_SORT).grade(
        {"items": [["social-emotional"], ["language-literacy"], ["language-literacy"]]}
    )
    assert grade.details["credit"] == [0.0, 0.0, 1.0]
    assert grade.details["given"][:3] == [
        ["social-emotional"],
        ["language-literacy"],
        ["language-literacy"],
    ]


def test_domain_sort_grade_missing_items_count_as_empty():
    given = ["approaches-to-learning", "perceptual-motor-physical"]
    grade = parse(DOMAIN_SORT).grade({"items": [given]})
    assert grade.details["credit"] == [1.0, 0.0, 0.0]
    assert grade.score == pytest.approx(1 / 3)
    assert parse(DOMAIN_SORT).grade({}).score == 0.0


def test_domain_sort_grade_all_right_scores_one():
    grade = parse(DOMAIN_SORT).grade(
        {
            "items": [
                ["perceptual-motor-physical", "approaches-to-learning"],
                ["social-emotional"],
                ["language-literacy"],
            ]
        }
    )
    assert grade.score == 1.0
    assert grade.details["right"] == [True, True, True]


# -- describe or interpret grading ---------------------------------------------------


def test_describe_interpret_grade_per_statement():
    grade = parse(DESCRIBE).grade({"statements": ["description", "judgement", "advice", None]})
    assert grade.details["right"] == [True, False, True, False]
    assert grade.score == 0.5


def test_describe_interpret_grade_all_right_scores_one():
    grade = parse(DESCRIBE).grade(
        {"statements": ["description", "interpretation", "advice", "judgement"]}
    )
    assert grade.score == 1.0


def test_describe_interpret_grade_missing_statements_are_wrong():
    grade = parse(DESCRIBE).grade({"statements": ["description"]})
    assert grade.details["right"] == [True, False, False, False]
    assert grade.score == 0.25


# -- choice grading ------------------------------------------------------------------


def test_choice_single_grade_correct_option_scores_one():
    assert parse(SINGLE_CHOICE).grade({"selected": [1]}).score == 1.0


@pytest.mark.parametrize("selected", [[0], [2], []])
def test_choice_single_grade_wrong_or_no_option_scores_zero(selected):
    assert parse(SINGLE_CHOICE).grade({"selected": selected}).score == 0.0


def test_choice_multiple_grade_exact_set_scores_one():
    assert parse(MULTIPLE_CHOICE).grade({"selected": [1, 0]}).score == 1.0


@pytest.mark.parametrize("selected", [[0], [1], [0, 1, 2], [2], []])
def test_choice_multiple_grade_not_the_exact_set_scores_zero(selected):
    assert parse(MULTIPLE_CHOICE).grade({"selected": selected}).score == 0.0


# -- choice order: shuffled per attempt ----------------------------------------------

SEEDS = range(20)


def test_choice_order_without_a_seed_is_the_authored_order():
    assert parse(SINGLE_CHOICE).order(None) == [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_choice_order_is_a_permutation_and_stable_for_one_seed(seed):
    question = parse(MULTIPLE_CHOICE)
    order = question.order(seed)
    assert sorted(order) == [0, 1, 2]
    assert question.order(seed) == order
    assert parse(MULTIPLE_CHOICE).order(seed) == order  # the same on every visit


def test_choice_order_differs_between_seeds():
    question = parse(SINGLE_CHOICE)
    orders = {tuple(question.order(seed)) for seed in SEEDS}
    assert len(orders) > 1


def test_choice_order_differs_between_questions_of_one_attempt():
    other = parse(changed(SINGLE_CHOICE, lambda d: d.update(id="another-question")))
    question = parse(SINGLE_CHOICE)
    assert any(question.order(seed) != other.order(seed) for seed in SEEDS)


# -- reflection ----------------------------------------------------------------------


def test_reflection_grade_is_unscored():
    grade = parse(REFLECTION).grade({"text": "A family I visit."})
    assert grade.score is None
    assert grade.details == {"text": "A family I visit."}


def test_reflection_is_answered_with_text():
    question = parse(REFLECTION)
    assert question.is_answered({"text": "A family I visit."}) is True
    assert question.is_answered({"text": ""}) is False
    assert question.is_answered({}) is False


# -- is_answered ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "answered", "empty"),
    [
        (DOMAIN_SORT, {"items": [[], ["social-emotional"], []]}, {"items": [[], [], []]}),
        (DESCRIBE, {"statements": [None, "advice", None, None]}, {"statements": [None] * 4}),
        (SINGLE_CHOICE, {"selected": [0]}, {"selected": []}),
    ],
    ids=["domain_sort", "describe_interpret", "choice"],
)
def test_is_answered_something_given_versus_nothing(data, answered, empty):
    question = parse(data)
    assert question.is_answered(answered) is True
    assert question.is_answered(empty) is False
    assert question.is_answered({}) is False


# -- response_from_form --------------------------------------------------------------


def test_observation_response_from_form_reads_text_and_self_check():
    question = parse(OBSERVATION)
    form = MultiDict(
        [
            ("q-feeding-time-part-0", "  He paused.\n"),
            ("q-other-part-1", "x"),
            ("q-feeding-time-covered", "1-1"),
            ("q-feeding-time-covered", "0-0"),
            ("q-feeding-time-covered", "1-1"),
            ("q-feeding-time-missed", " The tray. "),
            ("q-feeding-time-checked", "yes"),
        ]
    )
    assert question.response_from_form(form) == {
        "parts": ["He paused.", ""],
        "covered": ["0-0", "1-1"],
        "missed": "The tray.",
        "checked": True,
    }


@pytest.mark.parametrize("key", ["2-0", "0-2", "x", "", "0-0-0", "-1-0"])
def test_observation_response_from_form_ignores_unknown_covered_keys(key):
    question = parse(OBSERVATION)
    form = MultiDict([("q-feeding-time-covered", key), ("q-feeding-time-covered", "1-0")])
    assert question.response_from_form(form)["covered"] == ["1-0"]


@pytest.mark.parametrize("value", ["on", "true", "Yes", ""])
def test_observation_response_from_form_checked_needs_yes(value):
    form = MultiDict({"q-feeding-time-checked": value})
    assert parse(OBSERVATION).response_from_form(form)["checked"] is False


def test_observation_response_from_form_cuts_overlong_text():
    form = MultiDict({"q-feeding-time-part-1": "a" * 6000, "q-feeding-time-missed": "b" * 6000})
    response = parse(OBSERVATION).response_from_form(form)
    assert response["parts"][1] == "a" * MAX_OPEN_CHARS
    assert response["missed"] == "b" * MAX_OPEN_CHARS


def test_domain_sort_response_from_form_ignores_unknown_domains():
    question = parse(DOMAIN_SORT)
    form = MultiDict(
        [
            ("q-which-domains-item-0", "perceptual-motor-physical"),
            ("q-which-domains-item-0", "maths"),
            ("q-which-domains-item-0", "approaches-to-learning"),
            ("q-which-domains-item-2", "<script>"),
            ("q-which-domains-item-7", "social-emotional"),
        ]
    )
    assert question.response_from_form(form) == {
        "items": [["perceptual-motor-physical", "approaches-to-learning"], [], []]
    }


def test_describe_interpret_response_from_form_ignores_unknown_stances():
    question = parse(DESCRIBE)
    form = MultiDict(
        {
            "q-describe-or-judge-stmt-0": "description",
            "q-describe-or-judge-stmt-1": "opinion",
            "q-describe-or-judge-stmt-3": "judgement",
        }
    )
    assert question.response_from_form(form) == {
        "statements": ["description", None, None, "judgement"]
    }


def test_choice_single_response_from_form_keeps_one_option():
    question = parse(SINGLE_CHOICE)
    form = MultiDict([("q-strengths-stance-option", "2"), ("q-strengths-stance-option", "1")])
    assert question.response_from_form(form) == {"selected": [1]}


def test_choice_multiple_response_from_form_ignores_out_of_range_and_junk():
    question = parse(MULTIPLE_CHOICE)
    form = MultiDict(
        [
            ("q-which-are-repairs-option", "2"),
            ("q-which-are-repairs-option", "0"),
            ("q-which-are-repairs-option", "3"),
            ("q-which-are-repairs-option", "99"),
            ("q-which-are-repairs-option", "-1"),
            ("q-which-are-repairs-option", "one"),
            ("q-which-are-repairs-option", "0"),
        ]
    )
    assert question.response_from_form(form) == {"selected": [0, 2]}


def test_choice_response_from_form_ignores_unicode_superscript_digit():
    question = parse(MULTIPLE_CHOICE)
    form = MultiDict([("q-which-are-repairs-option", "²"), ("q-which-are-repairs-option", "1")])
    assert question.response_from_form(form) == {"selected": [1]}


def test_reflection_response_from_form_strips_text():
    question = parse(REFLECTION)
    assert question.response_from_form(MultiDict({"q-own-practice-text": " Mine. "})) == {
        "text": "Mine."
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (OBSERVATION, {"parts": ["", ""], "covered": [], "missed": "", "checked": False}),
        (DOMAIN_SORT, {"items": [[], [], []]}),
        (DESCRIBE, {"statements": [None, None, None, None]}),
        (SINGLE_CHOICE, {"selected": []}),
        (MULTIPLE_CHOICE, {"selected": []}),
        (REFLECTION, {"text": ""}),
    ],
    ids=["observation", "domain_sort", "describe_interpret", "single", "multiple", "reflection"],
)
def test_response_from_form_missing_fields_give_an_unanswered_response(data, expected):
    question = parse(data)
    response = question.response_from_form(MultiDict())
    assert response == expected
    assert question.is_answered(response) is False


# -- model_response ------------------------------------------------------------------


@pytest.mark.parametrize("data", SCORED, ids=[d["id"] for d in SCORED])
def test_model_response_correct_grades_one(data):
    question = parse(data)
    assert question.grade(question.model_response(True)).score == 1.0


@pytest.mark.parametrize("data", SCORED, ids=[d["id"] for d in SCORED])
def test_model_response_incorrect_grades_below_one(data):
    question = parse(data)
    assert question.grade(question.model_response(False)).score < 1.0


def test_model_response_reflection_is_answered_and_unscored():
    question = parse(REFLECTION)
    response = question.model_response(True)
    assert question.is_answered(response) is True
    assert question.grade(response).score is None


# -- labels --------------------------------------------------------------------------


def test_domain_sort_labels_names_domains_in_words():
    question = parse(DOMAIN_SORT)
    assert question.labels(["social-emotional", "language-literacy"]) == (
        "Language and Literacy, Social and Emotional"
    )
    assert question.labels("cognition-general-knowledge") == "Cognition and General Knowledge"


def test_domain_sort_labels_skips_unknown_and_empty():
    question = parse(DOMAIN_SORT)
    assert question.labels(["maths", "approaches-to-learning"]) == "Approaches to Learning"
    assert question.labels([]) == ""
    assert question.labels(None) == ""


def test_describe_interpret_labels_names_stances_in_words():
    question = parse(DESCRIBE)
    assert question.labels("description") == "Objective description"
    assert question.labels(["advice", "judgement"]) == "Advice, Judgement"
    assert set(STANCES) == {"description", "interpretation", "judgement", "advice"}


def test_field_name_joins_question_id_and_parts():
    assert parse(OBSERVATION).field_name("part", 1) == "q-feeding-time-part-1"
