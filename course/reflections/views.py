from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course.accounts.models import Role
from course.curriculum.models import NOT_APPLICABLE
from course.curriculum.services import get_curriculum, get_unit_or_404
from course.media.services import videos_to_review
from course.mentoring.services import group_of_trainee
from course.permissions import Action, get_visible_or_404, role_required
from course.reflections import services
from course.reflections.forms import ReviewForm
from course.reflections.models import Decision, Reflection

bp = Blueprint("reflections", __name__, template_folder="templates")


def _answers_from_form(unit) -> list[str]:
    return [request.form.get(f"answer-{n}", "") for n in range(len(unit.reflection_prompts))]


def _my_group_or_404(unit):
    group = group_of_trainee(current_user, unit.level)
    if group is None:
        abort(404)
    return group


@bp.post("/units/<slug>/reflection")
@role_required(Role.TRAINEE)
def save(slug):
    """Save the week's reflection as a draft, or submit it (the draft is kept either way)."""
    unit = get_unit_or_404(slug)
    group = _my_group_or_404(unit)
    body, answers = request.form.get("body", ""), _answers_from_form(unit)
    try:
        if request.form.get("action") == "submit":
            services.submit_reflection(group, current_user, unit, body, answers)
            flash("Your reflection is submitted. Your mentor has been told.", "success")
        else:
            services.save_draft(group, current_user, unit, body, answers)
            flash("Your draft is saved.", "success")
    except services.ReflectionError as exc:
        flash(str(exc), "error")
    return redirect(url_for("course.learning.unit", slug=slug) + "#reflection")


@bp.post("/units/<slug>/reflection/autosave")
@role_required(Role.TRAINEE)
def autosave(slug):
    unit = get_unit_or_404(slug)
    group = _my_group_or_404(unit)
    try:
        reflection = services.save_draft(
            group, current_user, unit, request.form.get("body", ""), _answers_from_form(unit)
        )
    except services.ReflectionError as exc:
        return {"saved": False, "reason": str(exc)}, 409
    return {"saved": True, "saved_at": reflection.saved_at.isoformat()}


@bp.get("/reflections/<public_id:reflection_id>")
@login_required
def show(reflection_id):
    """A reflection with its versions and reviews, for those who may read it."""
    reflection = get_visible_or_404(Reflection, reflection_id, Action.REFLECTION_VIEW)
    return render_template(
        "course/reflections/show.html",
        reflection=reflection,
        unit=get_curriculum().unit(reflection.unit_slug),
        rubric=get_curriculum().rubric,
        partner_view=current_user.id != reflection.trainee_id
        and current_user.id in reflection.group.trainee_ids,
    )


@bp.route("/reflections/<public_id:reflection_id>/review", methods=["GET", "POST"])
@login_required
def review(reflection_id):
    reflection = get_visible_or_404(Reflection, reflection_id, Action.REFLECTION_REVIEW)
    rubric = get_curriculum().rubric
    form = ReviewForm()
    scores = {c.slug: _score(request.form.get(f"score-{c.slug}")) for c in rubric}
    if form.validate_on_submit():
        try:
            services.review_reflection(
                reflection,
                current_user,
                scores,
                form.feedback.data or "",
                Decision(form.decision.data),
            )
        except services.ReflectionError as exc:
            flash(str(exc), "error")
        else:
            flash("Your review is saved and the trainee has been told.", "success")
            return redirect(url_for("course.mentoring.dashboard"))
    return render_template(
        "course/reflections/review.html",
        reflection=reflection,
        unit=get_curriculum().unit(reflection.unit_slug),
        rubric=rubric,
        form=form,
        scores=scores,
    ), 200 if request.method == "GET" else 422


def _score(value: str | None) -> int | str | None:
    if value == NOT_APPLICABLE:
        return value
    return int(value) if value in ("1", "2", "3", "4") else None


@bp.get("/mentor/queue")
@role_required(Role.MASTER_TRAINER, Role.AGENCY_TRAINER)
def queue():
    return render_template(
        "course/reflections/queue.html",
        queue=services.review_queue(current_user),
        videos_to_review=videos_to_review(current_user),
    )
