"""What an agency admin sees of their staff: status, dates and sign-offs, never content."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from defusedcsv import csv  # cells starting =, +, -, @ cannot run as formulas
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import aliased, selectinload

from course.accounts.models import Invitation, Role, User, UserRole
from course.agencies.models import Cohort
from course.audit.services import record as audit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.mentoring.models import (
    Certificate,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekOpening,
    WeekSignOff,
)
from course.mentoring.services import scheduled_units
from course.paging import Page, page_of_list
from course.reflections.models import Reflection, ReflectionStatus
from course.timeutil import today as utc_today
from course.timeutil import utcnow
from course.workshops.services import WorkshopRecord, workshop_records
from quizzes.api import passed_quizzes

BEHIND_AFTER_DAYS = 14


@dataclass(frozen=True)
class Person:
    """Who a dashboard row is about (columns, not a loaded User)."""

    id: int
    public_id: str
    name: str
    email: str
    job_title: str
    active: bool


@dataclass(frozen=True)
class CohortRef:
    id: int
    public_id: str
    name: str


@dataclass(frozen=True)
class EnrolmentRef:
    level: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    cohort: CohortRef | None


@dataclass
class StaffRow:
    person: Person
    level_one_done: int = 0
    enrolments: dict[str, EnrolmentRef] = field(default_factory=dict)
    group: GroupRef | None = None
    mentor_name: str = ""
    signed_off: int = 0  # standing sign-offs, every level
    consultation_hours: float = 0.0
    done: int = 0  # modules done (Level 1) or weeks signed off (mentored level)
    total: int = 0
    behind: list[str] = field(default_factory=list)  # weeks open 14+ days, nothing submitted
    # Filled by add_details, for the rows shown (a page) only:
    sign_offs: list[tuple[str, datetime]] = field(default_factory=list)  # (unit title, when)
    certificates: list[CertificateRef] = field(default_factory=list)
    # unit title -> where the week stands ("submitted", "signed off 3 Dec 2026", ...)
    weeks: dict[str, str] = field(default_factory=dict)
    workshop: WorkshopRecord | None = None  # the latest Level 1 workshop, with attendance

    @property
    def level(self) -> str:
        return self.group.level if self.group else "level-1"

    @property
    def cohort(self) -> CohortRef | None:
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

    @property
    def started_at(self) -> datetime | None:
        """When they were enrolled in the level the row is about (page and report)."""
        enrolment = self.enrolments.get(self.level)
        return enrolment.started_at if enrolment else None

    def in_training_during(self, since: date | None, until: date | None, zone) -> bool:
        """Enrolled in the row's level at some time between ``since`` and ``until``
        (dates in ``zone``): started by the end and not completed before the start."""
        enrolment = self.enrolments.get(self.level)
        if enrolment is None:
            return False
        started = enrolment.started_at.astimezone(zone).date()
        completed = (
            enrolment.completed_at.astimezone(zone).date() if enrolment.completed_at else None
        )
        return (until is None or started <= until) and (
            since is None or completed is None or completed >= since
        )


@dataclass(frozen=True)
class EarlyOpening:
    week: int


@dataclass(frozen=True)
class GroupRef:
    """What the dashboard needs of a mentor group: its level and schedule (columns)."""

    id: int
    level: str
    start_date: date
    paused_at: datetime | None
    pauses: list
    early_openings: list[EarlyOpening]


@dataclass(frozen=True)
class CertificateRef:
    level: str
    issued_at: datetime
    code: str


def _trainees_of(agency_id: int):
    """The ids of the agency's trainees, as a subquery (no id list travels to the database)."""
    return (
        select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(User.agency_id == agency_id, UserRole.role == Role.TRAINEE)
        .scalar_subquery()
    )


def staff_progress(agency_id: int, today: date | None = None) -> list[StaffRow]:
    """Every trainee of the agency with their progress, counted in the database.

    Eight queries whatever the head count, columns and GROUP BY aggregates only:
    people, enrolments, modules done, latest groups, their early openings, sign-offs
    and reflections per person and level (a count and a bit set of the weeks), meeting
    hours. No sign-off or reflection is loaded as an object; what each week says is
    added by :func:`add_details` for the rows shown.
    """
    today = today or utc_today()
    curriculum = get_curriculum()
    trainees = _trainees_of(agency_id)
    people = db.session.execute(
        select(User.id, User.public_id, User.name, User.email, User.job_title, User.active)
        .where(User.id.in_(trainees))
        .order_by(User.name)
    )
    rows = {p.id: StaffRow(Person(*p)) for p in people}
    enrolments = db.session.execute(
        select(
            Enrolment.user_id,
            Enrolment.level,
            Enrolment.status,
            Enrolment.started_at,
            Enrolment.completed_at,
            Cohort.id,
            Cohort.public_id,
            Cohort.name,
        )
        .outerjoin(Cohort, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id.in_(trainees), Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Enrolment.started_at)
    )
    for user_id, level, status, started, completed, *cohort_columns in enrolments:
        cohort = CohortRef(*cohort_columns) if cohort_columns[0] is not None else None
        rows[user_id].enrolments[level] = EnrolmentRef(level, status, started, completed, cohort)
    done = db.session.execute(
        select(Enrolment.user_id, func.count())
        .join(UnitProgress)
        .where(
            Enrolment.user_id.in_(trainees),
            Enrolment.level == "level-1",
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
            UnitProgress.status == UnitStatus.COMPLETE,
        )
        .group_by(Enrolment.user_id)
    )
    for user_id, count in done:
        rows[user_id].level_one_done = count
    mentor = aliased(User)
    groups = db.session.execute(
        select(
            MentorGroupMember.trainee_id,
            MentorGroup.id,
            MentorGroup.level,
            MentorGroup.start_date,
            MentorGroup.paused_at,
            MentorGroup.pauses,
            mentor.name,
        )
        .join(MentorGroup, MentorGroupMember.group_id == MentorGroup.id)
        .join(mentor, MentorGroup.mentor_id == mentor.id)
        .where(MentorGroupMember.trainee_id.in_(trainees))
        .order_by(MentorGroup.id)
    )
    by_group: dict[int, GroupRef] = {}
    for trainee_id, group_id, level, start, paused_at, pauses, mentor_name in groups:
        if group_id not in by_group:
            by_group[group_id] = GroupRef(group_id, level, start, paused_at, pauses or [], [])
        rows[trainee_id].group = by_group[group_id]  # the latest group wins
        rows[trainee_id].mentor_name = mentor_name
    openings = db.session.execute(
        select(WeekOpening.group_id, WeekOpening.week).where(
            WeekOpening.group_id.in_(
                select(MentorGroupMember.group_id).where(MentorGroupMember.trainee_id.in_(trainees))
            )
        )
    )
    for group_id, week in openings:
        by_group[group_id].early_openings.append(EarlyOpening(week))
    # Per person and level: how many weeks are signed off, and which weeks are dealt
    # with (signed off, or a reflection past draft) as a bit set, bit i for the level's
    # unit i. Each table holds at most one standing row per person and week, so a SUM
    # of distinct bits is their union.
    bits = _week_bits(curriculum)
    signed: dict[tuple[int, str], int] = {}
    dealt_with: dict[tuple[int, str], int] = {}
    for trainee_id, level, count, mask in db.session.execute(signed_weeks(trainees, bits)):
        rows[trainee_id].signed_off += count
        signed[(trainee_id, level)] = count
        dealt_with[(trainee_id, level)] = int(mask or 0)
    for trainee_id, level, mask in db.session.execute(written_weeks(trainees, bits)):
        key = (trainee_id, level)
        dealt_with[key] = dealt_with.get(key, 0) | int(mask or 0)
    hours = db.session.execute(
        select(MeetingAttendee.user_id, func.sum(Meeting.minutes))
        .join(Meeting)
        .where(MeetingAttendee.user_id.in_(trainees))
        .group_by(MeetingAttendee.user_id)
    )
    for user_id, minutes in hours:
        rows[user_id].consultation_hours = round(minutes / 60, 1)
    level_one = len(curriculum.level("level-1").units)
    overdue: dict[tuple, list] = {}  # groups on the same schedule share the answer
    for row in rows.values():
        if row.group is None:
            row.done, row.total = row.level_one_done, level_one
            continue
        group = row.group
        key = (
            group.level,
            group.start_date,
            group.paused_at.date() if group.paused_at else None,
            tuple((p["from"], p["days"]) for p in group.pauses or []),
            frozenset(opening.week for opening in group.early_openings),
        )
        if key not in overdue:
            overdue[key] = _overdue_weeks(group, today)
        row.done = signed.get((row.person.id, group.level), 0)
        row.total = len(curriculum.level(group.level).units)
        mask = dealt_with.get((row.person.id, group.level), 0)
        row.behind = [unit.title for bit, unit in overdue[key] if not mask & bit]
    return list(rows.values())


def signed_weeks(trainees, bits: dict[str, int]) -> Select:
    """Per person and level: standing sign-offs, and their weeks as a bit set. Read
    from the index on (trainee_id, revoked_at, level, unit_slug) alone."""
    return (
        select(
            WeekSignOff.trainee_id,
            WeekSignOff.level,
            func.count(),
            func.sum(_bit_of(WeekSignOff.unit_slug, bits)),
        )
        .where(WeekSignOff.trainee_id.in_(trainees), WeekSignOff.revoked_at.is_(None))
        .group_by(WeekSignOff.trainee_id, WeekSignOff.level)
    )


def written_weeks(trainees, bits: dict[str, int]) -> Select:
    """Per person and level: the weeks with a reflection past draft, as a bit set. Read
    from the index on (trainee_id, status, level, unit_slug) alone."""
    return (
        select(
            Reflection.trainee_id, Reflection.level, func.sum(_bit_of(Reflection.unit_slug, bits))
        )
        .where(Reflection.trainee_id.in_(trainees), Reflection.status != ReflectionStatus.DRAFT)
        .group_by(Reflection.trainee_id, Reflection.level)
    )


def _week_bits(curriculum) -> dict[str, int]:
    """Each mentored week's bit: 1 << its place in its level."""
    return {
        unit.slug: 1 << i
        for level in curriculum.levels
        if level.slug != "level-1"
        for i, unit in enumerate(level.units)
    }


def _bit_of(column, bits: dict[str, int]):
    return case(bits, value=column, else_=0) if bits else literal(0)


def _overdue_weeks(group: MentorGroup, today: date) -> list[tuple[int, object]]:
    """(bit, unit) of the group's weeks open for 14 days or more."""
    overdue = today - timedelta(days=BEHIND_AFTER_DAYS)
    return [
        (1 << i, item.unit)
        for i, item in enumerate(scheduled_units(group, today))
        if item.is_open and item.opens_on <= overdue
    ]


def add_details(rows: list[StaffRow]) -> None:
    """Fill in each week's standing, the sign-offs and the certificates of the rows shown
    (three queries, for those people only)."""
    curriculum = get_curriculum()
    by_id = {row.person.id: row for row in rows}
    ids = list(by_id)
    statuses = db.session.execute(
        select(Reflection.trainee_id, Reflection.unit_slug, Reflection.status).where(
            Reflection.trainee_id.in_(ids)
        )
    )
    # Only the status of each reflection is read: an agency never sees what was written.
    for trainee_id, unit_slug, status in statuses:
        unit = curriculum.unit(unit_slug)
        if unit is not None:
            by_id[trainee_id].weeks[unit.title] = str(status)
    sign_offs = db.session.execute(
        select(WeekSignOff.trainee_id, WeekSignOff.unit_slug, WeekSignOff.signed_at)
        .where(WeekSignOff.trainee_id.in_(ids), WeekSignOff.revoked_at.is_(None))
        .order_by(WeekSignOff.signed_at)
    )
    for trainee_id, unit_slug, when in sign_offs:
        unit = curriculum.unit(unit_slug)
        if unit is not None:
            by_id[trainee_id].sign_offs.append((unit.title, when))
            by_id[trainee_id].weeks[unit.title] = f"signed off {when:%-d %b %Y}"
    for trainee_id, certificate in _certificates(ids):
        by_id[trainee_id].certificates.append(certificate)
    for trainee_id, record in workshop_records(ids).items():
        by_id[trainee_id].workshop = record
    position = _positions(curriculum)
    for row in rows:
        row.weeks = dict(sorted(row.weeks.items(), key=lambda item: position[item[0]]))


def _certificates(trainee_ids) -> list[tuple[int, CertificateRef]]:
    found = db.session.execute(
        select(Certificate.trainee_id, Certificate.level, Certificate.issued_at, Certificate.code)
        .where(Certificate.trainee_id.in_(trainee_ids), Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at)
    )
    return [(trainee_id, CertificateRef(*rest)) for trainee_id, *rest in found]


def _positions(curriculum) -> dict[str, tuple[int, int]]:
    return {
        unit.title: (level.number, unit.order)
        for level in curriculum.levels
        for unit in level.units
    }


def filter_and_sort(
    rows: list[StaffRow],
    cohort=None,
    level=None,
    status=None,
    sort="name",
    period: tuple[date | None, date | None, object] | None = None,
) -> list[StaffRow]:
    """The dashboard's filters (a cohort's public id, level, status, a reporting period:
    since, until and the zone of those dates) and sort order (name, progress, behind),
    over the aggregated rows of the whole agency (so they hold across pages)."""
    if period and (period[0] or period[1]):
        rows = [r for r in rows if r.in_training_during(*period)]
    if cohort:
        rows = [r for r in rows if r.cohort and r.cohort.public_id == cohort]
    if level:
        rows = [r for r in rows if r.level == level]
    if status == "behind":
        rows = [r for r in rows if r.behind]
    elif status:
        rows = [r for r in rows if r.status == status]
    keys = {
        "progress": lambda r: (-r.percent, r.person.name.lower(), r.person.id),
        "behind": lambda r: (-len(r.behind), r.person.name.lower(), r.person.id),
    }
    return sorted(rows, key=keys.get(sort, lambda r: (r.person.name.lower(), r.person.id)))


PER_PAGE = 50


def paginate(rows: list[StaffRow], number: int | None, per_page: int | None = None) -> Page:
    """One page of the filtered, sorted rows (a page past the end shows the last one)."""
    return page_of_list(rows, number, per_page or PER_PAGE)


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
    "Level 1 workshop",
    "workshop first day",
    "workshop days attended",
    "workshop minutes in part-days",
    "reflective consultation hours",
    "certificate codes",
]


def report_csv(rows: list[StaffRow], zone) -> Iterator[str]:
    """The funders' report, one row per person, dates and results, never content.

    The two queries it needs (quizzes passed, certificates, for all rows at once) run
    now; the lines are then produced one at a time, so the response can stream them
    without the app context or the database."""
    quizzes = {u.quiz for u in get_curriculum().level("level-1").units if u.quiz}
    ids = [row.person.id for row in rows]
    passed = passed_quizzes(set(ids)) if ids else {}
    codes: dict[int, list[str]] = {}
    for trainee_id, certificate in _certificates(ids):
        codes.setdefault(trainee_id, []).append(certificate.code)
    workshops = workshop_records(ids)
    return _report_lines(rows, passed, codes, len(quizzes), quizzes, workshops, zone)


def _report_lines(rows, passed, codes, count, quizzes, workshops, zone) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def line(values) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    levels = {level.slug: level.title for level in get_curriculum().levels}
    yield line(REPORT_COLUMNS)
    for row in rows:
        enrolment = row.enrolments.get(row.level)
        workshop = workshops.get(row.person.id)
        yield line([
            row.person.name, row.person.email, row.person.job_title,
            row.cohort.name if row.cohort else "", levels.get(row.level, row.level or ""),
            row.status,
            f"{enrolment.started_at.astimezone(zone):%Y-%m-%d}" if enrolment else "",
            f"{enrolment.completed_at.astimezone(zone):%Y-%m-%d}"
            if enrolment and enrolment.completed_at else "",
            row.signed_off,
            f"{len(passed.get(row.person.id, set()) & quizzes)}/{count} passed",
            workshop.title if workshop else "",
            f"{workshop.first_day:%Y-%m-%d}" if workshop else "",
            f"{workshop.attended}/{workshop.days}" if workshop else "",
            workshop.partial_minutes if workshop else "",
            row.consultation_hours,
            " ".join(codes.get(row.person.id, [])),
        ])  # fmt: skip


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


def move(enrolment: Enrolment, target: Cohort, commit: bool = True) -> Enrolment:
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
    if commit:
        db.session.commit()
    return moved


def deactivate(person: User, actor: User) -> None:
    """A staff member who left: they can no longer sign in, and no invitation still open
    for their address works; their records stay (``reactivate`` undoes it)."""
    audit(actor, "person.deactivate", "user", person.id)
    person.active = False
    person.end_sessions()
    now = utcnow()
    for invitation in db.session.scalars(
        select(Invitation).where(
            Invitation.email == person.email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now
    db.session.commit()


def reactivate(person: User, actor: User) -> None:
    """Undo a deactivation (a mistake, or someone who came back): they sign in with
    their own password again; invitations revoked then stay revoked."""
    audit(actor, "person.reactivate", "user", person.id)
    person.active = True
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
