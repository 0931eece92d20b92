"""Attempts and answers. The plugin keeps its own declarative base and ``quiz_`` tables,
so it shares the host's database and session without importing the host's models.

``user_id`` is a plain integer: the quiz plugin knows people only by id.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class QuizBase(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class AttemptStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ReviewState(StrEnum):
    WAITING = "waiting"
    REPLIED = "replied"
    REVISIT = "revisit"


class QuizAttempt(QuizBase):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("user_id", "quiz_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What URLs carry: random, so they do not tell how many attempts the site holds.
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_urlsafe(16)
    )
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    quiz_slug: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first attempt, then 2, ...
    status: Mapped[AttemptStatus] = mapped_column(String(16), default=AttemptStatus.DRAFT)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(Float)  # percent of the scored questions
    passed: Mapped[bool | None]
    # Shuffles the options for this attempt alone (a retake gets a new order).
    seed: Mapped[int | None] = mapped_column(Integer)

    answers: Mapped[list[QuizAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == AttemptStatus.DRAFT

    def answer_for(self, question_id: str) -> QuizAnswer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} {self.quiz_slug} #{self.number} {self.status}>"


class QuizAnswer(QuizBase):
    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)  # 0..1; None when not scored
    # Open answers, once the attempt is submitted: waiting for the trainer, replied to,
    # or sent back with "revisit" until the trainee answers again. None: not open.
    review_state: Mapped[ReviewState | None] = mapped_column(String(16), index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[int | None] = mapped_column(Integer)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<QuizAnswer {self.attempt_id} {self.question_id} score={self.score}>"


class QuizAllowance(QuizBase):
    """Attempts a trainer has allowed beyond the quiz's own limit, for one person."""

    __tablename__ = "quiz_allowance"
    __table_args__ = (UniqueConstraint("user_id", "quiz_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    quiz_slug: Mapped[str] = mapped_column(String(120))
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    granted_by: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
