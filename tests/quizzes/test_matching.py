"""Cue matching: Snowball stems, phrases of consecutive words, alternatives, covers."""

import pytest

from quizzes.matching import contains_phrase, covers, cue_matches, stem, stems


@pytest.mark.parametrize(
    ("base", "forms"),
    [
        ("wait", ["waiting", "waits", "waited"]),
        ("cry", ["cries", "crying", "cried"]),
    ],
)
def test_stem_word_forms_share_the_base_stem(base, forms):
    assert {stem(form) for form in forms} == {stem(base)}


def test_stems_distinct_words_keep_distinct_stems():
    assert stem("wait") != stem("walk")


def test_stems_returns_words_in_order_lower_cased_without_punctuation():
    assert stems("Dario WAITED, then... smiled!") == ["dario", "wait", "then", "smile"]


def test_stems_drops_possessive_s():
    assert stems("Luz's cup") == ["luz", "cup"]


@pytest.mark.parametrize("answer", ["waiting", "She waits.", "he waited a moment", "Wait"])
def test_covers_word_form_matches_cue(answer):
    assert covers(answer, [["wait"]])


@pytest.mark.parametrize("answer", ["The baby cries", "crying at bedtime", "Ines cried."])
def test_covers_cries_crying_cried_match_cue_cry(answer):
    assert covers(answer, [["cry"]])


def test_covers_phrase_matches_consecutive_words_in_other_forms():
    assert covers("Luz looked back at her", [["look back"]])


def test_covers_phrase_words_out_of_order_do_not_match():
    assert not covers("She went back to look", [["look back"]])


def test_covers_phrase_words_apart_do_not_match():
    assert not covers("She looked and came back", [["look back"]])


def test_covers_ignores_case():
    assert covers("TERESA SMILED", [["smile"]])
    assert covers("teresa smiled", [["SMILE"]])


def test_covers_ignores_punctuation():
    assert covers("She paused... then (slowly) looked-back!", [["look back"], ["pause"]])
    assert covers("he looked back", [["look, back!"]])


def test_cue_matches_when_any_alternative_appears():
    answer = stems("He holds still for a second")
    assert cue_matches(answer, ["wait", "pause", "hold still"])
    assert cue_matches(stems("she paused"), ["wait", "pause", "hold still"])


def test_cue_matches_no_alternative_appears():
    assert not cue_matches(stems("he kept feeding her"), ["wait", "pause", "hold still"])


def test_covers_needs_every_cue():
    cues = [["wait", "pause"], ["turn away", "look away"]]
    assert covers("Dario waited when Ines turned away", cues)
    assert not covers("Dario waited", cues)
    assert not covers("Ines turned away", cues)


def test_covers_empty_cue_list_never_covers():
    assert not covers("anything at all, wait, look back", [])
    assert not covers("", [])


def test_covers_empty_answer_covers_nothing():
    assert not covers("", [["wait"]])


def test_contains_phrase_empty_phrase_is_not_contained():
    assert not contains_phrase(["wait"], [])


def test_contains_phrase_at_the_end_of_the_answer():
    assert contains_phrase(["she", "look", "back"], ["look", "back"])


def test_covers_single_quoted_word_starting_with_s():
    assert covers("Teresa says 'splash' each time", [["splash"]])
