"""Taking a quiz: save and resume, submit once, retake, best attempt counts, and the
attempt policy (how many attempts, how far apart, when the right answers show)."""

from dataclasses import replace
from datetime import timedelta

import pytest

from quizzes import api, open_answers, services
from quizzes.loader import AttemptPolicy
from quizzes.models import AttemptStatus, QuizAttempt, ReviewState, utcnow
from quizzes.signals import quiz_passed
from tests.quizzes.conftest import SLUG

USER = 7


def right(quiz):
    return {q.id: q.model_response(True) for q in quiz.questions}


def wrong(quiz):
    """Wrong closed answers; the open answers are unscored, so written as in ``right``
    (the "wrong" model text is too short to lock)."""
    return {q.id: q.model_response(q.is_open) for q in quiz.questions}


def lock_open_answers(attempt, quiz, responses):
    """Save, and lock each open answer as the trainee's "Lock my answer" button does."""
    for question in quiz.questions:
        if question.is_open:
            outcome = open_answers.lock_answer(attempt, quiz, question, responses, True)
            assert outcome.locked, outcome.problems


def take(quiz, responses, user_id=USER, **start):
    """Start (or resume) an attempt, lock its open answers and submit it."""
    attempt = services.start_or_resume(user_id, quiz, **start)
    lock_open_answers(attempt, quiz, responses)
    return services.submit_attempt(attempt, quiz, responses)


def hours_pass(attempt, hours=2):
    """Move the attempt's submission back in time, as if ``hours`` had passed since."""
    attempt.submitted_at = utcnow() - timedelta(hours=hours)
    services.session().commit()


def test_start_or_resume_returns_the_open_draft(app, quiz):
    first = services.start_or_resume(USER, quiz)
    again = services.start_or_resume(USER, quiz)
    assert first.id == again.id
    assert first.number == 1
    assert first.status == AttemptStatus.DRAFT


def test_two_starts_at_once_open_one_attempt(app, quiz, monkeypatch):
    """A double click: both requests read "no draft, 0 attempts" before either wrote.
    The second to commit meets the unique attempt number and resumes the first's."""
    other = services.start_or_resume(USER, quiz)  # the other request, committed first
    real = services.session
    stale_reads = []

    class BeforeTheOtherCommitted:
        """This request's reads of attempts (the draft, the highest number) saw none."""

        def __getattr__(self, name):
            return getattr(real(), name)

        def scalar(self, statement, *args, **kwargs):
            if len(stale_reads) < 2 and "quiz_attempt" in str(statement):
                stale_reads.append(statement)
                return None
            return real().scalar(statement, *args, **kwargs)

    monkeypatch.setattr(services, "session", BeforeTheOtherCommitted)
    attempt = services.start_or_resume(USER, quiz)
    monkeypatch.undo()
    assert len(stale_reads) == 2
    assert attempt.id == other.id
    count = services.session().query(QuizAttempt).filter_by(user_id=USER).count()
    assert count == 1


def test_start_sets_a_shuffle_seed_kept_on_resuming(app, quiz):
    first = services.start_or_resume(USER, quiz)
    assert isinstance(first.seed, int) and 0 <= first.seed < 2**31
    assert services.start_or_resume(USER, quiz).seed == first.seed
    hours_pass(take(quiz, right(quiz)))
    retake = services.start_or_resume(USER, quiz)
    other = services.start_or_resume(USER + 1, quiz)
    assert len({first.seed, retake.seed, other.seed}) == 3


def test_saved_answers_come_back_when_resuming(app, quiz):
    attempt = services.start_or_resume(USER, quiz)
    responses = wrong(quiz)
    services.save_responses(attempt, quiz, responses)
    resumed = services.start_or_resume(USER, quiz)
    for question in quiz.questions:
        saved = resumed.answer_for(question.id).response
        if question.is_open:  # the text is kept; saving does not lock it
            assert saved == {"parts": responses[question.id]["parts"], "locked": False}
        else:
            assert saved == responses[question.id]


def test_submit_grades_every_question_and_the_total(app, quiz):
    attempt = take(quiz, right(quiz))
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.score == 100.0
    assert attempt.passed is True
    scored = [a.score for a in attempt.answers if quiz.question(a.question_id).scored]
    assert scored and all(score == 1.0 for score in scored)
    unscored = [a for a in attempt.answers if not quiz.question(a.question_id).scored]
    assert {quiz.question(a.question_id).type_name for a in unscored} == {
        "observation",
        "reflection",
    }
    assert all(a.score is None for a in unscored)
    states = {a.question_id: a.review_state for a in attempt.answers}
    assert [states[q.id] for q in quiz.questions if q.is_open] == [ReviewState.WAITING]
    assert all(states[q.id] is None for q in quiz.questions if not q.is_open)


def test_wrong_answers_do_not_pass(app, quiz):
    attempt = take(quiz, wrong(quiz))
    assert attempt.passed is False
    assert attempt.score < quiz.pass_mark
    assert not api.has_passed(USER, SLUG)


def test_submit_with_a_blank_question_keeps_the_answers(app, quiz):
    attempt = services.start_or_resume(USER, quiz)
    responses = right(quiz)
    lock_open_answers(attempt, quiz, responses)
    blank_id = quiz.questions[1].id
    responses[blank_id] = {}
    with pytest.raises(services.Unanswered) as error:
        services.submit_attempt(attempt, quiz, responses)
    assert error.value.questions == (2,)
    assert attempt.status == AttemptStatus.DRAFT
    kept = services.start_or_resume(USER, quiz)
    last = quiz.questions[-1]
    assert kept.answer_for(last.id).response == responses[last.id]


def test_submit_with_an_open_answer_not_locked_is_refused(app, quiz):
    attempt = services.start_or_resume(USER, quiz)
    with pytest.raises(services.Unanswered) as error:
        services.submit_attempt(attempt, quiz, right(quiz))
    observation = next(n for n, q in enumerate(quiz.questions, 1) if q.is_open)
    assert error.value.questions == (observation,)
    assert "locked it and compared it" in str(error.value)
    assert attempt.is_draft


def test_submitting_the_same_attempt_twice_records_it_once(app, quiz):
    attempt = services.start_or_resume(USER, quiz)
    first = take(quiz, right(quiz))
    submitted_at = first.submitted_at
    second = services.submit_attempt(attempt, quiz, wrong(quiz))
    assert second.score == 100.0
    assert second.submitted_at == submitted_at
    assert services.session().query(QuizAttempt).count() == 1


def test_saving_a_submitted_attempt_is_refused(app, quiz):
    attempt = take(quiz, right(quiz))
    with pytest.raises(services.QuizError, match="already submitted"):
        services.save_responses(attempt, quiz, wrong(quiz))


def test_retake_starts_a_new_numbered_attempt_and_keeps_the_old(app, quiz):
    hours_pass(take(quiz, wrong(quiz)))
    retake = services.start_or_resume(USER, quiz)
    assert retake.number == 2
    take(quiz, right(quiz))
    attempts = services.attempts_for(USER, SLUG)
    assert [a.number for a in attempts] == [2, 1]
    assert [a.passed for a in attempts] == [True, False]


def test_the_best_attempt_counts(app, quiz):
    hours_pass(take(quiz, right(quiz)))
    take(quiz, wrong(quiz))
    best = services.best_attempt(USER, SLUG)
    assert best.number == 1
    assert api.has_passed(USER, SLUG)


def test_has_passed_is_per_person_and_per_quiz(app, quiz):
    take(quiz, right(quiz))
    assert api.has_passed(USER, SLUG)
    assert not api.has_passed(USER + 1, SLUG)
    assert not api.has_passed(USER, "reflective-capacity")


def test_a_draft_never_counts_as_passed(app, quiz):
    attempt = services.start_or_resume(USER, quiz)
    lock_open_answers(attempt, quiz, right(quiz))
    services.save_responses(attempt, quiz, right(quiz))
    assert not api.has_passed(USER, SLUG)


def test_passing_sends_quiz_passed_once(app, quiz):
    received = []

    def listener(sender, **data):
        received.append(data)

    with quiz_passed.connected_to(listener):
        attempt = take(quiz, right(quiz))
        services.submit_attempt(attempt, quiz, right(quiz))
        hours_pass(attempt)
        take(quiz, wrong(quiz))
    assert received == [{"user_id": USER, "quiz_slug": SLUG, "attempt_id": attempt.public_id}]


# -- the attempt policy: three attempts, an hour apart, answers after the last ----------


def test_the_default_policy(quiz):
    assert quiz.policy == AttemptPolicy(allowed=3, hours_between=1, show_answers="after_last")


def test_a_fourth_attempt_is_refused(app, quiz):
    for _ in range(3):
        hours_pass(take(quiz, wrong(quiz)))
    message = "You have used all 3 attempts at this quiz. Talk with your trainer"
    assert services.next_attempt_block(USER, quiz).startswith(message)
    with pytest.raises(services.QuizError, match=message):
        services.start_or_resume(USER, quiz)
    assert [a.number for a in services.attempts_for(USER, SLUG)] == [3, 2, 1]


def test_a_second_attempt_within_the_hour_is_refused(app, quiz):
    take(quiz, wrong(quiz))
    with pytest.raises(services.QuizError, match="Your next attempt opens in 60 minutes"):
        services.start_or_resume(USER, quiz)
    assert services.current_draft(USER, SLUG) is None


def test_the_wait_counts_down(app, quiz):
    hours_pass(take(quiz, wrong(quiz)), hours=0.5)
    assert services.next_attempt_block(USER, quiz).startswith(
        "Your next attempt opens in 30 minutes."
    )


def test_a_long_wait_is_told_in_hours(app, quiz):
    quiz = replace(quiz, policy=AttemptPolicy(hours_between=24))
    hours_pass(take(quiz, wrong(quiz)), hours=2)
    assert services.next_attempt_block(USER, quiz).startswith(
        "Your next attempt opens in 22 hours."
    )


def test_a_second_attempt_after_the_hour_is_allowed(app, quiz):
    hours_pass(take(quiz, wrong(quiz)), hours=1.01)
    assert services.next_attempt_block(USER, quiz) is None
    assert services.start_or_resume(USER, quiz).number == 2


def test_no_wait_when_the_quiz_sets_none(app, quiz):
    quiz = replace(quiz, policy=AttemptPolicy(hours_between=0))
    take(quiz, wrong(quiz))
    assert services.start_or_resume(USER, quiz).number == 2


def test_the_policy_is_per_person(app, quiz):
    take(quiz, wrong(quiz))
    assert services.next_attempt_block(USER + 1, quiz) is None
    assert services.start_or_resume(USER + 1, quiz).number == 1


def test_check_policy_false_and_take_quiz_bypass_the_policy(app, quiz):
    for _ in range(4):
        assert api.take_quiz(USER, SLUG, correct=False) is False
    assert services.next_attempt_block(USER, quiz) is not None
    assert services.start_or_resume(USER, quiz, check_policy=False).number == 5


def test_allow_another_attempt_gives_one_more(app, quiz):
    for _ in range(3):
        hours_pass(take(quiz, wrong(quiz)))
    services.allow_another_attempt(USER, quiz, granted_by=99)
    assert services.attempts_allowed(USER, quiz) == 4
    assert services.attempts_allowed(USER + 1, quiz) == 3
    assert services.next_attempt_block(USER, quiz) is None
    hours_pass(take(quiz, wrong(quiz)))
    assert services.attempts_for(USER, SLUG)[0].number == 4
    with pytest.raises(services.QuizError, match="You have used all 4 attempts"):
        services.start_or_resume(USER, quiz)
    services.allow_another_attempt(USER, quiz, granted_by=99)
    assert services.attempts_allowed(USER, quiz) == 5


def test_answers_show_only_after_the_last_attempt(app, quiz):
    first = take(quiz, wrong(quiz))
    assert services.shows_answers(first, quiz) is False  # attempt 1 of 3, not passed
    hours_pass(first)
    second = take(quiz, wrong(quiz))
    assert services.shows_answers(second, quiz) is False
    hours_pass(second)
    third = take(quiz, wrong(quiz))
    assert services.shows_answers(third, quiz) is True  # the last allowed attempt
    services.allow_another_attempt(USER, quiz, granted_by=99)
    assert services.shows_answers(third, quiz) is False  # no longer the last


def test_answers_show_after_a_pass(app, quiz):
    attempt = take(quiz, right(quiz))
    assert attempt.number == 1
    assert services.shows_answers(attempt, quiz) is True


def test_answers_show_after_each_attempt_when_the_quiz_says_so(app, quiz):
    quiz = replace(quiz, policy=AttemptPolicy(show_answers="after_each"))
    assert services.shows_answers(take(quiz, wrong(quiz)), quiz) is True
