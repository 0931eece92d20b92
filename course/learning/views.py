from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course.accounts.forms import PostForm
from course.accounts.models import Role
from course.curriculum.models import HANDOUT_LANGUAGES, UnitKind
from course.curriculum.services import get_curriculum, get_unit_or_404
from course.films.services import films_for_unit
from course.learning import services
from course.media.services import videos_for_week
from course.mentoring.models import LevelThreeInvitation
from course.mentoring.progress import mentored_level_overview, trainee_week
from course.mentoring.services import MentoringError
from course.mentoring.signoffs import (
    answer_level_three_invitation,
    certificates_of,
    open_level_three_invitation,
)
from course.permissions import STAFF_ROLES, Action, can, require, role_required
from course.public_ids import get_by_public_id
from course.reflections.services import MIN_REFLECTION_WORDS

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.get("/training")
@role_required(Role.TRAINEE)
def training():
    return render_template(
        "course/learning/training.html",
        overview=services.training_overview(current_user),
        certificates=certificates_of(current_user),
        invitation=open_level_three_invitation(current_user),
    )


@bp.get("/units/<slug>")
@login_required
def unit(slug):
    unit = get_unit_or_404(slug)
    if not can(current_user, Action.UNIT_VIEW, unit):
        reason = services.level_lock_reason(current_user, unit.level)
        return render_template("course/learning/locked.html", unit=unit, reason=reason), 403
    week, status = None, None
    if unit.kind != UnitKind.MODULE and current_user.has_role(Role.TRAINEE):
        week = trainee_week(current_user, unit)
        if week.lock_reason:
            return render_template(
                "course/learning/locked.html", unit=unit, reason=week.lock_reason
            ), 403
    elif can(current_user, Action.UNIT_COMPLETE, unit):
        status = services.record_visit(current_user, unit)
    curriculum = get_curriculum()
    # Only the "Mark as complete" button of a module without a quiz needs the form.
    needs_form = (
        status is not None
        and unit.kind == UnitKind.MODULE
        and not unit.quiz
        and status != services.UnitStatus.COMPLETE
    )
    return render_template(
        "course/learning/unit.html",
        unit=unit,
        level=curriculum.level(unit.level),
        handouts=[curriculum.handouts[slug] for slug in unit.handouts],
        films=films_for_unit(unit.slug) if unit.film_brief else [],
        caption_languages=HANDOUT_LANGUAGES,
        show_mentor_keys=week is None and current_user.has_role(*STAFF_ROLES),
        rubric=curriculum.rubric,
        status=status,
        week=week.row if week else None,
        partner_reflection=week.partner_reflection if week else None,
        dyad_videos=videos_for_week(current_user.id, unit.slug) if week else [],
        form=PostForm() if needs_form else None,
        min_reflection_words=MIN_REFLECTION_WORDS,
    )


@bp.post("/units/<slug>/complete")
@role_required(Role.TRAINEE)
def complete(slug):
    unit = get_unit_or_404(slug)
    require(Action.UNIT_COMPLETE, unit)
    if not PostForm().validate_on_submit():
        flash("The form expired. Please press the button again.", "error")
        return redirect(url_for("course.learning.unit", slug=slug))
    try:
        progress = services.mark_unit_complete(current_user, unit)
    except services.LearningError as exc:
        flash(str(exc), "error")
        return redirect(url_for("course.learning.unit", slug=slug))
    if progress.complete:
        flash(f"You have completed {progress.level.title}. Well done.", "success")
    else:
        flash(f"“{unit.title}” is marked complete.", "success")
    return redirect(url_for("course.learning.training"))


@bp.get("/levels/<level_slug>")
@role_required(Role.TRAINEE)
def level(level_slug):
    """A mentored level's weeks with their status and what to do next."""
    level = get_curriculum().level(level_slug)
    if level is None or level_slug == "level-1":
        abort(404)
    overview = mentored_level_overview(current_user, level)
    return render_template("course/learning/level.html", level=level, overview=overview)


@bp.post("/level-three-invitations/<public_id:invitation_id>")
@role_required(Role.TRAINEE)
def answer_invitation(invitation_id):
    invitation = get_by_public_id(LevelThreeInvitation, invitation_id)
    if invitation is None or invitation.trainee_id != current_user.id:
        abort(404)
    accept = request.form.get("answer") == "accept"
    try:
        answer_level_three_invitation(invitation, current_user, accept)
    except MentoringError as exc:
        flash(str(exc), "error")
    else:
        flash(
            "Welcome to Level 3. Your mentor group will be set up soon."
            if accept
            else "You declined the invitation to Level 3.",
            "success",
        )
    return redirect(url_for("course.learning.training"))
