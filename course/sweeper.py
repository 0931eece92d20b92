"""Every few minutes, carry on what a killed process left half-done: videos whose
upload or job was cut off (``media.services.sweep``) and notification emails that
were never handed to the job queue (``notifications.services.send_unsent``).

Each app process starts it on its first request when jobs run in-process (the
``thread`` backend: a restarted process then picks up what its predecessor lost).
With RQ it is a job that schedules its next run (a thread in the worker would not
survive RQ's fork of each job); workers schedule the first. Cron's ``flask course
purge`` runs it too.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app

logger = logging.getLogger("pfr.sweep")
_started_in: int | None = None  # the process that runs it (a fork needs its own)


def start(app: Flask) -> None:
    """Start the sweep in this process, once; ``SWEEP_MINUTES = 0`` turns it off."""
    global _started_in
    minutes = app.config.get("COURSE_SWEEP_MINUTES", 0)
    if not minutes or _started_in == os.getpid():
        return
    _started_in = os.getpid()
    threading.Thread(target=_every, args=(app, minutes * 60), name="pfr-sweep", daemon=True).start()


def start_with_requests(app: Flask) -> None:
    """With in-process jobs, each app process sweeps from its first request on."""
    if app.config.get("COURSE_JOB_BACKEND", "thread") != "thread":
        return

    @app.before_request
    def _sweep_in_this_process():
        start(app)


def schedule_in_queue(app: Flask, after: int = 0) -> None:
    """Put the next sweep in RQ's schedule, once however many workers ask.

    Runs are named by their time slot, so workers starting together, or a run that
    schedules its successor, name the same job and RQ keeps one.
    """
    minutes = app.config.get("COURSE_SWEEP_MINUTES", 0)
    if not minutes:
        return
    from course import jobs

    every = minutes * 60
    slot = max(int(time.time() // every), after) + 1  # never the running job's own slot
    jobs.rq_queue(app).enqueue_at(
        datetime.fromtimestamp(slot * every, UTC),
        jobs.run,
        f"{__name__}:sweep_job",
        slot,
        job_id=f"course-sweep-{slot}",
        description="sweep",
    )


def sweep_job(slot: int) -> None:
    """The RQ job: sweep, then schedule the next sweep (even if this one failed)."""
    app = current_app._get_current_object()
    try:
        sweep_all()
    finally:
        schedule_in_queue(app, after=slot)


def sweep_all() -> dict[str, int]:
    """One sweep of everything (inside an app context); what it did goes in the log."""
    from course.media.services import sweep as sweep_videos
    from course.notifications.services import send_unsent

    done = sweep_videos() | {"emails": send_unsent()}
    if any(done.values()):
        logger.info("sweep: %s", done)
    return done


def _every(app: Flask, seconds: float) -> None:
    from course.extensions import db

    while True:
        with app.app_context():
            try:
                sweep_all()
            except Exception:
                logger.exception("sweep failed; trying again later")
            finally:
                db.session.remove()
        time.sleep(seconds)
