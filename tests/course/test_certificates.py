"""Certificates people can use: a printable page and a PDF (name, level, date, the
signing trainer, a QR code and short URL of the verify page), for the holder, the
issuer and site admins only."""

import io
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from course.accounts.models import Role
from course.workshops import services as workshops
from course.workshops.models import Presence


@pytest.fixture
def signed_off(app, make):
    """Łucja's Level 1 signed off by Maya at a past workshop (a name beyond Latin-1)."""
    agency = make.make_agency("Riverside")
    maya = make.make_user(Role.MASTER_TRAINER, name="Maya Trainer")
    trainee = make.make_trainee(agency=agency, name="Łucja Żółć-Núñez")
    workshop = make.make_workshop(trainer=maya, agencies=[agency])
    from course.curriculum.services import get_curriculum
    from quizzes.api import take_quiz

    for unit in get_curriculum().level("level-1").units:
        take_quiz(trainee.id, unit.quiz)
    workshops.enrol(maya, workshop, [trainee])
    for session in workshop.sessions:
        workshops.record_attendance(maya, session, trainee.id, Presence.PRESENT)
    certificate = workshops.sign_off_level_one(maya, workshop, trainee)
    return {"certificate": certificate, "trainee": trainee, "maya": maya, "agency": agency}


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    (page,) = reader.pages
    return page.extract_text(), len(page.images)


def test_the_holder_downloads_a_pdf_with_everything_a_reader_needs(app, client, auth, signed_off):
    certificate = signed_off["certificate"]
    auth.login(signed_off["trainee"].email)
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text, images = _pdf_text(response.data)
    flat = " ".join(text.split())
    assert "Łucja Żółć-Núñez" in flat  # printed as written
    assert "Level 1: Knowledge Building" in flat
    issued = certificate.issued_at.astimezone(ZoneInfo(app.config["COURSE_TIME_ZONE"]))
    assert f"{issued:%B} {issued.day}, {issued:%Y}" in flat  # the site's date, as on the page
    assert "Signed off by Maya Trainer" in flat and "PFR Master Trainer" in flat
    assert f"/verify/{certificate.code}" in flat
    assert images == 1  # the QR code


def test_the_printable_page_has_the_qr_code_and_the_verify_address(client, auth, signed_off):
    certificate = signed_off["certificate"]
    auth.login(signed_off["trainee"].email)
    html = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "<svg" in html and "Verify this certificate" in html
    assert f"/verify/{certificate.code}" in html
    assert "Download the PDF" in html and "data-print" in html


def test_only_the_holder_the_issuer_and_site_admins_open_it(client, auth, signed_off, make):
    code = signed_off["certificate"].code
    allowed = [signed_off["trainee"], signed_off["maya"], make.make_site_admin()]
    refused = [
        make.make_trainee(agency=signed_off["agency"]),
        make.make_user(Role.AGENCY_ADMIN, agency=signed_off["agency"]),
        make.make_user(Role.MASTER_TRAINER),
        make.make_user(Role.AGENCY_TRAINER, agency=signed_off["agency"]),
    ]
    assert client.get(f"/certificates/{code}").status_code == 302  # sign in first
    for person, status in [(p, 200) for p in allowed] + [(p, 404) for p in refused]:
        client.post("/logout")
        auth.login(person.email)
        assert client.get(f"/certificates/{code}").status_code == status, person.roles
        assert client.get(f"/certificates/{code}.pdf").status_code == status, person.roles


def test_a_revoked_certificate_gets_no_new_pdf_and_says_so(client, auth, signed_off):
    certificate, maya = signed_off["certificate"], signed_off["maya"]
    workshop = workshops.workshop_of_trainee(signed_off["trainee"])
    workshops.revoke_level_one(maya, workshop, signed_off["trainee"], "Wrong person signed off.")
    auth.login(signed_off["trainee"].email)
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 404
    page = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "This certificate was revoked" in page
    public = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was revoked" in public
