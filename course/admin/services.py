"""Read-only overviews for the site admin."""

from sqlalchemy import func, select

from course.accounts.models import User
from course.agencies.models import Agency
from course.extensions import db


def list_agencies() -> list[tuple[Agency, int]]:
    """Return every agency with the number of people who belong to it."""
    rows = db.session.execute(
        select(Agency, func.count(User.id))
        .outerjoin(User, User.agency_id == Agency.id)
        .group_by(Agency.id)
        .order_by(Agency.name)
    )
    return [(agency, count) for agency, count in rows]


def create_agency(name: str) -> Agency:
    """Add an agency; names are unique (case-insensitively)."""
    name = name.strip()
    taken = db.session.scalar(select(Agency.id).where(func.lower(Agency.name) == name.lower()))
    if taken is not None:
        raise ValueError(f"An agency called {name} already exists.")
    agency = Agency(name=name)
    db.session.add(agency)
    db.session.commit()
    return agency
