"""What an agency admin sees of their staff: status, dates and sign-offs, never content."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from course.accounts.models import Invitation, Role, User
from course.agencies.models import Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.mentoring.models import Certificate, MentorGroup, MentorGroupMember, WeekSignOff
from course.reflections.models import Reflection
from course.timeutil import utcnow


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


def staff_progress(agency_id: int) -> list[StaffRow]:
    """Every trainee of the agency with their progress, in a fixed number of queries."""
    people = list(
        db.session.scalars(select(User).where(User.agency_id == agency_id).order_by(User.name))
    )
    rows = {p.id: StaffRow(p) for p in people if p.has_role(Role.TRAINEE)}
    ids = set(rows)
    curriculum = get_curriculum()
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.user_id.in_(ids))):
        if enrolment.status != EnrolmentStatus.WITHDRAWN:
            rows[enrolment.user_id].enrolments[enrolment.level] = enrolment
    done = db.session.execute(
        select(Enrolment.user_id, UnitProgress.unit_slug)
        .join(UnitProgress)
        .where(
            Enrolment.user_id.in_(ids),
            Enrolment.level == "level-1",
            UnitProgress.status == UnitStatus.COMPLETE,
        )
    )
    for user_id, _ in done:
        rows[user_id].level_one_done += 1
    groups = db.session.execute(
        select(MentorGroupMember.trainee_id, MentorGroup)
        .join(MentorGroup)
        .where(MentorGroupMember.trainee_id.in_(ids))
        .order_by(MentorGroup.id)
    )
    for trainee_id, group in groups:
        rows[trainee_id].group = group  # the latest group wins
    sign_offs = db.session.scalars(
        select(WeekSignOff)
        .where(WeekSignOff.trainee_id.in_(ids), WeekSignOff.revoked_at.is_(None))
        .order_by(WeekSignOff.signed_at)
    )
    for sign_off in sign_offs:
        unit = curriculum.unit(sign_off.unit_slug)
        rows[sign_off.trainee_id].sign_offs.append((unit.title, sign_off.signed_at))
    # Only the status of each reflection is read: an agency never sees what was written.
    statuses = db.session.execute(
        select(Reflection.trainee_id, Reflection.unit_slug, Reflection.status).where(
            Reflection.trainee_id.in_(ids)
        )
    )
    for trainee_id, unit_slug, status in statuses:
        rows[trainee_id].weeks[curriculum.unit(unit_slug).title] = str(status)
    position = {
        unit.title: (level.number, unit.order)
        for level in curriculum.levels
        for unit in level.units
    }
    for row in rows.values():
        for title, when in row.sign_offs:
            row.weeks[title] = f"signed off {when:%-d %b %Y}"
        row.weeks = dict(sorted(row.weeks.items(), key=lambda item: position[item[0]]))
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.trainee_id.in_(ids), Certificate.revoked_at.is_(None))
    )
    for certificate in certificates:
        rows[certificate.trainee_id].certificates.append(certificate)
    return list(rows.values())


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
