"""Workshop pages: the list, setting one up, its page (trainee, agency admin, trainer),
seats, attendance (per row, with or without JS) and the Level 1 sign-off."""

from datetime import date, time, timedelta
from functools import partial

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from course.accounts.forms import PostForm
from course.accounts.models import Role, User
from course.agencies.models import Agency, Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.flashing import attempt
from course.forms import time_zone_choices
from course.learning.models import Enrolment, EnrolmentStatus
from course.learning.services import level_progress
from course.mentoring.forms import ReasonForm
from course.mentoring.services import standing_certificate
from course.permissions import Action, can, get_visible_or_404, require
from course.public_ids import get_by_public_id
from course.timeutil import utcnow
from course.workshops import roster as rosters
from course.workshops import services
from course.workshops.forms import AttendanceForm, EnrolForm, NoteForm, WorkshopForm
from course.workshops.models import Mode, Presence, Workshop, WorkshopSeat, WorkshopSession

bp = Blueprint("workshops", __name__, template_folder="templates")
_attempt = partial(attempt, refused=services.WorkshopError)


def _workshop(workshop_id: str, action: Action = Action.WORKSHOP_VIEW) -> Workshop:
    return get_visible_or_404(Workshop, workshop_id, action)


def _back(workshop: Workshop, anchor: str = ""):
    return redirect(url_for("course.workshops.show", workshop_id=workshop.public_id) + anchor)


@bp.get("/workshops")
@login_required
def index():
    past = request.args.get("past") == "1"
    return render_template(
        "course/workshops/index.html",
        listed=services.workshops_for(current_user, upcoming=not past),
        past=past,
        may_create=can(current_user, Action.WORKSHOP_CREATE),
    )


def _form_choices(form: WorkshopForm) -> None:
    form.time_zone.choices = time_zone_choices()
    trainers = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    form.trainer_ids.choices = [
        SelectChoice(t.id, t.name) for t in trainers if t.has_role(Role.MASTER_TRAINER)
    ]
    agencies = db.session.scalars(select(Agency).order_by(Agency.name))
    form.agency_ids.choices = [SelectChoice(a.id, a.name) for a in agencies]
    modules = [SelectChoice(u.slug, u.title) for u in get_curriculum().level(services.LEVEL).units]
    for entry in form.sessions:
        entry.form.prework.choices = modules


def _plan(form: WorkshopForm) -> services.WorkshopPlan:
    sessions = [
        services.SessionPlan(e.day.data, e.start.data, e.end.data, tuple(e.prework.data or ()))
        for e in (entry.form for entry in form.sessions)
        if e.day.data and e.start.data and e.end.data
    ]
    return services.WorkshopPlan(
        title=form.title.data or "",
        mode=Mode(form.mode.data),
        capacity=form.capacity.data or 0,
        time_zone=form.time_zone.data,
        sessions=sessions,
        trainer_ids=set(form.trainer_ids.data or ()),
        agency_ids=set(form.agency_ids.data or ()),
        meeting_link=form.meeting_link.data or "",
        address=form.address.data or "",
    )


def _edit(workshop: Workshop | None):
    form = WorkshopForm(obj=workshop if request.method == "GET" else None)
    if workshop is not None and request.method == "GET":
        form.trainer_ids.data = sorted(workshop.trainer_ids)
        form.agency_ids.data = sorted(workshop.agency_ids)
        while len(form.sessions) < len(workshop.sessions):
            form.sessions.append_entry()
        for entry, session in zip(form.sessions, workshop.sessions, strict=False):
            entry.form.day.data = session.local_start.date()
            entry.form.start.data = session.local_start.time()
            entry.form.end.data = session.local_end.time()
            entry.form.prework.data = session.prework
    elif workshop is None and request.method == "GET":
        form.trainer_ids.data = (
            [current_user.id] if current_user.has_role(Role.MASTER_TRAINER) else []
        )
        form.time_zone.data = "America/Los_Angeles"
        first = date.today() + timedelta(days=28)
        for n, entry in enumerate(form.sessions):
            entry.form.day.data = first + timedelta(days=n)
            entry.form.start.data, entry.form.end.data = time(9), time(16)
    if len(form.sessions) < form.sessions.max_entries and request.form.get("add_session"):
        form.sessions.append_entry()
    _form_choices(form)
    if request.method == "POST" and not request.form.get("add_session") and form.validate():
        try:
            saved = services.save_workshop(current_user, _plan(form), workshop)
        except services.WorkshopError as exc:
            flash(str(exc), "error")
        else:
            flash("The workshop is saved.", "success")
            return _back(saved)
    return render_template("course/workshops/form.html", form=form, workshop=workshop)


@bp.route("/workshops/new", methods=["GET", "POST"])
@login_required
def new():
    require(Action.WORKSHOP_CREATE)
    return _edit(None)


@bp.route("/workshops/<public_id:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id):
    return _edit(_workshop(workshop_id, Action.WORKSHOP_TEACH))


@bp.get("/workshops/<public_id:workshop_id>")
@login_required
def show(workshop_id):
    workshop = _workshop(workshop_id)
    teaches = can(current_user, Action.WORKSHOP_TEACH, workshop)
    may_enrol = can(current_user, Action.WORKSHOP_ENROL, workshop)
    seat = services.seat_of(workshop, current_user.id)
    context = dict(
        workshop=workshop,
        places_left=services.places_left(workshop),
        teaches=teaches,
        may_enrol=may_enrol,
        seat=seat,
        modules={u.slug: u for u in get_curriculum().level(services.LEVEL).units},
        form=PostForm(),
        now=utcnow(),
        presences=list(Presence),
    )
    if seat is not None:
        level = get_curriculum().level(services.LEVEL)
        context["progress"] = level_progress(current_user, level)
        context["certificate"] = standing_certificate(current_user, services.LEVEL)
    if teaches:
        context["roster"] = rosters.roster(workshop)
        context["answers"] = rosters.open_answers(workshop)
        context["notes_form"] = NoteForm(notes=workshop.notes)
    elif may_enrol:
        context["roster"] = [
            row
            for row in rosters.roster(workshop)
            if row.trainee.agency_id == current_user.agency_id
        ]
    if may_enrol:
        context["enrol_form"] = _enrol_form(workshop)
    return render_template("course/workshops/show.html", **context)


def _enrol_form(workshop: Workshop) -> EnrolForm:
    form = EnrolForm()
    form.trainee_ids.choices = [
        SelectChoice(p.id, f"{p.name} ({p.agency.name})" if p.agency else p.name)
        for p in services.eligible_staff(current_user, workshop)
    ]
    cohorts = db.session.scalars(
        select(Cohort)
        .where(
            Cohort.agency_id.in_(services.enrolling_agencies(current_user, workshop)),
            Cohort.level == services.LEVEL,
        )
        .order_by(Cohort.name)
    )
    form.cohort_id.choices = [SelectChoice(0, "None")] + [
        SelectChoice(c.id, c.name) for c in cohorts
    ]
    return form


@bp.post("/workshops/<public_id:workshop_id>/enrol")
@login_required
def enrol(workshop_id):
    workshop = _workshop(workshop_id, Action.WORKSHOP_ENROL)
    form = _enrol_form(workshop)
    if not form.validate_on_submit():
        flash("Choose people from the list, or a cohort.", "error")
        return _back(workshop, "#enrol")
    ids = set(form.trainee_ids.data or ())
    if form.cohort_id.data:
        ids |= set(
            db.session.scalars(
                select(Enrolment.user_id).where(
                    Enrolment.cohort_id == form.cohort_id.data,
                    Enrolment.status != EnrolmentStatus.WITHDRAWN,
                )
            )
        )
    people = list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))
    if not people:
        flash("Choose people from the list, or a cohort.", "error")
        return _back(workshop, "#enrol")
    try:
        result = services.enrol(current_user, workshop, people)
    except services.WorkshopError as exc:
        flash(str(exc), "error")
        return _back(workshop, "#enrol")
    if result.added:
        flash(f"Enrolled: {', '.join(p.name for p in result.added)}.", "success")
    if result.already:
        flash(f"Already enrolled: {', '.join(p.name for p in result.already)}.", "info")
    for reason in result.refused.values():
        flash(reason, "error")
    return _back(workshop, "#roster")


@bp.route(
    "/workshops/<public_id:workshop_id>/seats/<public_id:seat_id>/withdraw",
    methods=["GET", "POST"],
)
@login_required
def withdraw(workshop_id, seat_id):
    workshop = _workshop(workshop_id, Action.WORKSHOP_ENROL)
    seat = get_by_public_id(WorkshopSeat, seat_id)
    if seat is None or seat.workshop_id != workshop.id or seat.withdrawn_at is not None:
        abort(404)
    form = PostForm()
    if form.validate_on_submit():
        _attempt(
            services.withdraw,
            current_user,
            seat,
            success=f"{seat.trainee.name} no longer has a place; the place is free again.",
        )
        return _back(workshop, "#roster")
    return render_template(
        "course/workshops/withdraw.html", workshop=workshop, seat=seat, form=form
    )


@bp.post(
    "/workshops/<public_id:workshop_id>/sessions/<public_id:session_id>"
    "/attendance/<public_id:trainee_id>"
)
@login_required
def attendance(workshop_id, session_id, trainee_id):
    """One person's attendance at one session: JSON for the page's script, else a redirect."""
    workshop = _workshop(workshop_id, Action.WORKSHOP_TEACH)
    session = get_by_public_id(WorkshopSession, session_id)
    trainee = get_by_public_id(User, trainee_id)
    if session is None or session.workshop_id != workshop.id or trainee is None:
        abort(404)
    wants_json = request.accept_mimetypes.best == "application/json"
    form = AttendanceForm()
    error = None
    if form.validate_on_submit():
        try:
            record = services.record_attendance(
                current_user,
                session,
                trainee.id,
                Presence(form.presence.data),
                form.minutes.data,
                form.note.data or "",
            )
        except services.WorkshopError as exc:
            error = str(exc)
    else:
        error = "Choose present, partial, absent or made up" + (
            f" ({'; '.join(m for msgs in form.errors.values() for m in msgs)})."
            if form.errors
            else "."
        )
    if wants_json:
        if error:
            return jsonify(ok=False, error=error), 422
        return jsonify(ok=True, presence=record.state.value, label=record.state.label)
    flash(error or "Attendance saved.", "error" if error else "success")
    return _back(workshop, f"#row-{trainee_id}")


@bp.post("/workshops/<public_id:workshop_id>/notes")
@login_required
def notes(workshop_id):
    workshop = _workshop(workshop_id, Action.WORKSHOP_TEACH)
    form = NoteForm()
    if form.validate_on_submit():
        workshop.notes = form.notes.data or ""
        db.session.commit()
        flash("Notes saved.", "success")
    else:
        flash("Notes are limited to 10,000 characters.", "error")
    return _back(workshop, "#notes")


def _seated(workshop: Workshop, trainee_id: str) -> User:
    trainee = get_by_public_id(User, trainee_id)
    seat = services.seat_of(workshop, trainee.id) if trainee else None
    if seat is None:
        abort(404)
    return seat.trainee


@bp.post("/workshops/<public_id:workshop_id>/sign-off/<public_id:trainee_id>")
@login_required
def sign_off(workshop_id, trainee_id):
    workshop = _workshop(workshop_id, Action.WORKSHOP_TEACH)
    trainee = _seated(workshop, trainee_id)
    if not PostForm().validate_on_submit():
        abort(400)
    _attempt(
        services.sign_off_level_one,
        current_user,
        workshop,
        trainee,
        success=f"Level 1 is signed off for {trainee.name}; the certificate is issued.",
    )
    return _back(workshop, f"#row-{trainee.id}")


@bp.route(
    "/workshops/<public_id:workshop_id>/sign-off/<public_id:trainee_id>/revoke",
    methods=["GET", "POST"],
)
@login_required
def revoke(workshop_id, trainee_id):
    workshop = _workshop(workshop_id, Action.WORKSHOP_TEACH)
    trainee = _seated(workshop, trainee_id)
    form = ReasonForm()
    if form.validate_on_submit():
        _attempt(
            services.revoke_level_one,
            current_user,
            workshop,
            trainee,
            form.reason.data,
            success=f"The sign-off for {trainee.name} is revoked; the record is kept.",
        )
        return _back(workshop, f"#row-{trainee.id}")
    return render_template(
        "course/workshops/revoke.html", workshop=workshop, trainee=trainee, form=form
    )
