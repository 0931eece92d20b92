from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from course.accounts.forms import PostForm
from course.accounts.models import Role, User
from course.calendar.services import meeting_entry
from course.certificates.services import by_code as certificate_by_code
from course.curriculum.services import get_curriculum, get_unit_or_404
from course.extensions import db
from course.flashing import attempt
from course.forms import time_zone_choices
from course.local_time import zone_name_for
from course.media.services import videos_of_group, videos_to_review
from course.mentoring import overview, planning, services, signoffs
from course.mentoring.forms import GroupForm, MeetingForm, PlanMeetingForm, ReasonForm
from course.mentoring.models import Meeting, MentorGroup, WeekSignOff
from course.mentoring.progress import group_progress
from course.permissions import Action, can, get_visible_or_404, role_required
from course.public_ids import get_by_public_id
from course.reflections.services import review_queue

bp = Blueprint("mentoring", __name__, template_folder="templates")
MENTORS = (Role.MASTER_TRAINER, Role.AGENCY_TRAINER)


def _group(group_id: str, action: Action = Action.GROUP_MENTOR) -> MentorGroup:
    return get_visible_or_404(MentorGroup, group_id, action)


def _member(group: MentorGroup, trainee_id: int | None) -> User:
    trainee = db.session.get(User, trainee_id) if trainee_id else None
    if trainee is None or trainee.id not in group.trainee_ids:
        abort(404)
    return trainee


def _back(group: MentorGroup):
    return redirect(url_for("course.mentoring.group", group_id=group.public_id))


_attempt = partial(attempt, refused=services.MentoringError)


@bp.get("/mentor")
@role_required(*MENTORS)
def dashboard():
    return render_template(
        "course/mentoring/dashboard.html",
        groups=overview.page_of_groups(current_user, request.args.get("page", type=int)),
        page_url=lambda number: url_for(".dashboard", page=number),
        # The longest waiting, at a glance; one more than shown says the queue has more.
        queue=review_queue(current_user, DASHBOARD_QUEUE + 1),
        videos_to_review=videos_to_review(current_user, DASHBOARD_QUEUE + 1),
        shown=DASHBOARD_QUEUE,
    )


DASHBOARD_QUEUE = 10  # reflections, and videos, listed on the dashboard


@bp.get("/mentor/groups/<public_id:group_id>")
@login_required
def group(group_id):
    group = _group(group_id, Action.GROUP_VIEW)
    return render_template(
        "course/mentoring/group.html",
        group=group,
        progress=group_progress(group),
        videos=videos_of_group(group.id),
        meetings=services.meetings_of(group),
        planned=[(p, meeting_entry(p)) for p in planning.planned_meetings(group)],
        is_mentor=can(current_user, Action.GROUP_MENTOR, group),
        form=PostForm(),
        level=get_curriculum().level(group.level),
    )


@bp.post("/mentor/groups/<public_id:group_id>/sign-off")
@role_required(*MENTORS)
def sign_off(group_id):
    group = _group(group_id)
    trainee = _member(group, request.form.get("trainee_id", type=int))
    unit = get_unit_or_404(request.form.get("unit_slug", ""))
    _attempt(
        signoffs.sign_off_week,
        group,
        current_user,
        trainee,
        unit,
        success=f"{unit.title} is signed off for {trainee.name}.",
    )
    return _back(group)


@bp.route("/mentor/sign-offs/<public_id:sign_off_id>/revoke", methods=["GET", "POST"])
@role_required(*MENTORS)
def revoke_sign_off(sign_off_id):
    sign_off = get_by_public_id(WeekSignOff, sign_off_id)
    if sign_off is None or sign_off.revoked_at is not None:
        abort(404)
    group = _group(sign_off.group.public_id)
    form = ReasonForm()
    if form.validate_on_submit():
        _attempt(
            signoffs.revoke_week_sign_off,
            sign_off,
            current_user,
            form.reason.data,
            success="The sign-off is revoked; the record and your reason are kept.",
        )
        return _back(group)
    unit = get_curriculum().unit(sign_off.unit_slug)
    return render_template(
        "course/mentoring/revoke.html", form=form, group=group, unit=unit, sign_off=sign_off
    )


@bp.post("/mentor/groups/<public_id:group_id>/certify")
@role_required(*MENTORS)
def certify(group_id):
    group = _group(group_id)
    trainee = _member(group, request.form.get("trainee_id", type=int))
    _attempt(
        signoffs.sign_off_level,
        group,
        current_user,
        trainee,
        success=f"{trainee.name}'s level is signed off and the certificate issued.",
    )
    return _back(group)


@bp.post("/mentor/groups/<public_id:group_id>/open-week")
@role_required(*MENTORS)
def open_week(group_id):
    group = _group(group_id)
    unit = get_unit_or_404(request.form.get("unit_slug", ""))
    _attempt(services.open_week_early, group, unit, current_user, success=f"{unit.title} is open.")
    return _back(group)


@bp.post("/mentor/groups/<public_id:group_id>/pause")
@role_required(*MENTORS)
def pause(group_id):
    group = _group(group_id)
    if group.paused_at is None:
        _attempt(services.pause_group, group, current_user, success="The group is paused.")
    else:
        _attempt(
            services.resume_group,
            group,
            current_user,
            success="The group is running again; later weeks moved by the days paused.",
        )
    return _back(group)


@bp.post("/mentor/groups/<public_id:group_id>/sharing")
@role_required(*MENTORS)
def sharing(group_id):
    group = _group(group_id)
    share = request.form.get("share") == "1"
    _attempt(
        services.set_sharing,
        group,
        current_user,
        share,
        success="Pair partners can now read each other's submitted reflections."
        if share
        else "Reflections are no longer shared between partners.",
    )
    return _back(group)


def _meeting_form(group: MentorGroup, **values) -> MeetingForm:
    form = MeetingForm(**values)
    form.unit_slug.choices = [
        SelectChoice(s.unit.slug, s.unit.title)
        for s in services.scheduled_units(group)
        if s.is_open
    ]
    form.attendees.choices = [SelectChoice(t.id, t.name) for t in group.trainees]
    return form


def _meeting_values(form: MeetingForm) -> tuple:
    """Date, minutes, attendees, topics and notes, as the meeting services take them."""
    return (
        form.held_on.data,
        form.minutes.data,
        form.attendees.data or [],
        form.topics.data or "",
        form.private_notes.data or "",
    )


def _meeting(group: MentorGroup, meeting_id: str) -> Meeting:
    meeting = get_by_public_id(Meeting, meeting_id)
    if meeting is None or meeting.group_id != group.id:
        abort(404)
    return meeting


@bp.route("/mentor/groups/<public_id:group_id>/meetings/new", methods=["GET", "POST"])
@role_required(*MENTORS)
def new_meeting(group_id):
    group = _group(group_id)
    form = _meeting_form(group)
    if request.method == "GET" and form.unit_slug.choices:
        # The week that opened last; nobody ticked: the mentor says who came.
        form.unit_slug.data = form.unit_slug.choices[-1].value
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_slug.data)
        logged = _attempt(
            services.log_meeting,
            group,
            current_user,
            unit,
            *_meeting_values(form),
            form.form_key.data,
            success="The meeting is logged.",
        )
        if logged:
            return _back(group)
    return render_template("course/mentoring/meeting_form.html", form=form, group=group)


@bp.route(
    "/mentor/groups/<public_id:group_id>/meetings/<public_id:meeting_id>",
    methods=["GET", "POST"],
)
@role_required(*MENTORS)
def edit_meeting(group_id, meeting_id):
    """Correct a logged meeting; the audit log keeps what it said before."""
    group = _group(group_id)
    meeting = _meeting(group, meeting_id)
    form = _meeting_form(group, obj=meeting)
    if request.method == "GET":
        form.attendees.data = sorted(meeting.attendee_ids)
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_slug.data)
        changed = _attempt(
            services.change_meeting,
            meeting,
            group,
            current_user,
            unit,
            *_meeting_values(form),
            success="The meeting is changed.",
        )
        if changed:
            return _back(group)
    return render_template(
        "course/mentoring/meeting_form.html", form=form, group=group, meeting=meeting
    )


@bp.post("/mentor/groups/<public_id:group_id>/meetings/<public_id:meeting_id>/delete")
@role_required(*MENTORS)
def delete_meeting(group_id, meeting_id):
    group = _group(group_id)
    meeting = _meeting(group, meeting_id)
    _attempt(
        services.delete_meeting, meeting, group, current_user, success="The meeting is deleted."
    )
    return _back(group)


@bp.route("/mentor/groups/<public_id:group_id>/meetings/plan", methods=["GET", "POST"])
@role_required(*MENTORS)
def plan_meeting(group_id):
    """Set the date, time and link of a week's meeting (calendars follow)."""
    group = _group(group_id)
    form = PlanMeetingForm()
    form.unit_slug.choices = [
        SelectChoice(s.unit.slug, s.unit.title) for s in services.scheduled_units(group)
    ]
    form.time_zone.choices = time_zone_choices()
    if request.method == "GET":
        form.time_zone.data = zone_name_for(current_user)
        current = next((s for s in services.scheduled_units(group) if s.is_open), None)
        if current is not None:
            form.unit_slug.data = current.unit.slug
    if form.validate_on_submit():
        planned = _attempt(
            planning.plan_meeting,
            group,
            current_user,
            get_unit_or_404(form.unit_slug.data),
            form.day.data,
            form.start.data,
            form.minutes.data,
            form.time_zone.data,
            form.link.data or "",
            success="The meeting is in the group's calendars.",
        )
        if planned:
            return _back(group)
    return render_template("course/mentoring/plan_form.html", form=form, group=group)


@bp.post("/mentor/trainees/<public_id:trainee_id>/invite-level-three")
@role_required(Role.MASTER_TRAINER, Role.SITE_ADMIN)
def invite_level_three(trainee_id):
    trainee = get_by_public_id(User, trainee_id)
    if trainee is None or not can(current_user, Action.PROGRESS_VIEW, trainee):
        abort(404)
    _attempt(
        signoffs.invite_to_level_three,
        current_user,
        trainee,
        success=f"{trainee.name} is invited to Level 3.",
    )
    group = services.group_of_trainee(trainee, "level-2")
    if group is not None and can(current_user, Action.GROUP_VIEW, group):
        return _back(group)
    return redirect(url_for("course.index"))


@bp.route("/groups/new", methods=["GET", "POST"])
@role_required(Role.SITE_ADMIN, Role.AGENCY_ADMIN)
def new_group():
    form = GroupForm()
    _fill_group_choices(form)
    if form.validate_on_submit():
        trainees = [db.session.get(User, form.trainee_id.data)]
        if form.partner_id.data:
            trainees.append(db.session.get(User, form.partner_id.data))
        mentor = db.session.get(User, form.mentor_id.data)
        try:
            group = services.form_group(
                current_user, mentor, trainees, form.level.data, form.start_date.data
            )
        except services.MentoringError as exc:
            flash(str(exc), "error")
        else:
            flash(f"The group is formed; {mentor.name} mentors it.", "success")
            if can(current_user, Action.GROUP_VIEW, group):
                return _back(group)
            return redirect(url_for("course.index"))
    return render_template("course/mentoring/group_form.html", form=form)


def _fill_group_choices(form: GroupForm) -> None:
    """Offer the people this admin may group: everyone for a site admin, else their agency."""
    people = services.candidates_for_groups(current_user)
    form.level.choices = [
        SelectChoice(s, get_curriculum().level(s).title) for s in services.MENTORED_LEVELS
    ]
    form.mentor_id.choices = [
        SelectChoice(u.id, f"{u.name} ({_mentor_kind(u)})") for u in people["mentors"]
    ]
    trainees = [
        SelectChoice(u.id, f"{u.name}, {u.agency.name if u.agency else 'no agency'}")
        for u in people["trainees"]
    ]
    form.trainee_id.choices = trainees
    form.partner_id.choices = [SelectChoice(0, "No partner")] + trainees


def _mentor_kind(user: User) -> str:
    return "master trainer" if user.has_role(Role.MASTER_TRAINER) else "agency trainer"


@bp.get("/verify/<code>")
def verify(code):
    """Public: say whether a certificate is valid or revoked; name, level and date only."""
    certificate = certificate_by_code(code)  # standing or revoked: the page says which
    if certificate is None:
        abort(404)
    return render_template(
        "course/mentoring/verify.html",
        certificate=certificate,
        level=get_curriculum().level(certificate.level),
    )
