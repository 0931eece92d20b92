"""The film catalogue: site admins manage it; people whose level uses a film watch it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from course.accounts.forms import PostForm
from course.curriculum.models import HANDOUT_LANGUAGES
from course.curriculum.services import get_curriculum
from course.films import services
from course.films.forms import CaptionsForm, FilmForm, NewFilmForm
from course.films.models import Film
from course.media.delivery import deliver
from course.media.services import storage
from course.permissions import Action, get_visible_or_404, require
from course.public_ids import get_or_404

bp = Blueprint("films", __name__, template_folder="templates")


@bp.get("/films")
@login_required
def index():
    require(Action.FILM_MANAGE)
    return render_template(
        "course/films/index.html",
        films=services.all_films(),
        missing=services.weeks_without_films(),
        curriculum=get_curriculum(),
    )


@bp.route("/films/new", methods=["GET", "POST"])
@login_required
def new():
    require(Action.FILM_MANAGE)
    form = _choices(NewFilmForm())
    if form.validate_on_submit():
        try:
            with _saved(form.file.data) as path:
                captions = services.caption_text(form.captions.data)
                film = services.add_film(
                    _details(form), path, form.caption_language.data, captions, current_user
                )
        except services.FilmError as exc:
            _form_error(form, exc)
        else:
            flash(f"{film.title} is in the catalogue.", "success")
            return redirect(url_for(".edit", film_id=film.public_id))
    return render_template(
        "course/films/form.html", form=form, film=None, languages=HANDOUT_LANGUAGES
    ), _status(form)


@bp.route("/films/<public_id:film_id>", methods=["GET", "POST"])
@login_required
def edit(film_id):
    require(Action.FILM_MANAGE)
    film = get_or_404(Film, film_id)
    form = _choices(FilmForm(obj=film))
    if not form.is_submitted():
        form.weeks.data = film.unit_slugs
        form.duration_seconds.data = None  # empty keeps it, or reads a new file's
    if form.validate_on_submit():
        try:
            if form.file.data:
                with _saved(form.file.data) as path:
                    services.update_film(film, _details(form), current_user, path)
            else:
                services.update_film(film, _details(form), current_user)
        except services.FilmError as exc:
            _form_error(form, exc)
        else:
            flash("Saved.", "success")
            return redirect(url_for(".edit", film_id=film.public_id))
    return render_template(
        "course/films/form.html",
        form=form,
        film=film,
        captions_form=CaptionsForm(),
        languages=HANDOUT_LANGUAGES,
    ), _status(form)


@bp.post("/films/<public_id:film_id>/captions")
@login_required
def add_captions(film_id):
    require(Action.FILM_MANAGE)
    film = get_or_404(Film, film_id)
    form = CaptionsForm()
    if form.validate_on_submit():
        try:
            services.set_captions(
                film, form.language.data, services.caption_text(form.captions.data), current_user
            )
        except services.FilmError as exc:
            flash(str(exc), "error")
        else:
            flash("Captions saved.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".edit", film_id=film.public_id))


@bp.post("/films/<public_id:film_id>/captions/<language>/delete")
@login_required
def remove_captions(film_id, language):
    require(Action.FILM_MANAGE)
    film = get_or_404(Film, film_id)
    if PostForm().validate_on_submit():
        try:
            services.remove_captions(film, language, current_user)
        except services.FilmError as exc:
            flash(str(exc), "error")
    return redirect(url_for(".edit", film_id=film.public_id))


@bp.route("/films/<public_id:film_id>/delete", methods=["GET", "POST"])
@login_required
def delete(film_id):
    require(Action.FILM_MANAGE)
    film = get_or_404(Film, film_id)
    form = PostForm()
    if form.validate_on_submit():
        services.delete_film(film, current_user)
        flash(f"{film.title} was removed from the catalogue.", "success")
        return redirect(url_for(".index"))
    return render_template("course/films/delete.html", film=film, form=form)


@bp.get("/films/<public_id:film_id>/file")
@login_required
def watch(film_id):
    """The film itself, for people whose level uses it (Range requests let it seek)."""
    film = get_visible_or_404(Film, film_id, Action.FILM_WATCH)
    if film.storage_key is None:
        abort(404)
    try:
        return deliver(storage(), film.storage_key, "video/mp4")
    except FileNotFoundError:  # removed from the store behind the catalogue's back
        abort(404)


@bp.get("/films/<public_id:film_id>/captions/<language>.vtt")
@login_required
def captions(film_id, language):
    film = get_visible_or_404(Film, film_id, Action.FILM_WATCH)
    caption = film.caption(language)
    if caption is None:
        abort(404)
    response = Response(caption.body, mimetype="text/vtt")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _choices(form):
    curriculum = get_curriculum()
    form.levels.choices = [SelectChoice(level.slug, level.title) for level in curriculum.levels]
    form.weeks.choices = [
        SelectChoice(unit.slug, f"{curriculum.level(unit.level).short_title}, {unit.title}")
        for unit in curriculum.units_with_films()
    ]
    return form


def _details(form) -> services.FilmDetails:
    return services.FilmDetails(
        title=form.title.data,
        description=form.description.data or "",
        guide=form.guide.data or "",
        levels=form.levels.data or [],
        unit_slugs=form.weeks.data or [],
        duration_seconds=form.duration_seconds.data,
    )


def _form_error(form, exc: services.FilmError) -> None:
    form.refused = True
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "error")
    if form.file.data and exc.field != "file":  # a browser never sends a file back
        form.file.errors = [*form.file.errors, "Choose the film's file again."]


def _status(form) -> int:
    """422 for a refused form (a field's error, or a message about the whole film)."""
    refused = any(field.errors for field in form) or getattr(form, "refused", False)
    return 422 if form.is_submitted() and refused else 200


@contextmanager
def _saved(upload) -> Iterator[Path]:
    """An uploaded file saved to a temporary file for ffmpeg to read, then removed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "film.mp4"
        upload.save(path)
        yield path
