"""Consent, resumable uploads, checking and processing, comments, retention.

Uploads follow a small resumable protocol (the shape of tus): the client announces
the size, then sends chunks with their byte offset; the server appends each chunk to
a partial file without holding it in memory, and only a complete file that ffmpeg
reads as a video becomes visible.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from course.accounts.models import User
from course.audit.services import record
from course.curriculum.models import Unit, UnitKind
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.media import jobs, probe
from course.media.models import Consent, DyadVideo, VideoComment, VideoStatus
from course.media.storage import LocalStorage
from course.mentoring.services import group_of_trainee, unit_is_open
from course.timeutil import today as utc_today
from course.timeutil import utcnow

CHUNK = 1024 * 1024  # read uploads 1 MiB at a time, whatever their size
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


def storage() -> LocalStorage:
    return LocalStorage(Path(current_app.config["UPLOAD_DIR"]) / "dyad")


def max_upload_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


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
        limit = current_app.config["MAX_UPLOAD_MB"]
        raise MediaError(f"The file is larger than the {limit} MB limit.", 413)
    if Path(filename).suffix.lower() not in ALLOWED_SUFFIXES:
        raise MediaError("Upload a video file from your phone or camera (.mp4 or .mov).", 415)
    video = DyadVideo(
        trainee_id=trainee.id,
        group_id=group.id,
        consent_id=consent.id,
        unit_slug=unit.slug,
        expected_size=size,
        original_name=Path(filename).name[:255],
        delete_after=consent.expires_on,
    )
    db.session.add(video)
    db.session.flush()
    record(trainee, "video.upload-start", "video", video.public_id, size=size)
    db.session.commit()
    storage().partial_path(video.public_id).write_bytes(b"")
    return video


def append_chunk(video: DyadVideo, offset: int, stream, length: int | None) -> DyadVideo:
    """Append bytes at ``offset``; when the last byte arrives, check the whole file.

    The stream is copied in 1 MiB pieces, so memory does not grow with the upload.
    A connection that drops mid-chunk keeps what arrived; the client asks for the
    offset (``video.received``) and resumes from there.
    """
    if video.status != VideoStatus.UPLOADING:
        raise MediaError("This upload is finished or was cancelled.", 409)
    if offset != video.received:
        raise OffsetMismatch(video.received)
    remaining = video.expected_size - offset
    if length is not None and length > remaining:
        raise MediaError("The chunk goes past the announced file size.", 413)
    path = storage().partial_path(video.public_id)
    written = 0
    with path.open("r+b") as out:
        out.truncate(offset)  # drop any tail a dropped connection left unrecorded
        out.seek(offset)
        while written < remaining:
            piece = stream.read(min(CHUNK, remaining - written))
            if not piece:
                break
            out.write(piece)
            written += len(piece)
    video.received = offset + written
    db.session.commit()
    if video.received == video.expected_size:
        finish_upload(video)
    return video


def finish_upload(video: DyadVideo) -> None:
    """Check the complete file; store it under a random key or reject it and clean up."""
    store = storage()
    partial = store.partial_path(video.public_id)
    found = probe.probe(partial)
    if (
        found is None
        or found.video_codec is None
        or not found.duration
        or found.duration > MAX_DURATION_SECONDS
    ):
        partial.unlink(missing_ok=True)
        video.status = VideoStatus.FAILED
        video.error = "not a readable video"
        record(video.trainee, "video.rejected", "video", video.public_id)
        db.session.commit()
        raise MediaError(
            "This file is not a video we can play. Upload the .mp4 or .mov from your "
            "phone or camera as it is.",
            415,
        )
    video.sha256 = _sha256(partial)
    video.size = partial.stat().st_size
    video.duration_seconds = round(found.duration, 2)
    suffix = ".mp4" if "mp4" in found.container else ".mov"
    video.storage_key = store.put(partial, suffix)
    video.status = VideoStatus.PROCESSING
    video.completed_at = utcnow()
    record(video.trainee, "video.upload", "video", video.public_id, size=video.size)
    db.session.commit()
    jobs.enqueue(process_video, video.id)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while piece := source.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def process_video(video_id: int) -> None:
    """Make the web-playable copy (when needed) and the poster; then the video is ready."""
    video = db.session.get(DyadVideo, video_id)
    if video is None or video.status != VideoStatus.PROCESSING:
        return
    store = storage()
    source = store.path(video.storage_key)
    try:
        found = probe.probe(source)
        if found.web_playable:
            video.playable_key = video.storage_key
        else:
            target = source.with_name(store.new_key(".mp4"))
            copy = found.video_codec == "h264" and found.audio_codec in (None, "aac")
            probe.make_playable(source, target, copy_streams=copy)
            video.playable_key = store.put(target, ".mp4")
        poster = source.with_name(store.new_key(".jpg"))
        probe.make_poster(source, poster, min(1.0, (video.duration_seconds or 0) / 2))
        video.poster_key = store.put(poster, ".jpg")
        video.status = VideoStatus.READY
    except Exception:  # a failed conversion must not leave a half-ready video visible
        current_app.logger.exception("processing video %s failed", video.public_id)
        _remove_files(video)
        video.status = VideoStatus.FAILED
        video.error = "could not be prepared for playback"
    db.session.commit()


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
    keep_until = signed_on + timedelta(days=current_app.config["VIDEO_RETENTION_DAYS"])
    for video in videos_for_week(trainee_id, unit_slug):
        video.delete_after = min(keep_until, video.consent.expires_on)


def delete_video(video: DyadVideo, actor: User | None, reason: str, commit: bool = True) -> bool:
    """Delete a video's files and comments, keeping a tombstone: who, when, why."""
    if video.status == VideoStatus.DELETED:
        return False
    _remove_files(video)
    storage().partial_path(video.public_id).unlink(missing_ok=True)
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
    for key in {video.storage_key, video.playable_key, video.poster_key}:
        store.delete(key)
    video.storage_key = video.playable_key = video.poster_key = None


def purge(today: date | None = None) -> dict[str, int]:
    """Delete what is due: videos past their date or consent, and abandoned uploads.

    Safe to run repeatedly (``flask --app app purge`` from cron).
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
    return {"retention": retention, "abandoned": abandoned}


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
