"""Consent, streamed resumable uploads, and what happens to a file that is not a video."""

import hashlib
import io
import os
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from course.audit.models import AuditEvent
from course.extensions import db
from course.media import services
from course.media.models import DyadVideo, VideoStatus
from tests.media.conftest import TUS


def dyad_files(app):
    """Every file under the dyad store (uploads in progress and finished ones)."""
    root = services.storage().root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attested": False}, "confirm the caregiver signed"),
        ({"pseudonym": "  "}, "pseudonym"),
        ({"expires_on": date.today() - timedelta(days=1)}, "expiry date must be in the future"),
        ({"signed_on": date.today() + timedelta(days=2)}, "cannot be signed in the future"),
    ],
)
def test_record_consent_refuses_incomplete_consent(practice, change, message):
    values = (
        dict(
            pseudonym="Family C",
            signed_on=date.today(),
            expires_on=date.today() + timedelta(90),
            attested=True,
        )
        | change
    )
    with pytest.raises(services.MediaError, match=message):
        services.record_consent(
            practice.trainee,
            "level-2",
            values["pseudonym"],
            values["signed_on"],
            values["expires_on"],
            False,
            False,
            values["attested"],
        )


def test_upload_without_consent_is_refused(client, auth, practice, begin):
    auth.login_as(practice.trainee)
    response = begin(100, "a.mp4", consent="")
    assert response.status_code == 422
    assert "consent" in response.get_data(as_text=True)
    assert db.session.scalar(select(DyadVideo.id)) is None


def test_upload_with_withdrawn_consent_is_refused(practice):
    services.withdraw_consent(practice.consent, practice.trainee)
    with pytest.raises(services.MediaError, match="expired or was withdrawn"):
        services.start_upload(practice.trainee, practice.unit, practice.consent, 10, "a.mp4")


def test_over_size_upload_is_refused_before_any_byte(app, practice):
    app.config["COURSE_MAX_UPLOAD_MB"] = 1
    with pytest.raises(services.MediaError, match="larger than the 1 MB limit") as error:
        services.start_upload(practice.trainee, practice.unit, practice.consent, 2 << 20, "a.mp4")
    assert error.value.status == 413
    assert dyad_files(app) == []


def test_upload_of_a_document_name_is_refused(practice):
    with pytest.raises(services.MediaError, match=".mp4 or .mov") as error:
        services.start_upload(practice.trainee, practice.unit, practice.consent, 10, "notes.pdf")
    assert error.value.status == 415


def test_renamed_non_video_is_rejected_and_nothing_is_left(app, practice, tmp_path, upload):
    fake = tmp_path / "visit.mp4"
    fake.write_bytes(b"this is a letter, not a film\n" * 2000)
    with pytest.raises(services.MediaError, match="not a video we can play"):
        upload(fake)
    video = db.session.scalar(select(DyadVideo))
    assert video.status == VideoStatus.FAILED
    assert video.storage_key is None
    assert dyad_files(app) == []
    assert services.videos_for_week(practice.trainee.id, practice.unit.slug) == []


def test_video_upload_is_checked_stored_under_a_random_name_and_made_ready(
    app, practice, clip, upload
):
    video = upload(clip, name="Maria and baby Leo.mp4")
    assert video.status == VideoStatus.READY
    assert 2.5 < video.duration_seconds < 3.5
    assert len(video.sha256) == 64 and video.size == clip.stat().st_size
    assert video.original_name == "Maria and baby Leo.mp4"  # metadata only
    for path in dyad_files(app):
        assert "Maria" not in str(path) and "Leo" not in str(path)
    # Already H.264/AAC MP4: re-wrapped without re-encoding, and without its metadata.
    assert video.playable_key != video.storage_key
    from course.media.probe import probe

    assert probe(services.storage().path(video.playable_key)).web_playable
    assert services.storage().path(video.poster_key).stat().st_size > 0


def test_a_mov_in_another_codec_gets_a_playable_mp4(app, practice, mov_clip, upload):
    from course.media.probe import probe

    video = upload(mov_clip)
    assert video.status == VideoStatus.READY
    assert video.playable_key != video.storage_key
    playable = probe(services.storage().path(video.playable_key))
    assert playable.web_playable


def test_interrupted_upload_resumes_from_the_last_byte_that_arrived(
    app, client, auth, practice, clip, begin, send
):
    app.config["COURSE_UPLOAD_PART_SIZE"] = 2000
    auth.login_as(practice.trainee)
    data = clip.read_bytes()
    begun = begin(len(data))
    assert begun.status_code == 201
    url = begun.headers["Location"]
    first = send(url, data[:10_000], 0)
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "10000"

    # The connection drops: the client announced 10 000 bytes but only 4 500 arrived.
    # Every byte that arrived is kept, whole parts or not.
    video = db.session.scalar(select(DyadVideo))
    services.append_chunk(video, 10_000, io.BytesIO(data[10_000:14_500]), 10_000)
    resumed = client.head(url, headers=TUS)
    assert resumed.status_code == 200 and resumed.headers["Upload-Offset"] == "14500"
    assert resumed.headers["Cache-Control"] == "no-store"

    stale = send(url, data[10_000:20_000], 10_000)
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == "14500"
    rest = send(url, data[14_500:], 14_500)
    assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(len(data))
    db.session.refresh(video)
    assert video.status == VideoStatus.READY
    assert services.storage().path(video.storage_key).read_bytes() == data
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    after = client.get(url)  # where the page goes once the last byte is sent
    assert after.headers["Location"] == f"/media/videos/{video.public_id}"


def test_an_offset_that_is_not_where_the_upload_stands_is_refused(app, practice, clip):
    app.config["COURSE_UPLOAD_PART_SIZE"] = 2000
    video = services.start_upload(practice.trainee, practice.unit, practice.consent, 9000, "a.mp4")
    with pytest.raises(services.OffsetMismatch) as refused:
        services.append_chunk(video, 2000, io.BytesIO(b"x" * 2000), 2000)
    assert refused.value.expected == 0 and video.received == 0


def test_a_video_is_invisible_until_it_is_complete(client, auth, practice, clip):
    auth.login_as(practice.trainee)
    size = clip.stat().st_size
    video = services.start_upload(practice.trainee, practice.unit, practice.consent, size, "a.mp4")
    services.append_chunk(video, 0, io.BytesIO(clip.read_bytes()[:1000]), 1000)
    assert services.videos_for_week(practice.trainee.id, practice.unit.slug) == []
    assert client.get(f"/media/videos/{video.public_id}/stream").status_code == 404


def test_chunk_past_the_announced_size_is_refused(practice):
    video = services.start_upload(practice.trainee, practice.unit, practice.consent, 100, "a.mp4")
    with pytest.raises(services.MediaError, match="past the announced file size"):
        services.append_chunk(video, 0, io.BytesIO(b"x" * 200), 200)


def test_upload_without_javascript_posts_the_whole_file(client, auth, practice, clip):
    auth.login_as(practice.trainee)
    response = client.post(
        f"/units/{practice.unit.slug}/videos",
        data={"consent": practice.consent.public_id, "video": (clip.open("rb"), "visit.mp4")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    video = db.session.scalar(select(DyadVideo))
    assert response.headers["Location"] == f"/media/videos/{video.public_id}"
    assert video.status == VideoStatus.READY


def test_purge_removes_work_left_by_a_killed_job(app):
    work = Path(app.config["COURSE_UPLOAD_DIR"]) / "work"
    old, fresh = work / "tmp-old", work / "tmp-fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "playable.mp4").write_bytes(b"half a film")
    long_ago = time.time() - app.config["COURSE_JOB_TIMEOUT_SECONDS"] - 2 * 3600
    os.utime(old, (long_ago, long_ago))
    services.purge()
    assert not old.exists() and fresh.exists()  # a running job's folder stays


def test_abandoned_upload_is_purged_a_day_after_its_last_bytes(app, practice):
    video = services.start_upload(practice.trainee, practice.unit, practice.consent, 500, "a.mp4")
    services.append_chunk(video, 0, io.BytesIO(b"x" * 100), 100)
    video.created_at -= timedelta(hours=services.STALE_UPLOAD_HOURS + 5)
    db.session.commit()
    assert services.purge()["abandoned"] == 0  # bytes arrived just now: still going
    video.received_at -= timedelta(hours=services.STALE_UPLOAD_HOURS + 1)
    db.session.commit()
    assert services.purge() == {"retention": 0, "abandoned": 1}
    assert video.status == VideoStatus.DELETED
    assert dyad_files(app) == []


def test_upload_memory_does_not_grow_with_file_size(
    app, client, auth, practice, tmp_path, begin, send
):
    """Stream 300 MB in one request: Python's peak allocation stays a few MB."""
    big = tmp_path / "big.mp4"
    size = 300 * 1024 * 1024
    with big.open("wb") as out:
        out.truncate(size)  # a sparse file: written instantly, read back as zeros
    auth.login_as(practice.trainee)
    begun = begin(size, "big.mp4")
    tracemalloc.start()
    with big.open("rb") as stream:
        response = send(
            begun.headers["Location"], None, 0, input_stream=stream, content_length=size
        )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 415  # zeros are not a video: rejected after streaming
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"
    assert dyad_files(app) == []


def test_uploads_are_audited(practice, clip, upload):
    video = upload(clip)
    actions = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {"consent.record", "video.upload-start", "video.upload"} <= actions
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "video.upload"))
    assert event.object_id == video.public_id and event.actor_id == practice.trainee.id


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({"Content-Type": "application/json"}, 412, "Tus-Resumable: 1.0.0"),
        ({**TUS}, 400, "Upload-Length"),
        ({**TUS, "Upload-Length": "100", "Upload-Metadata": "unit %%%"}, 400, "not base64"),
        ({**TUS, "Upload-Length": "100", "Upload-Metadata": "unit"}, 404, ""),
    ],
)
def test_malformed_upload_announcements_get_a_clear_4xx(
    client, auth, practice, headers, status, message
):
    auth.login_as(practice.trainee)
    response = client.post("/media/uploads", data="[1, 2, 3]", headers=headers)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    if status == 412:
        assert response.headers["Tus-Version"] == "1.0.0"


@pytest.mark.parametrize("size", ["[1, 2]", "True", "1.5", "12x", "-5", "", "1" * 30])
def test_a_size_of_the_wrong_type_is_refused(client, auth, practice, size):
    auth.login_as(practice.trainee)
    response = client.post("/media/uploads", headers={**TUS, "Upload-Length": size})
    assert response.status_code == 400
    assert "whole number of bytes" in response.get_data(as_text=True)
