import pytest
from sqlalchemy import select

from course.accounts.models import Role
from course.extensions import db
from course.markup import render_markdown


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.mark.parametrize(
    "path", ["/login", "/logout", "/units/reflective-capacity/complete", "/admin/"]
)
def test_post_without_csrf_token_is_refused(csrf_app, client, path, make):
    user = make.make_site_admin()
    user.add_role(Role.TRAINEE)
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    response = client.post(path, data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400


def test_login_form_carries_a_csrf_token(csrf_app, client):
    assert b'name="csrf_token"' in client.get("/login").data


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ("<iframe src='https://example.org'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_output_is_sanitised(source, forbidden):
    assert forbidden not in render_markdown(source).lower()


def test_markdown_keeps_ordinary_formatting():
    html = render_markdown("## Heading\n\n**bold** and [a link](https://example.org)")
    assert "<h2>Heading</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


# -- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/static/course/course.css", "/no-such-page"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_production_sends_hsts():
    from app import create_app
    from config import ProductionConfig

    class Prod(ProductionConfig):
        SECRET_KEY = "k" * 40
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        COURSE_MAIL_BACKEND = "smtp"
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    response = create_app(Prod).test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/training").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "template",
    [
        "course/base.html",
        "course/learning/unit.html",
        "quizzes/attempt.html",
        "quizzes/result.html",
    ],
)
def test_templates_have_no_inline_script_or_handlers(app, template):
    source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
    assert "<script>" not in source and "onclick=" not in source and "style=" not in source


# -- throttling ------------------------------------------------------------------------


@pytest.fixture
def throttled():
    """A client of an app with throttling on and small limits (its own app and tables)."""
    from app import create_app
    from config import TestConfig
    from course.extensions import limiter
    from tests.conftest import create_tables, drop_tables

    class Throttled(TestConfig):
        RATELIMIT_ENABLED = True
        COURSE_LOGIN_LIMIT_PER_ACCOUNT = "3 per minute"
        COURSE_LOGIN_LIMIT_PER_ADDRESS = "5 per minute"

    app = create_app(Throttled)
    with app.app_context():
        create_tables()
        limiter.reset()
        yield app.test_client()
        drop_tables()


def _fail(client, email):
    return client.post("/login", data={"email": email, "password": "wrong-password-again"})


def test_login_is_throttled_per_account_with_a_clear_message(throttled, make):
    client = throttled
    user = make.make_trainee()
    for _ in range(3):
        assert _fail(client, user.email).status_code == 200
    response = _fail(client, user.email)
    assert response.status_code == 429
    assert "too many sign-in attempts" in response.get_data(as_text=True).lower()
    # Even the right password waits until the window passes.
    right = client.post("/login", data={"email": user.email, "password": make.PASSWORD})
    assert right.status_code == 429


def test_guessing_from_elsewhere_never_locks_the_owner_out_and_the_owner_is_told(throttled, make):
    from flask import current_app

    from course.audit.models import AuditEvent
    from course.notifications.mail import OUTBOX_KEY

    client = throttled
    owner = make.make_trainee()
    guessers = [f"203.0.113.{n}" for n in range(1, 5)]
    for address in guessers:  # a few addresses, each up to its limit for this account
        codes = [
            client.post(
                "/login",
                data={"email": owner.email, "password": "wrong-password-again"},
                environ_base={"REMOTE_ADDR": address},
            ).status_code
            for _ in range(4)
        ]
        assert codes[-1] == 429 and 429 not in codes[:-1]
    right = client.post(
        "/login",
        data={"email": owner.email, "password": make.PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},  # the owner, at home
    )
    assert right.status_code == 302
    sent = current_app.extensions.get(OUTBOX_KEY, [])
    told = [m for m in sent if m["To"] == owner.email]
    assert len(told) == 1 and "trying to sign in" in told[0]["Subject"]
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("account.sign-in-failed") == 12
    assert actions[-1] == "account.sign-in"


def test_login_is_throttled_per_address_across_accounts(throttled):
    client = throttled
    codes = [_fail(client, f"guess{n}@example.org").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]


def test_successful_sign_ins_do_not_count(throttled, make):
    client = throttled
    user = make.make_trainee()
    for _ in range(4):
        response = client.post("/login", data={"email": user.email, "password": make.PASSWORD})
        assert response.status_code == 302
        client.post("/logout")


# -- passwords -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password2024!",
        "aaaaaaaaaaaaaa",
        "123456789012",
        "qwertyuiopas",
        "FirstRelationships",
        "abababababab",
    ],
)
def test_common_passwords_are_refused(app, password):
    from course.accounts.services import password_problems

    assert password_problems(password) == [
        "That password is too common; choose one nobody would guess."
    ]


@pytest.mark.parametrize("password", ["quiet mornings with the baby", "tea-kettle-lantern-9"])
def test_uncommon_long_passwords_are_accepted(app, password):
    from course.accounts.services import password_problems

    assert password_problems(password) == []


def test_user_markdown_is_inert_in_reflection_and_comment_pages(client, auth, make):
    """Script tags, event handlers, javascript: links and raw HTML that trainees or
    mentors type come out inert in the pages that show them."""
    from datetime import date, timedelta

    from course.curriculum.services import get_curriculum
    from course.reflections import services as reflections

    hostile = (
        "<script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[tap me](javascript:alert(2)) <iframe src=//evil.example></iframe> " + "word " * 40
    )
    trainee = make.make_level_two_trainee()
    group = make.make_group(trainees=[trainee], start_date=date.today() - timedelta(days=1))
    unit = get_curriculum().level("level-2").units[0]
    answers = [hostile] * len(unit.reflection_prompts)
    reflection = reflections.submit_reflection(group, trainee, unit, hostile, answers)
    for viewer, path in (
        (trainee, f"/units/{unit.slug}"),
        (group.mentor, f"/reflections/{reflection.public_id}/review"),
        (group.mentor, f"/reflections/{reflection.public_id}"),
    ):
        auth.login_as(viewer)
        page = client.get(path).get_data(as_text=True).lower()
        assert "<script>alert" not in page
        assert "onerror=" not in page
        assert 'href="javascript:' not in page
        assert "<iframe" not in page
        assert "word word" in page  # the text itself is shown
        auth.logout()


def test_sign_in_keeps_working_when_the_limits_store_is_down(make, caplog):
    """Redis (the limits' store) not answering: sign-in goes on under in-process limits,
    with a logged warning, instead of a 500 for everyone."""
    from app import create_app
    from config import TestConfig
    from tests.conftest import create_tables, drop_tables

    class RedisDown(TestConfig):
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        COURSE_LOGIN_LIMIT_PER_ACCOUNT = "3 per minute"

    app = create_app(RedisDown)
    with app.app_context():
        create_tables()
        client = app.test_client()
        user = make.make_trainee()
        wrong = _fail(client, user.email)
        assert wrong.status_code == 200
        assert "do not match an account" in wrong.get_data(as_text=True)
        right = client.post("/login", data={"email": user.email, "password": make.PASSWORD})
        assert right.status_code == 302
        client.post("/logout")
        for _ in range(3):
            _fail(client, user.email)
        assert _fail(client, user.email).status_code == 429  # the fallback still counts
        assert any("rate limit" in r.getMessage().lower() for r in caplog.records)
        drop_tables()
