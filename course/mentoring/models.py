"""Mentor groups: one mentor with one or two trainees, for a level, from a start date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.timeutil import UTCDateTime, utcnow


class MentorGroup(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(40))  # a level slug from content/
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship()  # noqa: F821
    members: Mapped[list[MentorGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def trainee_ids(self) -> set[int]:
        return {member.trainee_id for member in self.members}

    def __repr__(self) -> str:
        return f"<MentorGroup {self.id} {self.level} mentor={self.mentor_id}>"


class MentorGroupMember(db.Model):
    __table_args__ = (UniqueConstraint("group_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mentor_group.id", ondelete="CASCADE"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    group: Mapped[MentorGroup] = relationship(back_populates="members")
    trainee: Mapped[User] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<MentorGroupMember group={self.group_id} trainee={self.trainee_id}>"
