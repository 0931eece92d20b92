"""Functions that create test data with sensible defaults (``make_user(Role.TRAINEE)``)."""

import itertools

from course.accounts.models import Role
from course.accounts.services import create_user
from course.agencies.models import Agency
from course.extensions import db
from course.reflections.services import MIN_REFLECTION_WORDS

PASSWORD = "a-long-test-password"
_counter = itertools.count(1)


def make_agency(name: str | None = None) -> Agency:
    agency = Agency(name=name or f"Agency {next(_counter)}")
    db.session.add(agency)
    db.session.commit()
    return agency


def make_user(*roles: Role, agency: Agency | None = None, email: str | None = None, name=None):
    n = next(_counter)
    roles = roles or (Role.TRAINEE,)
    if agency is None and any(r in (Role.AGENCY_ADMIN, Role.AGENCY_TRAINER) for r in roles):
        agency = make_agency()
    return create_user(
        email or f"person{n}@example.org",
        name or f"Person {n}",
        PASSWORD,
        roles=roles,
        agency=agency,
    )


def make_trainee(**kwargs):
    return make_user(Role.TRAINEE, **kwargs)


def make_site_admin(**kwargs):
    return make_user(Role.SITE_ADMIN, **kwargs)


def make_workshop(trainer=None, agencies=(), starts_in_days=-3, capacity=20, days=2):
    """A Level 1 workshop set up through the service, online, 9 to 4 in Chicago each
    day; by default its days have passed (attendance can be taken)."""
    from datetime import date, time, timedelta

    from course.workshops.models import Mode
    from course.workshops.services import SessionPlan, WorkshopPlan, save_workshop

    trainer = trainer or make_user(Role.MASTER_TRAINER)
    agencies = list(agencies) or [make_agency()]
    first = date.today() + timedelta(days=starts_in_days)
    plan = WorkshopPlan(
        title=f"Level 1 workshop {next(_counter)}",
        mode=Mode.ONLINE,
        capacity=capacity,
        time_zone="America/Chicago",
        sessions=[
            SessionPlan(first + timedelta(days=n), time(9), time(16), ()) for n in range(days)
        ],
        trainer_ids={trainer.id},
        agency_ids={agency.id for agency in agencies},
        meeting_link="https://meet.example.org/pfr-level-1",
    )
    return save_workshop(trainer, plan)


def complete_level_one(trainee):
    """As a trainee who finished the workshop: every Level 1 quiz passed, every day of
    a past workshop attended, and Level 1 signed off by its Master Trainer."""
    from course.curriculum.services import get_curriculum
    from course.workshops import services as workshops
    from course.workshops.models import Presence
    from quizzes.api import take_quiz

    for unit in get_curriculum().level("level-1").units:
        assert take_quiz(trainee.id, unit.quiz)
    if trainee.agency_id is None:
        trainee.agency = make_agency()
        db.session.commit()
    workshop = make_workshop(agencies=[trainee.agency])
    (trainer,) = [link.trainer for link in workshop.trainer_links]
    workshops.enrol(trainer, workshop, [trainee])
    for session in workshop.sessions:
        workshops.record_attendance(trainer, session, trainee.id, Presence.PRESENT)
    workshops.sign_off_level_one(trainer, workshop, trainee)
    return trainee


def make_level_two_trainee(agency=None, **kwargs):
    """A trainee who has completed Level 1, ready for a Level 2 group."""
    return complete_level_one(make_trainee(agency=agency or make_agency(), **kwargs))


def make_group(mentor=None, trainees=None, level="level-2", start_date=None, actor=None):
    """Form a mentor group through the service (prerequisites are met for Level 2)."""
    from datetime import date, timedelta

    from course.mentoring.services import form_group

    trainees = trainees or [make_level_two_trainee()]
    mentor = mentor or make_user(Role.MASTER_TRAINER)
    actor = actor or make_site_admin()
    start_date = start_date or date.today() - timedelta(days=1)
    return form_group(actor, mentor, trainees, level, start_date)


def make_level_one_graduate(agency=None, **kwargs):
    """A trainee whose Level 1 is recorded complete directly (passing the seven quizzes
    is slower; make_level_two_trainee takes that real path)."""
    from course.learning import services as learning
    from course.learning.models import EnrolmentStatus
    from course.timeutil import utcnow

    trainee = make_trainee(agency=agency or make_agency(), **kwargs)
    enrolment = learning.enrol(trainee, "level-1")
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = utcnow()
    db.session.commit()
    return trainee


def mail_to(app, user):
    """The emails sent to ``user`` so far (the memory mail backend's outbox)."""
    from course.notifications.mail import OUTBOX_KEY

    return [m for m in app.extensions.get(OUTBOX_KEY, []) if m["To"] == user.email]


# -- the curriculum, for tests that walk through weeks ---------------------------------

# A reflection long enough to submit (tests/course/test_reflections.py has its own, marked).
LONG_BODY = (
    "In the feeding film the mother lowered the bottle when her son turned toward the "
    "window and kicked both legs. She waited with the bottle resting on her knee until he "
    "looked back at her face, then she smiled and offered it again. I noticed that I wanted "
    "to explain what he felt before I had described what he did."
)
assert len(LONG_BODY.split()) >= MIN_REFLECTION_WORDS


def units_of(level):
    from course.curriculum.services import get_curriculum

    return get_curriculum().level(level).units


def week(level, n):
    """The level's n-th unit (week n of a mentored level)."""
    return units_of(level)[n - 1]


def answers_for(unit, marker=""):
    """An answer to each of the week's reflection prompts."""
    return [f"{marker}Answer {n}." for n in range(1, len(unit.reflection_prompts) + 1)]


def full_scores(score=3):
    """Every rubric criterion scored alike."""
    from course.curriculum.services import get_curriculum

    return {criterion.slug: score for criterion in get_curriculum().rubric}
