from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ConsentForm(FlaskForm):
    dyad_pseudonym = StringField(
        "Dyad pseudonym",
        validators=[DataRequired(), Length(max=60)],
        description="A name for this caregiver and child that is not their real name, "
        "for example Family B.",
    )
    signed_on = DateField(
        "Date the consent was signed", default=date.today, validators=[DataRequired()]
    )
    expires_on = DateField("Consent expires on", validators=[DataRequired()])
    covers_partner = BooleanField("The caregiver agrees that my pair partner may watch")
    covers_training = BooleanField("The caregiver agrees to use in training others")
    attested = BooleanField(
        "I confirm the caregiver signed the consent form and I keep it as my agency requires"
    )


class CommentForm(FlaskForm):
    at = StringField(
        "Time (m:ss)",
        validators=[DataRequired(), Length(max=12)],
        description="Playing the video fills this in when you pause.",
    )
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=4000)])
    criterion = SelectField("Rubric criterion (optional)", validators=[Optional()])
