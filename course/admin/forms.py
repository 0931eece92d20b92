from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from course.accounts.models import Role
from course.forms import MultiCheckboxField


class AgencyForm(FlaskForm):
    name = StringField("Agency name", validators=[DataRequired(), Length(max=160)])


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    roles = MultiCheckboxField(
        "Roles", choices=[SelectChoice(role.value, role.label) for role in Role]
    )
    agency_id = SelectField("Agency", coerce=int, default=0, choices=[SelectChoice(0, "No agency")])
