"""Weekly reflections: drafts, submitting, the mentor's rubric review, resubmitting, the
review queue, and who may read a reflection, through the services and through the pages."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from course.accounts.models import Role
from course.curriculum.models import UnitKind
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.mentoring import services as mentoring
from course.notifications.mail import OUTBOX_KEY
from course.notifications.models import Notification
from course.reflections import services
from course.reflections.models import (
    Decision,
    Reflection,
    ReflectionStatus,
    ReflectionVersion,
    Review,
)
from course.reflections.services import ReflectionError
from course.timeutil import utcnow
from tests.factories import answers_for, full_scores, mail_to, week

TODAY = date.today()
# A word no page or email should show unless it shows the reflection itself.
MARKER = "Zebrafinch"
LONG_BODY = (
    f"{MARKER} moment: the mother lowered the bottle when her son turned toward the window "
    "and kicked both legs. She waited with the bottle resting on her knee until he looked "
    "back at her face, then smiled and offered it again. I noticed that I wanted to explain "
    "what he felt before I had described what he did."
)
SHORT_BODY = f"{MARKER} only a few words so far"
assert len(LONG_BODY.split()) >= services.MIN_REFLECTION_WORDS > len(SHORT_BODY.split())


# -- helpers ------------------------------------------------------------------------


def level_two_trainee(make, agency=None, **kwargs):
    """A trainee who has completed Level 1 (see factories.make_level_one_graduate)."""
    return make.make_level_one_graduate(agency, **kwargs)


def new_group(make, trainees=None, start_date=None, days_ago=1, **kwargs):
    """Form a group through form_group (Level 2 unless ``level`` says otherwise) that
    starts on ``start_date``, or started ``days_ago`` days ago."""
    return make.make_group(
        trainees=trainees or [level_two_trainee(make)],
        start_date=start_date or TODAY - timedelta(days=days_ago),
        **kwargs,
    )


def page(response):
    return response.get_data(as_text=True)


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def submit(pair, trainee=None, unit=None, body=LONG_BODY):
    trainee, unit = trainee or pair.first, unit or pair.unit
    return services.submit_reflection(pair.group, trainee, unit, body, answers_for(unit))


@pytest.fixture
def pair(app, make):
    """Two trainees of one agency with one master trainer; week 1 open since yesterday."""
    agency = make.make_agency()
    mentor = make.make_user(Role.MASTER_TRAINER, name="Marta Mentor")
    first = level_two_trainee(make, agency=agency, name="Ana First")
    second = level_two_trainee(make, agency=agency, name="Ben Second")
    group = new_group(
        make, mentor=mentor, trainees=[first, second], start_date=TODAY - timedelta(days=1)
    )
    return SimpleNamespace(
        agency=agency,
        mentor=mentor,
        first=first,
        second=second,
        group=group,
        unit=week("level-2", 1),
    )


# -- drafts ------------------------------------------------------------------------------


def test_save_draft_keeps_the_text_without_a_version(app, pair):
    reflection = services.save_draft(
        pair.group, pair.first, pair.unit, f"  {SHORT_BODY}  ", ["One", "Two"]
    )
    assert reflection.status == ReflectionStatus.DRAFT
    assert reflection.body == SHORT_BODY
    assert reflection.answers == ["One", "Two", ""]  # one per prompt, padded
    assert reflection.versions == []
    assert reflection.group_id == pair.group.id
    assert mail_to(app, pair.mentor) == []
    again = services.save_draft(pair.group, pair.first, pair.unit, "Second thoughts", [])
    assert again.id == reflection.id
    assert services.get_reflection(pair.first, pair.unit).body == "Second thoughts"
    assert count(Reflection) == 1


def test_save_draft_refused_for_a_week_not_open_yet(app, pair):
    with pytest.raises(ReflectionError, match="^This week is not open yet.$"):
        services.save_draft(pair.group, pair.first, week("level-2", 2), LONG_BODY, [])
    assert count(Reflection) == 0


def test_save_draft_allowed_for_a_week_opened_early(app, pair):
    second_week = week("level-2", 2)
    mentoring.open_week_early(pair.group, second_week, pair.mentor)
    reflection = services.save_draft(pair.group, pair.first, second_week, SHORT_BODY, [])
    assert reflection.unit_slug == second_week.slug


def test_save_draft_refused_outside_the_group_or_its_level(app, make, pair):
    with pytest.raises(ReflectionError, match="not part of your group"):
        services.save_draft(pair.group, level_two_trainee(make), pair.unit, LONG_BODY, [])
    with pytest.raises(ReflectionError, match="not part of your group"):
        services.save_draft(pair.group, pair.first, week("level-3", 1), LONG_BODY, [])
    assert count(Reflection) == 0


# -- submitting ----------------------------------------------------------------------------


def test_submit_reflection_refused_with_too_few_words_keeps_the_draft(app, pair):
    with pytest.raises(ReflectionError) as refused:
        services.submit_reflection(
            pair.group, pair.first, pair.unit, SHORT_BODY, answers_for(pair.unit)
        )
    assert str(refused.value) == (
        "Your draft is saved. To submit, write at least 30 words in your reflection."
    )
    reflection = services.get_reflection(pair.first, pair.unit)
    assert reflection.body == SHORT_BODY
    assert reflection.answers == answers_for(pair.unit)
    assert reflection.status == ReflectionStatus.DRAFT
    assert reflection.versions == []
    assert mail_to(app, pair.mentor) == []


def test_submit_reflection_refused_with_blank_answers_names_them(app, pair):
    answers = ["Something", "", "   "]
    with pytest.raises(ReflectionError) as refused:
        services.submit_reflection(pair.group, pair.first, pair.unit, LONG_BODY, answers)
    assert str(refused.value) == "Your draft is saved. To submit, answer questions 2, 3."
    reflection = services.get_reflection(pair.first, pair.unit)
    assert reflection.body == LONG_BODY
    assert reflection.answers == ["Something", "", ""]
    assert reflection.status == ReflectionStatus.DRAFT


def test_submit_reflection_refused_names_every_problem(app, pair):
    with pytest.raises(ReflectionError) as refused:
        services.submit_reflection(pair.group, pair.first, pair.unit, "", ["", "Two", "Three"])
    assert str(refused.value) == (
        "Your draft is saved. To submit, write at least 30 words in your reflection "
        "and answer question 1."
    )


def test_submit_reflection_thirty_words_are_enough(app, pair):
    words = " ".join(["word"] * 29)
    with pytest.raises(ReflectionError, match="at least 30 words"):
        services.submit_reflection(pair.group, pair.first, pair.unit, words, answers_for(pair.unit))
    reflection = services.submit_reflection(
        pair.group, pair.first, pair.unit, words + " more", answers_for(pair.unit)
    )
    assert reflection.status == ReflectionStatus.SUBMITTED


def test_submit_reflection_creates_version_one_and_tells_the_mentor(app, pair):
    reflection = submit(pair)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert reflection.submitted_at is not None
    [version] = reflection.versions
    assert (version.number, version.body) == (1, LONG_BODY)
    assert version.answers == answers_for(pair.unit)
    [message] = mail_to(app, pair.mentor)
    assert message["Subject"] == "Ana First submitted a reflection"
    text = message.get_content()
    assert "version 1" in text
    assert f"/reflections/{reflection.public_id}/review" in text
    assert MARKER not in text  # reflection text never leaves the site by email


def test_save_draft_refused_once_submitted(app, pair):
    submit(pair)
    with pytest.raises(ReflectionError) as refused:
        services.save_draft(pair.group, pair.first, pair.unit, "Changed my mind", [])
    assert str(refused.value) == (
        "This reflection is with your mentor; you can change it if it is returned."
    )
    with pytest.raises(ReflectionError, match="with your mentor"):
        submit(pair, body=LONG_BODY + " and more")
    reflection = services.get_reflection(pair.first, pair.unit)
    assert reflection.body == LONG_BODY
    assert len(reflection.versions) == 1


# -- reviewing ------------------------------------------------------------------------------


def test_review_accept_refused_without_every_rubric_score(app, pair):
    reflection = submit(pair)
    slugs = [criterion.slug for criterion in get_curriculum().rubric]
    assert len(slugs) == 8
    incomplete = [
        {slug: 3 for slug in slugs[1:]},  # one missing
        {**full_scores(), slugs[0]: None},
        {**full_scores(), slugs[0]: 5},  # out of range
        {**full_scores(), slugs[0]: 0},
        {},
    ]
    for scores in incomplete:
        with pytest.raises(ReflectionError, match="^Score every rubric criterion before accepting"):
            services.review_reflection(reflection, pair.mentor, scores, "Good", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert count(Review) == 0


def test_review_return_refused_without_feedback(app, pair):
    reflection = submit(pair)
    for feedback in ("", "   \n"):
        with pytest.raises(ReflectionError, match="^Say what to revise when you return"):
            services.review_reflection(
                reflection, pair.mentor, full_scores(), feedback, Decision.RETURN
            )
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert count(Review) == 0


def test_review_return_marks_it_returned_and_tells_the_trainee(app, pair):
    reflection = submit(pair)
    review = services.review_reflection(
        reflection, pair.mentor, {}, "Describe what Jasper did first.", Decision.RETURN
    )
    assert reflection.status == ReflectionStatus.RETURNED
    assert reflection.accepted_at is None
    assert (review.decision, review.feedback, review.scores) == (
        Decision.RETURN,
        "Describe what Jasper did first.",
        {},
    )
    assert [m["Subject"] for m in mail_to(app, pair.first)][-1] == (
        "Your reflection was returned for revision"
    )
    # A returned reflection can be changed again, and stays returned until resubmitted.
    services.save_draft(pair.group, pair.first, pair.unit, "Revising", answers_for(pair.unit))
    assert services.get_reflection(pair.first, pair.unit).status == ReflectionStatus.RETURNED


def test_review_cycle_return_resubmit_accept_keeps_every_version_and_review(app, pair):
    reflection = submit(pair)
    services.review_reflection(
        reflection, pair.mentor, {"next-steps": 2}, "Say what you saw first.", Decision.RETURN
    )
    revised = LONG_BODY + " On a second viewing I saw him look back before she moved."
    reflection = submit(pair, body=revised)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert [v.number for v in reflection.versions] == [1, 2]
    assert [item.versions for item in services.review_queue(pair.mentor)] == [2]
    assert "version 2" in mail_to(app, pair.mentor)[-1].get_content()
    services.review_reflection(reflection, pair.mentor, full_scores(4), "Lovely.", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.ACCEPTED
    assert reflection.accepted_at is not None
    assert [m["Subject"] for m in mail_to(app, pair.first)][-1] == "Your reflection was accepted"

    db.session.expire_all()
    kept = db.session.get(Reflection, reflection.id)
    first, second = kept.versions
    assert (first.body, second.body) == (LONG_BODY, revised)
    assert first.review.decision == Decision.RETURN
    assert first.review.feedback == "Say what you saw first."
    assert first.review.scores == {"next-steps": 2}
    assert second.review.decision == Decision.ACCEPT
    assert second.review.scores == full_scores(4)
    assert count(Review) == 2


def test_review_second_review_of_the_same_version_refused(app, pair):
    reflection = submit(pair)
    services.review_reflection(reflection, pair.mentor, full_scores(), "", Decision.ACCEPT)
    with pytest.raises(ReflectionError):
        services.review_reflection(reflection, pair.mentor, full_scores(), "", Decision.ACCEPT)
    with pytest.raises(ReflectionError):
        services.review_reflection(reflection, pair.mentor, {}, "Redo it", Decision.RETURN)
    assert reflection.status == ReflectionStatus.ACCEPTED
    assert count(Review) == 1


def test_review_second_return_of_the_same_version_refused(app, pair):
    reflection = submit(pair)
    services.review_reflection(reflection, pair.mentor, {}, "Redo it", Decision.RETURN)
    with pytest.raises(ReflectionError):
        services.review_reflection(reflection, pair.mentor, full_scores(), "", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.RETURNED
    assert count(Review) == 1


def test_review_of_a_draft_refused(app, pair):
    reflection = services.save_draft(pair.group, pair.first, pair.unit, LONG_BODY, [])
    with pytest.raises(ReflectionError, match="no submitted version waiting"):
        services.review_reflection(reflection, pair.mentor, full_scores(), "", Decision.ACCEPT)


def test_review_refused_for_anyone_but_the_mentor(app, make, pair):
    reflection = submit(pair)
    others = [
        make.make_user(Role.MASTER_TRAINER),
        make.make_site_admin(),
        make.make_user(Role.AGENCY_TRAINER, agency=pair.agency),
        pair.first,
        pair.second,
    ]
    for other in others:
        with pytest.raises(ReflectionError, match="Only the group's mentor"):
            services.review_reflection(reflection, other, full_scores(), "", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.SUBMITTED


def test_save_draft_refused_once_accepted(app, pair):
    reflection = submit(pair)
    services.review_reflection(reflection, pair.mentor, full_scores(), "", Decision.ACCEPT)
    with pytest.raises(ReflectionError):
        services.save_draft(pair.group, pair.first, pair.unit, "Rewriting history", [])
    assert services.get_reflection(pair.first, pair.unit).body == LONG_BODY


# -- the review queue ----------------------------------------------------------------------


def test_review_queue_oldest_first_and_only_the_mentors_own_groups(app, make, pair):
    solo = level_two_trainee(make, name="Cal Solo")
    new_group(make, mentor=pair.mentor, trainees=[solo], start_date=TODAY - timedelta(days=1))
    elsewhere = level_two_trainee(make, name="Dot Elsewhere")
    other_group = new_group(make, trainees=[elsewhere], start_date=TODAY - timedelta(days=1))
    solo_group = mentoring.group_of_trainee(solo, "level-2")
    first = submit(pair)
    second = submit(pair, trainee=pair.second)
    third = services.submit_reflection(
        solo_group, solo, pair.unit, LONG_BODY, answers_for(pair.unit)
    )
    services.submit_reflection(other_group, elsewhere, pair.unit, LONG_BODY, answers_for(pair.unit))
    # Waiting: the solo trainee longest, then the second trainee, then the first.
    for reflection, days in ((first, 1), (second, 2), (third, 3)):
        reflection.submitted_at = utcnow() - timedelta(days=days)
    db.session.commit()

    queue = services.review_queue(pair.mentor)
    assert [item.trainee_name for item in queue] == [
        "Cal Solo",
        "Ben Second",
        "Ana First",
    ]
    assert [item.waiting_days for item in queue] == [3, 2, 1]
    assert all(item.unit.slug == pair.unit.slug for item in queue)
    assert [i.trainee_name for i in services.review_queue(other_group.mentor)] == ["Dot Elsewhere"]
    services.review_reflection(third, pair.mentor, full_scores(), "", Decision.ACCEPT)
    assert [i.reflection_id for i in services.review_queue(pair.mentor)] == [second.id, first.id]


def test_review_queue_leaves_out_drafts(app, pair):
    services.save_draft(pair.group, pair.first, pair.unit, LONG_BODY, [])
    assert services.review_queue(pair.mentor) == []


def test_queue_page_and_dashboard_list_only_the_mentors_reflections(client, auth, make, pair):
    elsewhere = level_two_trainee(make, name="Dot Elsewhere")
    other_group = new_group(make, trainees=[elsewhere], start_date=TODAY - timedelta(days=1))
    services.submit_reflection(other_group, elsewhere, pair.unit, LONG_BODY, answers_for(pair.unit))
    old = submit(pair, trainee=pair.second)
    old.submitted_at = utcnow() - timedelta(days=4)
    db.session.commit()
    new = submit(pair)
    auth.login_as(pair.mentor)
    for url in ("/mentor/queue", "/mentor"):
        html = page(client.get(url))
        assert html.index("Ben Second") < html.index("Ana First"), url
        assert "Dot Elsewhere" not in html, url
        assert (
            f"/reflections/{old.public_id}/review" in html
            and f"/reflections/{new.public_id}/review" in html
        )
        assert "4 days" in html, url
        assert MARKER not in html, url


# -- the reflection through the week page ----------------------------------------------------


def reflection_form(unit, body, action, marker=""):
    data = {"body": body, "action": action}
    data.update({f"answer-{n}": a for n, a in enumerate(answers_for(unit, marker))})
    return data


def test_reflection_page_saves_a_draft(client, auth, pair):
    auth.login_as(pair.first)
    url = f"/units/{pair.unit.slug}/reflection"
    response = client.post(url, data=reflection_form(pair.unit, SHORT_BODY, "save"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{pair.unit.slug}#reflection"
    reflection = services.get_reflection(pair.first, pair.unit)
    assert (reflection.status, reflection.body) == (ReflectionStatus.DRAFT, SHORT_BODY)
    html = page(client.get(f"/units/{pair.unit.slug}"))
    assert "Your draft is saved." in html
    assert SHORT_BODY in html


def test_reflection_page_refused_submit_keeps_what_was_typed(client, auth, pair):
    auth.login_as(pair.first)
    response = client.post(
        f"/units/{pair.unit.slug}/reflection",
        data=reflection_form(pair.unit, SHORT_BODY, "submit", marker="Typed "),
    )
    assert response.status_code == 302
    html = page(client.get(f"/units/{pair.unit.slug}"))
    assert "To submit, write at least 30 words in your reflection." in html
    assert f">{SHORT_BODY}</textarea>" in html
    assert ">Typed Answer 2.</textarea>" in html
    reflection = services.get_reflection(pair.first, pair.unit)
    assert reflection.status == ReflectionStatus.DRAFT
    assert reflection.versions == []


def test_reflection_page_submit_sends_it_and_locks_the_form(client, auth, app, pair):
    auth.login_as(pair.first)
    url = f"/units/{pair.unit.slug}/reflection"
    response = client.post(url, data=reflection_form(pair.unit, LONG_BODY, "submit"))
    assert response.status_code == 302
    reflection = services.get_reflection(pair.first, pair.unit)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert len(reflection.versions) == 1
    assert mail_to(app, pair.mentor)[-1]["Subject"] == "Ana First submitted a reflection"
    html = page(client.get(f"/units/{pair.unit.slug}"))
    assert "Version 1, submitted" in html
    assert 'name="body"' not in html  # no form while it is with the mentor
    # A crafted POST cannot change it either.
    client.post(url, data=reflection_form(pair.unit, "Sneaky edit", "save"))
    assert services.get_reflection(pair.first, pair.unit).body == LONG_BODY
    html = page(client.get(f"/units/{pair.unit.slug}"))
    assert "This reflection is with your mentor" in html


def test_reflection_page_locked_week_saves_nothing(client, auth, pair):
    auth.login_as(pair.first)
    second_week = week("level-2", 2)
    response = client.post(
        f"/units/{second_week.slug}/reflection",
        data=reflection_form(second_week, LONG_BODY, "save"),
        follow_redirects=True,
    )
    assert response.status_code == 403
    assert count(Reflection) == 0


def test_reflection_page_trainee_without_group_gets_404(client, auth, make, pair):
    auth.login_as(level_two_trainee(make))
    url = f"/units/{pair.unit.slug}/reflection"
    assert client.post(url, data=reflection_form(pair.unit, LONG_BODY, "save")).status_code == 404
    assert count(Reflection) == 0


def test_reflection_autosave_saves_then_refuses_once_submitted(client, auth, pair):
    auth.login_as(pair.first)
    url = f"/units/{pair.unit.slug}/reflection/autosave"
    response = client.post(url, data={"body": SHORT_BODY})
    assert response.status_code == 200
    assert response.get_json()["saved"] is True
    assert services.get_reflection(pair.first, pair.unit).body == SHORT_BODY
    submit(pair)
    response = client.post(url, data={"body": "overwrite"})
    assert response.status_code == 409
    assert response.get_json()["saved"] is False
    assert services.get_reflection(pair.first, pair.unit).body == LONG_BODY


def test_unit_page_shows_the_returned_feedback_and_the_form_again(client, auth, pair):
    reflection = submit(pair)
    services.review_reflection(
        reflection, pair.mentor, {}, "Describe the pause before naming it.", Decision.RETURN
    )
    auth.login_as(pair.first)
    html = page(client.get(f"/units/{pair.unit.slug}"))
    assert "Returned for revision" in html
    assert "Describe the pause before naming it." in html
    assert 'name="body"' in html


# -- the review page -------------------------------------------------------------------------


def review_form(decision, feedback="", scores=None):
    data = {"decision": decision, "feedback": feedback}
    data.update({f"score-{slug}": str(score) for slug, score in (scores or {}).items()})
    return data


def test_review_page_mentor_sees_the_text_and_the_rubric(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    response = client.get(f"/reflections/{reflection.public_id}/review")
    assert response.status_code == 200
    html = page(response)
    assert MARKER in html
    for criterion in get_curriculum().rubric:
        assert f'name="score-{criterion.slug}"' in html


def test_review_page_accept_without_scores_is_refused(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    scores = {c.slug: 3 for c in get_curriculum().rubric[:-1]}
    response = client.post(
        f"/reflections/{reflection.public_id}/review", data=review_form("accept", "Good", scores)
    )
    assert response.status_code == 422
    assert "Score every rubric criterion before accepting" in page(response)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert count(Review) == 0


def test_review_page_return_without_feedback_is_refused(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    response = client.post(
        f"/reflections/{reflection.public_id}/review", data=review_form("return")
    )
    assert response.status_code == 422
    assert "Say what to revise when you return a reflection." in page(response)
    assert reflection.status == ReflectionStatus.SUBMITTED


def test_review_page_return_then_accept_the_resubmission(client, auth, app, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    url = f"/reflections/{reflection.public_id}/review"
    response = client.post(url, data=review_form("return", "Say what you saw first."))
    assert response.status_code == 302
    assert response.headers["Location"] == "/mentor"
    assert reflection.status == ReflectionStatus.RETURNED
    assert mail_to(app, pair.first)[-1]["Subject"] == "Your reflection was returned for revision"
    submit(pair, body=LONG_BODY + " Second version.")
    response = client.post(url, data=review_form("accept", "", full_scores(4)))
    assert response.status_code == 302
    assert reflection.status == ReflectionStatus.ACCEPTED
    html = page(client.get(f"/reflections/{reflection.public_id}"))
    assert "Version 1, submitted" in html and "Version 2, submitted" in html
    assert "Say what you saw first." in html
    assert "Returned for revision" in html and "Accepted" in html


def test_review_page_double_post_reviews_once(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    url = f"/reflections/{reflection.public_id}/review"
    assert client.post(url, data=review_form("accept", "", full_scores())).status_code == 302
    response = client.post(url, data=review_form("return", "Changed my mind"))
    assert response.status_code == 422
    assert reflection.status == ReflectionStatus.ACCEPTED
    assert count(Review) == 1


# -- who may read a reflection ---------------------------------------------------------------


def test_reflection_page_who_may_read_and_review(client, auth, make, pair):
    reflection = submit(pair)
    viewers = {
        # label: (viewer, show status, review status)
        "the trainee": (pair.first, 200, 404),
        "their mentor": (pair.mentor, 200, 200),
        "site admin": (make.make_site_admin(), 200, 404),
        "pair partner, sharing off": (pair.second, 404, 404),
        "another master trainer": (make.make_user(Role.MASTER_TRAINER), 404, 404),
        "agency trainer of another agency": (make.make_user(Role.AGENCY_TRAINER), 404, 404),
        "agency trainer of the same agency": (
            make.make_user(Role.AGENCY_TRAINER, agency=pair.agency),
            404,
            404,
        ),
        "agency admin of the same agency": (
            make.make_user(Role.AGENCY_ADMIN, agency=pair.agency),
            404,
            404,
        ),
        "another trainee": (level_two_trainee(make, agency=pair.agency), 404, 404),
    }
    for label, (viewer, show, review) in viewers.items():
        auth.login_as(viewer)
        response = client.get(f"/reflections/{reflection.public_id}")
        assert response.status_code == show, label
        assert (MARKER in page(response)) == (show == 200), label
        assert client.get(f"/reflections/{reflection.public_id}/review").status_code == review, (
            label
        )
        auth.logout()


def test_review_page_post_refused_for_others(client, auth, make, pair):
    reflection = submit(pair)
    for viewer in (
        make.make_site_admin(),
        make.make_user(Role.MASTER_TRAINER),
        make.make_user(Role.AGENCY_TRAINER),
        pair.first,
    ):
        auth.login_as(viewer)
        response = client.post(
            f"/reflections/{reflection.public_id}/review",
            data=review_form("accept", "", full_scores()),
        )
        assert response.status_code == 404
        auth.logout()
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert count(Review) == 0


def test_reflection_page_site_admin_is_not_told_it_was_shared_with_them(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(Role.SITE_ADMIN)
    response = client.get(f"/reflections/{reflection.public_id}")
    assert response.status_code == 200
    assert MARKER in page(response)
    assert "shared by your mentor" not in page(response)


def test_reflection_page_text_is_sanitised(client, auth, pair):
    body = LONG_BODY + ' <script>alert("x")</script> <img src=x onerror="alert(1)">'
    reflection = submit(pair, body=body)
    auth.login_as(pair.mentor)
    for url in (
        f"/reflections/{reflection.public_id}",
        f"/reflections/{reflection.public_id}/review",
    ):
        html = page(client.get(url))
        assert MARKER in html, url
        assert "<script>alert" not in html, url
        assert "onerror" not in html, url


def test_reflection_page_mentor_does_not_see_a_draft(client, auth, pair):
    reflection = services.save_draft(pair.group, pair.first, pair.unit, LONG_BODY, [])
    auth.login_as(pair.mentor)
    response = client.get(f"/reflections/{reflection.public_id}")
    assert MARKER not in page(response)


def test_sharing_lets_the_pair_partner_read_submitted_reflections_only(client, auth, pair):
    submitted = submit(pair)
    draft = services.save_draft(pair.group, pair.second, pair.unit, LONG_BODY, [])
    auth.login_as(pair.first)
    assert client.get(f"/reflections/{draft.public_id}").status_code == 404
    auth.logout()
    auth.login_as(pair.second)
    assert client.get(f"/reflections/{submitted.public_id}").status_code == 404
    assert f"/reflections/{submitted.public_id}" not in page(client.get(f"/units/{pair.unit.slug}"))
    auth.logout()

    auth.login_as(pair.mentor)
    response = client.post(f"/mentor/groups/{pair.group.public_id}/sharing", data={"share": "1"})
    assert response.status_code == 302
    assert pair.group.share_reflections is True
    auth.logout()

    auth.login_as(pair.second)
    response = client.get(f"/reflections/{submitted.public_id}")
    assert response.status_code == 200
    assert MARKER in page(response)
    assert "shared by your mentor" in page(response)
    assert f'href="/reflections/{submitted.public_id}"' in page(
        client.get(f"/units/{pair.unit.slug}")
    )
    auth.logout()
    auth.login_as(pair.first)
    assert client.get(f"/reflections/{draft.public_id}").status_code == 404  # drafts stay private
    assert f"/reflections/{draft.public_id}" not in page(client.get(f"/units/{pair.unit.slug}"))
    auth.logout()

    auth.login_as(pair.mentor)
    client.post(f"/mentor/groups/{pair.group.public_id}/sharing", data={"share": "0"})
    assert pair.group.share_reflections is False
    auth.logout()
    auth.login_as(pair.second)
    assert client.get(f"/reflections/{submitted.public_id}").status_code == 404


def test_set_sharing_refused_for_anyone_but_the_mentor(client, auth, make, pair):
    for other in (pair.first, make.make_site_admin(), make.make_user(Role.MASTER_TRAINER)):
        with pytest.raises(mentoring.MentoringError, match="Only the group's mentor"):
            mentoring.set_sharing(pair.group, other, True)
    auth.login_as(Role.MASTER_TRAINER)
    url = f"/mentor/groups/{pair.group.public_id}/sharing"
    assert client.post(url, data={"share": "1"}).status_code == 404
    assert pair.group.share_reflections is False


def test_agency_admin_never_sees_reflection_text(client, auth, app, make, pair):
    reflection = submit(pair)
    services.review_reflection(
        reflection, pair.mentor, {}, f"{MARKER} feedback to revise", Decision.RETURN
    )
    services.save_draft(
        pair.group, pair.second, pair.unit, LONG_BODY, answers_for(pair.unit, MARKER)
    )
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=pair.agency))
    urls = [
        "/",
        "/notifications",
        "/groups/new",
        f"/reflections/{reflection.public_id}",
        f"/reflections/{reflection.public_id}/review",
        f"/mentor/groups/{pair.group.public_id}",
        f"/units/{pair.unit.slug}",
        "/levels/level-2",
        f"/quizzes/people/{pair.first.public_id}",
    ]
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert MARKER not in page(response), url
    assert client.get(f"/reflections/{reflection.public_id}").status_code == 404
    assert client.get(f"/mentor/groups/{pair.group.public_id}").status_code == 404
    # Nor does any email carry it out of the site.
    for message in app.extensions.get(OUTBOX_KEY, []):
        assert MARKER not in message.get_content(), message["Subject"]


def test_group_page_links_the_mentor_to_review_and_read(client, auth, pair):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    html = page(client.get(f"/mentor/groups/{pair.group.public_id}"))
    assert f'href="/reflections/{reflection.public_id}/review"' in html
    assert f'href="/reflections/{reflection.public_id}"' in html
    assert MARKER not in html  # the group page shows status, not text


def test_review_queue_page_query_count_does_not_grow_with_the_queue(
    client, auth, make, count_queries
):
    mentor = make.make_user(Role.MASTER_TRAINER)
    unit = week("level-2", 1)
    counts = []
    for waiting in (2, 6):
        while len(services.review_queue(mentor)) < waiting:
            trainee = level_two_trainee(make)
            group = new_group(make, trainees=[trainee], mentor=mentor)
            services.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
        auth.login_as(mentor)
        client.get("/mentor/queue")
        with count_queries() as queries:
            assert client.get("/mentor/queue").status_code == 200
        counts.append(len(queries))
        auth.logout()
    assert counts[0] == counts[1], counts


def test_a_submitted_reflection_is_never_saved_without_the_mentors_notification(
    app, pair, monkeypatch
):
    """The outbox: the version and the mentor's notification are one transaction."""

    def killed(*args, **kwargs):
        raise SystemExit("the process died between the record and its notification")

    monkeypatch.setattr(services, "notify", killed)
    with pytest.raises(SystemExit):
        submit(pair)
    db.session.rollback()
    told = select(func.count()).where(Notification.user_id == pair.mentor.id)
    assert count(ReflectionVersion) == 0 and db.session.scalar(told) == 0
    monkeypatch.undo()
    reflection = submit(pair)
    assert reflection.status == ReflectionStatus.SUBMITTED
    assert count(ReflectionVersion) == 1 and db.session.scalar(told) == 1


def test_a_returned_reflection_shows_the_feedback_above_the_revision_form(app, client, auth, pair):
    reflection = submit(pair)
    services.review_reflection(
        reflection,
        pair.mentor,
        {},
        "Describe what the baby did *first*, before you spoke.",
        Decision.RETURN,
    )
    auth.login_as(pair.first)
    html = page(client.get(f"/units/{pair.unit.slug}"))
    feedback = html.index("What your mentor asks you to look at again")
    assert "Describe what the baby did <em>first</em>" in html[feedback:]
    assert feedback < html.index('class="form reflection-form"')
    rules = html.index("To submit, write at least")
    assert rules < html.index("Submit to my mentor")


# -- "not applicable" in a film week -----------------------------------------------------


def criteria_allowing_na(kind):
    return [c.slug for c in get_curriculum().rubric if c.allows_not_applicable(kind)]


def test_the_rubric_allows_not_applicable_only_for_caregiver_work_in_film_weeks(app):
    film_week = criteria_allowing_na(UnitKind.VIDEO_WEEK)
    assert {"wondering-stance", "empathic-reflection", "joint-viewing"} <= set(film_week)
    assert "objective-observation" not in film_week  # every week observes
    assert criteria_allowing_na(UnitKind.PRACTICE_WEEK) == []
    for criterion in get_curriculum().rubric:
        assert 2 <= len(criterion.examples) <= 3 and criterion.examples[0].excerpt


def test_a_film_week_reflection_is_accepted_with_caregiver_criteria_not_applicable(app, pair):
    assert pair.unit.kind == UnitKind.VIDEO_WEEK
    reflection = submit(pair)
    scores = {**full_scores(3), **dict.fromkeys(criteria_allowing_na(pair.unit.kind), "na")}
    review = services.review_reflection(reflection, pair.mentor, scores, "", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.ACCEPTED
    assert review.scores == scores and review.scores["joint-viewing"] == "na"


def test_not_applicable_is_refused_where_the_criterion_always_applies(app, pair):
    reflection = submit(pair)
    scores = {**full_scores(3), "objective-observation": "na"}
    with pytest.raises(services.ReflectionError, match="Score every rubric criterion"):
        services.review_reflection(reflection, pair.mentor, scores, "", Decision.ACCEPT)
    assert reflection.status == ReflectionStatus.SUBMITTED


def test_a_practice_week_keeps_no_not_applicable_score(app):
    rubric = get_curriculum().rubric
    practice_week = week("level-2", 6)
    assert practice_week.kind == UnitKind.PRACTICE_WEEK
    scores = {**full_scores(2), "joint-viewing": "na", "next-steps": "na"}
    kept = services.rubric_scores(rubric, practice_week, scores)
    assert "joint-viewing" not in kept and "next-steps" not in kept
    assert len(kept) == len(rubric) - 2


def test_review_page_offers_not_applicable_and_scored_examples_then_shows_the_result(
    client, auth, pair
):
    reflection = submit(pair)
    auth.login_as(pair.mentor)
    html = page(client.get(f"/reflections/{reflection.public_id}/review"))
    allowed = criteria_allowing_na(pair.unit.kind)
    for criterion in get_curriculum().rubric:
        na_radio = f'name="score-{criterion.slug}" value="na"'
        assert (na_radio in html) == (criterion.slug in allowed)
    example = get_curriculum().rubric[0].examples[0]
    assert f"Scored {example.score}:" in html and "Scored examples" in html
    scores = {**full_scores(4), **dict.fromkeys(allowed, "na")}
    response = client.post(
        f"/reflections/{reflection.public_id}/review", data=review_form("accept", "", scores)
    )
    assert response.status_code == 302
    client.post("/logout")
    auth.login_as(pair.first)
    shown = page(client.get(f"/reflections/{reflection.public_id}"))
    assert "Not applicable this week" in shown


def test_dashboard_shows_the_longest_waiting_and_links_to_the_whole_queue(
    client, auth, pair, monkeypatch
):
    from course.mentoring import views as mentoring_views

    monkeypatch.setattr(mentoring_views, "DASHBOARD_QUEUE", 1)
    first = submit(pair, trainee=pair.first)
    second = submit(pair, trainee=pair.second)
    auth.login_as(pair.mentor)
    dashboard = page(client.get("/mentor"))
    assert f"/reflections/{first.public_id}/review" in dashboard  # waited longest
    assert f"/reflections/{second.public_id}/review" not in dashboard
    assert "See everything waiting in the review queue" in dashboard
    queue = page(client.get("/mentor/queue"))
    assert f"/reflections/{first.public_id}/review" in queue
    assert f"/reflections/{second.public_id}/review" in queue
    monkeypatch.setattr(mentoring_views, "DASHBOARD_QUEUE", 2)
    assert "See everything waiting" not in page(client.get("/mentor"))
