"""Consent, resumable uploads, checking and processing, comments, retention.

Uploads are resumable (the views speak tus 1.0): the client announces the size, then
sends chunks of any size with their byte offset; the store keeps each chunk without
holding it in memory, and only a complete file that ffmpeg reads as a video becomes
visible. ``sweep`` finishes what a killed process left half-done.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from course import jobs
from course.accounts.models import User
from course.audit.services import record
from course.curriculum.models import Unit, UnitKind
from course.curriculum.services import get_curriculum
from course.database import course_engine
from course.extensions import db
from course.links import path_for
from course.media import probe
from course.media.models import Consent, DyadVideo, JobState, VideoComment, VideoStatus
from course.media.storage import Storage, StoreFull, is_disk_full, sha256_of, storage_from_config
from course.mentoring.services import group_of_trainee, unit_is_open
from course.notifications.models import Topic
from course.notifications.services import notify_unless_waiting, settle
from course.timeutil import today as utc_today
from course.timeutil import utcnow

logger = logging.getLogger("pfr.media")
STORAGE_KEY = "course_media_storage"
ALLOWED_SUFFIXES = (".mp4", ".mov", ".m4v")
MAX_DURATION_SECONDS = 3 * 60 * 60
STALE_UPLOAD_HOURS = 24
MB = 1024 * 1024
DISK_FULL = (
    "The site's video storage is full right now. Your video is safe on your device: "
    "try again later, and tell your training center."
)


class MediaError(Exception):
    """A video rule was broken; ``status`` is the HTTP status to answer with, and
    ``field`` the form field it is about (if any)."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


class OffsetMismatch(MediaError):
    def __init__(self, expected: int):
        super().__init__(f"Expected the chunk at byte {expected}.", 409)
        self.expected = expected


def storage() -> Storage:
    """The configured store; an S3 client is built once per app (it is thread-safe)."""
    config = current_app.config
    if config.get("COURSE_STORAGE_BACKEND", "local") == "local":
        return storage_from_config(config)  # cheap, and follows a changed UPLOAD_DIR
    if STORAGE_KEY not in current_app.extensions:
        current_app.extensions[STORAGE_KEY] = storage_from_config(config)
    return current_app.extensions[STORAGE_KEY]


def work_root() -> Path:
    """Where jobs write derivatives before storing them (on this host)."""
    return Path(current_app.config["COURSE_UPLOAD_DIR"]) / "work"


def get_video(public_id: str) -> DyadVideo | None:
    return db.session.scalar(select(DyadVideo).where(DyadVideo.public_id == public_id))


def max_upload_bytes() -> int:
    return current_app.config["COURSE_MAX_UPLOAD_MB"] * MB


# -- consent -------------------------------------------------------------------------


def record_consent(
    trainee: User,
    level: str,
    pseudonym: str,
    signed_on: date,
    expires_on: date,
    covers_partner: bool,
    covers_training: bool,
    attested: bool,
) -> Consent:
    """Record the caregiver's consent for a dyad; every upload needs a valid one."""
    pseudonym = pseudonym.strip()
    if not attested:
        raise MediaError("Tick to confirm the caregiver signed the consent form.")
    if not pseudonym:
        raise MediaError("Give the dyad a pseudonym (not their real names).")
    if signed_on > utc_today():
        raise MediaError("The consent cannot be signed in the future.")
    if expires_on <= utc_today() or expires_on <= signed_on:
        raise MediaError("The consent's expiry date must be in the future.")
    consent = Consent(
        trainee_id=trainee.id,
        level=level,
        dyad_pseudonym=pseudonym,
        signed_on=signed_on,
        expires_on=expires_on,
        covers_partner=covers_partner,
        covers_training=covers_training,
        attested=True,
    )
    db.session.add(consent)
    db.session.flush()
    record(trainee, "consent.record", "consent", consent.public_id)
    db.session.commit()
    return consent


def consents_of(trainee: User, level: str) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent).where(
                Consent.trainee_id == trainee.id,
                Consent.level == level,
                Consent.withdrawn_at.is_(None),
            )
        )
    )


def withdraw_consent(consent: Consent, actor: User) -> int:
    """Withdraw a consent and delete that dyad's videos at once; return how many."""
    if consent.trainee_id != actor.id:
        raise MediaError("Only the trainee who recorded a consent may withdraw it.", 404)
    consent.withdrawn_at = utcnow()
    record(actor, "consent.withdraw", "consent", consent.public_id)
    videos = db.session.scalars(select(DyadVideo).where(DyadVideo.consent_id == consent.id))
    deleted = sum(delete_video(v, actor, "consent-withdrawn", commit=False) for v in videos)
    db.session.commit()
    return deleted


# -- uploading -----------------------------------------------------------------------


def start_upload(
    trainee: User, unit: Unit, consent: Consent, size: int, filename: str
) -> DyadVideo:
    """Announce an upload: checks who, where, consent and size before any byte arrives."""
    group = group_of_trainee(trainee, unit.level)
    if group is None or unit.kind != UnitKind.PRACTICE_WEEK:
        raise MediaError("Videos belong to the practice weeks of your mentored level.", 404)
    if not unit_is_open(group, unit):
        raise MediaError("This week is not open yet.")
    if consent.trainee_id != trainee.id or consent.level != unit.level:
        raise MediaError("Choose a consent you recorded for this level.")
    if not consent.is_valid_on(utc_today()):
        raise MediaError("This consent has expired or was withdrawn; record a new one first.")
    if size <= 0:
        raise MediaError("The file is empty.")
    if size > max_upload_bytes():
        limit = current_app.config["COURSE_MAX_UPLOAD_MB"]
        raise MediaError(f"The file is larger than the {limit} MB limit.", 413)
    if Path(filename).suffix.lower() not in ALLOWED_SUFFIXES:
        raise MediaError("Upload a video file from your phone or camera (.mp4 or .mov).", 415)
    _check_pending(trainee, size)
    store = storage()
    _check_room(store, size)
    key = store.new_key(Path(filename).suffix.lower())
    video = DyadVideo(
        trainee_id=trainee.id,
        group_id=group.id,
        consent_id=consent.id,
        unit_slug=unit.slug,
        expected_size=size,
        original_name=Path(filename).name[:255],
        delete_after=consent.expires_on,
        storage_key=key,
        upload_token=store.begin_upload(key),
    )
    db.session.add(video)
    db.session.flush()
    record(trainee, "video.upload-start", "video", video.public_id, size=size)
    db.session.commit()
    return video


def pending_uploads(trainee: User) -> list[DyadVideo]:
    """The trainee's uploads not finished yet (each holds space until done or purged)."""
    return list(
        db.session.scalars(
            select(DyadVideo)
            .where(DyadVideo.trainee_id == trainee.id, DyadVideo.status == VideoStatus.UPLOADING)
            .order_by(DyadVideo.created_at)
        )
    )


def _check_pending(trainee: User, size: int) -> None:
    """A quota: a few unfinished uploads at once, and a bound on the bytes they announce."""
    config = current_app.config
    pending = pending_uploads(trainee)
    if len(pending) >= config["COURSE_MAX_PENDING_UPLOADS"]:
        raise MediaError(
            f"You have {len(pending)} uploads that have not finished. Finish one (choose the "
            "same file again to resume it) or cancel it on the week's video page first.",
            429,
        )
    announced = sum(v.expected_size - v.received for v in pending) + size
    if announced > config["COURSE_MAX_PENDING_UPLOAD_MB"] * MB:
        raise MediaError(
            "Your unfinished uploads already hold a lot of space. Finish or cancel them "
            "before starting this one.",
            413,
        )


def _check_room(store: Storage, size: int) -> None:
    """Refuse at once what the disk cannot hold: the file, its playable copy, a reserve."""
    free = store.free_bytes()
    if free is None:
        return
    still_to_come = db.session.scalar(
        select(func.coalesce(func.sum(DyadVideo.expected_size - DyadVideo.received), 0)).where(
            DyadVideo.status == VideoStatus.UPLOADING
        )
    )
    if free < still_to_come + 2 * size + current_app.config["COURSE_DISK_RESERVE_MB"] * MB:
        current_app.logger.error("video store nearly full: %s bytes free", free)
        raise MediaError(DISK_FULL, 507)


def append_chunk(video: DyadVideo, offset: int, stream, length: int | None) -> DyadVideo:
    """Store the bytes sent from ``offset``; when the last arrives, check the file.

    A chunk can be any size and every byte that arrives is kept, so a dropped
    connection resumes where it stopped: the client asks for the offset
    (``video.received``) and carries on. The offset lives in the database and the
    bytes in the store, so any app server can take any chunk. Memory does not grow
    with the upload (1 MiB pieces, spooled to disk). A final request that comes again
    (its answer was lost, or the process died while finishing) finishes the upload.
    """
    if video.status != VideoStatus.UPLOADING:
        raise MediaError("This upload is finished or was cancelled.", 409)
    if offset != video.received:
        raise OffsetMismatch(video.received)
    if length is not None and length > video.expected_size - offset:
        raise MediaError("The chunk goes past the announced file size.", 413)
    if offset < video.expected_size:
        _store_bytes(video, offset, stream)
    if video.received == video.expected_size:
        finish_upload(video)
    return video


def _store_bytes(video: DyadVideo, offset: int, stream) -> None:
    store = storage()
    try:
        for reached in store.write(
            video.storage_key, video.upload_token, offset, stream, video.expected_size
        ):
            if not _advance(video, offset, reached):
                raise OffsetMismatch(video.received)
            store.release(video.storage_key, video.upload_token, offset)
            offset = reached
    except StoreFull:
        current_app.logger.error("video store full during upload %s", video.public_id)
        raise MediaError(DISK_FULL, 507) from None


def _advance(video: DyadVideo, old: int, new: int) -> bool:
    """Record stored bytes, unless another request got there first (any process)."""
    moved = db.session.execute(
        update(DyadVideo)
        .where(DyadVideo.id == video.id, DyadVideo.received == old)
        .values(received=new, received_at=utcnow())
    ).rowcount
    db.session.commit()
    db.session.refresh(video)
    return moved == 1


def finish_upload(video: DyadVideo) -> None:
    """Check the complete file; keep it for processing, or reject it and clean up.

    Safe to run again and at once from two places (a repeated final request, the
    sweep): the store's completion accepts a finished upload, and only the run that
    moves the status on records and queues the video.
    """
    store = storage()
    store.complete_upload(video.storage_key, video.upload_token)
    found = probe.probe(store.source_for_ffmpeg(video.storage_key))
    if (
        found is None
        or found.video_codec is None
        or not found.duration
        or found.duration > MAX_DURATION_SECONDS
    ):
        key = video.storage_key
        if _move_on(video, VideoStatus.FAILED, error="not a readable video", storage_key=None):
            store.delete(key)
            record(video.trainee, "video.rejected", "video", video.public_id)
            db.session.commit()
        raise MediaError(
            "This file is not a video we can play. Upload the .mp4 or .mov from your "
            "phone or camera as it is.",
            415,
        )
    if _move_on(
        video,
        VideoStatus.PROCESSING,
        size=video.expected_size,
        duration_seconds=round(found.duration, 2),
        completed_at=utcnow(),
    ):
        record(video.trainee, "video.upload", "video", video.public_id, size=video.expected_size)
        db.session.commit()
        queue_processing(video)
    db.session.refresh(video)


def _move_on(video: DyadVideo, status: VideoStatus, **values) -> bool:
    """Leave UPLOADING for ``status``, unless another request or the sweep did first."""
    moved = db.session.execute(
        update(DyadVideo)
        .where(DyadVideo.id == video.id, DyadVideo.status == VideoStatus.UPLOADING)
        .values(status=status, **values)
    ).rowcount
    db.session.commit()
    db.session.refresh(video)
    return moved == 1


def queue_processing(video: DyadVideo) -> None:
    """Hand the video to a background job (see ``process_video``).

    If the queue cannot be reached (Redis down), the video stays QUEUED and the sweep
    hands it over again later; the upload itself has succeeded.
    """
    video.job_state, video.job_error = JobState.QUEUED, None
    video.job_updated_at = utcnow()
    db.session.commit()
    try:
        jobs.enqueue(process_video, video.id, job_id=f"video-{video.public_id}")
    except Exception:
        if current_app.config.get("COURSE_JOB_BACKEND") == "sync":
            raise
        current_app.logger.exception(
            "could not queue video %s; the sweep will try again", video.public_id
        )


def cancel_upload(video: DyadVideo, actor: User) -> None:
    """The trainee gives up an unfinished upload: its bytes go at once."""
    if video.status != VideoStatus.UPLOADING:
        raise MediaError("This upload is finished; delete the video from its page.", 409)
    delete_video(video, actor, "upload-cancelled")


def process_video(video_id: int) -> None:
    """Checksum, web-playable copy (when needed) and poster; then the video is READY.

    A background job, safe to run again: a run killed half-way (a worker restarted
    mid-transcode) leaves the video PROCESSING and the retry, or the sweep once the
    job stops reporting, carries on from what was stored. Each derivative is written
    to a work file first and stored under its key only when complete, and nothing
    plays before READY, so no half-written file is ever served. After ``JOB_RETRIES``
    failed retries the video is marked FAILED with the reason and its files are
    removed; a lack of disk space never counts as a failure (the original is kept).
    """
    video = db.session.get(DyadVideo, video_id)
    if video is None or video.status != VideoStatus.PROCESSING:
        return
    video.job_state, video.job_updated_at = JobState.RUNNING, utcnow()
    video.job_attempts += 1
    db.session.commit()
    try:
        with _heartbeat(video.id):
            _make_derivatives(storage(), video)
    except Exception as exc:
        db.session.rollback()  # the same video, reloaded from the database
        if _out_of_space(exc):
            _waiting_for_space(video)
            raise  # retried by the job runner, then by the sweep
        _job_failed(video, exc)
        if video.job_state == JobState.RETRYING:
            raise  # the job runner tries again later
        return
    video.status, video.job_state, video.job_error = VideoStatus.READY, JobState.DONE, None
    video.job_updated_at = utcnow()
    unit = get_curriculum().unit(video.unit_slug)
    _tell_once(
        video.group.mentor,
        f"{video.trainee.name} uploaded a video",
        f"{unit.title if unit else 'A practice week'}: ready to watch, comment on and mark "
        "reviewed (the week's sign-off waits for it).",
        video,
        Topic.TO_REVIEW,
    )
    db.session.commit()


@contextmanager
def _heartbeat(video_id: int):
    """While a job runs, mark it alive a few times per lease; the sweep leaves it alone."""
    engine = course_engine()
    every = current_app.config["COURSE_JOB_LEASE_MINUTES"] * 60 / 4
    stop = threading.Event()

    def beat():
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    connection.execute(
                        update(DyadVideo)
                        .where(DyadVideo.id == video_id)
                        .values(job_updated_at=utcnow())
                    )
            except Exception:  # a missed beat only risks a harmless second run
                logger.warning("video job heartbeat failed", exc_info=True)

    thread = threading.Thread(target=beat, name="pfr-job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _out_of_space(exc: Exception) -> bool:
    if isinstance(exc, OSError):
        return is_disk_full(exc)
    if isinstance(exc, subprocess.CalledProcessError):
        return b"No space left on device" in (exc.stderr or b"")
    return False


def _waiting_for_space(video: DyadVideo) -> None:
    """Keep the original and try later; the site admins' page shows why it waits."""
    current_app.logger.error("no disk space to prepare video %s", video.public_id)
    video.job_attempts = max(video.job_attempts - 1, 0)  # not the video's fault
    video.job_state = JobState.RETRYING
    video.job_error = "the server ran out of disk space; the original is kept"
    video.job_updated_at = utcnow()
    db.session.commit()


def _make_derivatives(store: Storage, video: DyadVideo) -> None:
    source = store.source_for_ffmpeg(video.storage_key)
    found = probe.probe(source)
    if found is None:
        raise JobFailure("the uploaded file could not be read back from storage")
    if video.sha256 is None:
        video.sha256 = sha256_of(store, video.storage_key)
        db.session.commit()
    work_root().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root()) as work:
        if video.playable_key is None:
            # Always a new copy, even of a web-playable original: only a copy without
            # the recording's metadata (location, device) is ever served.
            target = Path(work) / "playable.mp4"
            copy = found.video_codec == "h264" and found.audio_codec in (None, "aac")
            probe.make_playable(source, target, copy_streams=copy)
            video.playable_key = _store_file(store, target, ".mp4")
            db.session.commit()  # progress that a retry need not redo
        if video.poster_key is None:
            poster = Path(work) / "poster.jpg"
            probe.make_poster(source, poster, min(1.0, (video.duration_seconds or 0) / 2))
            video.poster_key = _store_file(store, poster, ".jpg")
            db.session.commit()


def _store_file(store: Storage, path: Path, suffix: str) -> str:
    key = store.new_key(suffix)
    store.put_file(key, path)
    return key


class JobFailure(Exception):
    """A processing step failed for a reason worth showing as it is."""


def _job_failed(video: DyadVideo, exc: Exception) -> None:
    """Record why a run failed; after the last retry, give up and clean up."""
    current_app.logger.exception(
        "processing video %s failed (attempt %s)", video.public_id, video.job_attempts
    )
    video.job_error = str(exc) if isinstance(exc, JobFailure) else _reason(exc)
    video.job_updated_at = utcnow()
    if video.job_attempts > current_app.config["COURSE_JOB_RETRIES"]:
        _remove_files(video)
        video.status, video.job_state = VideoStatus.FAILED, JobState.FAILED
        video.error = "could not be prepared for playback"
    else:
        video.job_state = JobState.RETRYING
    db.session.commit()


def _reason(exc: Exception) -> str:
    """A short cause for trainees and admins; no paths, keys or URLs."""
    if isinstance(exc, subprocess.TimeoutExpired):
        return "the conversion took too long"
    if isinstance(exc, subprocess.CalledProcessError):
        return "the video converter could not read this recording"
    if isinstance(exc, OSError):
        return "the video store could not be reached"
    return f"an unexpected error ({type(exc).__name__})"


def retry_processing(video: DyadVideo, actor: User) -> None:
    """A site admin sends a video stuck or failed in processing back to the queue."""
    if video.status != VideoStatus.PROCESSING:
        raise MediaError("Only a video waiting to be prepared can be retried.", 409)
    record(actor, "video.retry", "video", video.public_id)
    video.job_attempts = 0
    queue_processing(video)


def videos_needing_attention(days: int = 30) -> list[DyadVideo]:
    """For site admins: videos still being prepared, and recent failed preparations."""
    since = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(DyadVideo)
            .where(
                (DyadVideo.status == VideoStatus.PROCESSING)
                | ((DyadVideo.job_state == JobState.FAILED) & (DyadVideo.job_updated_at >= since))
            )
            .options(joinedload(DyadVideo.trainee))
            .order_by(DyadVideo.job_updated_at.desc())
            .limit(200)
        )
    )


# -- comments and review -------------------------------------------------------------

TIMESTAMP_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$|^(\d+(?:\.\d+)?)$")


def parse_timestamp(text: str) -> float:
    """Read "m:ss", "h:mm:ss" or plain seconds; raise MediaError otherwise."""
    match = TIMESTAMP_RE.match(text.strip())
    if match is None:
        raise MediaError("Write the time as minutes:seconds, for example 1:05.", field="at")
    hours, minutes, seconds, plain = match.groups()
    if plain is not None:
        return float(plain)
    if int(seconds) >= 60:
        raise MediaError("Seconds go from 00 to 59.", field="at")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def add_comment(
    video: DyadVideo, author: User, seconds: float, body: str, criterion: str | None = None
) -> VideoComment:
    """Pin a comment to a moment of the video (inside its length)."""
    if video.status != VideoStatus.READY:
        raise MediaError("Comments wait until the video is ready.")
    if not 0 <= seconds <= (video.duration_seconds or 0):
        raise MediaError(
            f"Choose a time inside the video (0:00 to {_clock(video.duration_seconds or 0)}).",
            field="at",
        )
    if not body.strip():
        raise MediaError("Write the comment.", field="body")
    if criterion and criterion not in {c.slug for c in get_curriculum().rubric}:
        raise MediaError("Choose a rubric criterion from the list.", field="criterion")
    comment = VideoComment(
        video=video,
        author_id=author.id,
        seconds=seconds,
        body=body.strip(),
        criterion_slug=criterion or None,
    )
    db.session.add(comment)
    db.session.flush()
    record(author, "video.comment", "video", video.public_id, at=round(seconds, 1))
    if author.id != video.trainee_id:
        _tell_once(
            video.trainee,
            f"{author.name} commented on your video",
            "Open the video to read the comments at their moments.",
            video,
            Topic.FEEDBACK,
        )
    db.session.commit()
    return comment


def _tell_once(person: User, subject: str, body: str, video: DyadVideo, topic: Topic) -> None:
    """Notify about a video (ten comments in a row make one notification)."""
    link = path_for("course.media.show", public_id=video.public_id)
    notify_unless_waiting(person, subject, body, link, topic)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def mark_reviewed(video: DyadVideo, mentor: User) -> None:
    if video.group.mentor_id != mentor.id:
        raise MediaError("Only the mentor marks a video reviewed.", 404)
    if video.status != VideoStatus.READY:
        raise MediaError("The video is not ready yet.")
    if video.reviewed_at is None:
        video.reviewed_at, video.reviewed_by_id = utcnow(), mentor.id
        record(mentor, "video.reviewed", "video", video.public_id)
        settle(mentor, path_for("course.media.show", public_id=video.public_id))
        db.session.commit()


def videos_for_week(trainee_id: int, unit_slug: str) -> list[DyadVideo]:
    return list(
        db.session.scalars(
            select(DyadVideo)
            .where(
                DyadVideo.trainee_id == trainee_id,
                DyadVideo.unit_slug == unit_slug,
                DyadVideo.status.in_([VideoStatus.PROCESSING, VideoStatus.READY]),
            )
            .order_by(DyadVideo.created_at)
        )
    )


@dataclass(frozen=True)
class VideoToReview:
    """A ready video its mentor has not marked reviewed, as the queue shows it."""

    public_id: str
    trainee_name: str
    week_title: str
    completed_at: datetime | None


def videos_to_review(mentor: User, limit: int | None = None) -> list[VideoToReview]:
    """Ready videos in the mentor's groups not yet marked reviewed (a week's sign-off
    waits for them), the longest waiting first (the first ``limit``), with their week's
    title; columns only, not video objects."""
    from course.mentoring.models import MentorGroup

    rows = db.session.execute(
        select(DyadVideo.public_id, User.name, DyadVideo.unit_slug, DyadVideo.completed_at)
        .join(MentorGroup, DyadVideo.group_id == MentorGroup.id)
        .join(User, DyadVideo.trainee_id == User.id)
        .where(
            MentorGroup.mentor_id == mentor.id,
            DyadVideo.status == VideoStatus.READY,
            DyadVideo.reviewed_at.is_(None),
        )
        .order_by(DyadVideo.completed_at, DyadVideo.id)
        .limit(limit)
    )
    curriculum = get_curriculum()
    return [
        VideoToReview(public_id, name, getattr(curriculum.unit(slug), "title", ""), completed)
        for public_id, name, slug, completed in rows
    ]


def week_video_reviewed(trainee_id: int, unit_slug: str) -> bool:
    return any(v.reviewed_at for v in videos_for_week(trainee_id, unit_slug))


# -- retention -----------------------------------------------------------------------


def set_retention_after_sign_off(trainee_id: int, unit_slug: str, signed_on: date) -> None:
    """A signed-off week's videos are kept RETENTION_DAYS more, or less if consent ends."""
    keep_until = signed_on + timedelta(days=current_app.config["COURSE_VIDEO_RETENTION_DAYS"])
    for video in videos_for_week(trainee_id, unit_slug):
        video.delete_after = min(keep_until, video.consent.expires_on)


def delete_video(video: DyadVideo, actor: User | None, reason: str, commit: bool = True) -> bool:
    """Delete a video's files and comments, keeping a tombstone: who, when, why."""
    if video.status == VideoStatus.DELETED:
        return False
    _remove_files(video)
    video.comments.clear()
    video.status = VideoStatus.DELETED
    video.original_name = ""
    video.deleted_at = utcnow()
    video.deleted_by_id = actor.id if actor else None
    video.deleted_reason = reason
    record(actor, "video.delete", "video", video.public_id, reason=reason)
    if commit:
        db.session.commit()
    return True


def _remove_files(video: DyadVideo) -> None:
    store = storage()
    if video.status == VideoStatus.UPLOADING and video.storage_key and video.upload_token:
        store.abort_upload(video.storage_key, video.upload_token)
    for key in {video.storage_key, video.playable_key, video.poster_key}:
        store.delete(key)
    video.storage_key = video.playable_key = video.poster_key = None


def purge(today: date | None = None) -> dict[str, int]:
    """Delete what is due: videos past their date or consent, and abandoned uploads.

    Safe to run repeatedly (``flask --app app course purge`` from cron).
    """
    today = today or utc_today()
    due = db.session.scalars(
        select(DyadVideo)
        .join(Consent)
        .where(
            DyadVideo.status.in_([VideoStatus.PROCESSING, VideoStatus.READY]),
            (DyadVideo.delete_after <= today) | (Consent.expires_on < today),
        )
    ).all()
    retention = sum(delete_video(v, None, "retention", commit=False) for v in due)
    sweep()  # finish what can be finished before removing what was abandoned
    stale_before = utcnow() - timedelta(hours=STALE_UPLOAD_HOURS)
    stale = db.session.scalars(
        select(DyadVideo).where(
            DyadVideo.status == VideoStatus.UPLOADING,
            func.coalesce(DyadVideo.received_at, DyadVideo.created_at) < stale_before,
        )
    ).all()
    abandoned = sum(delete_video(v, None, "upload-abandoned", commit=False) for v in stale)
    db.session.commit()
    _remove_stale_work()
    return {"retention": retention, "abandoned": abandoned}


def sweep() -> dict[str, int]:
    """Carry on what a killed process left half-done, so every video gets somewhere.

    - An upload whose every byte is stored but that was never finished (the process
      died while checking it) is finished now.
    - A video waiting for preparation whose job has not reported within the lease
      (its worker or process died, or the queue was down when it was handed over) is
      queued again. A second run of a job that is in fact alive does no harm.

    Run by each app process and worker every ``SWEEP_MINUTES``, and by the purge.
    """
    quiet = utcnow() - timedelta(minutes=2)
    stranded = db.session.scalars(
        select(DyadVideo).where(
            DyadVideo.status == VideoStatus.UPLOADING,
            DyadVideo.received == DyadVideo.expected_size,
            func.coalesce(DyadVideo.received_at, DyadVideo.created_at) < quiet,
        )
    ).all()
    finished = 0
    for video in stranded:
        with suppress(MediaError):  # not a video: rejected and cleaned up like any other
            finish_upload(video)
        finished += 1
    lease = utcnow() - timedelta(minutes=current_app.config["COURSE_JOB_LEASE_MINUTES"])
    lost = db.session.scalars(
        select(DyadVideo).where(
            DyadVideo.status == VideoStatus.PROCESSING,
            or_(DyadVideo.job_state.is_(None), DyadVideo.job_state != JobState.FAILED),
            func.coalesce(DyadVideo.job_updated_at, DyadVideo.created_at) < lease,
        )
    ).all()
    for video in lost:
        logger.warning("video %s: its job stopped reporting; queued again", video.public_id)
        queue_processing(video)
    return {"finished": finished, "requeued": len(lost)}


def _remove_stale_work() -> None:
    """Drop work folders left by a job whose process was killed (never served)."""
    folders = work_root().glob("*") if work_root().exists() else ()
    cutoff = time.time() - current_app.config.get("COURSE_JOB_TIMEOUT_SECONDS", 3600) - 3600
    for folder in folders:
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def videos_of_group(group_id: int) -> dict[tuple[int, str], list[DyadVideo]]:
    """The group's live videos by (trainee id, unit slug), in one query."""
    rows = db.session.scalars(
        select(DyadVideo)
        .where(
            DyadVideo.group_id == group_id,
            DyadVideo.status.in_([VideoStatus.PROCESSING, VideoStatus.READY]),
        )
        .order_by(DyadVideo.created_at)
    )
    result: dict[tuple[int, str], list[DyadVideo]] = {}
    for video in rows:
        result.setdefault((video.trainee_id, video.unit_slug), []).append(video)
    return result
