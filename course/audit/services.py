"""Writing and reading the audit log."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import select

from course.audit.models import AuditEvent
from course.extensions import db
from course.timeutil import UTC, utcnow


def record(actor, action: str, object_type: str, object_id: str, **detail) -> AuditEvent:
    """Add an audit event to the session; the caller's commit writes it with its change."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        address=request.remote_addr or "" if has_request_context() else "",
        detail=detail,
    )
    db.session.add(event)
    return event


def record_once(
    actor, action: str, object_type: str, object_id: str, within: timedelta = timedelta(minutes=10)
) -> AuditEvent | None:
    """Record ``action`` unless the same person did it to the same object just now.

    For playback: a player asks for many ranges as it plays and seeks; one row per
    viewing (per ``within``) says who watched, whatever the ranges asked for.
    """
    since = utcnow() - within
    recent = db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == actor.id,
            AuditEvent.action == action,
            AuditEvent.object_id == str(object_id),
            AuditEvent.created_at >= since,
        )
        .limit(1)
    )
    return None if recent else record(actor, action, object_type, object_id)


def record_denied(actor, object_type: str, object_id, action: str) -> None:
    """Keep a refused attempt on someone's record (it is answered 404 all the same)."""
    record(actor, "access.denied", object_type, object_id, wanted=action)
    db.session.commit()


# What the log's "action" filter offers (every action the site records).
ACTIONS = (
    "access.denied",
    "account.sign-in",
    "account.sign-in-failed",
    "account.reset-requested",
    "account.password-reset",
    "account.password-change",
    "account.two-step-on",
    "account.two-step-off",
    "account.recovery-code-used",
    "person.edit",
    "person.deactivate",
    "person.reactivate",
    "person.invitation-resent",
    "week.sign-off",
    "week.sign-off-revoke",
    "certificate.issue",
    "certificate.revoke",
    "meeting.change",
    "meeting.delete",
    "report.export",
    "audit.export",
    "consent.record",
    "consent.withdraw",
    "video.view",
    "video.stream",
    "video.poster",
    "video.download",
    "video.upload-start",
    "video.upload",
    "video.rejected",
    "video.retry",
    "video.comment",
    "video.reviewed",
    "video.delete",
    "film.add",
    "film.edit",
    "film.captions",
    "film.captions-remove",
    "film.delete",
)


def search(
    action: str | None = None,
    actor_ids: list[int] | None = None,
    object_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = 500,
) -> list[AuditEvent]:
    """Return audit events, newest first, filtered by any of the arguments (``actor_ids``:
    the people who acted; None for anyone)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_ids is not None:
        query = query.where(AuditEvent.actor_id.in_(actor_ids))
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time(), UTC))
    if until:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.created_at < end)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def to_csv(events: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "when (UTC)",
            "actor id",
            "actor email",
            "action",
            "object type",
            "object id",
            "address",
            "detail",
        ]
    )
    for e in events:
        writer.writerow(
            [
                e.created_at.isoformat(timespec="seconds"),
                e.actor_id or "",
                e.actor.email if e.actor else "",
                e.action,
                e.object_type,
                e.object_id,
                e.address,
                ";".join(f"{k}={v}" for k, v in sorted(e.detail.items())),
            ]
        )
    return out.getvalue()
