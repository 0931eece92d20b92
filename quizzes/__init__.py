"""The quiz plugin: ``quizzes.init_app(app)``.

It knows nothing of agencies or mentors; the course reads quiz results only
through ``quizzes.api``. # TODO(#3): question types, grading, attempts, blueprint.
"""

from pathlib import Path

from flask import Flask

QUIZ_DIR_NAME = "quizzes"


def init_app(app: Flask) -> None:
    """Register the plugin and note which quizzes content/ defines."""
    quiz_dir = Path(app.config["CONTENT_DIR"]) / QUIZ_DIR_NAME
    slugs = frozenset(path.stem for path in quiz_dir.glob("*.yaml"))
    app.extensions["quizzes"] = {"slugs": slugs}
