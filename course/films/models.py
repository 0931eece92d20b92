"""The film catalogue: the center's licensed films and the site's practice films.

A site admin uploads each film, with WebVTT captions in one or more languages, and
chooses the levels whose people may watch it and the weeks that show it. Captions
are small text kept in the database; the film itself lives in the media store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import CourseModel
from course.public_ids import PublicIdMixin
from course.timeutil import UTCDateTime, utcnow


class Film(PublicIdMixin, CourseModel):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Quiz questions and practice-film weeks name films by slug; it never changes.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_seconds: Mapped[int] = mapped_column(default=0)
    guide: Mapped[str] = mapped_column(Text, default="")  # optional, Markdown
    practice: Mapped[bool] = mapped_column(default=False)  # made for this site
    levels: Mapped[list] = mapped_column(JSON, default=list)  # level slugs that may watch
    storage_key: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Loaded when asked for (lists load only the languages): not the captions' text
    # on every Range request of the film.
    captions: Mapped[list[FilmCaption]] = relationship(
        back_populates="film", cascade="all, delete-orphan", order_by="FilmCaption.language"
    )
    showings: Mapped[list[FilmShowing]] = relationship(
        back_populates="film", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def unit_slugs(self) -> list[str]:
        return sorted(showing.unit_slug for showing in self.showings)

    def caption(self, language: str) -> FilmCaption | None:
        return next((c for c in self.captions if c.language == language), None)

    def __repr__(self) -> str:
        return f"<Film {self.slug}>"


class FilmCaption(CourseModel):
    """One language's WebVTT captions for a film."""

    __table_args__ = (UniqueConstraint("film_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("course_film.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    film: Mapped[Film] = relationship(back_populates="captions")


class FilmShowing(CourseModel):
    """A week (unit) that shows the film."""

    film_id: Mapped[int] = mapped_column(
        ForeignKey("course_film.id", ondelete="CASCADE"), primary_key=True
    )
    unit_slug: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)

    film: Mapped[Film] = relationship(back_populates="showings")
