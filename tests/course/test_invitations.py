from datetime import timedelta

import pytest

from course.accounts import services
from course.accounts.models import Invitation, Role, User
from course.extensions import db
from course.timeutil import utcnow

PASSWORD = "a-fresh-long-password"


def _form(name="Nadia Haddad", password=PASSWORD, confirm=None):
    return {"name": name, "password": password, "confirm": confirm or password}


@pytest.fixture
def invitation(app, make):
    agency = make.make_agency("Harbour Home Visiting")
    invitation, token = services.create_invitation(
        "nadia@example.org", Role.TRAINEE, agency=agency, name="Nadia"
    )
    return invitation, token


def test_invitation_token_is_stored_only_as_a_hash(invitation):
    invitation, token = invitation
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_invitation_page_shows_who_is_invited(client, invitation):
    _, token = invitation
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 200
    assert b"nadia@example.org" in response.data
    assert b"Harbour Home Visiting" in response.data


def test_accepting_invitation_creates_account_with_role_and_agency(client, invitation):
    _, token = invitation
    response = client.post(f"/invitations/{token}", data=_form())
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="nadia@example.org").one()
    assert user.roles == {Role.TRAINEE}
    assert user.agency.name == "Harbour Home Visiting"
    assert user.name == "Nadia Haddad"
    assert client.get("/training").status_code == 200  # signed in
    assert services.authenticate("nadia@example.org", PASSWORD) == user


def test_invitation_cannot_be_used_twice(client, invitation):
    _, token = invitation
    client.post(f"/invitations/{token}", data=_form())
    client.post("/logout")
    response = client.post(f"/invitations/{token}", data=_form(password="someone-elses-password"))
    assert response.status_code == 410
    assert b"already been used" in response.data
    assert services.authenticate("nadia@example.org", PASSWORD) is not None


def test_expired_invitation_is_refused(client, invitation):
    record, token = invitation
    record.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410
    assert b"expired" in response.data
    assert client.post(f"/invitations/{token}", data=_form()).status_code == 410
    assert db.session.query(User).count() == 0


def test_revoked_invitation_is_refused(client, invitation):
    record, token = invitation
    record.revoked_at = utcnow()
    db.session.commit()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410
    assert b"withdrawn" in response.data


def test_wrong_invitation_token_is_not_found(client, invitation):
    _, token = invitation
    response = client.get(f"/invitations/{token[:-2]}xx")
    assert response.status_code == 404
    assert b"not valid" in response.data


def test_invitation_with_weak_password_keeps_the_name_typed(client, invitation):
    _, token = invitation
    response = client.post(f"/invitations/{token}", data=_form(name="Nadia H.", password="short"))
    assert response.status_code == 200
    assert b'value="Nadia H."' in response.data
    assert b"at least 12" in response.data.lower() or b"12 characters" in response.data
    assert db.session.get(Invitation, invitation[0].id).used_at is None


def test_invitation_with_mismatched_passwords_says_so(client, invitation):
    _, token = invitation
    data = _form(confirm="not-the-same-password")
    response = client.post(f"/invitations/{token}", data=data)
    assert b"The two passwords differ." in response.data
    assert db.session.query(User).count() == 0


def test_an_invitation_never_sets_the_password_of_an_account_in_use(client, make):
    user = make.make_trainee(email="pilar@example.org")
    before = user.password_hash
    _, token = services.create_invitation("PILAR@example.org", Role.AGENCY_TRAINER)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "already an account" in page.get_data(as_text=True)
    taken = client.post(f"/invitations/{token}", data=_form())
    assert taken.status_code == 410
    with pytest.raises(services.InvitationError):
        services.accept_invitation(token, "Pilar", PASSWORD)
    db.session.refresh(user)
    assert (user.password_hash, user.roles) == (before, {Role.TRAINEE})
    assert client.get("/training").status_code == 302  # nobody was signed in


def test_invitation_completes_an_account_a_roster_made(app, make):
    agency = make.make_agency()
    user = User(
        email="june@example.org", name="June", agency=agency, password_hash="", active=False
    )
    user.add_role(Role.TRAINEE)
    db.session.add(user)
    db.session.commit()
    _, token = services.create_invitation("june@example.org", Role.TRAINEE, agency=agency)
    services.accept_invitation(token, "June Okoro", PASSWORD)
    assert user.active and user.password_hash and user.name == "June Okoro"
    assert db.session.query(User).count() == 1
