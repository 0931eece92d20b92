"""The only functions the course may call."""

from dataclasses import dataclass
from pathlib import Path

from quizzes import services
from quizzes.coaching import CoachingContentError, load_coaching
from quizzes.loader import Quiz, QuizContentError, load_quizzes
from quizzes.loader import quiz_slugs as _quiz_slugs
from quizzes.services import has_revisits, revisits_of

__all__ = [
    "has_revisits",
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
    """Has this person passed this quiz? The best attempt counts, unless their trainer
    asked them to revisit an open answer that they have not answered again yet."""
    best = services.best_attempt(user_id, quiz_slug)
    return best is not None and bool(best.passed) and not has_revisits(user_id, quiz_slug)


def check_quizzes(content_dir: str | Path, video_slugs: frozenset[str] | None) -> dict[str, Quiz]:
    """Load the quiz files and the coaching patterns as start-up would; raise
    QuizContentError listing every problem of both.

    With ``video_slugs`` None (the catalogue itself is broken), video references are
    not checked.
    """
    problems = []
    coaching = Path(content_dir) / "coaching.yaml"
    if coaching.exists():
        try:
            load_coaching(coaching)
        except CoachingContentError as exc:
            problems += exc.problems
    try:
        quizzes = load_quizzes(content_dir, video_slugs)
    except QuizContentError as exc:
        problems += exc.problems
    if problems:
        raise QuizContentError(problems)
    return quizzes


def take_quiz(user_id: int, quiz_slug: str, correct: bool = True) -> bool:
    """Submit a complete attempt of right (or wrong) answers; return whether it passed.

    For demo data and tests: it answers as a trainee who knew (or guessed) everything.
    """
    quiz = services.get_quiz(quiz_slug)
    responses = {q.id: q.model_response(correct) for q in quiz.questions}
    attempt = services.start_or_resume(user_id, quiz, check_policy=False)
    services.save_responses(attempt, quiz, responses)
    for question in quiz.questions:
        if question.is_open:  # as if written, locked and compared in the pages
            attempt.answer_for(question.id).response = responses[question.id]
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
    for user_id, slugs in revisits_of(user_ids).items():
        result[user_id] = result.get(user_id, set()) - slugs
    return result


@dataclass(frozen=True)
class OpenAnswer:
    """One submitted open answer, for a host page that discusses them (a workshop)."""

    user_id: int
    attempt_id: str  # the attempt's public id, as its URL carries it
    quiz_title: str
    scenario: str
    parts: tuple[tuple[str, str], ...]  # (prompt, what the person wrote)
    review_state: str


def open_answers_of(user_ids: set[int], limit: int = 200) -> list[OpenAnswer]:
    """The latest submitted open answers of these people, newest first (one query)."""
    from sqlalchemy import select

    from quizzes.models import AttemptStatus, QuizAnswer, QuizAttempt

    if not user_ids:
        return []
    rows = services.session().execute(
        select(QuizAnswer, QuizAttempt)
        .join(QuizAttempt)
        .where(
            QuizAttempt.user_id.in_(user_ids),
            QuizAttempt.status == AttemptStatus.SUBMITTED,
            QuizAnswer.review_state.is_not(None),
        )
        .order_by(QuizAttempt.submitted_at.desc(), QuizAnswer.id)
        .limit(limit)
    )
    found = []
    for answer, attempt in rows:
        quiz = services.get_quiz(attempt.quiz_slug)
        question = quiz.question(answer.question_id) if quiz else None
        if question is None or not question.is_open:
            continue
        texts = (answer.response or {}).get("parts") or []
        parts = tuple(
            (part.prompt, texts[n] if n < len(texts) else "")
            for n, part in enumerate(question.parts)
        )
        found.append(
            OpenAnswer(
                attempt.user_id,
                attempt.public_id,
                quiz.title,
                question.scenario,
                parts,
                answer.review_state,
            )
        )
    return found
