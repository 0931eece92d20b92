"""The rules of taking a quiz: one draft at a time, submit once, best attempt counts."""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from quizzes.loader import Quiz
from quizzes.models import (
    AttemptStatus,
    QuizAllowance,
    QuizAnswer,
    QuizAttempt,
    ReviewState,
    utcnow,
)
from quizzes.signals import quiz_passed


class QuizError(Exception):
    """A quiz rule was broken; the message is for the trainee."""


class Unanswered(QuizError):
    """Some questions are not done; ``questions`` holds their 1-based numbers."""

    def __init__(self, questions: tuple[int, ...]):
        self.questions = questions
        numbers = ", ".join(map(str, questions))
        super().__init__(
            f"Finish every question before you submit (still to do: {numbers}). An open "
            "answer is done when you have locked it and compared it with the points "
            "shown. Your answers are saved."
        )


def session():
    return current_app.extensions["sqlalchemy"].session


def get_quiz(slug: str) -> Quiz | None:
    return current_app.extensions["quizzes"].quizzes.get(slug)


def current_draft(user_id: int, quiz_slug: str) -> QuizAttempt | None:
    return session().scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_slug == quiz_slug,
            QuizAttempt.status == AttemptStatus.DRAFT,
        )
    )


def start_or_resume(user_id: int, quiz: Quiz, check_policy: bool = True) -> QuizAttempt:
    """Return the person's open attempt at a quiz, starting a new one if the quiz's
    attempt policy allows it (``check_policy`` False: demo data, which has no clock).

    :raise QuizError: when every allowed attempt is used, or the next is not due yet.
    """
    attempt = current_draft(user_id, quiz.slug)
    if attempt is None:
        blocked = check_policy and next_attempt_block(user_id, quiz)
        if blocked:
            raise QuizError(blocked)
        last = session().scalar(
            select(func.max(QuizAttempt.number)).where(
                QuizAttempt.user_id == user_id, QuizAttempt.quiz_slug == quiz.slug
            )
        )
        attempt = QuizAttempt(
            user_id=user_id,
            quiz_slug=quiz.slug,
            number=(last or 0) + 1,
            seed=secrets.randbelow(2**31),
        )
        session().add(attempt)
        try:
            session().commit()
        except IntegrityError:
            # Two starts at once (a double click): the other one's draft is the attempt.
            session().rollback()
            attempt = current_draft(user_id, quiz.slug)
            if attempt is None:
                raise
    return attempt


def attempts_allowed(user_id: int, quiz: Quiz) -> int:
    extra = session().scalar(
        select(QuizAllowance.extra_attempts).where(
            QuizAllowance.user_id == user_id, QuizAllowance.quiz_slug == quiz.slug
        )
    )
    return quiz.policy.allowed + (extra or 0)


def next_attempt_block(user_id: int, quiz: Quiz) -> str | None:
    """Why a new attempt cannot start now (a message for the trainee), or None."""
    done, last = (
        session()
        .execute(
            select(func.count(), func.max(QuizAttempt.submitted_at)).where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.quiz_slug == quiz.slug,
                QuizAttempt.status == AttemptStatus.SUBMITTED,
            )
        )
        .one()
    )
    allowed = attempts_allowed(user_id, quiz)
    if done >= allowed:
        return (
            f"You have used all {allowed} attempts at this quiz. Talk with your trainer: "
            "they can go over it with you and allow another attempt."
        )
    if last is not None:
        due = _aware(last) + timedelta(hours=quiz.policy.hours_between)
        wait = due - utcnow()
        if wait.total_seconds() > 0:
            minutes = int(wait.total_seconds() // 60) + 1
            return (
                f"Your next attempt opens in {_duration(minutes)}. Use the time to reread "
                "the parts of the module your last attempt showed you missed."
            )
    return None


def _duration(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(minutes / 60)} hours"


def _aware(moment):
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def allow_another_attempt(user_id: int, quiz: Quiz, granted_by: int) -> None:
    """A trainer gives one more attempt beyond the quiz's limit."""
    allowance = session().scalar(
        select(QuizAllowance).where(
            QuizAllowance.user_id == user_id, QuizAllowance.quiz_slug == quiz.slug
        )
    )
    if allowance is None:
        allowance = QuizAllowance(user_id=user_id, quiz_slug=quiz.slug, extra_attempts=0)
        session().add(allowance)
    allowance.extra_attempts += 1
    allowance.granted_by = granted_by
    allowance.granted_at = utcnow()
    session().commit()


def shows_answers(attempt: QuizAttempt, quiz: Quiz) -> bool:
    """Whether this attempt's result may show the right options and model answers:
    after each attempt, or only after the last allowed one (or a pass)."""
    if quiz.policy.show_answers == "after_each" or attempt.passed:
        return True
    return attempt.number >= attempts_allowed(attempt.user_id, quiz)


def responses_from_form(quiz: Quiz, form) -> dict[str, dict]:
    """Read every question's answer from a submitted form, keyed by question id."""
    return {question.id: question.response_from_form(form) for question in quiz.questions}


def save_responses(attempt: QuizAttempt, quiz: Quiz, responses: dict[str, dict]) -> None:
    """Keep what the trainee has written so far (a draft only; submitted answers are final)."""
    if not attempt.is_draft:
        raise QuizError("This attempt is already submitted; start a new one to change answers.")
    for question in quiz.questions:
        answer = attempt.answer_for(question.id)
        if answer is None:
            answer = QuizAnswer(question_id=question.id)
            attempt.answers.append(answer)
        answer.response = question.merge(answer.response or {}, responses.get(question.id, {}))
    attempt.saved_at = utcnow()
    session().commit()


def submit_attempt(attempt: QuizAttempt, quiz: Quiz, responses: dict[str, dict]) -> QuizAttempt:
    """Save, check every question is answered, grade, and close the attempt.

    Submitting an attempt that is already closed (a double click, the back button)
    changes nothing and returns it as it is.

    :raise Unanswered: with the blank questions' numbers; the answers stay saved.
    """
    if not attempt.is_draft:
        return attempt
    save_responses(attempt, quiz, responses)
    blank = tuple(
        n
        for n, question in enumerate(quiz.questions, 1)
        if not question.is_answered(attempt.answer_for(question.id).response)
    )
    if blank:
        raise Unanswered(blank)
    # Only one request may move the attempt out of draft, however many arrive at once.
    closed = session().execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.DRAFT)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=utcnow())
    )
    if closed.rowcount != 1:
        session().rollback()
        session().refresh(attempt)
        return attempt
    _grade(attempt, quiz)
    session().commit()
    session().refresh(attempt)
    if attempt.passed:
        announce_pass(attempt)
    return attempt


def announce_pass(attempt: QuizAttempt) -> None:
    """Tell the host the quiz is passed, unless a trainer's "revisit" still waits."""
    if not has_revisits(attempt.user_id, attempt.quiz_slug):
        quiz_passed.send(
            current_app._get_current_object(),
            user_id=attempt.user_id,
            quiz_slug=attempt.quiz_slug,
            attempt_id=attempt.public_id,
        )


def has_revisits(user_id: int, quiz_slug: str) -> bool:
    return bool(revisits_of({user_id}, quiz_slug).get(user_id))


def revisits_of(user_ids: set[int], quiz_slug: str | None = None) -> dict[int, set[str]]:
    """For many people at once: the quizzes where a trainer asked them to revisit."""
    query = (
        select(QuizAttempt.user_id, QuizAttempt.quiz_slug)
        .join(QuizAnswer)
        .where(QuizAttempt.user_id.in_(user_ids), QuizAnswer.review_state == ReviewState.REVISIT)
        .distinct()
    )
    if quiz_slug:
        query = query.where(QuizAttempt.quiz_slug == quiz_slug)
    result: dict[int, set[str]] = {}
    for user_id, slug in session().execute(query):
        result.setdefault(user_id, set()).add(slug)
    return result


def _grade(attempt: QuizAttempt, quiz: Quiz) -> None:
    """Score the scored questions; open answers start waiting for the trainer.
    Submitting already required every open answer to be locked and self-checked."""
    scores = []
    now = utcnow()
    for question in quiz.questions:
        answer = attempt.answer_for(question.id)
        grade = question.grade(answer.response)
        answer.score = grade.score
        if question.is_open:
            answer.review_state = ReviewState.WAITING
            answer.waiting_since = now
        if question.scored:
            scores.append(grade.score)
    attempt.score = round(100 * sum(scores) / len(scores), 1) if scores else 100.0
    attempt.passed = attempt.score >= quiz.pass_mark


def attempts_for(user_id: int, quiz_slug: str | None = None) -> list[QuizAttempt]:
    """Return a person's attempts, newest first, optionally for one quiz."""
    query = select(QuizAttempt).where(QuizAttempt.user_id == user_id)
    if quiz_slug:
        query = query.where(QuizAttempt.quiz_slug == quiz_slug)
    return list(session().scalars(query.order_by(QuizAttempt.id.desc())))


def best_attempt(user_id: int, quiz_slug: str) -> QuizAttempt | None:
    """Return the submitted attempt with the highest score (the earliest on a tie)."""
    return session().scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_slug == quiz_slug,
            QuizAttempt.status == AttemptStatus.SUBMITTED,
        )
        .order_by(QuizAttempt.score.desc(), QuizAttempt.id)
        .limit(1)
    )


def get_attempt(public_id: str) -> QuizAttempt | None:
    return session().scalar(select(QuizAttempt).where(QuizAttempt.public_id == public_id))
