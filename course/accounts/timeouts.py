"""Idle and absolute limits for staff sessions: after 30 minutes without activity, or 12
hours after signing in, a master trainer, agency trainer, agency admin or site admin
signs in again. Trainees are not limited (their work autosaves; they are not staff).

Activity is any request to the course's pages, and typing or clicking on a page: the
page's script tells ``/session/alive`` while someone is at work in a long form, so a
mentor writing a review is never signed out mid-sentence.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from course.accounts.models import Role
from course.scope import is_plugin_request

STAFF = (Role.MASTER_TRAINER, Role.AGENCY_TRAINER, Role.AGENCY_ADMIN, Role.SITE_ADMIN)
BEGAN, SEEN = "course_began", "course_seen"
TOUCH_EVERY = 60  # seconds: the session cookie changes at most once a minute
# The health probe answers without loading anyone (the database may be what is down).
UNCHECKED = frozenset({"course.ops.healthz", "course.static"})


def start() -> None:
    """Call at sign-in, once the session is fresh."""
    session[BEGAN] = session[SEEN] = int(time.time())


def expired_reason(now: float) -> str | None:
    config = current_app.config
    began, seen = session.get(BEGAN), session.get(SEEN)
    if began is None or seen is None:
        return None  # a session from before the limits: they start now
    if now - began > config["COURSE_STAFF_SESSION_HOURS"] * 3600:
        return f"after {config['COURSE_STAFF_SESSION_HOURS']} hours"
    if now - seen > config["COURSE_STAFF_IDLE_MINUTES"] * 60:
        return f"after {config['COURSE_STAFF_IDLE_MINUTES']} minutes without activity"
    return None


def check_staff_session():
    """Before each course request: end a staff session past its limits, else note it."""
    if not is_plugin_request() or request.endpoint in UNCHECKED:
        return None
    if not current_user.is_authenticated:
        return None
    if not current_user.has_role(*STAFF):
        return None
    now = time.time()
    reason = expired_reason(now)
    if reason is not None:
        logout_user()
        session.clear()
        flash(f"For safety you were signed out {reason}. Please sign in again.", "info")
        if request.method == "GET" and request.blueprint != "course.accounts":
            return redirect(url_for("course.accounts.login", next=request.full_path))
        return redirect(url_for("course.accounts.login"))
    if BEGAN not in session or SEEN not in session:
        start()
    elif now - session[SEEN] > TOUCH_EVERY:
        session[SEEN] = int(now)
    return None
