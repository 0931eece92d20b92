"""The film catalogue's rules: adding films and captions, what each week shows, and
copying the site's practice films in from content/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from course.audit.services import record as audit
from course.curriculum.captions import COVERAGE_SLACK_SECONDS, check_captions
from course.curriculum.media import make_stand_in_clip, quizzes_showing
from course.curriculum.models import Curriculum, Unit
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.films.models import Film, FilmCaption, FilmShowing
from course.media.probe import probe
from course.media.services import storage
from course.media.storage import new_key


class FilmError(ValueError):
    """A film or caption file the catalogue cannot take; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class FilmDetails:
    title: str
    description: str
    guide: str
    levels: list[str]
    unit_slugs: list[str]
    duration_seconds: int | None = None  # None: read it from the file


def films_for_unit(unit_slug: str) -> list[Film]:
    """The catalogue's films a week shows, whose file is in place, by title (with their
    caption languages, not the captions' text)."""
    return list(
        db.session.scalars(
            select(Film)
            .join(FilmShowing)
            .where(FilmShowing.unit_slug == unit_slug, Film.storage_key.is_not(None))
            .options(selectinload(Film.captions).load_only(FilmCaption.language))
            .order_by(Film.title)
        )
    )


def film_by_slug(slug: str) -> Film | None:
    return db.session.scalar(select(Film).where(Film.slug == slug))


def playable_film_id(slug: str) -> str | None:
    """The public id of the film a quiz names by slug, when its file is in place."""
    return db.session.scalar(
        select(Film.public_id).where(Film.slug == slug, Film.storage_key.is_not(None))
    )


def captioned_film_id(slug: str, language: str) -> str | None:
    """The public id of that film when it has captions in ``language`` (not their text)."""
    return db.session.scalar(
        select(Film.public_id)
        .join(FilmCaption)
        .where(Film.slug == slug, FilmCaption.language == language)
    )


def all_films() -> list[Film]:
    return list(
        db.session.scalars(
            select(Film)
            .options(selectinload(Film.captions).load_only(FilmCaption.language))
            .order_by(Film.practice, Film.title)
        )
    )


def weeks_without_films(curriculum: Curriculum | None = None) -> list[Unit]:
    """Film weeks that no catalogue film with a file is shown in yet."""
    curriculum = curriculum or get_curriculum()
    shown = set(
        db.session.scalars(
            select(FilmShowing.unit_slug).join(Film).where(Film.storage_key.is_not(None))
        )
    )
    return [unit for unit in curriculum.units_with_films() if unit.slug not in shown]


CAPTIONS_MAX_BYTES = 1024 * 1024  # a feature film's captions are a few hundred KB


def caption_text(upload) -> str:
    """Read an uploaded caption file as UTF-8 text."""
    data = upload.read(CAPTIONS_MAX_BYTES + 1)
    if len(data) > CAPTIONS_MAX_BYTES:
        raise FilmError("That captions file is over 1 MB: is it the right file?", "captions")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FilmError("Save the captions as UTF-8 text (WebVTT).", "captions") from exc
    if "\x00" in text:
        raise FilmError("That file is not text: save the captions as WebVTT.", "captions")
    return text


def add_film(details: FilmDetails, video_path: Path, language: str, captions: str, actor) -> Film:
    """Store a new film with its first captions; nothing is kept if either is refused."""
    duration = _duration(video_path, details.duration_seconds)
    _check(captions, duration)
    film = Film(slug=_new_slug(details.title), uploaded_by_id=actor.id)
    _apply(film, details, duration)
    film.captions.append(FilmCaption(language=language, body=captions))
    _store_file(film, video_path)
    key = film.storage_key
    try:
        db.session.add(film)
        db.session.flush()
        audit(actor, "film.add", "film", film.public_id, title=film.title)
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage().delete(key)  # no file is left without its record
        raise
    return film


def update_film(film: Film, details: FilmDetails, actor, video_path: Path | None = None) -> None:
    """Change a film's details, weeks and levels; with ``video_path``, its file too
    (whose length is read from it unless ``details`` gives one)."""
    duration = film.duration_seconds
    if video_path is not None:
        duration = _duration(video_path, details.duration_seconds)
    elif details.duration_seconds:
        duration = details.duration_seconds
    for caption in film.captions:  # the captions must still fit the film
        _check(caption.body, duration)
    old_key = film.storage_key
    _apply(film, details, duration)
    if video_path is not None:
        _store_file(film, video_path)
    new_key = film.storage_key
    audit(actor, "film.edit", "film", film.public_id, replaced_file=video_path is not None)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if new_key != old_key:
            storage().delete(new_key)  # no file is left without its record
        raise
    if video_path is not None and old_key:
        storage().delete(old_key)  # after the commit: the old file stays until replaced


def set_captions(film: Film, language: str, text: str, actor) -> None:
    """Add or replace one language's captions."""
    _check(text, film.duration_seconds)
    caption = film.caption(language)
    if caption is None:
        film.captions.append(FilmCaption(language=language, body=text))
    else:
        caption.body = text
    audit(actor, "film.captions", "film", film.public_id, language=language)
    db.session.commit()


def remove_captions(film: Film, language: str, actor) -> None:
    caption = film.caption(language)
    if caption is None:
        return
    if len(film.captions) == 1:
        raise FilmError("A film keeps at least one language of captions.")
    film.captions.remove(caption)
    audit(actor, "film.captions-remove", "film", film.public_id, language=language)
    db.session.commit()


def delete_film(film: Film, actor) -> None:
    key = film.storage_key
    audit(actor, "film.delete", "film", film.public_id, title=film.title)
    db.session.delete(film)
    db.session.commit()
    storage().delete(key)


def _apply(film: Film, details: FilmDetails, duration: int) -> None:
    curriculum = get_curriculum()
    known_levels = {level.slug for level in curriculum.levels}
    film_weeks = {unit.slug for unit in curriculum.units_with_films()}
    weeks = {slug for slug in details.unit_slugs if slug in film_weeks}
    # A week's trainees may always watch the films it shows.
    week_levels = {curriculum.unit(slug).level for slug in weeks}
    levels = sorted({slug for slug in details.levels if slug in known_levels} | week_levels)
    if not levels:  # checked before anything changes
        raise FilmError("Choose at least one level whose trainees watch this film.", "levels")
    film.title = details.title.strip()
    film.description = details.description.strip()
    film.guide = details.guide.strip()
    film.duration_seconds = duration
    film.levels = levels
    film.showings = [s for s in film.showings if s.unit_slug in weeks]
    have = {showing.unit_slug for showing in film.showings}
    film.showings.extend(FilmShowing(unit_slug=slug) for slug in sorted(weeks - have))


def _duration(video_path: Path, given: int | None) -> int:
    found = probe(video_path)
    if found is None or found.video_codec is None:
        raise FilmError("That file is not a video this site can read.", "file")
    if not found.web_playable:
        raise FilmError(
            "Upload the film as an MP4 with H.264 video and AAC sound, which every browser plays.",
            "file",
        )
    return given or round(found.duration or 0)


def _check(captions: str, duration: int) -> None:
    result = check_captions(captions)
    if not result.ok:
        raise FilmError("The captions have a problem: " + "; ".join(result.problems), "captions")
    if duration and result.last_end > duration + COVERAGE_SLACK_SECONDS:
        raise FilmError(
            f"The captions run to {result.last_end:.0f} s, past the film's {duration} s: "
            "are they for another film?",
            "captions",
        )


def _store_file(film: Film, video_path: Path) -> None:
    key = new_key(".mp4")
    storage().put_file(key, video_path)
    film.storage_key, film.size_bytes = key, video_path.stat().st_size


def _new_slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "film"
    slug, number = base, 1
    practice = get_curriculum().videos  # their slugs stay theirs, even before an import
    while slug in practice or film_by_slug(slug) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug


# -- practice films ------------------------------------------------------------------


def import_practice_films(curriculum: Curriculum | None = None, make_files: bool = True) -> int:
    """Copy content/videos.yaml's practice films into the catalogue; return how many
    were added. Films already there get their text and captions refreshed from
    content/ (the weeks and levels a site admin chose are left as they are).

    Each new film's file is a stand-in made with ffmpeg (a test pattern and tone as
    long as the film), unless ``make_files`` is false (then it has none yet).
    """
    curriculum = curriculum or get_curriculum()
    content = Path(current_app.config["COURSE_CONTENT_DIR"])
    played_by = quizzes_showing(content)  # film slug -> the quizzes that play it
    added = 0
    for number, video in enumerate(sorted(curriculum.videos.values(), key=lambda v: v.slug)):
        film = film_by_slug(video.slug)
        if film is None:
            levels = _practice_levels(curriculum, video, played_by.get(video.slug, set()))
            film = Film(slug=video.slug, practice=True, levels=levels)
            film.showings = [FilmShowing(unit_slug=slug) for slug in video.units]
            db.session.add(film)
            added += 1
        if not film.practice:
            continue  # a center's own film took the slug: leave it alone
        if film.duration_seconds != video.duration_seconds and film.storage_key:
            storage().delete(film.storage_key)  # a picture as long as the new captions
            film.storage_key = None
        film.title, film.description = video.title, video.description
        film.guide, film.duration_seconds = video.guide, video.duration_seconds
        for language, name in video.captions.items():
            body = (content / name).read_text(encoding="utf-8", errors="replace")
            caption = film.caption(language)
            if caption is None:
                film.captions.append(FilmCaption(language=language, body=body))
            else:
                caption.body = body
        if film.storage_key is not None and not storage().exists(film.storage_key):
            film.storage_key = None  # its file is gone: no player for a missing file
        if make_files and film.storage_key is None:
            _store_file(film, _practice_picture(video, tone_hz=220 + 20 * number))
        db.session.commit()  # film by film: a failure later leaves no stored file unrecorded
    return added


def _practice_picture(video, tone_hz: int) -> Path:
    """The practice film's stand-in picture and tone, made once per machine and length
    (a fresh demo site or test store copies it instead of encoding it again)."""
    cache = Path(current_app.instance_path) / "practice-films"
    clip = cache / f"{video.slug}-{video.duration_seconds}s-{tone_hz}hz.mp4"
    if not clip.exists():
        make_stand_in_clip(clip, video.duration_seconds, tone_hz, cheap=True)
    return clip


def _practice_levels(curriculum: Curriculum, video, quizzes: set[str]) -> list[str]:
    """The levels of the weeks that show a film, and of the quizzes that play it."""
    levels = {curriculum.unit(slug).level for slug in video.units}  # the loader checked them
    for quiz in quizzes:
        unit = curriculum.unit_for_quiz(quiz)
        if unit is not None:
            levels.add(unit.level)
    return sorted(levels)
