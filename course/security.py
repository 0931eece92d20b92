"""Security headers on every response."""

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user

from course.accounts import two_step
from course.accounts.timeouts import check_staff_session
from course.scope import is_plugin_request

# No inline script or style anywhere: every script is a static file (see templates).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.extensions["course_csp"] = content_security_policy(app.config)
    app.after_request(_set_security_headers)
    app.before_request(check_staff_session)
    app.before_request(two_step.require_setup)  # after: an ended session needs no setup


def content_security_policy(config) -> str:
    """The policy, widened to the object store's origin when videos play from there."""
    origin = media_origin(config)
    if not origin:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self'", f"img-src 'self' {origin}").replace(
        "media-src 'self'", f"media-src 'self' {origin}"
    )


def media_origin(config) -> str | None:
    """Where pre-signed video URLs point (None when the app streams videos itself)."""
    if (
        config.get("COURSE_VIDEO_DELIVERY") != "presigned"
        or config.get("COURSE_STORAGE_BACKEND") != "s3"
    ):
        return None
    if config.get("COURSE_MEDIA_ORIGIN"):
        return config["COURSE_MEDIA_ORIGIN"]
    endpoint = urlsplit(config.get("COURSE_S3_ENDPOINT_URL") or "")
    return (
        f"{endpoint.scheme}://{endpoint.netloc}" if endpoint.netloc else "https://*.amazonaws.com"
    )


def _set_security_headers(response):
    if not is_plugin_request():
        return response
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions["course_csp"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("COURSE_HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages for signed-in people hold personal records: keep them out of shared caches
    # and the browser's back-forward history on shared computers.
    personal = current_user.is_authenticated and not (request.endpoint or "").endswith(".static")
    if personal and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response
