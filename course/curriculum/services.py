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


def handout_library(age: str | None = None, audience: str | None = None) -> dict[str, list]:
    """Handouts grouped by topic (topics and titles in alphabetical order), optionally
    only those for one age group or one audience."""
    topics: dict[str, list[Handout]] = {}
    for handout in sorted(get_curriculum().handouts.values(), key=lambda h: h.title):
        if (age and age not in handout.ages) or (audience and handout.audience != audience):
            continue
        topics.setdefault(handout.topic, []).append(handout)
    return dict(sorted(topics.items()))
