from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from course.curriculum.models import HANDOUT_LANGUAGES
from course.forms import MultiCheckboxField

CAPTION_LANGUAGES = [SelectChoice(code, name) for code, name in HANDOUT_LANGUAGES.items()]


class FilmForm(FlaskForm):
    """A film's details, levels and weeks; its file (required for a new film)."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Length(max=2000)],
        description="What the film shows, in a sentence or two, for trainees choosing it.",
    )
    duration_seconds = IntegerField(
        "Length in seconds",
        validators=[Optional(), NumberRange(min=1, max=6 * 3600)],
        description="Leave empty to read it from the file (or, when changing a film, "
        "to keep its length).",
    )
    levels = MultiCheckboxField("Levels whose trainees may watch it")
    weeks = MultiCheckboxField("Weeks that show it")
    guide = TextAreaField(
        "Guide for this film (optional)",
        validators=[Length(max=8000)],
        description="Where to look in this film: shown under it on the week page. "
        "Markdown is allowed.",
    )
    file = FileField(
        "Film file (MP4, H.264 video, AAC sound)",
        validators=[FileAllowed(["mp4", "m4v"], "Upload an MP4 file.")],
    )


class NewFilmForm(FilmForm):
    file = FileField(
        "Film file (MP4, H.264 video, AAC sound)",
        validators=[FileRequired("Choose the film's file."), FileAllowed(["mp4", "m4v"])],
    )
    caption_language = SelectField("Captions language", choices=CAPTION_LANGUAGES)
    captions = FileField(
        "Captions (WebVTT, .vtt)",
        validators=[FileRequired("Every film needs captions."), FileAllowed(["vtt"])],
    )


class CaptionsForm(FlaskForm):
    language = SelectField("Language", choices=CAPTION_LANGUAGES)
    captions = FileField(
        "Captions file (WebVTT, .vtt)",
        validators=[
            FileRequired("Choose a .vtt file."),
            FileAllowed(["vtt"], "Upload a .vtt file."),
        ],
    )
