from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from course.accounts.models import Role
from course.accounts.services import MIN_PASSWORD_LENGTH
from course.forms import MultiCheckboxField
from course.notifications.models import Topic


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    next = HiddenField()


class PostForm(FlaskForm):
    """A form with no fields: a button whose POST carries a CSRF token."""


def _new_password(label: str = "Choose a password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A short sentence works well.",
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class SetPasswordForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    password = _new_password()
    confirm = _confirm()


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=20)],
        description="The 6 digits your authenticator app shows now, or one of your recovery codes.",
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = _new_password("New password")
    confirm = _confirm()


class ProfileForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    time_zone = SelectField("Time zone", description="Times on the site are shown in it.")
    email_topics = MultiCheckboxField(
        "Which notifications also come by email",
        choices=[SelectChoice(topic.value, topic.label) for topic in Topic.optional()],
    )


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=[SelectChoice(role.value, role.label) for role in Role])
    agency_id = SelectField("Agency", coerce=int, choices=[SelectChoice(0, "No agency")])
