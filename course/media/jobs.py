"""Background work for videos (making the playable copy and the poster).

By default a small thread pool inside each app process runs the jobs, which suits one
server. # TODO(#9): at scale, an RQ queue on Redis takes over: ``enqueue`` puts the
same function and arguments on the queue and ``rq worker`` processes run them.
Set JOB_BACKEND=sync to run jobs in the request (tests, debugging).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import current_app

_pool: ThreadPoolExecutor | None = None


def enqueue(func, *args) -> None:
    """Run ``func(*args)`` inside an app context, now (sync) or on the thread pool."""
    global _pool
    app = current_app._get_current_object()
    if app.config.get("JOB_BACKEND", "thread") == "sync":
        func(*args)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="media-job")

    def run():
        with app.app_context():
            func(*args)

    _pool.submit(run)
