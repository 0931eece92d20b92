"""Two-step sign-in: required for site admins and master trainers, optional for others;
a code works once; recovery codes for a lost phone; a site admin can turn it off."""

import re
import time

import pyotp
import pytest

from course.accounts.models import Role

REQUIRED = ("site_admin", "master_trainer")


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def required(app):
    app.config["COURSE_TWO_STEP_ROLES"] = REQUIRED


def set_up(client, user) -> list[str]:
    """Turn two-step sign-in on as the person does: read the key, type the app's code."""
    setup = page(client.get("/account/two-step"))
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup).group(1)
    assert "<svg" in setup  # the QR code to scan
    done = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", page(done))


def next_code(user) -> str:
    """The app's code for the next 30 seconds (the current one was used at setup)."""
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30)


def test_a_master_trainer_sets_it_up_before_anything_else(required, client, auth, make):
    trainer = auth.login_as(make.make_user(Role.MASTER_TRAINER))
    first = client.get("/mentor")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/two-step")
    assert "needs a second step" in page(client.get("/account/two-step"))
    wrong = client.post("/account/two-step", data={"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in page(wrong)

    codes = set_up(client, trainer)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert trainer.totp_enabled_at is not None
    assert client.get("/mentor").status_code == 200


def test_sign_in_asks_for_a_code_that_works_once(required, client, auth, make):
    trainer = auth.login_as(make.make_user(Role.MASTER_TRAINER))
    set_up(client, trainer)
    auth.logout()

    asked = auth.login(trainer.email, next_url="/mentor")
    assert asked.headers["Location"].endswith("/login/code")
    assert client.get("/mentor").status_code == 302  # not signed in yet
    assert client.post("/login/code", data={"code": "123456"}).status_code == 400
    code = next_code(trainer)
    signed_in = client.post("/login/code", data={"code": code})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/mentor")
    assert client.get("/mentor").status_code == 200
    auth.logout()

    auth.login(trainer.email)
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 400  # seen over a shoulder, it is already spent


def test_a_recovery_code_works_once_in_place_of_the_app(required, client, auth, make):
    trainer = auth.login_as(make.make_user(Role.MASTER_TRAINER))
    codes = set_up(client, trainer)
    auth.logout()

    auth.login(trainer.email)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    auth.logout()
    auth.login(trainer.email)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 400
    assert len(trainer.totp_recovery) == 9


def test_the_code_is_owed_within_five_minutes(required, client, auth, make, monkeypatch):
    trainer = auth.login_as(make.make_user(Role.MASTER_TRAINER))
    set_up(client, trainer)
    auth.logout()
    auth.login(trainer.email)
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    late = client.post("/login/code", data={"code": next_code(trainer)})
    assert late.status_code == 302 and late.headers["Location"].endswith("/login")


def test_it_is_optional_for_a_trainee_who_may_turn_it_off_and_required_roles_may_not(
    required, client, auth, make
):
    trainee = auth.login_as(make.make_trainee())
    assert client.get("/training").status_code == 200  # never asked
    set_up(client, trainee)
    off = client.post("/account/two-step", data={"code": next_code(trainee)})
    assert off.status_code == 302 and trainee.totp_enabled_at is None
    auth.logout()

    admin = auth.login_as(make.make_site_admin())
    set_up(client, admin)
    kept = client.post("/account/two-step", data={"code": next_code(admin)})
    assert kept.status_code == 400 and "stays on" in page(kept)
    assert admin.totp_enabled_at is not None


def test_a_site_admin_turns_it_off_for_someone_who_lost_their_phone(required, client, auth, make):
    trainer = auth.login_as(make.make_user(Role.MASTER_TRAINER))
    set_up(client, trainer)
    auth.logout()
    admin = auth.login_as(make.make_site_admin())
    set_up(client, admin)  # a site admin too sets it up before anything else
    assert "Turn two-step sign-in off" in page(client.get(f"/admin/people/{trainer.public_id}"))

    assert client.post(f"/admin/people/{trainer.public_id}/two-step-off").status_code == 302
    assert trainer.totp_enabled_at is None and trainer.totp_secret is None
    auth.logout()

    assert auth.login(trainer.email).headers["Location"].endswith("/")  # no code asked
    assert client.get("/mentor").headers["Location"].endswith("/account/two-step")
