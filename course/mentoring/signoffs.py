"""Signing off weeks and levels, certificates, and invitations to Level 3."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.accounts.models import Role, User
from course.audit.services import record
from course.curriculum.models import Unit, UnitKind
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import EnrolmentStatus
from course.links import path_for
from course.media.services import set_retention_after_sign_off, week_video_reviewed
from course.mentoring.models import (
    Certificate,
    LevelThreeInvitation,
    Meeting,
    MeetingAttendee,
    MentorGroup,
    WeekSignOff,
)
from course.mentoring.services import (
    MentoringError,
    _require_mentor,
    standing_certificate,
)
from course.notifications.models import Topic
from course.notifications.services import notify, notify_unless_waiting
from course.reflections.models import Reflection, ReflectionStatus
from course.timeutil import today as utc_today
from course.timeutil import utcnow

# Unambiguous characters only: no 0/O or 1/I/L, so a code read aloud is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# -- weeks ---------------------------------------------------------------------------


def standing_sign_offs(trainee_ids: set[int], level: str) -> dict[tuple[int, str], WeekSignOff]:
    """Return the standing (unrevoked) sign-offs of these trainees, by (trainee, unit)."""
    rows = db.session.scalars(
        select(WeekSignOff).where(
            WeekSignOff.trainee_id.in_(trainee_ids),
            WeekSignOff.level == level,
            WeekSignOff.revoked_at.is_(None),
        )
    )
    return {(row.trainee_id, row.unit_slug): row for row in rows}


def sign_off_missing(group: MentorGroup, trainee: User, unit: Unit) -> list[str]:
    """List what a week still needs before it can be signed off (empty when ready)."""
    missing = []
    reflection = db.session.scalar(
        select(Reflection).where(
            Reflection.trainee_id == trainee.id, Reflection.unit_slug == unit.slug
        )
    )
    if reflection is None or reflection.status != ReflectionStatus.ACCEPTED:
        missing.append("the reflection is not accepted yet")
    attended = db.session.scalar(
        select(Meeting.id)
        .join(MeetingAttendee)
        .where(
            Meeting.group_id == group.id,
            Meeting.unit_slug == unit.slug,
            MeetingAttendee.user_id == trainee.id,
        )
        .limit(1)
    )
    if attended is None:
        missing.append("no meeting is logged for this week with the trainee attending")
    if unit.kind == UnitKind.PRACTICE_WEEK and not week_video_reviewed(trainee.id, unit.slug):
        missing.append("the week's dyad video is not uploaded and reviewed yet")
    return missing


def sign_off_week(group: MentorGroup, actor: User, trainee: User, unit: Unit) -> WeekSignOff:
    """Sign off a trainee's week; signing twice (a double click) signs once.

    :raise MentoringError: when the actor is not the mentor or the week is not ready.
    """
    _require_mentor(group, actor)
    if trainee.id not in group.trainee_ids or unit.level != group.level:
        raise MentoringError("That trainee or week is not part of this group.")
    existing = standing_sign_offs({trainee.id}, group.level).get((trainee.id, unit.slug))
    if existing is not None:
        return existing
    missing = sign_off_missing(group, trainee, unit)
    if missing:
        raise MentoringError(f"{unit.title} cannot be signed off yet: {'; '.join(missing)}.")
    sign_off = WeekSignOff(
        trainee_id=trainee.id,
        group_id=group.id,
        level=group.level,
        unit_slug=unit.slug,
        signed_by_id=actor.id,
    )
    # One unread notification however many weeks are signed off before they look; asked
    # before the sign-off is added, so its query cannot flush a racing duplicate early.
    notify_unless_waiting(
        trainee,
        f"{actor.name} signed off your work",
        "Your weeks page shows which weeks are signed off and what comes next.",
        path_for("course.learning.level", level_slug=group.level),
        Topic.FEEDBACK,
    )
    db.session.add(sign_off)
    record(actor, "week.sign-off", "user", trainee.id, week=unit.slug)
    set_retention_after_sign_off(trainee.id, unit.slug, utc_today())
    try:
        db.session.commit()
    except IntegrityError:  # a simultaneous second click won the race: keep its row
        db.session.rollback()
        return standing_sign_offs({trainee.id}, group.level)[(trainee.id, unit.slug)]
    return sign_off


def revoke_week_sign_off(sign_off: WeekSignOff, actor: User, reason: str) -> None:
    """Withdraw a sign-off, keeping it with who, when and why."""
    group = db.session.get(MentorGroup, sign_off.group_id)
    _require_mentor(group, actor)
    _revoke(sign_off, actor, reason, "Say why the sign-off is revoked.")


def _revoke(item: WeekSignOff | Certificate, actor: User, reason: str, ask: str) -> None:
    """Mark a sign-off or certificate revoked, keeping who, when and why (once)."""
    if not reason.strip():
        raise MentoringError(ask)
    if item.revoked_at is None:
        item.revoked_at = utcnow()
        item.revoked_by_id = actor.id
        item.revoke_reason = reason.strip()
        if isinstance(item, WeekSignOff):
            action, detail = "week.sign-off-revoke", {"week": item.unit_slug}
        else:
            action, detail = "certificate.revoke", {"code": item.code}
        record(actor, action, "user", item.trainee_id, reason=item.revoke_reason, **detail)
        db.session.commit()


# -- levels and certificates -----------------------------------------------------------


def level_ready(group: MentorGroup, trainee: User) -> list[str]:
    """Name the units not yet signed off (empty when the level can be signed off)."""
    signed = standing_sign_offs({trainee.id}, group.level)
    return [
        unit.title
        for unit in get_curriculum().level(group.level).units
        if (trainee.id, unit.slug) not in signed
    ]


def sign_off_level(group: MentorGroup, actor: User, trainee: User) -> Certificate:
    """Sign off the level and issue the certificate (once, however often it is asked).

    Completing Level 3 makes the trainee an agency trainer of their own agency.
    """
    _require_mentor(group, actor)
    if trainee.id not in group.trainee_ids:
        raise MentoringError("That trainee is not part of this group.")
    existing = standing_certificate(trainee, group.level)
    if existing is not None:
        return existing
    unsigned = level_ready(group, trainee)
    if unsigned:
        raise MentoringError(
            f"Sign off every week first; still open: {', '.join(unsigned[:3])}"
            + (f" and {len(unsigned) - 3} more." if len(unsigned) > 3 else ".")
        )
    title = get_curriculum().level(group.level).title
    certificate, _ = issue_certificate(
        actor,
        trainee,
        group.level,
        tell=lambda issued: notify(
            trainee,
            f"Your {title} certificate",
            f"Congratulations. Your certificate code is {issued.code}.",
            link=path_for("course.certificates.show", code=issued.code),
            commit=False,
            topic=Topic.FEEDBACK,
        ),
    )
    return certificate


def issue_certificate(
    actor: User, trainee: User, level: str, tell: Callable[[Certificate], object]
) -> tuple[Certificate, bool]:
    """Issue the level's certificate and complete the level's enrolment, once: when two
    requests race, the loser gets the standing certificate and ``False`` (issued by the
    other, which told the trainee). ``tell`` adds the trainee's notification, saved in
    the same transaction as the certificate."""
    agency_trainer = actor.has_role(Role.AGENCY_TRAINER) and not actor.has_role(Role.MASTER_TRAINER)
    certificate = Certificate(
        code=_new_code(),
        trainee_id=trainee.id,
        level=level,
        issued_by_id=actor.id,
        issuer_role=Role.AGENCY_TRAINER if agency_trainer else Role.MASTER_TRAINER,
        issuer_agency_id=actor.agency_id if agency_trainer else None,
    )
    enrolment = learning.current_enrolment(trainee, level)
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = utcnow()
    if level == "level-3":
        trainee.add_role(Role.AGENCY_TRAINER)
    # Added last: a query above would flush it early, outside the try below, and a
    # racing request's certificate would then surface as an error, not as "issued".
    db.session.add(certificate)
    record(actor, "certificate.issue", "user", trainee.id, level=level, code=certificate.code)
    tell(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return standing_certificate(trainee, level), False
    return certificate, True


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"PFR-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def revoke_certificate(
    certificate: Certificate, actor: User, reason: str, may: bool = False
) -> None:
    """Withdraw a certificate (a site admin or its issuer, or whoever the caller's own
    rule allows: ``may``), keeping it with the reason."""
    if not (may or actor.has_role(Role.SITE_ADMIN) or actor.id == certificate.issued_by_id):
        raise MentoringError("Only the issuer or a site admin may revoke a certificate.")
    _revoke(certificate, actor, reason, "Say why the certificate is revoked.")


def certificates_of(trainee: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.trainee_id == trainee.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_at)
        )
    )


# -- Level 3 invitations ---------------------------------------------------------------


def invite_to_level_three(actor: User, trainee: User) -> LevelThreeInvitation:
    """Invite a Level 2 graduate to Level 3 (a master trainer or a site admin)."""
    if not actor.has_role(Role.MASTER_TRAINER, Role.SITE_ADMIN):
        raise MentoringError("Only a master trainer or a site admin may invite to Level 3.")
    if standing_certificate(trainee, "level-2") is None:
        raise MentoringError(f"{trainee.name} needs a Level 2 certificate first.")
    open_invitation = open_level_three_invitation(trainee)
    if open_invitation is not None:
        return open_invitation
    invitation = LevelThreeInvitation(trainee_id=trainee.id, invited_by_id=actor.id)
    db.session.add(invitation)
    notify(
        trainee,
        "You are invited to Level 3: Agency Trainer",
        f"{actor.name} invites you to train as an agency trainer. Accept or decline on your "
        "training page.",
        link=path_for("course.learning.training"),
        topic=Topic.SCHEDULE,
    )  # one commit saves both
    return invitation


def open_level_three_invitation(trainee: User) -> LevelThreeInvitation | None:
    return db.session.scalar(
        select(LevelThreeInvitation).where(
            LevelThreeInvitation.trainee_id == trainee.id,
            LevelThreeInvitation.accepted_at.is_(None),
            LevelThreeInvitation.declined_at.is_(None),
        )
    )


def answer_level_three_invitation(
    invitation: LevelThreeInvitation, trainee: User, accept: bool
) -> None:
    """The trainee accepts (and is enrolled in Level 3) or declines."""
    if invitation.trainee_id != trainee.id or not invitation.is_open:
        raise MentoringError("This invitation is not open for you.")
    if accept:
        invitation.accepted_at = utcnow()
        learning.enrol(trainee, "level-3")
    else:
        invitation.declined_at = utcnow()
    db.session.commit()
