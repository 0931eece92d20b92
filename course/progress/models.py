"""The maintained summary: where each person stands in each level, one row apiece.

Dashboards sort, filter and page on these columns instead of aggregating every
reflection and sign-off on each request. The rows are derived data: ``course.progress.
tracking`` rewrites a person's rows in the same transaction as any event that changes
them, and ``flask course progress rebuild`` recomputes them all from the source rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import CourseModel
from course.timeutil import UTCDateTime


class LevelProgress(CourseModel):
    __table_args__ = (
        # The agency dashboard reads each person's current row, then sorts on these.
        Index("ix_course_level_progress_current", "trainee_id", "current"),
        Index("ix_course_level_progress_behind_since", "behind_since"),
    )

    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("course_user.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The level the person's dashboard row is about: their latest group's, else Level 1.
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_mentor_group.id", ondelete="SET NULL")
    )  # their latest group at this level
    # Their enrolment in the level (the latest one not withdrawn), if any.
    enrolment_status: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_cohort.id", ondelete="SET NULL"), index=True
    )
    # Modules complete (Level 1) or weeks signed off (a mentored level), out of total.
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    # Bit i set: the level's week i is signed off or has a reflection past draft.
    dealt_with: Mapped[int] = mapped_column(BigInteger, default=0)
    # The date the earliest week not dealt with opens (or opened): the person is behind
    # once it is 14 days past. Empty when every week is dealt with, when their group is
    # paused and every such week is still closed (it cannot fall due until resumed), or
    # when their enrolment in the level is not active (withdrawn, or completed).
    behind_since: Mapped[date | None] = mapped_column(Date)
    meeting_minutes: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LevelProgress {self.trainee_id} {self.level} {self.done}/{self.total}>"
