"""Agencies and the cohorts of staff they enrol."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Agency(CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where its staff read times, unless they chose their own; None: the site's.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="agency")

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name}>"


class Cohort(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("course_agency.id"), index=True)
    level: Mapped[str] = mapped_column(String(40))  # a level slug from content/
    name: Mapped[str] = mapped_column(String(160))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_user.id")
    )  # None: to be assigned
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="cohorts")

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.level} {self.name!r}>"
