from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from course.forms import MultiCheckboxField
from course.workshops.models import Mode, Presence


class SessionForm(FlaskForm):
    class Meta:
        csrf = False  # part of WorkshopForm, which carries the token

    day = DateField("Date", validators=[Optional()])
    start = TimeField("Starts", validators=[Optional()])
    end = TimeField("Ends", validators=[Optional()])
    prework = MultiCheckboxField("Modules to read before this day", validators=[Optional()])


class WorkshopForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    mode = RadioField(
        "Where",
        choices=[SelectChoice(mode.value, mode.label) for mode in Mode],
        default=Mode.ONLINE.value,
        validators=[DataRequired()],
    )
    meeting_link = StringField(
        "Meeting link (online)",
        validators=[Optional(), URL(require_tld=True), Length(max=500)],
        description="The video-call link the trainees join, https://...",
    )
    address = TextAreaField("Address (in person)", validators=[Optional(), Length(max=1000)])
    capacity = IntegerField("Places", default=20, validators=[InputRequired(), NumberRange(1, 200)])
    time_zone = SelectField("Time zone of the dates and times", validators=[DataRequired()])
    sessions = FieldList(FormField(SessionForm), min_entries=2, max_entries=10)
    trainer_ids = MultiCheckboxField("Master Trainers", coerce=int)
    agency_ids = MultiCheckboxField("Agencies that may enrol staff", coerce=int)


class EnrolForm(FlaskForm):
    trainee_ids = MultiCheckboxField("Staff to enrol", coerce=int)
    cohort_id = SelectField("Or a whole Level 1 cohort", coerce=int, validators=[Optional()])


class AttendanceForm(FlaskForm):
    presence = RadioField(
        "Attendance",
        choices=[SelectChoice(p.value, p.label) for p in Presence],
        validators=[DataRequired()],
    )
    minutes = IntegerField("Minutes attended", validators=[Optional(), NumberRange(1, 1440)])
    note = StringField("Make-up: when, and what was covered", validators=[Length(max=1000)])


class NoteForm(FlaskForm):
    notes = TextAreaField("Trainers' notes", validators=[Length(max=10000)])
