"""Production refusals, the proxy settings and rotating SECRET_KEY."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from app import create_app
from bench.config import BenchConfig
from config import ProductionConfig, TestConfig
from course.accounts.models import Role
from course.extensions import db
from tests import factories
from tests.conftest import create_tables, drop_tables

ROOT = Path(__file__).resolve().parents[2]


def production(**settings):
    """ProductionConfig with everything it demands, then ``settings`` on top."""
    good = {
        "SECRET_KEY": "p" * 48,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "COURSE_MAIL_BACKEND": "smtp",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
    }
    return type("Prod", (ProductionConfig,), {**good, **settings})


def test_production_starts_with_smtp_and_redis_rate_limits():
    app = create_app(production())
    assert app.config["COURSE_MAIL_BACKEND"] == "smtp"


@pytest.mark.parametrize("backend", ["console", "memory"])
def test_production_refuses_mail_that_is_never_sent(backend):
    with pytest.raises(RuntimeError, match=f"MAIL_BACKEND='{backend}' does not send email"):
        create_app(production(COURSE_MAIL_BACKEND=backend))


def test_production_refuses_per_process_rate_limits():
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI=memory://"):
        create_app(production(RATELIMIT_STORAGE_URI="memory://"))


def test_the_benchmark_config_still_starts():
    """make bench: production settings, file mail, no sign-in limits (so no Redis)."""
    app = create_app(type("Run", (BenchConfig,), {"SECRET_KEY": "b" * 40}))
    assert app.config["COURSE_MAIL_BACKEND"] == "file"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_settings_are_read_from_the_environment():
    env = {
        **os.environ,
        "SECRET_KEY_FALLBACKS": " old-key-one , old-key-two,,",
        "PROXY_FIX_HOPS": "1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
    }
    script = (
        "import json, config; c = config.Config; print(json.dumps([c.SECRET_KEY_FALLBACKS, "
        "c.PROXY_FIX_HOPS, c.LOG_FORMAT, c.LOG_LEVEL]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [["old-key-one", "old-key-two"], 1, "json", "WARNING"]


def _probe_app(hops):
    app = create_app(type("Proxied", (TestConfig,), {"PROXY_FIX_HOPS": hops}))

    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "learn.example.org",
}


def test_behind_one_proxy_the_client_address_scheme_and_host_are_the_forwarded_ones():
    response = _probe_app(1).test_client().get("/_probe", headers=FORWARDED)
    assert response.json == {
        "addr": "203.0.113.7",
        "scheme": "https",
        "host": "learn.example.org",
    }


def test_without_a_proxy_forwarded_headers_are_ignored():
    response = _probe_app(0).test_client().get("/_probe", headers=FORWARDED)
    assert response.json == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_a_rotated_secret_key_keeps_sessions_signed_with_the_old_one(tmp_path):
    """Sign in under the old key; the new key with the old as fallback still knows you,
    the new key alone does not."""
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"

    def site(key, fallbacks=()):
        settings = {
            "SECRET_KEY": key,
            "SECRET_KEY_FALLBACKS": list(fallbacks),
            "SQLALCHEMY_DATABASE_URI": database,
        }
        return create_app(type("Rotating", (TestConfig,), settings))

    old_site = site("old-key-" + "o" * 32)
    with old_site.app_context():
        create_tables()
        user = factories.make_user(Role.TRAINEE)
        email = user.email
    old_client = old_site.test_client()
    signed_in = old_client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    cookie = old_client.get_cookie("session").value

    def notifications_page(app):
        client = app.test_client()
        client.set_cookie("session", cookie)
        status = client.get("/notifications").status_code
        with app.app_context():
            db.engine.dispose()  # close the file before the next site opens it
        return status

    assert notifications_page(site("new-key-" + "n" * 32, ["old-key-" + "o" * 32])) == 200
    assert notifications_page(site("new-key-" + "n" * 32)) == 302  # sent to sign in
    with old_site.app_context():
        drop_tables()


def test_production_cookies_carry_the_host_prefix(tmp_path):
    app = create_app(production(RATELIMIT_ENABLED=False, COURSE_UPLOAD_DIR=str(tmp_path)))
    app.config["COURSE_PASSWORD_HASH_METHOD"] = TestConfig.COURSE_PASSWORD_HASH_METHOD
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        create_tables()
        user = factories.make_trainee()
        client = app.test_client()
        response = client.post(
            "/login",
            data={"email": user.email, "password": factories.PASSWORD, "remember": "y"},
            base_url="https://learn.example.org",
        )
        cookies = response.headers.getlist("Set-Cookie")
        session = next(c for c in cookies if c.startswith("__Host-session="))
        assert "Secure" in session and "Path=/" in session and "Domain" not in session
        drop_tables()
