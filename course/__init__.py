"""The course platform plugin: ``course.init_app(app)`` installs it on a Flask app."""

from dataclasses import dataclass

from flask import Blueprint, Flask

from course import database, public_ids, security
from course.accounts.models import User
from course.accounts.services import user_for_session_id
from course.curriculum.loader import load_curriculum_cached
from course.curriculum.models import Curriculum
from course.extensions import csrf, limiter, login_manager
from course.local_time import check_zone, local, site_time
from course.markup import render_markdown
from course.settings import apply_defaults

_nested: list[bool] = []  # set once the feature blueprints sit inside the parent


@dataclass
class CourseState:
    """Per-app state, kept in ``app.extensions["course"]``."""

    curriculum: Curriculum


def init_app(app: Flask, url_prefix: str = "") -> None:
    """Install the course: extensions, curriculum, blueprints and CLI commands.

    :raise ContentError: when content/ is broken, naming each file and line.
    """
    apply_defaults(app)
    check_zone(app.config["COURSE_TIME_ZONE"])
    # Blueprints come from each feature's views module; the packages themselves import
    # nothing, so features may use each other's services without import cycles.
    from course import sweeper, views
    from course.accounts.views import bp as accounts_bp
    from course.admin.views import bp as admin_bp
    from course.agencies import models as _agencies  # noqa: F401  (register the tables)
    from course.agencies.views import bp as agencies_bp
    from course.audit import models as _audit  # noqa: F401
    from course.calendar.views import bp as calendar_bp
    from course.certificates.views import bp as certificates_bp
    from course.cli import register_commands
    from course.curriculum.views import bp as curriculum_bp
    from course.films.views import bp as films_bp
    from course.learning.services import complete_unit_of_passed_quiz, reopen_unit_of_quiz
    from course.learning.views import bp as learning_bp
    from course.media.views import bp as media_bp
    from course.mentoring import models as _mentoring  # noqa: F401
    from course.mentoring.views import bp as mentoring_bp
    from course.notifications import models as _notifications  # noqa: F401
    from course.notifications.services import notify_open_answer_reply
    from course.notifications.views import bp as notifications_bp
    from course.notifications.views import unread_notification_count
    from course.ops.views import bp as ops_bp
    from course.progress.tracking import start_tracking
    from course.reflections import models as _reflections  # noqa: F401
    from course.reflections.views import bp as reflections_bp
    from course.workshops import models as _workshops  # noqa: F401
    from course.workshops.views import bp as workshops_bp
    from quizzes.api import quiz_slugs
    from quizzes.signals import open_answer_replied, quiz_passed, quiz_reopened

    database.init_app(app)
    public_ids.register_converter(app)  # before the blueprints' routes
    if "csrf" not in app.extensions:  # a host's own CSRFProtect covers the course too
        csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    if getattr(app, "login_manager", None) is None:
        login_manager.init_app(app)  # else the host's: its user loader calls load_user
    known_quizzes = quiz_slugs(app.config["COURSE_CONTENT_DIR"])
    app.extensions["course"] = CourseState(
        curriculum=load_curriculum_cached(app.config["COURSE_CONTENT_DIR"], known_quizzes)
    )
    start_tracking()  # the dashboards' summary rows follow every flush
    quiz_passed.connect(complete_unit_of_passed_quiz, app)
    quiz_reopened.connect(reopen_unit_of_quiz, app)
    open_answer_replied.connect(notify_open_answer_reply, app)
    features: list[Blueprint] = [
        accounts_bp,
        learning_bp,
        curriculum_bp,
        films_bp,
        admin_bp,
        mentoring_bp,
        reflections_bp,
        notifications_bp,
        agencies_bp,
        media_bp,
        workshops_bp,
        calendar_bp,
        certificates_bp,
        ops_bp,
    ]
    # One parent blueprint, "course", holds every feature: its endpoints are
    # course.<feature>.<view>, so a host's own "admin" or "accounts" never collides.
    # Blueprints are module-level: nested (and given error pages) once, before their
    # first registration on an app.
    if not _nested:
        views.register_error_pages(views.bp)
        for feature in features:
            views.bp.register_blueprint(feature)
        _nested.append(True)
    if app.config["COURSE_WHOLE_SITE"]:
        views.register_error_pages(app)
    app.register_blueprint(views.bp, url_prefix=url_prefix or None)
    # A course page asks for the course's sign-in, whoever's login manager it is.
    app.login_manager.blueprint_login_views.update(
        {name: LOGIN_VIEW for name in app.blueprints if name.split(".")[0] == views.bp.name}
    )
    # Refuse bodies over the upload limit before reading them (uploads stream to disk).
    app.config.setdefault(
        "MAX_CONTENT_LENGTH", (app.config["COURSE_MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    )
    app.add_template_filter(
        render_markdown, "course_markdown"
    )  # a host may have its own "markdown"
    app.add_template_filter(local, "course_time")  # a time in the reader's zone
    app.add_template_filter(site_time, "course_site_time")  # the same for every reader
    app.add_template_global(unread_notification_count, "course_unread_notifications")
    register_commands(app)
    sweeper.start_with_requests(app)


LOGIN_VIEW = "course.accounts.login"
login_manager.login_view = LOGIN_VIEW
login_manager.login_message = "Please sign in to see that page."
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The person of a session cookie, while its session version is still theirs.

    A host with its own login manager calls this from its user loader for the course's
    people (their ids look like ``"12:3"``: user id, session version).
    """
    return user_for_session_id(session_id)
