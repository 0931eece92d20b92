"""The rules of taking a quiz: one draft at a time, submit once, best attempt counts."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select, update

from quizzes.loader import Quiz
from quizzes.models import AttemptStatus, QuizAnswer, QuizAttempt, utcnow
from quizzes.question_types import ObservationQuestion, _is_index
from quizzes.signals import quiz_passed


class QuizError(Exception):
    """A quiz rule was broken; the message is for the trainee."""


class Unanswered(QuizError):
    """Some questions are blank; ``questions`` holds their 1-based numbers."""

    def __init__(self, questions: tuple[int, ...]):
        self.questions = questions
        numbers = ", ".join(map(str, questions))
        super().__init__(
            f"Answer every question before you submit (still blank: {numbers}). "
            "Your answers are saved."
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


def start_or_resume(user_id: int, quiz: Quiz) -> QuizAttempt:
    """Return the person's open attempt at a quiz, starting a new one if there is none."""
    attempt = current_draft(user_id, quiz.slug)
    if attempt is None:
        last = session().scalar(
            select(func.max(QuizAttempt.number)).where(
                QuizAttempt.user_id == user_id, QuizAttempt.quiz_slug == quiz.slug
            )
        )
        attempt = QuizAttempt(user_id=user_id, quiz_slug=quiz.slug, number=(last or 0) + 1)
        session().add(attempt)
        session().commit()
    return attempt


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
        answer.response = responses.get(question.id, {})
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
        quiz_passed.send(
            current_app._get_current_object(),
            user_id=attempt.user_id,
            quiz_slug=quiz.slug,
            attempt_id=attempt.id,
        )
    return attempt


def _grade(attempt: QuizAttempt, quiz: Quiz) -> None:
    scores = []
    for question in quiz.questions:
        answer = attempt.answer_for(question.id)
        grade = question.grade(answer.response)
        answer.score = grade.score
        if isinstance(question, ObservationQuestion):
            answer.auto_coverage = grade.details["coverage"]
        if question.scored:
            scores.append(grade.score)
    attempt.score = round(100 * sum(scores) / len(scores), 1) if scores else 100.0
    attempt.passed = attempt.score >= quiz.pass_mark


def record_self_assessment(attempt: QuizAttempt, question: ObservationQuestion, ticks) -> None:
    """Store which missed model answers the trainee says they did notice.

    ``ticks`` are "part-answer" strings from the form; ones already covered
    automatically, or out of range, are ignored. The score does not change.
    """
    answer = attempt.answer_for(question.id)
    coverage = answer.auto_coverage or []
    chosen = set()
    for tick in ticks:
        part, _, index = tick.partition("-")
        if _is_index(part) and _is_index(index):
            p, i = int(part), int(index)
            if p < len(coverage) and i < len(coverage[p]) and not coverage[p][i]:
                chosen.add((p, i))
    answer.self_assessed = sorted([p, i] for p, i in chosen)
    session().commit()


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


def get_attempt(attempt_id: int) -> QuizAttempt | None:
    return session().get(QuizAttempt, attempt_id)
