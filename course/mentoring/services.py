"""Mentor groups and who mentors whom. # TODO(#4): forming groups, weeks, sign-offs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from course.accounts.models import User
from course.extensions import db
from course.mentoring.models import MentorGroup, MentorGroupMember


def is_mentor_of(mentor: User, trainee_id: int) -> bool:
    """True when ``mentor`` mentors a group that ``trainee_id`` belongs to."""
    return (
        db.session.scalar(
            select(MentorGroupMember.id)
            .join(MentorGroup)
            .where(MentorGroup.mentor_id == mentor.id, MentorGroupMember.trainee_id == trainee_id)
            .limit(1)
        )
        is not None
    )


def form_group(mentor: User, trainees: list[User], level: str, start_date: date) -> MentorGroup:
    """Create a mentor group of one or two trainees."""
    if not 1 <= len(trainees) <= 2:
        raise ValueError("a mentor group has one or two trainees")
    group = MentorGroup(
        mentor=mentor,
        level=level,
        start_date=start_date,
        agency_id=trainees[0].agency_id,
        members=[MentorGroupMember(trainee=trainee) for trainee in trainees],
    )
    db.session.add(group)
    db.session.commit()
    return group
