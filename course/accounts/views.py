import time

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
from wtforms import SelectChoice

from course.accounts import profile, recovery, services, timeouts, two_step
from course.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    PostForm,
    ProfileForm,
    ResetPasswordForm,
    SetPasswordForm,
)
from course.accounts.models import User, normalize_email
from course.extensions import db, limiter
from course.forms import time_zone_choices
from course.local_time import default_zone_name
from course.notifications.models import Topic

bp = Blueprint("accounts", __name__, template_folder="templates")


def _login_account_key() -> str:
    """Failures count per account *and* address: someone guessing from elsewhere
    cannot lock the owner out (the owner's address has no failures)."""
    return f"login:{get_remote_address()}:{normalize_email(request.form.get('email', ''))}"


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limits (a success redirects)."""
    return response.status_code != 302


def _sign_in_afresh(user) -> None:
    """A new session for ``user``: a fresh one defeats session fixation, and after a new
    password it replaces the one that ended with the others."""
    session.clear()
    login_user(user)
    timeouts.start()


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
        if user is not None and two_step.is_on(user):
            session.clear()
            session[PENDING] = {"id": user.get_id(), "next": form.next.data, "at": time.time()}
            return redirect(url_for("course.accounts.login_code"))
        if user is not None:
            _sign_in_afresh(user)
            return redirect(services.safe_next_url(form.next.data) or url_for("course.index"))
        # One message whether or not the email has an account.
        flash("That email and password do not match an account.", "error")
    return render_template("course/accounts/login.html", form=form), 200 if not form.errors else 400


PENDING = "course_two_step_pending"  # the password was right; the code is still to come
PENDING_SECONDS = 300


def _pending_person() -> User | None:
    """Who gave the right password in the last five minutes and now owes a code."""
    pending = session.get(PENDING) or {}
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return services.user_for_session_id(str(pending.get("id", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["COURSE_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"code:{(session.get(PENDING) or {}).get('id', '')}",
    methods=["POST"],
    deduct_when=_failed,
)
def login_code():
    user = _pending_person()
    if user is None:
        flash("Sign in again: the code was not given within five minutes.", "info")
        return redirect(url_for("course.accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_step.check(user, form.code.data):
            next_url = session[PENDING].get("next")
            _sign_in_afresh(user)
            return redirect(services.safe_next_url(next_url) or url_for("course.index"))
        form.code.errors.append(
            "That code does not match. Type the code your app shows now, or a recovery code."
        )
    status = 400 if form.errors else 200
    return render_template("course/accounts/login_code.html", form=form), status


@bp.route("/account/two-step", methods=["GET", "POST"], endpoint="two_step")
@login_required
def two_step_page():
    """Set two-step sign-in up (its recovery codes shown once), or turn it off where the
    person's roles allow."""
    user = current_user._get_current_object()
    required = two_step.required_for(user)
    form = CodeForm()
    if two_step.is_on(user):
        if form.validate_on_submit():
            if required:
                form.code.errors.append("Your role needs two-step sign-in: it stays on.")
            elif two_step.check(user, form.code.data):
                two_step.turn_off(user, user)
                _sign_in_afresh(user)
                flash("Two-step sign-in is off: your password alone signs you in.", "success")
                return redirect(url_for("course.accounts.account"))
            else:
                form.code.errors.append("That code does not match.")
        return render_template(
            "course/accounts/two_step.html", form=form, on=True, required=required
        ), 400 if form.errors else 200
    two_step.setup_secret(user)
    if form.validate_on_submit():
        try:
            codes = two_step.turn_on(user, form.code.data)
        except services.AccountError as exc:
            form.code.errors.append(str(exc))
        else:
            return render_template("course/accounts/two_step.html", codes=codes, on=True)
    return render_template(
        "course/accounts/two_step.html",
        form=form,
        on=False,
        required=required,
        secret=user.totp_secret,
        qr=two_step.qr_svg(two_step.setup_uri(user)),
    ), 400 if form.errors else 200


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
            _sign_in_afresh(user)
            flash("Welcome. Your password is set and you are signed in.", "success")
            return redirect(url_for("course.index"))
    return render_template(
        "course/accounts/accept_invitation.html", form=form, invitation=invitation
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["COURSE_PASSWORD_RESET_LIMIT"],
    methods=["POST"],
    key_func=lambda: f"reset:{normalize_email(request.form.get('email', ''))}",
)
@limiter.limit(lambda: current_app.config["COURSE_PASSWORD_RESET_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(
            f"If {form.email.data} belongs to an account here, a link to choose a new "
            "password is on its way there.",
            "info",
        )
        return redirect(url_for("course.accounts.login"))
    hours = current_app.config["COURSE_PASSWORD_RESET_HOURS"]
    status = 400 if form.errors else 200
    return render_template("course/accounts/forgot.html", form=form, hours=hours), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = ResetPasswordForm()
    try:
        person = recovery.person_for_reset(token)
    except services.AccountError as exc:
        return render_template("course/accounts/reset.html", problem=str(exc), form=form), 410
    if form.validate_on_submit():
        try:
            recovery.reset_password(token, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            logout_user()
            session.clear()
            flash("Your new password is saved. Sign in with it.", "success")
            return redirect(url_for("course.accounts.login"))
    status = 400 if form.errors else 200
    return render_template("course/accounts/reset.html", form=form, person=person), status


def _profile_form(**kwargs) -> ProfileForm:
    form = ProfileForm(**kwargs)
    default = default_zone_name(current_user).replace("_", " ")
    where = "my agency" if current_user.agency else "the site"
    form.time_zone.choices = [SelectChoice("", f"As {where}: {default}")]
    form.time_zone.choices += time_zone_choices()
    return form


def _account_page(profile_form=None, password_form=None, status=200):
    if profile_form is None:
        profile_form = _profile_form(
            name=current_user.name,
            time_zone=current_user.time_zone or "",
            email_topics=[
                t.value for t in Topic.optional() if t.value not in current_user.email_muted
            ],
        )
    return render_template(
        "course/accounts/account.html",
        profile=profile_form,
        password=password_form or ChangePasswordForm(formdata=None),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    if request.method == "GET":
        return _account_page()
    form = _profile_form()
    if form.validate_on_submit():
        try:
            profile.save_profile(
                current_user, form.name.data, form.time_zone.data, form.email_topics.data or []
            )
        except services.AccountError as exc:
            form.time_zone.errors.append(str(exc))
        else:
            flash("Your account is saved.", "success")
            return redirect(url_for("course.accounts.account"))
    return _account_page(profile_form=form, status=400)


@bp.post("/account/password")
@login_required
@limiter.limit(
    lambda: current_app.config["COURSE_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"password:{current_user.id}",  # guesses of the current password
    deduct_when=_failed,
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            profile.change_password(current_user, form.current.data, form.password.data)
        except profile.WrongPassword as exc:
            form.current.errors.append(str(exc))
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            _sign_in_afresh(current_user._get_current_object())
            flash("Your password is changed; your other devices are signed out.", "success")
            return redirect(url_for("course.accounts.account"))
    return _account_page(password_form=form, status=400)
