from datetime import date

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
from course.accounts.forms import InviteForm
from course.accounts.models import Role
from course.accounts.services import email_invitation, get_user_by_email, grant_role
from course.admin import services
from course.admin.forms import AgencyForm
from course.agencies.models import Agency
from course.audit import services as audit_services
from course.extensions import db
from course.media import services as media_services
from course.notifications.models import Topic
from course.notifications.services import notify
from course.permissions import role_required

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
        users=services.list_users(),
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


@bp.get("/admin/audit")
@role_required(Role.SITE_ADMIN)
def audit():
    """The audit log, filtered by action, person, object or dates; CSV with ?format=csv."""
    args = request.args
    events = audit_services.search(
        action=args.get("action") or None,
        actor_id=args.get("actor", type=int),
        object_id=args.get("object") or None,
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        limit=None if args.get("format") == "csv" else 500,
    )
    if args.get("format") == "csv":
        return Response(
            audit_services.to_csv(events),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
        )
    return render_template("course/admin/audit.html", events=events, args=args)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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
