"""People, their roles, and invitations to join the site."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    TRAINEE = "trainee"
    MASTER_TRAINER = "master_trainer"
    AGENCY_TRAINER = "agency_trainer"
    AGENCY_ADMIN = "agency_admin"
    SITE_ADMIN = "site_admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def normalize_email(email: str) -> str:
    """Return the form of an email address used for storage and lookup."""
    return email.strip().lower()


class User(PublicIdMixin, UserMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see normalize_email), so the unique constraint is
    # case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    # Empty until the person accepts their invitation and chooses a password.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("course_agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id in every session and remember-me cookie: raising it (sign-out, a new
    # password, deactivation) ends every session of this person, on every device.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Where they read times; None: their agency's, else the site's (course.local_time).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Notification topics they do not want by email (course.notifications.models.Topic).
    email_muted: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Two-step sign-in (course.accounts.two_step): the TOTP secret once confirmed, the
    # last time step used (a code works once) and the unused recovery codes' hashes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_recovery: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    agency: Mapped[Agency | None] = relationship()  # noqa: F821
    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    @validates("email")
    def _normalize_email(self, key, value):
        return normalize_email(value)

    @property
    def roles(self) -> set[Role]:
        return {Role(link.role) for link in self.role_links}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def add_role(self, role: Role) -> None:
        if role not in self.roles:
            self.role_links.append(UserRole(role=role))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(CourseModel):
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("course_user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="role_links")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class Invitation(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("course_agency.id"))
    # Only a hash of the token is kept: a leaked database cannot be used to sign in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("course_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()  # noqa: F821

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    @validates("email")
    def _normalize_email(self, key, value):
        return normalize_email(value)

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.role} expires={self.expires_at:%Y-%m-%d}>"
