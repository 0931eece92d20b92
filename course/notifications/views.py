from flask import Blueprint, abort, flash, has_request_context, redirect, render_template, url_for
from flask_login import current_user, login_required

from course.accounts.forms import PostForm
from course.accounts.services import safe_next_url
from course.notifications import services

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@login_required
def index():
    notifications = services.list_for(current_user)
    return render_template(
        "course/notifications/index.html",
        notifications=notifications,
        any_unread=any(not n.is_read for n in notifications),
        form=PostForm(),
    )


@bp.post("/notifications/<public_id:notification_id>/read")
@login_required
def mark_read(notification_id):
    """Mark one notification read, then follow its link if that stays on this site.

    :raise 404: for another person's notification, as for a missing one.
    """
    if not PostForm().validate_on_submit():
        flash("The form expired. Please press the button again.", "error")
        return redirect(url_for("course.notifications.index"))
    try:
        notification = services.mark_read(current_user, notification_id)
    except LookupError:
        abort(404)
    # Checked again here: a link stored by other means must not send people off-site.
    return redirect(safe_next_url(notification.link) or url_for("course.notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    if not PostForm().validate_on_submit():
        flash("The form expired. Please press the button again.", "error")
    elif services.mark_all_read(current_user):
        flash("All notifications are marked as read.", "success")
    return redirect(url_for("course.notifications.index"))


def unread_notification_count() -> int:
    """The signed-in person's unread count, for the page header (a template global named
    ``course_unread_notifications``: a context processor would run on a host's pages)."""
    if not has_request_context() or not current_user.is_authenticated:
        return 0
    return services.count_unread(current_user)
