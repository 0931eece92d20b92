from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from course.accounts import services, timeouts
from course.accounts.forms import LoginForm, PostForm, SetPasswordForm
from course.accounts.models import normalize_email
from course.extensions import db, limiter

bp = Blueprint("accounts", __name__, template_folder="templates")


def _login_account_key() -> str:
    """Failures count per account *and* address: someone guessing from elsewhere
    cannot lock the owner out (the owner's address has no failures)."""
    return f"login:{get_remote_address()}:{normalize_email(request.form.get('email', ''))}"


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limits (a success redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["COURSE_LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["COURSE_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("course.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at sign-in defeats session fixation
            login_user(user)
            timeouts.start()
            return redirect(services.safe_next_url(form.next.data) or url_for("course.index"))
        # One message whether or not the email has an account.
        flash("That email and password do not match an account.", "error")
    return render_template("course/accounts/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
@login_required
def logout():
    if not PostForm().validate_on_submit():
        abort(400)
    current_user.end_sessions()  # a copied cookie must not outlive the sign-out
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("course.accounts.login"))


@bp.get("/session/alive")
@login_required
def alive():
    """The page's script says someone is at work here (typing a long review): the
    staff idle limit counts from now. Nothing else happens."""
    return "", 204


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = services.find_invitation(token)
    except services.InvitationError as exc:
        return render_template(
            "course/accounts/invitation_invalid.html", message=str(exc)
        ), exc.status
    form = SetPasswordForm(name=invitation.name or None)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            session.clear()
            login_user(user)
            timeouts.start()
            flash("Welcome. Your password is set and you are signed in.", "success")
            return redirect(url_for("course.index"))
    return render_template(
        "course/accounts/accept_invitation.html", form=form, invitation=invitation
    )
