"""Dashboard notifications: short messages to one person, read or unread."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Topic(StrEnum):
    """What a notification is about: each person chooses which topics also come by email."""

    FEEDBACK = "feedback"
    TO_REVIEW = "to-review"
    SCHEDULE = "schedule"
    ACCOUNT = "account"  # the account's safety: always emailed

    @property
    def label(self) -> str:
        return {
            Topic.FEEDBACK: "Feedback on my work: reviews, comments, certificates",
            Topic.TO_REVIEW: "Work waiting for me: reflections and videos to review",
            Topic.SCHEDULE: "My training's calendar: enrolments, new weeks, meetings, workshops",
            Topic.ACCOUNT: "My account: roles and sign-in warnings",
        }[self]

    @classmethod
    def optional(cls) -> list[Topic]:
        return [topic for topic in cls if topic != cls.ACCOUNT]


class Notification(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("course_user.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # A path inside this site ("/reflections/12"), never an absolute URL.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outbox: an email still to send (cleared once the mail server took it).
    email_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0", index=True
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        state = "read" if self.is_read else "unread"
        return f"<Notification {self.id} user={self.user_id} {state}>"
