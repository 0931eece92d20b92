from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from course.accounts.models import Role
from course.agencies import roster
from course.agencies.forms import CohortForm, RosterForm
from course.agencies.models import Agency, Cohort
from course.agencies.services import cohort_members, cohort_numbers, staff_progress
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.mentoring.services import candidates_for_groups
from course.permissions import role_required

bp = Blueprint("agencies", __name__, template_folder="templates")


@bp.get("/agency/staff")
@role_required(Role.AGENCY_ADMIN)
def staff():
    """The agency's trainees: progress, dates and sign-offs (never what they wrote)."""
    if current_user.agency_id is None:
        abort(404)
    return render_template(
        "agencies/staff.html",
        rows=staff_progress(current_user.agency_id),
        level_one_total=len(get_curriculum().level("level-1").units),
        agency=current_user.agency,
    )


def _agency_for(agency_id: int | None):
    """The agency an admin works on: their own, or any one for a site admin.

    :raise 404: for another agency's admin (ids of other agencies reveal nothing).
    """
    if current_user.has_role(Role.SITE_ADMIN) and agency_id:
        agency = db.session.get(Agency, agency_id)
    elif current_user.has_role(Role.AGENCY_ADMIN) and agency_id in (None, current_user.agency_id):
        agency = current_user.agency
    else:
        agency = None
    if agency is None:
        abort(404)
    return agency


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    _agency_for(cohort.agency_id)
    return cohort


@bp.route("/agency/cohorts", methods=["GET", "POST"])
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def cohorts():
    agency = _agency_for(request.args.get("agency", type=int))
    form = CohortForm()
    form.mentor_id.choices = [SelectChoice(0, "To be assigned")] + [
        SelectChoice(m.id, m.name) for m in candidates_for_groups(current_user)["mentors"]
    ]
    if form.validate_on_submit():
        cohort = Cohort(
            agency=agency,
            name=form.name.data.strip(),
            level=form.level.data,
            start_date=form.start_date.data,
            mentor_id=form.mentor_id.data or None,
        )
        db.session.add(cohort)
        db.session.commit()
        flash(f"Cohort “{cohort.name}” created. Now add its people.", "success")
        return redirect(url_for("agencies.cohort", cohort_id=cohort.id))
    return render_template(
        "agencies/cohorts.html", agency=agency, form=form, numbers=cohort_numbers(agency.id)
    )


@bp.route("/agency/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def cohort(cohort_id):
    """The cohort's people, and the roster upload: preview first, then confirm."""
    cohort = _cohort(cohort_id)
    form, preview, text = RosterForm(), None, ""
    if form.validate_on_submit():
        if request.form.get("action") == "confirm":
            text = request.form.get("roster_text", "")
            applied = roster.import_roster(current_user, cohort.agency, cohort, text)
            flash(
                f"Saved: {len(applied.new)} invited, {len(applied.existing)} enrolled, "
                f"{len(applied.unchanged)} already in the cohort, "
                f"{len(applied.problems)} rows left out.",
                "success",
            )
            return redirect(url_for("agencies.cohort", cohort_id=cohort.id))
        upload = form.roster.data
        if upload is None or not upload.filename:
            form.roster.errors.append("Choose a CSV file.")
        else:
            text = upload.read().decode("utf-8-sig", errors="replace")
            preview = roster.preview_roster(cohort.agency, cohort, text)
    return render_template(
        "agencies/cohort.html",
        cohort=cohort,
        form=form,
        preview=preview,
        roster_text=text,
        members=cohort_members(cohort),
    )
