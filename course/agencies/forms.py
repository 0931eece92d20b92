from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length


class CohortForm(FlaskForm):
    name = StringField("Cohort name", validators=[DataRequired(), Length(max=160)])
    level = SelectField(
        "Level",
        choices=[
            SelectChoice("level-1", "Level 1: Knowledge Building"),
            SelectChoice("level-2", "Level 2: Skill Building"),
        ],
    )
    start_date = DateField("Start date", default=date.today, validators=[DataRequired()])
    mentor_id = SelectField("Mentor", coerce=int, choices=[SelectChoice(0, "To be assigned")])


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(
        "Your agency's time zone",
        description="Your staff read times in it, unless they choose their own.",
    )


class RosterForm(FlaskForm):
    roster = FileField(
        "Roster (CSV)",
        description="Columns: email, first name, last name, and if you have them job "
        "title and pair code (any capitals, spaces or underscores; a Moodle or Canvas "
        "user export works too). Saved as CSV from any spreadsheet. Up to 2,000 rows.",
    )


class PersonForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    first = StringField("First name", validators=[DataRequired(), Length(max=60)])
    last = StringField("Last name", validators=[DataRequired(), Length(max=60)])
    title = StringField("Job title", validators=[DataRequired(), Length(max=120)])
