"""Level 2 and Level 3 mentored weeks: groups, the weekly schedule, meetings, sign-offs,
certificates and invitations to Level 3, through the services and through the pages."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course.accounts.models import Role
from course.curriculum.models import UnitKind
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.films.services import all_films, films_for_unit, import_practice_films
from course.learning import services as learning
from course.learning.models import EnrolmentStatus
from course.mentoring import services, signoffs
from course.mentoring.models import (
    Certificate,
    Meeting,
    MentorGroup,
    WeekOpening,
    WeekSignOff,
)
from course.mentoring.services import MentoringError
from course.reflections import services as reflections
from course.reflections.models import Decision
from tests.factories import LONG_BODY, answers_for, full_scores, mail_to, units_of, week

TODAY = date.today()


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


def accepted_reflection(group, trainee, unit):
    reflection = reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    reflections.review_reflection(reflection, group.mentor, full_scores(), "", Decision.ACCEPT)
    return reflection


def finish_week(group, trainee, unit):
    """Everything a week needs, then its sign-off: accepted reflection, attended meeting."""
    accepted_reflection(group, trainee, unit)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    return signoffs.sign_off_week(group, group.mentor, trainee, unit)


@pytest.fixture
def dyad_videos_reviewed(monkeypatch):
    """Treat every practice week's dyad video as uploaded and reviewed, so these tests can
    finish whole levels; the video rule itself belongs to the media feature's tests."""
    monkeypatch.setattr(
        signoffs, "week_video_reviewed", lambda trainee_id, unit_slug: True, raising=False
    )


def finish_level(group, trainee):
    """Sign off every unit of the group's level, opening weeks early where needed (the test
    needs the dyad_videos_reviewed fixture for the practice weeks)."""
    for unit in units_of(group.level):
        if not services.unit_is_open(group, unit):
            services.open_week_early(group, unit, group.mentor)
        finish_week(group, trainee, unit)


def certified_level_two_trainee(make, agency=None, mentor=None):
    """A trainee who went through all of Level 2 and holds its certificate."""
    trainee = level_two_trainee(make, agency=agency)
    group = new_group(make, days_ago=200, trainees=[trainee], mentor=mentor)
    finish_level(group, trainee)
    return trainee, signoffs.sign_off_level(group, group.mentor, trainee)


def give_level_two_certificate(trainee, issuer):
    """Record a Level 2 certificate directly (cheap stand-in for finishing Level 2)."""
    certificate = Certificate(
        code=signoffs._new_code(),
        trainee_id=trainee.id,
        level="level-2",
        issued_by_id=issuer.id,
        issuer_role=Role.MASTER_TRAINER,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def level_three_ready(make, agency=None):
    """A trainee with a Level 2 certificate who accepted an invitation to Level 3."""
    master = make.make_user(Role.MASTER_TRAINER)
    trainee = level_two_trainee(make, agency=agency)
    give_level_two_certificate(trainee, master)
    invitation = signoffs.invite_to_level_three(master, trainee)
    signoffs.answer_level_three_invitation(invitation, trainee, accept=True)
    return trainee


def page(response):
    return response.get_data(as_text=True)


def standing_count(trainee, unit):
    return db.session.scalar(
        select(func.count(WeekSignOff.id)).where(
            WeekSignOff.trainee_id == trainee.id,
            WeekSignOff.unit_slug == unit.slug,
            WeekSignOff.revoked_at.is_(None),
        )
    )


def count(model):
    return db.session.scalar(select(func.count(model.id)))


# -- the weekly schedule ---------------------------------------------------------------


def test_scheduled_units_week_one_opens_on_start_date_and_week_two_a_week_later(app, make):
    start = TODAY + timedelta(days=3)
    group = new_group(make, start_date=start)

    def is_open(n, today):
        return services.scheduled_units(group, today=today)[n - 1].is_open

    assert not is_open(1, start - timedelta(days=1))
    assert is_open(1, start)
    assert not is_open(2, start)
    assert not is_open(2, start + timedelta(days=6))
    assert is_open(2, start + timedelta(days=7))


def test_scheduled_units_week_n_opens_n_minus_one_weeks_after_start(app, make):
    start = date(2024, 3, 4)
    group = new_group(make, start_date=start)
    schedule = services.scheduled_units(group, today=start)
    assert [s.unit.slug for s in schedule] == [u.slug for u in units_of("level-2")]
    assert [s.opens_on for s in schedule] == [start + timedelta(weeks=n) for n in range(15)]
    assert [s.is_open for s in schedule] == [True] + [False] * 14


def test_open_week_early_opens_that_week_only_and_tells_the_trainees(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee], start_date=TODAY)
    third = week("level-2", 3)
    services.open_week_early(group, third, group.mentor)
    opened = [s.is_open for s in services.scheduled_units(group, today=TODAY)]
    assert opened[:4] == [True, False, True, False]
    assert [m["Subject"] for m in mail_to(app, trainee)][-1] == f"{third.title} is open"


def test_open_week_early_refused_for_someone_not_the_mentor(app, make):
    group = new_group(make, start_date=TODAY)
    other = make.make_user(Role.MASTER_TRAINER)
    with pytest.raises(MentoringError, match="Only the group's mentor may do that."):
        services.open_week_early(group, week("level-2", 2), other)
    assert not services.unit_is_open(group, week("level-2", 2))


def test_open_week_early_refused_for_a_week_of_another_level(app, make):
    group = new_group(make, start_date=TODAY)
    with pytest.raises(MentoringError, match="another level"):
        services.open_week_early(group, week("level-3", 2), group.mentor)


def test_pause_group_freezes_the_clock(app, make):
    start = TODAY - timedelta(days=10)
    group = new_group(make, start_date=start)
    services.pause_group(group, group.mentor)
    assert group.paused_at is not None
    # Paused on day 5: week 2 (day 7) stays shut however much later we look.
    group.paused_at = datetime.combine(start + timedelta(days=5), datetime.min.time(), UTC)
    db.session.commit()
    later = services.scheduled_units(group, today=start + timedelta(days=30))
    assert later[0].is_open
    assert not later[1].is_open


def test_pause_group_refused_for_someone_not_the_mentor(app, make):
    group = new_group(make)
    with pytest.raises(MentoringError, match="Only the group's mentor"):
        services.pause_group(group, make.make_site_admin())
    assert group.paused_at is None


def test_resume_group_shifts_later_weeks_by_the_days_paused(app, make):
    start = TODAY - timedelta(days=10)
    group = new_group(make, start_date=start)
    group.paused_at = datetime.now(UTC) - timedelta(days=4)
    db.session.commit()
    paused_for = (date.today() - group.paused_at.date()).days  # 4, in the server's dates
    services.resume_group(group, group.mentor)
    assert group.paused_at is None
    assert group.pauses == [
        {"from": (date.today() - timedelta(days=paused_for)).isoformat(), "days": paused_for}
    ]
    week_two_opens = start + timedelta(days=7 + paused_for)
    schedule = services.scheduled_units(group, today=week_two_opens - timedelta(days=1))
    assert schedule[0].is_open  # week 1 was open before the pause and stays open
    assert schedule[1].opens_on == week_two_opens
    assert not schedule[1].is_open
    assert services.scheduled_units(group, today=week_two_opens)[1].is_open
    assert services.scheduled_units(group, today=week_two_opens)[2].opens_on == (
        week_two_opens + timedelta(days=7)
    )


def test_resume_group_keeps_the_dates_of_weeks_already_open(app, make):
    start = TODAY - timedelta(days=10)
    group = new_group(make, start_date=start)
    group.paused_at = datetime.now(UTC) - timedelta(days=4)
    db.session.commit()
    services.resume_group(group, group.mentor)
    schedule = services.scheduled_units(group)
    assert schedule[1].opens_on == start + timedelta(days=7 + 4)  # moved: not open at pause
    assert schedule[0].opens_on == start  # week 1 opened on the start date


def test_unit_page_locked_week_is_403_with_its_opening_date(client, auth, make):
    trainee = level_two_trainee(make)
    new_group(make, trainees=[trainee], start_date=TODAY)
    auth.login_as(trainee)
    response = client.get(f"/units/{week('level-2', 2).slug}")
    assert response.status_code == 403
    opens = TODAY + timedelta(days=7)
    assert f"opens on {opens:%-d %B %Y}" in page(response)


def test_unit_page_open_week_is_200_with_the_reflection_form(client, auth, make):
    trainee = level_two_trainee(make)
    new_group(make, trainees=[trainee], start_date=TODAY)
    auth.login_as(trainee)
    response = client.get(f"/units/{week('level-2', 1).slug}")
    assert response.status_code == 200
    assert "Your reflection" in page(response)
    assert f'action="/units/{week("level-2", 1).slug}/reflection"' in page(response)


def test_unit_page_trainee_without_group_is_403(client, auth, make):
    auth.login_as(level_two_trainee(make))
    assert client.get(f"/units/{week('level-2', 1).slug}").status_code == 403


def test_open_week_page_mentor_opens_early_and_trainee_gets_in(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee], start_date=TODAY)
    second = week("level-2", 2)
    auth.login_as(group.mentor)
    assert "Open early" in page(client.get(f"/mentor/groups/{group.public_id}"))
    response = client.post(
        f"/mentor/groups/{group.public_id}/open-week", data={"unit_slug": second.slug}
    )
    assert response.status_code == 302
    auth.logout()
    auth.login_as(trainee)
    assert client.get(f"/units/{second.slug}").status_code == 200
    assert client.get(f"/units/{week('level-2', 3).slug}").status_code == 403


def test_open_week_page_other_master_trainer_gets_404(client, auth, make):
    group = new_group(make, start_date=TODAY)
    auth.login_as(Role.MASTER_TRAINER)
    data = {"unit_slug": week("level-2", 2).slug}
    assert client.post(f"/mentor/groups/{group.public_id}/open-week", data=data).status_code == 404
    assert not services.unit_is_open(group, week("level-2", 2))


def test_pause_page_toggles_pause_and_resume(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    assert client.post(f"/mentor/groups/{group.public_id}/pause").status_code == 302
    assert group.paused_at is not None
    assert "Resume the group" in page(client.get(f"/mentor/groups/{group.public_id}"))
    auth.logout()
    auth.login_as(trainee)
    assert "The group is paused" in page(client.get("/levels/level-2"))
    auth.logout()
    auth.login_as(group.mentor)
    client.post(f"/mentor/groups/{group.public_id}/pause")
    assert group.paused_at is None


def test_level_page_lists_weeks_with_open_ones_linked(client, auth, make):
    trainee = level_two_trainee(make)
    new_group(make, trainees=[trainee], start_date=TODAY)
    auth.login_as(trainee)
    response = client.get("/levels/level-2")
    assert response.status_code == 200
    html = page(response)
    first, second = week("level-2", 1), week("level-2", 2)
    assert f'href="/units/{first.slug}"' in html
    assert second.title in html
    assert f'href="/units/{second.slug}"' not in html
    assert "0 of 15 signed off" in html


# -- forming groups ---------------------------------------------------------------------


def test_form_group_enrols_the_trainees_and_tells_them(app, make):
    agency = make.make_agency()
    trainees = [make.make_level_two_trainee(agency=agency) for _ in range(2)]  # real quizzes
    mentor = make.make_user(Role.MASTER_TRAINER)
    group = services.form_group(make.make_site_admin(), mentor, trainees, "level-2", TODAY)
    assert group.trainee_ids == {t.id for t in trainees}
    assert group.agency_id == agency.id
    for trainee in trainees:
        enrolment = learning.current_enrolment(trainee, "level-2")
        assert enrolment.status == EnrolmentStatus.ACTIVE
        # After the Level 1 workshop's mail (a place, then Level 1 complete):
        assert [m["Subject"] for m in mail_to(app, trainee)][-1:] == [
            "You are enrolled in Level 2: Skill Building"
        ]
        assert services.partner_of(group, trainee).id in group.trainee_ids - {trainee.id}


def test_form_group_refused_when_level_one_not_complete(app, make):
    trainee = make.make_trainee(agency=make.make_agency(), name="Ada Lovelace")
    with pytest.raises(MentoringError) as refused:
        services.form_group(
            make.make_site_admin(), make.make_user(Role.MASTER_TRAINER), [trainee], "level-2", TODAY
        )
    assert str(refused.value) == "Ada Lovelace has not completed Level 1 yet."
    assert count(MentorGroup) == 0
    assert learning.current_enrolment(trainee, "level-2") is None


def test_form_group_agency_trainer_of_the_same_agency_may_mentor_level_two(app, make):
    agency = make.make_agency()
    mentor = make.make_user(Role.AGENCY_TRAINER, agency=agency)
    trainee = level_two_trainee(make, agency=agency)
    group = services.form_group(make.make_site_admin(), mentor, [trainee], "level-2", TODAY)
    assert group.mentor_id == mentor.id


def test_form_group_refused_for_agency_trainer_outside_their_agency(app, make):
    mentor = make.make_user(Role.AGENCY_TRAINER, name="Bea Outside")  # their own new agency
    trainee = level_two_trainee(make)
    with pytest.raises(MentoringError) as refused:
        services.form_group(make.make_site_admin(), mentor, [trainee], "level-2", TODAY)
    assert str(refused.value) == "Bea Outside may mentor only within their own agency."
    assert count(MentorGroup) == 0


def test_form_group_refused_for_agency_trainer_on_level_three(app, make):
    agency = make.make_agency()
    trainee = level_three_ready(make, agency=agency)
    mentor = make.make_user(Role.AGENCY_TRAINER, agency=agency)
    with pytest.raises(MentoringError, match="^Agency trainers mentor Level 2 only.$"):
        services.form_group(make.make_site_admin(), mentor, [trainee], "level-3", TODAY)
    assert count(MentorGroup) == 0


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.AGENCY_ADMIN, Role.SITE_ADMIN])
def test_form_group_refused_for_a_mentor_who_is_not_a_trainer(app, make, role):
    agency = make.make_agency()
    not_a_mentor = make.make_user(role, agency=agency, name="Cy Nobody")
    trainee = level_two_trainee(make, agency=agency)
    with pytest.raises(MentoringError) as refused:
        services.form_group(make.make_site_admin(), not_a_mentor, [trainee], "level-2", TODAY)
    assert str(refused.value) == "Cy Nobody is not a master trainer or an agency trainer."


def test_form_group_refused_for_three_trainees(app, make):
    agency = make.make_agency()
    trainees = [level_two_trainee(make, agency=agency) for _ in range(3)]
    with pytest.raises(MentoringError, match="^A mentor group has one or two different trainees.$"):
        services.form_group(
            make.make_site_admin(), make.make_user(Role.MASTER_TRAINER), trainees, "level-2", TODAY
        )
    assert count(MentorGroup) == 0


def test_form_group_refused_for_the_same_trainee_twice_in_one_group(app, make):
    trainee = level_two_trainee(make)
    with pytest.raises(MentoringError, match="one or two different trainees"):
        services.form_group(
            make.make_site_admin(),
            make.make_user(Role.MASTER_TRAINER),
            [trainee, trainee],
            "level-2",
            TODAY,
        )


def test_form_group_refused_for_no_trainees(app, make):
    with pytest.raises(MentoringError, match="one or two different trainees"):
        services.form_group(
            make.make_site_admin(), make.make_user(Role.MASTER_TRAINER), [], "level-2", TODAY
        )


def test_form_group_refused_for_partners_of_two_agencies(app, make):
    trainees = [level_two_trainee(make), level_two_trainee(make)]  # two agencies
    with pytest.raises(MentoringError, match="^Pair partners must work for the same agency.$"):
        services.form_group(
            make.make_site_admin(), make.make_user(Role.MASTER_TRAINER), trainees, "level-2", TODAY
        )
    assert count(MentorGroup) == 0


def test_form_group_agency_admin_forms_a_group_in_their_own_agency(app, make):
    agency = make.make_agency()
    admin = make.make_user(Role.AGENCY_ADMIN, agency=agency)
    trainee = level_two_trainee(make, agency=agency)
    group = services.form_group(
        admin, make.make_user(Role.MASTER_TRAINER), [trainee], "level-2", TODAY
    )
    assert group.agency_id == agency.id


def test_form_group_refused_for_agency_admin_of_another_agency(app, make):
    admin = make.make_user(Role.AGENCY_ADMIN)  # their own agency
    trainee = level_two_trainee(make)  # another agency
    with pytest.raises(MentoringError) as refused:
        services.form_group(admin, make.make_user(Role.MASTER_TRAINER), [trainee], "level-2", TODAY)
    assert str(refused.value) == (
        "Only a site admin or the trainees' agency admin may form this group."
    )
    assert count(MentorGroup) == 0


def test_form_group_refused_for_a_master_trainer_forming_it(app, make):
    mentor = make.make_user(Role.MASTER_TRAINER)
    with pytest.raises(MentoringError, match="Only a site admin or the trainees' agency admin"):
        services.form_group(mentor, mentor, [level_two_trainee(make)], "level-2", TODAY)


def test_form_group_refused_for_a_trainee_already_in_a_group_of_that_level(app, make):
    trainee = level_two_trainee(make, name="Dee Twice")
    new_group(make, trainees=[trainee])
    with pytest.raises(MentoringError) as refused:
        new_group(make, trainees=[trainee])
    assert str(refused.value) == "Dee Twice is already in a Level 2 group."
    assert count(MentorGroup) == 1


def test_form_group_refused_for_level_one(app, make):
    with pytest.raises(MentoringError, match="for Level 2 and Level 3"):
        new_group(make, level="level-1")


def test_form_group_level_three_refused_without_level_two_certificate(app, make):
    trainee = level_two_trainee(make, name="Eve Early")
    with pytest.raises(MentoringError) as refused:
        new_group(make, trainees=[trainee], level="level-3")
    assert str(refused.value) == "Eve Early has no Level 2 certificate yet."


def test_form_group_level_three_refused_without_accepted_invitation(app, make):
    master = make.make_user(Role.MASTER_TRAINER)
    trainee = level_two_trainee(make, name="Fay Certified")
    give_level_two_certificate(trainee, master)
    message = "Fay Certified has not accepted an invitation to Level 3."
    with pytest.raises(MentoringError) as refused:
        new_group(make, trainees=[trainee], level="level-3")
    assert str(refused.value) == message
    invitation = signoffs.invite_to_level_three(master, trainee)  # open, not accepted
    with pytest.raises(MentoringError, match=message):
        new_group(make, trainees=[trainee], level="level-3")
    signoffs.answer_level_three_invitation(invitation, trainee, accept=False)
    with pytest.raises(MentoringError, match=message):
        new_group(make, trainees=[trainee], level="level-3")
    assert count(MentorGroup) == 0


def test_form_group_level_three_after_invitation_accepted(app, make):
    master = make.make_user(Role.MASTER_TRAINER)
    trainee = level_two_trainee(make)
    give_level_two_certificate(trainee, master)
    invitation = signoffs.invite_to_level_three(master, trainee)
    assert mail_to(app, trainee)[-1]["Subject"] == "You are invited to Level 3: Agency Trainer"
    signoffs.answer_level_three_invitation(invitation, trainee, accept=True)
    assert invitation.accepted_at is not None
    assert learning.current_enrolment(trainee, "level-3").status == EnrolmentStatus.ACTIVE
    group = new_group(make, mentor=master, trainees=[trainee], level="level-3")
    assert group.level == "level-3"
    assert services.group_of_trainee(trainee, "level-3").id == group.id


def test_invite_to_level_three_refused_without_certificate_or_authority(app, make):
    trainee = level_two_trainee(make, name="Gus Graduate")
    master = make.make_user(Role.MASTER_TRAINER)
    with pytest.raises(MentoringError, match="Gus Graduate needs a Level 2 certificate first."):
        signoffs.invite_to_level_three(master, trainee)
    give_level_two_certificate(trainee, master)
    for role in (Role.AGENCY_TRAINER, Role.AGENCY_ADMIN, Role.TRAINEE):
        with pytest.raises(MentoringError, match="Only a master trainer or a site admin"):
            signoffs.invite_to_level_three(make.make_user(role), trainee)
    invitation = signoffs.invite_to_level_three(make.make_site_admin(), trainee)
    assert signoffs.invite_to_level_three(master, trainee).id == invitation.id  # one open


def test_answer_level_three_invitation_refused_for_another_trainee(app, make):
    master = make.make_user(Role.MASTER_TRAINER)
    trainee = level_two_trainee(make)
    give_level_two_certificate(trainee, master)
    invitation = signoffs.invite_to_level_three(master, trainee)
    with pytest.raises(MentoringError, match="not open for you"):
        signoffs.answer_level_three_invitation(invitation, make.make_trainee(), accept=True)
    assert invitation.accepted_at is None


def test_level_three_invitation_pages_invite_accept_then_form_group(client, auth, make):
    agency = make.make_agency()
    trainee = level_two_trainee(make, agency=agency)
    level_two = new_group(make, trainees=[trainee])
    give_level_two_certificate(trainee, level_two.mentor)
    auth.login_as(level_two.mentor)
    response = client.post(f"/mentor/trainees/{trainee.public_id}/invite-level-three")
    assert response.status_code == 302
    invitation = signoffs.open_level_three_invitation(trainee)
    assert invitation is not None and invitation.invited_by_id == level_two.mentor_id
    auth.logout()
    auth.login_as(trainee)
    response = client.post(
        f"/level-three-invitations/{invitation.public_id}", data={"answer": "accept"}
    )
    assert response.status_code == 302
    assert invitation.accepted_at is not None
    auth.logout()
    auth.login_as(Role.SITE_ADMIN)
    mentor = make.make_user(Role.MASTER_TRAINER)
    response = client.post(
        "/groups/new",
        data={
            "level": "level-3",
            "mentor_id": mentor.id,
            "trainee_id": trainee.id,
            "partner_id": 0,
            "start_date": TODAY.isoformat(),
        },
    )
    group = services.group_of_trainee(trainee, "level-3")
    assert group is not None and group.mentor_id == mentor.id
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mentor/groups/{group.public_id}"


def test_invite_level_three_page_returns_to_the_trainees_group(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    give_level_two_certificate(trainee, group.mentor)
    auth.login_as(group.mentor)
    response = client.post(f"/mentor/trainees/{trainee.public_id}/invite-level-three")
    assert response.headers["Location"] == f"/mentor/groups/{group.public_id}"


def test_invite_level_three_page_never_redirects_off_site(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    give_level_two_certificate(trainee, group.mentor)
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/trainees/{trainee.public_id}/invite-level-three",
        headers={"Referer": "https://evil.example/localhost/training"},
    )
    assert response.status_code == 302
    assert signoffs.open_level_three_invitation(trainee) is not None
    assert "evil.example" not in response.headers["Location"]


def test_invite_level_three_page_other_master_trainer_gets_404(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    give_level_two_certificate(trainee, group.mentor)
    auth.login_as(Role.MASTER_TRAINER)
    assert (
        client.post(f"/mentor/trainees/{trainee.public_id}/invite-level-three").status_code == 404
    )
    assert signoffs.open_level_three_invitation(trainee) is None


def test_new_group_page_shows_the_refusal_and_forms_nothing(client, auth, make):
    trainee = make.make_trainee(agency=make.make_agency(), name="Hal Hasty")
    mentor = make.make_user(Role.MASTER_TRAINER)
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        "/groups/new",
        data={
            "level": "level-2",
            "mentor_id": mentor.id,
            "trainee_id": trainee.id,
            "partner_id": 0,
            "start_date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Hal Hasty has not completed Level 1 yet." in page(response)
    assert count(MentorGroup) == 0


def test_new_group_page_agency_admin_forms_a_pair_in_their_agency(client, auth, make):
    agency = make.make_agency()
    admin = make.make_user(Role.AGENCY_ADMIN, agency=agency)
    first, second = (level_two_trainee(make, agency=agency) for _ in range(2))
    mentor = make.make_user(Role.MASTER_TRAINER)
    auth.login_as(admin)
    response = client.post(
        "/groups/new",
        data={
            "level": "level-2",
            "mentor_id": mentor.id,
            "trainee_id": first.id,
            "partner_id": second.id,
            "start_date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    group = services.group_of_trainee(first, "level-2")
    assert group.trainee_ids == {first.id, second.id}
    # The agency admin may not open the group page, so they are sent home instead.
    assert response.headers["Location"] == "/"


def test_new_group_page_agency_admin_cannot_pick_another_agencys_trainee(client, auth, make):
    admin = make.make_user(Role.AGENCY_ADMIN)
    outsider = level_two_trainee(make, name="Ivy Elsewhere")
    auth.login_as(admin)
    form = page(client.get("/groups/new"))
    assert "Ivy Elsewhere" not in form
    client.post(
        "/groups/new",
        data={
            "level": "level-2",
            "mentor_id": make.make_user(Role.MASTER_TRAINER).id,
            "trainee_id": outsider.id,
            "partner_id": 0,
            "start_date": TODAY.isoformat(),
        },
    )
    assert count(MentorGroup) == 0


# -- who sees a group -------------------------------------------------------------------


def group_viewers(make, group, agency):
    """Everyone who might open a group page, with the status each should get."""
    return {
        "their mentor": (group.mentor, 200),
        "site admin": (make.make_site_admin(), 200),
        "another master trainer": (make.make_user(Role.MASTER_TRAINER), 404),
        "agency trainer of another agency": (make.make_user(Role.AGENCY_TRAINER), 404),
        "agency trainer of the same agency": (
            make.make_user(Role.AGENCY_TRAINER, agency=agency),
            404,
        ),
        "agency admin of the same agency": (make.make_user(Role.AGENCY_ADMIN, agency=agency), 404),
        "a trainee of the group": (group.trainees[0], 404),
    }


def test_group_page_visible_to_mentor_and_site_admin_only(client, auth, make):
    agency = make.make_agency()
    group = new_group(make, trainees=[level_two_trainee(make, agency=agency)])
    for label, (viewer, expected) in group_viewers(make, group, agency).items():
        auth.login_as(viewer)
        response = client.get(f"/mentor/groups/{group.public_id}")
        assert response.status_code == expected, label
        if expected == 200:
            assert group.trainees[0].name in page(response), label
        auth.logout()


def test_group_page_site_admin_sees_no_mentor_actions(client, auth, make):
    group = new_group(make)
    auth.login_as(Role.SITE_ADMIN)
    html = page(client.get(f"/mentor/groups/{group.public_id}"))
    assert "Log a meeting" not in html
    assert "Pause the group" not in html
    assert "Sign off the level" not in html
    assert "Open early" not in html


def test_sign_off_page_refused_for_everyone_but_the_mentor(client, auth, make):
    agency = make.make_agency()
    trainee = level_two_trainee(make, agency=agency)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    data = {"trainee_id": trainee.id, "unit_slug": unit.slug}
    refused = {
        "another master trainer": (make.make_user(Role.MASTER_TRAINER), 404),
        "agency trainer of another agency": (make.make_user(Role.AGENCY_TRAINER), 404),
        "site admin": (make.make_site_admin(), 403),  # not a mentor role at all
        "agency admin": (make.make_user(Role.AGENCY_ADMIN, agency=agency), 403),
        "the trainee": (trainee, 403),
    }
    for label, (viewer, expected) in refused.items():
        auth.login_as(viewer)
        sign_off = client.post(f"/mentor/groups/{group.public_id}/sign-off", data=data)
        certify = client.post(
            f"/mentor/groups/{group.public_id}/certify", data={"trainee_id": trainee.id}
        )
        assert sign_off.status_code == expected, label
        assert certify.status_code == expected, label
        auth.logout()
    assert standing_count(trainee, unit) == 0
    assert count(Certificate) == 0


# -- meetings ---------------------------------------------------------------------------


def test_log_meeting_records_what_happened(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    meeting = services.log_meeting(
        group, group.mentor, unit, TODAY, 75, [trainee.id], " Bottle pauses ", " private "
    )
    assert (meeting.unit_slug, meeting.held_on, meeting.minutes) == (unit.slug, TODAY, 75)
    assert meeting.attendee_ids == {trainee.id}
    assert (meeting.topics, meeting.private_notes) == ("Bottle pauses", "private")
    assert [m.id for m in services.meetings_of(group)] == [meeting.id]


@pytest.mark.parametrize("minutes", [0, -5, 4, 241, 1200])
def test_log_meeting_refused_for_minutes_out_of_range(app, make, minutes):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    with pytest.raises(MentoringError, match="^A meeting lasts between 5 and 240 minutes.$"):
        services.log_meeting(group, group.mentor, week("level-2", 1), TODAY, minutes, [trainee.id])
    assert count(Meeting) == 0


@pytest.mark.parametrize("minutes", [5, 240])
def test_log_meeting_accepts_minutes_at_the_bounds(app, make, minutes):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    meeting = services.log_meeting(
        group, group.mentor, week("level-2", 1), TODAY, minutes, [trainee.id]
    )
    assert meeting.minutes == minutes


def test_a_trainee_attends_one_meeting_per_week_and_day(app, make):
    """A second tab: the same trainee's meeting is not logged twice; a separate
    meeting with the pair partner that day is fine."""
    agency = make.make_agency()
    first, second = (level_two_trainee(make, agency=agency) for _ in range(2))
    group = new_group(make, trainees=[first, second])
    unit = week("level-2", 1)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [first.id])
    with pytest.raises(MentoringError, match="with the same trainee is already logged"):
        services.log_meeting(group, group.mentor, unit, TODAY, 90, [first.id, second.id])
    services.log_meeting(group, group.mentor, unit, TODAY, 45, [second.id])
    services.log_meeting(group, group.mentor, unit, TODAY - timedelta(days=2), 30, [first.id])
    assert services.consultation_hours(first) == 1.5
    assert services.consultation_hours(second) == 0.75


def test_the_same_meeting_form_sent_twice_logs_one_meeting(client, auth, make):
    """A double click sends the form twice; two at once pass the service's check,
    and the form's one-time key makes the database refuse the second."""
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    auth.login_as(group.mentor)
    html = page(client.get(f"/mentor/groups/{group.public_id}/meetings/new"))
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', html).group(1)
    data = meeting_form(unit, trainee, form_key=key)
    assert (
        client.post(f"/mentor/groups/{group.public_id}/meetings/new", data=data).status_code == 302
    )
    second = client.post(f"/mentor/groups/{group.public_id}/meetings/new", data=data)
    assert second.status_code in (200, 302, 422)
    assert count(Meeting) == 1
    db.session.add(
        Meeting(
            group_id=group.id,
            unit_slug=unit.slug,
            held_on=TODAY - timedelta(days=1),
            minutes=60,
            logged_by_id=group.mentor.id,
            form_key=key,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count(Meeting) == 1 and services.consultation_hours(trainee) == 1.0


def test_meeting_form_starts_on_the_latest_open_week_with_nobody_ticked(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee], days_ago=15)  # weeks 1 to 3 are open
    auth.login_as(group.mentor)
    html = page(client.get(f"/mentor/groups/{group.public_id}/meetings/new"))
    assert re.search(r'<option selected value="[^"]*week-03[^"]*"', html)
    assert "checked" not in html.split("Who attended")[1].split("</fieldset>")[0]


def test_log_meeting_refused_for_a_future_date(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(MentoringError, match="cannot be logged before it happens"):
        services.log_meeting(group, group.mentor, week("level-2", 1), tomorrow, 60, [trainee.id])
    assert count(Meeting) == 0


def test_log_meeting_refused_without_a_group_trainee_attending(app, make):
    trainee = level_two_trainee(make)
    outsider = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    for attendees in ([], [outsider.id], [group.mentor_id]):
        with pytest.raises(MentoringError, match="^Tick at least one trainee who attended.$"):
            services.log_meeting(group, group.mentor, week("level-2", 1), TODAY, 60, attendees)
    assert count(Meeting) == 0


def test_log_meeting_keeps_only_group_trainees_as_attendees(app, make):
    trainee = level_two_trainee(make)
    outsider = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    meeting = services.log_meeting(
        group, group.mentor, week("level-2", 1), TODAY, 60, [trainee.id, outsider.id]
    )
    assert meeting.attendee_ids == {trainee.id}
    assert services.consultation_hours(outsider) == 0


def test_log_meeting_refused_for_someone_not_the_mentor(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    for other in (make.make_user(Role.MASTER_TRAINER), make.make_site_admin(), trainee):
        with pytest.raises(MentoringError, match="Only the group's mentor"):
            services.log_meeting(group, other, week("level-2", 1), TODAY, 60, [trainee.id])
    assert count(Meeting) == 0


def test_log_meeting_refused_for_a_week_of_another_level(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    with pytest.raises(MentoringError, match="another level"):
        services.log_meeting(group, group.mentor, week("level-3", 1), TODAY, 60, [trainee.id])


def test_consultation_hours_sums_the_minutes_of_meetings_attended(app, make):
    agency = make.make_agency()
    first, second = (level_two_trainee(make, agency=agency) for _ in range(2))
    group = new_group(make, days_ago=10, trainees=[first, second])
    both = [first.id, second.id]
    services.log_meeting(group, group.mentor, week("level-2", 1), TODAY, 60, both)
    services.log_meeting(group, group.mentor, week("level-2", 2), TODAY, 30, [first.id])
    services.log_meeting(group, group.mentor, week("level-2", 2), TODAY, 45, [second.id])
    assert services.consultation_hours(first) == 1.5
    assert services.consultation_hours(second) == 1.75
    assert services.consultation_hours(make.make_trainee()) == 0


def meeting_form(unit, trainee, **overrides):
    data = {
        "unit_slug": unit.slug,
        "held_on": TODAY.isoformat(),
        "minutes": "60",
        "attendees": [str(trainee.id)],
        "topics": "Bottle pauses and waiting",
        "private_notes": "Seemed tired; ask about sleep",
    }
    data.update(overrides)
    return data


def test_new_meeting_page_logs_a_meeting(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    assert client.get(f"/mentor/groups/{group.public_id}/meetings/new").status_code == 200
    unit = week("level-2", 1)
    response = client.post(
        f"/mentor/groups/{group.public_id}/meetings/new", data=meeting_form(unit, trainee)
    )
    assert response.status_code == 302
    [meeting] = services.meetings_of(group)
    assert (meeting.minutes, meeting.attendee_ids) == (60, {trainee.id})
    assert services.consultation_hours(trainee) == 1.0


@pytest.mark.parametrize("minutes", ["0", "601", ""])
def test_new_meeting_page_refuses_bad_minutes(client, auth, make, minutes):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/groups/{group.public_id}/meetings/new",
        data=meeting_form(week("level-2", 1), trainee, minutes=minutes),
    )
    assert response.status_code == 200  # the form again, with the error
    assert count(Meeting) == 0


def test_new_meeting_page_refuses_a_future_date_with_the_reason(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(
        f"/mentor/groups/{group.public_id}/meetings/new",
        data=meeting_form(week("level-2", 1), trainee, held_on=tomorrow),
    )
    assert response.status_code == 200
    assert "A meeting cannot be logged before it happens." in page(response)
    assert count(Meeting) == 0


def test_new_meeting_page_refuses_an_attendee_outside_the_group(client, auth, make):
    trainee = level_two_trainee(make)
    outsider = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/groups/{group.public_id}/meetings/new",
        data=meeting_form(week("level-2", 1), trainee, attendees=[str(outsider.id)]),
    )
    assert response.status_code == 200
    assert count(Meeting) == 0


def test_new_meeting_page_other_master_trainer_gets_404(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(Role.MASTER_TRAINER)
    url = f"/mentor/groups/{group.public_id}/meetings/new"
    assert client.get(url).status_code == 404
    assert client.post(url, data=meeting_form(week("level-2", 1), trainee)).status_code == 404
    assert count(Meeting) == 0


def test_group_page_private_notes_shown_to_the_mentor_not_the_site_admin(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    services.log_meeting(
        group,
        group.mentor,
        week("level-2", 1),
        TODAY,
        60,
        [trainee.id],
        topics="Talked about bottle pauses",
        private_notes="Noticed she seems exhausted",
    )
    auth.login_as(group.mentor)
    mentor_view = page(client.get(f"/mentor/groups/{group.public_id}"))
    assert "Talked about bottle pauses" in mentor_view
    assert "Noticed she seems exhausted" in mentor_view
    auth.logout()
    auth.login_as(Role.SITE_ADMIN)
    admin_view = page(client.get(f"/mentor/groups/{group.public_id}"))
    assert "Talked about bottle pauses" in admin_view
    assert "Noticed she seems exhausted" not in admin_view
    assert "Private notes" not in admin_view


# -- signing off weeks --------------------------------------------------------------------


def test_sign_off_week_refused_before_the_reflection_is_accepted(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    with pytest.raises(MentoringError) as refused:
        signoffs.sign_off_week(group, group.mentor, trainee, unit)
    assert str(refused.value) == (
        f"{unit.title} cannot be signed off yet: the reflection is not accepted yet."
    )
    assert standing_count(trainee, unit) == 0


def test_sign_off_week_refused_before_a_meeting_is_logged(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    with pytest.raises(MentoringError) as refused:
        signoffs.sign_off_week(group, group.mentor, trainee, unit)
    assert str(refused.value) == (
        f"{unit.title} cannot be signed off yet: "
        "no meeting is logged for this week with the trainee attending."
    )
    assert standing_count(trainee, unit) == 0


def test_sign_off_week_refused_with_nothing_done_names_both(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    with pytest.raises(MentoringError) as refused:
        signoffs.sign_off_week(group, group.mentor, trainee, unit)
    message = str(refused.value)
    assert "the reflection is not accepted yet" in message
    assert "no meeting is logged" in message


def test_sign_off_week_refused_when_the_trainee_missed_the_meeting(app, make):
    agency = make.make_agency()
    first, second = (level_two_trainee(make, agency=agency) for _ in range(2))
    group = new_group(make, trainees=[first, second])
    unit = week("level-2", 1)
    accepted_reflection(group, first, unit)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [second.id])
    services.log_meeting(group, group.mentor, week("level-2", 2), TODAY, 60, [first.id])
    with pytest.raises(MentoringError, match="no meeting is logged"):
        signoffs.sign_off_week(group, group.mentor, first, unit)


def test_sign_off_week_practice_week_also_needs_its_dyad_video_reviewed(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, days_ago=60, trainees=[trainee])
    practice = week("level-2", 6)
    assert practice.kind == UnitKind.PRACTICE_WEEK
    accepted_reflection(group, trainee, practice)
    services.log_meeting(group, group.mentor, practice, TODAY, 60, [trainee.id])
    with pytest.raises(MentoringError, match="dyad video"):
        signoffs.sign_off_week(group, group.mentor, trainee, practice)
    assert standing_count(trainee, practice) == 0


def test_sign_off_week_succeeds_after_acceptance_and_meeting(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    sign_off = finish_week(group, trainee, unit)
    assert (sign_off.trainee_id, sign_off.unit_slug, sign_off.level) == (
        trainee.id,
        unit.slug,
        "level-2",
    )
    assert sign_off.signed_by_id == group.mentor_id
    assert sign_off.revoked_at is None
    assert standing_count(trainee, unit) == 1


def test_sign_off_week_twice_signs_once(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    first = finish_week(group, trainee, unit)
    second = signoffs.sign_off_week(group, group.mentor, trainee, unit)
    assert second.id == first.id
    assert count(WeekSignOff) == 1


def test_sign_off_week_refused_for_someone_not_the_mentor(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    for other in (make.make_user(Role.MASTER_TRAINER), make.make_site_admin()):
        with pytest.raises(MentoringError, match="Only the group's mentor"):
            signoffs.sign_off_week(group, other, trainee, unit)
    assert count(WeekSignOff) == 0


def test_sign_off_week_refused_for_a_trainee_outside_the_group(app, make):
    group = new_group(make)
    with pytest.raises(MentoringError, match="not part of this group"):
        signoffs.sign_off_week(group, group.mentor, level_two_trainee(make), week("level-2", 1))


def test_sign_off_page_refused_shows_what_is_missing(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/groups/{group.public_id}/sign-off",
        data={"trainee_id": trainee.id, "unit_slug": unit.slug},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "no meeting is logged for this week with the trainee attending" in page(response)
    assert standing_count(trainee, unit) == 0


def test_sign_off_page_double_post_signs_once(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    auth.login_as(group.mentor)
    data = {"trainee_id": trainee.id, "unit_slug": unit.slug}
    assert client.post(f"/mentor/groups/{group.public_id}/sign-off", data=data).status_code == 302
    assert client.post(f"/mentor/groups/{group.public_id}/sign-off", data=data).status_code == 302
    assert count(WeekSignOff) == 1
    assert standing_count(trainee, unit) == 1
    html = page(client.get(f"/mentor/groups/{group.public_id}"))
    assert "Signed off" in html and "Revoke" in html


def test_sign_off_page_for_a_trainee_outside_the_group_is_404(client, auth, make):
    group = new_group(make)
    outsider = level_two_trainee(make)
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/groups/{group.public_id}/sign-off",
        data={"trainee_id": outsider.id, "unit_slug": week("level-2", 1).slug},
    )
    assert response.status_code == 404


def test_revoke_week_sign_off_needs_a_reason(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    sign_off = finish_week(group, trainee, week("level-2", 1))
    for reason in ("", "   "):
        with pytest.raises(MentoringError, match="^Say why the sign-off is revoked.$"):
            signoffs.revoke_week_sign_off(sign_off, group.mentor, reason)
    assert sign_off.revoked_at is None


def test_revoke_week_sign_off_keeps_the_row_and_a_new_sign_off_can_follow(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    first = finish_week(group, trainee, unit)
    signoffs.revoke_week_sign_off(first, group.mentor, "  Signed the wrong week  ")
    assert first.revoked_at is not None
    assert first.revoked_by_id == group.mentor_id
    assert first.revoke_reason == "Signed the wrong week"
    assert standing_count(trainee, unit) == 0
    assert signoffs.level_ready(group, trainee)[0] == unit.title
    second = signoffs.sign_off_week(group, group.mentor, trainee, unit)
    assert second.id != first.id
    assert count(WeekSignOff) == 2
    assert standing_count(trainee, unit) == 1
    assert db.session.get(WeekSignOff, first.id).revoke_reason == "Signed the wrong week"
    from course.audit.models import AuditEvent

    logged = [
        (e.action, e.actor_id, e.object_id, e.detail.get("week"))
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action.startswith("week.")
    ]
    mentor, who = group.mentor_id, str(trainee.id)
    assert logged == [
        ("week.sign-off", mentor, who, unit.slug),
        ("week.sign-off-revoke", mentor, who, unit.slug),
        ("week.sign-off", mentor, who, unit.slug),
    ]


def test_revoke_week_sign_off_refused_for_someone_not_the_mentor(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    sign_off = finish_week(group, trainee, week("level-2", 1))
    with pytest.raises(MentoringError, match="Only the group's mentor"):
        signoffs.revoke_week_sign_off(sign_off, make.make_user(Role.MASTER_TRAINER), "Because")
    assert sign_off.revoked_at is None


def test_revoke_page_empty_reason_revokes_nothing(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    sign_off = finish_week(group, trainee, week("level-2", 1))
    auth.login_as(group.mentor)
    url = f"/mentor/sign-offs/{sign_off.public_id}/revoke"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 200  # the form again
    assert sign_off.revoked_at is None


def test_revoke_page_with_a_reason_revokes_and_keeps_it(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    sign_off = finish_week(group, trainee, week("level-2", 1))
    auth.login_as(group.mentor)
    url = f"/mentor/sign-offs/{sign_off.public_id}/revoke"
    response = client.post(url, data={"reason": "The meeting was for week 2"})
    assert response.status_code == 302
    assert sign_off.revoked_at is not None
    assert sign_off.revoke_reason == "The meeting was for week 2"
    assert client.get(url).status_code == 404  # a revoked sign-off cannot be revoked again


def test_revoke_page_other_master_trainer_gets_404(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    sign_off = finish_week(group, trainee, week("level-2", 1))
    auth.login_as(Role.MASTER_TRAINER)
    url = f"/mentor/sign-offs/{sign_off.public_id}/revoke"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "Mine now"}).status_code == 404
    assert sign_off.revoked_at is None


# -- signing off levels and certificates ----------------------------------------------------


def test_sign_off_level_refused_while_weeks_remain(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, days_ago=200, trainees=[trainee])
    finish_week(group, trainee, week("level-2", 1))
    with pytest.raises(MentoringError) as refused:
        signoffs.sign_off_level(group, group.mentor, trainee)
    titles = [week("level-2", n).title for n in (2, 3, 4)]
    assert str(refused.value) == (
        f"Sign off every week first; still open: {', '.join(titles)} and 11 more."
    )
    assert count(Certificate) == 0
    assert learning.current_enrolment(trainee, "level-2").status == EnrolmentStatus.ACTIVE


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_sign_off_level_refused_with_only_the_last_week_missing(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, days_ago=200, trainees=[trainee])
    last = units_of("level-2")[-1]
    for unit in units_of("level-2")[:-1]:
        finish_week(group, trainee, unit)
    with pytest.raises(MentoringError) as refused:
        signoffs.sign_off_level(group, group.mentor, trainee)
    assert str(refused.value) == f"Sign off every week first; still open: {last.title}."


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_sign_off_level_issues_one_certificate_and_completes_the_enrolment(app, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])  # weeks opened early by finish_level
    finish_level(group, trainee)
    certificate = signoffs.sign_off_level(group, group.mentor, trainee)
    assert re.fullmatch(
        r"PFR-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", certificate.code
    )
    assert (certificate.trainee_id, certificate.level) == (trainee.id, "level-2")
    assert certificate.issuer_role == Role.MASTER_TRAINER
    again = signoffs.sign_off_level(group, group.mentor, trainee)
    assert (again.id, again.code) == (certificate.id, certificate.code)
    assert count(Certificate) == 1
    enrolment = learning.current_enrolment(trainee, "level-2")
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.completed_at is not None
    assert "Your Level 2: Skill Building certificate" in [
        m["Subject"] for m in mail_to(app, trainee)
    ]
    assert signoffs.certificates_of(trainee) == [certificate]
    assert not trainee.has_role(Role.AGENCY_TRAINER)


def test_certificate_codes_are_unique(app, make):
    codes = {signoffs._new_code() for _ in range(500)}
    assert len(codes) == 500
    trainee, master = level_two_trainee(make), make.make_user(Role.MASTER_TRAINER)
    taken = give_level_two_certificate(trainee, master).code
    db.session.add(
        Certificate(
            code=taken,
            trainee_id=level_two_trainee(make).id,
            level="level-2",
            issued_by_id=master.id,
            issuer_role=Role.MASTER_TRAINER,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_certify_page_issues_once(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, days_ago=200, trainees=[trainee])
    finish_level(group, trainee)
    auth.login_as(group.mentor)
    for _ in range(2):
        response = client.post(
            f"/mentor/groups/{group.public_id}/certify", data={"trainee_id": trainee.id}
        )
        assert response.status_code == 302
    assert count(Certificate) == 1
    assert signoffs.standing_certificate(trainee, "level-2") is not None


def test_certify_page_refused_shows_weeks_still_open(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    auth.login_as(group.mentor)
    response = client.post(
        f"/mentor/groups/{group.public_id}/certify",
        data={"trainee_id": trainee.id},
        follow_redirects=True,
    )
    assert "Sign off every week first; still open:" in page(response)
    assert count(Certificate) == 0


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_verify_page_says_valid_with_name_level_and_date_and_nothing_else(app, client, make):
    agency = make.make_agency(name="Riverbend Family Services")
    agency_admin = make.make_user(
        Role.AGENCY_ADMIN, agency=agency, name="Olga Overseer", email="olga@riverbend.example"
    )
    mentor = make.make_user(Role.MASTER_TRAINER, name="Marta Mentor", email="marta@pfr.example")
    trainee = level_two_trainee(
        make, agency=agency, name="Tomas Trainee", email="tomas@riverbend.example"
    )
    group = new_group(make, days_ago=200, trainees=[trainee], mentor=mentor)
    finish_level(group, trainee)
    certificate = signoffs.sign_off_level(group, mentor, trainee)
    response = client.get(f"/verify/{certificate.code}")  # a visitor, not signed in
    assert response.status_code == 200
    html = page(response)
    assert "Tomas Trainee" in html
    assert "Level 2: Skill Building" in html
    issued = certificate.issued_at.astimezone(ZoneInfo(app.config["COURSE_TIME_ZONE"]))
    assert f"{issued:%-d %B %Y}" in html  # the site's date, the same on the PDF
    assert "This certificate is valid" in html
    for secret in (
        "Marta Mentor",  # the signing trainer is on the certificate, not the public page
        trainee.email,
        mentor.email,
        agency_admin.email,
        agency_admin.name,
        agency.name,
        "riverbend",
    ):
        assert secret.lower() not in html.lower(), secret


def test_verify_page_accepts_a_lower_case_code(client, make):
    certificate = give_level_two_certificate(
        level_two_trainee(make), make.make_user(Role.MASTER_TRAINER)
    )
    assert client.get(f"/verify/{certificate.code.lower()}").status_code == 200


def test_verify_page_unknown_code_is_404(client, make):
    give_level_two_certificate(level_two_trainee(make), make.make_user(Role.MASTER_TRAINER))
    assert client.get("/verify/PFR-AAAA-BBBB-CCCC").status_code == 404


def test_verify_page_says_plainly_a_certificate_was_revoked_and_the_record_is_kept(client, make):
    certificate = give_level_two_certificate(
        level_two_trainee(make), make.make_user(Role.MASTER_TRAINER)
    )
    admin = make.make_site_admin()
    with pytest.raises(MentoringError, match="Say why the certificate is revoked."):
        signoffs.revoke_certificate(certificate, admin, " ")
    with pytest.raises(MentoringError, match="Only the issuer or a site admin"):
        signoffs.revoke_certificate(certificate, make.make_user(Role.MASTER_TRAINER), "No")
    assert client.get(f"/verify/{certificate.code}").status_code == 200
    signoffs.revoke_certificate(certificate, admin, "Issued in error")
    revoked = client.get(f"/verify/{certificate.code}")
    assert revoked.status_code == 200
    assert "This certificate was revoked" in page(revoked)
    assert "This certificate is valid" not in page(revoked)
    assert "Issued in error" not in page(revoked)  # the reason stays private
    kept = db.session.get(Certificate, certificate.id)
    assert kept.revoke_reason == "Issued in error"
    assert kept.revoked_by_id == admin.id


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_certificate_from_an_agency_trainer_names_their_agency(client, auth, make):
    agency = make.make_agency(name="Cedar Valley Early Learning")
    mentor = make.make_user(Role.AGENCY_TRAINER, agency=agency, name="Anna Agency")
    trainee, certificate = certified_level_two_trainee(make, agency=agency, mentor=mentor)
    assert certificate.issuer_role == Role.AGENCY_TRAINER
    assert certificate.issuer_agency_id == agency.id
    auth.login(trainee.email)
    html = page(client.get(f"/certificates/{certificate.code}"))
    assert "Signed off by Anna Agency" in html
    assert "Agency trainer, Cedar Valley Early Learning" in html
    assert "PFR Master Trainer" not in html


@pytest.mark.usefixtures("dyad_videos_reviewed")
def test_sign_off_level_three_makes_the_trainee_an_agency_trainer(app, make):
    agency = make.make_agency()
    master = make.make_user(Role.MASTER_TRAINER)
    trainee, _ = certified_level_two_trainee(make, agency=agency, mentor=master)
    invitation = signoffs.invite_to_level_three(master, trainee)
    signoffs.answer_level_three_invitation(invitation, trainee, accept=True)
    group = new_group(make, days_ago=200, mentor=master, trainees=[trainee], level="level-3")
    assert not trainee.has_role(Role.AGENCY_TRAINER)
    finish_level(group, trainee)
    certificate = signoffs.sign_off_level(group, master, trainee)
    assert certificate.level == "level-3"
    assert trainee.has_role(Role.AGENCY_TRAINER)
    assert trainee.agency_id == agency.id
    assert learning.current_enrolment(trainee, "level-3").status == EnrolmentStatus.COMPLETED
    # Now an agency trainer, they may mentor Level 2 in their own agency.
    newcomer = level_two_trainee(make, agency=agency)
    assert new_group(make, mentor=trainee, trainees=[newcomer]).mentor_id == trainee.id


# -- the curriculum outline, films and captions -----------------------------------------------


@pytest.fixture
def outline(runner):
    result = runner.invoke(args=["course", "content", "outline", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {level["slug"]: level for level in data["levels"]} | {"videos": data["videos"]}


def test_outline_level_two_has_fifteen_weeks_five_video_then_ten_practice(outline):
    level = outline["level-2"]
    assert len(level["units"]) == 15
    assert [u["week"] for u in level["units"]] == list(range(1, 16))
    assert [u["order"] for u in level["units"]] == list(range(1, 16))
    for unit in level["units"][:5]:
        assert unit["kind"] == "video_week", unit["slug"]
        assert unit["film_brief"], unit["slug"]  # what the site admin must find for it
        assert len(unit["practice_films"]) == 2, unit["slug"]
    for unit in level["units"][5:]:
        assert unit["kind"] == "practice_week", unit["slug"]
        assert unit["focus"], unit["slug"]
    films = [v for u in level["units"] for v in u["practice_films"]]
    assert len(films) == len(set(films)) == 10


def test_outline_level_three_has_thirteen_weeks_then_two_preparation_units(outline):
    units = outline["level-3"]["units"]
    assert outline["level-3"]["invitation_only"] is True
    assert outline["level-3"]["requires"] == "level-2"
    weeks = [u for u in units if u["kind"] != "preparation"]
    assert [u["week"] for u in weeks] == list(range(1, 14))
    assert [u["kind"] for u in weeks[:3]] == ["video_week"] * 3
    assert all(len(u["practice_films"]) == 2 and u["film_brief"] for u in weeks[:3])
    assert [u["kind"] for u in weeks[3:]] == ["practice_week"] * 10
    assert [u["kind"] for u in units[13:]] == ["preparation", "preparation"]
    assert len(units) == 15
    assert [u["order"] for u in units] == list(range(1, 16))


def test_outline_no_film_is_used_twice_and_every_film_is_in_the_catalogue(outline):
    films = [
        v
        for slug in ("level-2", "level-3")
        for u in outline[slug]["units"]
        for v in u["practice_films"]
    ]
    assert len(films) == len(set(films))
    assert set(films) <= set(outline["videos"])


def test_curriculum_weeks_carry_their_kind_objects(app):
    level3 = get_curriculum().level("level-3")
    assert [u.kind for u in level3.units[13:]] == [UnitKind.PREPARATION] * 2
    assert all(u.kind.is_week for u in level3.units[:13])


def test_captions_every_practice_film_serves_webvtt(client, auth):
    import_practice_films(make_files=False)
    auth.login_as(Role.MASTER_TRAINER)
    films = all_films()
    assert len(films) == len(get_curriculum().videos) >= 16
    for film in films:
        response = client.get(f"/films/{film.public_id}/captions/en.vtt")
        assert response.status_code == 200, film.slug
        assert response.mimetype == "text/vtt", film.slug
        assert response.get_data(as_text=True).startswith("WEBVTT"), film.slug


def test_captions_need_sign_in(client):
    import_practice_films(make_files=False)
    response = client.get(f"/films/{all_films()[0].public_id}/captions/en.vtt")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unit_page_week_shows_each_film_with_captions(client, auth, make):
    import_practice_films()
    trainee = level_two_trainee(make)
    new_group(make, trainees=[trainee], start_date=TODAY)
    auth.login_as(trainee)
    unit = week("level-2", 1)
    html = page(client.get(f"/units/{unit.slug}"))
    assert html.count("<video") == 2
    for film in films_for_unit(unit.slug):
        assert f'<track kind="captions" src="/films/{film.public_id}/captions/en.vtt"' in html


def test_mentor_dashboard_query_count_does_not_grow_with_groups(client, auth, make, count_queries):
    mentor = make.make_user(Role.MASTER_TRAINER)
    auth.login_as(mentor)
    counts = []
    for groups in (1, 4):
        while count(MentorGroup) < groups:
            first = make.make_level_two_trainee()
            make.make_group(mentor, [first, make.make_level_two_trainee(agency=first.agency)])
        client.get("/mentor")
        with count_queries() as queries:
            page = client.get("/mentor").get_data(as_text=True)
        counts.append(len(queries))
    assert page.count("/mentor/groups/") == 4  # every group listed, with its trainees
    assert counts[0] == counts[1], counts


def test_mentor_dashboard_shows_weeks_signed_off_and_who_is_behind(client, auth, make):
    """Each trainee of a group with their weeks signed off, and "behind" for a week open
    two weeks with nothing submitted (read from the progress summary)."""
    ahead = level_two_trainee(make)
    behind = level_two_trainee(make, agency=ahead.agency)
    group = new_group(make, trainees=[ahead, behind], days_ago=20)
    finish_week(group, ahead, week("level-2", 1))
    accepted_reflection(group, ahead, week("level-2", 2))  # week 2 dealt with, not signed
    total = len(units_of("level-2"))
    auth.login_as(group.mentor)
    html = page(client.get("/mentor"))
    assert f"{ahead.name}: 1 of {total} weeks signed off</li>" in html
    assert (
        f'{behind.name}: 0 of {total} weeks signed off · <strong class="behind-note">'
        f"behind since the week of {group.start_date:%-d %b}</strong>" in html
    )


# -- two requests at once (#19 item 6) ---------------------------------------------------


def _race_lost(monkeypatch, group, unit):
    """The week is opened by a first request while a second one has already checked
    that it was closed: the second then meets the database's unique constraint."""
    services.open_week_early(group, unit, group.mentor)
    monkeypatch.setattr(services, "unit_is_open", lambda *args: False)


def test_the_second_of_two_simultaneous_posts_goes_back_with_a_clear_word(
    app, client, auth, make, monkeypatch
):
    group = new_group(make)
    unit = get_curriculum().level("level-2").units[3]
    _race_lost(monkeypatch, group, unit)
    auth.login(group.mentor.email)
    url = f"/mentor/groups/{group.public_id}"

    second = client.post(
        f"{url}/open-week",
        data={"unit_slug": unit.slug},
        headers={"Referer": f"http://localhost{url}"},
    )

    assert second.status_code == 302 and second.headers["Location"] == url
    assert "That was already done" in page(client.get(url))
    assert count(WeekOpening) == 1


def test_without_a_page_to_return_to_it_says_already_done(app, client, auth, make, monkeypatch):
    group = new_group(make)
    unit = get_curriculum().level("level-2").units[3]
    _race_lost(monkeypatch, group, unit)
    auth.login(group.mentor.email)
    answer = client.post(
        f"/mentor/groups/{group.public_id}/open-week", data={"unit_slug": unit.slug}
    )
    assert answer.status_code == 409 and "Already done" in page(answer)
    assert client.get(f"/mentor/groups/{group.public_id}").status_code == 200  # the session is fine


def test_a_logged_meeting_can_be_corrected_and_deleted_with_the_audit_log_keeping_it(
    client, auth, make
):
    from course.audit.models import AuditEvent

    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    unit = week("level-2", 1)
    meeting = services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id], "Pauses")
    auth.login_as(group.mentor)
    url = f"/mentor/groups/{group.public_id}/meetings/{meeting.public_id}"
    form = page(client.get(url))
    assert "Change the meeting" in form and 'value="60"' in form and "checked" in form
    changed = client.post(url, data=meeting_form(unit, trainee, minutes="45", topics="Pauses"))
    assert changed.status_code == 302
    assert services.consultation_hours(trainee) == 0.75
    refused = client.post(url, data=meeting_form(unit, trainee, minutes="600"))
    assert "between 5 and 240 minutes" in page(refused)
    assert services.consultation_hours(trainee) == 0.75
    assert client.post(f"{url}/delete").status_code == 302
    assert count(Meeting) == 0 and services.consultation_hours(trainee) == 0
    kept = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "meeting").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.detail["before"]["minutes"]) for e in kept] == [
        ("meeting.change", 60),
        ("meeting.delete", 45),
    ]
    assert "Pauses" not in str([e.detail for e in kept])  # no topics in the audit log


def test_only_the_groups_mentor_changes_or_deletes_its_meetings(client, auth, make):
    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee])
    other_group = new_group(make)
    unit = week("level-2", 1)
    meeting = services.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    data = meeting_form(unit, trainee, minutes="30")
    for person, expected in (
        (make.make_user(Role.MASTER_TRAINER), 404),
        (other_group.mentor, 404),
        (trainee, 403),
        (make.make_site_admin(), 403),
    ):
        auth.login_as(person)
        url = f"/mentor/groups/{group.public_id}/meetings/{meeting.public_id}"
        assert client.post(url, data=data).status_code == expected
        assert client.post(f"{url}/delete").status_code == expected
        auth.logout()
    auth.login_as(other_group.mentor)  # its own group, someone else's meeting
    url = f"/mentor/groups/{other_group.public_id}/meetings/{meeting.public_id}"
    assert client.post(f"{url}/delete").status_code == 404
    db.session.refresh(meeting)
    assert meeting.minutes == 60 and count(Meeting) == 1


def test_many_sign_offs_make_one_notification_and_a_review_settles_the_mentors(
    app, make, dyad_videos_reviewed
):
    from course.notifications.models import Notification

    trainee = level_two_trainee(make)
    group = new_group(make, trainees=[trainee], days_ago=30)

    def unread(person, words):
        return [
            n
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == person.id)
            )
            if words in n.subject and n.read_at is None
        ]

    reflection = reflections.submit_reflection(
        group, trainee, week("level-2", 1), LONG_BODY, answers_for(week("level-2", 1))
    )
    assert len(unread(group.mentor, "submitted a reflection")) == 1
    reflections.review_reflection(reflection, group.mentor, full_scores(), "", Decision.ACCEPT)
    assert unread(group.mentor, "submitted a reflection") == []  # the work is done
    services.log_meeting(group, group.mentor, week("level-2", 1), TODAY, 60, [trainee.id])
    signoffs.sign_off_week(group, group.mentor, trainee, week("level-2", 1))
    for n in (2, 3):
        finish_week(group, trainee, week("level-2", n))
    (waiting,) = unread(trainee, "signed off your work")
    assert waiting.link == f"/levels/{group.level}"

    waiting.read_at = waiting.created_at
    db.session.commit()
    finish_week(group, trainee, week("level-2", 4))
    assert len(unread(trainee, "signed off your work")) == 1  # read, so a new one


def test_mentor_dashboard_lists_fifty_groups_a_page_latest_first(client, auth, make, monkeypatch):
    from course.mentoring import overview

    monkeypatch.setattr(overview, "GROUPS_PER_PAGE", 2)  # 50 on the real page
    mentor = make.make_user(Role.MASTER_TRAINER)
    started = [TODAY - timedelta(days=days) for days in (30, 10, 20)]
    groups = [make.make_group(mentor, start_date=day) for day in started]
    auth.login_as(mentor)
    first = page(client.get("/mentor"))
    second = page(client.get("/mentor?page=2"))
    latest, middle, oldest = groups[1], groups[2], groups[0]
    assert f"/mentor/groups/{latest.public_id}" in first
    assert f"/mentor/groups/{middle.public_id}" in first
    assert f"/mentor/groups/{oldest.public_id}" not in first
    assert "Groups 1–2 of 3" in first and 'href="/mentor?page=2"' in first
    assert f"/mentor/groups/{oldest.public_id}" in second
    assert f"/mentor/groups/{latest.public_id}" not in second
    assert f"/mentor/groups/{oldest.public_id}" in page(client.get("/mentor?page=99"))
