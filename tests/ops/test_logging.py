"""Request ids, the access log, and what must never reach a log."""

import io
import json
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from course.curriculum.media import make_stand_in_clip
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.media.models import Consent, DyadVideo, VideoStatus
from course.ops import logs
from course.reflections.models import Reflection
from tests.media.conftest import TUS, tus_metadata

PSEUDONYM = "Harbour Family Q7"
FILE_NAME = "jamie-okafor-home-visit-3.mp4"
REFLECTION = "Quinlan reached for the spoon twice and her father waited, smiling."


def access_records(caplog):
    return [r for r in caplog.records if r.name == "pfr.access"]


@pytest.fixture
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    make_stand_in_clip(path, seconds=1)
    return path


@pytest.fixture
def practice(app, make):
    """A Level 2 trainee in a group whose practice weeks (6-15) are open."""
    trainee = make.make_level_two_trainee()
    make.make_group(trainees=[trainee], start_date=date.today() - timedelta(days=70))
    unit = get_curriculum().level("level-2").units[5]  # week 6
    return trainee, unit


def test_consent_upload_and_reflection_leave_no_family_detail_in_any_log(
    client, auth, practice, clip, caplog
):
    trainee, unit = practice
    caplog.set_level(logging.DEBUG)
    auth.login_as(trainee)
    consent_page = client.post(
        f"/units/{unit.slug}/videos/new",
        data={
            "dyad_pseudonym": PSEUDONYM,
            "signed_on": (date.today() - timedelta(days=1)).isoformat(),
            "expires_on": (date.today() + timedelta(days=200)).isoformat(),
            "attested": "y",
        },
    )
    assert consent_page.status_code == 302
    consent = db.session.scalar(select(Consent))
    data = clip.read_bytes()
    begun = client.post(
        "/media/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(
                unit=unit.slug, consent=consent.public_id, filename=FILE_NAME
            ),
        },
    )
    assert begun.status_code == 201
    sent = client.patch(
        begun.headers["Location"],
        data=data,
        headers={
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "X-Request-ID": "nginx-7f3a9c21",
        },
    )
    assert sent.status_code == 204
    saved = client.post(f"/units/{unit.slug}/reflection", data={"body": REFLECTION})
    assert saved.status_code == 302

    # The flows really stored the three things a log must not show.
    assert consent.dyad_pseudonym == PSEUDONYM
    video = db.session.scalar(select(DyadVideo))
    assert video.original_name == FILE_NAME and video.status == VideoStatus.READY
    assert db.session.scalar(select(Reflection)) is not None

    everything = _everything_logged(caplog)
    for secret in (PSEUDONYM, FILE_NAME, REFLECTION, "jamie-okafor"):
        assert secret not in everything

    # One access line per request, carrying the proxy's id for the upload.
    lines = access_records(caplog)
    assert [(r.method, r.status) for r in lines] == [
        ("POST", 302),  # sign-in
        ("POST", 302),  # consent
        ("POST", 201),  # upload begins
        ("PATCH", 204),  # the bytes
        ("POST", 302),  # reflection
    ]
    patch_line = lines[3]
    assert sent.headers["X-Request-ID"] == "nginx-7f3a9c21"
    assert patch_line.request_id == "nginx-7f3a9c21"
    assert patch_line.path == begun.headers["Location"]
    assert patch_line.user_id == str(trainee.id)
    assert patch_line.duration_ms >= 0
    assert "[nginx-7f3a9c21]" in logs.make_formatter("plain").format(patch_line)
    # Every record was made inside one of these requests, and carries that request's id.
    ids = {r.request_id for r in lines}
    assert len(ids) == 5 and all(r.request_id in ids for r in caplog.records)


def _everything_logged(caplog) -> str:
    """Each record's attributes and its rendering in both formats."""
    parts = []
    for record in caplog.records:
        parts.append(repr(vars(record)))
        for kind in logs.LOG_FORMATS:
            parts.append(logs.make_formatter(kind).format(record))
    return "\n".join(parts)


def test_each_request_gets_its_own_id_and_a_malformed_one_is_replaced(client, caplog):
    caplog.set_level(logging.INFO)
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" status=200 user=1'})
    flood = client.get("/healthz", headers={"X-Request-ID": "a" * 129})
    assert first != second and len(first) == 32
    for replaced in (forged, flood):
        assert len(replaced.headers["X-Request-ID"]) == 32
    assert [r.request_id for r in access_records(caplog)] == [
        first,
        second,
        forged.headers["X-Request-ID"],
        flood.headers["X-Request-ID"],
    ]


def test_records_logged_inside_a_request_carry_its_id(app, client, caplog):
    @app.get("/_log-something")
    def log_something():
        logging.getLogger("pfr.test").warning("inside")
        return "ok"

    caplog.set_level(logging.INFO)
    response = client.get("/_log-something?family=x", headers={"X-Request-ID": "abc-123"})
    inside = next(r for r in caplog.records if r.name == "pfr.test")
    assert inside.request_id == "abc-123" == response.headers["X-Request-ID"]
    access = access_records(caplog)[-1]
    assert access.path == "/_log-something"  # no query string
    logging.getLogger("pfr.test").warning("outside")
    assert caplog.records[-1].request_id == "-"


def test_invitation_tokens_are_masked_in_the_access_log(client, caplog):
    caplog.set_level(logging.INFO)
    token = "tok-4b1e0c9d8a7f6e5d"  # noqa: S105
    assert client.get(f"/invitations/{token}").status_code == 404
    assert access_records(caplog)[-1].path == "/invitations/<hidden>"
    assert token not in _everything_logged(caplog)


@pytest.mark.parametrize("kind", ["plain", "json"])
def test_log_lines_in_each_format(client, kind):
    stream = io.StringIO()
    logs.configure_logging(kind, "INFO")
    try:
        response = client.get(
            "/healthz?probe=1",
            headers={"X-Request-ID": "req-0042"},
            errors_stream=stream,
        )
    finally:
        logs.configure_logging("plain", "INFO")
    assert response.status_code in (200, 503)
    (line,) = [x for x in stream.getvalue().splitlines() if "pfr.access" in x]
    if kind == "json":
        fields = json.loads(line)
        assert fields["name"] == "pfr.access" and fields["level"] == "INFO"
        assert fields["request_id"] == "req-0042"
        assert (fields["method"], fields["path"]) == ("GET", "/healthz")
        assert fields["status"] == response.status_code
        assert isinstance(fields["duration_ms"], float)
    else:
        assert "[req-0042]" in line and f"GET /healthz {response.status_code} " in line
        assert "probe=1" not in line


def test_log_level_is_applied_and_unknown_settings_are_refused():
    root = logging.getLogger()
    try:
        logs.configure_logging("plain", "warning")
        assert root.level == logging.WARNING
    finally:
        logs.configure_logging("plain", "INFO")
    assert root.level == logging.INFO
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.configure_logging("xml", "INFO")
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        logs.configure_logging("plain", "LOUD")


def test_database_errors_do_not_carry_the_values(app):
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT no_such_column WHERE :name = 1"), {"name": PSEUDONYM})
    db.session.rollback()
    assert PSEUDONYM not in str(raised.value)
