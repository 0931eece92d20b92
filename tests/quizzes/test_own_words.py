"""The own-words check at lock time: never a grade, only the ways around observing."""

import pytest

from quizzes import own_words

MODELS = [
    "Luz's smacks slow down; she yawns, looks toward the hallway, then twists away from "
    "her mother and whimpers.",
    "Teresa notices, stops the game, lowers her voice and pours water slowly down Luz's "
    "back, and Luz settles against the tub.",
]
SCENARIO = "Luz yawns, and her gaze drifts past her mother toward the hallway."


@pytest.mark.parametrize(
    "text",
    [
        "Luz yawns and her gaze drifts past her mother toward the hallway, then she arches "
        "away and whimpers; Teresa goes quiet.",  # the scenario's own words are fine
        "La niña bosteza y mira hacia el pasillo, luego se aleja de su mamá y llora bajito.",
        "When Luz twists away, Teresa stops the game, lowers her voice and pours water "
        "slowly down Luz's back, and I saw Luz lean on the tub and reach for the cup while "
        "her mother watched her hands.",  # one model phrase inside a longer own answer
    ],
)
def test_own_descriptions_pass(text):
    assert own_words.problems([text], MODELS, SCENARIO) == [None]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("yawn twist", "Say a little more"),
        ("yawn gaze hallway twist whimper quiet pour settle lean reach", "This reads as a list"),
        (MODELS[1], "Part of this repeats"),
        (" ".join(MODELS), "Part of this repeats"),
    ],
)
def test_shortcuts_are_named(text, start):
    assert own_words.problems([text], MODELS, SCENARIO)[0].startswith(start)


def test_each_part_is_checked_on_its_own():
    good = "Teresa goes quiet and trickles water down her back, and Luz leans on the tub."
    found = own_words.problems(["x", good], MODELS, SCENARIO)
    assert found[0].startswith("Say a little more")
    assert found[1] is None
