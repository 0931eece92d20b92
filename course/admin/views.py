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

from course import jobs as job_runner
from course.accounts import two_step
from course.accounts.forms import InviteForm, PostForm
from course.accounts.models import Role, User
from course.accounts.services import (
    AccountError,
    email_invitation,
    get_user_by_email,
    grant_role,
)
from course.admin import people as admin_people
from course.admin import services
from course.admin.forms import AgencyForm, PersonForm
from course.agencies.models import Agency
from course.audit import services as audit_services
from course.extensions import db
from course.media import services as media_services
from course.notifications.models import Topic
from course.notifications.services import notify
from course.permissions import role_required
from course.public_ids import get_or_404
from course.timeutil import parse_date

bp = Blueprint("admin", __name__, template_folder="templates")


def _invite_form(**kwargs) -> InviteForm:
    form = InviteForm(**kwargs)
    form.agency_id.choices = [SelectChoice(0, "No agency")] + [
        SelectChoice(agency.id, agency.name) for agency, _ in services.list_agencies()
    ]
    return form


@bp.route("/admin/", methods=["GET", "POST"])
@role_required(Role.SITE_ADMIN)
def index():
    form = _invite_form()
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency_id.data) if form.agency_id.data else None
        flash(
            _invite(form.email.data, form.name.data or "", Role(form.role.data), agency), "success"
        )
        return redirect(url_for("course.admin.index"))
    return render_template(
        "course/admin/index.html",
        agency_form=AgencyForm(prefix="agency"),
        agencies=services.list_agencies(),
        people_count=admin_people.count_people(),
        form=form,
    )


def _invite(email: str, name: str, role: Role, agency) -> str:
    """Email a new person their invitation; give someone who already has an account the
    role and tell them (no link that could set their password). Returns what to flash."""
    existing = get_user_by_email(email)
    if existing is not None and existing.password_hash:
        grant_role(existing, role, agency)
        notify(
            existing,
            f"You now also have the {role.label} role",
            "Your training center gave your account a new role. Sign in as usual.",
            link=url_for("course.index"),
            topic=Topic.ACCOUNT,
        )
        return f"{existing.name} already has an account: they now have the role and were told."
    email_invitation(current_user, email, name, role, agency=agency)
    days = current_app.config["COURSE_INVITATION_DAYS"]
    return f"An invitation is on its way to {email} (single use, valid {days} days)."


@bp.post("/admin/agencies")
@role_required(Role.SITE_ADMIN)
def create_agency():
    form = AgencyForm(prefix="agency")
    if form.validate_on_submit():
        try:
            agency = services.create_agency(form.name.data)
        except ValueError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{agency.name} is added. Invite its agency admin below.", "success")
    else:
        flash("Give the agency a name.", "error")
    return redirect(url_for("course.admin.index"))


@bp.get("/admin/people")
@role_required(Role.SITE_ADMIN)
def people():
    """Everyone, found by words of their name or email and by role, 50 a page."""
    args = request.args
    found = admin_people.search_people(
        args.get("q", ""), args.get("role", ""), args.get("page", type=int)
    )
    kept = {key: value for key, value in args.items() if key != "page"}
    return render_template(
        "course/admin/people.html",
        page=found,
        page_url=lambda number: url_for("course.admin.people", **kept, page=number),
        roles=list(Role),
        args=args,
    )


def _person_form(person, formdata=None) -> PersonForm:
    form = PersonForm(formdata=formdata, obj=None if formdata else person)
    if formdata is None:
        form.roles.data = sorted(role.value for role in person.roles)
        form.agency_id.data = person.agency_id or 0
    form.agency_id.choices = [SelectChoice(0, "No agency")] + [
        SelectChoice(agency.id, agency.name) for agency, _ in services.list_agencies()
    ]
    return form


@bp.route("/admin/people/<public_id:user_id>", methods=["GET", "POST"])
@role_required(Role.SITE_ADMIN)
def person(user_id):
    person = get_or_404(User, user_id)
    form = _person_form(person, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                admin_people.update_person(
                    current_user,
                    person,
                    form.name.data,
                    form.email.data,
                    form.roles.data or [],
                    form.agency_id.data,
                )
            except admin_people.PersonError as exc:
                form[exc.field].errors.append(str(exc))
            else:
                flash(f"{person.name} is saved.", "success")
                return redirect(url_for("course.admin.person", user_id=person.public_id))
        status = 400
    return render_template(
        "course/admin/person.html",
        person=person,
        form=form,
        invitation=admin_people.open_invitation(person),
        action=PostForm(),
    ), status


@bp.post("/admin/people/<public_id:user_id>/invitation")
@role_required(Role.SITE_ADMIN)
def resend(user_id):
    person = get_or_404(User, user_id)
    try:
        admin_people.resend_invitation(current_user, person)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"A new invitation is on its way to {person.email}; the old link stops.", "success")
    return redirect(url_for("course.admin.person", user_id=person.public_id))


@bp.post("/admin/people/<public_id:user_id>/two-step-off")
@role_required(Role.SITE_ADMIN)
def two_step_off(user_id):
    """For someone who lost their phone and their recovery codes: they sign in with their
    password and set two-step sign-in up again (their role may need it)."""
    person = get_or_404(User, user_id)
    two_step.turn_off(person, current_user)
    flash(f"Two-step sign-in is off for {person.name}; they set it up again.", "success")
    return redirect(url_for("course.admin.person", user_id=person.public_id))


@bp.get("/admin/groups")
@role_required(Role.SITE_ADMIN)
def groups():
    return render_template("course/admin/groups.html", groups=admin_people.mentor_groups())


@bp.get("/admin/audit")
@role_required(Role.SITE_ADMIN)
def audit():
    """The audit log, filtered by action, person (words of their name or email), object or
    dates; CSV with ?format=csv."""
    args = request.args
    who = args.get("who", "").strip()
    actor_ids = admin_people.people_named(who) if who else None
    events = audit_services.search(
        action=args.get("action") or None,
        actor_ids=actor_ids,
        object_id=args.get("object") or None,
        since=parse_date(args.get("since")),
        until=parse_date(args.get("until")),
        limit=None if args.get("format") == "csv" else 500,
    )
    if args.get("format") == "csv":
        audit_services.record(current_user, "audit.export", "audit", "log", events=len(events))
        db.session.commit()
        return Response(
            audit_services.to_csv(events),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
        )
    return render_template(
        "course/admin/audit.html",
        events=events,
        args=args,
        nobody=actor_ids == [],
        actions=audit_services.ACTIONS,
    )


@bp.get("/admin/jobs")
@role_required(Role.SITE_ADMIN)
def jobs():
    """Background work: videos being prepared or failed, and the RQ queue's counts."""
    return render_template(
        "course/admin/jobs.html",
        videos=media_services.videos_needing_attention(),
        queue=job_runner.queue_counts(current_app),
    )


@bp.post("/admin/jobs/<public_id>/retry")
@role_required(Role.SITE_ADMIN)
def retry_job(public_id):
    video = media_services.get_video(public_id)
    if video is None:
        abort(404)
    try:
        media_services.retry_processing(video, current_user)
    except media_services.MediaError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Video {video.public_id} is back in the queue.", "success")
    return redirect(url_for("course.admin.jobs"))
