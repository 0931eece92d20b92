"""The S3-compatible backend, against a real S3 protocol server on 127.0.0.1 (moto).

The same journeys as the local store: a resumable upload in parts, checking,
processing, Range playback through the app or by pre-signed URL, and deletion that
leaves no object and no unfinished multipart upload behind.
"""

import hashlib
import os
import secrets
import socket
import urllib.request

import pytest
from sqlalchemy import select

from course.audit.models import AuditEvent
from course.extensions import db
from course.media import services
from course.media.models import DyadVideo, VideoStatus

PART = 32 * 1024  # small parts keep the test quick; production uses 8 MiB


@pytest.fixture(scope="session")
def s3_endpoint():
    """Start moto's S3 server in this process on a free loopback port."""
    # moto reads its smallest allowed part size when imported: let small parts through.
    os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", str(PART))
    try:
        from moto.server import ThreadedMotoServer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"S3-compatible test server (moto) could not start: {exc!r}")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(app, s3_endpoint, monkeypatch):
    """Switch the app to the S3 backend on a fresh bucket; return a boto3 client."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")  # noqa: S105 (test server)
    bucket = f"pfr-{secrets.token_hex(6)}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    app.config.update(
        COURSE_STORAGE_BACKEND="s3",
        COURSE_S3_BUCKET=bucket,
        COURSE_S3_ENDPOINT_URL=s3_endpoint,
        COURSE_S3_REGION="us-east-1",
        COURSE_S3_PREFIX="dyad/",
        COURSE_UPLOAD_PART_SIZE=PART,
    )
    app.extensions.pop(services.STORAGE_KEY, None)
    client.bucket = bucket
    return client


def objects(s3):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=s3.bucket).get("Contents", []))


def unfinished_uploads(s3):
    return s3.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", [])


def upload_in_chunks(begin, send, path, name="visit.mov", chunk=5_000):
    """Send the file in chunks that never line up with the store's parts."""
    data = path.read_bytes()
    begun = begin(len(data), name)
    assert begun.status_code == 201, begun.get_data(as_text=True)
    url, offset = begun.headers["Location"], 0
    while offset < len(data):
        answer = send(url, data[offset : offset + chunk], offset)
        assert answer.status_code == 204, answer.get_data(as_text=True)
        offset = int(answer.headers["Upload-Offset"])
    return db.session.scalar(select(DyadVideo).where(DyadVideo.public_id == url.rsplit("/", 1)[1]))


def test_a_chunked_upload_becomes_one_object_and_a_playable_video(
    s3, client, auth, practice, mov_clip, begin, send
):
    auth.login_as(practice.trainee)
    video = upload_in_chunks(begin, send, mov_clip)
    assert mov_clip.stat().st_size > 2 * PART  # it really went up in several parts
    assert video.status == VideoStatus.READY
    assert video.sha256 == hashlib.sha256(mov_clip.read_bytes()).hexdigest()
    assert video.playable_key != video.storage_key  # the .mov was converted to MP4
    keys = {f"dyad/{k}" for k in (video.storage_key, video.playable_key, video.poster_key)}
    assert set(objects(s3)) == keys
    assert unfinished_uploads(s3) == []
    original = s3.get_object(Bucket=s3.bucket, Key=f"dyad/{video.storage_key}")["Body"].read()
    assert original == mov_clip.read_bytes()


def test_chunks_that_end_mid_part_are_kept_and_leave_no_waiting_bytes(
    s3, client, auth, practice, clip, begin, send
):
    auth.login_as(practice.trainee)
    data = clip.read_bytes()
    url = begin(len(data)).headers["Location"]
    short = send(url, data[: PART + 100], 0)
    assert short.headers["Upload-Offset"] == str(PART + 100)  # every byte that arrived
    key = db.session.scalar(select(DyadVideo.storage_key))
    assert [k for k in objects(s3) if ".tail-" in k] == [f"dyad/{key}.tail-{PART + 100}"]
    assert send(url, data[PART + 100 : PART + 150], PART + 100).status_code == 204
    assert [k for k in objects(s3) if ".tail-" in k] == [f"dyad/{key}.tail-{PART + 150}"]
    rest = send(url, data[PART + 150 :], PART + 150)
    assert rest.status_code == 204
    video = db.session.scalar(select(DyadVideo))
    assert video.status == VideoStatus.READY
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    assert not [k for k in objects(s3) if ".tail-" in k]


def test_playback_streams_ranges_through_the_app(s3, client, auth, practice, clip, upload):
    video = upload(clip)
    auth.login_as(practice.trainee)
    whole = client.get(f"/media/videos/{video.public_id}/stream")
    data = whole.data  # the stripped copy, re-wrapped from the upload (never the original)
    assert whole.status_code == 200 and data[4:8] == b"ftyp" and data != clip.read_bytes()
    assert "no-store" in whole.headers["Cache-Control"]
    part = client.get(f"/media/videos/{video.public_id}/stream", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part.data == data[100:200]
    beyond = client.get(
        f"/media/videos/{video.public_id}/stream", headers={"Range": f"bytes={len(data) + 5}-"}
    )
    assert beyond.status_code == 416
    download = client.get(f"/media/videos/{video.public_id}/download")
    assert download.data == data
    assert "attachment" in download.headers["Content-Disposition"]
    poster = client.get(f"/media/videos/{video.public_id}/poster.jpg")
    assert poster.status_code == 200 and poster.data[:2] == b"\xff\xd8"  # a JPEG


def test_presigned_playback_redirects_after_the_check_and_the_audit(
    app, s3, client, auth, practice, clip, upload, s3_endpoint
):
    app.config["COURSE_VIDEO_DELIVERY"] = "presigned"
    video = upload(clip)
    auth.login_as(practice.trainee)
    answer = client.get(f"/media/videos/{video.public_id}/stream")
    assert answer.status_code == 302
    url = answer.headers["Location"]
    assert url.startswith(s3_endpoint) and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url) as fetched:  # noqa: S310 (the test server)
        served = fetched.read()
    assert served[4:8] == b"ftyp" and served != clip.read_bytes()  # the stripped copy
    streams = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "video.stream"))
    assert [e.object_id for e in streams] == [video.public_id]

    auth.logout()
    auth.login_as(practice.partner)  # consent does not cover the partner: no URL at all
    assert client.get(f"/media/videos/{video.public_id}/stream").status_code == 404


def test_deleting_a_video_deletes_every_object(s3, practice, clip, mov_clip, upload):
    video = upload(mov_clip)
    assert len(objects(s3)) == 3
    services.delete_video(video, practice.trainee, "deleted-by-user")
    assert objects(s3) == []


def test_rejected_and_abandoned_uploads_leave_nothing_behind(s3, practice, tmp_path, upload, app):
    fake = tmp_path / "visit.mp4"
    fake.write_bytes(b"not a film\n" * 20_000)
    with pytest.raises(services.MediaError, match="not a video"):
        upload(fake)
    abandoned = services.start_upload(
        practice.trainee, practice.unit, practice.consent, 5 * PART, "b.mp4"
    )
    assert len(unfinished_uploads(s3)) == 1
    services.delete_video(abandoned, None, "upload-abandoned")
    assert objects(s3) == [] and unfinished_uploads(s3) == []


@pytest.mark.parametrize(
    ("settings", "origin"),
    [
        ({"COURSE_STORAGE_BACKEND": "s3", "COURSE_VIDEO_DELIVERY": "proxy"}, None),
        ({"COURSE_STORAGE_BACKEND": "local", "COURSE_VIDEO_DELIVERY": "presigned"}, None),
        (
            {
                "COURSE_STORAGE_BACKEND": "s3",
                "COURSE_VIDEO_DELIVERY": "presigned",
                "COURSE_S3_ENDPOINT_URL": "https://objects.example.org:9000",
            },
            "https://objects.example.org:9000",
        ),
        (
            {"COURSE_STORAGE_BACKEND": "s3", "COURSE_VIDEO_DELIVERY": "presigned"},
            "https://*.amazonaws.com",
        ),
    ],
)
def test_pages_may_load_media_from_the_store_only_with_presigned_delivery(settings, origin):
    from course.security import content_security_policy

    policy = dict(p.split(" ", 1) for p in content_security_policy(settings).split("; "))
    if origin is None:
        assert policy["media-src"] == "'self' blob:" and policy["img-src"] == "'self' data:"
    else:
        assert origin in policy["media-src"].split() and origin in policy["img-src"].split()
        assert "'self'" in policy["media-src"].split()
    assert policy["script-src"] == "'self'"  # never widened


@pytest.fixture
def frozen_store():
    """An address that accepts connections and never answers (a paused S3 server)."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # read nothing, answer nothing
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    listener.close()


def test_a_frozen_store_answers_503_quickly_and_other_pages_work(
    s3, app, client, auth, practice, clip, upload, frozen_store
):
    video = upload(clip)
    auth.login_as(practice.trainee)
    app.config.update(
        COURSE_S3_ENDPOINT_URL=frozen_store,
        COURSE_S3_CONNECT_TIMEOUT=1,
        COURSE_S3_READ_TIMEOUT=1,
        COURSE_S3_MAX_ATTEMPTS=1,
    )
    app.extensions.pop(services.STORAGE_KEY, None)

    answer = client.get(f"/media/videos/{video.public_id}/stream")

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    assert "Videos are out of reach for a moment" in answer.get_data(as_text=True)
    assert client.get("/training").status_code == 200  # a page without video


def test_the_store_client_has_short_timeouts_and_few_retries(s3, app):
    store = services.storage()
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 10)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
