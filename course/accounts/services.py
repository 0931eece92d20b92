"""Sign-in, passwords, and invitations."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from course.accounts.hashing import hash_password, needs_rehash, verify_password
from course.accounts.models import Invitation, Role, User, normalize_email
from course.audit.models import AuditEvent
from course.audit.services import record
from course.extensions import db
from course.timeutil import utcnow

MIN_PASSWORD_LENGTH = 12
# Checked against when nobody has the email, so a miss costs as long as a wrong
# password and timing does not reveal which addresses have accounts.
_DUMMY_HASH = PasswordHasher().hash("not-a-real-password-" + secrets.token_hex(8))


class AccountError(Exception):
    """A request about an account cannot be met; the message is for people."""


class InvitationError(AccountError):
    """The invitation link cannot be used; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def user_for_session_id(session_id: str) -> User | None:
    """The person a session id names (``"12:3"``: user id, session version), while that
    session version is still theirs (sign-out and a new password raise it)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None  # a cookie from before session versions, or a forged one
    # Every signed-in request: one statement for the person, their roles and agency
    # (asked for its time zone on most pages), rather than three.
    options = (joinedload(User.role_links), joinedload(User.agency))
    user = db.session.get(User, int(user_id), options=options)
    return user if user is not None and str(user.session_version or 0) == version else None


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None.

    Every attempt is in the audit log (a failure against an unknown address as
    "unknown": the typed text may be a password). When an account collects
    ``GUESSING_ALERT`` failures within an hour, its owner is told.
    """
    user = get_user_by_email(email)
    if user is None or not user.password_hash:  # unknown, or invited and not yet set up
        verify_password(_DUMMY_HASH, password)
        _sign_in_failed(user)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        _sign_in_failed(user)
        return None
    if needs_rehash(user.password_hash):  # the password is at hand only now
        user.password_hash = hash_password(password)
    record(user, "account.sign-in", "user", user.id)
    db.session.commit()
    return user


GUESSING_ALERT = 10  # failures within an hour that make the owner hear of it


def _sign_in_failed(user: User | None) -> None:
    record(None, "account.sign-in-failed", "user", user.id if user else "unknown")
    db.session.commit()
    if user is None or not user.password_hash:
        return
    failures = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "account.sign-in-failed",
            AuditEvent.object_id == str(user.id),
            AuditEvent.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    if failures == GUESSING_ALERT:  # once, not at every failure after it
        from course.notifications.models import Topic
        from course.notifications.services import notify

        notify(
            user,
            "Someone is trying to sign in to your account",
            f"{GUESSING_ALERT} sign-ins with a wrong password were tried on your account in "
            "the last hour. If it was not you, choose a new password (at least 12 "
            "characters, not used elsewhere) and tell your training center. Your account "
            "stays open to you: the attempts are slowed down where they come from.",
            topic=Topic.ACCOUNT,
        )


def _load_common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


COMMON_PASSWORDS = _load_common_passwords()
KEYBOARD_RUNS = ("0123456789012345", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
COMMON_STEMS = re.compile(r"^(password|passw0rd|p@ssw0rd|letmein|welcome|iloveyou|qwerty|admin)")


def is_common_password(password: str) -> bool:
    """True for passwords that guessers try first, however long."""
    lowered = password.lower()
    return (
        lowered in COMMON_PASSWORDS
        or len(set(lowered)) <= 2
        or any(lowered in run or lowered in run[::-1] for run in KEYBOARD_RUNS)
        or bool(COMMON_STEMS.match(lowered) and re.fullmatch(r"[a-z@0]+[\d!@#$%^&*.]*", lowered))
    )


def password_problems(password: str, email: str = "") -> list[str]:
    """Say what is wrong with a proposed password (an empty list when it is fine)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    elif is_common_password(password):
        problems.append("That password is too common; choose one nobody would guess.")
    local = normalize_email(email).split("@")[0] if email else ""
    if len(local) >= 4 and local in password.lower():  # "jo" may be in anyone's password
        problems.append("Do not use your email address in your password.")
    return problems


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password)
    user.end_sessions()  # sessions opened with the old password end


def create_user(
    email: str,
    name: str,
    password: str,
    roles: list[Role] | tuple[Role, ...] = (Role.TRAINEE,),
    agency=None,
) -> User:
    """Create an account; raise AccountError if the email is taken or the password weak."""
    if get_user_by_email(email) is not None:
        raise AccountError(f"An account with the email {normalize_email(email)} already exists.")
    user = User(email=email, name=name.strip(), agency=agency, password_hash="")
    set_password(user, password)
    for role in roles:
        user.add_role(Role(role))
    db.session.add(user)
    db.session.commit()
    return user


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path inside this site, otherwise None.

    Refuses absolute URLs, scheme-relative ``//host`` and backslash tricks that
    browsers read as another host.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# -- invitations -------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    email: str,
    role: Role,
    *,
    agency=None,
    invited_by: User | None = None,
    name: str = "",
    days: int = 14,
    commit: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation; return it with the token for the link (shown only once).

    ``commit=False`` leaves it in the caller's transaction (a roster saves all at once).
    """
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=Role(role),
        agency=agency,
        invited_by_id=invited_by.id if invited_by else None,
        token_hash=_hash_token(token),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    if commit:
        db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """Return the usable invitation for a token.

    :raise InvitationError: 404 for an unknown token, 410 when used, revoked or expired.
    """
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied all of it.", 404
        )
    if invitation.used_at is not None:
        raise InvitationError(
            "This invitation has already been used. Sign in with your email and password.", 410
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            "This invitation was withdrawn. Ask the person who invited you for a new one.", 410
        )
    if invitation.expires_at <= utcnow():
        raise InvitationError(
            "This invitation has expired. Ask the person who invited you to send a new one.", 410
        )
    existing = get_user_by_email(invitation.email)
    if existing is not None and existing.password_hash:
        # A link must never set the password of an account someone already uses.
        raise InvitationError(
            "There is already an account for this email address. Sign in with your "
            "password; if you have forgotten it, choose a new one from the sign-in page.",
            410,
        )
    return invitation


def email_invitation(
    actor: User, email: str, name: str, role: Role, agency=None, days: int | None = None
) -> Invitation:
    """Create a single-use invitation and email its link to the person invited: the
    token goes to them alone, never onto the page of the admin who sent it."""
    [(invitation, send)] = invite_many(actor, [(email, name)], role, agency, days)
    db.session.commit()
    send()
    return invitation


def invite_many(
    actor: User, people: list[tuple[str, str]], role: Role, agency=None, days: int | None = None
) -> list[tuple[Invitation, Callable[[], None]]]:
    """Add an invitation for each (email, name) to the session, uncommitted; return each
    with the function that emails its link as a background job, to call once the
    invitations are committed (an email never goes out for an invitation not saved)."""
    from course import jobs
    from course.links import site_url_for
    from course.notifications.mail import send_email

    days = days or current_app.config["COURSE_INVITATION_DAYS"]
    inviter = agency.name if agency is not None else "The PFR training center"
    made = []
    for email, name in people:
        invitation, token = create_invitation(
            email, role, agency=agency, invited_by=actor, name=name, days=days, commit=False
        )
        link = site_url_for("course.accounts.accept_invitation", token=token)
        body = (
            f"Hello {name or 'there'},\n\n{inviter} has invited you to Promoting First "
            f"Relationships training. Set your password here (the link works once and "
            f"expires in {days} days):\n\n{link}\n"
        )
        subject = f"{inviter} invites you to PFR training"
        made.append((invitation, partial(jobs.enqueue, send_email, email, subject, body)))
    return made


def grant_role(user: User, role: Role, agency=None) -> None:
    """Give an existing account a role (and an agency when it has none)."""
    user.add_role(Role(role))
    user.agency = user.agency or agency
    db.session.commit()


def accept_invitation(token: str, name: str, password: str) -> User:
    """Use an invitation: create the account, or complete one made by a roster (no
    password yet). An account with a password is refused by ``find_invitation``."""
    invitation = find_invitation(token)
    problems = password_problems(password, invitation.email)
    if problems:
        raise AccountError(" ".join(problems))
    user = get_user_by_email(invitation.email)
    if user is None:
        user = User(
            email=invitation.email, name=name.strip(), agency=invitation.agency, password_hash=""
        )
        db.session.add(user)
    else:
        user.name = name.strip() or user.name
        user.agency = user.agency or invitation.agency
    set_password(user, password)
    user.add_role(Role(invitation.role))
    user.active = True
    invitation.used_at = utcnow()
    db.session.commit()
    return user
