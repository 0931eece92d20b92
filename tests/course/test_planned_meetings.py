"""Weekly meetings scheduled by the mentor: in the group's calendars and feeds."""

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar

from course.accounts.models import Role
from course.calendar.services import entries_of
from course.curriculum.services import get_curriculum
from course.mentoring import planning
from course.mentoring.services import MentoringError
from tests.factories import mail_to


@pytest.fixture
def group(app, make):
    return make.make_group()


def _week(n=1):
    return get_curriculum().level("level-2").units[n - 1]


def test_the_mentor_schedules_a_week_and_the_group_is_told(app, group):
    (trainee,) = group.trainees
    planned = planning.plan_meeting(
        group, group.mentor, _week(), date(2027, 2, 3), time(15), 60, "America/Denver",
        "https://meet.example.org/week-1",
    )  # fmt: skip
    assert planned.starts_at.hour == 22  # 3 PM in Denver, stored in UTC
    assert (planned.ends_at - planned.starts_at) == timedelta(minutes=60)
    assert mail_to(app, trainee)[-1]["Subject"] == "Your Week 1 meeting"
    uid = f"planned-meeting-{planned.id}@127.0.0.1"
    assert uid in {e.uid for e in entries_of(trainee)} & {e.uid for e in entries_of(group.mentor)}

    moved = planning.plan_meeting(
        group, group.mentor, _week(), date(2027, 2, 4), time(15), 45, "America/Denver"
    )
    assert moved.id == planned.id and moved.sequence == 1 and moved.link == ""


def test_bad_meetings_and_other_mentors_are_refused(app, group, make):
    with pytest.raises(MentoringError, match="15 to 240 minutes"):
        planning.plan_meeting(
            group, group.mentor, _week(), date(2027, 2, 3), time(15), 600, "America/Denver"
        )
    with pytest.raises(MentoringError, match="https://"):
        planning.plan_meeting(
            group, group.mentor, _week(), date(2027, 2, 3), time(15), 60, "UTC", "zoom 123"
        )
    with pytest.raises(MentoringError):
        planning.plan_meeting(
            group, make.make_user(Role.MASTER_TRAINER), _week(), date(2027, 2, 3), time(15), 60,
            "America/Denver",
        )  # fmt: skip


def test_the_meeting_ics_is_for_the_group_only(app, client, auth, group, make):
    (trainee,) = group.trainees
    planned = planning.plan_meeting(
        group, group.mentor, _week(2), date(2027, 2, 10), time(9, 30), 50, "America/New_York",
        "https://meet.example.org/w2",
    )  # fmt: skip
    for person, status in (
        (trainee, 200),
        (group.mentor, 200),
        (make.make_site_admin(), 200),
        (make.make_user(Role.MASTER_TRAINER), 404),
        (make.make_trainee(agency=trainee.agency), 404),
        (make.make_user(Role.AGENCY_ADMIN, agency=trainee.agency), 404),
    ):
        client.post("/logout")
        auth.login(person.email)
        response = client.get(f"/meetings/{planned.public_id}.ics")
        assert response.status_code == status, person.roles
    (event,) = Calendar.from_ical(
        client_get_as(client, auth, trainee, f"/meetings/{planned.public_id}.ics")
    ).walk("VEVENT")
    assert event["SUMMARY"] == "PFR Week 2 meeting"
    assert event.decoded("DTSTART").hour == 9 and str(event.decoded("DTSTART").tzinfo) == (
        "America/New_York"
    )
    assert event["LOCATION"] == "https://meet.example.org/w2"


def client_get_as(client, auth, person, path):
    client.post("/logout")
    auth.login(person.email)
    return client.get(path).data


def test_scheduling_through_the_page_keeps_what_was_typed(app, client, auth, group):
    auth.login(group.mentor.email)
    form = {
        "unit_slug": _week().slug,
        "day": "2027-02-03",
        "start": "15:00",
        "minutes": "500",
        "time_zone": "America/Chicago",
        "link": "https://meet.example.org/x",
    }
    refused = client.post(f"/mentor/groups/{group.public_id}/meetings/plan", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "between 15 and 240" in page
    assert 'value="https://meet.example.org/x"' in page
    form["minutes"] = "60"
    saved = client.post(f"/mentor/groups/{group.public_id}/meetings/plan", data=form)
    assert saved.status_code == 302
    page = client.get(f"/mentor/groups/{group.public_id}").get_data(as_text=True)
    assert "PFR Week 1 meeting" in page and "Wednesday 3 February 2027, 3:00 PM CST" in page
