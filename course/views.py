"""The front door, and the error pages of the course's own pages."""

from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from course.accounts.models import Role

bp = Blueprint(
    "course",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/course",
)


@bp.get("/")
def index():
    """Send each person to the page they work from; visitors see the welcome page."""
    if not current_user.is_authenticated:
        return render_template("course/welcome.html")
    if current_user.has_role(Role.SITE_ADMIN):
        return redirect(url_for("course.admin.index"))
    if current_user.has_role(Role.MASTER_TRAINER, Role.AGENCY_TRAINER):
        return redirect(url_for("course.mentoring.dashboard"))  # the queue and the groups
    if current_user.has_role(Role.AGENCY_ADMIN):
        return redirect(url_for("course.agencies.staff"))
    if current_user.has_role(Role.TRAINEE):
        return redirect(url_for("course.learning.training"))
    return render_template("course/home.html")  # an account with no role yet


def forbidden(error):
    return render_template(
        "course/error.html",
        code=403,
        title="Not allowed",
        message="You do not have access to this page.",
    ), 403


def not_found(error):
    return render_template(
        "course/error.html",
        code=404,
        title="Page not found",
        message="There is no page at this address.",
    ), 404


def bad_request(error):
    return render_template(
        "course/error.html",
        code=400,
        title="Bad request",
        message="The request could not be understood. If you were "
        "sending a form, go back and send it again.",
    ), 400


def too_many_requests(error):
    return render_template(
        "course/error.html",
        code=429,
        title="Please wait a moment",
        message=_TOO_MANY.get(request.endpoint or "", _TOO_MANY["course.accounts.login"]),
    ), 429


_TOO_MANY = {
    "course.accounts.login": "There were too many sign-in attempts. Wait a minute, then try "
    "again. If you have forgotten your password, choose a new one from the sign-in page.",
    "course.accounts.forgot_password": "There were too many requests for a new password. "
    "Check your email (and its spam folder) for the links already sent, or wait an hour.",
    "course.accounts.change_password": "There were too many tries of your current password. "
    "Wait a minute, then try again.",
}


def store_unavailable(error):
    """The video store did not answer in time (or at all): say so quickly."""
    current_app.logger.warning("video store unavailable: %r", error)
    page = render_template(
        "course/error.html",
        code=503,
        title="Videos are out of reach for a moment",
        message="The video store is not answering. Your work is saved; try again in a "
        "few minutes. Pages without videos keep working.",
    )
    return page, 503, {"Retry-After": "60"}


def already_done(error):
    """Two requests at once (a double click) and the database kept the first: the
    second gets where things stand now, never an error page."""
    from course.accounts.services import safe_next_url
    from course.extensions import db

    db.session.rollback()
    current_app.logger.info("a simultaneous request was already done: %s", type(error).__name__)
    message = "That was already done (perhaps by a second click). This is how it stands now."
    came_from = urlsplit(request.referrer or "")
    back = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    if request.method == "POST" and came_from.netloc == request.host and safe_next_url(back):
        flash(message, "info")
        return redirect(back)
    page = render_template("course/error.html", code=409, title="Already done", message=message)
    return page, 409


ERROR_PAGES = {400: bad_request, 403: forbidden, 404: not_found, 429: too_many_requests}


def register_error_pages(target) -> None:
    """The course's error pages for ``target``: its parent blueprint (so every course
    page), or the whole app when the course is the whole site (COURSE_WHOLE_SITE)."""
    for code, page in ERROR_PAGES.items():
        target.register_error_handler(code, page)
    target.register_error_handler(BotoCoreError, store_unavailable)
    target.register_error_handler(IntegrityError, already_done)
