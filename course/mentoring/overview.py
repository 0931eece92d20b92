"""The mentor dashboard's groups: a page of them, each trainee with where they stand
(from the progress summary), read as columns in three statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from course.accounts.models import User
from course.extensions import db
from course.mentoring.models import MentorGroup, MentorGroupMember
from course.paging import Page, page_of_query
from course.progress.services import Standing, standings

GROUPS_PER_PAGE = 50


@dataclass(frozen=True)
class TraineeLine:
    id: int
    name: str
    standing: Standing | None


@dataclass
class GroupLine:
    id: int
    public_id: str
    level: str
    start_date: date
    paused_at: datetime | None
    trainees: list[TraineeLine] = field(default_factory=list)


def page_of_groups(mentor: User, number: int | None) -> Page[GroupLine]:
    """One page of the mentor's groups, the latest started first."""
    query = (
        select(
            MentorGroup.id,
            MentorGroup.public_id,
            MentorGroup.level,
            MentorGroup.start_date,
            MentorGroup.paused_at,
        )
        .where(MentorGroup.mentor_id == mentor.id)
        .order_by(MentorGroup.start_date.desc(), MentorGroup.id.desc())
    )
    page = page_of_query(query, number, GROUPS_PER_PAGE, rows=True)
    groups = {row.id: GroupLine(*row) for row in page.items}
    members = db.session.execute(
        select(MentorGroupMember.group_id, User.id, User.name)
        .join(User, User.id == MentorGroupMember.trainee_id)
        .where(MentorGroupMember.group_id.in_(groups))
        .order_by(MentorGroupMember.id)
    ).all()
    where = standings((person, groups[group_id].level) for group_id, person, _ in members)
    for group_id, person, name in members:
        group = groups[group_id]
        group.trainees.append(TraineeLine(person, name, where.get((person, group.level))))
    return Page(list(groups.values()), page.number, page.pages, page.total, page.per_page)
