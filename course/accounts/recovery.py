"""A forgotten password: a link by email that sets a new one.

The link carries a signed token (itsdangerous) naming the account and a fingerprint of
its current password hash. It expires after ``COURSE_PASSWORD_RESET_HOURS`` and works
once: setting a password changes the hash, so the fingerprint no longer matches (and
neither does any other link sent before). Nothing is stored for it.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from course import jobs
from course.accounts.models import User
from course.accounts.services import AccountError, get_user_by_email, set_password
from course.audit.services import record
from course.extensions import db
from course.links import site_url_for
from course.notifications.mail import send_email
from course.public_ids import get_by_public_id

SALT = "course.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer().dumps({"person": user.public_id, "hash": _fingerprint(user)})


def request_reset(email: str) -> None:
    """Email a reset link to an active account that has a password; do nothing else.

    The page says the same whatever happens here, so it tells nobody which addresses
    have accounts.
    """
    user = get_user_by_email(email)
    if user is None or not user.active or not user.password_hash:
        return
    hours = current_app.config["COURSE_PASSWORD_RESET_HOURS"]
    link = site_url_for("course.accounts.reset_password", token=reset_token(user))
    jobs.enqueue(
        send_email,
        user.email,
        "Choose a new password for PFR training",
        f"Hello {user.name},\n\nSomeone (we hope you) asked to choose a new password for "
        f"your PFR training account. Choose it here; the link works once and for {hours} "
        f"hours:\n\n{link}\n\nIf you did not ask, you can ignore this email: your password "
        "stays as it is.\n",
    )
    record(user, "account.reset-requested", "user", user.id)
    db.session.commit()


def person_for_reset(token: str) -> User:
    """The account a reset link is for.

    :raise AccountError: for a link that is damaged, expired or already used.
    """
    max_age = current_app.config["COURSE_PASSWORD_RESET_HOURS"] * 3600
    try:
        claims = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("This link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise AccountError(
            "This link is not valid. Check that you copied all of it, or ask for a new one."
        ) from None
    user = get_by_public_id(User, str(claims.get("person", "")))
    if user is None or not user.active or claims.get("hash") != _fingerprint(user):
        raise AccountError("This link has already been used. Ask for a new one below.")
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every session of the account ends.

    :raise AccountError: for a bad link or a password that is too weak.
    """
    user = person_for_reset(token)
    set_password(user, password)  # ends the person's sessions everywhere
    record(user, "account.password-reset", "user", user.id)
    db.session.commit()
    return user
