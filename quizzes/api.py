"""The only functions the course may call."""

from flask import current_app


def quiz_slugs() -> frozenset[str]:
    """Return the slugs of the quizzes defined in content/quizzes/."""
    return current_app.extensions["quizzes"]["slugs"]
