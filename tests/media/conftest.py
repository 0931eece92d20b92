"""Fixtures for dyad video tests: small clips made by the bundled ffmpeg, never committed."""

import base64
from datetime import date, timedelta

import pytest

from course.curriculum.media import make_stand_in_clip
from course.curriculum.services import get_curriculum
from course.media import services


@pytest.fixture(scope="session")
def clip(tmp_path_factory):
    """A 3-second H.264/AAC MP4, as a phone might record (already web-playable)."""
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    make_stand_in_clip(path, seconds=3)
    return path


@pytest.fixture(scope="session")
def mov_clip(tmp_path_factory):
    """A 2-second MPEG-4 Part 2 video in a .mov: it needs converting to play on the web."""
    import subprocess

    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("clips") / "clip.mov"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=10",
            "-t",
            "2",
            "-c:v",
            "mpeg4",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture
def practice(app, make):
    """A Level 2 pair whose practice weeks are open, with a consent recorded by the trainee."""
    trainee = make.make_level_two_trainee()
    partner = make.make_level_two_trainee(agency=trainee.agency)
    mentor = make.make_user(make.Role.MASTER_TRAINER)
    group = make.make_group(
        mentor, [trainee, partner], start_date=date.today() - timedelta(days=70)
    )
    unit = get_curriculum().level("level-2").units[5]  # week 6, the first practice week
    consent = services.record_consent(
        trainee,
        "level-2",
        "Family B",
        date.today() - timedelta(days=3),
        date.today() + timedelta(days=200),
        covers_partner=False,
        covers_training=False,
        attested=True,
    )
    return type(
        "Practice",
        (),
        dict(
            trainee=trainee,
            partner=partner,
            mentor=mentor,
            group=group,
            unit=unit,
            consent=consent,
        ),
    )


@pytest.fixture
def upload(practice):
    """Upload a file through the services (as the browser would, in one chunk)."""

    def do(path, name=None, who=None):
        video = services.start_upload(
            who or practice.trainee,
            practice.unit,
            practice.consent,
            path.stat().st_size,
            name or path.name,
        )
        with path.open("rb") as stream:
            services.append_chunk(video, 0, stream, path.stat().st_size)
        return video

    return do


TUS = {"Tus-Resumable": "1.0.0"}


def tus_metadata(**values) -> str:
    """An Upload-Metadata header: ``key base64(value)`` pairs, comma-separated."""
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode()}" for key, value in values.items()
    )


@pytest.fixture
def begin(client, practice):
    """Announce an upload as a tus client does (creation); return the response."""

    def do(size, filename="visit.mp4", **metadata):
        metadata = {
            "unit": practice.unit.slug,
            "consent": practice.consent.public_id,
            "filename": filename,
        } | metadata
        return client.post(
            "/media/uploads",
            headers={
                **TUS,
                "Upload-Length": str(size),
                "Upload-Metadata": tus_metadata(**metadata),
            },
        )

    return do


@pytest.fixture
def send(client):
    """Send one chunk as a tus client does (PATCH at Upload-Offset); return the response."""

    def do(url, data, offset, **extra):
        return client.patch(
            url,
            data=data,
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            **extra,
        )

    return do
