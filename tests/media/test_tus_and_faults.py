"""The tus 1.0 protocol's rules, and uploads and jobs that a crash, a full disk or a
greedy client would otherwise leave stuck (issue #19 items 2, 3, 5, 9 and 15).

A real tus client (tuspy) uploading to live servers is in test_two_processes.py.
"""

import errno
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from course.extensions import db
from course.media import probe, services
from course.media.models import DyadVideo, JobState, VideoStatus
from course.media.storage import LocalStorage
from course.timeutil import utcnow
from tests.media.conftest import TUS


@pytest.fixture
def started(client, auth, practice, clip, begin):
    """A signed-in trainee's upload of the clip, announced; its address and bytes."""
    auth.login_as(practice.trainee)
    data = clip.read_bytes()
    response = begin(len(data))
    assert response.status_code == 201
    return response.headers["Location"], data


def the_video() -> DyadVideo:
    db.session.expire_all()
    return db.session.scalar(select(DyadVideo))


# -- the protocol ---------------------------------------------------------------------


def test_options_tells_what_the_server_speaks_without_a_sign_in(client, app):
    answer = client.options("/media/uploads")
    assert answer.status_code == 204
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {"creation", "termination"}
    assert int(answer.headers["Tus-Max-Size"]) == app.config["COURSE_MAX_UPLOAD_MB"] * 2**20


def test_creation_answers_201_with_a_location_and_the_protocol_version(started, client):
    url, data = started
    assert re.fullmatch(r"/media/uploads/[\w-]{16,}", url)
    head = client.head(url, headers=TUS)
    assert head.headers["Tus-Resumable"] == "1.0.0"
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", str(len(data)))


def test_a_chunk_without_the_tus_content_type_is_refused(started, client):
    url, data = started
    answer = client.patch(url, data=data[:100], headers={**TUS, "Upload-Offset": "0"})
    assert answer.status_code == 415
    assert "application/offset+octet-stream" in answer.get_data(as_text=True)
    assert the_video().received == 0


def test_a_request_without_tus_resumable_gets_412_and_the_version(started, client, send):
    url, data = started
    answer = client.patch(url, data=data[:10], headers={"Upload-Offset": "0"})
    assert answer.status_code == 412 and answer.headers["Tus-Version"] == "1.0.0"


def test_chunks_of_any_size_make_the_whole_file(app, started, send):
    app.config["COURSE_UPLOAD_PART_SIZE"] = 4096
    url, data = started
    offset = 0
    for size in (1, 4095, 7000, 3, 50_000):  # none lines up with the 4 KiB parts
        answer = send(url, data[offset : offset + size], offset)
        offset += size
        assert answer.status_code == 204 and answer.headers["Upload-Offset"] == str(offset)
    assert send(url, data[offset:], offset).status_code == 204
    video = the_video()
    assert video.status == VideoStatus.READY
    assert services.storage().path(video.storage_key).read_bytes() == data


def test_delete_cancels_the_upload_and_its_bytes(app, started, client, send):
    url, data = started
    send(url, data[:1000], 0)
    answer = client.delete(url, headers=TUS)
    assert answer.status_code == 204
    video = the_video()
    assert video.status == VideoStatus.DELETED and video.deleted_reason == "upload-cancelled"
    assert not list((services.storage().root / "partial").glob("*"))
    assert client.head(url, headers=TUS).status_code == 410
    assert send(url, data[1000:2000], 1000).status_code == 410


def test_the_page_cancels_an_unfinished_upload_after_asking(started, client, send, practice):
    url, data = started
    send(url, data[:1000], 0)
    page = client.get(f"/units/{practice.unit.slug}/videos/new").get_data(as_text=True)
    assert "Uploads not finished" in page and 'data-confirm="Cancel this upload?' in page
    answer = client.post(url + "/cancel")
    assert answer.status_code == 302
    assert the_video().status == VideoStatus.DELETED


def test_csrf_protects_every_tus_request(app, started, client, send):
    url, data = started
    app.config["WTF_CSRF_ENABLED"] = True
    assert send(url, data[:100], 0).status_code == 400  # no token: a forged request
    page = client.get("/training").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"|csrf_token" value="([^"]+)"', page)
    token = next(group for group in token.groups() if group)
    answer = client.patch(
        url,
        data=data[:100],
        headers={
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "X-CSRFToken": token,
        },
    )
    assert answer.status_code == 204


def test_only_the_trainee_who_started_an_upload_reaches_it(
    started, client, auth, practice, send, make
):
    url, data = started
    for other in (
        practice.partner,
        make.make_level_two_trainee(),
    ):
        auth.logout()
        auth.login_as(other)
        assert client.head(url, headers=TUS).status_code == 404
        assert send(url, data[:100], 0).status_code == 404
        assert client.delete(url, headers=TUS).status_code == 404
    for staff in (practice.mentor, make.make_user(make.Role.SITE_ADMIN)):
        auth.logout()
        auth.login_as(staff)
        assert client.head(url, headers=TUS).status_code == 403
        assert client.delete(url, headers=TUS).status_code == 403
    assert the_video().received == 0 and the_video().status == VideoStatus.UPLOADING


# -- item 2: an upload killed while it is being finished -------------------------------


@pytest.fixture
def stranded(started, send, monkeypatch):
    """Every byte is stored, then the process dies while the file is being checked."""
    url, data = started
    real = probe.probe

    def dies(*args):
        raise SystemExit("killed while finishing")

    monkeypatch.setattr(probe, "probe", dies)
    with pytest.raises(SystemExit):
        send(url, data, 0)
    monkeypatch.setattr(probe, "probe", real)
    video = the_video()
    assert (video.status, video.received) == (VideoStatus.UPLOADING, len(data))
    return url, data


def test_a_repeated_final_request_finishes_a_stranded_upload(stranded, client, send):
    url, data = stranded
    head = client.head(url, headers=TUS)
    assert head.headers["Upload-Offset"] == str(len(data))  # the client sees every byte there
    assert send(url, b"", len(data)).status_code == 204
    assert the_video().status == VideoStatus.READY


def test_the_page_after_the_upload_finishes_a_stranded_one(stranded, client):
    url, _ = stranded
    answer = client.get(url)
    video = the_video()
    assert answer.headers["Location"] == f"/media/videos/{video.public_id}"
    assert video.status == VideoStatus.READY


def test_the_sweep_finishes_a_stranded_upload_and_the_purge_keeps_it(app, stranded):
    video = the_video()
    assert services.sweep()["finished"] == 0  # just now: perhaps still being finished
    video.received_at = utcnow() - timedelta(minutes=5)
    video.created_at = utcnow() - timedelta(hours=services.STALE_UPLOAD_HOURS + 1)
    db.session.commit()
    assert services.purge()["abandoned"] == 0
    video = the_video()
    assert video.status == VideoStatus.READY
    assert services.storage().exists(video.storage_key)


# -- item 3: jobs lost with their process ------------------------------------------------


def test_the_sweep_queues_again_a_job_that_stopped_reporting(app, practice, clip, upload):
    video = upload(clip)
    video.status, video.job_state = VideoStatus.PROCESSING, JobState.RUNNING  # then killed
    video.playable_key = video.poster_key = None
    video.job_updated_at = utcnow() - timedelta(minutes=3)
    db.session.commit()
    assert services.sweep()["requeued"] == 0  # within the lease: perhaps still running
    video.job_updated_at = utcnow() - timedelta(minutes=app.config["COURSE_JOB_LEASE_MINUTES"] + 1)
    db.session.commit()
    assert services.sweep()["requeued"] == 1
    video = the_video()
    assert video.status == VideoStatus.READY and video.playable_key


def test_a_queue_that_is_down_at_upload_end_loses_no_video(app, started, send):
    url, data = started
    app.config.update(COURSE_JOB_BACKEND="rq", COURSE_REDIS_URL="redis://127.0.0.1:1/0")
    app.extensions.pop("course_rq_queue", None)
    answer = send(url, data, 0)
    assert answer.status_code == 204  # the upload itself succeeded
    video = the_video()
    assert (video.status, video.job_state) == (VideoStatus.PROCESSING, JobState.QUEUED)
    app.config.update(COURSE_JOB_BACKEND="sync")  # the queue is back
    video.job_updated_at -= timedelta(minutes=app.config["COURSE_JOB_LEASE_MINUTES"] + 1)
    db.session.commit()
    services.sweep()
    assert the_video().status == VideoStatus.READY


def test_a_running_job_reports_so_the_sweep_leaves_it_alone(
    app, practice, clip, upload, monkeypatch
):
    app.config["COURSE_JOB_LEASE_MINUTES"] = 0.01  # a beat every 0.15 s
    seen = []

    def slow(store, video):
        started_at = db.session.scalar(select(DyadVideo.job_updated_at))
        import time

        time.sleep(0.8)
        db.session.rollback()
        seen.append((started_at, db.session.scalar(select(DyadVideo.job_updated_at))))

    monkeypatch.setattr(services, "_make_derivatives", slow)
    upload(clip)
    ((before, during),) = seen
    assert during > before


# -- item 5: a full disk -------------------------------------------------------------------


def test_a_full_disk_answers_507_and_gives_the_space_back(app, started, send, monkeypatch):
    url, data = started
    send(url, data[:1000], 0)

    def fills_up(out, piece):
        out.write(piece[: len(piece) // 2])  # half fits, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LocalStorage, "_append", staticmethod(fills_up))
    answer = send(url, data[1000:], 1000)
    assert answer.status_code == 507
    assert "storage is full" in answer.get_data(as_text=True)
    assert answer.headers["Upload-Offset"] == "1000"
    video = the_video()
    assert video.received == 1000
    partial = services.storage().root / "partial" / f"{video.storage_key}.part"
    assert partial.stat().st_size == 1000  # the bytes past the saved offset are gone


def test_an_upload_the_disk_cannot_hold_is_refused_before_any_byte(
    app, client, auth, practice, begin
):
    auth.login_as(practice.trainee)
    free = services.storage().free_bytes()
    app.config["COURSE_DISK_RESERVE_MB"] = free // 2**20  # leaves no room for a copy
    answer = begin(50 * 2**20)
    assert answer.status_code == 507
    assert db.session.scalar(select(DyadVideo.id)) is None


def test_a_conversion_out_of_space_keeps_the_original_and_waits(
    app, practice, clip, upload, monkeypatch
):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    real = probe.make_playable
    monkeypatch.setattr(probe, "make_playable", no_space)
    video = upload(clip)
    video = the_video()
    assert video.status == VideoStatus.PROCESSING  # never "not a video", never deleted
    assert video.job_state == JobState.RETRYING and "disk space" in video.job_error
    assert services.storage().exists(video.storage_key)
    assert video in services.videos_needing_attention()  # the site admins see why
    monkeypatch.setattr(probe, "make_playable", real)  # space is freed
    video.job_updated_at -= timedelta(minutes=app.config["COURSE_JOB_LEASE_MINUTES"] + 1)
    db.session.commit()
    services.sweep()
    assert the_video().status == VideoStatus.READY


# -- item 15: a quota on unfinished uploads ------------------------------------------------


def test_unfinished_uploads_are_limited_in_number_and_in_bytes(app, client, auth, practice, begin):
    auth.login_as(practice.trainee)
    limit = app.config["COURSE_MAX_PENDING_UPLOADS"]
    urls = [begin(1000).headers["Location"] for _ in range(limit)]
    refused = begin(1000)
    assert refused.status_code == 429
    assert f"You have {limit} uploads that have not finished" in refused.get_data(as_text=True)
    client.delete(urls[0], headers=TUS)
    assert begin(1000).status_code == 201  # cancelling one frees a place

    client.delete(urls[1], headers=TUS)
    app.config["COURSE_MAX_PENDING_UPLOAD_MB"] = 1
    too_much = begin(2**20)  # 2 000 bytes already announced, plus a whole MB
    assert too_much.status_code == 413 and "Finish or cancel" in too_much.get_data(as_text=True)
