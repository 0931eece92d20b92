"""Writing, submitting and reviewing the weekly reflection.

The trainee's text is saved before any rule is checked, so a refused submit loses
nothing. Every submitted version and its review are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from course.accounts.models import User
from course.curriculum.models import NOT_APPLICABLE, RUBRIC_SCORES, Unit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.links import path_for
from course.mentoring.models import MentorGroup
from course.mentoring.services import unit_is_open
from course.notifications.models import Topic
from course.notifications.services import notify, settle
from course.reflections.models import (
    Decision,
    Reflection,
    ReflectionStatus,
    ReflectionVersion,
    Review,
)
from course.timeutil import utcnow

MIN_REFLECTION_WORDS = 30


class ReflectionError(Exception):
    """A reflection rule was broken; the message is for people."""


def get_reflection(trainee: User, unit: Unit) -> Reflection | None:
    return db.session.scalar(
        select(Reflection).where(
            Reflection.trainee_id == trainee.id, Reflection.unit_slug == unit.slug
        )
    )


def save_draft(
    group: MentorGroup, trainee: User, unit: Unit, body: str, answers: list[str]
) -> Reflection:
    """Keep what the trainee has written; a returned reflection stays returned until resubmitted.

    :raise ReflectionError: when the week is not open or the reflection is under review.
    """
    if trainee.id not in group.trainee_ids or unit.level != group.level:
        raise ReflectionError("This week is not part of your group.")
    if not unit_is_open(group, unit):
        raise ReflectionError("This week is not open yet.")
    reflection = get_reflection(trainee, unit)
    if reflection is None:
        reflection = Reflection(
            trainee_id=trainee.id, group_id=group.id, level=group.level, unit_slug=unit.slug
        )
        db.session.add(reflection)
    elif not reflection.editable:
        raise ReflectionError(
            "This reflection is with your mentor; you can change it if it is returned."
        )
    reflection.body = body.strip()
    reflection.answers = _fit_answers(unit, answers)
    reflection.saved_at = utcnow()
    db.session.commit()
    return reflection


def _fit_answers(unit: Unit, answers: list[str]) -> list[str]:
    answers = [a.strip() for a in answers][: len(unit.reflection_prompts)]
    return answers + [""] * (len(unit.reflection_prompts) - len(answers))


def submit_reflection(
    group: MentorGroup, trainee: User, unit: Unit, body: str, answers: list[str]
) -> Reflection:
    """Save, check, then send the reflection to the mentor as a new version.

    :raise ReflectionError: naming what is missing; the draft is saved either way.
    """
    reflection = save_draft(group, trainee, unit, body, answers)
    problems = []
    if len(reflection.body.split()) < MIN_REFLECTION_WORDS:
        problems.append(f"write at least {MIN_REFLECTION_WORDS} words in your reflection")
    blank = [n for n, answer in enumerate(reflection.answers, 1) if not answer]
    if blank:
        problems.append(
            f"answer question{'s' if len(blank) > 1 else ''} {', '.join(map(str, blank))}"
        )
    if problems:
        raise ReflectionError("Your draft is saved. To submit, " + " and ".join(problems) + ".")
    version = ReflectionVersion(
        number=len(reflection.versions) + 1, body=reflection.body, answers=list(reflection.answers)
    )
    reflection.versions.append(version)
    reflection.status = ReflectionStatus.SUBMITTED
    reflection.submitted_at = version.submitted_at = utcnow()
    notify(
        group.mentor,
        f"{trainee.name} submitted a reflection",
        f"{unit.title}, version {version.number}, is waiting for your review.",
        link=path_for("course.reflections.review", reflection_id=reflection.public_id),
        topic=Topic.TO_REVIEW,
    )  # one commit saves both
    return reflection


def rubric_scores(rubric, unit, scores: dict) -> dict[str, int | str]:
    """The scores a review keeps: 1-4 per criterion, or "na" where the criterion may be
    marked not applicable in this kind of week; anything else is dropped."""
    clean: dict[str, int | str] = {}
    for criterion in rubric:
        score = scores.get(criterion.slug)
        if score in RUBRIC_SCORES or (
            score == NOT_APPLICABLE
            and unit is not None
            and criterion.allows_not_applicable(unit.kind)
        ):
            clean[criterion.slug] = score
    return clean


def review_reflection(
    reflection: Reflection,
    reviewer: User,
    scores: dict[str, int | str | None],
    feedback: str,
    decision: Decision,
) -> Review:
    """Record the mentor's rubric scores and feedback; accept or return for revision.

    Accepting needs every rubric criterion scored, or marked not applicable where the
    rubric allows it for this kind of week (a film week has no caregiver of the
    trainee's own); returning needs feedback that says what to revise. A second
    review of the same version (a double click) is refused.
    """
    group = reflection.group
    if reviewer.id != group.mentor_id:
        raise ReflectionError("Only the group's mentor reviews its reflections.")
    version = reflection.latest
    if reflection.status != ReflectionStatus.SUBMITTED or version is None:
        raise ReflectionError("There is no submitted version waiting for review.")
    if version.review is not None:
        raise ReflectionError("This version has already been reviewed.")
    curriculum = get_curriculum()
    clean = rubric_scores(curriculum.rubric, curriculum.unit(reflection.unit_slug), scores)
    if decision == Decision.ACCEPT and len(clean) != len(curriculum.rubric):
        raise ReflectionError(
            "Score every rubric criterion before accepting (or mark it not applicable, "
            "where this week allows)."
        )
    if decision == Decision.RETURN and not feedback.strip():
        raise ReflectionError("Say what to revise when you return a reflection.")
    review = Review(
        version=version,
        reviewer_id=reviewer.id,
        scores=clean,
        feedback=feedback.strip(),
        decision=decision,
    )
    db.session.add(review)
    accepted = decision == Decision.ACCEPT
    reflection.status = ReflectionStatus.ACCEPTED if accepted else ReflectionStatus.RETURNED
    reflection.accepted_at = utcnow() if accepted else None
    unit = get_curriculum().unit(reflection.unit_slug)
    settle(reviewer, path_for("course.reflections.review", reflection_id=reflection.public_id))
    notify(
        reflection.trainee,
        f"Your reflection was {'accepted' if accepted else 'returned for revision'}",
        f"{reviewer.name} reviewed {unit.title}.",
        link=path_for("course.learning.unit", slug=unit.slug),
        topic=Topic.FEEDBACK,
    )  # one commit saves both
    return review


@dataclass(frozen=True)
class QueueItem:
    """A reflection waiting for review, as the queue shows it (columns, not objects)."""

    reflection_id: int
    public_id: str
    trainee_name: str
    unit: Unit
    waiting_since: datetime
    versions: int

    @property
    def waiting_days(self) -> int:
        return (utcnow() - self.waiting_since).days


def review_queue(mentor: User, limit: int | None = None) -> list[QueueItem]:
    """Submitted reflections in the mentor's groups, the longest waiting first (the first
    ``limit`` of them, when given).

    The queue shows how many versions each has, so it counts them in SQL rather than
    loading every version's text.
    """
    version_count = (
        select(func.count(ReflectionVersion.id))
        .where(ReflectionVersion.reflection_id == Reflection.id)
        .correlate(Reflection)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Reflection.id,
            Reflection.public_id,
            User.name,
            Reflection.unit_slug,
            Reflection.submitted_at,
            version_count,
        )
        .join(MentorGroup, Reflection.group_id == MentorGroup.id)
        .join(User, Reflection.trainee_id == User.id)
        .where(MentorGroup.mentor_id == mentor.id, Reflection.status == ReflectionStatus.SUBMITTED)
        .order_by(Reflection.submitted_at, Reflection.id)
        .limit(limit)
    )
    curriculum = get_curriculum()
    return [
        QueueItem(id_, public_id, name, curriculum.unit(slug), submitted_at, versions)
        for id_, public_id, name, slug, submitted_at, versions in rows
    ]


def reflections_of_group(group: MentorGroup) -> dict[tuple[int, str], Reflection]:
    """Every reflection in a group, by (trainee id, unit slug), in one query."""
    rows = db.session.scalars(select(Reflection).where(Reflection.group_id == group.id))
    return {(r.trainee_id, r.unit_slug): r for r in rows}
