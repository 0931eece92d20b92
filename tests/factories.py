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
