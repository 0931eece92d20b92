from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from quizzes import services
from quizzes.host import Access
from quizzes.question_types import ObservationQuestion

bp = Blueprint(
    "quizzes",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/quizzes",
)


def _host():
    return current_app.extensions["quizzes"].host


@bp.before_request
def _require_sign_in():
    if request.endpoint != "quizzes.static" and _host().current_user_id() is None:
        return redirect(_host().login_url(request.full_path.rstrip("?")))
    return None


def _quiz_or_404(slug):
    quiz = services.get_quiz(slug)
    if quiz is None:
        abort(404)
    return quiz


def _attempt(attempt_id, *, owner_only=False):
    """Load an attempt the current person may see.

    :raise 404: for an attempt that does not exist or that they may not see (so ids
        of other people's attempts reveal nothing); ``owner_only`` for changes.
    """
    attempt = services.get_attempt(attempt_id)
    viewer = _host().current_user_id()
    if attempt is None:
        abort(404)
    others_may_see = not owner_only and _host().access(viewer, attempt.user_id) == Access.FULL
    if attempt.user_id != viewer and not others_may_see:
        abort(404)
    return attempt, _quiz_or_404(attempt.quiz_slug)


@bp.get("/quizzes/<slug>")
def overview(slug):
    quiz = _quiz_or_404(slug)
    user_id = _host().current_user_id()
    if not _host().may_take(user_id, slug):
        abort(403)
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        attempts=services.attempts_for(user_id, slug),
        best=services.best_attempt(user_id, slug),
        draft=services.current_draft(user_id, slug),
    )


@bp.post("/quizzes/<slug>/start")
def start(slug):
    quiz = _quiz_or_404(slug)
    user_id = _host().current_user_id()
    if not _host().may_take(user_id, slug):
        abort(403)
    attempt = services.start_or_resume(user_id, quiz)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.get("/quizzes/attempts/<int:attempt_id>")
def attempt(attempt_id):
    attempt, quiz = _attempt(attempt_id)
    owner = attempt.user_id == _host().current_user_id()
    if attempt.is_draft:
        if not owner:
            abort(404)  # a draft is private until submitted
        return render_template("quizzes/attempt.html", quiz=quiz, attempt=attempt, error=None)
    grades = {q.id: q.grade(attempt.answer_for(q.id).response) for q in quiz.questions}
    return render_template(
        "quizzes/result.html",
        quiz=quiz,
        attempt=attempt,
        grades=grades,
        owner=owner,
        video_url=_host().video_url,
    )


@bp.post("/quizzes/attempts/<int:attempt_id>")
def answer(attempt_id):
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    if not attempt.is_draft:  # a second submit of the same attempt: show the result
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    if request.form.get("action") != "submit":
        services.save_responses(attempt, quiz, services.responses_from_form(quiz, request.form))
        flash("Your answers are saved. Come back to finish whenever you like.", "success")
        return redirect(url_for("quizzes.overview", slug=quiz.slug))
    try:
        attempt = services.submit_attempt(
            attempt, quiz, services.responses_from_form(quiz, request.form)
        )
    except services.Unanswered as exc:
        return render_template(
            "quizzes/attempt.html",
            quiz=quiz,
            attempt=attempt,
            error=str(exc),
            blank=exc.questions,
        ), 422
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.post("/quizzes/attempts/<int:attempt_id>/autosave")
def autosave(attempt_id):
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    if not attempt.is_draft:
        return {"saved": False, "reason": "submitted"}, 409
    services.save_responses(attempt, quiz, services.responses_from_form(quiz, request.form))
    return {"saved": True, "saved_at": attempt.saved_at.isoformat()}


@bp.post("/quizzes/attempts/<int:attempt_id>/noticed/<question_id>")
def noticed(attempt_id, question_id):
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    question = quiz.question(question_id)
    if attempt.is_draft or not isinstance(question, ObservationQuestion):
        abort(404)
    services.record_self_assessment(attempt, question, request.form.getlist("noticed"))
    flash("Thank you. What you noticed is saved with your attempt.", "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id) + f"#q-{question_id}")


@bp.get("/quizzes/people/<int:user_id>")
def person(user_id):
    viewer = _host().current_user_id()
    access = Access.FULL if viewer == user_id else _host().access(viewer, user_id)
    if access is None:
        abort(404)
    quizzes = current_app.extensions["quizzes"].quizzes
    return render_template(
        "quizzes/person.html",
        attempts=[a for a in services.attempts_for(user_id) if not a.is_draft],
        quizzes=quizzes,
        full=access == Access.FULL,
        person_name=_host().user_name(user_id),
    )
