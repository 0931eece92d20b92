"""What a trainee has done: enrolments in levels and progress through their units."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class UnitStatus(StrEnum):
    NOT_STARTED = "not_started"  # never stored: the absence of a row
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress"}.get(self.value, "Done")


class Enrolment(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    level: Mapped[str] = mapped_column(String(40))  # a level slug from content/
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("course_cohort.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(String(16), default=EnrolmentStatus.ACTIVE)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two people with the same pair code in a cohort share a mentor group.
    pair_code: Mapped[str] = mapped_column(String(40), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()  # noqa: F821
    cohort: Mapped[Cohort | None] = relationship()  # noqa: F821
    progress: Mapped[list[UnitProgress]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} user={self.user_id} {self.level} {self.status}>"


class UnitProgress(CourseModel):
    __table_args__ = (UniqueConstraint("enrolment_id", "unit_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolment.id", ondelete="CASCADE"))
    unit_slug: Mapped[str] = mapped_column(String(120))
    status: Mapped[UnitStatus] = mapped_column(String(16), default=UnitStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")

    def __repr__(self) -> str:
        return f"<UnitProgress {self.enrolment_id} {self.unit_slug} {self.status}>"
