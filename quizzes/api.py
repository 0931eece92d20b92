"""The only functions the course may call."""

from pathlib import Path

from quizzes import services
from quizzes.loader import Quiz, QuizContentError, load_quizzes
from quizzes.loader import quiz_slugs as _quiz_slugs

__all__ = [
    "QuizContentError",
    "check_quizzes",
    "has_passed",
    "passed_quizzes",
    "quiz_slugs",
    "take_quiz",
]


def quiz_slugs(content_dir: str | Path) -> frozenset[str]:
    """Return the slugs of the quizzes in content/quizzes/ (read before the plugin starts)."""
    return _quiz_slugs(content_dir)


def has_passed(user_id: int, quiz_slug: str) -> bool:
    """Has this person passed this quiz? The best attempt counts."""
    best = services.best_attempt(user_id, quiz_slug)
    return best is not None and bool(best.passed)


def check_quizzes(content_dir: str | Path, video_slugs: frozenset[str] | None) -> dict[str, Quiz]:
    """Load the quiz files as start-up would; raise QuizContentError listing problems.

    With ``video_slugs`` None (the catalogue itself is broken), video references are
    not checked.
    """
    return load_quizzes(content_dir, video_slugs)


def take_quiz(user_id: int, quiz_slug: str, correct: bool = True) -> bool:
    """Submit a complete attempt of right (or wrong) answers; return whether it passed.

    For demo data and tests: it answers as a trainee who knew (or guessed) everything.
    """
    quiz = services.get_quiz(quiz_slug)
    responses = {q.id: q.model_response(correct) for q in quiz.questions}
    attempt = services.start_or_resume(user_id, quiz)
    return bool(services.submit_attempt(attempt, quiz, responses).passed)


def passed_quizzes(user_ids: set[int]) -> dict[int, set[str]]:
    """For many people at once (one query): the slugs of the quizzes each has passed."""
    from sqlalchemy import select

    from quizzes.models import AttemptStatus, QuizAttempt

    rows = services.session().execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_slug)
        .where(
            QuizAttempt.user_id.in_(user_ids),
            QuizAttempt.status == AttemptStatus.SUBMITTED,
            QuizAttempt.passed.is_(True),
        )
        .distinct()
    )
    result: dict[int, set[str]] = {}
    for user_id, slug in rows:
        result.setdefault(user_id, set()).add(slug)
    return result
