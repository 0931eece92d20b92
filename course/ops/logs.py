"""Request ids, the access log and the process's log format.

Every request gets an id: the proxy's ``X-Request-ID`` when it is well formed, else a
new one. It goes back in the response header and onto every log record made while the
request is handled (``record.request_id``), so one line in nginx's log leads to every
line the app wrote for it.

What never goes into a log: a family's pseudonym, a video's original file name, a
reflection's text (tests/ops/test_logging.py drives those flows and checks), nor
secrets in a URL (invitation tokens are masked in the access log).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, has_request_context, request
from flask.logging import wsgi_errors_stream
from flask_login import current_user

from course.scope import is_plugin_request

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; UUIDs and most tracers' ids fit too. Anything
# else (spaces, line breaks, 2 KB of text) could forge or flood log lines: replaced.
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# URL parts that are secrets: an invitation token in a log would let its reader sign up.
SECRET_URL_ARGS = frozenset({"token"})
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
LOG_FORMATS = ("plain", "json")
ENVIRON_ID = "pfr.request_id"
ENVIRON_STARTED = "pfr.request_started"

access_logger = logging.getLogger("pfr.access")


def current_request_id() -> str:
    """This request's id ("-" outside a request), made on first use."""
    if not has_request_context():
        return "-"
    # Kept in the WSGI environ, which lives exactly as long as the request (g belongs
    # to the app context, which a test or a CLI command may keep open across requests).
    request_id = request.environ.get(ENVIRON_ID)
    if request_id is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if WELL_FORMED_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.environ[ENVIRON_ID] = request_id
    return request_id


def init_app(app: Flask) -> None:
    """Stamp each request's start and id; write one access line per response."""
    from flask import request_started

    request_started.connect(_start, app, weak=False)
    app.after_request(_finish)


def _start(sender, **extra) -> None:
    request.environ[ENVIRON_STARTED] = time.perf_counter()
    current_request_id()


def _finish(response):
    if not is_plugin_request():
        return response
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    started = request.environ.get(ENVIRON_STARTED)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    # Flask-Login has already loaded the user for the security headers: no extra query.
    user_id = str(current_user.id) if current_user.is_authenticated else None
    path = _loggable_path()
    # Time until the response is handed to the server: a streamed video's transfer
    # continues after this line.
    access_logger.info(
        "%s %s %s %sms user=%s",
        request.method,
        path,
        response.status_code,
        duration_ms,
        user_id or "-",
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
        },
    )
    return response


def _loggable_path() -> str:
    """The path without its query string, with secret URL parts masked."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_URL_ARGS and value:
            path = path.replace(str(value), "<hidden>")
    return path


def _install_record_factory() -> None:
    """Give every log record a ``request_id`` (once per process, whoever logs it)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


class _AppHandler(logging.StreamHandler):
    """Marks the handler this module installs, so a second create_app replaces it."""


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        # Extra fields (the access line's method, path, status...) become JSON keys.
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter(PLAIN_FORMAT)


def configure_logging(log_format: str = "plain", level: str = "INFO") -> None:
    """Send the process's log to stderr (gunicorn: its error log; systemd: the journal)
    as plain text or JSON lines, at ``level``.

    :raise ValueError: for a format or level this module does not know.
    """
    log_format = (log_format or "plain").lower()
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT={log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    numeric_level = logging.getLevelName((level or "INFO").upper())
    if not isinstance(numeric_level, int):
        raise ValueError(f"LOG_LEVEL={level!r} is not a logging level (DEBUG, INFO, WARNING...)")
    _install_record_factory()  # records made outside a request say "-"
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _AppHandler)]:
        root.removeHandler(handler)
    # wsgi_errors_stream: the server's error stream in a request, else stderr at the
    # time of writing (never a stream captured once and closed since).
    handler = _AppHandler(wsgi_errors_stream)
    handler.setFormatter(make_formatter(log_format))
    root.addHandler(handler)
    root.setLevel(numeric_level)
