"""Dyad videos: recorded consent, the videos themselves, and comments pinned to times.

These show real families. Nothing identifying goes into URLs, file names or logs:
videos are addressed by a random public id and stored under a random key; the
original file name is kept only as metadata.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Consent(PublicIdMixin, CourseModel):
    """A caregiver's signed consent for filming one dyad, as the trainee recorded it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    level: Mapped[str] = mapped_column(String(40))
    dyad_pseudonym: Mapped[str] = mapped_column(String(60))  # never a real name
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    # Viewing by the mentor is always covered; these widen it.
    covers_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_training: Mapped[bool] = mapped_column(Boolean, default=False)
    attested: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_valid_on(self, day: date) -> bool:
        return self.withdrawn_at is None and self.attested and day <= self.expires_on

    def __repr__(self) -> str:
        # No pseudonym: a repr can end up in a log line or a traceback.
        return f"<Consent {self.id} trainee={self.trainee_id} level={self.level}>"


class VideoStatus(StrEnum):
    UPLOADING = "uploading"  # bytes still arriving; invisible to everyone
    PROCESSING = "processing"  # complete and checked; the playable copy is being made
    READY = "ready"
    FAILED = "failed"  # rejected; its files are gone
    DELETED = "deleted"  # a tombstone: purged or withdrawn, no content left

    @property
    def label(self) -> str:
        return {
            "uploading": "Uploading",
            "processing": "Preparing for playback",
            "ready": "Ready",
            "failed": "Not accepted",
            "deleted": "Deleted",
        }[self.value]


class JobState(StrEnum):
    """Where the background preparation of a video stands (shown to trainee and admins)."""

    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"  # a run failed; the job runner tries again
    FAILED = "failed"
    DONE = "done"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting its turn",
            "running": "Being prepared now",
            "retrying": "Trying again after a problem",
            "failed": "Could not be prepared",
            "done": "Prepared",
        }[self.value]


def _values(enum) -> list[str]:
    return [member.value for member in enum]


class DyadVideo(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("course_mentor_group.id"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("course_consent.id"), index=True)
    unit_slug: Mapped[str] = mapped_column(String(120))
    status: Mapped[VideoStatus] = mapped_column(
        Enum(VideoStatus, native_enum=False, length=16, values_callable=_values),
        default=VideoStatus.UPLOADING,
    )
    expected_size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # the resumable offset
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last bytes
    original_name: Mapped[str] = mapped_column(String(255), default="")  # metadata only
    storage_key: Mapped[str | None] = mapped_column(String(80))
    # The store's handle on an upload in progress (an S3 multipart upload id).
    upload_token: Mapped[str | None] = mapped_column(String(1024))
    playable_key: Mapped[str | None] = mapped_column(String(80))
    poster_key: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None] = mapped_column(BigInteger)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    job_state: Mapped[JobState | None] = mapped_column(
        Enum(JobState, native_enum=False, length=16, values_callable=_values)
    )
    job_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    job_error: Mapped[str | None] = mapped_column(String(200))  # a short reason, no paths
    job_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"))
    delete_after: Mapped[date | None] = mapped_column(Date, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"))
    deleted_reason: Mapped[str | None] = mapped_column(String(40))  # a reason code

    consent: Mapped[Consent] = relationship()
    group: Mapped[MentorGroup] = relationship()  # noqa: F821
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])  # noqa: F821
    comments: Mapped[list[VideoComment]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="VideoComment.seconds"
    )

    def __repr__(self) -> str:
        return f"<DyadVideo {self.public_id} {self.status}>"


class VideoComment(CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("course_dyad_video.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("course_user.id"))
    seconds: Mapped[float] = mapped_column(Float)
    body: Mapped[str] = mapped_column(Text)
    criterion_slug: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    video: Mapped[DyadVideo] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()  # noqa: F821

    @property
    def timestamp(self) -> str:
        whole = int(self.seconds)
        return f"{whole // 60:02d}:{whole % 60:02d}"

    def __repr__(self) -> str:
        return f"<VideoComment {self.id} video={self.video_id} at={self.timestamp}>"
