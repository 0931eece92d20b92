"""Functions that create test data with sensible defaults (``make_user(Role.TRAINEE)``)."""

import itertools

from course.accounts.models import Role
from course.accounts.services import create_user
from course.agencies.models import Agency
from course.extensions import db

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


def complete_level_one(trainee):
    """Pass every Level 1 quiz, as a trainee who finished the workshop would."""
    from course.curriculum.services import get_curriculum
    from quizzes.api import take_quiz

    for unit in get_curriculum().level("level-1").units:
        assert take_quiz(trainee.id, unit.quiz)
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
