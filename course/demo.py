"""Demo data for ``flask course seed-demo``: every role, with work in progress to look at.

Idempotent: people are found by email and progress is only written for a trainee
who has none, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from course.accounts.models import Role, User
from course.accounts.services import create_user, get_user_by_email
from course.agencies.models import Agency, Cohort
from course.agencies.services import deactivate, reactivate
from course.audit.models import AuditEvent
from course.curriculum.services import get_curriculum
from course.demo_mentoring import seed_mentoring
from course.demo_quizzes import seed_open_answers
from course.demo_workshops import seed_workshops
from course.extensions import db
from course.learning import services as learning
from course.learning.models import Enrolment
from course.notifications.models import Topic
from quizzes.api import take_quiz

DEMO_PASSWORD = "first-relationships-demo"  # noqa: S105 (printed for the demo on purpose)

RIVERBEND = "Riverbend Family Services"
CEDAR_HILLS = "Cedar Hills Early Learning Network"

# email, name, roles, agency, Level 1 modules done, modules opened but not done, note
PEOPLE = [
    (
        "siteadmin@pfr-center.example.org",
        "Ruth Okafor",
        [Role.SITE_ADMIN],
        None,
        0,
        0,
        "site admin: agencies, people, invitations",
    ),
    (
        "mentor@pfr-center.example.org",
        "Graham Lindqvist",
        [Role.MASTER_TRAINER],
        None,
        0,
        0,
        "master trainer",
    ),
    (
        "agency.trainer@riverbend.example.org",
        "Pilar Esquivel",
        [Role.AGENCY_TRAINER],
        RIVERBEND,
        0,
        0,
        "agency trainer, Riverbend",
    ),
    (
        "admin@riverbend.example.org",
        "Howard Baptiste",
        [Role.AGENCY_ADMIN],
        RIVERBEND,
        0,
        0,
        "agency admin, Riverbend",
    ),
    (
        "admin@cedarhills.example.org",
        "Yvonne Marchetti",
        [Role.AGENCY_ADMIN],
        CEDAR_HILLS,
        0,
        0,
        "agency admin, Cedar Hills",
    ),
    (
        "amara@riverbend.example.org",
        "Amara Nwosu",
        [Role.TRAINEE],
        RIVERBEND,
        3,
        1,
        "trainee, Riverbend: Level 1 in progress, open answers replied to, to revisit, waiting",
    ),
    (
        "jonah@riverbend.example.org",
        "Jonah Whitfield",
        [Role.TRAINEE],
        RIVERBEND,
        7,
        0,
        "trainee, Riverbend: Level 2, a reflection waiting for review",
    ),
    (
        "lucia@riverbend.example.org",
        "Lucia Ferreira",
        [Role.TRAINEE],
        RIVERBEND,
        0,
        0,
        "trainee, Riverbend: not started",
    ),
    (
        "mei@cedarhills.example.org",
        "Mei Tanaka",
        [Role.TRAINEE],
        CEDAR_HILLS,
        1,
        1,
        "trainee, Cedar Hills: Level 1 begun",
    ),
    (
        "tomasz@riverbend.example.org",
        "Tomasz Wilk",
        [Role.TRAINEE],
        RIVERBEND,
        7,
        0,
        "trainee, Riverbend: Level 2 with Jonah (a returned reflection)",
    ),
    (
        "kofi@cedarhills.example.org",
        "Kofi Mensah",
        [Role.TRAINEE],
        CEDAR_HILLS,
        7,
        0,
        "trainee, Cedar Hills: missed day 2 of the October workshop, waiting for a make-up",
    ),
    (
        "rosa@cedarhills.example.org",
        "Rosa Delgado",
        [Role.TRAINEE],
        CEDAR_HILLS,
        7,
        0,
        "trainee, Cedar Hills: Level 2 certificate, invited to Level 3",
    ),
]


def seed() -> list[tuple[str, str, str]]:
    """Create the demo site; return (email, roles, note) for each demo account."""
    agencies = {name: _agency(name) for name in (RIVERBEND, CEDAR_HILLS)}
    cohorts = {
        name: _cohort(agency, "level-1", f"{name.split()[0]} Level 1, winter")
        for name, agency in agencies.items()
    }
    printed = []
    for email, name, roles, agency_name, done, opened, note in PEOPLE:
        agency = agencies.get(agency_name)
        user = get_user_by_email(email) or create_user(
            email, name, DEMO_PASSWORD, roles=roles, agency=agency
        )
        if Role.TRAINEE in roles and _has_no_enrolment(user):
            _give_progress(user, cohorts[agency_name], done, opened)
        printed.append((email, ", ".join(role.value for role in roles), note))
    seed_workshops()  # Level 1 signed off for the Level 2 people, before their groups
    seed_mentoring()
    seed_open_answers()
    _everyday_settings(agencies)
    return printed


def _everyday_settings(agencies: dict[str, Agency]) -> None:
    """What people set for themselves: an agency's time zone, a muted email topic, and a
    deactivation undone (both in the audit log)."""
    agencies[CEDAR_HILLS].time_zone = "America/Denver"  # its staff read Mountain time
    mei = get_user_by_email("mei@cedarhills.example.org")
    mei.email_muted = [Topic.SCHEDULE.value]  # week and workshop news on the site only
    lucia = get_user_by_email("lucia@riverbend.example.org")
    admin = get_user_by_email("admin@riverbend.example.org")
    undone = select(AuditEvent.id).where(
        AuditEvent.action == "person.reactivate", AuditEvent.object_id == str(lucia.id)
    )
    if admin is not None and db.session.scalar(undone) is None:
        deactivate(lucia, admin)  # a slip on the staff page, put right at once
        reactivate(lucia, admin)
    db.session.commit()


def _agency(name: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name)
        db.session.add(agency)
        db.session.commit()
    return agency


def _cohort(agency: Agency, level: str, name: str) -> Cohort:
    cohort = db.session.scalar(
        select(Cohort).where(Cohort.agency_id == agency.id, Cohort.name == name)
    )
    if cohort is None:
        start = date.today() - timedelta(days=21)
        cohort = Cohort(agency=agency, level=level, name=name, start_date=start)
        db.session.add(cohort)
        db.session.commit()
    return cohort


def _has_no_enrolment(user: User) -> bool:
    return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id)) is None


def _give_progress(user: User, cohort: Cohort, done: int, opened: int) -> None:
    """Open ``done + opened`` modules; pass the quizzes of the first ``done``.

    Passing a module's quiz completes the module. The first quiz is failed once
    before it is passed, so there is a retake to see.
    """
    learning.enrol(user, "level-1", cohort=cohort)
    units = get_curriculum().level("level-1").units
    for number, unit in enumerate(units[: done + opened]):
        learning.record_visit(user, unit)
        if number < done:
            if number == 0:
                take_quiz(user.id, unit.quiz, correct=False)
            take_quiz(user.id, unit.quiz)
