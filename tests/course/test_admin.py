from course.accounts.models import Invitation, Role
from course.extensions import db


def test_admin_page_lists_agencies_and_people_with_roles(client, auth, make):
    agency = make.make_agency("Lakeside Early Intervention")
    make.make_user(Role.TRAINEE, Role.AGENCY_TRAINER, agency=agency, name="Odile Brandt")
    auth.login_as(Role.SITE_ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Lakeside Early Intervention" in page
    assert "Everyone (2)" in page
    people = client.get("/admin/people").get_data(as_text=True)
    assert "Odile Brandt" in people
    assert "Agency trainer, Trainee" in people


def test_admin_creates_an_invitation_and_sees_its_link(client, auth, make):
    agency = make.make_agency("Lakeside Early Intervention")
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        "/admin/",
        data={
            "email": "New.Person@example.org",
            "name": "New Person",
            "role": "agency_admin",
            "agency_id": str(agency.id),
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    invitation = db.session.query(Invitation).one()
    assert invitation.email == "new.person@example.org"
    assert invitation.role == Role.AGENCY_ADMIN
    assert invitation.agency_id == agency.id
    assert "An invitation is on its way to New.Person@example.org" in page
    assert "valid 14 days" in page
    assert "/invitations/" not in page  # no admin sees a token meant for someone else
    (mail,) = client.application.extensions["course_mail_outbox"]
    assert mail["To"] == "New.Person@example.org"
    link = mail.get_content().split("/invitations/")[1].split()[0]
    client.post("/logout")
    assert client.get(f"/invitations/{link}").status_code == 200


def test_inviting_someone_with_an_account_gives_the_role_and_no_link(client, auth, make):
    person = make.make_trainee(email="pilar@example.org")
    before = person.password_hash
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        "/admin/",
        data={"email": "pilar@example.org", "name": "", "role": "agency_trainer", "agency_id": "0"},
        follow_redirects=True,
    )
    assert "already has an account" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.roles == {Role.TRAINEE, Role.AGENCY_TRAINER}
    assert person.password_hash == before
    assert db.session.query(Invitation).count() == 0
    outbox = client.application.extensions["course_mail_outbox"]
    assert [m["To"] for m in outbox] == ["pilar@example.org"]
    assert "/invitations/" not in outbox[0].get_content()


def test_admin_invitation_with_bad_email_keeps_what_was_typed(client, auth):
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        "/admin/",
        data={"email": "not-an-email", "name": "Kept Name", "role": "trainee", "agency_id": "0"},
    )
    page = response.get_data(as_text=True)
    assert 'value="Kept Name"' in page
    assert 'value="not-an-email"' in page
    assert db.session.query(Invitation).count() == 0


def test_site_admin_adds_an_agency_once(client, auth):
    from course.agencies.models import Agency

    auth.login_as(Role.SITE_ADMIN)
    client.post("/admin/agencies", data={"agency-name": "Northside Early Learning"})
    response = client.post(
        "/admin/agencies", data={"agency-name": "northside early learning"}, follow_redirects=True
    )
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.query(Agency).filter_by(name="Northside Early Learning").count() == 1
    page = client.get("/admin/").get_data(as_text=True)
    assert "Northside Early Learning" in page and "/agency/staff?agency=" in page
