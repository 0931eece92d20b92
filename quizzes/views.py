from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from quizzes import open_answers, services
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


@bp.context_processor
def _quiz_base_template():
    return {"quiz_base_template": _host().base_template}


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
    draft = services.current_draft(user_id, slug)
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        attempts=services.attempts_for(user_id, slug),
        best=services.best_attempt(user_id, slug),
        draft=draft,
        allowed=services.attempts_allowed(user_id, quiz),
        blocked=None if draft else services.next_attempt_block(user_id, quiz),
        revisit=services.has_revisits(user_id, slug),
    )


@bp.post("/quizzes/<slug>/start")
def start(slug):
    quiz = _quiz_or_404(slug)
    user_id = _host().current_user_id()
    if not _host().may_take(user_id, slug):
        abort(403)
    try:
        attempt = services.start_or_resume(user_id, quiz)
    except services.QuizError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quizzes.overview", slug=slug))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id))


def _page(quiz, attempt, status=200, **extra):
    """The attempt's page: the form while it is a draft, else its result."""
    host = _host()
    context = {
        "quiz": quiz,
        "attempt": attempt,
        "video_url": host.video_url,
        "captions_url": host.captions_url,
        "coaching": current_app.extensions["quizzes"].coaching,
    }
    if attempt.is_draft:
        context |= {
            "error": None,
            "blank": (),
            "lock": {},
            "allowed": services.attempts_allowed(attempt.user_id, quiz),
        }
        return render_template("quizzes/attempt.html", **context | extra), status
    viewer = host.current_user_id()
    owner = attempt.user_id == viewer
    return render_template(
        "quizzes/result.html",
        **context,
        grades={q.id: q.grade(attempt.answer_for(q.id).response) for q in quiz.questions},
        owner=owner,
        show_answers=not owner or services.shows_answers(attempt, quiz),
        may_reply=not owner and _reviews(viewer, attempt.user_id),
        person_name=host.user_name(attempt.user_id),
        **extra,
    ), status


def _reviews(viewer: int, trainee: int) -> bool:
    reviewees = _host().reviewees(viewer)
    return reviewees is None or trainee in reviewees


@bp.get("/quizzes/attempts/<attempt_id>")
def attempt(attempt_id):
    attempt, quiz = _attempt(attempt_id)
    if attempt.is_draft and attempt.user_id != _host().current_user_id():
        abort(404)  # a draft is private until submitted
    return _page(quiz, attempt)


@bp.post("/quizzes/attempts/<attempt_id>")
def answer(attempt_id):
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    if not attempt.is_draft:  # a second submit of the same attempt: show the result
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id))
    responses = services.responses_from_form(quiz, request.form)
    lock_id = request.form.get("lock") or request.form.get("lock_anyway")
    if lock_id:
        return _lock(attempt, quiz, lock_id, responses)
    if request.form.get("action") != "submit":
        services.save_responses(attempt, quiz, responses)
        flash("Your answers are saved. Come back to finish whenever you like.", "success")
        return redirect(url_for("quizzes.overview", slug=quiz.slug))
    try:
        attempt = services.submit_attempt(attempt, quiz, responses)
    except services.Unanswered as exc:
        return _page(quiz, attempt, 422, error=str(exc), blank=exc.questions)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id))


def _lock(attempt, quiz, question_id, responses):
    question = quiz.question(question_id)
    if not isinstance(question, ObservationQuestion):
        abort(404)
    confirmed = request.form.get("lock_anyway") == question_id
    outcome = open_answers.lock_answer(attempt, quiz, question, responses, confirmed)
    if outcome.locked:
        anchor = f"#q-{question.id}"
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id) + anchor)
    return _page(quiz, attempt, 422, lock={question.id: outcome})


@bp.post("/quizzes/attempts/<attempt_id>/answers/<question_id>/reply")
def reply(attempt_id, question_id):
    """The trainer's reply to an open answer: send it, or ask the trainee to revisit."""
    attempt, quiz = _attempt(attempt_id)
    viewer = _host().current_user_id()
    answer = attempt.answer_for(question_id)
    if attempt.user_id == viewer or not _reviews(viewer, attempt.user_id) or answer is None:
        abort(404)
    revisit = request.form.get("action") == "revisit"
    try:
        open_answers.reply(answer, viewer, request.form.get("reply", ""), revisit)
    except services.QuizError as exc:
        return _page(
            quiz,
            attempt,
            422,
            reply_error={question_id: str(exc)},
            reply_text={question_id: request.form.get("reply", "")},
        )
    flash(
        "Sent: the trainee is asked to look again."
        if revisit
        else "Your reply is sent to the trainee.",
        "success",
    )
    return redirect(url_for("quizzes.review_queue"))


@bp.post("/quizzes/attempts/<attempt_id>/answers/<question_id>/again")
def answer_again(attempt_id, question_id):
    """The trainee answers again after their trainer asked them to revisit."""
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    question = quiz.question(question_id)
    if attempt.is_draft or not isinstance(question, ObservationQuestion):
        abort(404)
    confirmed = request.form.get("lock_anyway") == question_id
    try:
        outcome = open_answers.answer_again(attempt, quiz, question, request.form, confirmed)
    except services.QuizError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id))
    if not outcome.locked:
        given = question.response_from_form(request.form)
        return _page(quiz, attempt, 422, again={question.id: (outcome, given)})
    flash("Your new answer is saved and sent to your trainer.", "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.public_id) + f"#q-{question.id}")


@bp.get("/quizzes/review")
def review_queue():
    """Open answers waiting for this trainer's reply, oldest first."""
    viewer = _host().current_user_id()
    if not _host().is_reviewer(viewer):
        abort(403)
    waiting = open_answers.waiting(_host().reviewees(viewer))
    return render_template(
        "quizzes/review.html",
        waiting=waiting,
        quizzes=current_app.extensions["quizzes"].quizzes,
        name=_host().user_name,
    )


def _person_id(person: str) -> int:
    user_id = _host().person_id(person)
    if user_id is None:
        abort(404)
    return user_id


@bp.post("/quizzes/people/<person>/<slug>/allow")
def allow_attempt(person, slug):
    """A trainer allows one more attempt after the quiz's own limit is used."""
    quiz = _quiz_or_404(slug)
    user_id = _person_id(person)
    viewer = _host().current_user_id()
    if viewer == user_id or not _reviews(viewer, user_id):
        abort(404)
    services.allow_another_attempt(user_id, quiz, viewer)
    flash(f"{_host().user_name(user_id)} may take “{quiz.title}” once more.", "success")
    return redirect(url_for("quizzes.person", person=person))


@bp.post("/quizzes/attempts/<attempt_id>/autosave")
def autosave(attempt_id):
    attempt, quiz = _attempt(attempt_id, owner_only=True)
    if not attempt.is_draft:
        return {"saved": False, "reason": "submitted"}, 409
    services.save_responses(attempt, quiz, services.responses_from_form(quiz, request.form))
    return {"saved": True, "saved_at": attempt.saved_at.isoformat()}


@bp.get("/quizzes/people/<person>")
def person(person):
    user_id = _person_id(person)
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
        person=person,
        may_allow=viewer != user_id and _reviews(viewer, user_id),
    )
