"""Demo data for Level 1 workshops: one past workshop with attendance taken and Level 1
signed off for all but one person (absent on day 2, waiting for a make-up), and one
upcoming workshop with people from two agencies part-way through the pre-work."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from course.accounts.services import get_user_by_email
from course.agencies.models import Agency
from course.extensions import db
from course.workshops import services as workshops
from course.workshops.models import Mode, Presence, Workshop

MENTOR = "mentor@pfr-center.example.org"
PAST = "Level 1 workshop, October (Portland)"
UPCOMING = "Level 1 workshop, January (online)"
SIGNED_OFF = (
    "jonah@riverbend.example.org",
    "tomasz@riverbend.example.org",
    "rosa@cedarhills.example.org",
)
WAITING_FOR_MAKE_UP = "kofi@cedarhills.example.org"
UPCOMING_SEATS = ("amara@riverbend.example.org", "mei@cedarhills.example.org")
# Before day 1: the foundations; before day 2: the strategies and the planning.
PREWORK = (
    (
        "elements-of-a-healthy-relationship",
        "attachment-and-secure-relationships",
        "reflective-capacity",
    ),
    (
        "development-of-self",
        "consultation-strategies",
        "challenging-behaviors",
        "intervention-planning",
    ),
)


def seed_workshops() -> None:
    if db.session.scalar(select(Workshop.id).where(Workshop.title == PAST)) is not None:
        return
    trainer = get_user_by_email(MENTOR)
    agency_ids = set(db.session.scalars(select(Agency.id)))
    past = _workshop(trainer, PAST, date.today() - timedelta(days=60), agency_ids, Mode.IN_PERSON)
    people = [get_user_by_email(email) for email in (*SIGNED_OFF, WAITING_FOR_MAKE_UP)]
    workshops.enrol(trainer, past, people)
    for person in people:
        for number, session in enumerate(past.sessions, 1):
            absent = person.email == WAITING_FOR_MAKE_UP and number == 2
            presence = Presence.ABSENT if absent else Presence.PRESENT
            workshops.record_attendance(trainer, session, person.id, presence)
        if person.email != WAITING_FOR_MAKE_UP:
            workshops.sign_off_level_one(trainer, past, person)
    past.notes = (
        "Kofi missed day 2 (a family emergency). Offer the make-up with the January "
        "group's day 2, then sign off."
    )
    db.session.commit()

    upcoming = _workshop(
        trainer, UPCOMING, date.today() + timedelta(days=20), agency_ids, Mode.ONLINE
    )
    workshops.enrol(trainer, upcoming, [get_user_by_email(email) for email in UPCOMING_SEATS])


def _workshop(trainer, title, first_day, agency_ids, mode) -> Workshop:
    plan = workshops.WorkshopPlan(
        title=title,
        mode=mode,
        capacity=16,
        time_zone="America/Los_Angeles",
        sessions=[
            workshops.SessionPlan(
                first_day + timedelta(days=n),
                time(9),
                time(15, 30),
                PREWORK[n],
            )
            for n in range(2)
        ],
        trainer_ids={trainer.id},
        agency_ids=agency_ids,
        meeting_link="https://meet.example.org/pfr-level-1-january" if mode == Mode.ONLINE else "",
        address="Riverbend Family Services, training room B, 410 Alder Street, Portland, OR 97204"
        if mode == Mode.IN_PERSON
        else "",
    )
    return workshops.save_workshop(trainer, plan)
