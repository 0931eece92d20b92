"""Any request on any process: one upload whose chunks go to two separate servers.

Two gunicorn processes share only the database and the video store, as two app hosts
would; the chunks alternate between them and the video that comes out is whole.
"""

import hashlib
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
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


def phone_video(path: Path) -> Path:
    """About 4 MB of lossless H.264: several parts of 1 MB."""
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"),
            *("-t", "9", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", str(path)),
        ],
        check=True,
    )
    return path


def test_chunks_sent_alternately_to_two_servers_make_one_whole_video(
    app, two_servers, practice, make, tmp_path
):
    source = phone_video(tmp_path / "visit.mp4")
    data = source.read_bytes()
    assert len(data) > 3 * MB
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def send(server, method, path, body=None, headers=None):
        request = urllib.request.Request(  # noqa: S310 (loopback test servers)
            server + path, data=body, method=method, headers=headers or {}
        )
        with browser.open(request) as answer:
            return json.loads(answer.read() or b"{}")

    first, second = two_servers
    login = f"email={practice.trainee.email}&password={make.PASSWORD}".encode()
    browser.open(first + "/login", login).close()  # noqa: S310
    begun = send(
        first,
        "POST",
        "/media/uploads",
        json.dumps(
            {
                "unit": practice.unit.slug,
                "consent": practice.consent.public_id,
                "size": len(data),
                "filename": "visit.mp4",
            }
        ).encode(),
        {"Content-Type": "application/json"},
    )
    offset, servers_used = 0, []
    while offset < len(data):
        server = two_servers[len(servers_used) % 2]
        servers_used.append(server)
        answer = send(
            server,
            "PATCH",
            begun["url"],
            data[offset : offset + begun["chunk_size"]],
            {"Upload-Offset": str(offset)},
        )
        offset = answer["offset"]
    assert servers_used[:2] == [first, second] and len(servers_used) >= 4

    db.session.expire_all()
    video = db.session.scalar(select(DyadVideo).where(DyadVideo.public_id == begun["id"]))
    assert video.status == VideoStatus.READY
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    stored = Path(app.config["COURSE_UPLOAD_DIR"], "dyad", "videos", video.storage_key[:2])
    assert (stored / video.storage_key).read_bytes() == data
