"""Workshops: creating them, seats within capacity, attendance, and the Level 1 sign-off.

Who may do what is asked of ``course.permissions``; these functions keep the rules
of the workshop itself (capacity, invited agencies, what a sign-off needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from course.accounts.models import Role, User
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import EnrolmentStatus
from course.links import path_for
from course.mentoring.models import Certificate
from course.mentoring.signoffs import issue_certificate, revoke_certificate, standing_certificate
from course.notifications.models import Topic
from course.notifications.services import notify
from course.permissions import Action, can
from course.timeutil import today as utc_today
from course.timeutil import utcnow
from course.workshops.models import (
    Attendance,
    Mode,
    Presence,
    Workshop,
    WorkshopAgency,
    WorkshopSeat,
    WorkshopSession,
    WorkshopTrainer,
)
from quizzes.api import passed_quizzes

LEVEL = "level-1"
MAX_SESSIONS = 10
MAX_CAPACITY = 200


class WorkshopError(Exception):
    """A request the workshop's rules refuse; the message is for the person."""


@dataclass(frozen=True)
class SessionPlan:
    """One session as a trainer types it: a local date and times, and the pre-work."""

    day: date
    start: time
    end: time
    prework: tuple[str, ...] = ()


@dataclass
class WorkshopPlan:
    title: str
    mode: Mode
    capacity: int
    time_zone: str
    sessions: list[SessionPlan]
    trainer_ids: set[int]
    agency_ids: set[int]
    meeting_link: str = ""
    address: str = ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WorkshopError(f"{name!r} is not a time zone this site knows.") from exc


def _check(plan: WorkshopPlan) -> None:
    problems = []
    if not plan.title.strip():
        problems.append("Give the workshop a title.")
    if not 1 <= plan.capacity <= MAX_CAPACITY:
        problems.append(f"Capacity must be between 1 and {MAX_CAPACITY}.")
    if not 2 <= len(plan.sessions) <= MAX_SESSIONS:
        problems.append(f"A workshop has between 2 and {MAX_SESSIONS} sessions.")
    for n, session in enumerate(plan.sessions, 1):
        if session.end <= session.start:
            problems.append(f"Session {n} must end after it starts.")
    days = [session.day for session in plan.sessions]
    if days != sorted(days):
        problems.append("List the sessions in date order.")
    if plan.mode == Mode.ONLINE and not plan.meeting_link.startswith("https://"):
        problems.append("An online workshop needs its meeting link (https://...).")
    if plan.mode == Mode.IN_PERSON and not plan.address.strip():
        problems.append("An in-person workshop needs its address.")
    if not plan.trainer_ids:
        problems.append("Choose at least one Master Trainer.")
    if not plan.agency_ids:
        problems.append("Choose the agencies that may enrol staff.")
    if problems:
        raise WorkshopError(" ".join(problems))


def save_workshop(actor: User, plan: WorkshopPlan, workshop: Workshop | None = None) -> Workshop:
    """Create a workshop, or change one (calendar apps then replace the changed events).

    :raise WorkshopError: naming every problem of the plan.
    """
    if not can(
        actor, Action.WORKSHOP_CREATE if workshop is None else Action.WORKSHOP_TEACH, workshop
    ):
        raise WorkshopError("Only a site admin or a Master Trainer can set up workshops.")
    _check(plan)
    zone = _zone(plan.time_zone)
    trainers = db.session.scalars(select(User).where(User.id.in_(plan.trainer_ids))).all()
    if len(trainers) != len(plan.trainer_ids) or not all(
        t.has_role(Role.MASTER_TRAINER) and t.active for t in trainers
    ):
        raise WorkshopError("Workshops are taught by Master Trainers.")
    if workshop is None:
        workshop = Workshop(created_by_id=actor.id)
        db.session.add(workshop)
    else:
        booked = seats_taken(workshop)
        if plan.capacity < booked:
            raise WorkshopError(f"{booked} people hold a place: capacity cannot go below that.")
    workshop.title = plan.title.strip()
    workshop.mode = plan.mode
    workshop.capacity = plan.capacity
    workshop.time_zone = plan.time_zone
    workshop.meeting_link = plan.meeting_link.strip() if plan.mode == Mode.ONLINE else ""
    workshop.address = plan.address.strip() if plan.mode == Mode.IN_PERSON else ""
    _keep_only(workshop.trainer_links, "trainer_id", plan.trainer_ids, WorkshopTrainer)
    _keep_only(workshop.agency_links, "agency_id", plan.agency_ids, WorkshopAgency)
    _save_sessions(workshop, plan.sessions, zone)
    db.session.commit()
    return workshop


def _keep_only(links: list, key: str, wanted: set[int], model) -> None:
    """Drop the links not wanted and add the missing ones (unchanged ones stay put, so
    the unique (workshop, person) rows are never inserted twice)."""
    for link in [link for link in links if getattr(link, key) not in wanted]:
        links.remove(link)
    have = {getattr(link, key) for link in links}
    links.extend(model(**{key: value}) for value in sorted(wanted - have))


def _save_sessions(workshop: Workshop, plans: list[SessionPlan], zone: ZoneInfo) -> None:
    """Keep existing sessions (and their attendance) in order; add or drop at the end."""
    units = {unit.slug for unit in get_curriculum().level(LEVEL).units}
    existing = list(workshop.sessions)
    for n, plan in enumerate(plans):
        starts = datetime.combine(plan.day, plan.start, zone)
        ends = datetime.combine(plan.day, plan.end, zone)
        prework = [slug for slug in plan.prework if slug in units]
        if n < len(existing):
            session = existing[n]
            if (session.starts_at, session.ends_at) != (starts, ends):
                session.sequence += 1
            session.starts_at, session.ends_at, session.prework = starts, ends, prework
        else:
            workshop.sessions.append(
                WorkshopSession(starts_at=starts, ends_at=ends, prework=prework)
            )
    for session in existing[len(plans) :]:
        if db.session.scalar(select(Attendance.id).where(Attendance.session_id == session.id)):
            raise WorkshopError("A session with attendance taken cannot be removed.")
        workshop.sessions.remove(session)


# -- seeing workshops ----------------------------------------------------------------


def seats_taken(workshop: Workshop) -> int:
    return _seats_taken({workshop.id}).get(workshop.id, 0)


def places_left(workshop: Workshop) -> int:
    return max(workshop.capacity - seats_taken(workshop), 0)


def teaching(user: User) -> Select:
    """The ids of the workshops ``user`` teaches."""
    return select(WorkshopTrainer.workshop_id).where(WorkshopTrainer.trainer_id == user.id)


def seated_in(user: User) -> Select:
    """The ids of the workshops ``user`` holds a place in."""
    return select(WorkshopSeat.workshop_id).where(
        WorkshopSeat.trainee_id == user.id, WorkshopSeat.withdrawn_at.is_(None)
    )


@dataclass(frozen=True)
class Listed:
    workshop: Workshop
    places_left: int
    mine: bool  # the viewer teaches it, or holds a place in it


def workshops_for(viewer: User, upcoming: bool = True) -> list[Listed]:
    """The workshops a person may see (upcoming ones, or past ones), soonest first."""
    query = select(Workshop).options(selectinload(Workshop.sessions))
    teaches, seated = teaching(viewer), seated_in(viewer)
    if viewer.has_role(Role.SITE_ADMIN):
        pass
    elif viewer.has_role(Role.AGENCY_ADMIN) and viewer.agency_id is not None:
        invited = select(WorkshopAgency.workshop_id).where(
            WorkshopAgency.agency_id == viewer.agency_id
        )
        query = query.where(Workshop.id.in_(invited) | Workshop.id.in_(seated))
    else:
        query = query.where(Workshop.id.in_(teaches) | Workshop.id.in_(seated))
    workshops = list(db.session.scalars(query))
    now = utcnow()
    chosen = [w for w in workshops if w.ends_at and (w.ends_at >= now) == upcoming]
    chosen.sort(key=lambda w: w.starts_at, reverse=not upcoming)
    taken = _seats_taken({w.id for w in chosen})
    mine = set(db.session.scalars(teaches)) | set(db.session.scalars(seated))
    return [Listed(w, max(w.capacity - taken.get(w.id, 0), 0), w.id in mine) for w in chosen]


def _seats_taken(workshop_ids: set[int]) -> dict[int, int]:
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(WorkshopSeat.workshop_id, func.count(WorkshopSeat.id))
        .where(WorkshopSeat.workshop_id.in_(workshop_ids), WorkshopSeat.withdrawn_at.is_(None))
        .group_by(WorkshopSeat.workshop_id)
    )
    return dict(rows.all())


def seat_of(workshop: Workshop, trainee_id: int) -> WorkshopSeat | None:
    return db.session.scalar(
        select(WorkshopSeat).where(
            WorkshopSeat.workshop_id == workshop.id,
            WorkshopSeat.trainee_id == trainee_id,
            WorkshopSeat.withdrawn_at.is_(None),
        )
    )


def seats(workshop: Workshop) -> list[WorkshopSeat]:
    return list(
        db.session.scalars(
            select(WorkshopSeat)
            .where(WorkshopSeat.workshop_id == workshop.id, WorkshopSeat.withdrawn_at.is_(None))
            .order_by(WorkshopSeat.enrolled_at, WorkshopSeat.id)
        )
    )


def workshop_of_trainee(trainee: User) -> Workshop | None:
    """The trainee's latest Level 1 workshop."""
    return db.session.scalar(
        select(Workshop)
        .join(WorkshopSeat, WorkshopSeat.workshop_id == Workshop.id)
        .where(WorkshopSeat.trainee_id == trainee.id, WorkshopSeat.withdrawn_at.is_(None))
        .order_by(WorkshopSeat.enrolled_at.desc())
        .limit(1)
    )


# -- seats ------------------------------------------------------------------------------


@dataclass
class EnrolResult:
    added: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # name -> why


def enrolling_agencies(actor: User, workshop: Workshop) -> set[int]:
    """The invited agencies whose people ``actor`` may enrol: all of them for the
    workshop's trainers (and site admins), an agency admin's own otherwise."""
    if can(actor, Action.WORKSHOP_TEACH, workshop):
        return workshop.agency_ids
    return workshop.agency_ids & {actor.agency_id}


def eligible_staff(actor: User, workshop: Workshop) -> list[User]:
    """The people ``actor`` could enrol, not already seated, by name."""
    seated = select(WorkshopSeat.trainee_id).where(
        WorkshopSeat.workshop_id == workshop.id, WorkshopSeat.withdrawn_at.is_(None)
    )
    people = db.session.scalars(
        select(User)
        .where(
            User.agency_id.in_(enrolling_agencies(actor, workshop)),
            User.active.is_(True),
            User.id.not_in(seated),
        )
        .order_by(User.name)
    )
    return [p for p in people if _may_seat(actor, workshop, p) is None]


def _may_seat(actor: User, workshop: Workshop, trainee: User) -> str | None:
    """Why ``actor`` cannot give ``trainee`` a place, or None."""
    if not trainee.active or not trainee.has_role(Role.TRAINEE):
        return "is not an active trainee"
    if trainee.agency_id not in workshop.agency_ids:
        return "works for an agency this workshop is not open to"
    if can(actor, Action.WORKSHOP_TEACH, workshop):
        return None
    if not can(actor, Action.PERSON_MANAGE, trainee):
        return "is not on your agency's staff"
    return None


def enrol(actor: User, workshop: Workshop, trainees: list[User]) -> EnrolResult:
    """Give each person a place, all within capacity (or none: the list is too long).

    Each gets a Level 1 enrolment (the modules are the workshop's pre-work) and a
    notification with the dates and the place.

    :raise WorkshopError: when ``actor`` may not enrol here, or the places do not suffice.
    """
    if not can(actor, Action.WORKSHOP_ENROL, workshop):
        raise WorkshopError("You cannot enrol people in this workshop.")
    ended = workshop.ends_at is not None and workshop.ends_at < utcnow()
    if ended and not can(actor, Action.WORKSHOP_TEACH, workshop):  # its trainers record late
        raise WorkshopError("This workshop has ended.")
    result = EnrolResult()
    seated = {seat.trainee_id for seat in seats(workshop)}
    for trainee in dict.fromkeys(trainees):  # once each, in order
        reason = _may_seat(actor, workshop, trainee)
        if reason:
            result.refused[trainee.name] = f"{trainee.name} {reason}."
        elif trainee.id in seated:
            result.already.append(trainee)
        else:
            result.added.append(trainee)
    left = max(workshop.capacity - len(seated), 0)
    if len(result.added) > left:
        raise WorkshopError(
            f"This workshop has {left} place{'s' if left != 1 else ''} left; "
            f"you chose {len(result.added)} people."
        )
    for trainee in result.added:
        db.session.add(
            WorkshopSeat(workshop=workshop, trainee_id=trainee.id, enrolled_by_id=actor.id)
        )
        if learning.current_enrolment(trainee, LEVEL) is None:
            db.session.add(learning.Enrolment(user=trainee, level=LEVEL))
    db.session.flush()
    if seats_taken(workshop) > workshop.capacity:  # two admins enrolling at once
        db.session.rollback()
        raise WorkshopError("The last places were just taken. Look again at the places left.")
    for trainee in result.added:
        notify(
            trainee,
            f"You have a place in {workshop.title}",
            "Your Level 1 workshop: the dates, the place and the modules to read before "
            "each day are on its page.",
            link=path_for("course.workshops.show", workshop_id=workshop.public_id),
            commit=False,
            topic=Topic.SCHEDULE,
        )
    db.session.commit()
    return result


def withdraw(actor: User, seat: WorkshopSeat) -> None:
    workshop = seat.workshop
    if not (
        can(actor, Action.WORKSHOP_TEACH, workshop)
        or can(actor, Action.PERSON_MANAGE, seat.trainee)
    ):
        raise WorkshopError("You cannot withdraw this person.")
    seat.withdrawn_at = utcnow()
    db.session.commit()


# -- attendance and sign-off ------------------------------------------------------------


def record_attendance(
    actor: User,
    session: WorkshopSession,
    trainee_id: int,
    presence: Presence,
    minutes: int | None = None,
    note: str = "",
) -> Attendance:
    """Record (or correct) one person's attendance at one session.

    :raise WorkshopError: for someone without a place, a session not yet begun, or
        partial attendance without its minutes.
    """
    workshop = session.workshop
    if not can(actor, Action.WORKSHOP_TEACH, workshop):
        raise WorkshopError("Only the workshop's trainers take attendance.")
    if seat_of(workshop, trainee_id) is None:
        raise WorkshopError("That person has no place in this workshop.")
    if session.starts_at > utcnow():
        raise WorkshopError("Attendance is taken once the session has begun.")
    if presence == Presence.PARTIAL:
        if minutes is None or not 1 <= minutes < session.minutes:
            raise WorkshopError(
                f"For a partial attendance, give the minutes attended (1 to {session.minutes - 1})."
            )
    else:
        minutes = None
    if presence == Presence.MAKE_UP and not note.strip():
        raise WorkshopError("Say how the session was made up (when, and what was covered).")
    record = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session.id, Attendance.trainee_id == trainee_id
        )
    )
    if record is None:
        record = Attendance(session_id=session.id, trainee_id=trainee_id)
        db.session.add(record)
    record.presence = presence
    record.minutes = minutes
    record.make_up_note = note.strip() if presence == Presence.MAKE_UP else ""
    record.recorded_by_id = actor.id
    record.recorded_at = utcnow()
    db.session.commit()
    return record


def attendance_of(workshop: Workshop) -> dict[tuple[int, int], Attendance]:
    """(session id, trainee id) -> the attendance recorded."""
    ids = [session.id for session in workshop.sessions]
    if not ids:
        return {}
    rows = db.session.scalars(select(Attendance).where(Attendance.session_id.in_(ids)))
    return {(row.session_id, row.trainee_id): row for row in rows}


def level_one_quizzes() -> list[tuple[str, str]]:
    """(quiz slug, module title) of every Level 1 module with a quiz."""
    return [(u.quiz, u.title) for u in get_curriculum().level(LEVEL).units if u.quiz]


def sign_off_missing(
    workshop: Workshop, trainee_id: int, attendance=None, passed=None
) -> list[str]:
    """What stands between this person and the Level 1 sign-off (empty: nothing)."""
    attendance = attendance_of(workshop) if attendance is None else attendance
    passed = passed_quizzes({trainee_id}).get(trainee_id, set()) if passed is None else passed
    missing = []
    for n, session in enumerate(workshop.sessions, 1):
        record = attendance.get((session.id, trainee_id))
        if record is None or not record.state.counts:
            missing.append(f"day {n} attended or made up")
    open_modules = [title for slug, title in level_one_quizzes() if slug not in passed]
    if open_modules:
        missing.append(
            f"{len(open_modules)} module quiz{'zes' if len(open_modules) > 1 else ''} passed"
        )
    return missing


def sign_off_level_one(actor: User, workshop: Workshop, trainee: User) -> Certificate:
    """Sign Level 1 off for a person: the certificate, the level complete, and a
    notification saying what comes next.

    :raise WorkshopError: when ``actor`` does not teach this workshop, or something is missing.
    """
    if not can(actor, Action.WORKSHOP_TEACH, workshop) or not actor.has_role(Role.MASTER_TRAINER):
        raise WorkshopError("Level 1 is signed off by a Master Trainer of the workshop.")
    if seat_of(workshop, trainee.id) is None:
        raise WorkshopError("That person has no place in this workshop.")
    existing = standing_certificate(trainee, LEVEL)
    if existing is not None:
        return existing
    missing = sign_off_missing(workshop, trainee.id)
    if missing:
        raise WorkshopError(f"Not yet: {trainee.name} still needs {', '.join(missing)}.")
    certificate, _ = issue_certificate(
        actor,
        trainee,
        LEVEL,
        tell=lambda issued: notify(
            trainee,
            "Level 1 is complete",
            "Your trainer signed off Level 1: your certificate is ready. Next comes Level 2, "
            "fifteen weeks with a mentor. Your agency enrols you in a Level 2 cohort; ask "
            "your supervisor or agency administrator when the next one starts.",
            link=path_for("course.certificates.show", code=issued.code),
            commit=False,
            topic=Topic.FEEDBACK,
        ),
    )
    return certificate


def revoke_level_one(actor: User, workshop: Workshop, trainee: User, reason: str) -> None:
    """Take back a Level 1 sign-off (kept, with the reason); the level is open again."""
    if not (can(actor, Action.WORKSHOP_TEACH, workshop) or actor.has_role(Role.SITE_ADMIN)):
        raise WorkshopError("Only the workshop's trainers or a site admin can revoke it.")
    certificate = standing_certificate(trainee, LEVEL)
    if certificate is None:
        raise WorkshopError("Level 1 is not signed off for this person.")
    if not reason.strip():
        raise WorkshopError("Say why the sign-off is revoked.")
    revoke_certificate(certificate, actor, reason, may=True)
    enrolment = learning.current_enrolment(trainee, LEVEL)
    if enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.completed_at = None
    db.session.commit()


@dataclass(frozen=True)
class WorkshopRecord:
    """A person's latest Level 1 workshop, as an agency reports it (never answers)."""

    title: str
    first_day: date
    days: int
    attended: int  # days present or made up
    partial_minutes: int  # minutes of days attended in part

    @property
    def is_upcoming(self) -> bool:
        """Not begun yet: nothing to count as attended or missed."""
        return self.first_day > utc_today()


def workshop_records(trainee_ids: list[int]) -> dict[int, WorkshopRecord]:
    """Each person's latest workshop with their attendance (two queries for everyone)."""
    if not trainee_ids:
        return {}
    seats = db.session.execute(
        select(WorkshopSeat.trainee_id, Workshop)
        .join(Workshop, Workshop.id == WorkshopSeat.workshop_id)
        .where(WorkshopSeat.trainee_id.in_(trainee_ids), WorkshopSeat.withdrawn_at.is_(None))
        .order_by(WorkshopSeat.enrolled_at)
    )
    latest = {trainee_id: workshop for trainee_id, workshop in seats}  # the last one wins
    session_ids = {s.id for w in latest.values() for s in w.sessions}
    records = (
        db.session.execute(
            select(
                Attendance.trainee_id,
                Attendance.session_id,
                Attendance.presence,
                Attendance.minutes,
            ).where(Attendance.trainee_id.in_(trainee_ids), Attendance.session_id.in_(session_ids))
        )
        if session_ids
        else []
    )
    attended: dict[int, int] = {}
    minutes: dict[int, int] = {}
    for trainee_id, session_id, presence, partial in records:
        if session_id not in {s.id for s in latest[trainee_id].sessions}:
            continue  # another workshop of theirs
        if Presence(presence).counts:
            attended[trainee_id] = attended.get(trainee_id, 0) + 1
        elif partial:
            minutes[trainee_id] = minutes.get(trainee_id, 0) + partial
    return {
        trainee_id: WorkshopRecord(
            title=workshop.title,
            first_day=workshop.sessions[0].local_start.date(),
            days=len(workshop.sessions),
            attended=attended.get(trainee_id, 0),
            partial_minutes=minutes.get(trainee_id, 0),
        )
        for trainee_id, workshop in latest.items()
        if workshop.sessions
    }
