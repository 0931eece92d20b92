"""'What do you observe?' as the exercise is meant to be done: write in your own words,
lock, compare with the model points, and a trainer reads and replies.

Answers of every kind go through the pages as a browser sends them: a strong
paraphrase, a lazy line, a judgemental answer, a list of cue words, the model answers
pasted back, and "first option everywhere".
"""

from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from course.accounts.models import Role
from course.agencies.models import Cohort
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import UnitStatus
from course.notifications.models import Notification
from quizzes import api, services
from quizzes.models import QuizAnswer, ReviewState
from tests.quizzes.conftest import SLUG
from tests.quizzes.forms import closed_fields, first_option

STRONG = [
    "Luz smacks the water and Teresa laughs and says Splash; Luz squeals and smacks again. "
    "Later her smacks slow, she yawns, her gaze drifts to the hallway, and she arches away "
    "from her mother with a whimper. Teresa goes quiet and trickles water down her back, "
    "and Luz leans on the tub and reaches for the cup.",
    "Greta stays in the doorway until it is over, then tells Teresa exactly which signal "
    "Luz gave and what changed when Teresa slowed down.",
    "Greta could film bath time next week and watch the clip with Teresa, stopping at the "
    "yawn to ask her what she sees.",
    "Each time her mother slows down when she turns away, Luz finds out that her signals "
    "are read and that closeness comes back after a miss.",
]
JUDGEMENTAL = [
    "The mother is neglectful and the baby is sad because of her. She keeps shouting "
    "Splash at the baby until the baby cries and twists away from her.",
    *STRONG[1:],
]


@pytest.fixture
def trainer_and_trainee(app, make):
    """A Level 1 trainee whose cohort is led by a master trainer."""
    agency = make.make_agency()
    trainer = make.make_user(Role.MASTER_TRAINER)
    cohort = Cohort(
        agency=agency,
        level="level-1",
        name="Spring",
        start_date=date.today(),
        mentor_id=trainer.id,
    )
    db.session.add(cohort)
    db.session.commit()
    trainee = make.make_trainee(agency=agency)
    learning.enrol(trainee, "level-1", cohort=cohort)
    return trainer, trainee


def closed_answers(quiz, correct=True):
    """Form fields for every scored question, right (or wrong)."""
    return closed_fields(quiz, lambda question: question.model_response(correct))


def written(observation, texts):
    return [(observation.field_name("part", n), text) for n, text in enumerate(texts)]


def start(client):
    response = client.post(f"/quizzes/{SLUG}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def lock(client, attempt_id, observation, texts, anyway=False):
    key = "lock_anyway" if anyway else "lock"
    return client.post(
        f"/quizzes/attempts/{attempt_id}",
        data=MultiDict([*written(observation, texts), (key, observation.id)]),
    )


def self_check(observation, covered=("0-0",), checked=True):
    data = [(observation.field_name("covered"), key) for key in covered]
    if checked:
        data.append((observation.field_name("checked"), "yes"))
    return data


def submit(client, attempt_id, quiz, observation, covered=("0-0",), checked=True, correct=True):
    data = closed_answers(quiz, correct) + self_check(observation, covered, checked)
    return client.post(
        f"/quizzes/attempts/{attempt_id}", data=MultiDict([*data, ("action", "submit")])
    )


def the_answer(attempt_id, observation) -> QuizAnswer:
    return services.get_attempt(attempt_id).answer_for(observation.id)


# -- answers of every kind ------------------------------------------------------------


def test_strong_paraphrase_locks_at_once_and_the_quiz_passes(client, auth, quiz, observation):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert escape(observation.parts[0].model_answers[0]) not in page  # nothing to copy yet

    response = lock(client, attempt_id, observation, STRONG)
    assert response.status_code == 302
    answer = the_answer(attempt_id, observation)
    assert answer.response["locked"] is True
    assert answer.response["highlights"] == [[], [], [], []]
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert "answers may include" in page
    assert escape(observation.parts[0].model_answers[0]) in page  # now it compares

    assert submit(client, attempt_id, quiz, observation, covered=("0-0", "0-1")).status_code == 302
    attempt = services.get_attempt(attempt_id)
    assert attempt.passed is True
    answer = attempt.answer_for(observation.id)
    assert answer.score is None  # never a cue-word percentage
    assert answer.response["covered"] == ["0-0", "0-1"]
    assert answer.review_state == ReviewState.WAITING
    assert api.has_passed(trainee.id, SLUG)


@pytest.mark.parametrize(
    ("kind", "texts", "message"),
    [
        ("lazy", ["x"] * 4, "Say a little more"),
        (
            "keyword list",
            ["laugh splash yawn stop settle calm relax lean quiet slow whimper cup"] * 4,
            "reads as a list of words",
        ),
        ("copied model answers", None, "repeats the wording of the model answers"),
    ],
)
def test_answers_not_in_own_words_do_not_lock_and_keep_what_was_typed(
    client, auth, quiz, observation, kind, texts, message
):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    if texts is None:
        texts = [" ".join(part.model_answers) for part in observation.parts]
    response = lock(client, attempt_id, observation, texts)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert texts[0].split()[0] in page  # what they typed is still in the box
    assert not the_answer(attempt_id, observation).response.get("locked")
    # ... and the quiz cannot be submitted with it, whatever the other answers.
    refused = submit(client, attempt_id, quiz, observation)
    assert refused.status_code == 422
    assert "still to do: 1" in refused.get_data(as_text=True)
    assert services.get_attempt(attempt_id).is_draft


def test_judgemental_answer_is_highlighted_with_a_question_and_may_still_be_kept(
    client, auth, quiz, observation
):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    response = lock(client, attempt_id, observation, JUDGEMENTAL)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<mark>The mother is neglectful and the baby is sad because of her.</mark>" in page
    assert "What did you see or hear" in page
    assert "Keep it as it is" in page
    assert not the_answer(attempt_id, observation).response.get("locked")

    assert lock(client, attempt_id, observation, JUDGEMENTAL, anyway=True).status_code == 302
    answer = the_answer(attempt_id, observation)
    assert answer.response["locked"] is True
    assert answer.response["highlights"][0][0]["sentence"].startswith("The mother is neglectful")


def test_a_locked_answer_keeps_its_words(client, auth, quiz, observation):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    lock(client, attempt_id, observation, STRONG)
    client.post(
        f"/quizzes/attempts/{attempt_id}/autosave",
        data=MultiDict(written(observation, ["Rewritten after seeing the model points."] * 4)),
    )
    assert the_answer(attempt_id, observation).response["parts"] == STRONG


def test_self_check_is_needed_before_submitting_and_is_never_a_score(
    client, auth, quiz, observation
):
    auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    lock(client, attempt_id, observation, STRONG)
    refused = submit(client, attempt_id, quiz, observation, checked=False)
    assert refused.status_code == 422
    ticked_none = submit(client, attempt_id, quiz, observation, covered=())
    assert ticked_none.status_code == 302
    attempt = services.get_attempt(attempt_id)
    assert attempt.passed is True  # ticking nothing is honest, not a failure
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not ticked" in page
    assert "Question 1:" not in page  # no percentage on the open question


def test_first_option_everywhere_fails(client, auth, quiz, observation):
    trainee = auth.login_as(Role.TRAINEE)
    attempt_id = start(client)
    lock(client, attempt_id, observation, STRONG)
    data = self_check(observation) + closed_fields(quiz, first_option)
    client.post(f"/quizzes/attempts/{attempt_id}", data=MultiDict([*data, ("action", "submit")]))
    attempt = services.get_attempt(attempt_id)
    assert attempt.passed is False
    assert attempt.score < quiz.pass_mark
    assert not api.has_passed(trainee.id, SLUG)


# -- the trainer reads, replies, asks to revisit ----------------------------------------


def _submitted(client, auth, trainee, quiz, observation, texts=STRONG):
    auth.login(trainee.email)
    attempt_id = start(client)
    assert lock(client, attempt_id, observation, texts, anyway=True).status_code == 302
    assert submit(client, attempt_id, quiz, observation).status_code == 302
    auth.logout()
    return attempt_id


def test_trainer_sees_waiting_answers_oldest_first_and_replies(
    client, auth, make, quiz, observation, trainer_and_trainee
):
    trainer, trainee = trainer_and_trainee
    other = make.make_trainee(agency=trainee.agency)
    learning.enrol(other, "level-1", cohort=db.session.scalar(select(Cohort)))
    first = _submitted(client, auth, trainee, quiz, observation, JUDGEMENTAL)
    _submitted(client, auth, other, quiz, observation)

    auth.login(trainer.email)
    queue = client.get("/quizzes/review").get_data(as_text=True)
    assert queue.index(trainee.name) < queue.index(other.name)
    page = client.get(f"/quizzes/attempts/{first}").get_data(as_text=True)
    assert "<mark>The mother is neglectful" in page  # the trainer sees the same highlight
    assert "Ticked as covered" in page

    response = client.post(
        f"/quizzes/attempts/{first}/answers/{observation.id}/reply",
        data={
            "reply": "You saw the yawn and the twist. What did Luz's hands do?",
            "action": "reply",
        },
    )
    assert response.status_code == 302
    answer = the_answer(first, observation)
    assert answer.review_state == ReviewState.REPLIED
    assert trainee.name not in client.get("/quizzes/review").get_data(as_text=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == trainee.id))
    assert note.subject == "Your trainer replied to your answer"
    assert note.link == f"/quizzes/attempts/{first}"

    auth.logout()
    auth.login(trainee.email)
    assert "What did Luz&#39;s hands do?" in client.get(f"/quizzes/attempts/{first}").get_data(
        as_text=True
    )


def test_empty_reply_is_refused_and_nothing_changes(
    client, auth, quiz, observation, trainer_and_trainee
):
    trainer, trainee = trainer_and_trainee
    attempt_id = _submitted(client, auth, trainee, quiz, observation)
    auth.login(trainer.email)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/reply",
        data={"reply": "   ", "action": "revisit"},
    )
    assert response.status_code == 422
    assert "Write a reply" in response.get_data(as_text=True)
    assert the_answer(attempt_id, observation).review_state == ReviewState.WAITING


def test_revisit_reopens_the_module_until_the_trainee_answers_again(
    client, auth, quiz, observation, trainer_and_trainee
):
    trainer, trainee = trainer_and_trainee
    attempt_id = _submitted(client, auth, trainee, quiz, observation, JUDGEMENTAL)
    unit = get_curriculum().unit_for_quiz(SLUG)
    assert learning.unit_status(trainee, unit) == UnitStatus.COMPLETE

    auth.login(trainer.email)
    client.post(
        f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/reply",
        data={"reply": "Try the first sentence again in plain words.", "action": "revisit"},
    )
    auth.logout()
    assert not api.has_passed(trainee.id, SLUG)
    assert learning.unit_status(trainee, unit) == UnitStatus.IN_PROGRESS
    assert api.passed_quizzes({trainee.id}).get(trainee.id, set()) == set()

    auth.login(trainee.email)
    page = client.get(f"/quizzes/{SLUG}").get_data(as_text=True)
    assert "asked you to look again" in page
    again = f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/again"
    refused = client.post(again, data=MultiDict(written(observation, ["x"] * 4)))
    assert refused.status_code == 422
    assert not api.has_passed(trainee.id, SLUG)
    done = client.post(
        again, data=MultiDict([*written(observation, STRONG), *self_check(observation)])
    )
    assert done.status_code == 302
    answer = the_answer(attempt_id, observation)
    assert answer.review_state == ReviewState.WAITING
    assert answer.response["parts"] == STRONG
    assert answer.response["earlier"][0]["parts"] == JUDGEMENTAL
    assert api.has_passed(trainee.id, SLUG)
    assert learning.unit_status(trainee, unit) == UnitStatus.COMPLETE


@pytest.mark.parametrize(
    "who",
    [
        "trainee themself",
        "another trainee",
        "another master trainer",
        "agency admin",
        "agency trainer",
    ],
)
def test_only_their_trainer_or_a_site_admin_replies(
    client, auth, make, quiz, observation, trainer_and_trainee, who
):
    trainer, trainee = trainer_and_trainee
    attempt_id = _submitted(client, auth, trainee, quiz, observation)
    people = {
        "trainee themself": lambda: trainee,
        "another trainee": lambda: make.make_trainee(agency=trainee.agency),
        "another master trainer": lambda: make.make_user(Role.MASTER_TRAINER),
        "agency admin": lambda: make.make_user(Role.AGENCY_ADMIN, agency=trainee.agency),
        "agency trainer": lambda: make.make_user(Role.AGENCY_TRAINER, agency=trainee.agency),
    }
    auth.login(people[who]().email)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/reply",
        data={"reply": "Not mine to answer.", "action": "revisit"},
    )
    assert response.status_code == 404
    assert the_answer(attempt_id, observation).review_state == ReviewState.WAITING
    queue = client.get("/quizzes/review")
    assert f"/quizzes/attempts/{attempt_id}#" not in queue.get_data(as_text=True)


def test_site_admin_reads_every_waiting_answer_and_may_reply(
    client, auth, make, quiz, observation, trainer_and_trainee
):
    _, trainee = trainer_and_trainee
    attempt_id = _submitted(client, auth, trainee, quiz, observation)
    auth.login(make.make_site_admin().email)
    assert trainee.name in client.get("/quizzes/review").get_data(as_text=True)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/reply",
        data={"reply": "Lovely detail.", "action": "reply"},
    )
    assert response.status_code == 302
    assert the_answer(attempt_id, observation).review_state == ReviewState.REPLIED


def test_review_queue_is_not_for_trainees(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/quizzes/review").status_code == 403


def test_agency_trainer_reads_only_their_own_agencys_trainees(
    client, auth, make, quiz, observation
):
    """A Level 1 cohort may hold someone of another agency (a roster keeps a person's
    agency): that person's answers are not the agency trainer's to read or unlock."""
    agency = make.make_agency()
    trainer = make.make_user(Role.AGENCY_TRAINER, agency=agency)
    cohort = Cohort(
        agency=agency, level="level-1", name="Autumn", start_date=date.today(), mentor_id=trainer.id
    )
    db.session.add(cohort)
    db.session.commit()
    own = make.make_trainee(agency=agency)
    visitor = make.make_trainee(agency=make.make_agency())
    for person in (own, visitor):
        learning.enrol(person, "level-1", cohort=cohort)
    own_attempt = _submitted(client, auth, own, quiz, observation)
    visitor_attempt = _submitted(client, auth, visitor, quiz, observation)

    auth.login(trainer.email)
    queue = client.get("/quizzes/review").get_data(as_text=True)
    assert f"/quizzes/attempts/{own_attempt}#" in queue
    assert f"/quizzes/attempts/{visitor_attempt}#" not in queue
    allow = f"/quizzes/people/{visitor.public_id}/{SLUG}/allow"
    assert client.post(allow).status_code == 404
    assert services.attempts_allowed(visitor.id, quiz) == quiz.policy.allowed
    assert client.post(f"/quizzes/people/{own.public_id}/{SLUG}/allow").status_code == 302
    assert services.attempts_allowed(own.id, quiz) == quiz.policy.allowed + 1


def test_a_trainer_with_no_trainees_sees_an_empty_list(client, auth):
    auth.login_as(Role.MASTER_TRAINER)
    page = client.get("/quizzes/review")
    assert page.status_code == 200
    assert "Nothing is waiting" in page.get_data(as_text=True)


def test_a_new_passing_attempt_does_not_close_a_revisit(
    client, auth, quiz, observation, trainer_and_trainee
):
    trainer, trainee = trainer_and_trainee
    attempt_id = _submitted(client, auth, trainee, quiz, observation)
    auth.login(trainer.email)
    client.post(
        f"/quizzes/attempts/{attempt_id}/answers/{observation.id}/reply",
        data={"reply": "Look again at the second part, please.", "action": "revisit"},
    )
    auth.logout()
    services.get_attempt(attempt_id).submitted_at -= timedelta(hours=2)  # past the wait
    db.session.commit()
    _submitted(client, auth, trainee, quiz, observation)  # passes, answers are fresh
    unit = get_curriculum().unit_for_quiz(SLUG)
    assert not api.has_passed(trainee.id, SLUG)
    assert learning.unit_status(trainee, unit) == UnitStatus.IN_PROGRESS
    assert "look again at an answer" in " ".join(learning.unmet_requirements(trainee, unit))
