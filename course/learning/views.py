from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from course.accounts.forms import PostForm
from course.accounts.models import Role
from course.curriculum.services import get_curriculum, get_unit_or_404
from course.learning import services
from course.permissions import Action, can, require, role_required

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.get("/training")
@role_required(Role.TRAINEE)
def training():
    overview = services.training_overview(current_user)
    return render_template("learning/training.html", overview=overview)


@bp.get("/units/<slug>")
@login_required
def unit(slug):
    unit = get_unit_or_404(slug)
    lock_reason = services.level_lock_reason(current_user, unit.level)
    if not can(current_user, Action.UNIT_VIEW, unit):
        return render_template("learning/locked.html", unit=unit, reason=lock_reason), 403
    status = None
    if can(current_user, Action.UNIT_COMPLETE, unit):
        status = services.record_visit(current_user, unit)
    curriculum = get_curriculum()
    return render_template(
        "learning/unit.html",
        unit=unit,
        level=curriculum.level(unit.level),
        handouts=[curriculum.handouts[slug] for slug in unit.handouts],
        status=status,
        form=PostForm(),
    )


@bp.post("/units/<slug>/complete")
@role_required(Role.TRAINEE)
def complete(slug):
    unit = get_unit_or_404(slug)
    require(Action.UNIT_COMPLETE, unit)
    if not PostForm().validate_on_submit():
        flash("The form expired. Please press the button again.", "error")
        return redirect(url_for("learning.unit", slug=slug))
    try:
        progress = services.mark_unit_complete(current_user, unit)
    except services.LearningError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learning.unit", slug=slug))
    if progress.complete:
        flash(f"You have completed {progress.level.title}. Well done.", "success")
    else:
        flash(f"“{unit.title}” is marked complete.", "success")
    return redirect(url_for("learning.training"))
