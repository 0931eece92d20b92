"""Plain-text email, sent through the backend that the ``MAIL_BACKEND`` setting names.

Backends: ``console`` (log the message; the development default), ``file`` (one .eml
file per message in ``MAIL_FILE_DIR``), ``smtp`` (``MAIL_SERVER`` and friends) and
``memory`` (a list in ``app.extensions["course_mail_outbox"]``, for tests).
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from course.timeutil import utcnow

logger = logging.getLogger("pfr.mail")

OUTBOX_KEY = "course_mail_outbox"
SMTP_TIMEOUT_SECONDS = 20
# Fallbacks for a host app whose config does not come from config.py.
DEFAULT_SENDER = "PFR Learn <no-reply@pfr-learn.example.org>"


def send_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text email to ``to`` through the configured backend.

    Emails leave the site's protection, so callers pass only generic text ("A
    reflection is ready for you to review") and a link to the site: never the name or
    any detail of a child, caregiver or family, nor reflection text or video titles.

    :raise ValueError: for an unknown ``MAIL_BACKEND`` or a header with a line break.
    :raise smtplib.SMTPException, OSError: when the smtp or file backend fails.
    """
    config = current_app.config
    backend_name = config.get("COURSE_MAIL_BACKEND", "console")
    backend = BACKENDS.get(backend_name)
    if backend is None:
        raise ValueError(f"MAIL_BACKEND={backend_name!r} is not one of {', '.join(BACKENDS)}")
    sender = config.get("COURSE_MAIL_DEFAULT_SENDER") or DEFAULT_SENDER
    backend(build_message(to, subject, body, sender), config)


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    """Return an RFC 5322 message; line breaks in headers raise ValueError."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # Without a domain, make_msgid asks DNS for this host's name: slow and revealing.
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message.set_content(body)
    return message


def _domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def _send_console(message: EmailMessage, config: Mapping) -> None:
    logger.info("Email (MAIL_BACKEND=console, not sent):\n%s", message.as_string())


def _send_memory(message: EmailMessage, config: Mapping) -> None:
    current_app.extensions.setdefault(OUTBOX_KEY, []).append(message)


def _send_file(message: EmailMessage, config: Mapping) -> None:
    folder = Path(config.get("COURSE_MAIL_FILE_DIR") or Path(current_app.instance_path) / "mail")
    folder.mkdir(parents=True, exist_ok=True)
    # Named by time and a random token: addresses and subjects stay out of file names.
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(8)}.eml"
    # O_EXCL never overwrites; 0o600 because the file holds an email address.
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(message.as_bytes())


def _send_smtp(message: EmailMessage, config: Mapping) -> None:
    server = config.get("COURSE_MAIL_SERVER") or "localhost"
    port = config.get("COURSE_MAIL_PORT") or 587
    with smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.get("COURSE_MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("COURSE_MAIL_USERNAME"):
            smtp.login(config["COURSE_MAIL_USERNAME"], config.get("COURSE_MAIL_PASSWORD") or "")
        smtp.send_message(message)


BACKENDS: dict[str, Callable[[EmailMessage, Mapping], None]] = {
    "console": _send_console,
    "file": _send_file,
    "smtp": _send_smtp,
    "memory": _send_memory,
}
