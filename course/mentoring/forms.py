import secrets
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from course.forms import MultiCheckboxField
from course.mentoring.models import MEETING_MINUTES


class MeetingForm(FlaskForm):
    # A fresh key with each form shown: sending the same form twice logs one meeting.
    form_key = HiddenField(default=lambda: secrets.token_urlsafe(24), validators=[Length(max=64)])
    unit_slug = SelectField("Week", validators=[DataRequired()])
    held_on = DateField("Date of the meeting", default=date.today, validators=[DataRequired()])
    minutes = IntegerField(
        "Length in minutes",
        default=60,
        validators=[
            InputRequired(),
            NumberRange(
                *MEETING_MINUTES, message="A meeting lasts between %(min)s and %(max)s minutes."
            ),
        ],
    )
    attendees = MultiCheckboxField("Who attended", coerce=int)
    topics = TextAreaField(
        "Topics",
        validators=[Length(max=5000)],
        description="What you discussed. The trainee can see this.",
    )
    private_notes = TextAreaField(
        "Private notes",
        validators=[Length(max=5000)],
        description="For you only: never shown to trainees or agencies.",
    )


class GroupForm(FlaskForm):
    level = SelectField("Level", validators=[DataRequired()])
    mentor_id = SelectField("Mentor", coerce=int, validators=[DataRequired()])
    trainee_id = SelectField("Trainee", coerce=int, validators=[DataRequired()])
    partner_id = SelectField("Pair partner (optional)", coerce=int, validators=[Optional()])
    start_date = DateField(
        "Start date (week 1 opens)", default=date.today, validators=[DataRequired()]
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class PlanMeetingForm(FlaskForm):
    unit_slug = SelectField("Week", validators=[DataRequired()])
    day = DateField("Date", validators=[DataRequired()])
    start = TimeField("Starts", validators=[DataRequired()])
    minutes = IntegerField(
        "Length in minutes", default=60, validators=[InputRequired(), NumberRange(15, 240)]
    )
    time_zone = SelectField("Time zone", validators=[DataRequired()])
    link = StringField(
        "Video-call link (optional)",
        validators=[Optional(), URL(require_tld=True), Length(max=500)],
        description="Leave empty for a meeting in person or by phone.",
    )
