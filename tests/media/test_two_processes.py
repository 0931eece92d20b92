"""Uploads from a standard tus client, to one server and alternately to two.

Two gunicorn processes share only the database and the video store, as two app hosts
would; tuspy (a tus 1.0 client from PyPI) sends the chunks, and the video that comes
out is whole.
"""

import contextlib
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import imageio_ffmpeg
import pytest
from sqlalchemy import select

from app import create_app
from config import TestConfig
from course.extensions import db
from course.media.models import DyadVideo, VideoStatus
from tests.conftest import create_tables, drop_tables

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


@pytest.fixture
def app(tmp_path):
    """A database file (or TEST_DATABASE_URL) that the servers share with the test."""
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'shared.sqlite'}"
    app = create_app(type("SharedDatabase", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database}))
    app.config.update(COURSE_UPLOAD_DIR=str(tmp_path / "uploads"), COURSE_UPLOAD_PART_SIZE=MB)
    with app.app_context():
        create_tables()
        yield app
        drop_tables()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_servers(app):
    env = {
        **os.environ,
        "PFR_ENV": "testing",
        "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TEST_UPLOAD_DIR": app.config["COURSE_UPLOAD_DIR"],
        "UPLOAD_PART_MB": "1",
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"]
            + ["--no-control-socket", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"gunicorn on port {port} did not start")
                    time.sleep(0.1)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


def phone_video(path: Path, seconds: int = 9) -> Path:
    """Lossless H.264, about 0.45 MB a second: several parts of 1 MB."""
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"),
            *("-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture
def stack():
    with contextlib.ExitStack() as files:
        yield files


def signed_in_cookie(server: str, email: str, password: str) -> str:
    """Sign in with the HTTP library tuspy uses (the session is bound to the client's
    user agent); return the session cookie to send with each tus request."""
    import requests

    with requests.Session() as browser:
        browser.post(server + "/login", data={"email": email, "password": password}, timeout=30)
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def tus_uploader(server: str, cookie: str, source, practice, chunk: int, url=None):
    """tuspy, a standard tus 1.0 client, as any other program would use it."""
    from tusclient.client import TusClient

    client = TusClient(server + "/media/uploads", headers={"Cookie": cookie})
    return client.uploader(
        file_stream=source,
        url=url,
        chunk_size=chunk,
        metadata={
            "filename": Path(source.name).name,
            "unit": practice.unit.slug,
            "consent": practice.consent.public_id,
        },
    )


def test_a_standard_tus_client_uploads_in_5_mib_chunks(app, two_servers, practice, make, tmp_path):
    """tuspy creates the upload and sends 5 MiB chunks to a server storing 1 MiB parts."""
    source = phone_video(tmp_path / "visit.mp4", seconds=30)
    data = source.read_bytes()
    assert len(data) > 2 * 5 * MB  # three chunks or more
    first, _ = two_servers
    cookie = signed_in_cookie(first, practice.trainee.email, make.PASSWORD)
    with source.open("rb") as stream:
        uploader = tus_uploader(first, cookie, stream, practice, chunk=5 * MB)
        uploader.upload()
    assert uploader.offset == len(data)

    db.session.expire_all()
    video = db.session.scalar(select(DyadVideo))
    assert uploader.url.endswith(f"/media/uploads/{video.public_id}")
    assert video.status == VideoStatus.READY
    assert video.sha256 == hashlib.sha256(data).hexdigest()


def test_chunks_sent_alternately_to_two_servers_make_one_whole_video(
    app, two_servers, practice, make, tmp_path, stack
):
    """Each chunk goes to the other server, in sizes that do not line up with the parts."""
    source = phone_video(tmp_path / "visit.mp4")
    data = source.read_bytes()
    assert len(data) > 3 * MB
    cookie = signed_in_cookie(two_servers[0], practice.trainee.email, make.PASSWORD)
    stream = stack.enter_context(source.open("rb"))
    uploader = tus_uploader(two_servers[0], cookie, stream, practice, chunk=700_000)
    uploader.set_url(uploader.create_url())  # tus creation, on the first server
    path, servers_used = urllib.parse.urlsplit(uploader.url).path, []
    while uploader.offset < len(data):
        server = two_servers[len(servers_used) % 2]
        servers_used.append(server)
        uploader = tus_uploader(server, cookie, stream, practice, 700_000, url=server + path)
        uploader.upload_chunk()  # asks this server for the offset, then sends one chunk
    assert servers_used[:2] == two_servers and len(servers_used) >= 5

    db.session.expire_all()
    video = db.session.scalar(select(DyadVideo))
    assert video.status == VideoStatus.READY
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    stored = Path(app.config["COURSE_UPLOAD_DIR"], "dyad", "videos", video.storage_key[:2])
    assert (stored / video.storage_key).read_bytes() == data
