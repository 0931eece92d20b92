"""Which requests are the plugins' own. Security headers, ``no-store``, error pages and
the access log apply to those only, so a host's own pages stay as the host made them;
the standalone site opts every page in with ``COURSE_WHOLE_SITE``."""

from flask import current_app, request

PLUGIN_PACKAGES = frozenset({"course", "quizzes"})


def is_plugin_request() -> bool:
    if current_app.config.get("COURSE_WHOLE_SITE"):
        return True
    name = request.blueprint
    blueprint = current_app.blueprints.get(name.split(".")[0]) if name else None
    return blueprint is not None and blueprint.import_name.split(".")[0] in PLUGIN_PACKAGES
