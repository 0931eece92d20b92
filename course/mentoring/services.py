"""Mentor groups, the weekly schedule, and meetings.

Week N of a group opens on its start date plus N-1 weeks (preparation sessions follow
the weeks in order); days spent paused push the schedule back, and a mentor may open
a week early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from course.accounts.models import Role, User
from course.agencies.models import Cohort
from course.audit.services import record
from course.curriculum.models import Unit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import Enrolment, EnrolmentStatus
from course.links import path_for
from course.mentoring.models import (
    MEETING_MINUTES,
    Certificate,
    LevelThreeInvitation,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekOpening,
)
from course.notifications.models import Topic
from course.notifications.services import notify
from course.timeutil import today as utc_today
from course.timeutil import utcnow

MENTORED_LEVELS = ("level-2", "level-3")


class MentoringError(Exception):
    """A mentoring rule was broken; the message says which, for people."""


# -- who mentors whom --------------------------------------------------------------


def is_mentor_of(mentor: User, trainee_id: int) -> bool:
    """True when ``mentor`` mentors a group that ``trainee_id`` belongs to, or trains
    the Level 1 cohort the trainee is enrolled in."""
    found = db.session.scalar(
        select(MentorGroupMember.id)
        .join(MentorGroup)
        .where(MentorGroup.mentor_id == mentor.id, MentorGroupMember.trainee_id == trainee_id)
        .limit(1)
    )
    return found is not None or trainee_id in _level_one_trainees(mentor, trainee_id)


def _level_one_trainees(trainer: User, trainee_id: int | None = None) -> set[int]:
    """The people enrolled (and not withdrawn) in Level 1 cohorts that ``trainer`` leads,
    and the people with a place in a workshop they teach."""
    from course.workshops.models import WorkshopSeat, WorkshopTrainer

    cohorts = (
        select(Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Cohort.mentor_id == trainer.id,
            Cohort.level == "level-1",
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
    )
    workshops = (
        select(WorkshopSeat.trainee_id)
        .join(WorkshopTrainer, WorkshopTrainer.workshop_id == WorkshopSeat.workshop_id)
        .where(WorkshopTrainer.trainer_id == trainer.id, WorkshopSeat.withdrawn_at.is_(None))
    )
    if trainee_id is not None:
        cohorts = cohorts.where(Enrolment.user_id == trainee_id)
        workshops = workshops.where(WorkshopSeat.trainee_id == trainee_id)
    return set(db.session.scalars(cohorts.union(workshops)))


def trainees_of_trainer(trainer: User) -> set[int]:
    """Everyone whose work ``trainer`` reads: their mentor groups and Level 1 cohorts."""
    grouped = db.session.scalars(
        select(MentorGroupMember.trainee_id)
        .join(MentorGroup)
        .where(MentorGroup.mentor_id == trainer.id)
    )
    return set(grouped) | _level_one_trainees(trainer)


def group_of_trainee(trainee: User, level: str) -> MentorGroup | None:
    """Return the trainee's latest group for a level."""
    return db.session.scalar(
        select(MentorGroup)
        .join(MentorGroupMember)
        .where(MentorGroupMember.trainee_id == trainee.id, MentorGroup.level == level)
        .order_by(MentorGroup.id.desc())
        .limit(1)
    )


def partner_of(group: MentorGroup, trainee: User) -> User | None:
    return next((t for t in group.trainees if t.id != trainee.id), None)


# -- forming a group -----------------------------------------------------------------


def form_group(
    actor: User, mentor: User, trainees: list[User], level: str, start_date: date
) -> MentorGroup:
    """Form a mentor group and enrol its trainees in the level.

    :raise MentoringError: saying which rule stops it (who may form it, who may
        mentor, and each trainee's prerequisites).
    """
    _check_group(actor, mentor, trainees, level)
    group = MentorGroup(
        mentor=mentor,
        level=level,
        start_date=start_date,
        agency_id=trainees[0].agency_id,
        members=[MentorGroupMember(trainee=trainee) for trainee in trainees],
    )
    db.session.add(group)
    for trainee in trainees:
        learning.enrol(trainee, level)
    title = get_curriculum().level(level).title
    for trainee in trainees:
        notify(
            trainee,
            f"You are enrolled in {title}",
            f"{mentor.name} is your mentor. Week 1 opens on {start_date:%-d %B %Y}.",
            link=path_for("course.learning.level", level_slug=level),
            commit=False,
            topic=Topic.SCHEDULE,
        )
    db.session.commit()
    return group


def _check_group(actor: User, mentor: User, trainees: list[User], level: str) -> None:
    if level not in MENTORED_LEVELS:
        raise MentoringError("Mentor groups are for Level 2 and Level 3.")
    distinct = {t.id for t in trainees}
    if len(distinct) != len(trainees) or len(trainees) not in (1, 2):
        raise MentoringError("A mentor group has one or two different trainees.")
    agencies = {t.agency_id for t in trainees}
    if len(agencies) != 1:
        raise MentoringError("Pair partners must work for the same agency.")
    agency_id = agencies.pop()
    own_agency_admin = (
        actor.has_role(Role.AGENCY_ADMIN) and agency_id is not None and actor.agency_id == agency_id
    )
    if not (actor.has_role(Role.SITE_ADMIN) or own_agency_admin):
        raise MentoringError("Only a site admin or the trainees' agency admin may form this group.")
    _check_mentor(mentor, agency_id, level)
    for trainee in trainees:
        reason = enrolment_refusal(trainee, level)
        if reason:
            raise MentoringError(reason)


def _check_mentor(mentor: User, agency_id: int | None, level: str) -> None:
    if mentor.has_role(Role.MASTER_TRAINER):
        return
    if mentor.has_role(Role.AGENCY_TRAINER):
        if level != "level-2":
            raise MentoringError("Agency trainers mentor Level 2 only.")
        if mentor.agency_id is None or mentor.agency_id != agency_id:
            raise MentoringError(f"{mentor.name} may mentor only within their own agency.")
        return
    raise MentoringError(f"{mentor.name} is not a master trainer or an agency trainer.")


def enrolment_refusal(trainee: User, level: str) -> str | None:
    """Say why a trainee cannot join a level's group, or None when they can."""
    if not trainee.has_role(Role.TRAINEE):
        return f"{trainee.name} is not a trainee."
    if group_of_trainee(trainee, level) is not None:
        return f"{trainee.name} is already in a {level.replace('-', ' ').title()} group."
    if level == "level-2" and not learning.has_completed_level(trainee, "level-1"):
        return f"{trainee.name} has not completed Level 1 yet."
    if level == "level-3":
        if standing_certificate(trainee, "level-2") is None:
            return f"{trainee.name} has no Level 2 certificate yet."
        if not _accepted_level_three_invitation(trainee):
            return f"{trainee.name} has not accepted an invitation to Level 3."
    return None


def standing_certificate(trainee: User, level: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.trainee_id == trainee.id,
            Certificate.level == level,
            Certificate.revoked_at.is_(None),
        )
    )


def _accepted_level_three_invitation(trainee: User) -> bool:
    found = db.session.scalar(
        select(LevelThreeInvitation.id).where(
            LevelThreeInvitation.trainee_id == trainee.id,
            LevelThreeInvitation.accepted_at.is_not(None),
        )
    )
    return found is not None


# -- the schedule --------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledUnit:
    unit: Unit
    opens_on: date
    is_open: bool


def scheduled_units(group: MentorGroup, today: date | None = None) -> list[ScheduledUnit]:
    """Return the level's units in order, each with the date it opens and whether it is open."""
    today = today or utc_today()
    if group.paused_at is not None:
        today = min(today, group.paused_at.date())  # a paused group's clock stands still
    opened_early = {opening.week for opening in group.early_openings}
    pauses = sorted((date.fromisoformat(p["from"]), p["days"]) for p in group.pauses or [])
    result = []
    for unit in get_curriculum().level(group.level).units:
        opens_on = group.start_date + timedelta(weeks=unit.order - 1)
        for began, days in pauses:
            if opens_on > began:  # not yet open when the pause began: it moves back
                opens_on += timedelta(days=days)
        result.append(
            ScheduledUnit(unit, opens_on, opens_on <= today or unit.order in opened_early)
        )
    return result


def unit_is_open(group: MentorGroup, unit: Unit, today: date | None = None) -> bool:
    return any(s.unit.slug == unit.slug and s.is_open for s in scheduled_units(group, today))


def open_week_early(group: MentorGroup, unit: Unit, actor: User) -> None:
    """Open a week before its date (the mentor's call)."""
    _require_mentor(group, actor)
    if unit.level != group.level:
        raise MentoringError("That week belongs to another level.")
    if unit_is_open(group, unit):
        return
    db.session.add(WeekOpening(group_id=group.id, week=unit.order, opened_by_id=actor.id))
    for trainee in group.trainees:
        notify(
            trainee,
            f"{unit.title} is open",
            "Your mentor opened this week early.",
            link=path_for("course.learning.unit", slug=unit.slug),
            commit=False,
            topic=Topic.SCHEDULE,
        )
    db.session.commit()


def pause_group(group: MentorGroup, actor: User) -> None:
    _require_mentor(group, actor)
    if group.paused_at is None:
        group.paused_at = utcnow()
        db.session.commit()


def resume_group(group: MentorGroup, actor: User) -> None:
    """Resume a paused group; every week not yet open moves back by the days paused."""
    _require_mentor(group, actor)
    if group.paused_at is not None:
        began = group.paused_at.date()
        days = (utc_today() - began).days
        if days:
            group.pauses = [*(group.pauses or []), {"from": began.isoformat(), "days": days}]
        group.paused_at = None
        db.session.commit()


def set_sharing(group: MentorGroup, actor: User, share: bool) -> None:
    """Let pair partners read each other's reflections (or stop it)."""
    _require_mentor(group, actor)
    group.share_reflections = share
    db.session.commit()


def _require_mentor(group: MentorGroup, actor: User) -> None:
    if actor.id != group.mentor_id:
        raise MentoringError("Only the group's mentor may do that.")


# -- meetings ------------------------------------------------------------------------


def log_meeting(
    group: MentorGroup,
    actor: User,
    unit: Unit,
    held_on: date,
    minutes: int,
    attendee_ids: list[int],
    topics: str = "",
    private_notes: str = "",
    form_key: str | None = None,
) -> Meeting:
    """Record a weekly meeting; attendance gives trainees reflective-consultation hours.

    A trainee attends one meeting per week and day; ``form_key`` (the form's one-time
    key) makes the same form sent twice at once fail on the unique constraint.
    """
    attendees = _checked_meeting(group, actor, unit, held_on, minutes, attendee_ids)
    meeting = Meeting(
        form_key=form_key or None,
        group_id=group.id,
        unit_slug=unit.slug,
        held_on=held_on,
        minutes=minutes,
        topics=topics.strip(),
        private_notes=private_notes.strip(),
        logged_by_id=actor.id,
        attendees=[MeetingAttendee(user_id=user_id) for user_id in sorted(attendees)],
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def change_meeting(
    meeting: Meeting,
    group: MentorGroup,
    actor: User,
    unit: Unit,
    held_on: date,
    minutes: int,
    attendee_ids: list[int],
    topics: str = "",
    private_notes: str = "",
) -> Meeting:
    """Correct a logged meeting (its hours feed the funders' report): the audit log
    keeps what it said before."""
    attendees = _checked_meeting(group, actor, unit, held_on, minutes, attendee_ids, meeting.id)
    record(actor, "meeting.change", "meeting", meeting.id, before=_meeting_facts(meeting))
    meeting.unit_slug, meeting.held_on, meeting.minutes = unit.slug, held_on, minutes
    meeting.topics, meeting.private_notes = topics.strip(), private_notes.strip()
    # Only the difference: re-adding a kept attendee would meet its unique row.
    meeting.attendees = [a for a in meeting.attendees if a.user_id in attendees] + [
        MeetingAttendee(user_id=user_id) for user_id in sorted(attendees - meeting.attendee_ids)
    ]
    db.session.commit()
    return meeting


def delete_meeting(meeting: Meeting, group: MentorGroup, actor: User) -> None:
    """Remove a meeting logged by mistake; the audit log keeps what it said."""
    _require_mentor(group, actor)
    record(actor, "meeting.delete", "meeting", meeting.id, before=_meeting_facts(meeting))
    db.session.delete(meeting)
    db.session.commit()


def _meeting_facts(meeting: Meeting) -> dict:
    """What the hours report reads of a meeting (no topics or notes in the audit log)."""
    return {
        "week": meeting.unit_slug,
        "held_on": meeting.held_on.isoformat(),
        "minutes": meeting.minutes,
        "attendees": sorted(meeting.attendee_ids),
    }


def _checked_meeting(
    group: MentorGroup,
    actor: User,
    unit: Unit,
    held_on: date,
    minutes: int,
    attendee_ids: list[int],
    meeting_id: int | None = None,
) -> set[int]:
    """The rules of a logged meeting; returns who attended (ids of the group's trainees)."""
    _require_mentor(group, actor)
    if unit.level != group.level:
        raise MentoringError("That week belongs to another level.")
    if not MEETING_MINUTES[0] <= minutes <= MEETING_MINUTES[1]:
        raise MentoringError(
            f"A meeting lasts between {MEETING_MINUTES[0]} and {MEETING_MINUTES[1]} minutes."
        )
    if held_on > utc_today():
        raise MentoringError("A meeting cannot be logged before it happens.")
    attendees = set(attendee_ids) & group.trainee_ids
    if not attendees:
        raise MentoringError("Tick at least one trainee who attended.")
    already = db.session.scalar(
        select(MeetingAttendee.id)
        .join(Meeting)
        .where(
            Meeting.group_id == group.id,
            Meeting.unit_slug == unit.slug,
            Meeting.held_on == held_on,
            Meeting.id != (meeting_id or 0),
            MeetingAttendee.user_id.in_(attendees),
        )
    )
    if already:
        raise MentoringError(
            f"A meeting on {held_on:%-d %B %Y} with the same trainee is already logged for "
            "this week: it is in the group's meeting list."
        )
    return attendees


def meetings_of(group: MentorGroup) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.group_id == group.id).order_by(Meeting.held_on)
        )
    )


def consultation_hours(trainee: User) -> float:
    """Hours of reflective consultation: the meetings the trainee attended."""
    minutes = db.session.scalar(
        select(func.coalesce(func.sum(Meeting.minutes), 0))
        .join(MeetingAttendee)
        .where(MeetingAttendee.user_id == trainee.id)
    )
    return round(minutes / 60, 2)


def candidates_for_groups(actor: User) -> dict[str, list[User]]:
    """People an admin may put in a group: mentors and trainees (their agency's, for an
    agency admin; master trainers serve every agency)."""
    query = select(User).where(User.active.is_(True)).order_by(User.name)
    people = list(db.session.scalars(query))
    if not actor.has_role(Role.SITE_ADMIN):
        people = [
            p for p in people if p.agency_id == actor.agency_id or p.has_role(Role.MASTER_TRAINER)
        ]
    return {
        "mentors": [p for p in people if p.has_role(Role.MASTER_TRAINER, Role.AGENCY_TRAINER)],
        "trainees": [
            p
            for p in people
            if p.has_role(Role.TRAINEE)
            and (actor.has_role(Role.SITE_ADMIN) or p.agency_id == actor.agency_id)
        ],
    }


def notify_opened_weeks(today: date | None = None) -> int:
    """Tell each trainee about weeks that have opened; safe to run as often as you like.

    Run daily (cron or a scheduler): ``flask --app app course notify-weeks``.
    """
    from course.notifications.models import Notification

    sent = 0
    for group in db.session.scalars(select(MentorGroup).where(MentorGroup.paused_at.is_(None))):
        for item in scheduled_units(group, today):
            if not item.is_open:
                continue
            subject = f"{item.unit.title} is open"
            link = path_for("course.learning.unit", slug=item.unit.slug)
            for trainee in group.trainees:
                already = db.session.scalar(
                    select(Notification.id).where(
                        Notification.user_id == trainee.id, Notification.link == link
                    )
                )
                if already is None:
                    notify(
                        trainee,
                        subject,
                        "A new week of your training is open.",
                        link=link,
                        commit=False,
                        topic=Topic.SCHEDULE,
                    )
                    sent += 1
    db.session.commit()
    return sent
