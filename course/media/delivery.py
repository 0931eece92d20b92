"""Send a stored file to a browser that passed the permission check.

Three ways, by backend and ``VIDEO_DELIVERY``: a local file goes out through
``send_file`` (Range and conditional requests handled by Werkzeug); an S3 object is
streamed through the app piece by piece, honouring Range; or, with
``VIDEO_DELIVERY=presigned``, the browser is redirected to a pre-signed URL that is
valid ``PRESIGNED_URL_SECONDS`` (the caller has already checked and audited).
"""

from __future__ import annotations

import mimetypes

from flask import Response, current_app, redirect, request, send_file

from course.media.storage import LocalStorage, Storage


def deliver(store: Storage, key: str, mimetype: str | None, download_name: str | None = None):
    mimetype = mimetype or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if isinstance(store, LocalStorage):
        return send_file(
            store.path(key),
            mimetype=mimetype,
            conditional=True,
            etag=False,
            as_attachment=download_name is not None,
            download_name=download_name,
        )
    if current_app.config.get("COURSE_VIDEO_DELIVERY") == "presigned":
        headers = {"ResponseContentType": mimetype, "ResponseCacheControl": "private, no-store"}
        if download_name:
            headers["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        seconds = current_app.config.get("COURSE_PRESIGNED_URL_SECONDS", 300)
        return redirect(store.presigned_url(key, seconds, **headers), 302)
    return _stream_range(store, key, mimetype, download_name)


def _stream_range(store: Storage, key: str, mimetype: str, download_name: str | None):
    size = store.size(key)
    headers = {"Accept-Ranges": "bytes"}
    if download_name:
        headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    start, end, status = 0, size - 1, 200
    if request.range is not None:
        span = request.range.range_for_length(size)
        if span is None:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(status=416, headers=headers)
        start, end, status = span[0], span[1] - 1, 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    body = store.read_range(key, start, end) if size else iter(())
    return Response(body, status, headers=headers, mimetype=mimetype, direct_passthrough=True)
