"""Two-step sign-in: a time-based one-time code (TOTP, RFC 6238, with pyotp) after the
password, and single-use recovery codes for a lost phone.

Required for the roles in ``COURSE_TWO_STEP_ROLES`` (site admins and master trainers by
default), optional for everyone else. A code is accepted once: the time step it
belongs to is kept, so a code seen over someone's shoulder cannot be used again.
"""

from __future__ import annotations

import hashlib
import io
import secrets

import pyotp
import segno
from flask import current_app, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from course.accounts.models import Role, User
from course.accounts.services import AccountError
from course.audit.services import record
from course.extensions import db
from course.scope import is_plugin_request
from course.timeutil import utcnow

ISSUER = "PFR Learn"
RECOVERY_CODES = 10


def required_for(user: User) -> bool:
    roles = {Role(role) for role in current_app.config["COURSE_TWO_STEP_ROLES"]}
    return bool(user.roles & roles)


def is_on(user: User) -> bool:
    return user.totp_enabled_at is not None


def setup_secret(user: User) -> str:
    """The secret for the person's authenticator app: kept (not yet in use) until a code
    from the app confirms it, so a reload shows the same one."""
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    return user.totp_secret


def setup_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The setup address as an inline SVG QR code for an authenticator app to scan."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    # segno's own markup of an address built here: no text from anyone in it
    return Markup(out.getvalue().decode())  # nosec B704  # noqa: S704


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step a 6-digit code belongs to (now, or 30 s either side), or None."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (0, -1, 1):
        moment = now.timestamp() + drift * totp.interval
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def turn_on(user: User, code: str) -> list[str]:
    """Start asking ``user`` for codes, once a code from their app proves the secret;
    return the recovery codes (shown once; only their hashes are kept).

    :raise AccountError: for a code that does not match.
    """
    step = _matching_step(user.totp_secret or "", _clean(code))
    if step is None:
        raise AccountError(
            "That code does not match. Check that the time on your phone is set "
            "automatically, then type the code your app shows now."
        )
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.totp_enabled_at, user.totp_last_step = utcnow(), step
    user.totp_recovery = [_hash(_clean(c)) for c in codes]
    record(user, "account.two-step-on", "user", user.id)
    db.session.commit()
    return codes


def check(user: User, code: str) -> bool:
    """Is ``code`` this person's current code, or one of their unused recovery codes?
    Either works once."""
    code = _clean(code)
    if not is_on(user):
        return False
    if len(code) == 6 and code.isdigit():
        step = _matching_step(user.totp_secret or "", code)
        if step is None or step <= (user.totp_last_step or 0):
            return False
        user.totp_last_step = step
        db.session.commit()
        return True
    hashed = _hash(code)
    if hashed in (user.totp_recovery or []):
        user.totp_recovery = [h for h in user.totp_recovery if h != hashed]
        record(user, "account.recovery-code-used", "user", user.id, left=len(user.totp_recovery))
        db.session.commit()
        return True
    return False


def turn_off(user: User, actor: User) -> None:
    """Stop asking for codes: the person (where their roles allow it) or a site admin
    for someone who lost their phone (they set it up again at their next sign-in)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.totp_recovery = []
    user.end_sessions()
    record(actor, "account.two-step-off", "user", user.id)
    db.session.commit()


# Pages a person who must set two-step sign-in up may still reach.
SETUP_PAGES = frozenset(
    {
        "course.accounts.two_step",
        "course.accounts.logout",
        "course.accounts.alive",
        "course.static",
        "course.ops.healthz",
    }
)


def require_setup():
    """Before each course request: someone whose role needs two-step sign-in and who
    has not set it up goes to the page that does, before anything else."""
    if not is_plugin_request() or request.endpoint in SETUP_PAGES:
        return None
    if current_user.is_authenticated and required_for(current_user) and not is_on(current_user):
        return redirect(url_for("course.accounts.two_step"))
    return None
