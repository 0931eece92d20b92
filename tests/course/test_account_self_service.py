"""People look after their own account: a forgotten password, a new password, their
name, time zone and which notifications come by email."""

import re
from datetime import UTC, datetime

import pytest
from flask import g
from itsdangerous.timed import TimestampSigner

from course.accounts.models import Role
from course.extensions import db
from course.notifications import services as notifications
from course.notifications.models import Notification, Topic

NEW_PASSWORD = "a-brand-new-long-password"
SAME_ANSWER = "belongs to an account here, a link to choose a new password is on its way"


def page(response) -> str:
    return response.get_data(as_text=True)


def reset_link(app, make, user) -> str:
    (mail,) = make.mail_to(app, user)
    return re.search(r"https?://[^/\s]+(/password/reset/\S+)", mail.get_content()).group(1)


# -- a forgotten password ----------------------------------------------------------------


def test_a_forgotten_password_is_reset_by_a_link_that_works_once(app, client, make):
    user = make.make_trainee()
    client.get("/password/forgot")
    answer = client.post("/password/forgot", data={"email": user.email.upper()})
    assert answer.status_code == 302
    link = reset_link(app, make, user)

    form = client.get(link)
    assert form.status_code == 200 and user.email in page(form)
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "At least 12 characters" in page(weak)
    saved = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/login")

    assert (
        client.post("/login", data={"email": user.email, "password": make.PASSWORD}).status_code
        == 200
    )
    assert (
        client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )
    again = client.get(link)
    assert again.status_code == 410 and "already been used" in page(again)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, client, make):
    user = make.make_trainee()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert SAME_ANSWER in page(known) and SAME_ANSWER in page(unknown)
    assert len(make.mail_to(app, user)) == 1
    assert not [m for m in app.extensions.get("course_mail_outbox", []) if "nobody" in m["To"]]


def test_no_link_for_a_deactivated_account_or_one_never_set_up(app, client, make):
    left = make.make_trainee()
    left.active = False
    invited = make.make_trainee()
    invited.password_hash = ""
    db.session.commit()
    for person in (left, invited):
        client.post("/password/forgot", data={"email": person.email})
        assert make.mail_to(app, person) == []


def test_a_reset_ends_every_session_of_the_account(app, client, make):
    user = make.make_trainee()
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": make.PASSWORD})
    assert elsewhere.get("/training").status_code == 200

    client.post("/password/forgot", data={"email": user.email})
    link = reset_link(app, make, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert elsewhere.get("/training").status_code == 302  # back to sign in


def test_an_expired_or_damaged_link_says_so(app, client, make, monkeypatch):
    user = make.make_trainee()
    client.post("/password/forgot", data={"email": user.email})
    link = reset_link(app, make, user)

    damaged = client.get(link[:-3] + "xyz")
    assert damaged.status_code == 410 and "not valid" in page(damaged)
    hours = app.config["COURSE_PASSWORD_RESET_HOURS"]
    later = TimestampSigner.get_timestamp(None) + hours * 3600 + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    expired = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert expired.status_code == 410 and "expired" in page(expired)
    assert (
        client.post("/login", data={"email": user.email, "password": make.PASSWORD}).status_code
        == 302
    )


@pytest.fixture
def throttled_app():
    from app import create_app
    from config import TestConfig
    from course.extensions import limiter
    from tests.conftest import create_tables, drop_tables

    class Throttled(TestConfig):
        RATELIMIT_ENABLED = True
        COURSE_PASSWORD_RESET_LIMIT = "2 per hour"

    app = create_app(Throttled)
    with app.app_context():
        create_tables()
        limiter.reset()
        yield app
        drop_tables()


def test_requests_for_links_are_limited_with_a_clear_message(throttled_app, make):
    client = throttled_app.test_client()
    user = make.make_trainee()
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": user.email}).status_code == 302
    refused = client.post("/password/forgot", data={"email": user.email})
    assert refused.status_code == 429 and "too many requests for a new password" in page(refused)
    assert len(make.mail_to(throttled_app, user)) == 2


# -- the account page ----------------------------------------------------------------------


def test_a_new_password_needs_the_current_one_and_signs_out_other_devices(app, client, auth, make):
    user = auth.login_as(make.make_trainee())
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": make.PASSWORD})

    wrong = client.post(
        "/account/password",
        data={"current": "not-it-at-all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "not your current password" in page(wrong)
    assert elsewhere.get("/training").status_code == 200

    changed = client.post(
        "/account/password",
        data={"current": make.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/training").status_code == 200  # this device stays signed in
    g.pop("_login_user", None)  # the tests share one app context: forget this client's user
    assert elsewhere.get("/training").status_code == 302


def test_name_time_zone_and_email_choices_are_saved_and_kept_on_errors(client, auth, make):
    user = auth.login_as(make.make_trainee())
    form = page(client.get("/account"))
    assert "As the site: America/Los Angeles" in form
    checked = set(re.findall(r'<input checked [^>]*value="([^"]+)"', form))
    assert checked == {t.value for t in Topic.optional()}

    refused = client.post("/account", data={"name": "Ana Ruiz", "time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400 and 'value="Ana Ruiz"' in page(refused)

    saved = client.post(
        "/account",
        data={"name": "  Ana   Ruiz ", "time_zone": "Asia/Tokyo", "email_topics": ["feedback"]},
    )
    assert saved.status_code == 302
    assert (user.name, user.time_zone) == ("Ana Ruiz", "Asia/Tokyo")
    assert set(user.email_muted) == {"to-review", "schedule"}
    again = page(client.get("/account"))
    assert '<option selected value="Asia/Tokyo">' in again
    assert re.findall(r'<input checked [^>]*value="([^"]+)"', again) == ["feedback"]


def test_email_goes_only_for_topics_the_person_keeps(app, make):
    user = make.make_trainee()
    user.email_muted = [Topic.SCHEDULE.value]
    db.session.commit()
    week = notifications.notify(user, "Week 3 is open", "Body", topic=Topic.SCHEDULE)
    review = notifications.notify(user, "Your reflection was returned", "B", topic=Topic.FEEDBACK)
    warning = notifications.notify(user, "Someone is trying", "Body", topic=Topic.ACCOUNT)
    assert not week.email_pending
    assert [m["Subject"] for m in make.mail_to(app, user)] == [
        "Your reflection was returned",
        "Someone is trying",
    ]
    assert review.id and warning.id  # every notification stays on the page


def test_times_are_shown_in_the_readers_zone_then_the_agencys_then_the_sites(client, auth, make):
    agency = make.make_agency()
    user = auth.login_as(make.make_trainee(agency=agency))
    note = Notification(
        user_id=user.id,
        subject="Week 2 is open",
        created_at=datetime(2026, 7, 1, 18, 30, tzinfo=UTC),
    )
    db.session.add(note)
    db.session.commit()

    assert "1 July 2026, 11:30 AM PDT" in page(client.get("/notifications"))  # the site's
    agency.time_zone = "America/New_York"
    db.session.commit()
    assert "1 July 2026, 2:30 PM EDT" in page(client.get("/notifications"))  # the agency's
    user.time_zone = "Asia/Tokyo"
    db.session.commit()
    assert "2 July 2026, 3:30 AM JST" in page(client.get("/notifications"))  # their own


def test_agency_admin_sets_the_agencys_zone_for_its_own_agency_only(client, auth, make):
    agency, other = make.make_agency(), make.make_agency()
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    assert (
        client.post("/agency/time-zone", data={"time_zone": "America/Chicago"}).status_code == 302
    )
    assert agency.time_zone == "America/Chicago"
    assert (
        client.post(
            f"/agency/time-zone?agency={other.id}", data={"time_zone": "Asia/Tokyo"}
        ).status_code
        == 404
    )
    assert other.time_zone is None
    refused = client.post("/agency/time-zone", data={"time_zone": "Nowhere/Else"})
    assert refused.status_code == 302 and agency.time_zone == "America/Chicago"
