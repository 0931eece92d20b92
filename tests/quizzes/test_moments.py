"""The "mark the moments" question: parsing, reading marks, grading, its template, content."""

from pathlib import Path

import imageio_ffmpeg
import pytest
import yaml
from werkzeug.datastructures import MultiDict

from course.curriculum.media import make_stand_in_clip, quiz_clip_ends
from quizzes.loader import QuizContentError, load_quizzes
from quizzes.moments import MAX_MARKS, MomentsQuestion, clock, parse_time
from quizzes.question_types import ParseProblem

CONTENT = Path(__file__).resolve().parents[2] / "content"
VIDEOS = frozenset(
    v["slug"] for v in yaml.safe_load((CONTENT / "videos.yaml").read_text())["videos"]
)
SLUG = "l2-grandmother-backyard-explorer"


def item(**changes) -> dict:
    data = {
        "id": "check-backs",
        "type": "moments",
        "prompt": "Mark each moment Tariq checks back with his grandmother.",
        "behaviour": "Tariq checks back with Nana.",
        "video": {"slug": SLUG, "start": 10, "end": 40},
        "moments": [
            {"at": 30, "note": "He looks back from the sandbox."},
            {"at": 12.5, "note": "He stops on the grass and turns around."},
            {"at": "0:20", "note": "He holds the bucket up to show her."},
        ],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def question(**changes) -> MomentsQuestion:
    return MomentsQuestion.parse(item(**changes), VIDEOS)


def marks_from(typed: str, **changes) -> list[float]:
    q = question(**changes)
    return q.response_from_form(MultiDict({q.field_name("marks"): typed}))["marks"]


# Parsing


def test_a_good_item_parses_with_sorted_moments_and_the_default_tolerance():
    q = question()
    assert (q.type_name, q.scored, q.tolerance) == ("moments", True, 1.5)
    assert (q.video.slug, q.start, q.end) == (SLUG, 10, 40)
    assert [m.at for m in q.moments] == [12.5, 20.0, 30.0]
    assert q.moments[0].note == "He stops on the grass and turns around."
    assert q.field_name("marks") == "q-check-backs-marks"


def test_a_tolerance_and_yaml_base_60_times_are_accepted():
    data = yaml.safe_load("at: 0:25\n")  # YAML 1.1 reads an unquoted 0:25 as 25
    q = question(tolerance=2, moments=[{"at": data["at"], "note": "Looks back."}])
    assert (q.tolerance, q.moments[0].at) == (2.0, 25.0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"video": None}, "needs 'video' with a slug from videos.yaml and the clip's 'start'"),
        ({"video": {"slug": SLUG, "start": 10}}, "the clip's 'start' and 'end'"),
        ({"video": {"slug": SLUG, "start": 10, "end": None}}, "the clip's 'start' and 'end'"),
        ({"video": {"slug": "no-such-film", "start": 0, "end": 30}}, "unknown video"),
        ({"video": {"slug": SLUG, "start": 40, "end": 10}}, "end after start"),
        ({"video": {"slug": SLUG, "start": 0, "end": 30, "at": 4}}, "unknown field at in video"),
        ({"moments": []}, "needs 'moments' with at least 1 entry"),
        ({"moments": None}, "needs 'moments' with at least 1 entry"),
        ({"moments": ["12.5"]}, "each entry of 'moments' must be a mapping"),
        ({"moments": [{"note": "No time."}]}, "moment 1 needs 'at'"),
        ({"moments": [{"at": "soon", "note": "Vague."}]}, "moment 1 needs 'at'"),
        ({"moments": [{"at": True, "note": "Not a time."}]}, "moment 1 needs 'at'"),
        ({"moments": [{"at": 15}]}, "moment 1 needs a 'note'"),
        ({"moments": [{"at": 15, "note": "  "}]}, "moment 1 needs a 'note'"),
        ({"moments": [{"at": 15, "note": "One.\nTwo."}]}, "moment 1: keep the note to one line"),
        ({"moments": [{"at": 15, "note": "A.", "why": "B."}]}, "unknown field why in moment 1"),
        (
            {"moments": [{"at": 15, "note": "A."}, {"at": "0:15", "note": "B."}]},
            "two moments at 0:15",
        ),
        ({"tolerance": 0}, "'tolerance' must be a number of seconds above 0 and at most 5"),
        ({"tolerance": 6}, "at most 5"),
        ({"tolerance": "wide"}, "at most 5"),
        ({"tolerance": True}, "at most 5"),
        ({"behaviour": None}, "needs 'behaviour' (text)"),
        ({"prompt": ""}, "needs 'prompt' (text)"),
    ],
)
def test_author_errors_say_what_to_fix(changes, message):
    with pytest.raises(ParseProblem) as exc:
        question(**changes)
    assert message in str(exc.value)


@pytest.mark.parametrize("at", [9.5, 40.5, "1:00"])
def test_a_moment_outside_the_window_is_refused(at):
    with pytest.raises(ParseProblem) as exc:
        question(moments=[{"at": at, "note": "Out of the clip."}])
    assert f"moment 1 at {clock(parse_time(str(at)))} is outside the clip (0:10 to 0:40)" in str(
        exc.value
    )


def test_the_loader_names_file_line_and_question(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "q.yaml").write_text(
        "slug: q\ntitle: Q\npass_mark: 60\nquestions:\n"
        "  - id: spot\n    type: moments\n    prompt: Mark it.\n    behaviour: A look.\n"
        f"    video: {{slug: {SLUG}, start: 0, end: 20}}\n"
        "    moments:\n      - at: 25\n        note: Too late.\n"
    )
    with pytest.raises(QuizContentError) as exc:
        load_quizzes(tmp_path, VIDEOS)
    [problem] = exc.value.problems
    assert problem.endswith(
        "quizzes/q.yaml:5: question 'spot': moment 1 at 0:25 is outside the clip"
        " (0:00 to 0:20): move it or widen start/end"
    )


# Times and marks


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7, "0:07"), (95, "1:35"), (95.5, "1:35.5"), (59.96, "1:00"), (600.04, "10:00")],
)
def test_clock_reads_as_the_player_does(seconds, text):
    assert clock(seconds) == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("95", 95.0), ("95.5", 95.5), ("1:35", 95.0), ("1:35.5", 95.5), (" 0:07 ", 7.0)],
)
def test_parse_time_reads_seconds_and_minutes(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "soon", "-3", "1:75", "1:2:3", "12..5", "nan", "1e3", "²", "٣"]
)
def test_parse_time_refuses_anything_else(text):
    assert parse_time(text) is None


def test_marks_are_read_in_seconds_or_minutes_and_sorted():
    assert marks_from("30, 12.5") == [12.5, 30.0]
    assert marks_from("0:30 0:12.5;0:20") == [12.5, 20.0, 30.0]


def test_junk_is_ignored_and_repeats_collapse():
    assert marks_from("abc, 12..5, -3, 1:75,, 20, 0:20, 20.0, soon") == [20.0]


def test_marks_outside_the_clip_count_at_its_edges():
    assert marks_from("5, 20, 45, 2:00") == [10.0, 20.0, 40.0]


def test_marks_are_rounded_to_a_tenth():
    assert marks_from("12.34, 12.36") == [12.3, 12.4]


def test_too_many_marks_are_capped_keeping_the_earliest():
    typed = ", ".join(f"{10 + n * 0.5:g}" for n in range(61))  # 10, 10.5, ... 40
    marks = marks_from(typed)
    assert len(marks) == MAX_MARKS and marks[0] == 10.0 and marks[-1] == 34.5


def test_nothing_typed_is_not_an_answer():
    q = question()
    assert q.response_from_form(MultiDict()) == {"marks": []}
    assert not q.is_answered({"marks": []}) and not q.is_answered({})
    assert q.is_answered({"marks": [12.0]})


# Grading


def test_marking_every_moment_scores_full_marks():
    q = question()
    grade = q.grade(q.model_response())
    assert grade.score == 1.0
    assert [f["at"] for f in grade.details["found"]] == [12.5, 20.0, 30.0]
    assert grade.details["missed"] == [] and grade.details["extra"] == []


def test_wrong_model_answers_are_answered_and_score_nothing():
    q = question()
    response = q.model_response(correct=False)
    assert q.is_answered(response) and q.grade(response).score == 0


@pytest.mark.parametrize(
    ("mark", "found"), [(18.5, True), (21.5, True), (18.4, False), (21.6, False)]
)
def test_the_tolerance_is_one_and_a_half_seconds_either_side(mark, found):
    q = question(moments=[{"at": 20, "note": "A look back."}])
    grade = q.grade({"marks": [mark]})
    assert (grade.score == 1.0) is found
    assert grade.details["extra"] == ([] if found else [mark])
    assert len(grade.details["missed"]) == (0 if found else 1)


def test_a_narrower_tolerance_is_kept():
    q = question(tolerance=0.5, moments=[{"at": 20, "note": "A look back."}])
    assert q.grade({"marks": [20.5]}).score == 1.0
    assert q.grade({"marks": [20.6]}).score == 0.0


def test_one_mark_cannot_find_two_moments():
    q = question(moments=[{"at": 20, "note": "One."}, {"at": 21, "note": "Two."}])
    grade = q.grade({"marks": [20.5]})
    assert len(grade.details["found"]) == 1 and len(grade.details["missed"]) == 1
    assert grade.score == 0.5


def test_a_mark_between_two_moments_goes_to_the_closer_and_the_other_mark_still_counts():
    q = question(moments=[{"at": 20, "note": "One."}, {"at": 22, "note": "Two."}])
    grade = q.grade({"marks": [21.2, 22.4]})
    assert {f["at"]: f["mark"] for f in grade.details["found"]} == {20.0: 21.2, 22.0: 22.4}
    assert grade.score == 1.0


def test_pressing_every_second_scores_low():
    q = question()
    grade = q.grade({"marks": list(range(10, 41))})
    assert len(grade.details["found"]) == 3
    assert len(grade.details["extra"]) == 28
    assert grade.score == pytest.approx(3 / 31) and grade.score < 0.15


def test_an_extra_mark_costs_as_much_as_a_missed_moment():
    q = question()
    assert q.grade({"marks": [12.5, 20, 30, 36]}).score == 0.75
    assert q.grade({"marks": [12.5, 20]}).score == pytest.approx(2 / 3)


def test_nothing_marked_scores_zero_and_misses_every_moment():
    q = question()
    for response in ({}, {"marks": []}, {"marks": "junk"}, None):
        grade = q.grade(response)
        assert grade.score == 0.0
        assert [m["at"] for m in grade.details["missed"]] == [12.5, 20.0, 30.0]
        assert grade.details["marks"] == []


# The template


def render(app, **context) -> str:
    template = app.jinja_env.get_template("quizzes/questions/moments.html")
    with app.test_request_context():
        return template.render(**context)


def urls(slug):
    return f"/videos/{slug}/file"


def captions(slug):
    return f"/videos/{slug}/captions.vtt"


def test_answering_shows_the_clip_with_captions_the_button_and_the_typed_list(app):
    q = question()
    html = render(
        app, question=q, response={"marks": [12, 95.5]}, video_url=urls, captions_url=captions
    )
    assert f'<source src="/videos/{SLUG}/file#t=10,40">' in html
    assert (
        f'<track kind="captions" src="/videos/{SLUG}/captions.vtt" srclang="en"'
        ' label="English" default>' in html
    )
    assert '<button type="button" class="moments-mark"' in html and "Mark a moment" in html
    assert "press M" in html
    assert 'aria-live="polite"' in html
    assert "Times you marked (seconds or m:ss), separated by commas" in html
    assert f'name="{q.field_name("marks")}" value="0:12, 0:40"' in html  # 95.5 is past the end
    assert "Watch for:</strong> Tariq checks back with Nana." in html
    assert "not available" not in html


def test_answering_without_the_clip_says_so_and_keeps_the_typed_list(app):
    q = question()
    for context in ({"video_url": lambda slug: None}, {}):
        html = render(app, question=q, response={}, **context)
        assert "The clip is not available on this site yet" in html
        assert "<video" not in html and "Mark a moment" not in html
        assert f'name="{q.field_name("marks")}" value=""' in html
        assert "No marks yet." in html


def test_answering_with_no_response_at_all_renders(app):
    html = render(app, question=question(), response=None, video_url=urls)
    assert "<video" in html and "<track" not in html  # no captions URL given


def test_the_review_shows_counts_moments_notes_and_the_timeline(app):
    q = question()
    grade = q.grade({"marks": [12, 33]})
    html = render(
        app, question=q, response={"marks": [12, 33]}, review=True, grade=grade, video_url=urls
    )
    assert "You found 1 of 3 moments; 1 extra mark." in html
    assert "Found (you marked 0:12)" in html and html.count("Missed") == 2
    assert "He stops on the grass and turns around." in html
    assert "He holds the bucket up to show her." in html
    assert "left: 8.33%" in html  # 12.5 s of a 10-40 s clip
    assert "Extra marks, with no moment within 1.5 seconds" in html and "0:33" in html
    assert 'data-moments-seek="10.5"' in html
    assert "Times you marked" not in html


def test_the_review_grades_itself_when_no_grade_is_passed(app):
    html = render(app, question=question(), response={"marks": [12.5, 20, 30]}, review=True)
    assert "You found 3 of 3 moments; no extra marks." in html


def test_the_review_with_answers_held_back_shows_only_counts_and_own_marks(app):
    q = question()
    response = {"marks": [12, 33]}
    html = render(
        app, question=q, response=response, review=True, grade=q.grade(response), show_answers=False
    )
    assert "You found 1 of 3 moments; 1 extra mark." in html
    assert "Your marks:" in html and "0:12" in html and "0:33" in html
    assert "He stops on the grass" not in html and "0:12.5" not in html and "0:20" not in html
    assert "moments-timeline" not in html


def test_the_review_of_an_empty_response_renders(app):
    html = render(app, question=question(), response={}, review=True, show_answers=True)
    assert "You did not mark any moments; there were 3 to find." in html


def test_the_script_is_served(client):
    response = client.get("/static/quizzes/moments.js")
    assert response.status_code == 200 and b"data-moments" in response.data
    response.close()


# Content


def test_every_level_one_quiz_ends_with_a_moments_item_on_a_catalogue_clip():
    quizzes = load_quizzes(CONTENT, VIDEOS)
    assert len(quizzes) == 7
    for slug, quiz in quizzes.items():
        items = [q for q in quiz.questions if isinstance(q, MomentsQuestion)]
        assert len(items) == 1 and quiz.questions[-1] is items[0], slug
        q = items[0]
        assert q.video.slug in VIDEOS and 20 <= q.end - q.start <= 40, slug
        assert 3 <= len(q.moments) <= 5, slug
        assert q.grade(q.model_response()).score == 1.0


def test_stand_ins_cover_the_latest_window_a_quiz_names(tmp_path):
    ends = quiz_clip_ends(CONTENT)
    assert ends["l2-grandmother-backyard-explorer"] == 30
    assert len(ends) >= 7
    clip = tmp_path / "clip.mp4"
    make_stand_in_clip(clip, seconds=31, cheap=True)
    _, seconds = imageio_ffmpeg.count_frames_and_secs(str(clip))
    assert seconds == pytest.approx(31, abs=0.5)
    assert clip.stat().st_size < 200_000
