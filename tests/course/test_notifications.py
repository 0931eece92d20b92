"""Notifications: the services, the mail backends and the pages."""

import logging
import smtplib
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from course.extensions import db
from course.notifications import services
from course.notifications.mail import OUTBOX_KEY, send_email
from course.notifications.models import Notification
from course.notifications.views import unread_notification_count


@pytest.fixture(autouse=True)  # every test here needs the database
def _database(app):
    return app


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault(OUTBOX_KEY, [])


def _stored(user=None):
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def _raw(user, subject="Raw", link=None, body=""):
    """Store a notification without notify()'s checks, as old or imported data might be."""
    notification = Notification(user_id=user.id, subject=subject, body=body, link=link)
    db.session.add(notification)
    db.session.commit()
    return notification


# -- notify ------------------------------------------------------------------------


def test_notify_stores_and_emails_with_absolute_link(app, make, outbox):
    app.config["COURSE_SITE_URL"] = "https://learn.example.org/"
    user = make.make_trainee(email="trainee@example.org")
    notification = services.notify(
        user, "A reflection was reviewed", "Your mentor has left feedback.", link="/training"
    )
    assert _stored(user) == [notification]
    assert notification.read_at is None
    assert notification.link == "/training"
    assert len(outbox) == 1
    message = outbox[0]
    assert message["To"] == "trainee@example.org"
    assert message["Subject"] == "A reflection was reviewed"
    assert message["From"] == app.config["COURSE_MAIL_DEFAULT_SENDER"]
    assert message.get_content_type() == "text/plain"
    text = message.get_content()
    assert "Your mentor has left feedback." in text
    assert "https://learn.example.org/training" in text
    assert "//training" not in text


def test_notify_without_link_emails_the_body_only(app, make, outbox):
    user = make.make_trainee()
    services.notify(user, "Week 2 is open", "Two new videos are ready.")
    text = outbox[0].get_content()
    assert "Two new videos are ready." in text
    assert "http" not in text


def test_notify_with_email_false_stores_but_sends_nothing(make, outbox):
    user = make.make_trainee()
    services.notify(user, "Week 2 is open", "Two new videos are ready.", email=False)
    assert len(_stored(user)) == 1
    assert outbox == []


def test_notify_inactive_user_gets_notification_but_no_email(make, outbox):
    user = make.make_trainee()
    user.active = False
    db.session.commit()
    services.notify(user, "Certificate issued", "Your certificate is ready.")
    assert len(_stored(user)) == 1
    assert outbox == []


def test_notify_puts_a_multiline_subject_on_one_line(make, outbox):
    user = make.make_trainee()
    notification = services.notify(user, "Week 2\nBcc: someone@evil.example.com", "Body")
    assert notification.subject == "Week 2 Bcc: someone@evil.example.com"
    assert outbox[0]["Bcc"] is None


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/",
        "//evil.example.com/path",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "training",
        "/" + "a" * 500,
    ],
)
def test_notify_refuses_a_link_that_is_not_a_site_path(make, outbox, link):
    user = make.make_trainee()
    with pytest.raises(ValueError, match="link"):
        services.notify(user, "Subject", "Body", link=link)
    assert _stored() == []
    assert outbox == []


@pytest.mark.parametrize("subject", ["", "   ", "x" * 201])
def test_notify_refuses_an_empty_or_long_subject(make, subject):
    user = make.make_trainee()
    with pytest.raises(ValueError, match="subject"):
        services.notify(user, subject, "Body")
    assert _stored() == []


def test_notify_keeps_the_notification_when_the_mail_server_fails(app, make, monkeypatch, caplog):
    def refuse(to, subject, body):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(services, "send_email", refuse)
    user = make.make_trainee(email="private.person@example.org")
    with caplog.at_level(logging.WARNING, logger="pfr.notifications"):
        notification = services.notify(user, "Week 3 is open", "Body")
    assert _stored(user) == [notification]
    assert f"notification {notification.id} not sent" in caplog.text
    assert "private.person" not in caplog.text


# -- mail backends -----------------------------------------------------------------


def test_memory_backend_collects_messages(app, outbox):
    send_email("a@example.org", "Hello", "Plain text body.")
    assert [(m["To"], m["Subject"], m.get_content().strip()) for m in outbox] == [
        ("a@example.org", "Hello", "Plain text body.")
    ]


def test_sender_falls_back_when_the_host_config_has_none(app, outbox):
    del app.config["COURSE_MAIL_DEFAULT_SENDER"]
    send_email("a@example.org", "Hello", "Body")
    assert outbox[0]["From"] == "PFR Learn <no-reply@pfr-learn.example.org>"


def test_file_backend_writes_an_eml_named_by_time_and_token(app, tmp_path):
    app.config.update(COURSE_MAIL_BACKEND="file", COURSE_MAIL_FILE_DIR=str(tmp_path / "mail"))
    send_email("Private.Person@example.org", "Reflection returned", "Please look again.")
    send_email("Private.Person@example.org", "Reflection returned", "Please look again.")
    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 2  # same subject and address, yet two distinct files
    for path in files:
        assert path.suffix == ".eml"
        name = path.name.lower()
        for leak in ("private", "person", "example", "reflection", "returned", "@"):
            assert leak not in name
    message = message_from_bytes(files[0].read_bytes(), policy=email_policy.default)
    assert message["To"] == "Private.Person@example.org"
    assert message["Subject"] == "Reflection returned"
    assert message["From"] == app.config["COURSE_MAIL_DEFAULT_SENDER"]
    assert message["Date"] and message["Message-ID"]
    assert message.get_content().strip() == "Please look again."


def test_file_backend_defaults_to_the_instance_mail_folder(app, tmp_path):
    app.instance_path = str(tmp_path)
    app.config.update(COURSE_MAIL_BACKEND="file", COURSE_MAIL_FILE_DIR=None)
    send_email("a@example.org", "Hello", "Body")
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_console_backend_logs_the_message(app, caplog, outbox):
    app.config["COURSE_MAIL_BACKEND"] = "console"
    with caplog.at_level(logging.INFO, logger="pfr.mail"):
        send_email("a@example.org", "Week 4 is open", "Two new videos.")
    [record] = [r for r in caplog.records if r.name == "pfr.mail"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "To: a@example.org" in logged
    assert "Subject: Week 4 is open" in logged
    assert "Two new videos." in logged
    assert outbox == []


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what the backend asked of it."""

    instances: list["FakeSMTP"] = []

    def __init__(self, host, port, timeout=None):
        self.calls = [("connect", host, port)]
        self.sent = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append(("quit",))

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send",))
        self.sent.append(message)


@pytest.fixture
def fake_smtp(app, monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(
        COURSE_MAIL_BACKEND="smtp",
        COURSE_MAIL_SERVER="smtp.example.org",
        COURSE_MAIL_PORT=2525,
        COURSE_MAIL_USE_TLS=True,
        COURSE_MAIL_USERNAME="mailer",
        COURSE_MAIL_PASSWORD="mail-secret",
    )
    return FakeSMTP.instances


def test_smtp_backend_uses_starttls_and_login_from_config(fake_smtp):
    send_email("a@example.org", "Week 5 is open", "Body")
    [smtp] = fake_smtp
    assert smtp.calls == [
        ("connect", "smtp.example.org", 2525),
        ("starttls",),
        ("login", "mailer", "mail-secret"),
        ("send",),
        ("quit",),
    ]
    assert smtp.sent[0]["To"] == "a@example.org"
    assert smtp.sent[0]["Subject"] == "Week 5 is open"


def test_smtp_backend_without_tls_or_username_skips_them(app, fake_smtp):
    app.config.update(COURSE_MAIL_USE_TLS=False, COURSE_MAIL_USERNAME=None)
    send_email("a@example.org", "Week 5 is open", "Body")
    assert [call[0] for call in fake_smtp[0].calls] == ["connect", "send", "quit"]


def test_unknown_backend_is_refused(app):
    app.config["COURSE_MAIL_BACKEND"] = "pigeon"
    with pytest.raises(ValueError, match="pigeon"):
        send_email("a@example.org", "Hello", "Body")


def test_send_email_refuses_a_line_break_in_a_header(app, outbox):
    with pytest.raises(ValueError):
        send_email("a@example.org\nBcc: b@example.org", "Hello", "Body")
    assert outbox == []


# -- reading -----------------------------------------------------------------------


def test_unread_counts_and_lists_only_the_users_own(make):
    user, other = make.make_trainee(), make.make_trainee()
    first = services.notify(user, "First", "Body", email=False)
    second = services.notify(user, "Second", "Body", email=False)
    services.notify(other, "Other", "Body", email=False)
    assert services.count_unread(user) == 2
    assert services.unread_for(user) == [second, first]
    assert services.unread_for(user, limit=1) == [second]


def test_mark_read_marks_one_and_is_idempotent(make):
    user = make.make_trainee()
    first = services.notify(user, "First", "Body", email=False)
    second = services.notify(user, "Second", "Body", email=False)
    services.mark_read(user, first.public_id)
    read_at = first.read_at
    assert read_at is not None
    assert services.unread_for(user) == [second]
    assert services.count_unread(user) == 1
    services.mark_read(user, first.public_id)
    assert first.read_at == read_at


def test_mark_read_refuses_another_persons_notification(make):
    owner, intruder = make.make_trainee(), make.make_trainee()
    notification = services.notify(owner, "Private", "Body", email=False)
    with pytest.raises(LookupError):
        services.mark_read(intruder, notification.public_id)
    with pytest.raises(LookupError):
        services.mark_read(intruder, "nobody-has-this-public")
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None


def test_mark_all_read_touches_only_the_users_own(make):
    user, other = make.make_trainee(), make.make_trainee()
    services.notify(user, "One", "Body", email=False)
    services.notify(user, "Two", "Body", email=False)
    services.notify(other, "Other", "Body", email=False)
    assert services.mark_all_read(user) == 2
    assert services.count_unread(user) == 0
    assert services.count_unread(other) == 1
    assert services.mark_all_read(user) == 0


def test_unread_count_for_signed_in_and_anonymous(app, make):
    user = make.make_trainee()
    services.notify(user, "One", "Body", email=False)
    with app.test_request_context():
        assert unread_notification_count() == 0
        login_user(user)
        assert unread_notification_count() == 1
    assert unread_notification_count() == 0  # no request at all


# -- pages -------------------------------------------------------------------------


def test_page_lists_only_ones_own_notifications_newest_first(client, auth, make):
    user, other = make.make_trainee(), make.make_trainee()
    services.notify(user, "Older news", "First body.", email=False)
    read = services.notify(user, "Newer news", "Second body.", email=False)
    services.mark_read(user, read.public_id)
    services.notify(other, "Someone else's news", "Not yours.", email=False)
    auth.login_as(user)
    response = client.get("/notifications")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Someone else" not in html and "Not yours." not in html
    assert html.index("Newer news") < html.index("Older news")
    assert html.count("Unread</span>") == 1
    older = html[html.index('<li class="notification unread">') :]
    assert "Older news" in older.split("</li>")[0]
    assert "style=" not in html and "onclick" not in html


def test_page_says_so_when_there_are_none(client, auth):
    auth.login_as("trainee")
    assert "You have no notifications yet." in client.get("/notifications").get_data(True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/notifications"),
        ("POST", "/notifications/nobody-has-this-public/read"),
        ("POST", "/notifications/read-all"),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, make, method, path):
    user = make.make_trainee()
    services.notify(user, "Hello", "Body", email=False)
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert services.count_unread(user) == 1


def test_read_marks_it_and_follows_its_site_link(client, auth, make):
    user = make.make_trainee()
    notification = services.notify(user, "Week 2 is open", "Body", link="/training", email=False)
    auth.login_as(user)
    response = client.post(f"/notifications/{notification.public_id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/training"
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None


def test_read_without_link_returns_to_the_list(client, auth, make):
    user = make.make_trainee()
    notification = services.notify(user, "Hello", "Body", email=False)
    auth.login_as(user)
    response = client.post(f"/notifications/{notification.public_id}/read")
    assert response.headers["Location"] == "/notifications"
    assert services.count_unread(user) == 0


@pytest.mark.parametrize(
    "link", ["//evil.example.com", "https://evil.example.com", "/\\evil.example.com"]
)
def test_read_refuses_to_follow_an_external_link(client, auth, make, link):
    user = make.make_trainee()
    notification = _raw(user, link=link)
    auth.login_as(user)
    response = client.post(f"/notifications/{notification.public_id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert services.count_unread(user) == 0


def test_read_of_another_persons_notification_is_not_found(client, auth, make):
    owner = make.make_trainee()
    notification = services.notify(owner, "Private", "Body", link="/training", email=False)
    auth.login_as("master_trainer")
    response = client.post(f"/notifications/{notification.public_id}/read")
    assert response.status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None


def test_read_all_marks_only_ones_own(client, auth, make):
    user, other = make.make_trainee(), make.make_trainee()
    services.notify(user, "One", "Body", email=False)
    services.notify(user, "Two", "Body", email=False)
    services.notify(other, "Other", "Body", email=False)
    auth.login_as(user)
    response = client.post("/notifications/read-all")
    assert response.headers["Location"] == "/notifications"
    assert services.count_unread(user) == 0
    assert services.count_unread(other) == 1


def test_read_without_csrf_token_changes_nothing(app, client, auth, make):
    user = make.make_trainee()
    notification = services.notify(user, "Hello", "Body", email=False)
    auth.login_as(user)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/notifications/{notification.public_id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert services.count_unread(user) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_mail_server_that_fails_once_is_tried_again(app, make, monkeypatch):
    """Emails go out as background jobs, and a job that fails is retried."""
    calls = []

    def flaky(to, subject, body):
        calls.append(to)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        app.extensions.setdefault(OUTBOX_KEY, []).append((to, subject))

    monkeypatch.setattr(services, "send_email", flaky)
    user = make.make_trainee(email="retry.me@example.org")
    services.notify(user, "Week 3 is open", "Body", link="/training")
    assert calls == ["retry.me@example.org", "retry.me@example.org"]
    assert app.extensions[OUTBOX_KEY] == [("retry.me@example.org", "Week 3 is open")]


# -- the outbox: a notification is saved with its change, and its email follows -------


def test_a_notification_rolled_back_with_its_change_is_neither_kept_nor_emailed(make, outbox):
    user = make.make_user()
    services.notify(user, "Week 2 is open", "Body", commit=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert outbox == []


def test_notifications_saved_in_one_commit_are_emailed_once_each(make, outbox):
    people = [make.make_user(), make.make_user()]
    for person in people:
        services.notify(person, "Week 2 is open", "Body", commit=False)
    assert outbox == []  # nothing goes out before the commit
    db.session.commit()
    assert sorted(m["To"] for m in outbox) == sorted(p.email for p in people)
    assert not any(db.session.scalars(select(Notification.email_pending)))


def test_a_queue_down_at_commit_leaves_the_email_for_the_sweep(app, make, outbox, monkeypatch):
    from course import jobs

    user = make.make_user()

    def queue_down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(jobs, "enqueue", queue_down)
    notification = services.notify(user, "Your certificate", "Body")
    assert outbox == [] and notification.email_pending
    monkeypatch.undo()
    assert services.send_unsent() == 0  # a moment ago: perhaps still on its way
    notification.created_at -= timedelta(minutes=services.UNSENT_AFTER_MINUTES + 1)
    db.session.commit()
    assert services.send_unsent() == 1
    assert [m["To"] for m in outbox] == [user.email]
    assert services.send_unsent() == 0  # sent once
