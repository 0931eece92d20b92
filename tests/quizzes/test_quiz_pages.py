"""The quiz pages as a trainee uses them, and who else may see what."""

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from course.accounts.models import Role
from quizzes import api, services
from quizzes.models import QuizAttempt, utcnow
from tests.quizzes.conftest import SLUG
from tests.quizzes.forms import fields

CORRECT_MARK = '<span class="mark">Correct</span>'


@pytest.fixture
def choices(quiz):
    return [q for q in quiz.questions if q.type_name == "choice"]


def form_for(quiz, correct=True, skip=(), action=None):
    """The form a browser would send for right (or wrong) answers, with each open
    answer compared with its model points."""
    data = [
        pair
        for question in quiz.questions
        if question.id not in skip
        for pair in fields(question, question.model_response(correct))
    ]
    if action:
        data.append(("action", action))
    return MultiDict(data)


def start(client):
    response = client.post(f"/quizzes/{SLUG}/start")
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def lock(client, attempt_id, observation):
    """Write the open answer in sentences and lock it, as the trainee does first."""
    parts = observation.model_response(True)["parts"]
    data = [(observation.field_name("part", n), text) for n, text in enumerate(parts)]
    response = client.post(
        f"/quizzes/attempts/{attempt_id}", data=MultiDict([*data, ("lock", observation.id)])
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def take(client, quiz, observation, correct=True):
    """Start, lock the open answer, and submit: the attempt's id."""
    attempt_id = start(client)
    lock(client, attempt_id, observation)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, correct, action="submit")
    )
    assert response.status_code == 302
    return attempt_id


def hours_pass(user_id, hours=2):
    """As if ``hours`` had passed since the person's attempts were submitted."""
    for attempt in services.attempts_for(user_id, SLUG):
        attempt.submitted_at = utcnow() - timedelta(hours=hours)
    services.session().commit()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(f"/quizzes/{SLUG}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/quizzes/{SLUG}"


def test_trainee_takes_the_quiz_and_sees_feedback(client, auth, quiz, observation):
    trainee = auth.login_as(Role.TRAINEE)
    assert "Start the quiz" in page(client, f"/quizzes/{SLUG}")
    attempt_id = start(client)
    html = page(client, f"/quizzes/attempts/{attempt_id}")
    assert quiz.questions[0].prompt in html
    assert "Attempt 1 of 3." in html
    lock(client, attempt_id, observation)
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, action="submit"))
    assert response.status_code == 302
    html = page(client, f"/quizzes/attempts/{attempt_id}")
    assert "100%" in html and "Passed" in html
    assert "Answers may include:" in html
    assert CORRECT_MARK in html  # passed: the right options show
    assert services.best_attempt(trainee.id, SLUG).passed


def test_blank_question_returns_the_form_with_everything_typed(client, auth, quiz, observation):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    lock(client, attempt_id, observation)
    skipped = next(n for n, q in enumerate(quiz.questions, 1) if q.type_name == "choice")
    data = form_for(quiz, skip=[quiz.questions[skipped - 1].id], action="submit")
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Finish every question before you submit (still to do: {skipped})" in html
    assert "Please answer this question." in html
    assert str(escape(observation.model_response(True)["parts"][0])) in html  # locked text
    reflection = next(q for q in quiz.questions if q.type_name == "reflection")
    assert str(escape(reflection.model_response(True)["text"])) in html
    assert services.get_attempt(attempt_id).is_draft


def test_save_and_come_back_keeps_a_draft(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    data = form_for(quiz, correct=False, action="save")
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=data, follow_redirects=True)
    assert "Your answers are saved" in response.get_data(as_text=True)
    assert "Continue your attempt" in response.get_data(as_text=True)
    assert services.current_draft(trainee.id, SLUG).public_id == attempt_id


def test_autosave_stores_answers_as_json(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    response = client.post(f"/quizzes/attempts/{attempt_id}/autosave", data=form_for(quiz))
    assert response.status_code == 200 and response.json["saved"] is True
    draft = services.current_draft(trainee.id, SLUG)
    for question in quiz.questions:
        saved = draft.answer_for(question.id).response
        expected = question.model_response(True)
        if question.is_open:  # the text only, until the trainee locks it
            assert saved == {"parts": expected["parts"], "locked": False}
        else:
            assert saved == expected, question.id


def test_autosave_after_submit_is_refused(client, auth, quiz, observation):
    auth.login_as(Role.TRAINEE)
    attempt_id = take(client, quiz, observation)
    response = client.post(f"/quizzes/attempts/{attempt_id}/autosave", data=form_for(quiz, False))
    assert response.status_code == 409


def test_double_submit_from_the_browser_records_one_attempt(client, auth, quiz, observation):
    auth.login_as(Role.TRAINEE)
    attempt_id = take(client, quiz, observation)
    again = client.post(
        f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, False, action="submit")
    )
    assert again.status_code == 302
    assert services.session().query(QuizAttempt).count() == 1
    assert services.get_attempt(attempt_id).score == 100.0


def test_quiz_of_a_locked_level_is_refused(client, auth, make):
    auth.login_as(Role.MASTER_TRAINER)
    assert client.get(f"/quizzes/{SLUG}").status_code == 403
    assert client.post(f"/quizzes/{SLUG}/start").status_code == 403


def test_unknown_quiz_is_not_found(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/quizzes/no-such-quiz").status_code == 404


# -- options in the attempt's own order --------------------------------------------------


def shown_options(html, question):
    """The option values (authored indexes) in the order the page lists them."""
    pattern = rf'name="{re.escape(question.field_name("option"))}" value="(\d+)"'
    return [int(value) for value in re.findall(pattern, html)]


def test_options_show_in_the_attempts_order_and_grade_by_authored_index(
    client, auth, quiz, observation, choices
):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    # A seed that moves the options of every choice question, so the order shows.
    seed = next(
        s for s in range(100) if all(q.order(s) != list(range(len(q.options))) for q in choices)
    )
    attempt = services.get_attempt(attempt_id)
    attempt.seed = seed
    services.session().commit()

    html = page(client, f"/quizzes/attempts/{attempt_id}")
    for question in choices:
        order = question.order(seed)
        assert shown_options(html, question) == order, question.id
        texts = [str(escape(question.options[n].text)) for n in order]
        positions = [html.index(text) for text in texts]
        assert positions == sorted(positions), question.id
    assert page(client, f"/quizzes/attempts/{attempt_id}") == html  # the same on a revisit

    lock(client, attempt_id, observation)
    client.post(f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, action="submit"))
    attempt = services.get_attempt(attempt_id)
    assert attempt.score == 100.0
    assert all(attempt.answer_for(q.id).score == 1.0 for q in choices)


# -- the attempt policy on the pages -------------------------------------------------------


def test_result_hides_the_right_options_until_the_last_attempt(client, auth, make, quiz, choices):
    trainee = auth.login_as(Role.TRAINEE)
    for _ in range(3):
        assert api.take_quiz(trainee.id, SLUG, correct=False) is False
    first, _, last = sorted(services.attempts_for(trainee.id, SLUG), key=lambda a: a.number)
    feedback = [str(escape(o.feedback)) for q in choices for o in q.options]
    sort = next(q for q in quiz.questions if q.type_name == "domain_sort")

    html = page(client, f"/quizzes/attempts/{first.public_id}")
    assert "The right options show after your last attempt" in html
    assert CORRECT_MARK not in html
    assert not any(text in html for text in feedback)
    assert str(escape(sort.items[0].explanation)) not in html
    assert "Not right yet" in html
    assert all(str(escape(o.text)) in html for q in choices for o in q.options)

    html = page(client, f"/quizzes/attempts/{last.public_id}")
    assert "The right options show after your last attempt" not in html
    assert CORRECT_MARK in html
    assert all(text in html for text in feedback)
    assert str(escape(sort.items[0].explanation)) in html

    auth.logout()
    auth.login_as(make.make_site_admin())  # a reviewer always sees the right options
    html = page(client, f"/quizzes/attempts/{first.public_id}")
    assert CORRECT_MARK in html
    assert all(text in html for text in feedback)


def test_overview_shows_when_the_next_attempt_opens_instead_of_the_button(
    client, auth, quiz, observation
):
    trainee = auth.login_as(Role.TRAINEE)
    take(client, quiz, observation, correct=False)
    start_form = f'action="/quizzes/{SLUG}/start"'

    html = page(client, f"/quizzes/{SLUG}")
    assert "Your next attempt opens in 60 minutes." in html
    assert start_form not in html
    refused = client.post(f"/quizzes/{SLUG}/start", follow_redirects=True)
    assert "Your next attempt opens in" in refused.get_data(as_text=True)
    assert services.current_draft(trainee.id, SLUG) is None

    hours_pass(trainee.id)
    html = page(client, f"/quizzes/{SLUG}")
    assert "Your next attempt opens" not in html
    assert start_form in html and "Take the quiz again" in html
    assert "Attempt 2 of 3." in page(client, f"/quizzes/attempts/{start(client)}")


def test_overview_says_when_every_attempt_is_used(client, auth):
    trainee = auth.login_as(Role.TRAINEE)
    for _ in range(3):
        api.take_quiz(trainee.id, SLUG, correct=False)
    html = page(client, f"/quizzes/{SLUG}")
    assert "You have used all 3 attempts at this quiz." in html
    assert f'action="/quizzes/{SLUG}/start"' not in html
    assert client.post(f"/quizzes/{SLUG}/start").status_code == 302
    assert services.current_draft(trainee.id, SLUG) is None


# -- who may see whose attempts -------------------------------------------------------


@pytest.fixture
def attempt_of(app, make, quiz):
    """A Riverbend trainee's submitted attempt: the one they passed Level 1 with."""
    trainee = make.make_level_two_trainee(agency=make.make_agency("Riverbend"))
    return trainee, services.best_attempt(trainee.id, SLUG)


MENTOR_ROLES = pytest.mark.parametrize("mentor_role", [Role.MASTER_TRAINER, Role.AGENCY_TRAINER])


def viewers(make, trainee, mentor_role):
    """Everyone who might ask, with the status they should get; the trainee's group is
    mentored by someone holding ``mentor_role``."""
    agency = trainee.agency
    other = make.make_agency("Elsewhere")
    mentor = make.make_user(mentor_role, agency=agency)
    make.make_group(mentor, [trainee])
    return {
        "own trainee": (trainee, 200),
        "other trainee": (make.make_trainee(agency=agency), 404),
        "their mentor": (mentor, 200),
        "a master trainer who is not theirs": (make.make_user(Role.MASTER_TRAINER), 404),
        "an agency trainer of their agency who is not theirs": (
            make.make_user(Role.AGENCY_TRAINER, agency=agency),
            404,
        ),
        "agency trainer of another agency": (
            make.make_user(Role.AGENCY_TRAINER, agency=other),
            404,
        ),
        "agency admin of their agency": (make.make_user(Role.AGENCY_ADMIN, agency=agency), 404),
        "agency admin elsewhere": (make.make_user(Role.AGENCY_ADMIN, agency=other), 404),
        "site admin": (make.make_site_admin(), 200),
    }


@MENTOR_ROLES
def test_attempt_page_for_every_kind_of_viewer(client, auth, make, attempt_of, mentor_role):
    trainee, attempt = attempt_of
    for label, (viewer, expected) in viewers(make, trainee, mentor_role).items():
        auth.login_as(viewer)
        response = client.get(f"/quizzes/attempts/{attempt.public_id}")
        assert response.status_code == expected, label
        if expected == 200:
            html = response.get_data(as_text=True)
            assert "Answers may include:" in html, label
            assert 'name="lock"' not in html, label  # a submitted attempt is read-only
            # The mentor and a site admin read the open answer and reply; not the trainee.
            assert ("Send reply" in html) == (viewer != trainee), label
        auth.logout()


@MENTOR_ROLES
def test_only_the_trainee_may_change_their_attempt(
    client, auth, make, attempt_of, quiz, observation, mentor_role
):
    trainee, attempt = attempt_of
    url = f"/quizzes/attempts/{attempt.public_id}"
    for label, (viewer, _) in viewers(make, trainee, mentor_role).items():
        if viewer == trainee:
            continue
        auth.login_as(viewer)
        assert client.post(url, data=form_for(quiz, action="submit")).status_code == 404, label
        assert client.post(f"{url}/autosave").status_code == 404, label
        again = f"{url}/answers/{observation.id}/again"
        assert client.post(again, data=form_for(quiz)).status_code == 404, label
        auth.logout()
    assert services.get_attempt(attempt.public_id).score == 100.0


@MENTOR_ROLES
def test_person_page_shows_scores_or_only_pass_fail(client, auth, make, attempt_of, mentor_role):
    trainee, attempt = attempt_of
    expected = {
        "own trainee": "full",
        "their mentor": "full",
        "site admin": "full",
        "agency admin of their agency": "summary",
    }
    for label, (viewer, _) in viewers(make, trainee, mentor_role).items():
        auth.login_as(viewer)
        response = client.get(f"/quizzes/people/{trainee.public_id}")
        html = response.get_data(as_text=True)
        if label not in expected:
            assert response.status_code == 404, label
        else:
            assert response.status_code == 200, label
            assert "Passed" in html, label
            has_score = "100%" in html and f"/quizzes/attempts/{attempt.public_id}" in html
            assert has_score == (expected[label] == "full"), label
        auth.logout()


def test_a_draft_is_private_even_from_the_mentor(client, auth, make, quiz):
    trainee = make.make_level_two_trainee()
    mentor = make.make_user(Role.MASTER_TRAINER)
    make.make_group(mentor, [trainee])
    # Level 1 was passed just now: no new attempt is due for an hour, so skip the policy.
    draft = services.start_or_resume(trainee.id, quiz, check_policy=False)
    auth.login_as(mentor)
    assert client.get(f"/quizzes/attempts/{draft.public_id}").status_code == 404
