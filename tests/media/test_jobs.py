"""Video processing as a background job: retries, idempotence, status, and RQ on Redis.

The RQ tests talk to the real Redis of the machine (TEST_REDIS_URL, by default
database 15 on 127.0.0.1) and are skipped with a clear line when none answers.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from config import TestConfig
from course import jobs
from course.extensions import db
from course.media import probe, services
from course.media.models import JobState, VideoStatus
from tests.conftest import create_tables, drop_tables

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def failing_once(real):
    """Wrap an ffmpeg step so that its first call fails as a broken conversion would."""
    calls = []

    def step(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise subprocess.CalledProcessError(1, "ffmpeg")
        return real(*args, **kwargs)

    return step


def test_a_failed_run_is_retried_and_the_video_becomes_ready(
    app, practice, mov_clip, upload, monkeypatch
):
    monkeypatch.setattr(probe, "make_playable", failing_once(probe.make_playable))
    video = upload(mov_clip)
    assert video.status == VideoStatus.READY
    assert video.job_state == JobState.DONE and video.job_attempts == 2
    assert video.job_error is None
    assert services.storage().exists(video.playable_key)


def test_after_the_last_retry_the_video_fails_with_its_reason(
    app, client, auth, practice, mov_clip, upload, monkeypatch
):
    app.config["COURSE_JOB_RETRIES"] = 1

    def broken(*args, **kwargs):
        raise subprocess.CalledProcessError(1, "ffmpeg")

    monkeypatch.setattr(probe, "make_playable", broken)
    video = upload(mov_clip)
    assert video.status == VideoStatus.FAILED
    assert video.job_state == JobState.FAILED and video.job_attempts == 2
    assert video.job_error == "the video converter could not read this recording"
    assert video.storage_key is None and video.playable_key is None  # nothing half-made
    assert not any(services.storage().root.joinpath("videos").rglob("*.*"))

    auth.login_as(practice.trainee)
    status = client.get(f"/media/videos/{video.public_id}/status").json
    assert status["job"] == "failed" and status["job_error"] == video.job_error


def test_a_run_after_a_crash_keeps_what_was_stored_and_makes_the_rest(
    app, practice, mov_clip, upload
):
    video = upload(mov_clip)
    playable, poster = video.playable_key, video.poster_key
    # As if the worker died after storing the MP4 but before the poster.
    services.storage().delete(poster)
    video.poster_key, video.status = None, VideoStatus.PROCESSING
    db.session.commit()
    services.process_video(video.id)
    assert video.status == VideoStatus.READY
    assert video.playable_key == playable  # not converted twice
    assert video.poster_key not in (None, poster) and services.storage().exists(video.poster_key)
    services.process_video(video.id)  # a duplicate delivery of the job changes nothing
    assert video.job_attempts == 2


def test_site_admins_see_waiting_and_failed_jobs_and_can_requeue(
    app, client, auth, make, practice, clip
):
    video = services.start_upload(
        practice.trainee, practice.unit, practice.consent, clip.stat().st_size, "a.mp4"
    )
    video.status = VideoStatus.PROCESSING  # as if stuck: its bytes never arrived
    video.job_state = JobState.RUNNING
    db.session.commit()
    auth.login_as(make.make_site_admin())
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert video.public_id in page and "Being prepared now" in page
    assert "Family B" not in page  # never the dyad's pseudonym
    answer = client.post(f"/admin/jobs/{video.public_id}/retry")
    assert answer.status_code == 302
    db.session.refresh(video)
    # Its bytes are not in the store: every retry fails, and the admin reads why.
    assert video.job_state == JobState.FAILED
    assert "could not be read" in client.get("/admin/jobs").get_data(as_text=True)


# -- RQ on the real Redis --------------------------------------------------------------


@pytest.fixture
def redis_url():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); RQ tests skipped")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


@pytest.fixture
def app(tmp_path):
    """A file database (or TEST_DATABASE_URL) that a worker process can share."""
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    app = create_app(type("SharedDatabase", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database}))
    app.config["COURSE_UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        create_tables()
        yield app
        drop_tables()


def test_with_rq_the_upload_queues_a_job_that_a_worker_runs(
    app, client, auth, practice, clip, upload, redis_url
):
    from rq import SimpleWorker

    app.config.update(COURSE_JOB_BACKEND="rq", COURSE_REDIS_URL=redis_url)
    video = upload(clip)
    assert video.status == VideoStatus.PROCESSING and video.job_state == JobState.QUEUED
    assert jobs.queue_counts(app) == {"queued": 1, "running": 0, "failed": 0}
    auth.login_as(practice.trainee)
    assert "Waiting its turn" in client.get(f"/media/videos/{video.public_id}").get_data(
        as_text=True
    )

    jobs.set_worker_app(app)
    queue = jobs.rq_queue(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    assert video.status == VideoStatus.READY and video.job_state == JobState.DONE
    assert jobs.queue_counts(app)["queued"] == 0


def test_with_rq_the_sweep_is_one_scheduled_job_that_schedules_the_next(
    app, practice, clip, upload, redis_url
):
    """Workers that start together schedule one sweep; each run schedules the next,
    and a video whose job was lost gets queued again by it."""
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    from course import sweeper

    app.config.update(COURSE_JOB_BACKEND="rq", COURSE_REDIS_URL=redis_url, COURSE_SWEEP_MINUTES=5)
    queue = jobs.rq_queue(app)
    scheduled = ScheduledJobRegistry(queue=queue)
    sweeper.schedule_in_queue(app)
    sweeper.schedule_in_queue(app)  # a second worker starting
    (first,) = scheduled.get_job_ids()

    video = upload(clip)
    queue.empty()  # the worker that took its job died with it
    video.job_updated_at -= timedelta(minutes=app.config["COURSE_JOB_LEASE_MINUTES"] + 1)
    db.session.commit()
    scheduled.remove(first)
    queue.enqueue_job(queue.fetch_job(first))  # the sweep's time has come
    jobs.set_worker_app(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # sweep, then the video
    db.session.expire_all()
    assert video.status == VideoStatus.READY
    (following,) = scheduled.get_job_ids()
    assert following != first and following.startswith("course-sweep-")


def long_mov(tmp_path: Path) -> Path:
    """A 40-second MPEG-4 Part 2 .mov: converting it takes the worker a few seconds."""
    import imageio_ffmpeg

    path = tmp_path / "long.mov"
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-y", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "testsrc2=size=640x360:rate=25", "-t", "40", "-c:v", "mpeg4"),
            str(path),
        ],
        check=True,
    )
    return path


def start_worker(app, redis_url, burst: bool, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "PFR_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_DIR": app.config["COURSE_UPLOAD_DIR"],
        "JOB_BACKEND": "rq",
        "REDIS_URL": redis_url,
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "course", "worker"]
    return subprocess.Popen(  # noqa: S603
        command + (["--burst"] if burst else []),
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: the work horse and ffmpeg too
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants (RQ's work horse has its own session)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    doomed, queue = [], [pid]
    while queue:
        current = queue.pop()
        doomed.append(current)
        queue.extend(child for child, parent in parents.items() if parent == current)
    for victim in doomed:
        with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
            os.kill(victim, signal.SIGKILL)


def wait_for(condition, seconds: float, what: str, log):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting until {what}:\n{Path(log.name).read_text()}")


@pytest.fixture
def log(tmp_path):
    """Where the worker processes write, shown when an assertion fails."""
    with (tmp_path / "worker.log").open("w") as file:
        yield file


def test_a_worker_killed_mid_transcode_leaves_it_processing_and_the_retry_finishes(
    app, practice, upload, redis_url, tmp_path, log
):
    from rq.registry import StartedJobRegistry

    app.config.update(
        COURSE_JOB_BACKEND="rq", COURSE_REDIS_URL=redis_url, COURSE_JOB_RETRY_SECONDS=[0]
    )
    source = long_mov(tmp_path)
    video = upload(source)
    worker = start_worker(app, redis_url, burst=False, log=log)
    try:
        wait_for(lambda: video.job_state == JobState.RUNNING, 60, "the job runs", log)
        time.sleep(0.5)  # into the conversion
    finally:
        kill_tree(worker.pid)  # as a crashed host would: worker, work horse and ffmpeg
        worker.wait(10)
    db.session.expire_all()
    assert video.status == VideoStatus.PROCESSING and video.playable_key is None
    assert not list(services.storage().root.joinpath("videos").rglob("*.mp4"))

    # RQ notices the abandoned job once its time is up, and retries it.
    queue = jobs.rq_queue(app)
    StartedJobRegistry(queue=queue).cleanup(time.time() + 10 * 3600)
    assert queue.count == 1
    rerun = start_worker(app, redis_url, burst=True, log=log)
    assert rerun.wait(120) == 0, Path(log.name).read_text()
    db.session.expire_all()
    assert video.status == VideoStatus.READY and video.job_attempts == 2, Path(log.name).read_text()
    playable = probe.probe(services.storage().path(video.playable_key))
    assert playable.web_playable and abs(playable.duration - 40) < 1  # whole, not half


def test_rq_jobs_describe_themselves_without_their_arguments(app, make, redis_url):
    from course.notifications import services as notifications

    app.config.update(COURSE_JOB_BACKEND="rq", COURSE_REDIS_URL=redis_url)
    user = make.make_trainee(email="private.person@example.org")
    notifications.notify(user, "Week 3 is open", "Body", link="/training")
    (job,) = jobs.rq_queue(app).get_jobs()
    assert job.description == "email_notification"  # what the worker logs
    assert "private.person" not in job.description
