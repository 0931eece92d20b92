"""Access to the loaded curriculum."""

from flask import abort, current_app

from course.curriculum.models import Curriculum, Handout, Unit


def get_curriculum() -> Curriculum:
    """Return the curriculum loaded at start-up for the current app."""
    return current_app.extensions["course"].curriculum


def get_unit_or_404(slug: str) -> Unit:
    unit = get_curriculum().unit(slug)
    if unit is None:
        abort(404)
    return unit


def get_handout_or_404(slug: str) -> Handout:
    handout = get_curriculum().handouts.get(slug)
    if handout is None:
        abort(404)
    return handout
