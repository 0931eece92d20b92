"""What an agency admin sees of their staff: status, dates and sign-offs, never content."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from course.accounts.models import Invitation, Role, User
from course.agencies.models import Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.mentoring.models import (
    Certificate,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekSignOff,
)
from course.mentoring.services import scheduled_units
from course.reflections.models import Reflection
from course.timeutil import today as utc_today
from course.timeutil import utcnow
from quizzes.api import passed_quizzes

BEHIND_AFTER_DAYS = 14


@dataclass
class StaffRow:
    person: User
    level_one_done: int = 0
    enrolments: dict[str, Enrolment] = field(default_factory=dict)
    group: MentorGroup | None = None
    sign_offs: list[tuple[str, datetime]] = field(default_factory=list)  # (unit title, when)
    certificates: list[Certificate] = field(default_factory=list)
    # unit title -> where the week stands ("submitted", "signed off 3 Dec 2026", ...)
    weeks: dict[str, str] = field(default_factory=dict)
    consultation_hours: float = 0.0
    passed_quizzes: set[str] = field(default_factory=set)
    done: int = 0  # modules done (Level 1) or weeks signed off (mentored level)
    total: int = 0
    behind: list[str] = field(default_factory=list)  # weeks open 14+ days, nothing submitted

    @property
    def level(self) -> str:
        return self.group.level if self.group else "level-1"

    @property
    def cohort(self) -> Cohort | None:
        enrolment = self.enrolments.get(self.level)
        return enrolment.cohort if enrolment else None

    @property
    def status(self) -> str:
        enrolment = self.enrolments.get(self.level)
        if not self.person.active:
            return "left"
        return str(enrolment.status) if enrolment else "not started"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def staff_progress(agency_id: int, today: date | None = None) -> list[StaffRow]:
    """Every trainee of the agency with their progress, in a fixed number of queries
    (the count does not grow with the number of people)."""
    today = today or utc_today()
    people = db.session.scalars(
        select(User).where(User.agency_id == agency_id).order_by(User.name)
    ).all()
    rows = {p.id: StaffRow(p) for p in people if p.has_role(Role.TRAINEE)}
    ids = set(rows)
    curriculum = get_curriculum()
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id.in_(ids), Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .options(selectinload(Enrolment.cohort))
        .order_by(Enrolment.started_at)
    )
    for enrolment in enrolments:
        rows[enrolment.user_id].enrolments[enrolment.level] = enrolment
    done = db.session.execute(
        select(Enrolment.user_id, func.count())
        .join(UnitProgress)
        .where(
            Enrolment.user_id.in_(ids),
            Enrolment.level == "level-1",
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
            UnitProgress.status == UnitStatus.COMPLETE,
        )
        .group_by(Enrolment.user_id)
    )
    for user_id, count in done:
        rows[user_id].level_one_done = count
    groups = db.session.execute(
        select(MentorGroupMember.trainee_id, MentorGroup)
        .join(MentorGroup)
        .where(MentorGroupMember.trainee_id.in_(ids))
        .options(selectinload(MentorGroup.mentor), selectinload(MentorGroup.early_openings))
        .order_by(MentorGroup.id)
    )
    for trainee_id, group in groups:
        rows[trainee_id].group = group  # the latest group wins
    sign_offs = db.session.scalars(
        select(WeekSignOff)
        .where(WeekSignOff.trainee_id.in_(ids), WeekSignOff.revoked_at.is_(None))
        .order_by(WeekSignOff.signed_at)
    )
    signed = set()
    for sign_off in sign_offs:
        unit = curriculum.unit(sign_off.unit_slug)
        rows[sign_off.trainee_id].sign_offs.append((unit.title, sign_off.signed_at))
        signed.add((sign_off.trainee_id, sign_off.unit_slug))
    # Only the status of each reflection is read: an agency never sees what was written.
    statuses = db.session.execute(
        select(Reflection.trainee_id, Reflection.unit_slug, Reflection.status).where(
            Reflection.trainee_id.in_(ids)
        )
    )
    raw = {}
    for trainee_id, unit_slug, status in statuses:
        rows[trainee_id].weeks[curriculum.unit(unit_slug).title] = str(status)
        raw[(trainee_id, unit_slug)] = str(status)
    hours = db.session.execute(
        select(MeetingAttendee.user_id, func.sum(Meeting.minutes))
        .join(Meeting)
        .where(MeetingAttendee.user_id.in_(ids))
        .group_by(MeetingAttendee.user_id)
    )
    for user_id, minutes in hours:
        rows[user_id].consultation_hours = round(minutes / 60, 1)
    for user_id, slugs in passed_quizzes(ids).items():
        rows[user_id].passed_quizzes = slugs
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.trainee_id.in_(ids), Certificate.revoked_at.is_(None))
    )
    for certificate in certificates:
        rows[certificate.trainee_id].certificates.append(certificate)
    position = {
        unit.title: (level.number, unit.order)
        for level in curriculum.levels
        for unit in level.units
    }
    level_one = len(curriculum.level("level-1").units)
    for row in rows.values():
        for title, when in row.sign_offs:
            row.weeks[title] = f"signed off {when:%-d %b %Y}"
        row.weeks = dict(sorted(row.weeks.items(), key=lambda item: position[item[0]]))
        _fill_progress(row, level_one, raw, signed, today)
    return list(rows.values())


def _fill_progress(row: StaffRow, level_one: int, raw, signed, today: date) -> None:
    """Count progress on the person's current level and name the weeks they are behind on."""
    if row.group is None:
        row.done, row.total = row.level_one_done, level_one
        return
    schedule = scheduled_units(row.group, today)
    trainee_id = row.person.id
    row.done = sum((trainee_id, item.unit.slug) in signed for item in schedule)
    row.total = len(schedule)
    overdue = today - timedelta(days=BEHIND_AFTER_DAYS)
    row.behind = [
        item.unit.title
        for item in schedule
        if item.is_open
        and item.opens_on <= overdue
        and (trainee_id, item.unit.slug) not in signed
        and raw.get((trainee_id, item.unit.slug), "draft") == "draft"
    ]


def filter_and_sort(
    rows: list[StaffRow], cohort_id=None, level=None, status=None, sort="name"
) -> list[StaffRow]:
    """The dashboard's filters (cohort, level, status) and sort order (name, progress, behind)."""
    if cohort_id:
        rows = [r for r in rows if r.cohort and r.cohort.id == cohort_id]
    if level:
        rows = [r for r in rows if r.level == level]
    if status == "behind":
        rows = [r for r in rows if r.behind]
    elif status:
        rows = [r for r in rows if r.status == status]
    keys = {
        "progress": lambda r: (-r.percent, r.person.name),
        "behind": lambda r: (-len(r.behind), r.person.name),
    }
    return sorted(rows, key=keys.get(sort, lambda r: r.person.name.lower()))


REPORT_COLUMNS = [
    "name",
    "email",
    "job title",
    "cohort",
    "level",
    "status",
    "started",
    "completed",
    "weeks signed off",
    "Level 1 quizzes passed",
    "reflective consultation hours",
    "certificate codes",
]


def report_csv(rows: list[StaffRow]) -> str:
    """The funders' report: one row per person, dates and results, never content."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    quizzes = [u.quiz for u in get_curriculum().level("level-1").units if u.quiz]
    for row in rows:
        enrolment = row.enrolments.get(row.level)
        writer.writerow([
            row.person.name, row.person.email, row.person.job_title,
            row.cohort.name if row.cohort else "", row.level, row.status,
            f"{enrolment.started_at:%Y-%m-%d}" if enrolment else "",
            f"{enrolment.completed_at:%Y-%m-%d}" if enrolment and enrolment.completed_at else "",
            len(row.sign_offs),
            f"{len(row.passed_quizzes & set(quizzes))}/{len(quizzes)} passed",
            row.consultation_hours,
            " ".join(c.code for c in row.certificates),
        ])  # fmt: skip
    return out.getvalue()


@dataclass(frozen=True)
class CohortNumbers:
    cohort: Cohort
    enrolled: int
    active: int
    completed: int
    withdrawn: int


def cohort_numbers(agency_id: int) -> list[CohortNumbers]:
    """Each cohort of the agency with its head counts, from one aggregate query."""
    counts = db.session.execute(
        select(Enrolment.cohort_id, Enrolment.status, func.count())
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .where(Cohort.agency_id == agency_id)
        .group_by(Enrolment.cohort_id, Enrolment.status)
    )
    by_cohort: dict[int, Counter] = {}
    for cohort_id, status, n in counts:
        by_cohort.setdefault(cohort_id, Counter())[str(status)] = n
    cohorts = db.session.scalars(
        select(Cohort).where(Cohort.agency_id == agency_id).order_by(Cohort.start_date.desc())
    )
    result = []
    for cohort in cohorts:
        c = by_cohort.get(cohort.id, Counter())
        result.append(
            CohortNumbers(cohort, sum(c.values()), c["active"], c["completed"], c["withdrawn"])
        )
    return result


def cohort_members(cohort: Cohort) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id)
            .options(selectinload(Enrolment.user))
            .order_by(Enrolment.status, Enrolment.started_at)
        )
    )


class AgencyError(Exception):
    """An agency rule was broken; the message is for people."""


def withdraw(enrolment: Enrolment, reason: str) -> None:
    """Withdraw someone from their cohort; the enrolment stays, with the date and reason."""
    if not reason.strip():
        raise AgencyError("Say why the person is withdrawn.")
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = utcnow()
    enrolment.withdrawn_reason = reason.strip()[:300]
    db.session.commit()


def move(enrolment: Enrolment, target: Cohort) -> Enrolment:
    """Move someone to another cohort of the same agency and level, keeping their history.

    The old enrolment is closed as withdrawn ("moved to ..."); the new one carries the
    progress already made (unit progress moves with it).
    """
    source = enrolment.cohort
    if target.agency_id != source.agency_id or target.level != source.level:
        raise AgencyError("Move people only between cohorts of the same agency and level.")
    if target.id == source.id or enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise AgencyError("Choose another cohort for someone still enrolled.")
    moved = Enrolment(
        user_id=enrolment.user_id,
        level=enrolment.level,
        cohort=target,
        status=enrolment.status,
        started_at=enrolment.started_at,
        completed_at=enrolment.completed_at,
        pair_code="",
    )
    db.session.add(moved)
    for progress in list(enrolment.progress):
        progress.enrolment = moved
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = utcnow()
    enrolment.withdrawn_reason = f"moved to {target.name}"
    db.session.commit()
    return moved


def deactivate(person: User) -> None:
    """A staff member who left: they can no longer sign in; their records stay."""
    person.active = False
    db.session.commit()


def open_invitations(agency_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.agency_id == agency_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.commit()
