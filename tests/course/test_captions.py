"""check_captions: the WebVTT checks for practice films and uploaded captions."""

import pytest

from course.curriculum.captions import (
    COVERAGE_SLACK_SECONDS,
    LONGEST_GAP_SECONDS,
    CaptionCheck,
    check_captions,
)


def vtt(*cues: tuple[str, str]) -> str:
    """A WebVTT file with one cue per (start, end)."""
    return "WEBVTT\n" + "".join(f"\n{start} --> {end}\nWords.\n" for start, end in cues)


VALID = (
    "WEBVTT\n"
    "\n"
    "00:00.000 --> 00:03.500\n"
    "[a radio plays softly]\n"
    "\n"
    "00:03.500 --> 00:08.000\n"
    "<v Imani>There you go.\n"
    "\n"
    "00:00:08.000 --> 00:00:20.000\n"
    "[steady sucking]\n"
)


def test_valid_file_has_no_problems():
    check = check_captions(VALID)
    assert check == CaptionCheck((), cues=3, last_end=20.0)
    assert check.ok


def test_valid_file_covering_the_film_has_no_problems():
    check = check_captions(VALID, 20)
    assert check.problems == ()
    assert check.ok
    assert (check.cues, check.last_end) == (3, 20.0)


def test_byte_order_mark_at_the_start_is_accepted():
    check = check_captions("\ufeff" + VALID, 20)
    assert check.problems == ()
    assert check.cues == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1\n00:00:00,000 --> 00:00:04,000\nSplash!\n",  # SubRip, not WebVTT
        "\n" + VALID,
        "webvtt\n\n00:00.000 --> 00:04.000\nSplash!\n",
    ],
)
def test_not_webvtt(text):
    check = check_captions(text, 20)
    assert check == CaptionCheck(("the file does not start with WEBVTT, so it is not WebVTT",))
    assert not check.ok


@pytest.mark.parametrize("text", ["WEBVTT\n", "WEBVTT\n\nNOTE only a note here\n"])
def test_no_cues(text):
    check = check_captions(text)
    assert check.problems == ("the file holds no captions",)
    assert check.cues == 0
    assert not check.ok


def test_cue_ending_before_it_starts():
    check = check_captions(vtt(("00:00.000", "00:10.000"), ("00:08.000", "00:06.000")))
    assert check.problems == ("caption 2 (00:00:08.000 --> 00:00:06.000) ends before it starts",)


def test_cue_ending_when_it_starts():
    check = check_captions(vtt(("00:05.000", "00:05.000")))
    assert check.problems == ("caption 1 (00:00:05.000 --> 00:00:05.000) ends before it starts",)


def test_cues_out_of_order():
    check = check_captions(vtt(("00:10.000", "00:20.000"), ("00:00.000", "00:10.000")))
    assert check.problems == (
        "caption 2 (00:00:00.000 --> 00:00:10.000) starts before the caption above it",
    )
    assert check.last_end == 20.0


def test_overlapping_cues_in_order_are_fine():
    check = check_captions(vtt(("00:00.000", "00:12.000"), ("00:10.000", "00:20.000")), 20)
    assert check.problems == ()


# -- coverage: only checked when the film's duration is given -----------------------------


def test_without_a_duration_coverage_and_gaps_are_not_checked():
    text = vtt(("00:00.000", "00:02.000"), ("01:00.000", "01:02.000"))
    assert check_captions(text).problems == ()


def test_captions_ending_well_before_the_film():
    check = check_captions(vtt(("00:00.000", "00:10.000")), 20)
    assert check.problems == ("the captions end at 10 s but the film runs 20 s",)
    assert check.last_end == 10.0


def test_captions_running_past_the_film():
    check = check_captions(vtt(("00:00.000", "00:30.000")), 20)
    assert check.problems == ("the captions run to 30 s, past the film's 20 s",)


@pytest.mark.parametrize("end", [20 - COVERAGE_SLACK_SECONDS, 20 + COVERAGE_SLACK_SECONDS])
def test_captions_within_the_slack_of_the_end_are_enough(end):
    assert check_captions(vtt(("00:00.000", f"00:{end:02d}.000")), 20).problems == ()


def test_coverage_counts_the_latest_end_not_the_last_cue():
    text = vtt(("00:00.000", "00:20.000"), ("00:05.000", "00:08.000"))
    check = check_captions(text, 20)
    assert check.problems == ()
    assert check.last_end == 20.0


def test_a_gap_longer_than_allowed():
    check = check_captions(vtt(("00:00.000", "00:04.000"), ("00:16.000", "00:20.000")), 20)
    assert check.problems == (
        "caption 2 (00:00:16.000 --> 00:00:20.000) leaves 12 s without captions",
    )


def test_a_gap_before_the_first_caption():
    check = check_captions(vtt(("00:12.000", "00:20.000")), 20)
    assert check.problems == (
        "caption 1 (00:00:12.000 --> 00:00:20.000) leaves 12 s without captions",
    )


def test_a_gap_of_exactly_the_longest_allowed_is_fine():
    start = 4 + LONGEST_GAP_SECONDS
    text = vtt(("00:00.000", "00:04.000"), (f"00:{start:02d}.000", "00:20.000"))
    assert check_captions(text, 20).problems == ()


def test_several_problems_are_all_listed():
    text = vtt(("00:00.000", "00:02.000"), ("00:03.000", "00:01.000"), ("00:20.000", "00:30.000"))
    assert check_captions(text, 60).problems == (
        "caption 2 (00:00:03.000 --> 00:00:01.000) ends before it starts",
        "caption 3 (00:00:20.000 --> 00:00:30.000) leaves 18 s without captions",
        "the captions end at 30 s but the film runs 60 s",
    )


def test_a_cue_with_a_malformed_timing_line_is_reported():
    text = (
        "WEBVTT\n\n00:00.000 --> 00:08.000\nA\n\n"
        "00:08.000 -> 00:12.000\nThese words are lost.\n\n"
        "00:12.000 --> 00:20.000\nC\n"
    )
    assert check_captions(text, 20).problems == (
        "1 timing line(s) could not be read; write them like 00:00:01.000 --> 00:00:04.000",
    )


def test_a_header_must_be_webvtt_followed_by_a_space_or_a_line_end():
    cue = "\n\n00:00.000 --> 00:01.000\nHi\n"
    assert not check_captions("WEBVTTX" + cue).ok
    assert check_captions("WEBVTT - practice film" + cue).ok


def test_an_arrow_in_a_captions_words_is_not_a_timing_line():
    text = "WEBVTT\n\n00:00.000 --> 00:04.000\nFirst the spoon -> then the cup\n"
    assert check_captions(text, 4).ok
