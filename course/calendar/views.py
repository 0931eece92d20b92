"""Calendar downloads (.ics per session), and each person's private feed."""

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_login import current_user, login_required

from course.accounts.forms import PostForm
from course.calendar import services
from course.extensions import limiter
from course.links import site_url_for
from course.mentoring.models import PlannedMeeting
from course.permissions import Action, can, get_visible_or_404
from course.public_ids import get_by_public_id
from course.workshops.models import Workshop, WorkshopSession

bp = Blueprint("calendar", __name__, template_folder="templates")


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/workshops/<public_id:workshop_id>/sessions/<public_id:session_id>.ics")
@login_required
def session_ics(workshop_id, session_id):
    workshop = get_visible_or_404(Workshop, workshop_id, Action.WORKSHOP_VIEW)
    session = get_by_public_id(WorkshopSession, session_id)
    if session is None or session.workshop_id != workshop.id:
        abort(404)
    number = workshop.sessions.index(session) + 1
    body = services.calendar_of([services.workshop_entry(session)], workshop.title)
    return _ics(body, f"pfr-workshop-day-{number}.ics")


@bp.get("/meetings/<public_id:planned_id>.ics")
@login_required
def meeting_ics(planned_id):
    """A planned weekly meeting: for its group's trainees, its mentor and site admins."""
    planned = get_by_public_id(PlannedMeeting, planned_id)
    if planned is None or not (
        current_user.id in planned.group.trainee_ids
        or can(current_user, Action.GROUP_VIEW, planned.group)
    ):
        abort(404)
    body = services.calendar_of([services.meeting_entry(planned)], "PFR weekly meeting")
    return _ics(body, "pfr-weekly-meeting.ics")


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def index():
    """The person's feed: make one (shown once: only its hash is kept), or revoke it."""
    form = PostForm()
    feed_url = None
    if form.validate_on_submit():
        if request.form.get("action") == "revoke":
            services.revoke_feed(current_user)
            flash(
                "Your calendar feed is turned off; calendar apps stop receiving dates.", "success"
            )
        else:
            token = services.new_feed(current_user)
            feed_url = site_url_for("course.calendar.feed", token=token)
    return render_template(
        "course/calendar/index.html",
        form=form,
        feed_url=feed_url,
        has_feed=services.has_feed(current_user),
        entries=services.entries_of(current_user),
    )


@bp.get("/calendar/feed/<token>.ics")
@limiter.limit("60 per minute")
def feed(token):
    """Public by its secret: the training dates of the person whose feed this is."""
    owner = services.feed_owner(token)
    if owner is None:
        abort(404)
    body = services.calendar_of(services.entries_of(owner), "PFR training")
    response = _ics(body, "pfr-training.ics")
    response.headers["Content-Disposition"] = "inline"
    return response
