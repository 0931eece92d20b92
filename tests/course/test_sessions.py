"""A session ends for good: a copied cookie is worthless after sign-out, a new
password or deactivation (#19 item 11)."""

import time

import pytest
from flask import g

from course.accounts import services
from course.accounts.models import Role
from course.extensions import db


def _cookie(client):
    return client.get_cookie("session").value


def _fresh(client):
    """Forget the person Flask-Login cached on ``g``: the tests' app context outlives
    requests, where a real server starts each request without one."""
    g.pop("_login_user", None)
    return client


def _replay(app, cookie):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return _fresh(other).get("/training")


def test_a_cookie_copied_before_sign_out_no_longer_works(app, client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/training").status_code == 200
    copied = _cookie(client)
    assert _replay(app, copied).status_code == 200  # the copy works while signed in
    auth.logout()
    response = _replay(app, copied)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_password_ends_sessions_opened_with_the_old_one(app, client, auth, make):
    user = make.make_trainee()
    auth.login(user.email)
    copied = _cookie(client)
    services.set_password(user, "a completely new passphrase")
    db.session.commit()
    assert _replay(app, copied).status_code == 302


def test_deactivation_ends_the_persons_sessions(app, client, auth, make):
    agency = make.make_agency()
    person = make.make_trainee(agency=agency)
    auth.login(person.email)
    copied = _cookie(client)
    admin = _fresh(app.test_client())
    admin.post(
        "/login",
        data={
            "email": make.make_user(Role.AGENCY_ADMIN, agency=agency).email,
            "password": make.PASSWORD,
        },
    )
    assert _fresh(admin).post(f"/agency/people/{person.public_id}/deactivate").status_code == 302
    assert _replay(app, copied).status_code == 302


def test_a_cookie_in_the_old_form_or_forged_signs_nobody_in(app, make):
    user = make.make_trainee()
    from course import load_user

    assert load_user(str(user.id)) is None
    assert load_user(f"{user.id}:x") is None
    assert load_user(f"{user.id}:{user.session_version}") == user


# -- staff idle and absolute limits (#19 item 11) --------------------------------------


def _age_session(client, seen_minutes_ago=0, began_hours_ago=0):
    from course.accounts.timeouts import BEGAN, SEEN

    now = time.time()
    with client.session_transaction() as stored:
        stored[SEEN] = int(now - seen_minutes_ago * 60)
        stored[BEGAN] = int(now - began_hours_ago * 3600)


@pytest.mark.parametrize(
    ("seen", "began", "signed_out"),
    [(29, 1, False), (31, 1, True), (1, 11.9, False), (1, 12.1, True)],
)
def test_a_staff_session_ends_after_30_idle_minutes_or_12_hours(
    app, client, auth, seen, began, signed_out
):
    mentor = auth.login_as(Role.MASTER_TRAINER)
    assert client.get("/mentor").status_code == 200
    _age_session(client, seen, began)
    _fresh(client)

    response = client.get("/mentor")

    if signed_out:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "For safety you were signed out" in page
        _fresh(client)
        assert client.get("/mentor").status_code == 302  # still signed out
    else:
        assert response.status_code == 200
    assert mentor.is_active


def test_a_trainee_session_has_no_idle_limit(app, client, auth):
    auth.login_as(Role.TRAINEE)
    _age_session(client, seen_minutes_ago=600, began_hours_ago=30)
    _fresh(client)
    assert client.get("/training").status_code == 200


def test_activity_on_a_page_keeps_a_staff_session_alive(app, client, auth):
    from course.accounts.timeouts import SEEN

    auth.login_as(Role.SITE_ADMIN)
    _age_session(client, seen_minutes_ago=20, began_hours_ago=1)
    _fresh(client)
    assert client.get("/session/alive").status_code == 204
    with client.session_transaction() as stored:
        assert time.time() - stored[SEEN] < 5  # the idle clock starts again
    assert 'data-alive-url="/session/alive"' in client.get("/admin/").get_data(as_text=True)
