"""The standalone host: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""

from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import course
import quizzes
from config import Config, config_from_env
from course.curriculum.loader import ContentError
from course.ops.logs import configure_logging
from course.quiz_host import make_quiz_host
from quizzes.coaching import CoachingContentError
from quizzes.loader import QuizContentError


def create_app(config_object: type[Config] | Mapping | None = None) -> Flask:
    """Build the site: load config, install the course and quiz plugins.

    ``config_object`` is a config class, or a mapping of overrides applied on top of
    the class that PFR_ENV names.
    """
    base = config_object if isinstance(config_object, type) else config_from_env()
    # No app-level static folder: each plugin serves its own files.
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(base)
    if isinstance(config_object, Mapping):
        app.config.from_mapping(config_object)
    base.check(app.config)
    # Before anything logs: Flask adds its own handler to app.logger if none is set up.
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Behind nginx: the client's address (for sign-in limits and the access log),
        # https and the public host come from the X-Forwarded-* headers of that many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(exist_ok=True)  # home of the default SQLite file
    with _stop_cleanly_on_broken_content():
        course.init_app(app)
        quizzes.init_app(app, host=make_quiz_host())
    return app


@contextmanager
def _stop_cleanly_on_broken_content():
    """On the command line, list content problems and exit 1 instead of a traceback."""
    try:
        yield
    except (ContentError, QuizContentError, CoachingContentError) as exc:
        if click.get_current_context(silent=True) is None:
            raise
        raise click.ClickException(str(exc)) from exc
