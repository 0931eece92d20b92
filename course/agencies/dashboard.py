"""The agency dashboard's rows: staff progress read from the maintained summary
(``course.progress``), filtered, sorted and paged in the database; dates, statuses and
sign-offs only, never what anyone wrote."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from defusedcsv import csv  # cells starting =, +, -, @ cannot run as formulas
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased

from course.accounts.models import Role, User, UserRole
from course.agencies.models import Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.mentoring.models import Certificate, MentorGroup, WeekSignOff
from course.mentoring.services import scheduled_units
from course.paging import Page, page_of_query
from course.progress.models import LevelProgress
from course.progress.services import BEHIND_AFTER_DAYS, behind_cutoff
from course.progress.summary import LEVEL_ONE, GroupSchedule, group_schedules, overdue_weeks
from course.reflections.models import Reflection
from course.timeutil import today as utc_today
from course.workshops.services import WorkshopRecord, workshop_records
from quizzes.api import passed_quizzes

PER_PAGE = 50


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
class GroupRef:
    id: int
    level: str
    start_date: date


@dataclass(frozen=True)
class WeekStanding:
    """Where one week stands: a reflection's status, when it was signed off, or (nothing
    written yet) the day it opened or opens."""

    status: str
    signed_at: datetime | None = None
    opens_on: date | None = None


@dataclass(frozen=True)
class CertificateRef:
    level: str
    issued_at: datetime
    code: str


@dataclass
class StaffRow:
    """One person, at the level they are in now (their latest group's, else Level 1)."""

    person: Person
    level: str
    enrolment_status: str | None
    started_at: datetime | None
    completed_at: datetime | None
    cohort: CohortRef | None
    group: GroupRef | None
    mentor_name: str
    done: int  # modules done (Level 1) or weeks signed off (a mentored level)
    total: int
    percent: int
    dealt_with: int  # the level's weeks signed off or submitted, as a bit set
    behind_since: date | None
    last_activity_at: datetime | None
    signed_off: int  # standing sign-offs, every level
    consultation_hours: float  # every level
    # Filled by add_details, for the rows shown only:
    behind: list[str] = field(default_factory=list)  # weeks open 14+ days, nothing submitted
    sign_offs: list[tuple[str, datetime]] = field(default_factory=list)  # (unit title, when)
    certificates: list[CertificateRef] = field(default_factory=list)
    weeks: dict[str, WeekStanding] = field(default_factory=dict)  # by the week's title
    workshop: WorkshopRecord | None = None  # the latest Level 1 workshop, with attendance

    @property
    def status(self) -> str:
        if not self.person.active:
            return "left"
        return self.enrolment_status or "not started"


@dataclass(frozen=True)
class StaffFilters:
    """The dashboard's filters (a cohort's public id, a level, a status, a reporting
    period: since and until, dates in ``zone``) and sort order (name, progress, behind)."""

    cohort: str | None = None
    level: str | None = None
    status: str | None = None
    sort: str = "name"
    since: date | None = None
    until: date | None = None
    zone: object = None


def staff_page(agency_id: int, filters: StaffFilters, number: int | None) -> Page[StaffRow]:
    """One page of the agency's matching staff (two queries: a count and 50 rows)."""
    page = page_of_query(_matching(agency_id, filters), number, PER_PAGE, rows=True)
    return Page(_rows(page.items), page.number, page.pages, page.total, PER_PAGE)


def staff_rows(agency_id: int, filters: StaffFilters) -> list[StaffRow]:
    """Everyone who matches (the printable page and the funders' report)."""
    return _rows(db.session.execute(_matching(agency_id, filters)).all())


def person_row(person: User) -> StaffRow | None:
    """One trainee's row with every detail (their page of the dashboard); None for
    someone who is not an agency's trainee."""
    found = db.session.execute(_matching(person.agency_id, StaffFilters(), person.id))
    columns = found.one_or_none()
    if columns is None:
        return None
    [row] = _rows([columns])
    schedules = add_details([row], weeks=True)
    if row.group is not None:  # every week of their level, the untouched ones too
        for item in scheduled_units(schedules[row.group.id]):
            if item.unit.title not in row.weeks:
                status = "open" if item.is_open else "not open yet"
                row.weeks[item.unit.title] = WeekStanding(status, opens_on=item.opens_on)
        row.weeks = _in_curriculum_order(row.weeks, get_curriculum())
    return row


def levels_of(person: User) -> list[LevelProgress]:
    """Each level the person has started, in the curriculum's order."""
    order = {level.slug: level.number for level in get_curriculum().levels}
    found = db.session.scalars(select(LevelProgress).where(LevelProgress.trainee_id == person.id))
    return sorted(found, key=lambda row: order.get(row.level, 99))


@cache
def _staff_columns() -> Select:
    """The dashboard's columns and joins, built once per process (a select of 25 columns
    costs more to build than the database takes to answer it)."""
    progress, mentor = LevelProgress, aliased(User)
    return (
        select(
            User.id,
            User.public_id,
            User.name,
            User.email,
            User.job_title,
            User.active,
            func.coalesce(progress.level, LEVEL_ONE),
            progress.enrolment_status,
            progress.started_at,
            progress.completed_at,
            Cohort.id,
            Cohort.public_id,
            Cohort.name,
            MentorGroup.id,
            MentorGroup.level,
            MentorGroup.start_date,
            mentor.name,
            func.coalesce(progress.done, 0),
            progress.total,  # None without a row: Level 1's, filled in by _row
            func.coalesce(progress.percent, 0),
            func.coalesce(progress.dealt_with, 0),
            progress.behind_since,
            progress.last_activity_at,
        )
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.TRAINEE))
        .outerjoin(progress, and_(progress.trainee_id == User.id, progress.current))
        .outerjoin(Cohort, Cohort.id == progress.cohort_id)
        .outerjoin(MentorGroup, MentorGroup.id == progress.group_id)
        .outerjoin(mentor, mentor.id == MentorGroup.mentor_id)
    )


def _matching(agency_id: int, filters: StaffFilters, person_id: int | None = None) -> Select:
    """The agency's trainees, each joined to their current summary row, filtered and
    sorted on the summary's columns."""
    progress = LevelProgress
    level = func.coalesce(progress.level, LEVEL_ONE)
    query = _staff_columns().where(User.agency_id == agency_id)
    if person_id is not None:
        query = query.where(User.id == person_id)
    if filters.since or filters.until:
        query = query.where(progress.started_at.is_not(None))
        if filters.until:
            query = query.where(
                progress.started_at < _midnight(filters.until + timedelta(1), filters.zone)
            )
        if filters.since:
            starts = _midnight(filters.since, filters.zone)
            query = query.where(
                (progress.completed_at.is_(None)) | (progress.completed_at >= starts)
            )
    if filters.cohort:
        query = query.where(Cohort.public_id == filters.cohort)
    if filters.level:
        query = query.where(level == filters.level)
    if filters.status == "behind":
        query = query.where(progress.behind_since <= behind_cutoff())
    elif filters.status == "left":
        query = query.where(User.active.is_(False))
    elif filters.status == "not started":
        query = query.where(User.active.is_(True), progress.enrolment_status.is_(None))
    elif filters.status:
        query = query.where(User.active.is_(True), progress.enrolment_status == filters.status)
    by_name = (func.lower(User.name), User.id)
    order = {
        "progress": (func.coalesce(progress.percent, 0).desc(), *by_name),
        # The longest behind first: the earliest week not dealt with; nobody behind last.
        "behind": (progress.behind_since.is_(None), progress.behind_since, *by_name),
    }
    return query.order_by(*order.get(filters.sort, by_name))


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time(), zone or UTC)


def _rows(found) -> list[StaffRow]:
    """The rows of these people, with their weeks signed off and meeting hours summed
    over every level (one more query, for them only)."""
    ids = [columns[0] for columns in found]
    totals = (
        {
            person: (int(signed), int(minutes))
            for person, signed, minutes in db.session.execute(
                select(
                    LevelProgress.trainee_id,
                    func.sum(case((LevelProgress.level != LEVEL_ONE, LevelProgress.done), else_=0)),
                    func.sum(LevelProgress.meeting_minutes),
                )
                .where(LevelProgress.trainee_id.in_(ids))
                .group_by(LevelProgress.trainee_id)
            )
        }
        if ids
        else {}
    )
    return [_row(columns, *totals.get(columns[0], (0, 0))) for columns in found]


def _row(r, signed_off: int, minutes: int) -> StaffRow:
    (
        person_id, public_id, name, email, job_title, active, level, status, started,
        completed, cohort_id, cohort_public_id, cohort_name, group_id, group_level,
        group_start, mentor_name, done, total, percent, dealt_with, behind_since,
        last_activity,
    ) = r  # fmt: skip
    return StaffRow(
        person=Person(person_id, public_id, name, email, job_title, active),
        level=level,
        enrolment_status=status,
        started_at=started,
        completed_at=completed,
        cohort=CohortRef(cohort_id, cohort_public_id, cohort_name) if cohort_id else None,
        group=GroupRef(group_id, group_level, group_start) if group_id else None,
        mentor_name=mentor_name or "",
        done=done,
        total=total if total is not None else len(get_curriculum().level(LEVEL_ONE).units),
        percent=percent,
        dealt_with=int(dealt_with),
        behind_since=behind_since,
        last_activity_at=last_activity,
        signed_off=signed_off,
        consultation_hours=round(minutes / 60, 1),
    )


def add_details(
    rows: list[StaffRow], today: date | None = None, weeks: bool = False
) -> dict[int, GroupSchedule]:
    """Fill in the weeks each person is behind on, their certificates and workshop, and
    with ``weeks`` each week's standing and the sign-offs (for those people only: a page
    of the list leaves the week by week to each person's page). Return the schedules of
    their groups, read on the way."""
    if not rows:
        return {}
    today = today or utc_today()
    curriculum = get_curriculum()
    by_id = {row.person.id: row for row in rows}
    ids = list(by_id)
    connection = db.session.connection()
    schedules = group_schedules(connection, {row.group.id for row in rows if row.group})
    for row in rows:
        if row.group is not None and row.behind_since and row.behind_since <= behind_cutoff(today):
            late = overdue_weeks(schedules[row.group.id], row.dealt_with, today, BEHIND_AFTER_DAYS)
            row.behind = [unit.title for unit in late]
    for trainee_id, certificate in _certificates(ids):
        by_id[trainee_id].certificates.append(certificate)
    for trainee_id, record in workshop_records(ids).items():
        by_id[trainee_id].workshop = record
    if weeks:
        _add_weeks(by_id, curriculum)
    return schedules


def _add_weeks(by_id: dict[int, StaffRow], curriculum) -> None:
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
            by_id[trainee_id].weeks[unit.title] = WeekStanding(str(status))
    sign_offs = db.session.execute(
        select(WeekSignOff.trainee_id, WeekSignOff.unit_slug, WeekSignOff.signed_at)
        .where(WeekSignOff.trainee_id.in_(ids), WeekSignOff.revoked_at.is_(None))
        .order_by(WeekSignOff.signed_at)
    )
    for trainee_id, unit_slug, when in sign_offs:
        unit = curriculum.unit(unit_slug)
        if unit is not None:
            by_id[trainee_id].sign_offs.append((unit.title, when))
            by_id[trainee_id].weeks[unit.title] = WeekStanding("signed off", when)
    for row in by_id.values():
        row.weeks = _in_curriculum_order(row.weeks, curriculum)


def _in_curriculum_order(weeks: dict[str, WeekStanding], curriculum) -> dict[str, WeekStanding]:
    position = {
        unit.title: (level.number, unit.order)
        for level in curriculum.levels
        for unit in level.units
    }
    return dict(sorted(weeks.items(), key=lambda item: position[item[0]]))


def _certificates(trainee_ids) -> list[tuple[int, CertificateRef]]:
    found = db.session.execute(
        select(Certificate.trainee_id, Certificate.level, Certificate.issued_at, Certificate.code)
        .where(Certificate.trainee_id.in_(trainee_ids), Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at)
    )
    return [(trainee_id, CertificateRef(*rest)) for trainee_id, *rest in found]


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

    The queries it needs (quizzes passed, certificates, workshops, for all rows at once)
    run now; the lines are then produced one at a time, so the response can stream them
    without the app context or the database."""
    quizzes = {u.quiz for u in get_curriculum().level(LEVEL_ONE).units if u.quiz}
    ids = [row.person.id for row in rows]
    passed = passed_quizzes(set(ids)) if ids else {}
    codes: dict[int, list[str]] = {}
    for trainee_id, certificate in _certificates(ids):
        codes.setdefault(trainee_id, []).append(certificate.code)
    workshops = workshop_records(ids)
    levels = {level.slug: level.title for level in get_curriculum().levels}
    return _report_lines(rows, passed, codes, quizzes, workshops, levels, zone)


def _report_lines(rows, passed, codes, quizzes, workshops, levels, zone) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def line(values) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    yield line(REPORT_COLUMNS)
    for row in rows:
        workshop = workshops.get(row.person.id)
        yield line([
            row.person.name, row.person.email, row.person.job_title,
            row.cohort.name if row.cohort else "", levels.get(row.level, row.level),
            row.status,
            f"{row.started_at.astimezone(zone):%Y-%m-%d}" if row.started_at else "",
            f"{row.completed_at.astimezone(zone):%Y-%m-%d}" if row.completed_at else "",
            row.signed_off,
            f"{len(passed.get(row.person.id, set()) & quizzes)}/{len(quizzes)} passed",
            workshop.title if workshop else "",
            f"{workshop.first_day:%Y-%m-%d}" if workshop else "",
            f"{workshop.attended}/{workshop.days}" if workshop else "",
            workshop.partial_minutes if workshop else "",
            row.consultation_hours,
            " ".join(codes.get(row.person.id, [])),
        ])  # fmt: skip
