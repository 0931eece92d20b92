"""What people change about their own account: name, time zone, emails, password."""

from __future__ import annotations

from course.accounts.hashing import verify_password
from course.accounts.models import User
from course.accounts.services import AccountError, set_password
from course.audit.services import record
from course.extensions import db
from course.local_time import known_zone
from course.notifications.models import Topic


def save_profile(user: User, name: str, time_zone: str, email_topics: list[str]) -> None:
    """Save a person's own settings. ``time_zone`` "" means their agency's (or the site's).

    :raise AccountError: for a zone this site does not know.
    """
    if time_zone and not known_zone(time_zone):
        raise AccountError(f"{time_zone!r} is not a time zone this site knows.")
    user.name = " ".join(name.split())
    user.time_zone = time_zone or None
    wanted = set(email_topics)
    user.email_muted = [topic.value for topic in Topic.optional() if topic.value not in wanted]
    db.session.commit()


class WrongPassword(AccountError):
    pass


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password, given the current one; every other session ends.

    :raise AccountError: for a wrong current password or a weak new one.
    """
    if not verify_password(user.password_hash, current):
        raise WrongPassword("That is not your current password.")
    set_password(user, new)
    record(user, "account.password-change", "user", user.id)
    db.session.commit()
