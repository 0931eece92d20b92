"""The trainer's view of a workshop: each person's pre-work, attendance and sign-off,
and the open observation answers they wrote (to discuss on the day)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from course.accounts.models import User
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.mentoring.models import Certificate
from course.workshops import services
from course.workshops.models import Attendance, Workshop, WorkshopSeat
from quizzes.api import OpenAnswer, open_answers_of, passed_quizzes


@dataclass(frozen=True)
class RosterRow:
    seat: WorkshopSeat
    trainee: User
    modules_done: int
    modules_total: int
    attendance: dict[int, Attendance]  # session id -> record
    missing: list[str]  # what the sign-off still needs
    certificate: Certificate | None


def roster(workshop: Workshop) -> list[RosterRow]:
    """Everyone with a place, by name: a fixed number of queries however many people."""
    seats = services.seats(workshop)
    ids = {seat.trainee_id for seat in seats}
    attendance = services.attendance_of(workshop)
    passed = passed_quizzes(ids) if ids else {}
    done = _modules_done(ids)
    certificates = {
        c.trainee_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.trainee_id.in_(ids),
                Certificate.level == services.LEVEL,
                Certificate.revoked_at.is_(None),
            )
        )
    }
    total = len(get_curriculum().level(services.LEVEL).units)
    rows = [
        RosterRow(
            seat=seat,
            trainee=seat.trainee,
            modules_done=done.get(seat.trainee_id, 0),
            modules_total=total,
            attendance={
                s.id: attendance[(s.id, seat.trainee_id)]
                for s in workshop.sessions
                if (s.id, seat.trainee_id) in attendance
            },
            missing=services.sign_off_missing(
                workshop, seat.trainee_id, attendance, passed.get(seat.trainee_id, set())
            ),
            certificate=certificates.get(seat.trainee_id),
        )
        for seat in seats
    ]
    return sorted(rows, key=lambda row: row.trainee.name.casefold())


def _modules_done(ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.user_id, func.count(func.distinct(UnitProgress.unit_slug)))
        .join(UnitProgress, UnitProgress.enrolment_id == Enrolment.id)
        .where(
            Enrolment.user_id.in_(ids),
            Enrolment.level == services.LEVEL,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
            UnitProgress.status == UnitStatus.COMPLETE,
        )
        .group_by(Enrolment.user_id)
    )
    return dict(rows.all())


def open_answers(workshop: Workshop) -> list[tuple[User, OpenAnswer]]:
    seats = {seat.trainee_id: seat.trainee for seat in services.seats(workshop)}
    return [(seats[a.user_id], a) for a in open_answers_of(set(seats))]
