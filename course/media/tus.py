"""The tus 1.0 resumable upload protocol: the core and the creation and termination
extensions (https is the client's business; these are the headers and rules).

Standard clients (tus-js-client in the page, Uppy, tuspy) can upload a dyad video:
``POST`` announces the file (``Upload-Length``, and ``Upload-Metadata`` carrying the
week, the consent and the file name) and is answered ``201`` with a ``Location``;
``HEAD`` there tells the offset to resume from; each ``PATCH`` sends a chunk of any
size at ``Upload-Offset``; ``DELETE`` cancels. The rules (consent, permissions,
sizes, audit) stay in ``course.media.services``.
"""

from __future__ import annotations

import base64
import binascii
import functools

from flask import make_response, request

VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
CHUNK_TYPE = "application/offset+octet-stream"


class ProtocolError(Exception):
    """A request that breaks the protocol; ``status`` is the answer's status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def speaks_tus(view):
    """Check the client's protocol version and mark every answer with ours."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != VERSION:
            answer = make_response(
                "This address takes resumable uploads (tus 1.0.0): send Tus-Resumable: 1.0.0.",
                412,
            )
            answer.headers["Tus-Version"] = VERSION
        else:
            answer = make_response(view(*args, **kwargs))
        answer.headers["Tus-Resumable"] = VERSION
        answer.headers["Cache-Control"] = "no-store"
        return answer

    return wrapper


def whole_number(header: str) -> int:
    """A header that must hold a byte count, such as Upload-Length or Upload-Offset."""
    value = request.headers.get(header, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 15:
        raise ProtocolError(f"Send the {header} header as a whole number of bytes.")
    return int(value)


def metadata() -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs (value optional)."""
    pairs: dict[str, str] = {}
    for item in filter(
        None, (part.strip() for part in request.headers.get("Upload-Metadata", "").split(","))
    ):
        key, _, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ProtocolError(f"The Upload-Metadata value of {key!r} is not base64.") from None
    return pairs


def check_chunk_type() -> None:
    if request.mimetype != CHUNK_TYPE:
        raise ProtocolError(f"Send chunks as Content-Type: {CHUNK_TYPE}.", 415)
