"""Tell people that something needs them: a dashboard notification, and an email.

Other features decide when (a reflection submitted, reviewed or returned, a week
opened, a certificate issued) and call ``notify`` before committing what happened,
so the record and its notification are saved together or not at all. The
notification table is the outbox: its email is handed to the job queue once the
transaction commits, and ``send_unsent`` (the sweep) hands over again any that a
killed process or a down queue never sent.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from course import jobs
from course.accounts.models import User
from course.accounts.services import safe_next_url
from course.extensions import db
from course.links import absolute, path_for
from course.notifications.mail import send_email
from course.notifications.models import Notification, Topic
from course.public_ids import get_by_public_id
from course.timeutil import utcnow

logger = logging.getLogger("pfr.notifications")

SUBJECT_MAX = 200
LINK_MAX = 500
PAGE_SIZE = 100
OUTBOX = "course_notification_emails"  # ids to email once the transaction commits
UNSENT_AFTER_MINUTES = 10


def _one_line(subject: str) -> str:
    """A subject on one line: it becomes an email header."""
    return " ".join(subject.split())


def notify(
    user: User,
    subject: str,
    body: str,
    link: str | None = None,
    email: bool = True,
    commit: bool = True,
    topic: Topic = Topic.ACCOUNT,
) -> Notification:
    """Store a notification for ``user`` and, if asked and the user is active, email it.

    ``topic`` says what it is about; the person may have turned that topic's emails off
    on their account page (``Topic.ACCOUNT``, the account's safety, always comes).

    Call it before committing the change it tells about; with ``commit=False`` the
    caller's commit saves both (several notifications, one transaction). The email
    goes out after the commit, never for a change that was rolled back.

    ``link`` is a path inside the site ("/reflections/12"); the email carries it as an
    absolute URL on the site's public address (``course.links.site_address``). Pass
    generic text only: see ``send_email``.
    A failing mail server is logged and retried; the stored notification still stands.

    :raise ValueError: for an empty or over-long subject, or a link that is not a
        site-relative path.
    """
    subject = _one_line(subject)
    if not subject or len(subject) > SUBJECT_MAX:
        raise ValueError(f"a notification subject needs 1-{SUBJECT_MAX} characters")
    if link is not None and (safe_next_url(link) is None or len(link) > LINK_MAX):
        raise ValueError("a notification link must be a path inside this site, like /training")
    notification = Notification(
        user_id=user.id,
        subject=subject,
        body=body,
        link=link,
        email_pending=bool(email and user.is_active and wants_email(user, topic)),
    )
    db.session.add(notification)
    if commit:
        db.session.commit()
    return notification


def wants_email(user: User, topic: Topic) -> bool:
    return topic == Topic.ACCOUNT or topic.value not in (user.email_muted or ())


def settle(user: User, link: str) -> None:
    """Mark ``user``'s unread notifications that send them to ``link`` read: the work
    they announced is done (a review written, a video marked reviewed). In the caller's
    transaction."""
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def notify_unless_waiting(user: User, subject: str, body: str, link: str, topic: Topic) -> None:
    """``notify`` (in the caller's transaction), unless the same news (subject and link)
    is still unread for ``user``: one is enough to send them there."""
    subject = _one_line(subject)  # as notify stores it
    waiting = db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.subject == subject,
            Notification.read_at.is_(None),
        )
    )
    if waiting is None:
        notify(user, subject, body, link=link, commit=False, topic=topic)


@event.listens_for(Session, "after_flush")
def _note_emails(session, context) -> None:
    for item in session.new:
        if isinstance(item, Notification) and item.email_pending:
            session.info.setdefault(OUTBOX, []).append(item.id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_emails(session, previous_transaction) -> None:
    session.info.pop(OUTBOX, None)  # a rolled-back notification was never saved


@event.listens_for(Session, "after_commit")
def _send_emails(session) -> None:
    ids = session.info.pop(OUTBOX, None)
    if ids and has_app_context():
        _hand_over(ids)


def _hand_over(ids: list[int]) -> None:
    """Queue the emails; a queue that is down leaves them to ``send_unsent``."""
    app = current_app._get_current_object()
    for notification_id in ids:
        try:
            if app.config.get("COURSE_JOB_BACKEND") == "sync":
                # This session has just committed and may not query again: run the
                # job the way a worker would, in an app context (and session) of its own.
                with app.app_context():
                    jobs.enqueue(email_notification, notification_id)
            else:
                jobs.enqueue(email_notification, notification_id)
        except Exception:
            logger.warning("email for notification %s left for the sweep", notification_id)


def send_unsent() -> int:
    """Hand over again the emails not sent a while after their notification was saved."""
    before = utcnow() - timedelta(minutes=UNSENT_AFTER_MINUTES)
    ids = list(
        db.session.scalars(
            select(Notification.id).where(
                Notification.email_pending.is_(True), Notification.created_at < before
            )
        )
    )
    for notification_id in ids:
        jobs.enqueue(email_notification, notification_id)
    return len(ids)


def notify_open_answer_reply(app, user_id: int, attempt_id: str, revisit: bool, **extra) -> None:
    """Tell a trainee that their trainer replied to an open quiz answer (subscribed to
    the quiz plugin's ``open_answer_replied``)."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    subject = (
        "Your trainer asks you to look again at an answer"
        if revisit
        else "Your trainer replied to your answer"
    )
    body = (
        "Your trainer read what you observed and asks you to look again at one answer. "
        "The module stays open until you answer it again."
        if revisit
        else "Your trainer read what you observed and wrote back."
    )
    notify(
        user,
        subject,
        body,
        link=path_for("quizzes.attempt", attempt_id=attempt_id),
        topic=Topic.FEEDBACK,
    )


def email_notification(notification_id: int) -> None:
    """Background job: email one stored notification; a failing mail server is retried.

    Sent once: a notification already emailed (a job handed over twice) is skipped.
    """
    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.email_pending:
        return
    text = notification.body
    if notification.link:
        text = f"{text}\n\nOpen it on PFR Learn:\n{absolute(notification.link)}\n"
    try:
        send_email(db.session.get(User, notification.user_id).email, notification.subject, text)
    except (smtplib.SMTPException, OSError) as exc:
        # No address or text in the log: only which notification and what failed.
        logger.warning("email for notification %s not sent: %r", notification.id, exc)
        raise
    notification.email_pending = False
    db.session.commit()


def list_for(user: User, limit: int = PAGE_SIZE) -> list[Notification]:
    """Return ``user``'s notifications, read and unread, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def unread_for(user: User, limit: int = 10) -> list[Notification]:
    """Return ``user``'s unread notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_unread(user: User) -> int:
    """Return how many of ``user``'s notifications are unread."""
    query = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def mark_read(user: User, public_id: str) -> Notification:
    """Mark one of ``user``'s own notifications read and return it.

    :raise LookupError: when no notification with that public id belongs to ``user``,
        so nobody can tell another person's notification from a missing one.
    """
    notification = get_by_public_id(Notification, public_id)
    if notification is None or notification.user_id != user.id:
        raise LookupError(f"no notification {public_id} for this user")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; return how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
