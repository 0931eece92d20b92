"""Taking a quiz: save and resume, submit once, retake, best attempt counts."""

import pytest

from quizzes import api, services
from quizzes.models import AttemptStatus, QuizAttempt
from quizzes.signals import quiz_passed

SLUG = "elements-of-a-healthy-relationship"


@pytest.fixture
def quiz(app):
    return services.get_quiz(SLUG)


def right(quiz):
    return {q.id: q.model_response(True) for q in quiz.questions}


def wrong(quiz):
    return {q.id: q.model_response(False) for q in quiz.questions}


def test_start_or_resume_returns_the_open_draft(app, quiz):
    first = services.start_or_resume(7, quiz)
    again = services.start_or_resume(7, quiz)
    assert first.id == again.id
    assert first.number == 1
    assert first.status == AttemptStatus.DRAFT


def test_saved_answers_come_back_when_resuming(app, quiz):
    attempt = services.start_or_resume(7, quiz)
    responses = wrong(quiz)
    services.save_responses(attempt, quiz, responses)
    resumed = services.start_or_resume(7, quiz)
    for question in quiz.questions:
        assert resumed.answer_for(question.id).response == responses[question.id]


def test_submit_grades_every_question_and_the_total(app, quiz):
    attempt = services.submit_attempt(services.start_or_resume(7, quiz), quiz, right(quiz))
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.score == 100.0
    assert attempt.passed is True
    scored = [a.score for a in attempt.answers if quiz.question(a.question_id).scored]
    assert scored and all(score == 1.0 for score in scored)
    reflection = [a for a in attempt.answers if not quiz.question(a.question_id).scored]
    assert all(a.score is None for a in reflection)


def test_wrong_answers_do_not_pass(app, quiz):
    attempt = services.submit_attempt(services.start_or_resume(7, quiz), quiz, wrong(quiz))
    assert attempt.passed is False
    assert attempt.score < quiz.pass_mark
    assert not api.has_passed(7, SLUG)


def test_submit_with_a_blank_question_keeps_the_answers(app, quiz):
    attempt = services.start_or_resume(7, quiz)
    responses = right(quiz)
    blank_id = quiz.questions[1].id
    responses[blank_id] = {}
    with pytest.raises(services.Unanswered) as error:
        services.submit_attempt(attempt, quiz, responses)
    assert error.value.questions == (2,)
    assert attempt.status == AttemptStatus.DRAFT
    kept = services.start_or_resume(7, quiz)
    assert kept.answer_for(quiz.questions[0].id).response == responses[quiz.questions[0].id]


def test_submitting_the_same_attempt_twice_records_it_once(app, quiz):
    attempt = services.start_or_resume(7, quiz)
    first = services.submit_attempt(attempt, quiz, right(quiz))
    submitted_at = first.submitted_at
    second = services.submit_attempt(attempt, quiz, wrong(quiz))
    assert second.score == 100.0
    assert second.submitted_at == submitted_at
    assert services.session().query(QuizAttempt).count() == 1


def test_saving_a_submitted_attempt_is_refused(app, quiz):
    attempt = services.submit_attempt(services.start_or_resume(7, quiz), quiz, right(quiz))
    with pytest.raises(services.QuizError, match="already submitted"):
        services.save_responses(attempt, quiz, wrong(quiz))


def test_retake_starts_a_new_numbered_attempt_and_keeps_the_old(app, quiz):
    services.submit_attempt(services.start_or_resume(7, quiz), quiz, wrong(quiz))
    retake = services.start_or_resume(7, quiz)
    assert retake.number == 2
    services.submit_attempt(retake, quiz, right(quiz))
    attempts = services.attempts_for(7, SLUG)
    assert [a.number for a in attempts] == [2, 1]
    assert [a.passed for a in attempts] == [True, False]


def test_the_best_attempt_counts(app, quiz):
    services.submit_attempt(services.start_or_resume(7, quiz), quiz, right(quiz))
    services.submit_attempt(services.start_or_resume(7, quiz), quiz, wrong(quiz))
    best = services.best_attempt(7, SLUG)
    assert best.number == 1
    assert api.has_passed(7, SLUG)


def test_has_passed_is_per_person_and_per_quiz(app, quiz):
    services.submit_attempt(services.start_or_resume(7, quiz), quiz, right(quiz))
    assert api.has_passed(7, SLUG)
    assert not api.has_passed(8, SLUG)
    assert not api.has_passed(7, "reflective-capacity")


def test_a_draft_never_counts_as_passed(app, quiz):
    attempt = services.start_or_resume(7, quiz)
    services.save_responses(attempt, quiz, right(quiz))
    assert not api.has_passed(7, SLUG)


def test_passing_sends_quiz_passed_once(app, quiz):
    received = []

    def listener(sender, **data):
        received.append(data)

    with quiz_passed.connected_to(listener):
        attempt = services.start_or_resume(7, quiz)
        services.submit_attempt(attempt, quiz, right(quiz))
        services.submit_attempt(attempt, quiz, right(quiz))
        services.submit_attempt(services.start_or_resume(7, quiz), quiz, wrong(quiz))
    assert received == [{"user_id": 7, "quiz_slug": SLUG, "attempt_id": attempt.id}]


def test_self_assessment_keeps_only_missed_model_answers(app, quiz):
    observation = next(q for q in quiz.questions if q.type_name == "observation")
    responses = wrong(quiz)
    first_answer = observation.parts[0].model_answers[0]
    responses[observation.id] = {
        "parts": [" ".join(cue[0] for cue in first_answer.cues)]
        + [""] * (len(observation.parts) - 1)
    }
    attempt = services.submit_attempt(services.start_or_resume(7, quiz), quiz, responses)
    answer = attempt.answer_for(observation.id)
    assert answer.auto_coverage[0][0] is True
    services.record_self_assessment(attempt, observation, ["0-0", "0-1", "9-9", "x"])
    assert answer.self_assessed == [[0, 1]]
    assert attempt.score == services.best_attempt(7, SLUG).score  # the score is unchanged
