"""Level 1 as the program delivers it: workshops taught by Master Trainers over two or
more sessions, the people enrolled, their attendance, and calendar feeds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Mode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return "Online" if self is Mode.ONLINE else "In person"


class Presence(StrEnum):
    PRESENT = "present"
    PARTIAL = "partial"  # with the minutes attended
    ABSENT = "absent"
    MAKE_UP = "make_up"  # absent, and the trainer recorded a make-up session

    @property
    def label(self) -> str:
        return {"make_up": "Made up"}.get(self.value, self.value.capitalize())

    @property
    def counts(self) -> bool:
        """Does it count as having attended the session, for the sign-off?"""
        return self in (Presence.PRESENT, Presence.MAKE_UP)


class Workshop(PublicIdMixin, CourseModel):
    """A Level 1 workshop: its sessions, trainers, the agencies that may enrol, seats."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[Mode] = mapped_column(String(16))
    meeting_link: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    time_zone: Mapped[str] = mapped_column(String(64))  # IANA, e.g. America/Chicago
    notes: Mapped[str] = mapped_column(Text, default="")  # the trainers' own
    created_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[WorkshopSession]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="WorkshopSession.starts_at",
        lazy="selectin",
    )
    trainer_links: Mapped[list[WorkshopTrainer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    agency_links: Mapped[list[WorkshopAgency]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def trainer_ids(self) -> set[int]:
        return {link.trainer_id for link in self.trainer_links}

    @property
    def agency_ids(self) -> set[int]:
        return {link.agency_id for link in self.agency_links}

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return self.sessions[-1].ends_at if self.sessions else None

    @property
    def mode_label(self) -> str:
        return Mode(self.mode).label

    @property
    def place(self) -> str:
        return self.meeting_link if self.mode == Mode.ONLINE else self.address

    def __repr__(self) -> str:
        return f"<Workshop {self.id} {self.title!r}>"


class WorkshopTrainer(CourseModel):
    __table_args__ = (UniqueConstraint("workshop_id", "trainer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("course_workshop.id", ondelete="CASCADE"), index=True
    )
    trainer_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    trainer: Mapped[User] = relationship(lazy="joined")  # noqa: F821


class WorkshopAgency(CourseModel):
    __table_args__ = (UniqueConstraint("workshop_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("course_workshop.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("course_agency.id"), index=True)
    agency: Mapped[Agency] = relationship(lazy="joined")  # noqa: F821


class WorkshopSession(PublicIdMixin, CourseModel):
    """One day (or part-day) of a workshop, and the modules to read before it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("course_workshop.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prework: Mapped[list] = mapped_column(JSON, default=list)  # Level 1 unit slugs
    # Bumped when the time changes, so calendar apps replace the event they hold.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="sessions")

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.workshop.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.workshop.zone)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class WorkshopSeat(PublicIdMixin, CourseModel):
    """A person enrolled in a workshop (withdrawn seats are kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("course_workshop.id", ondelete="CASCADE"), index=True
    )
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    enrolled_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")  # the trainers' note on this person

    workshop: Mapped[Workshop] = relationship()
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id], lazy="joined")  # noqa: F821


class Attendance(CourseModel):
    """Whether a person attended one session, as the trainer recorded it."""

    __table_args__ = (UniqueConstraint("session_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_workshop_session.id", ondelete="CASCADE"), index=True
    )
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    presence: Mapped[Presence] = mapped_column(String(16))
    minutes: Mapped[int | None] = mapped_column(Integer)  # for a partial attendance
    make_up_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def state(self) -> Presence:
        return Presence(self.presence)


class CalendarFeed(CourseModel):
    """A person's private calendar feed: the URL carries a secret whose hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
