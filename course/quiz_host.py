"""What the course gives the quiz plugin: who is signed in, who may see whose attempts."""

from flask import url_for
from flask_login import current_user

from course.accounts.models import User
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.films.services import captioned_film_id, playable_film_id
from course.markup import render_markdown
from course.permissions import REVIEWER_ROLES, Action, can, reviewable_trainees
from course.public_ids import get_by_public_id
from quizzes.host import Access, QuizHost


def _current_user_id() -> int | None:
    if current_user.is_authenticated and current_user.is_active:
        return current_user.id
    return None


def _access(viewer_id: int, owner_id: int) -> Access | None:
    viewer, owner = db.session.get(User, viewer_id), db.session.get(User, owner_id)
    if viewer is None or owner is None:
        return None
    if can(viewer, Action.ATTEMPT_REVIEW, owner):
        return Access.FULL
    if can(viewer, Action.PROGRESS_VIEW, owner):
        return Access.SUMMARY
    return None


def _may_take(user_id: int, quiz_slug: str) -> bool:
    unit = get_curriculum().unit_for_quiz(quiz_slug)
    return unit is not None and can(db.session.get(User, user_id), Action.UNIT_COMPLETE, unit)


def _video_url(slug: str) -> str | None:
    film_id = playable_film_id(slug)
    return url_for("course.films.watch", film_id=film_id) if film_id else None


def _captions_url(slug: str) -> str | None:
    film_id = captioned_film_id(slug, "en")
    return url_for("course.films.captions", film_id=film_id, language="en") if film_id else None


def _reviewees(viewer_id: int) -> set[int] | None:
    return reviewable_trainees(db.session.get(User, viewer_id))


def _is_reviewer(viewer_id: int) -> bool:
    viewer = db.session.get(User, viewer_id)
    return viewer is not None and viewer.has_role(*REVIEWER_ROLES)


def _user_name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.name if user else "Unknown person"


def _person_id(public_id: str) -> int | None:
    user = get_by_public_id(User, public_id)
    return user.id if user else None


def make_quiz_host() -> QuizHost:
    return QuizHost(
        current_user_id=_current_user_id,
        access=_access,
        may_take=_may_take,
        video_slugs=lambda: frozenset(get_curriculum().videos),
        video_url=_video_url,
        captions_url=_captions_url,
        reviewees=_reviewees,
        is_reviewer=_is_reviewer,
        login_url=lambda next_url: url_for("course.accounts.login", next=next_url),
        user_name=_user_name,
        person_id=_person_id,
        render_markdown=render_markdown,
        base_template="course/base.html",
    )
