from flask import Blueprint, render_template, request
from flask_login import login_required

from course.curriculum.models import HANDOUT_AGES, HANDOUT_AUDIENCES, HANDOUT_LANGUAGES
from course.curriculum.services import get_curriculum, get_handout_or_404, handout_library

bp = Blueprint("curriculum", __name__, template_folder="templates")


@bp.get("/handouts")
@login_required
def handouts():
    """Every handout by topic, filtered by age and audience (?age=, ?audience=)."""
    age = request.args.get("age") if request.args.get("age") in HANDOUT_AGES else None
    audience = request.args.get("audience")
    audience = audience if audience in HANDOUT_AUDIENCES else None
    return render_template(
        "course/curriculum/handouts.html",
        topics=handout_library(age, audience),
        age=age,
        audience=audience,
        ages=HANDOUT_AGES,
        audiences=HANDOUT_AUDIENCES,
        languages=HANDOUT_LANGUAGES,
    )


@bp.get("/handouts/<slug>")
@login_required
def handout(slug):
    """One handout, in English or, with ?lang=, another language it is written in."""
    handout = get_handout_or_404(slug)
    language = request.args.get("lang")
    text = handout.text(language if language in handout.languages else None)
    curriculum = get_curriculum()
    variants = [h for h in curriculum.handouts.values() if h.variant_of == handout.slug]
    return render_template(
        "course/curriculum/handout.html",
        handout=handout,
        text=text,
        languages=HANDOUT_LANGUAGES,
        audiences=HANDOUT_AUDIENCES,
        parent_version=curriculum.handouts.get(handout.variant_of or ""),
        variants=variants,
    )
