"""Weekly reflections, every submitted version of them, and the mentor's reviews."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class ReflectionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # the mentor asked for a revision
    ACCEPTED = "accepted"


class Decision(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


class Reflection(PublicIdMixin, CourseModel):
    """A trainee's reflection on one week; the working draft lives here."""

    __table_args__ = (
        UniqueConstraint("trainee_id", "unit_slug"),
        # Covers the progress queries (progress.summary.written_weeks): the table's
        # rows, long reflection text and all, are never read for a dashboard. It leads
        # with trainee_id, so it also serves lookups by trainee (no index of its own).
        Index("ix_course_reflection_progress", "trainee_id", "status", "level", "unit_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id"), index=True)
    level: Mapped[str] = mapped_column(String(40))
    unit_slug: Mapped[str] = mapped_column(String(120))
    status: Mapped[ReflectionStatus] = mapped_column(String(16), default=ReflectionStatus.DRAFT)
    body: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[list] = mapped_column(JSON, default=list)  # one text per week prompt
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainee: Mapped[User] = relationship()  # noqa: F821
    group: Mapped[MentorGroup] = relationship()  # noqa: F821
    versions: Mapped[list[ReflectionVersion]] = relationship(
        back_populates="reflection",
        cascade="all, delete-orphan",
        order_by="ReflectionVersion.number",
        lazy="selectin",
    )

    @property
    def latest(self) -> ReflectionVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def editable(self) -> bool:
        return self.status in (ReflectionStatus.DRAFT, ReflectionStatus.RETURNED)

    def __repr__(self) -> str:
        return f"<Reflection {self.id} trainee={self.trainee_id} {self.unit_slug} {self.status}>"


class ReflectionVersion(CourseModel):
    """What the trainee submitted, frozen: each resubmission is a new version."""

    __table_args__ = (UniqueConstraint("reflection_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("course_reflection.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reflection: Mapped[Reflection] = relationship(back_populates="versions")
    review: Mapped[Review | None] = relationship(
        back_populates="version", uselist=False, lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<ReflectionVersion {self.reflection_id}#{self.number}>"


class Review(CourseModel):
    """The mentor's rubric scores and feedback on one version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_reflection_version.id", ondelete="CASCADE"), unique=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion slug -> 1..4
    feedback: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[ReflectionVersion] = relationship(back_populates="review")
    reviewer: Mapped[User] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Review {self.id} version={self.version_id} {self.decision}>"
