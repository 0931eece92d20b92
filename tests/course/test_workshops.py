"""Level 1 workshops: setting up, places within capacity for invited agencies, attendance,
the Level 1 sign-off and its revocation, calendars, and who may see or do what."""

from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from course.accounts.models import Role
from course.calendar.services import has_feed
from course.extensions import db
from course.learning import services as learning
from course.mentoring.services import standing_certificate
from course.workshops import services
from course.workshops.models import Mode, Presence
from quizzes.api import take_quiz
from tests.factories import mail_to


@pytest.fixture
def world(app, make):
    """A past workshop (two days) taught by Maya, open to Riverside; people around it."""
    riverside, elsewhere = make.make_agency("Riverside"), make.make_agency("Elsewhere")
    maya = make.make_user(Role.MASTER_TRAINER, name="Maya Trainer")
    workshop = make.make_workshop(trainer=maya, agencies=[riverside], capacity=3)
    upcoming = make.make_workshop(trainer=maya, agencies=[riverside], capacity=3, starts_in_days=14)
    return {
        "workshop": workshop,  # its days are past: attendance can be taken
        "upcoming": upcoming,  # agency admins enrol staff before the days
        "maya": maya,
        "other_trainer": make.make_user(Role.MASTER_TRAINER, name="Other Trainer"),
        "riverside": riverside,
        "admin": make.make_user(Role.AGENCY_ADMIN, agency=riverside, name="River Admin"),
        "elsewhere_admin": make.make_user(Role.AGENCY_ADMIN, agency=elsewhere),
        "ana": make.make_trainee(agency=riverside, name="Ana Ruiz"),
        "ben": make.make_trainee(agency=riverside, name="Ben Ode"),
        "outsider": make.make_trainee(agency=elsewhere, name="Out Sider"),
        "site_admin": make.make_site_admin(),
    }


def _pass_modules(trainee):
    from course.curriculum.services import get_curriculum

    for unit in get_curriculum().level("level-1").units:
        assert take_quiz(trainee.id, unit.quiz)


def _attend_all(world, trainee, presence=Presence.PRESENT):
    for session in world["workshop"].sessions:
        services.record_attendance(world["maya"], session, trainee.id, presence)


# -- setting up -------------------------------------------------------------------------


def test_a_plan_with_problems_is_refused_naming_each(app, make):
    trainer = make.make_user(Role.MASTER_TRAINER)
    plan = services.WorkshopPlan(
        title="",
        mode=Mode.ONLINE,
        capacity=0,
        time_zone="America/Chicago",
        sessions=[services.SessionPlan(date(2027, 1, 5), time(16), time(9))],
        trainer_ids={trainer.id},
        agency_ids=set(),
        meeting_link="zoom meeting",
    )
    with pytest.raises(services.WorkshopError) as refused:
        services.save_workshop(trainer, plan)
    message = str(refused.value)
    for problem in ("title", "Capacity", "between 2 and", "end after", "meeting link", "agencies"):
        assert problem in message


def test_times_are_kept_in_the_workshops_zone(app, make):
    workshop = make.make_workshop(starts_in_days=10)
    first = workshop.sessions[0]
    assert first.local_start.hour == 9 and str(first.local_start.tzinfo) == "America/Chicago"
    assert first.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    assert first.minutes == 7 * 60


def _plan(trainer, agency, **changes):
    plan = services.WorkshopPlan(
        title="Autumn workshop",
        mode=Mode.IN_PERSON,
        capacity=10,
        time_zone="America/New_York",
        sessions=[
            services.SessionPlan(date(2027, 10, 4), time(9), time(15)),
            services.SessionPlan(date(2027, 10, 5), time(9), time(15)),
        ],
        trainer_ids={trainer.id},
        agency_ids={agency.id},
        address="12 Elm Street, Albany, NY",
    )
    for key, value in changes.items():
        setattr(plan, key, value)
    return plan


def test_only_master_trainers_and_site_admins_set_up_workshops(app, make):
    trainer, agency = make.make_user(Role.MASTER_TRAINER), make.make_agency()
    for role in (Role.TRAINEE, Role.AGENCY_ADMIN, Role.AGENCY_TRAINER):
        with pytest.raises(services.WorkshopError, match="Only a site admin or a Master"):
            services.save_workshop(make.make_user(role, agency=agency), _plan(trainer, agency))
    assert services.save_workshop(make.make_site_admin(), _plan(trainer, agency)).id
    assert services.save_workshop(trainer, _plan(trainer, agency)).id
    # Taught by Master Trainers only.
    with pytest.raises(services.WorkshopError, match="taught by Master Trainers"):
        services.save_workshop(trainer, _plan(make.make_trainee(), agency))


# -- places -----------------------------------------------------------------------------


def test_an_agency_admin_enrols_own_staff_within_capacity(app, world, make):
    workshop, admin = world["upcoming"], world["admin"]
    result = services.enrol(admin, workshop, [world["ana"], world["ben"]])
    assert [p.name for p in result.added] == ["Ana Ruiz", "Ben Ode"]
    assert services.places_left(workshop) == 1
    assert learning.current_enrolment(world["ana"], "level-1") is not None
    assert "You have a place in" in mail_to(app, world["ana"])[-1]["Subject"]

    again = services.enrol(admin, workshop, [world["ana"]])
    assert again.already == [world["ana"]] and not again.added

    more = [make.make_trainee(agency=world["riverside"]) for _ in range(2)]
    with pytest.raises(services.WorkshopError, match="1 place left; you chose 2"):
        services.enrol(admin, workshop, more)
    assert services.places_left(workshop) == 1  # nobody was added


def test_people_of_agencies_not_invited_and_staff_roles_are_refused(app, world, make):
    trainer_at_riverside = make.make_user(Role.AGENCY_TRAINER, agency=world["riverside"])
    result = services.enrol(
        world["maya"], world["workshop"], [world["outsider"], trainer_at_riverside]
    )
    assert not result.added
    assert "not open to" in result.refused["Out Sider"]
    assert "not an active trainee" in result.refused[trainer_at_riverside.name]


def test_an_agency_admin_cannot_enrol_another_agencys_people_or_where_not_invited(app, world):
    with pytest.raises(services.WorkshopError):
        services.enrol(world["elsewhere_admin"], world["workshop"], [world["outsider"]])
    with pytest.raises(services.WorkshopError):
        services.enrol(world["ana"], world["workshop"], [world["ana"]])  # a trainee


def test_withdrawing_frees_the_place(app, world):
    upcoming = world["upcoming"]
    services.enrol(world["admin"], upcoming, [world["ana"]])
    seat = services.seat_of(upcoming, world["ana"].id)
    with pytest.raises(services.WorkshopError):
        services.withdraw(world["elsewhere_admin"], seat)
    services.withdraw(world["admin"], seat)
    assert services.seat_of(upcoming, world["ana"].id) is None
    assert services.places_left(upcoming) == 3


def test_an_agency_admin_cannot_enrol_once_the_workshop_has_ended(app, world):
    with pytest.raises(services.WorkshopError, match="has ended"):
        services.enrol(world["admin"], world["workshop"], [world["ana"]])
    # Its trainers may still record who came (a paper roster typed in afterwards).
    assert services.enrol(world["maya"], world["workshop"], [world["ana"]]).added


# -- attendance and sign-off ------------------------------------------------------------


def test_attendance_rules(app, world, make):
    workshop, maya = world["workshop"], world["maya"]
    services.enrol(maya, workshop, [world["ana"]])
    day1 = workshop.sessions[0]
    with pytest.raises(services.WorkshopError, match="minutes attended"):
        services.record_attendance(maya, day1, world["ana"].id, Presence.PARTIAL)
    with pytest.raises(services.WorkshopError, match="how the session was made up"):
        services.record_attendance(maya, day1, world["ana"].id, Presence.MAKE_UP)
    with pytest.raises(services.WorkshopError, match="no place"):
        services.record_attendance(maya, day1, world["ben"].id, Presence.PRESENT)
    with pytest.raises(services.WorkshopError, match="trainers take attendance"):
        services.record_attendance(world["other_trainer"], day1, world["ana"].id, Presence.PRESENT)
    record = services.record_attendance(maya, day1, world["ana"].id, Presence.PARTIAL, 200)
    assert (record.state, record.minutes) == (Presence.PARTIAL, 200)
    corrected = services.record_attendance(maya, day1, world["ana"].id, Presence.PRESENT, 200)
    assert corrected.id == record.id and corrected.minutes is None

    upcoming = make.make_workshop(trainer=maya, agencies=[world["riverside"]], starts_in_days=5)
    services.enrol(maya, upcoming, [world["ana"]])
    with pytest.raises(services.WorkshopError, match="once the session has begun"):
        services.record_attendance(maya, upcoming.sessions[0], world["ana"].id, Presence.PRESENT)


def test_level_one_is_signed_off_after_every_day_and_every_quiz(app, world):
    workshop, maya, ana = world["workshop"], world["maya"], world["ana"]
    services.enrol(maya, workshop, [ana])
    assert services.sign_off_missing(workshop, ana.id) == [
        "day 1 attended or made up",
        "day 2 attended or made up",
        "7 module quizzes passed",
    ]
    _pass_modules(ana)
    services.record_attendance(maya, workshop.sessions[0], ana.id, Presence.PRESENT)
    services.record_attendance(maya, workshop.sessions[1], ana.id, Presence.ABSENT)
    with pytest.raises(services.WorkshopError, match="day 2 attended or made up"):
        services.sign_off_level_one(maya, workshop, ana)
    assert not learning.has_completed_level(ana, "level-1")

    services.record_attendance(
        maya, workshop.sessions[1], ana.id, Presence.MAKE_UP, note="Joined March day 2"
    )
    with pytest.raises(services.WorkshopError, match="Master Trainer of the workshop"):
        services.sign_off_level_one(world["other_trainer"], workshop, ana)
    certificate = services.sign_off_level_one(maya, workshop, ana)

    assert certificate.level == "level-1" and certificate.issued_by_id == maya.id
    assert services.sign_off_level_one(maya, workshop, ana).id == certificate.id  # once
    assert learning.has_completed_level(ana, "level-1")
    assert learning.level_lock_reason(ana, "level-2").startswith("You are not enrolled")
    last = mail_to(app, ana)[-1]
    assert last["Subject"] == "Level 1 is complete"
    assert "Level 2" in last.get_content() and "agency enrols you" in last.get_content()


def test_revoking_the_sign_off_keeps_the_record_and_reopens_level_one(app, world):
    workshop, maya, ana = world["workshop"], world["maya"], world["ana"]
    services.enrol(maya, workshop, [ana])
    _pass_modules(ana)
    _attend_all(world, ana)
    certificate = services.sign_off_level_one(maya, workshop, ana)
    with pytest.raises(services.WorkshopError, match="Say why"):
        services.revoke_level_one(maya, workshop, ana, "  ")
    with pytest.raises(services.WorkshopError):
        services.revoke_level_one(world["other_trainer"], workshop, ana, "wrong person")

    services.revoke_level_one(maya, workshop, ana, "Signed off for the wrong Ana.")

    db.session.refresh(certificate)
    assert certificate.revoked_at is not None
    assert certificate.revoke_reason == "Signed off for the wrong Ana."
    assert standing_certificate(ana, "level-1") is None
    assert not learning.has_completed_level(ana, "level-1")


# -- pages ------------------------------------------------------------------------------


def _show(client, workshop):
    return client.get(f"/workshops/{workshop.public_id}")


def test_who_sees_a_workshop_and_what(app, client, auth, world):
    workshop = world["workshop"]
    services.enrol(world["maya"], workshop, [world["ana"]])
    expected = {
        "maya": 200,  # teaches it
        "site_admin": 200,
        "admin": 200,  # its agency is invited
        "ana": 200,  # holds a place
        "other_trainer": 404,
        "elsewhere_admin": 404,
        "ben": 404,  # no place
        "outsider": 404,
    }
    for who, status in expected.items():
        client.post("/logout")
        auth.login(world[who].email)
        assert _show(client, workshop).status_code == status, who
        listed = f"/workshops/{workshop.public_id}" in client.get("/workshops?past=1").get_data(
            as_text=True
        )
        assert listed == (status == 200), who


def test_the_trainer_page_shows_roster_answers_and_sign_off(app, client, auth, world):
    workshop, maya, ana = world["workshop"], world["maya"], world["ana"]
    services.enrol(maya, workshop, [ana, world["ben"]])
    _pass_modules(ana)
    _attend_all(world, ana)
    auth.login(maya.email)
    page = _show(client, workshop).get_data(as_text=True)
    assert "Ana Ruiz" in page and "Ben Ode" in page
    assert "7 of 7" in page and "Sign off Level 1" in page
    assert "Needs day 1 attended or made up" in page  # Ben

    signed = client.post(f"/workshops/{workshop.public_id}/sign-off/{ana.public_id}")
    assert signed.status_code == 302
    assert standing_certificate(ana, "level-1") is not None
    refused = client.post(f"/workshops/{workshop.id}/sign-off/{world['outsider'].id}")
    assert refused.status_code == 404  # no place in this workshop


def test_the_agency_admin_sees_only_own_staff_in_the_roster(app, client, auth, world, make):
    workshop = world["workshop"]
    other = make.make_agency("Second")
    workshop.agency_links.append(type(workshop.agency_links[0])(agency_id=other.id))
    db.session.commit()
    stranger = make.make_trainee(agency=other, name="Second Person")
    services.enrol(world["maya"], workshop, [world["ana"], stranger])
    auth.login(world["admin"].email)
    page = _show(client, workshop).get_data(as_text=True)
    assert "Ana Ruiz" in page and "Second Person" not in page
    assert "Sign off Level 1" not in page and 'name="presence"' not in page


def test_attendance_saves_per_row_as_json_and_without_js(app, client, auth, world):
    workshop, maya, ana = world["workshop"], world["maya"], world["ana"]
    services.enrol(maya, workshop, [ana])
    day1, day2 = workshop.sessions
    auth.login(maya.email)
    url = f"/workshops/{workshop.public_id}/sessions/{day1.public_id}/attendance/{ana.public_id}"
    saved = client.post(url, data={"presence": "present"}, headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.json == {
        "ok": True,
        "presence": "present",
        "label": "Present",
    }
    bad = client.post(url, data={"presence": "partial"}, headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "minutes attended" in bad.json["error"]
    nonsense = client.post(
        url, data={"presence": "teleported"}, headers={"Accept": "application/json"}
    )
    assert nonsense.status_code == 422

    plain = client.post(
        f"/workshops/{workshop.public_id}/sessions/{day2.public_id}/attendance/{ana.public_id}",
        data={"presence": "partial", "minutes": "300"},
    )
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"#row-{ana.public_id}")
    records = services.attendance_of(workshop)
    assert records[(day1.id, ana.id)].state == Presence.PRESENT
    assert records[(day2.id, ana.id)].minutes == 300

    client.post("/logout")
    auth.login(world["other_trainer"].email)
    assert client.post(url, data={"presence": "absent"}).status_code == 404


def test_setting_up_a_workshop_through_the_form_keeps_what_was_typed(app, client, auth, world):
    auth.login(world["maya"].email)
    form = {
        "title": "Spring workshop",
        "mode": "online",
        "meeting_link": "https://meet.example.org/spring",
        "capacity": "12",
        "time_zone": "America/Denver",
        "sessions-0-day": "2027-03-02",
        "sessions-0-start": "09:00",
        "sessions-0-end": "15:00",
        "sessions-0-prework": ["elements-of-a-healthy-relationship"],
        "sessions-1-day": "2027-03-03",
        "sessions-1-start": "09:00",
        "sessions-1-end": "15:00",
        "trainer_ids": [str(world["maya"].id)],
        "agency_ids": [],  # forgotten
    }
    refused = client.post("/workshops/new", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Choose the agencies" in page
    assert 'value="Spring workshop"' in page and 'value="https://meet.example.org/spring"' in page

    form["agency_ids"] = [str(world["riverside"].id)]
    created = client.post("/workshops/new", data=form)
    assert created.status_code == 302
    (workshop,) = [
        item.workshop
        for item in services.workshops_for(world["maya"])
        if item.workshop.title == "Spring workshop"
    ]
    assert workshop.capacity == 12 and workshop.time_zone == "America/Denver"
    assert workshop.sessions[0].prework == ["elements-of-a-healthy-relationship"]
    assert workshop.sessions[0].local_start.hour == 9


# -- calendars --------------------------------------------------------------------------


def test_a_sessions_ics_parses_back_with_its_time_zone(app, client, auth, world):
    workshop = world["workshop"]
    services.enrol(world["maya"], workshop, [world["ana"]])
    auth.login(world["ana"].email)
    day2 = workshop.sessions[1]
    response = client.get(f"/workshops/{workshop.public_id}/sessions/{day2.public_id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert event["SUMMARY"] == f"{workshop.title}: day 2 of 2"
    assert event.decoded("DTSTART") == day2.local_start
    assert str(event.decoded("DTSTART").tzinfo) == "America/Chicago"
    assert event.decoded("DTEND") == day2.local_end
    assert event["LOCATION"] == workshop.meeting_link
    assert f"/workshops/{workshop.public_id}" in event["URL"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]


def test_the_feed_follows_its_secret_and_stops_when_revoked(app, client, auth, world):
    workshop = world["workshop"]
    services.enrol(world["maya"], workshop, [world["ana"]])
    auth.login(world["ana"].email)
    page = client.post("/calendar", data={"action": "new"}).get_data(as_text=True)
    url = page.split('readonly value="')[1].split('"')[0]
    path = urlsplit(url).path
    assert path.startswith("/calendar/feed/") and len(path) > 50
    client.post("/logout")

    feed = client.get(path)  # no sign-in: calendar apps have no session
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        f"workshop-session-{s.id}@127.0.0.1" for s in workshop.sessions
    )

    auth.login(world["ana"].email)
    client.post("/calendar", data={"action": "new"})  # a new address: the old one stops
    client.post("/logout")
    assert client.get(path).status_code == 404
    auth.login(world["ana"].email)
    assert has_feed(world["ana"])
    client.post("/calendar", data={"action": "revoke"})
    assert not has_feed(world["ana"])


def test_a_changed_time_bumps_the_events_sequence(app, world):
    workshop, maya = world["workshop"], world["maya"]
    plan = services.WorkshopPlan(
        title=workshop.title,
        mode=Mode.ONLINE,
        capacity=workshop.capacity,
        time_zone=workshop.time_zone,
        sessions=[
            services.SessionPlan(s.local_start.date(), time(10), time(16))
            for s in workshop.sessions
        ],
        trainer_ids=workshop.trainer_ids,
        agency_ids=workshop.agency_ids,
        meeting_link=workshop.meeting_link,
    )
    services.save_workshop(maya, plan, workshop)
    assert [s.sequence for s in workshop.sessions] == [1, 1]
    assert workshop.sessions[0].local_start.hour == 10


# -- agencies ---------------------------------------------------------------------------


def test_the_agency_sees_workshop_attendance_in_its_dashboard_and_csv(app, client, auth, world):
    import csv
    import io

    workshop, maya, ana, ben = world["workshop"], world["maya"], world["ana"], world["ben"]
    services.enrol(maya, workshop, [ana, ben])
    _pass_modules(ana)
    _attend_all(world, ana)
    day1, day2 = workshop.sessions
    services.record_attendance(maya, day1, ben.id, Presence.PRESENT)
    services.record_attendance(maya, day2, ben.id, Presence.PARTIAL, 90)
    services.sign_off_level_one(maya, workshop, ana)

    auth.login(world["admin"].email)
    page = client.get("/agency/staff").get_data(as_text=True)
    assert "2 of 2 days attended" in page  # Ana
    assert "1 of 2 days attended (+90 min in part)" in page  # Ben
    export = client.get("/agency/staff?format=csv").get_data(as_text=True)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(export))}
    assert rows["Ana Ruiz"]["Level 1 workshop"] == workshop.title
    assert rows["Ana Ruiz"]["workshop days attended"] == "2/2"
    assert rows["Ana Ruiz"]["completed"]  # Level 1 signed off
    assert rows["Ben Ode"]["workshop days attended"] == "1/2"
    assert rows["Ben Ode"]["workshop minutes in part-days"] == "90"
    assert "Out Sider" not in rows  # another agency's trainee
    assert "What do you observe" not in export  # attendance and results, never answers


def test_a_workshop_still_to_come_reads_as_coming_up_not_missed(client, auth, world):
    """Enrolled in a workshop that has not begun: "coming up", never "0 of 2 days
    attended", on the staff list and the person's page."""
    services.enrol(world["maya"], world["upcoming"], [world["ben"]])
    auth.login(world["admin"].email)
    listed = client.get("/agency/staff").get_data(as_text=True)
    assert "coming up, 2 days" in listed and "0 of 2 days attended" not in listed
    person = client.get(f"/agency/staff/{world['ben'].public_id}").get_data(as_text=True)
    assert "coming up, 2 days" in person and "days attended" not in person


def test_two_simultaneous_sign_offs_issue_one_certificate_and_one_message(app, world, monkeypatch):
    workshop, maya, ana = world["workshop"], world["maya"], world["ana"]
    services.enrol(maya, workshop, [ana])
    _pass_modules(ana)
    _attend_all(world, ana)
    first = services.sign_off_level_one(maya, workshop, ana)
    # The second request looked before the first one saved its certificate.
    monkeypatch.setattr(services, "standing_certificate", lambda *args: None)

    second = services.sign_off_level_one(maya, workshop, ana)

    assert second.id == first.id
    subjects = [m["Subject"] for m in mail_to(app, ana)]
    assert subjects.count("Level 1 is complete") == 1


def test_nobody_but_its_trainers_changes_a_workshop_or_its_people(app, client, auth, world):
    """Every trainer-only page, asked for a real workshop and a real seated person, by
    each person who may see the workshop but not teach it, and by outsiders."""
    workshop, ana = world["workshop"], world["ana"]
    services.enrol(world["maya"], workshop, [ana])
    base = f"/workshops/{workshop.public_id}"
    day1 = workshop.sessions[0]
    asks = [
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/notes"),
        ("POST", f"{base}/sign-off/{ana.id}"),
        ("GET", f"{base}/sign-off/{ana.id}/revoke"),
        ("POST", f"{base}/sessions/{day1.id}/attendance/{ana.id}"),
    ]
    for who in ("other_trainer", "admin", "elsewhere_admin", "ana", "ben"):
        client.post("/logout")
        auth.login(world[who].email)
        for method, url in asks:
            answer = client.open(url, method=method, data={"presence": "absent", "notes": "x"})
            assert answer.status_code == 404, (who, method, url)
    seat = services.seat_of(workshop, ana.id)
    for who in ("other_trainer", "elsewhere_admin", "ben"):
        client.post("/logout")
        auth.login(world[who].email)
        assert client.post(f"{base}/enrol", data={"trainee_ids": [ana.id]}).status_code == 404
        assert client.post(f"{base}/seats/{seat.id}/withdraw").status_code == 404
    assert workshop.notes == "" and services.seat_of(workshop, ana.id) is not None
    assert services.attendance_of(workshop) == {}
