"""The plugins installed on a host's own Flask app, with only the settings a host must
give: a secret key, a database and the curriculum folder. Everything else defaults."""

import re

from flask import Flask, url_for
from sqlalchemy import select

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
