"""The quiz pages as a trainee uses them, and who else may see what."""

import pytest
from werkzeug.datastructures import MultiDict

from course.accounts.models import Role
from quizzes import services
from quizzes.models import QuizAttempt

SLUG = "elements-of-a-healthy-relationship"


@pytest.fixture
def quiz(app):
    return services.get_quiz(SLUG)


def form_for(quiz, correct=True, skip=(), action=None):
    """The form a browser would send for right (or wrong) answers."""
    data = []
    for question in quiz.questions:
        if question.id in skip:
            continue
        response = question.model_response(correct)
        if question.type_name == "observation":
            data += [(question.field_name("part", n), t) for n, t in enumerate(response["parts"])]
        elif question.type_name == "domain_sort":
            for n, domains in enumerate(response["items"]):
                data += [(question.field_name("item", n), d) for d in domains]
        elif question.type_name == "describe_interpret":
            data += [
                (question.field_name("stmt", n), v) for n, v in enumerate(response["statements"])
            ]
        elif question.type_name == "choice":
            data += [(question.field_name("option"), str(i)) for i in response["selected"]]
        else:
            data.append((question.field_name("text"), response["text"]))
    if action:
        data.append(("action", action))
    return MultiDict(data)


def start(client):
    response = client.post(f"/quizzes/{SLUG}/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def submitted_attempt(make, trainee, quiz, correct=True):
    responses = {q.id: q.model_response(correct) for q in quiz.questions}
    attempt = services.start_or_resume(trainee.id, quiz)
    return services.submit_attempt(attempt, quiz, responses)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(f"/quizzes/{SLUG}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/quizzes/{SLUG}"


def test_trainee_takes_the_quiz_and_sees_feedback(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    page = client.get(f"/quizzes/{SLUG}").get_data(as_text=True)
    assert "Start the quiz" in page
    attempt_id = start(client)
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert quiz.questions[0].prompt in page
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, action="submit"))
    assert response.status_code == 302
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert "100%" in page and "Passed" in page
    assert "Answers may include:" in page
    assert services.best_attempt(trainee.id, SLUG).passed


def test_blank_question_returns_the_form_with_everything_typed(client, auth, quiz):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    observation = next(q for q in quiz.questions if q.type_name == "observation")
    skip = [q.id for q in quiz.questions if q.type_name == "choice"][:1]
    data = form_for(quiz, skip=skip, action="submit")
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Answer every question before you submit" in page
    typed = observation.model_response(True)["parts"][0]
    assert typed in page
    assert "Please answer this question." in page


def test_save_and_come_back_keeps_a_draft(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    data = form_for(quiz, correct=False, action="save")
    response = client.post(f"/quizzes/attempts/{attempt_id}", data=data, follow_redirects=True)
    assert "Your answers are saved" in response.get_data(as_text=True)
    assert "Continue your attempt" in response.get_data(as_text=True)
    assert services.current_draft(trainee.id, SLUG).id == attempt_id


def test_autosave_stores_answers_as_json(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    response = client.post(f"/quizzes/attempts/{attempt_id}/autosave", data=form_for(quiz))
    assert response.status_code == 200 and response.json["saved"] is True
    draft = services.current_draft(trainee.id, SLUG)
    first = quiz.questions[0]
    assert draft.answer_for(first.id).response == first.model_response(True)


def test_autosave_after_submit_is_refused(client, auth, quiz):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    client.post(f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, action="submit"))
    response = client.post(f"/quizzes/attempts/{attempt_id}/autosave", data=form_for(quiz, False))
    assert response.status_code == 409


def test_double_submit_from_the_browser_records_one_attempt(client, auth, quiz):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    data = form_for(quiz, action="submit")
    client.post(f"/quizzes/attempts/{attempt_id}", data=data)
    again = client.post(
        f"/quizzes/attempts/{attempt_id}", data=form_for(quiz, False, action="submit")
    )
    assert again.status_code == 302
    assert services.session().query(QuizAttempt).count() == 1
    assert services.get_attempt(attempt_id).score == 100.0


def test_trainee_ticks_what_they_noticed(client, auth, quiz):
    trainee = auth.login_as(Role.TRAINEE)
    attempt = submitted_attempt(None, trainee, quiz, correct=False)
    observation = next(q for q in quiz.questions if q.type_name == "observation")
    response = client.post(
        f"/quizzes/attempts/{attempt.id}/noticed/{observation.id}", data={"noticed": ["0-0"]}
    )
    assert response.status_code == 302
    assert services.get_attempt(attempt.id).answer_for(observation.id).self_assessed == [[0, 0]]
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert 'value="0-0" form="noticed-' in page and "checked" in page


def test_quiz_of_a_locked_level_is_refused(client, auth, make):
    auth.login_as(Role.MASTER_TRAINER)
    assert client.get(f"/quizzes/{SLUG}").status_code == 403
    assert client.post(f"/quizzes/{SLUG}/start").status_code == 403


def test_unknown_quiz_is_not_found(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/quizzes/no-such-quiz").status_code == 404


# -- who may see whose attempts -------------------------------------------------------


@pytest.fixture
def attempt_of(app, make, quiz):
    """A Riverbend trainee's submitted attempt (they have finished Level 1)."""
    trainee = make.make_level_two_trainee(agency=make.make_agency("Riverbend"))
    return trainee, submitted_attempt(make, trainee, quiz)


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
        response = client.get(f"/quizzes/attempts/{attempt.id}")
        assert response.status_code == expected, label
        if expected == 200 and viewer != trainee:
            page = response.get_data(as_text=True)
            assert "Answers may include:" in page, label
            assert "Save what I noticed" not in page, label  # read-only for others
        auth.logout()


@MENTOR_ROLES
def test_only_the_trainee_may_change_their_attempt(
    client, auth, make, attempt_of, quiz, mentor_role
):
    trainee, attempt = attempt_of
    observation = next(q for q in quiz.questions if q.type_name == "observation")
    for label, (viewer, _) in viewers(make, trainee, mentor_role).items():
        if viewer == trainee:
            continue
        auth.login_as(viewer)
        url = f"/quizzes/attempts/{attempt.id}/noticed/{observation.id}"
        assert client.post(url, data={"noticed": ["0-0"]}).status_code == 404, label
        assert client.post(f"/quizzes/attempts/{attempt.id}/autosave").status_code == 404, label
        auth.logout()


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
        response = client.get(f"/quizzes/people/{trainee.id}")
        page = response.get_data(as_text=True)
        if label not in expected:
            assert response.status_code == 404, label
        else:
            assert response.status_code == 200, label
            assert "Passed" in page, label
            has_score = "100%" in page and f"/quizzes/attempts/{attempt.id}" in page
            assert has_score == (expected[label] == "full"), label
        auth.logout()


def test_a_draft_is_private_even_from_the_mentor(client, auth, make, quiz):
    trainee = make.make_level_two_trainee()
    mentor = make.make_user(Role.MASTER_TRAINER)
    make.make_group(mentor, [trainee])
    draft = services.start_or_resume(trainee.id, quiz)
    auth.login_as(mentor)
    assert client.get(f"/quizzes/attempts/{draft.id}").status_code == 404
