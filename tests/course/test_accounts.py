import pytest
from flask import session

from course.accounts import services
from course.accounts.models import Role, User
from course.extensions import db


def test_login_with_right_password_signs_in(client, auth, make):
    user = make.make_trainee()
    response = auth.login(user.email)
    assert response.status_code == 302
    with client:
        client.get("/training")
        assert session["_user_id"] == user.get_id()


def test_login_email_is_case_insensitive(auth, make):
    make.make_trainee(email="Someone@Example.org")
    assert auth.login("  SOMEONE@example.ORG ").status_code == 302


@pytest.mark.parametrize("email", ["known@example.org", "unknown@example.org"])
def test_login_failure_message_does_not_reveal_whether_email_exists(client, auth, make, email):
    make.make_trainee(email="known@example.org")
    response = auth.login(email, password="wrong-password-entirely")
    assert response.status_code == 200
    assert b"That email and password do not match an account." in response.data
    assert b"no account" not in response.data.lower()
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_keeps_typed_email_after_failure(auth, make):
    response = auth.login("typed@example.org", password="nope-nope-nope")
    assert b'value="typed@example.org"' in response.data


def test_login_refuses_deactivated_user(auth, make):
    user = make.make_trainee()
    user.active = False
    db.session.commit()
    response = auth.login(user.email)
    assert response.status_code == 200
    assert b"do not match an account" in response.data


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/training", "/training"),
        ("/units/reflective-capacity?tab=1", "/units/reflective-capacity?tab=1"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/path", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
        ("training", "/"),
        ("", "/"),
    ],
)
def test_login_next_only_redirects_inside_the_site(auth, make, next_url, expected):
    user = make.make_trainee()
    response = auth.login(user.email, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_page_carries_next_from_query_string(client):
    response = client.get("/login?next=/training")
    assert b'value="/training"' in response.data


def test_login_renews_the_session(client, auth, make):
    user = make.make_trainee()
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    auth.login(user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == user.get_id()


def test_logout_ends_the_session(client, auth, make):
    auth.login_as(Role.TRAINEE)
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/training").status_code == 302  # back to the sign-in page
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_logout_is_not_possible_with_get(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/logout").status_code == 405
    assert client.get("/training").status_code == 200


def test_signed_in_user_visiting_login_goes_home(client, auth):
    auth.login_as(Role.TRAINEE)
    response = client.get("/login")
    assert response.status_code == 302


def test_create_user_refuses_duplicate_email_in_any_case(app, make):
    make.make_trainee(email="dup@example.org")
    with pytest.raises(services.AccountError, match="already exists"):
        services.create_user("DUP@example.org", "Other", "another-long-password")
    assert db.session.query(User).count() == 1


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 12"), ("person1234-long-enough", "email address")],
)
def test_password_problems_name_the_rule(app, password, problem):
    problems = services.password_problems(password, "person1234@example.org")
    assert any(problem in p for p in problems)


def test_password_is_stored_hashed(app, make):
    user = make.make_trainee()
    assert make.PASSWORD not in user.password_hash
    assert services.authenticate(user.email, make.PASSWORD) == user


def test_production_hashes_passwords_with_argon2id():
    from config import Config, ProductionConfig

    assert (
        Config.COURSE_PASSWORD_HASH_METHOD
        == ProductionConfig.COURSE_PASSWORD_HASH_METHOD
        == "argon2id"
    )


def test_an_old_scrypt_hash_is_replaced_by_argon2id_at_sign_in(app, make):
    from werkzeug.security import generate_password_hash

    user = make.make_trainee()
    user.password_hash = generate_password_hash(make.PASSWORD, method="scrypt:32768:8:1")
    db.session.commit()
    app.config["COURSE_PASSWORD_HASH_METHOD"] = "argon2id"
    assert services.authenticate(user.email, "not the password at all") is None
    assert user.password_hash.startswith("scrypt:32768:8:1$")  # a wrong password changes nothing
    assert services.authenticate(user.email, make.PASSWORD) == user
    assert user.password_hash.startswith("$argon2id$")
    assert make.PASSWORD not in user.password_hash
    assert services.authenticate(user.email, make.PASSWORD) == user  # and it verifies


def test_user_may_hold_several_roles(app, make):
    user = make.make_user(Role.TRAINEE, Role.AGENCY_TRAINER)
    assert user.roles == {Role.TRAINEE, Role.AGENCY_TRAINER}
    assert user.has_role(Role.AGENCY_TRAINER)
    assert not user.has_role(Role.SITE_ADMIN)


@pytest.mark.parametrize(
    ("role", "endpoint"),
    [
        (Role.TRAINEE, "course.learning.training"),
        (Role.MASTER_TRAINER, "course.mentoring.dashboard"),
        (Role.AGENCY_TRAINER, "course.mentoring.dashboard"),
        (Role.AGENCY_ADMIN, "course.agencies.staff"),
        (Role.SITE_ADMIN, "course.admin.index"),
    ],
)
def test_each_role_lands_on_the_page_it_works_from(app, client, auth, role, endpoint):
    from flask import url_for

    auth.login_as(role)
    landing = client.get("/")
    assert landing.status_code == 302
    with app.test_request_context():
        assert landing.headers["Location"] == url_for(endpoint)
    assert client.get(landing.headers["Location"]).status_code == 200
