from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired

from course.reflections.models import Decision


class ReviewForm(FlaskForm):
    """Rubric scores are added per criterion by the view (the rubric lives in content/)."""

    feedback = TextAreaField(
        "Feedback to the trainee",
        description="Start with what went well. When you return the reflection, "
        "say what to revise.",
    )
    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice(Decision.ACCEPT.value, "Accept"),
            SelectChoice(Decision.RETURN.value, "Return for revision"),
        ],
        validators=[InputRequired(message="Choose accept or return.")],
    )
