from course.accounts.models import Invitation, Role
from course.extensions import db


def test_admin_page_lists_agencies_and_people_with_roles(client, auth, make):
    agency = make.make_agency("Lakeside Early Intervention")
    make.make_user(Role.TRAINEE, Role.AGENCY_TRAINER, agency=agency, name="Odile Brandt")
    auth.login_as(Role.SITE_ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Lakeside Early Intervention" in page
    assert "Odile Brandt" in page
    assert "Agency trainer, Trainee" in page


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
    page = response.get_data(as_text=True)
    invitation = db.session.query(Invitation).one()
    assert invitation.email == "new.person@example.org"
    assert invitation.role == Role.AGENCY_ADMIN
    assert invitation.agency_id == agency.id
    assert "/invitations/" in page
    link = page.split("/invitations/")[1].split("<")[0]
    client.post("/logout")
    assert client.get(f"/invitations/{link}").status_code == 200


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
