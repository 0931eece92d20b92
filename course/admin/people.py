"""The site admin's people: find anyone, correct their name or email, change roles."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from course.accounts.models import Invitation, Role, User, normalize_email
from course.accounts.services import AccountError, email_invitation, get_user_by_email
from course.agencies.models import Agency
from course.audit.services import record
from course.extensions import db
from course.mentoring.models import MentorGroup
from course.paging import Page, page_of_query
from course.timeutil import utcnow


class PersonError(AccountError):
    """A change refused, naming the form field it is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def _matching(text: str, role: str):
    query = select(User)
    words = text.split()
    for word in words:  # every word in the name or the email: "ana harbour" finds her
        # Escaped: "%" and "_" typed in the box are letters, not LIKE wildcards.
        word = word.lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(word, autoescape=True),
                User.email.contains(word, autoescape=True),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role_links.any(role=role))
    return query


def search_people(text: str = "", role: str = "", number: int | None = 1) -> Page[User]:
    """People whose name or email holds every word of ``text`` (and who hold ``role``),
    by name, 50 a page; a page past the end shows the last one."""
    query = _matching(text, role).options(selectinload(User.role_links), selectinload(User.agency))
    return page_of_query(query.order_by(func.lower(User.name), User.id), number)


def count_people() -> int:
    return db.session.scalar(select(func.count(User.id)))


def people_named(text: str) -> list[int]:
    """Ids of the people whose name or email holds every word of ``text`` (the audit
    log's "who" filter)."""
    return list(db.session.scalars(_matching(text, "").with_only_columns(User.id)))


def update_person(
    actor: User, person: User, name: str, email: str, roles: list[str], agency_id: int
) -> None:
    """Correct a person's name, email, roles and agency, keeping what changed in the audit
    log. A new email ends their sessions (their sign-in changed).

    :raise PersonError: for an email another account uses, no role at all, or a site
        admin taking their own site admin role away.
    """
    email = normalize_email(email)
    other = get_user_by_email(email)
    if other is not None and other.id != person.id:
        raise PersonError(f"{email} is the email of another account ({other.name}).", "email")
    wanted = {Role(r) for r in roles}
    if not wanted:
        raise PersonError("Give the person at least one role.", "roles")
    if person.id == actor.id and Role.SITE_ADMIN not in wanted:
        raise PersonError("You cannot take away your own site admin role.", "roles")
    agency = db.session.get(Agency, agency_id) if agency_id else None
    before = _facts(person)
    person.name = " ".join(name.split())
    if email != person.email:
        person.email = email
        person.end_sessions()
    person.role_links = [link for link in person.role_links if Role(link.role) in wanted]
    for role in wanted:
        person.add_role(role)
    person.agency = agency
    after = _facts(person)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        record(actor, "person.edit", "user", person.id, **changed)
    db.session.commit()


def _facts(person: User) -> dict:
    return {
        "name": person.name,
        "email": person.email,
        "roles": sorted(role.value for role in person.roles),
        "agency": person.agency.name if person.agency else None,
    }


def open_invitation(person: User) -> Invitation | None:
    """The invitation still waiting for someone who never set a password."""
    return db.session.scalar(
        select(Invitation)
        .where(
            Invitation.email == person.email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    )


def mentor_groups() -> list[MentorGroup]:
    """Every mentor group, newest first, with its mentor and members."""
    return list(
        db.session.scalars(
            select(MentorGroup)
            .options(selectinload(MentorGroup.mentor), selectinload(MentorGroup.agency))
            .order_by(MentorGroup.start_date.desc(), MentorGroup.id.desc())
        )
    )


def resend_invitation(actor: User, person: User) -> None:
    """A new invitation link for someone who never set a password (the old one stops).

    :raise AccountError: for someone who has a password: they use "Forgot password".
    """
    if person.password_hash:
        raise AccountError(
            f"{person.name} has set a password; they can choose a new one from the sign-in page."
        )
    waiting = open_invitation(person)
    role = Role(waiting.role) if waiting else next(iter(sorted(person.roles)), Role.TRAINEE)
    if waiting is not None:
        waiting.revoked_at = utcnow()
    email_invitation(actor, person.email, person.name, role, agency=person.agency)
    record(actor, "person.invitation-resent", "user", person.id)
    db.session.commit()
