from flask import Blueprint, render_template
from flask_login import login_required

from course.curriculum.services import get_handout_or_404

bp = Blueprint("curriculum", __name__, template_folder="templates")


@bp.get("/handouts/<slug>")
@login_required
def handout(slug):
    return render_template("curriculum/handout.html", handout=get_handout_or_404(slug))
