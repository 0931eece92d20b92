"""The plugins installed on a host's own Flask app, with only the settings a host must
give: a secret key, a database and the curriculum folder. Everything else defaults."""

from flask import Flask

import course
import quizzes
from config import TestConfig
from course.quiz_host import make_quiz_host
from course.settings import DEFAULTS
from tests import factories
from tests.conftest import create_tables, drop_tables


def test_a_host_sets_three_settings_and_the_course_works(tmp_path):
    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.config.update(
        SECRET_KEY="a-host-secret-key-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        CONTENT_DIR=TestConfig.CONTENT_DIR,
        MAIL_BACKEND="memory",  # a host's own choice; the rest stays at the defaults
        WTF_CSRF_ENABLED=False,  # the test client posts no CSRF token
    )
    course.init_app(host)
    quizzes.init_app(host, host=make_quiz_host())

    for key, value in DEFAULTS.items():
        if key != "MAIL_BACKEND":
            assert host.config[key] == (list(value) if isinstance(value, tuple) else value)
    assert host.config["MAIL_BACKEND"] == "memory"
    assert host.config["UPLOAD_DIR"] == str(tmp_path / "instance" / "uploads")

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
