"""Consent, resumable uploads, checking and processing, comments, retention.

Uploads follow a small resumable protocol (the shape of tus): the client announces
the size, then sends chunks with their byte offset; the server appends each chunk to
a partial file without holding it in memory, and only a complete file that ffmpeg
reads as a video becomes visible.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from course import jobs
from course.accounts.models import User
from course.audit.services import record
from course.curriculum.models import Unit, UnitKind
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.media import probe
from course.media.models import Consent, DyadVideo, JobState, VideoComment, VideoStatus
from course.media.storage import Storage, sha256_of, storage_from_config
from course.mentoring.services import group_of_trainee, unit_is_open
from course.timeutil import today as utc_today
from course.timeutil import utcnow

STORAGE_KEY = "course_media_storage"
ALLOWED_SUFFIXES = (".mp4", ".mov", ".m4v")
MAX_DURATION_SECONDS = 3 * 60 * 60
STALE_UPLOAD_HOURS = 24


class MediaError(Exception):
    """A video rule was broken; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


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
    return current_app.config["COURSE_MAX_UPLOAD_MB"] * 1024 * 1024


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
    store = storage()
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


def append_chunk(video: DyadVideo, offset: int, stream, length: int | None) -> DyadVideo:
    """Store the bytes at ``offset`` part by part; when the last arrives, check the file.

    Parts are ``UPLOAD_PART_SIZE`` long (the last may be shorter) and each is kept
    only when all of it arrived, so the offset is always a part boundary: a chunk
    that ends mid-part (a dropped connection) keeps its whole parts, and the client
    asks for the offset (``video.received``) and resumes from there. Any app server
    can take any chunk: the offset lives in the database and the parts in the store.
    Memory does not grow with the upload (1 MiB pieces, spooled to disk).
    """
    if video.status != VideoStatus.UPLOADING:
        raise MediaError("This upload is finished or was cancelled.", 409)
    if offset != video.received:
        raise OffsetMismatch(video.received)
    if length is not None and length > video.expected_size - offset:
        raise MediaError("The chunk goes past the announced file size.", 413)
    store = storage()
    size = store.part_size
    position = offset
    while position < video.expected_size:
        wanted = min(size, video.expected_size - position)
        stored = store.write_part(video.storage_key, video.upload_token, position, stream, wanted)
        if stored < wanted:
            break
        position += wanted
        if not _advance(video, position - wanted, position):
            raise OffsetMismatch(video.received)
    if video.received == video.expected_size:
        finish_upload(video)
    return video


def _advance(video: DyadVideo, old: int, new: int) -> bool:
    """Record a stored part, unless another request got there first (any process)."""
    moved = db.session.execute(
        update(DyadVideo)
        .where(DyadVideo.id == video.id, DyadVideo.received == old)
        .values(received=new)
    ).rowcount
    db.session.commit()
    db.session.refresh(video)
    return moved == 1


def finish_upload(video: DyadVideo) -> None:
    """Check the complete file; keep it for processing, or reject it and clean up."""
    store = storage()
    store.complete_upload(video.storage_key, video.upload_token)
    found = probe.probe(store.source_for_ffmpeg(video.storage_key))
    if (
        found is None
        or found.video_codec is None
        or not found.duration
        or found.duration > MAX_DURATION_SECONDS
    ):
        store.delete(video.storage_key)
        video.storage_key = None
        video.status = VideoStatus.FAILED
        video.error = "not a readable video"
        record(video.trainee, "video.rejected", "video", video.public_id)
        db.session.commit()
        raise MediaError(
            "This file is not a video we can play. Upload the .mp4 or .mov from your "
            "phone or camera as it is.",
            415,
        )
    video.size = video.expected_size
    video.duration_seconds = round(found.duration, 2)
    video.status = VideoStatus.PROCESSING
    video.completed_at = utcnow()
    record(video.trainee, "video.upload", "video", video.public_id, size=video.size)
    db.session.commit()
    queue_processing(video)


def queue_processing(video: DyadVideo) -> None:
    """Hand the video to a background job (see ``process_video``)."""
    video.job_state, video.job_error = JobState.QUEUED, None
    video.job_updated_at = utcnow()
    db.session.commit()
    jobs.enqueue(process_video, video.id, job_id=f"video-{video.public_id}")


def process_video(video_id: int) -> None:
    """Checksum, web-playable copy (when needed) and poster; then the video is READY.

    A background job, safe to run again: a run killed half-way (a worker restarted
    mid-transcode) leaves the video PROCESSING and the retry carries on from what was
    stored. Each derivative is written to a work file first and stored under its key
    only when complete, and nothing plays before READY, so no half-written file is
    ever served. After ``JOB_RETRIES`` failed retries the video is marked FAILED with
    the reason and its files are removed.
    """
    video = db.session.get(DyadVideo, video_id)
    if video is None or video.status != VideoStatus.PROCESSING:
        return
    video.job_state, video.job_updated_at = JobState.RUNNING, utcnow()
    video.job_attempts += 1
    db.session.commit()
    try:
        _make_derivatives(storage(), video)
    except Exception as exc:
        db.session.rollback()  # the same video, reloaded from the database
        _job_failed(video, exc)
        if video.job_state == JobState.RETRYING:
            raise  # the job runner tries again later
        return
    video.status, video.job_state, video.job_error = VideoStatus.READY, JobState.DONE, None
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
        raise MediaError("Write the time as minutes:seconds, for example 1:05.")
    hours, minutes, seconds, plain = match.groups()
    if plain is not None:
        return float(plain)
    if int(seconds) >= 60:
        raise MediaError("Seconds go from 00 to 59.")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def add_comment(
    video: DyadVideo, author: User, seconds: float, body: str, criterion: str | None = None
) -> VideoComment:
    """Pin a comment to a moment of the video (inside its length)."""
    if video.status != VideoStatus.READY:
        raise MediaError("Comments wait until the video is ready.")
    if not 0 <= seconds <= (video.duration_seconds or 0):
        raise MediaError(
            f"Choose a time inside the video (0:00 to {_clock(video.duration_seconds or 0)})."
        )
    if not body.strip():
        raise MediaError("Write the comment.")
    if criterion and criterion not in {c.slug for c in get_curriculum().rubric}:
        raise MediaError("Choose a rubric criterion from the list.")
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
    db.session.commit()
    return comment


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
    stale_before = utcnow() - timedelta(hours=STALE_UPLOAD_HOURS)
    stale = db.session.scalars(
        select(DyadVideo).where(
            DyadVideo.status == VideoStatus.UPLOADING, DyadVideo.created_at < stale_before
        )
    ).all()
    abandoned = sum(delete_video(v, None, "upload-abandoned", commit=False) for v in stale)
    db.session.commit()
    _remove_stale_work()
    return {"retention": retention, "abandoned": abandoned}


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
