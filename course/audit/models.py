"""The audit log: who did what to which sensitive record, when, and from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.timeutil import UTCDateTime, utcnow


class AuditEvent(CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. video.view
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))  # the public id: never a name
    address: Mapped[str] = mapped_column(String(64), default="")
    # Facts about the event (a byte range, a reason code); never content or names.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"
