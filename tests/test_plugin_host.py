"""The plugins installed on a host's own Flask app, with only the settings a host must
give: a secret key, a database and the curriculum folder. Everything else defaults."""

import re

from flask import Flask, url_for
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

import course
import quizzes
from config import TestConfig
from course.extensions import db
from course.quiz_host import make_quiz_host
from course.settings import DEFAULTS
from tests import factories
from tests.conftest import create_tables, drop_tables


def test_a_host_sets_three_settings_and_the_course_works(tmp_path):
    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        COURSE_CONTENT_DIR=TestConfig.COURSE_CONTENT_DIR,
        COURSE_MAIL_BACKEND="memory",  # a host's own choice; the rest stays at the defaults
        WTF_CSRF_ENABLED=False,  # the test client posts no CSRF token
    )
    course.init_app(host)
    quizzes.init_app(host, host=make_quiz_host())

    for key, value in DEFAULTS.items():
        if key != "COURSE_MAIL_BACKEND":
            assert host.config[key] == (list(value) if isinstance(value, tuple) else value)
    assert host.config["COURSE_MAIL_BACKEND"] == "memory"
    assert host.config["COURSE_UPLOAD_DIR"] == str(tmp_path / "instance" / "uploads")

    with host.app_context():
        create_tables()
        trainee = factories.make_trainee()
        client = host.test_client()
        assert client.get("/login").status_code == 200
        signed_in = client.post(
            "/login", data={"email": trainee.email, "password": factories.PASSWORD}
        )
        assert signed_in.status_code == 302
        assert client.get("/training").status_code == 200
        assert client.get("/quizzes/elements-of-a-healthy-relationship").status_code == 200
        drop_tables()


LINK_RE = re.compile(r'(?:href|action|src|data-[a-z-]+)="(/[^"]*)"')
SKIP = ("/logout", "/static/", "/file", "/captions.vtt", ".csv", "/stream", "/poster")


def _mounted_host(tmp_path) -> Flask:
    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        COURSE_CONTENT_DIR=TestConfig.COURSE_CONTENT_DIR,
        COURSE_UPLOAD_DIR=str(tmp_path / "uploads"),
        COURSE_MAIL_BACKEND="memory",
        COURSE_JOB_BACKEND="sync",
        WTF_CSRF_ENABLED=False,
        COURSE_PASSWORD_HASH_METHOD=TestConfig.COURSE_PASSWORD_HASH_METHOD,
        COURSE_TWO_STEP_ROLES=(),  # staff sign in with a password alone in these walks
    )
    course.init_app(host, url_prefix="/pfr")
    quizzes.init_app(host, host=make_quiz_host(), url_prefix="/pfr")
    return host


def test_every_link_a_signed_in_person_reaches_carries_the_prefix(tmp_path):
    from course.demo import DEMO_PASSWORD, PEOPLE, seed
    from course.notifications.models import Notification

    host = _mounted_host(tmp_path)
    with host.app_context():
        create_tables()
        seed()
        stored = [n.link for n in db.session.scalars(select(Notification)) if n.link]
        assert stored and all(link.startswith("/pfr/") for link in stored), stored
        for email, *_ in PEOPLE:
            client = host.test_client()
            signed_in = client.post("/pfr/login", data={"email": email, "password": DEMO_PASSWORD})
            assert signed_in.headers["Location"].startswith("/pfr/"), email
            seen, queue = set(), [signed_in.headers["Location"]]
            while queue and len(seen) < 40:
                path = queue.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                with client.get(path) as page:
                    assert page.status_code < 500, (email, path)
                    links = LINK_RE.findall(page.get_data(as_text=True))
                wrong = [link for link in links if not link.startswith("/pfr/")]
                assert not wrong, f"{email} on {path}: {wrong[:5]}"
                queue += [
                    link.split("#")[0] for link in links if not any(part in link for part in SKIP)
                ]
            assert len(seen) > 3, email
        drop_tables()


def test_the_host_keeps_its_own_pages_headers_and_error_pages(tmp_path):
    from flask import Blueprint
    from sqlalchemy import create_engine, text

    host = _mounted_host(tmp_path)
    site = Blueprint("site", __name__)

    @site.get("/hello")
    def hello():
        return "<p>Hello</p><script>document.title = 'host';</script>"

    @host.errorhandler(404)
    def host_not_found(error):
        return "The host's own 404", 404

    host.register_blueprint(site)
    client = host.test_client()
    with host.app_context():
        create_tables()
        mine = client.get("/hello")
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Request-ID"):
            assert header not in mine.headers
        assert "no-store" not in mine.headers.get("Cache-Control", "")
        assert client.get("/nowhere").get_data(as_text=True) == "The host's own 404"

        course_page = client.get("/pfr/login")
        assert "frame-ancestors 'none'" in course_page.headers["Content-Security-Policy"]
        assert "X-Request-ID" in course_page.headers
        trainee = factories.make_trainee()
        client.post("/pfr/login", data={"email": trainee.email, "password": factories.PASSWORD})
        missing = client.get("/pfr/handouts/no-such-handout")  # a course page's own 404
        assert missing.status_code == 404
        assert "There is no page at this address." in missing.get_data(as_text=True)

        # The course's SQLite settings stay on its own engine.
        other = create_engine(f"sqlite:///{tmp_path / 'host.sqlite3'}")
        with other.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 0
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        other.dispose()
        drop_tables()


def test_commands_live_in_the_course_group(tmp_path):
    host = _mounted_host(tmp_path)
    assert "course" in host.cli.commands
    top_level = set(host.cli.commands)
    for name in ("seed-demo", "create-user", "content", "notify-weeks", "purge", "worker"):
        assert name in host.cli.commands["course"].commands
        assert name not in top_level


def test_a_host_template_of_the_same_name_does_not_replace_the_courses(tmp_path):
    templates = tmp_path / "host_templates" / "admin"
    templates.mkdir(parents=True)
    (templates / "index.html").write_text("The host's own admin page")
    host = _mounted_host(tmp_path)
    host.template_folder = str(tmp_path / "host_templates")
    with host.app_context():
        create_tables()
        admin = factories.make_site_admin()
        client = host.test_client()
        client.post("/pfr/login", data={"email": admin.email, "password": factories.PASSWORD})
        page = client.get("/pfr/admin/").get_data(as_text=True)
        assert "The host's own admin page" not in page
        assert "Invitations" in page or "Agencies" in page
        drop_tables()


def test_a_host_may_have_its_own_admin_and_accounts_blueprints(tmp_path):
    from flask import Blueprint

    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    for name in ("admin", "accounts"):
        own = Blueprint(name, __name__, url_prefix=f"/{name}")
        own.add_url_rule("/", "index", lambda name=name: f"the host's {name}")
        host.register_blueprint(own)
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        COURSE_CONTENT_DIR=TestConfig.COURSE_CONTENT_DIR,
    )
    course.init_app(host, url_prefix="/pfr")
    client = host.test_client()
    assert client.get("/admin/").get_data(as_text=True) == "the host's admin"
    assert client.get("/accounts/").get_data(as_text=True) == "the host's accounts"
    assert client.get("/pfr/login").status_code == 200
    with host.test_request_context():
        assert url_for("admin.index") == "/admin/"
        assert url_for("course.admin.index") == "/pfr/admin/"


def test_the_hosts_markdown_filter_stays_the_hosts(tmp_path):
    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.add_template_filter(lambda text: f"host:{text}", "markdown")
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        COURSE_CONTENT_DIR=TestConfig.COURSE_CONTENT_DIR,
    )
    course.init_app(host, url_prefix="/pfr")
    assert host.jinja_env.filters["markdown"]("x") == "host:x"
    assert "<strong>" in str(host.jinja_env.filters["course_markdown"]("**x**"))


def _host_with_its_own_extensions(tmp_path, **config):
    """A host with its own Flask-SQLAlchemy (and a `user` table), login manager, CSRF
    and sign-in page, set up before the plugins, as a host's factory would."""
    from flask_login import LoginManager, UserMixin, login_required
    from flask_sqlalchemy import SQLAlchemy
    from flask_wtf import CSRFProtect
    from sqlalchemy.orm import Mapped, mapped_column

    host_db = SQLAlchemy()

    class Editor(UserMixin, host_db.Model):
        __tablename__ = "user"  # the name the course's table had before its prefix
        id: Mapped[int] = mapped_column(primary_key=True)
        login: Mapped[str]

        def get_id(self) -> str:
            return f"editor:{self.id}"

    host_login = LoginManager()
    host_login.login_view = "host_sign_in"

    @host_login.user_loader
    def load(session_id: str):
        if session_id.startswith("editor:"):
            return host_db.session.get(Editor, int(session_id.removeprefix("editor:")))
        return course.load_user(session_id)  # the course's people

    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}",
        COURSE_CONTENT_DIR=TestConfig.COURSE_CONTENT_DIR,
        COURSE_UPLOAD_DIR=str(tmp_path / "uploads"),
        COURSE_MAIL_BACKEND="memory",
        COURSE_PASSWORD_HASH_METHOD=TestConfig.COURSE_PASSWORD_HASH_METHOD,
        WTF_CSRF_ENABLED=False,
        **config,
    )
    host_db.init_app(host)
    host_login.init_app(host)
    host_csrf = CSRFProtect(host)

    @host.get("/sign-in", endpoint="host_sign_in")
    def sign_in():
        return "The host's sign-in"

    @host.get("/members")
    @login_required
    def members():
        return "Members only"

    course.init_app(host, url_prefix="/pfr")
    quizzes.init_app(host, host=make_quiz_host(), url_prefix="/pfr")
    return host, host_db, host_login, host_csrf, Editor


def test_a_host_with_its_own_database_and_login_shares_them(tmp_path):
    host, host_db, host_login, host_csrf, Editor = _host_with_its_own_extensions(tmp_path)
    assert host.extensions["sqlalchemy"] is host_db
    assert host.login_manager is host_login and host_login.login_view == "host_sign_in"
    assert host.extensions["csrf"] is host_csrf

    runner = host.test_cli_runner()
    with host.app_context():
        host_db.create_all()  # the host's own tables: the course's are not among them
        assert "course_user" not in sa_inspect(host_db.engine).get_table_names()
        host_db.session.add(Editor(login="host-editor"))
        host_db.session.commit()
    for plugin in ("course", "quizzes"):
        result = runner.invoke(args=[plugin, "db", "upgrade"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=[plugin, "db", "check"])
        assert result.exit_code == 0, result.output

    client = host.test_client()
    with host.app_context():
        tables = set(sa_inspect(host_db.engine).get_table_names())
        assert {"user", "course_user", "course_alembic_version", "quiz_attempt"} <= tables
        assert "alembic_version" not in tables  # the host's Alembic, when it has one
        # Not signed in: each side sends people to its own sign-in page.
        assert client.get("/members").headers["Location"].startswith("/sign-in")
        assert client.get("/pfr/training").headers["Location"].startswith("/pfr/login")

        trainee = factories.make_trainee()  # through the host's session
        assert db.session is host_db.session
        client.post("/pfr/login", data={"email": trainee.email, "password": factories.PASSWORD})
        assert client.get("/pfr/training").status_code == 200
        assert client.get("/members").get_data(as_text=True) == "Members only"
        assert host_db.session.scalars(select(Editor.login)).all() == ["host-editor"]
        host_db.session.remove()
        host_db.engine.dispose()


def test_the_course_can_keep_its_tables_in_a_database_of_its_own(tmp_path):
    course_url = f"sqlite:///{tmp_path / 'course.sqlite3'}"
    host, host_db, *_ = _host_with_its_own_extensions(
        tmp_path, SQLALCHEMY_BINDS={"pfr": course_url}, COURSE_DATABASE_BIND="pfr"
    )
    runner = host.test_cli_runner()
    for plugin in ("course", "quizzes"):
        result = runner.invoke(args=[plugin, "db", "upgrade"])
        assert result.exit_code == 0, result.output
    with host.app_context():
        apart = set(sa_inspect(host_db.engines["pfr"]).get_table_names())
        beside = set(sa_inspect(host_db.engine).get_table_names())
        assert {"course_user", "course_alembic_version"} <= apart
        assert not any(name.startswith("course_") for name in beside)
        trainee = factories.make_trainee()
        client = host.test_client()
        client.post("/pfr/login", data={"email": trainee.email, "password": factories.PASSWORD})
        assert client.get("/pfr/training").status_code == 200
        with host_db.engines["pfr"].connect() as connection:
            emails = connection.execute(text("SELECT email FROM course_user")).scalars().all()
        assert trainee.email in emails
        host_db.session.remove()
        for engine in host_db.engines.values():
            engine.dispose()


def test_email_links_use_the_hosts_server_name_and_scheme(tmp_path):
    from course.links import path_for, site_url_for
    from course.notifications.services import notify

    host = _mounted_host(tmp_path)
    host.config.update(SERVER_NAME="learn.example.org", PREFERRED_URL_SCHEME="https")
    with host.app_context():
        create_tables()
        trainee = factories.make_trainee()
        invitation = site_url_for("course.accounts.accept_invitation", token="abc")
        assert invitation == "https://learn.example.org/pfr/invitations/abc"
        notify(
            trainee, "Week 2 is open", "Two new videos.", link=path_for("course.learning.training")
        )
        (message,) = host.extensions["course_mail_outbox"]
        assert "https://learn.example.org/pfr/training" in message.get_content()
        drop_tables()
