"""The one place that decides who may do what.

Coarse checks are decorators (``role_required``); object checks go through
``can(user, action, obj)``, which views reach via ``require``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from course.accounts.models import Role
from course.public_ids import get_or_404

# Roles that read the whole curriculum whatever their own progress.
STAFF_ROLES = (Role.MASTER_TRAINER, Role.AGENCY_TRAINER, Role.SITE_ADMIN)
# Roles that read their trainees' open quiz answers (whose: ``reviewable_trainees``).
REVIEWER_ROLES = STAFF_ROLES


class Action(StrEnum):
    UNIT_VIEW = "unit:view"
    UNIT_COMPLETE = "unit:complete"
    ADMIN_VIEW = "admin:view"
    USER_INVITE = "user:invite"
    ATTEMPT_REVIEW = "attempt:review"  # obj: the trainee; quiz answers and scores
    PROGRESS_VIEW = "progress:view"  # obj: the trainee; status, dates, pass/fail only
    REFLECTION_VIEW = "reflection:view"  # obj: a Reflection
    REFLECTION_REVIEW = "reflection:review"  # obj: a Reflection
    GROUP_VIEW = "group:view"  # obj: a MentorGroup
    GROUP_MENTOR = "group:mentor"  # obj: a MentorGroup; sign off, log meetings, open weeks
    GROUP_FORM = "group:form"
    VIDEO_VIEW = "video:view"  # obj: a DyadVideo
    VIDEO_COMMENT = "video:comment"  # obj: a DyadVideo; the mentor, and the trainee replying
    VIDEO_DELETE = "video:delete"  # obj: a DyadVideo
    AUDIT_VIEW = "audit:view"
    PERSON_MANAGE = "person:manage"  # obj: an existing User; enrol in a cohort, deactivate
    WORKSHOP_CREATE = "workshop:create"
    WORKSHOP_VIEW = "workshop:view"  # obj: a Workshop; its dates, place and pre-work
    WORKSHOP_ENROL = "workshop:enrol"  # obj: a Workshop; give staff places in it
    WORKSHOP_TEACH = "workshop:teach"  # obj: a Workshop; roster, attendance, sign-off
    CERTIFICATE_VIEW = "certificate:view"  # obj: a Certificate; its page and PDF
    FILM_WATCH = "film:watch"  # obj: a catalogue Film; its file and captions
    FILM_MANAGE = "film:manage"  # upload films and captions, choose their weeks


def can(user, action: Action, obj=None) -> bool:
    """Return whether ``user`` may perform ``action`` on ``obj``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if action in (Action.ADMIN_VIEW, Action.USER_INVITE):
        return user.has_role(Role.SITE_ADMIN)
    if action == Action.UNIT_VIEW:
        return user.has_role(*STAFF_ROLES) or _trainee_may_open(user, obj)
    if action == Action.UNIT_COMPLETE:
        return user.has_role(Role.TRAINEE) and _trainee_may_open(user, obj)
    if action == Action.ATTEMPT_REVIEW:
        return user.id == obj.id or user.has_role(Role.SITE_ADMIN) or _mentors(user, obj)
    if action == Action.PROGRESS_VIEW:
        return can(user, Action.ATTEMPT_REVIEW, obj) or _agency_admin_of(user, obj)
    if action == Action.REFLECTION_VIEW:
        return (
            user.id == obj.trainee_id
            or user.id == obj.group.mentor_id
            or user.has_role(Role.SITE_ADMIN)
            or _shared_with_partner(user, obj)
        )
    if action == Action.REFLECTION_REVIEW:
        return user.id == obj.group.mentor_id
    if action == Action.GROUP_VIEW:
        return user.id == obj.mentor_id or user.has_role(Role.SITE_ADMIN)
    if action == Action.GROUP_MENTOR:
        return user.id == obj.mentor_id
    if action == Action.GROUP_FORM:
        return user.has_role(Role.SITE_ADMIN, Role.AGENCY_ADMIN)
    if action in (Action.VIDEO_VIEW, Action.VIDEO_COMMENT, Action.VIDEO_DELETE):
        return _video_rule(user, action, obj)
    if action == Action.AUDIT_VIEW:
        return user.has_role(Role.SITE_ADMIN)
    if action == Action.PERSON_MANAGE:
        return _manages_person(user, obj)
    if action in (
        Action.WORKSHOP_CREATE,
        Action.WORKSHOP_VIEW,
        Action.WORKSHOP_ENROL,
        Action.WORKSHOP_TEACH,
    ):
        return _workshop_rule(user, action, obj)
    if action == Action.FILM_WATCH:
        return _may_watch(user, obj)
    if action == Action.FILM_MANAGE:
        return user.has_role(Role.SITE_ADMIN)
    if action == Action.CERTIFICATE_VIEW:  # anyone may verify it; this is the document
        return user.id in (obj.trainee_id, obj.issued_by_id) or user.has_role(Role.SITE_ADMIN)
    raise ValueError(f"no rule for {action}")


def _video_rule(user, action: Action, video) -> bool:
    """Dyad videos show real families: the trainee, their mentor, a site admin, and the
    pair partner only when the caregiver's consent covers it. Never an agency admin."""
    from course.media.models import VideoStatus

    if video.status == VideoStatus.DELETED:
        return False
    if user.id == video.trainee_id:
        return True  # the trainee may do all three; no need to load the group
    mentor = user.id == video.group.mentor_id
    if action == Action.VIDEO_COMMENT:
        return mentor
    if action == Action.VIDEO_DELETE:
        return user.has_role(Role.SITE_ADMIN)
    partner = (
        video.consent.covers_partner
        and user.id in video.group.trainee_ids
        and video.status == VideoStatus.READY
    )
    return mentor or partner or user.has_role(Role.SITE_ADMIN)


def _workshop_rule(user, action: Action, workshop) -> bool:
    """Master Trainers teach the workshops they are named on (a site admin runs any);
    an agency admin enrols its staff where its agency is invited; a trainee sees the
    workshop they hold a place in."""
    if user.has_role(Role.SITE_ADMIN):
        return True
    if action == Action.WORKSHOP_CREATE:
        return user.has_role(Role.MASTER_TRAINER)
    teaches = user.has_role(Role.MASTER_TRAINER) and user.id in workshop.trainer_ids
    if action == Action.WORKSHOP_TEACH:
        return teaches
    # (An account without an agency is never invited: agency_ids holds no None.)
    invited = user.has_role(Role.AGENCY_ADMIN) and user.agency_id in workshop.agency_ids
    if action == Action.WORKSHOP_ENROL:
        return teaches or invited
    from course.workshops.services import seat_of  # avoid an import cycle

    return teaches or invited or seat_of(workshop, user.id) is not None


def _shared_with_partner(user, reflection) -> bool:
    """A pair partner reads submitted reflections when the mentor has allowed it."""
    from course.reflections.models import ReflectionStatus

    group = reflection.group
    return (
        group.share_reflections
        and user.id in group.trainee_ids
        and reflection.status != ReflectionStatus.DRAFT
    )


def _mentors(user, trainee) -> bool:
    from course.mentoring.services import is_mentor_of

    if user.has_role(Role.MASTER_TRAINER):
        return is_mentor_of(user, trainee.id)
    # An agency trainer mentors only inside their own agency.
    return (
        user.has_role(Role.AGENCY_TRAINER)
        and user.agency_id is not None
        and user.agency_id == trainee.agency_id
        and is_mentor_of(user, trainee.id)
    )


def reviewable_trainees(user) -> set[int] | None:
    """Ids of the trainees whose quiz answers ``user`` reads and replies to, by the same
    rule as ATTEMPT_REVIEW; None means everyone (a site admin)."""
    from course.accounts.models import User
    from course.extensions import db
    from course.mentoring.services import trainees_of_trainer

    if user is None or not user.is_active:
        return set()
    if user.has_role(Role.SITE_ADMIN):
        return None
    if user.has_role(Role.MASTER_TRAINER):
        return trainees_of_trainer(user)
    if not user.has_role(Role.AGENCY_TRAINER) or user.agency_id is None:
        return set()
    ids = trainees_of_trainer(user)
    # An agency trainer mentors only inside their own agency.
    same_agency = select(User.id).where(User.id.in_(ids), User.agency_id == user.agency_id)
    return set(db.session.scalars(same_agency)) if ids else set()


def _agency_admin_of(user, trainee) -> bool:
    return (
        user.has_role(Role.AGENCY_ADMIN)
        and user.agency_id is not None
        and user.agency_id == trainee.agency_id
    )


# Accounts an agency admin never moves, gives roles to or deactivates, even when they
# carry the agency's id: they work for the center or run the agency.
AGENCY_PROTECTED_ROLES = (Role.MASTER_TRAINER, Role.SITE_ADMIN, Role.AGENCY_ADMIN)


def _manages_person(user, person) -> bool:
    """A site admin manages anyone but themself; an agency admin only its own staff who
    hold no staff role (an account without an agency is not theirs to take)."""
    if person.id == user.id:
        return False
    if user.has_role(Role.SITE_ADMIN):
        return True
    return (
        user.has_role(Role.AGENCY_ADMIN)
        and user.agency_id is not None
        and person.agency_id == user.agency_id
        and not person.has_role(*AGENCY_PROTECTED_ROLES)
    )


def _may_watch(user, film) -> bool:
    """The program's films are licensed for its training: the people who teach it, and
    trainees at a level that uses the film. Not an agency admin as such."""
    if user.has_role(*STAFF_ROLES):
        return True
    return any(_trainee_at_level(user, level) for level in film.levels)


def _trainee_may_open(user, unit) -> bool:
    return _trainee_at_level(user, unit.level)


def _trainee_at_level(user, level_slug: str) -> bool:
    """A trainee whose level ``level_slug`` is open to them."""
    from course.learning.services import level_lock_reason  # avoid an import cycle

    return user.has_role(Role.TRAINEE) and level_lock_reason(user, level_slug) is None


def require(action: Action, obj=None) -> None:
    """Abort with 403 unless the current user may perform ``action`` on ``obj``."""
    if not can(current_user, action, obj):
        abort(403)


def get_visible_or_404(model, public_id: str, action: Action):
    """Load an object, by the public id its URL carries, that the current user may act on.

    :raise 404: when it does not exist or the user may not see it, so ids of other
        people's records reveal nothing.
    """
    obj = get_or_404(model, public_id)
    if not can(current_user, action, obj):
        from course.audit.services import record_denied

        record_denied(current_user, model.__tablename__, obj.id, action.value)
        abort(404)
    return obj


def role_required(*roles: Role):
    """Decorate a view so only signed-in people holding one of ``roles`` reach it.

    :raise 401: (redirect to login) for anonymous visitors; 403 for other roles.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
