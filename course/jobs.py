"""Background jobs: video processing and emails, on the backend ``JOB_BACKEND`` names.

- ``thread`` (the embedded default): a small pool inside each app process. A job in
  flight is lost if the process stops; the sweep (course/sweeper.py) queues it
  again once it stops reporting.
- ``sync``: in the request itself (tests, debugging).
- ``rq``: RQ on ``REDIS_URL``; ``flask --app app course worker`` runs the workers. Jobs
  survive restarts, a job whose worker died is queued again by the sweep the worker
  runs, and RQ's registries show what is queued, running and failed.

Every backend tries a failing job again, ``JOB_RETRIES`` times. Job functions must be
idempotent and take plain arguments (ids, strings): RQ stores them in Redis.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

logger = logging.getLogger("pfr.jobs")

QUEUE_NAME = "pfr-learn"
_pool: ThreadPoolExecutor | None = None
_worker_app: Flask | None = None
_worker_pid: int | None = None


def enqueue(func, *args, job_id: str | None = None) -> None:
    """Run ``func(*args)`` in the background (or now, with ``JOB_BACKEND=sync``)."""
    app = current_app._get_current_object()
    backend = app.config.get("COURSE_JOB_BACKEND", "thread")
    retries = app.config.get("COURSE_JOB_RETRIES", 3)
    if backend == "sync":
        _run_with_retries(func, args, retries, pause=0)
    elif backend == "thread":
        _thread_pool().submit(_in_app_context, app, func, args, retries)
    elif backend == "rq":
        from rq import Retry

        rq_queue(app).enqueue(
            run,
            _dotted(func),
            *args,
            job_id=job_id,
            retry=Retry(max=retries, interval=app.config.get("COURSE_JOB_RETRY_SECONDS", [0]))
            if retries
            else None,
            job_timeout=app.config.get("COURSE_JOB_TIMEOUT_SECONDS", 3600),
            # RQ logs the description: the function's name only, never the arguments
            # (an email's address and text).
            description=func.__name__,
        )
    else:
        raise RuntimeError(f"JOB_BACKEND={backend!r} is not one of thread, sync, rq")


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pfr-job")
    return _pool


def _in_app_context(app: Flask, func, args: tuple, retries: int) -> None:
    with app.app_context():
        _run_with_retries(func, args, retries, pause=2)


def _run_with_retries(func, args: tuple, retries: int, pause: float) -> None:
    for attempt in range(retries + 1):
        try:
            func(*args)
            return
        except Exception:
            logger.exception("job %s failed (attempt %s)", func.__name__, attempt + 1)
            if attempt < retries and pause:
                time.sleep(pause * (attempt + 1))


# -- RQ --------------------------------------------------------------------------------


def redis_connection(app: Flask):
    from redis import Redis

    url = app.config.get("COURSE_REDIS_URL")
    if not url:
        raise RuntimeError("JOB_BACKEND=rq needs REDIS_URL (for example redis://127.0.0.1:6379/0).")
    return Redis.from_url(url)


def rq_queue(app: Flask):
    from rq import Queue

    if "course_rq_queue" not in app.extensions:
        app.extensions["course_rq_queue"] = Queue(QUEUE_NAME, connection=redis_connection(app))
    return app.extensions["course_rq_queue"]


def _dotted(func) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def run(dotted: str, *args) -> None:
    """What an RQ worker executes: the named job function inside the app's context."""
    module, _, name = dotted.partition(":")
    func = getattr(importlib.import_module(module), name)
    with worker_app().app_context():
        func(*args)


def worker_app() -> Flask:
    """The app of this worker; in each forked work horse, with fresh DB connections."""
    global _worker_app, _worker_pid
    if _worker_app is None:
        set_worker_app(_app_from_factory())
    if _worker_pid != os.getpid():  # a forked child must not share the parent's sockets
        with _worker_app.app_context():
            for engine in _worker_app.extensions["sqlalchemy"].engines.values():
                engine.dispose(close=False)
        _worker_pid = os.getpid()
    return _worker_app


def _app_from_factory() -> Flask:
    """A worker started outside ``flask``: build the host's app from the factory that
    COURSE_APP_FACTORY names ("module:function"), as gunicorn is told its app."""
    factory = os.environ.get("COURSE_APP_FACTORY")
    if not factory:
        raise RuntimeError(
            "Start workers with `flask course worker`, or set COURSE_APP_FACTORY to the host's "
            "app factory (for example app:create_app)."
        )
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name or "create_app")()


def set_worker_app(app: Flask) -> None:
    global _worker_app, _worker_pid
    _worker_app, _worker_pid = app, os.getpid()


def start_worker(app: Flask, burst: bool = False) -> None:
    """Process RQ jobs until stopped (or, with ``burst``, until the queue is empty)."""
    from rq import Worker

    from course import sweeper

    set_worker_app(app)
    sweeper.schedule_in_queue(app)  # videos a dead worker or a down queue left behind
    worker = Worker([rq_queue(app)], connection=redis_connection(app))
    # The scheduler puts retries that wait (JOB_RETRY_SECONDS) back on the queue.
    worker.work(burst=burst, with_scheduler=True, logging_level=app.config.get("LOG_LEVEL", "INFO"))


def queue_counts(app: Flask) -> dict[str, int] | None:
    """Jobs queued, running and failed in RQ, for the site admins' page (None: no RQ)."""
    if app.config.get("COURSE_JOB_BACKEND") != "rq":
        return None
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    queue = rq_queue(app)
    return {
        "queued": queue.count,
        "running": StartedJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
    }
