from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from course.accounts.forms import PostForm
from course.accounts.models import Invitation, Role, User
from course.accounts.services import safe_next_url
from course.agencies import dashboard, roster, services
from course.agencies.forms import CohortForm, PersonForm, RosterForm, TimeZoneForm
from course.agencies.models import Agency, Cohort
from course.agencies.services import cohort_members, cohort_numbers
from course.audit.services import record as audit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.forms import time_zone_choices
from course.learning.models import Enrolment
from course.local_time import reader_zone
from course.mentoring.services import candidates_for_groups
from course.paging import Page
from course.permissions import Action, can, role_required
from course.public_ids import get_by_public_id, get_or_404
from course.timeutil import parse_date

bp = Blueprint("agencies", __name__, template_folder="templates")


@bp.get("/agency/staff")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def staff():
    """The agency dashboard: staff progress, who is behind, dates and sign-offs (never
    what anyone wrote). Filters: cohort, level, status; sort: name, progress, behind;
    ``page``: 50 people a page. ``?format=csv`` exports the funders' report (everyone who
    matches, streamed); ``?print=1`` a printable page of everyone who matches."""
    agency = _agency_for(request.args.get("agency", type=int))
    args = request.args
    since, until = parse_date(args.get("since")), parse_date(args.get("until"))
    zone = reader_zone()
    filters = dashboard.StaffFilters(
        cohort=args.get("cohort") or None,
        level=args.get("level") or None,
        status=args.get("status") or None,
        sort=args.get("sort", "name"),
        since=since,
        until=until,
        zone=zone,
    )
    if args.get("format") == "csv":
        rows = dashboard.staff_rows(agency.id, filters)
        audit(current_user, "report.export", "agency", agency.id, people=len(rows))
        db.session.commit()
        period = f"-{since or 'start'}-to-{until or 'now'}" if since or until else ""
        return Response(
            dashboard.report_csv(rows, zone),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f"attachment; filename=pfr-training-report{period}.csv"
            },
        )
    printable = bool(args.get("print"))
    if printable:  # the whole report on paper
        rows = dashboard.staff_rows(agency.id, filters)
        page = Page(rows, 1, 1, len(rows), max(len(rows), 1))
    else:
        page = dashboard.staff_page(agency.id, filters, args.get("page", type=int))
    dashboard.add_details(page.items, weeks=printable)
    kept = {key: value for key, value in args.items() if key not in ("page", "format", "print")}
    return render_template(
        "course/agencies/staff.html",
        rows=page.items,
        page=page,
        page_url=lambda number: url_for("course.agencies.staff", **kept, page=number),
        agency=agency,
        cohorts=[n.cohort for n in cohort_numbers(agency.id)],
        args=args,
        printable=printable,
    )


@bp.get("/agency/staff/<public_id:user_id>")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def person(user_id):
    """One staff member's training, week by week: statuses, dates and sign-offs."""
    person = get_by_public_id(User, user_id)
    if person is None or not can(current_user, Action.PROGRESS_VIEW, person):
        abort(404)
    row = dashboard.person_row(person)
    if row is None:
        abort(404)
    return render_template(
        "course/agencies/person.html",
        row=row,
        levels=dashboard.levels_of(person),
        # A site admin has no agency of their own: back to this person's.
        back_url=url_for(
            "course.agencies.staff",
            agency=person.agency_id if current_user.has_role(Role.SITE_ADMIN) else None,
        ),
        titles={level.slug: level.title for level in get_curriculum().levels},
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


def _cohort(cohort_id: str) -> Cohort:
    cohort = get_or_404(Cohort, cohort_id)
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
        return redirect(url_for("course.agencies.cohort", cohort_id=cohort.public_id))
    return render_template(
        "course/agencies/cohorts.html",
        agency=agency,
        form=form,
        numbers=cohort_numbers(agency.id),
        invitations=services.open_invitations(agency.id),
        action=PostForm(),
        zone_form=_time_zone_form(agency),
    )


def _time_zone_form(agency: Agency) -> TimeZoneForm:
    form = TimeZoneForm(time_zone=agency.time_zone or "")
    site = current_app.config["COURSE_TIME_ZONE"].replace("_", " ")
    form.time_zone.choices = [SelectChoice("", f"The site's: {site}")]
    form.time_zone.choices += time_zone_choices()
    return form


@bp.post("/agency/time-zone")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def time_zone():
    agency = _agency_for(request.args.get("agency", type=int))
    form = _time_zone_form(agency)
    if form.validate_on_submit():
        agency.time_zone = form.time_zone.data or None
        db.session.commit()
        flash("Saved: your staff read times in this zone unless they chose theirs.", "success")
    else:
        flash("Choose a time zone from the list.", "error")
    return redirect(url_for("course.agencies.cohorts", agency=agency.id))


@bp.route("/agency/cohorts/<public_id:cohort_id>", methods=["GET", "POST"])
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def cohort(cohort_id):
    """The cohort's people, and the roster upload: preview first, then confirm."""
    cohort = _cohort(cohort_id)
    form, preview, text = RosterForm(), None, ""
    if form.validate_on_submit():
        if request.form.get("action") == "confirm":
            text = request.form.get("roster_text", "")
            move = request.form.get("move_others") == "yes"
            applied = roster.import_roster(current_user, cohort.agency, cohort, text, move)
            others = (
                f"{len(applied.moving)} moved here from other cohorts, "
                if move
                else f"{len(applied.moving)} left in their other cohort, "
            )
            flash(
                f"Saved: {len(applied.new)} invited, {len(applied.existing)} enrolled, "
                f"{others if applied.moving else ''}"
                f"{len(applied.unchanged)} already in the cohort, "
                f"{len(applied.problems)} rows left out.",
                "success",
            )
            return redirect(url_for("course.agencies.cohort", cohort_id=cohort.public_id))
        upload = form.roster.data
        if upload is None or not upload.filename:
            form.roster.errors.append("Choose a CSV file.")
        else:
            try:
                text = roster.decode_roster(upload.read())
            except roster.RosterFileError as exc:
                form.roster.errors.append(str(exc))
            else:
                preview = roster.preview_roster(current_user, cohort, text)
    others = [
        n.cohort
        for n in cohort_numbers(cohort.agency_id)
        if n.cohort.id != cohort.id and n.cohort.level == cohort.level
    ]
    return render_template(
        "course/agencies/cohort.html",
        cohort=cohort,
        form=form,
        preview=preview,
        roster_text=text,
        members=cohort_members(cohort),
        others=others,
        action=PostForm(),
        person_form=PersonForm(formdata=None),
    )


def _enrolment(enrolment_id: str) -> Enrolment:
    enrolment = get_by_public_id(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort is None:
        abort(404)
    _agency_for(enrolment.cohort.agency_id)
    return enrolment


@bp.post("/agency/enrolments/<public_id:enrolment_id>/withdraw")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def withdraw(enrolment_id):
    enrolment = _enrolment(enrolment_id)
    try:
        services.withdraw(enrolment, request.form.get("reason", ""))
    except services.AgencyError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{enrolment.user.name} is withdrawn; the record is kept.", "success")
    return redirect(url_for("course.agencies.cohort", cohort_id=enrolment.cohort.public_id))


@bp.post("/agency/enrolments/<public_id:enrolment_id>/move")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def move(enrolment_id):
    enrolment = _enrolment(enrolment_id)
    target = get_or_404(Cohort, request.form.get("cohort_id", ""))
    _agency_for(target.agency_id)
    try:
        moved = services.move(enrolment, target)
    except services.AgencyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("course.agencies.cohort", cohort_id=enrolment.cohort.public_id))
    flash(f"{enrolment.user.name} moved to {target.name}.", "success")
    return redirect(url_for("course.agencies.cohort", cohort_id=moved.cohort.public_id))


def _person_to_manage(user_id: str) -> User:
    """Someone the current admin may deactivate or reactivate; anyone else is a 404."""
    person = get_by_public_id(User, user_id)
    if person is None or not can(current_user, Action.PERSON_MANAGE, person):
        abort(404)
    return person


@bp.post("/agency/people/<public_id:user_id>/deactivate")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def deactivate(user_id):
    person = _person_to_manage(user_id)
    services.deactivate(person, current_user)
    flash(
        f"{person.name} can no longer sign in; their training record is kept. "
        "Reactivate them from this list if it was a mistake.",
        "success",
    )
    return _back_to_list()


@bp.post("/agency/people/<public_id:user_id>/reactivate")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def reactivate(user_id):
    person = _person_to_manage(user_id)
    services.reactivate(person, current_user)
    flash(f"{person.name} can sign in again.", "success")
    return _back_to_list()


def _back_to_list():
    """Back to the page the button was on (a site admin's person page), else the staff."""
    return redirect(safe_next_url(request.form.get("next")) or url_for("course.agencies.staff"))


@bp.post("/agency/invitations/<public_id:invitation_id>/<any(resend, revoke):what>")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def invitation(invitation_id, what):
    """Resend (a new link; the old one stops working) or revoke an invitation."""
    invitation = get_by_public_id(Invitation, invitation_id)
    if invitation is None or invitation.agency_id is None:
        abort(404)
    agency = _agency_for(invitation.agency_id)
    services.revoke_invitation(invitation)
    if what == "resend":
        roster.send_invitation(current_user, invitation.email, invitation.name, agency)
        flash(f"A new invitation is on its way to {invitation.email}.", "success")
    else:
        flash(f"The invitation to {invitation.email} is revoked.", "success")
    return redirect(url_for("course.agencies.cohorts", agency=agency.id))


@bp.post("/agency/cohorts/<public_id:cohort_id>/people")
@role_required(Role.AGENCY_ADMIN, Role.SITE_ADMIN)
def add_person(cohort_id):
    """Enrol one person (invited by email if they are new)."""
    cohort = _cohort(cohort_id)
    form = PersonForm()
    if not form.validate_on_submit():
        flash("Give the person's email, first and last name and job title.", "error")
        return redirect(url_for("course.agencies.cohort", cohort_id=cohort.public_id))
    text = roster.one_person_csv(form.email.data, form.first.data, form.last.data, form.title.data)
    applied = roster.import_roster(current_user, cohort.agency, cohort, text)
    if applied.problems:
        flash(f"{form.email.data}: {applied.problems[0].message}.", "error")
    elif applied.unchanged:
        flash(f"{form.email.data} is already in this cohort.", "info")
    elif applied.moving:
        _, person, elsewhere = applied.moving[0]
        flash(
            f"{person.name} is in {elsewhere}: to move them here, use Move on that "
            "cohort's page (their progress goes with them).",
            "info",
        )
    else:
        flash(
            f"{form.first.data} {form.last.data} is enrolled"
            f"{' and invited by email' if applied.new else ''}.",
            "success",
        )
    return redirect(url_for("course.agencies.cohort", cohort_id=cohort.public_id))
