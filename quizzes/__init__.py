"""The quiz plugin: ``quizzes.init_app(app, host)``.

Question types, grading, attempts and their pages. It knows nothing of agencies or
mentors: the host says who is signed in and who may see what (``QuizHost``), reads
results through ``quizzes.api``, and hears of passes through ``quizzes.signals``.
The host must protect POSTs with CSRF (Flask-WTF's CSRFProtect); templates send
``csrf_token()``.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from quizzes.coaching import Coaching, load_coaching_cached
from quizzes.host import Access, QuizHost
from quizzes.loader import Quiz, load_quizzes_cached

__all__ = ["Access", "QuizHost", "init_app"]


@dataclass
class QuizState:
    """Per-app state, kept in ``app.extensions["quizzes"]``."""

    host: QuizHost
    quizzes: dict[str, Quiz]
    coaching: Coaching  # "describe, don't interpret" hints on open answers


def _coaching(path: Path) -> Coaching:
    """The content's coaching patterns; a content folder without them gives no hints."""
    return load_coaching_cached(path) if path.exists() else Coaching(patterns=())


def init_app(app: Flask, host: QuizHost, url_prefix: str = "") -> None:
    """Load and validate the quizzes, and register the quiz pages.

    :raise QuizContentError: when a quiz file is broken, naming file, line and question;
        CoachingContentError when content/coaching.yaml is.
    """
    from quizzes.cli import quizzes_cli
    from quizzes.views import bp

    with app.app_context():
        video_slugs = host.video_slugs()
    # QUIZZES_CONTENT_DIR holds quizzes/ and coaching.yaml: by default the course's
    # curriculum folder when a course is installed, else the instance folder's content/.
    fallback = app.config.get("COURSE_CONTENT_DIR") or str(Path(app.instance_path) / "content")
    content = Path(app.config.setdefault("QUIZZES_CONTENT_DIR", fallback))
    app.extensions["quizzes"] = QuizState(
        host=host,
        quizzes=load_quizzes_cached(content, video_slugs),
        coaching=_coaching(content / "coaching.yaml"),
    )
    app.register_blueprint(bp, url_prefix=url_prefix or None)

    app.add_template_filter(host.render_markdown, "quiz_markdown")
    app.cli.add_command(quizzes_cli)
