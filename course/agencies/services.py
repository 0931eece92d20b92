"""An agency's cohorts, enrolments, staff accounts and invitations (the dashboard's
rows are in ``course.agencies.dashboard``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from course.accounts.models import Invitation, User
from course.agencies.models import Cohort
from course.audit.services import record as audit
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus
from course.timeutil import utcnow


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
