"""Mentor groups and what mentors record: week openings, meetings, sign-offs,
certificates, and invitations to Level 3."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class MentorGroup(PublicIdMixin, CourseModel):
    """One mentor with one or two trainees, for a level, from a start date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(40))  # a level slug from content/
    mentor_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("course_agency.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    # Pausing stops the clock: each finished pause ({"from": ISO date, "days": n}) pushes
    # back every week that had not opened when it began.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pauses: Mapped[list] = mapped_column(JSON, default=list)
    # The mentor may let pair partners read each other's reflections.
    share_reflections: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship()  # noqa: F821
    agency: Mapped[Agency | None] = relationship()  # noqa: F821
    members: Mapped[list[MentorGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin"
    )
    early_openings: Mapped[list[WeekOpening]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def trainee_ids(self) -> set[int]:
        return {member.trainee_id for member in self.members}

    @property
    def trainees(self) -> list[User]:  # noqa: F821
        return [member.trainee for member in self.members]

    def __repr__(self) -> str:
        return f"<MentorGroup {self.id} {self.level} mentor={self.mentor_id}>"


class MentorGroupMember(CourseModel):
    __table_args__ = (UniqueConstraint("group_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id", ondelete="CASCADE"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)

    group: Mapped[MentorGroup] = relationship(back_populates="members")
    trainee: Mapped[User] = relationship(lazy="selectin")  # noqa: F821

    def __repr__(self) -> str:
        return f"<MentorGroupMember group={self.group_id} trainee={self.trainee_id}>"


class WeekOpening(CourseModel):
    """A week the mentor opened before its date."""

    __table_args__ = (UniqueConstraint("group_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<WeekOpening group={self.group_id} week={self.week}>"


# Minutes a weekly meeting may last: a short check-in to a long session.
MEETING_MINUTES = (5, 240)


class Meeting(PublicIdMixin, CourseModel):
    """A weekly reflective-consultation meeting, logged by the mentor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The logging form's one-time key: the same form sent twice (a double click, a
    # resent request) logs one meeting, so the hours funders see are not doubled.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id"), index=True)
    unit_slug: Mapped[str] = mapped_column(String(120))  # the week it belongs to
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    topics: Mapped[str] = mapped_column(Text, default="")
    private_notes: Mapped[str] = mapped_column(Text, default="")  # the mentor's eyes only
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def attendee_ids(self) -> set[int]:
        return {attendee.user_id for attendee in self.attendees}

    def __repr__(self) -> str:
        return f"<Meeting {self.id} group={self.group_id} {self.unit_slug} {self.held_on}>"


class MeetingAttendee(CourseModel):
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("course_meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)


class WeekSignOff(PublicIdMixin, CourseModel):
    """The mentor's sign-off of one trainee's week; revoked ones are kept."""

    __table_args__ = (
        # At most one standing sign-off per trainee and week: a double click signs once.
        Index(
            "uq_course_week_sign_off_standing",
            "trainee_id",
            "unit_slug",
            unique=True,
            sqlite_where=sql_text("revoked_at IS NULL"),
            postgresql_where=sql_text("revoked_at IS NULL"),
        ),
        # Covers the progress queries (progress.summary.signed_weeks), and lookups by
        # trainee (it leads with trainee_id, which needs no index of its own).
        Index("ix_course_week_sign_off_progress", "trainee_id", "revoked_at", "level", "unit_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id"))
    level: Mapped[str] = mapped_column(String(40))
    unit_slug: Mapped[str] = mapped_column(String(120))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    signed_by: Mapped[User] = relationship(foreign_keys=[signed_by_id])  # noqa: F821
    group: Mapped[MentorGroup] = relationship()

    def __repr__(self) -> str:
        return f"<WeekSignOff {self.id} trainee={self.trainee_id} {self.unit_slug}>"


class Certificate(CourseModel):
    """A level signed off: issued with a public verification code; revocable, kept."""

    __table_args__ = (
        Index(
            "uq_course_certificate_standing",
            "trainee_id",
            "level",
            unique=True,
            sqlite_where=sql_text("revoked_at IS NULL"),
            postgresql_where=sql_text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    level: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    # Who issued it, as the certificate states it: a master trainer, or an agency
    # trainer of the named agency.
    issuer_role: Mapped[str] = mapped_column(String(32))
    issuer_agency_id: Mapped[int | None] = mapped_column(ForeignKey("course_agency.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])  # noqa: F821
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])  # noqa: F821
    issuer_agency: Mapped[Agency | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Certificate {self.code} trainee={self.trainee_id} {self.level}>"


class LevelThreeInvitation(PublicIdMixin, CourseModel):
    """An invitation to Level 3 (agency trainer), which the trainee accepts or declines."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None

    def __repr__(self) -> str:
        return f"<LevelThreeInvitation {self.id} trainee={self.trainee_id}>"


class PlannedMeeting(PublicIdMixin, CourseModel):
    """The weekly meeting as the mentor schedules it (the Meeting log records what
    happened); one per group and week, in the calendar of everyone in the group."""

    __table_args__ = (UniqueConstraint("group_id", "unit_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("course_mentor_group.id", ondelete="CASCADE"), index=True
    )
    unit_slug: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(String(500), default="")
    planned_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    # Bumped when the time changes, so calendar apps replace the event they hold.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[MentorGroup] = relationship()
