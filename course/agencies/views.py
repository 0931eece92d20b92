from flask import Blueprint, abort, render_template
from flask_login import current_user

from course.accounts.models import Role
from course.agencies.services import staff_progress
from course.curriculum.services import get_curriculum
from course.permissions import role_required

bp = Blueprint("agencies", __name__, template_folder="templates")


@bp.get("/agency/staff")
@role_required(Role.AGENCY_ADMIN)
def staff():
    """The agency's trainees: progress, dates and sign-offs (never what they wrote)."""
    if current_user.agency_id is None:
        abort(404)
    return render_template(
        "agencies/staff.html",
        rows=staff_progress(current_user.agency_id),
        level_one_total=len(get_curriculum().level("level-1").units),
        agency=current_user.agency,
    )
