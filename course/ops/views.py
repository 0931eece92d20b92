"""/healthz for the load balancer and the monitoring, and the request-log hooks."""

from flask import Blueprint, current_app, g, jsonify
from flask_login import current_user

from course.extensions import limiter
from course.ops import logs, services
from course.permissions import Action, can

bp = Blueprint("ops", __name__)
# The request id and access log apply to every request of the app, not only this
# blueprint's; registering them here keeps course.init_app a list of blueprints.
bp.record_once(lambda state: logs.init_app(state.app))


@bp.get("/healthz")
@limiter.exempt  # probes come every few seconds from the same few addresses
def healthz():
    """200 {"status": "ok"} or 503 {"status": "failing"}; which check failed only for a
    site admin (anyone may probe; only staff need to know what is down)."""
    health = services.run_checks()
    if health.checks.get("database") != "ok":
        # Loading a signed-in caller needs the database: answer them as anyone, not 500.
        g._login_user = current_app.login_manager.anonymous_user()  # Flask-Login's slot
    body: dict = {"status": "ok" if health.ok else "failing"}
    if can(current_user, Action.ADMIN_VIEW):
        body["checks"] = health.checks
    response = jsonify(body)
    response.status_code = 200 if health.ok else 503
    response.headers["Cache-Control"] = "no-store"  # a cached "ok" would hide an outage
    return response
