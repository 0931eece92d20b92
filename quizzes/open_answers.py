"""Open answers ("What do you observe?"): locked in the trainee's own words, compared
with the model points by the trainee, then read and answered by their trainer.

The trainer may reply, or ask the trainee to revisit: the quiz then no longer counts
as passed until the trainee answers that question again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from quizzes import own_words
from quizzes.loader import Quiz
from quizzes.models import AttemptStatus, QuizAnswer, QuizAttempt, ReviewState, utcnow
from quizzes.question_types import ObservationQuestion
from quizzes.services import (
    QuizError,
    announce_pass,
    best_attempt,
    save_responses,
    session,
)
from quizzes.signals import open_answer_replied, quiz_reopened

REPLY_MAX = 4000


@dataclass
class LockOutcome:
    """What happened when the trainee asked to lock an answer."""

    locked: bool = False
    problems: list[str | None] = field(default_factory=list)  # per part: own words
    highlights: list[list[dict]] = field(default_factory=list)  # per part: coaching

    @property
    def needs_confirmation(self) -> bool:
        return not self.locked and not any(self.problems) and any(self.highlights)

    def may_lock(self, confirmed: bool) -> bool:
        """Own-words problems block; coaching highlights wait for "Keep it as it is"."""
        return not any(self.problems) and (confirmed or not any(self.highlights))


def coach(texts: list[str]) -> list[list[dict]]:
    """The coaching highlights of each text, as stored with the answer."""
    coaching = current_app.extensions["quizzes"].coaching
    return [[_highlight(h) for h in coaching.highlights(text)] for text in texts]


def _highlight(found) -> dict:
    return {
        "sentence": found.sentence,
        "kind": found.kind,
        "question": found.question,
        "match": found.match,
    }


def check_wording(question: ObservationQuestion, texts: list[str]) -> LockOutcome:
    """Own-words problems block the lock; coaching highlights only ask for a second look."""
    models = [text for part in question.parts for text in part.model_answers]
    texts = texts + [""] * (len(question.parts) - len(texts))
    return LockOutcome(
        problems=own_words.problems(texts, models, question.scenario), highlights=coach(texts)
    )


def lock_answer(
    attempt: QuizAttempt, quiz: Quiz, question: ObservationQuestion, responses, confirmed: bool
) -> LockOutcome:
    """Save the form, then lock this question's answer if it is in the trainee's own
    words; with coaching highlights it locks only once ``confirmed``."""
    save_responses(attempt, quiz, responses)
    answer = attempt.answer_for(question.id)
    outcome = check_wording(question, answer.response.get("parts") or [])
    if not outcome.may_lock(confirmed):
        return outcome
    answer.response = {**answer.response, "locked": True, "highlights": outcome.highlights}
    session().commit()
    outcome.locked = True
    return outcome


def reply(answer: QuizAnswer, reviewer_id: int, text: str, revisit: bool) -> None:
    """The trainer's reply; ``revisit`` asks for another try and reopens the quiz.

    :raise QuizError: for an empty or over-long reply, or an answer not open to one.
    """
    text = (text or "").strip()
    if not text or len(text) > REPLY_MAX:
        raise QuizError(f"Write a reply of 1 to {REPLY_MAX} characters.")
    if answer.review_state is None:
        raise QuizError("This answer is not waiting for a reply.")
    answer.review_state = ReviewState.REVISIT if revisit else ReviewState.REPLIED
    answer.reply = text
    answer.replied_by = reviewer_id
    answer.replied_at = utcnow()
    session().commit()
    attempt = answer.attempt
    app = current_app._get_current_object()
    open_answer_replied.send(
        app,
        user_id=attempt.user_id,
        quiz_slug=attempt.quiz_slug,
        attempt_id=attempt.public_id,
        question_id=answer.question_id,
        revisit=revisit,
    )
    if revisit:
        quiz_reopened.send(app, user_id=attempt.user_id, quiz_slug=attempt.quiz_slug)


def answer_again(
    attempt: QuizAttempt, quiz: Quiz, question: ObservationQuestion, form, confirmed: bool
) -> LockOutcome:
    """The trainee's new answer to a question their trainer asked them to revisit.

    The earlier answer and the reply are kept; the new one waits for the trainer again.
    """
    answer = attempt.answer_for(question.id)
    if answer is None or answer.review_state != ReviewState.REVISIT:
        raise QuizError("Your trainer has not asked you to revisit this answer.")
    given = question.response_from_form(form)
    outcome = check_wording(question, given["parts"])
    if not outcome.may_lock(confirmed):
        return outcome
    earlier = list(answer.response.get("earlier") or [])
    earlier.append(
        {
            "parts": answer.response.get("parts"),
            "reply": answer.reply,
            "replied_at": answer.replied_at.isoformat() if answer.replied_at else None,
        }
    )
    answer.response = {
        **given,
        "locked": True,
        "checked": True,
        "highlights": outcome.highlights,
        "earlier": earlier,
    }
    answer.review_state = ReviewState.WAITING
    answer.waiting_since = utcnow()
    answer.reply = answer.replied_by = answer.replied_at = None
    session().commit()
    outcome.locked = True
    best = best_attempt(attempt.user_id, quiz.slug)
    if best is not None and best.passed:  # the module completes again, if nothing else waits
        announce_pass(best)
    return outcome


def waiting(reviewees: set[int] | None, limit: int = 200) -> list[QuizAnswer]:
    """Open answers waiting for a reply from these trainees' trainer, oldest first
    (``reviewees`` None: everyone's, for a site admin)."""
    query = (
        select(QuizAnswer)
        .join(QuizAttempt)
        .where(
            QuizAnswer.review_state == ReviewState.WAITING,
            QuizAttempt.status == AttemptStatus.SUBMITTED,
        )
        .order_by(QuizAnswer.waiting_since, QuizAnswer.id)
        .limit(limit)
    )
    if reviewees is not None:
        if not reviewees:
            return []
        query = query.where(QuizAttempt.user_id.in_(reviewees))
    return list(session().scalars(query))
