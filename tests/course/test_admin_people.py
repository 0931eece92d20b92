"""The site admin's people pages: find, correct, change roles, invite again; mentor
groups; the audit log by a person's name or email."""

import re

from sqlalchemy import select

from course.accounts.models import Role
from course.audit.models import AuditEvent
from course.extensions import db


def page(response) -> str:
    return response.get_data(as_text=True)


def test_people_are_found_by_words_of_their_name_or_email_and_paged(client, auth, make):
    auth.login_as(Role.SITE_ADMIN)
    agency = make.make_agency("Harbour Family Services")
    ana = make.make_trainee(agency=agency, name="Ana Ruiz", email="ana.ruiz@harbour.example.org")
    make.make_trainee(name="Ana Other", email="other@example.org")
    for n in range(55):
        make.make_trainee(name=f"Staff {n:02d}")

    found = page(client.get("/admin/people?q=ana+harbour"))
    assert f"/admin/people/{ana.public_id}" in found and "Ana Other" not in found
    assert "1 person" in found
    trainers = page(client.get("/admin/people?role=master_trainer"))
    assert "Nobody matches." in trainers

    first, second = page(client.get("/admin/people")), page(client.get("/admin/people?page=2"))
    assert "Staff 00" in first and "Staff 54" not in first
    assert "Staff 54" in second and 'rel="prev"' in second
    assert client.get("/admin/people?page=999").status_code == 200  # the last page


def test_percent_and_underscore_in_the_search_are_letters_not_wildcards(client, auth, make):
    """ "%" or "_" typed in the box finds the people whose name or email holds it,
    not everyone (they are LIKE's wildcards, escaped)."""
    auth.login_as(Role.SITE_ADMIN)
    make.make_trainee(name="Dana Reyes", email="dana@example.org")
    underscored = make.make_trainee(name="Sam Ito", email="sam_ito@example.org")
    found = page(client.get("/admin/people?q=_"))
    assert f"/admin/people/{underscored.public_id}" in found and "Dana Reyes" not in found
    assert "Nobody matches." in page(client.get("/admin/people?q=%25"))


def test_admin_corrects_name_email_roles_and_agency_and_the_audit_keeps_the_change(
    app, client, auth, make
):
    admin = auth.login_as(Role.SITE_ADMIN)
    agency = make.make_agency()
    person = make.make_trainee()
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": person.email, "password": make.PASSWORD})
    url = f"/admin/people/{person.public_id}"
    form = {
        "name": "Mei  Tanaka",
        "email": "Mei.Tanaka@Example.org",
        "roles": ["trainee", "agency_trainer"],
        "agency_id": str(agency.id),
    }

    assert client.post(url, data=form).status_code == 302
    assert (person.name, person.email, person.agency) == (
        "Mei Tanaka",
        "mei.tanaka@example.org",
        agency,
    )
    assert person.roles == {Role.TRAINEE, Role.AGENCY_TRAINER}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.edit"))
    assert event.actor_id == admin.id and event.object_id == str(person.id)
    assert event.detail["roles"] == [["trainee"], ["agency_trainer", "trainee"]]
    from flask import g

    g.pop("_login_user", None)  # the tests share one app context
    assert elsewhere.get("/training").status_code == 302  # a new email: sign in again


def test_bad_changes_are_refused_and_keep_what_was_typed(client, auth, make):
    admin = auth.login_as(Role.SITE_ADMIN)
    person, taken = make.make_trainee(), make.make_trainee()
    url = f"/admin/people/{person.public_id}"

    clash = client.post(url, data={"name": "New Name", "email": taken.email, "roles": ["trainee"]})
    assert clash.status_code == 400
    assert "is the email of another account" in page(clash) and 'value="New Name"' in page(clash)
    none = client.post(url, data={"name": "New Name", "email": person.email})
    assert none.status_code == 400 and "at least one role" in page(none)
    own = client.post(
        f"/admin/people/{admin.public_id}",
        data={"name": admin.name, "email": admin.email, "roles": ["trainee"]},
    )
    assert own.status_code == 400 and "your own site admin role" in page(own)
    assert person.name != "New Name" and Role.SITE_ADMIN in admin.roles


def test_only_site_admins_reach_people_pages(client, auth, make):
    from course.timeutil import utcnow

    person = make.make_trainee()
    person.password_hash, person.totp_secret, person.totp_enabled_at = (
        "",
        "JBSWY3DPEHPK3PXP",
        utcnow(),
    )
    db.session.commit()
    for role in (Role.TRAINEE, Role.MASTER_TRAINER, Role.AGENCY_ADMIN, Role.AGENCY_TRAINER):
        auth.login_as(role)
        assert client.get("/admin/people").status_code == 403
        assert client.get(f"/admin/people/{person.public_id}").status_code == 403
        assert (
            client.post(
                f"/admin/people/{person.public_id}",
                data={"name": "Taken", "email": "x@example.org", "roles": ["site_admin"]},
            ).status_code
            == 403
        )
        assert client.post(f"/admin/people/{person.public_id}/invitation").status_code == 403
        assert client.post(f"/admin/people/{person.public_id}/two-step-off").status_code == 403
        auth.logout()
    assert Role.SITE_ADMIN not in person.roles
    assert person.totp_enabled_at is not None  # still on


def test_a_new_invitation_for_someone_who_never_set_a_password(app, client, auth, make):
    from course.accounts.models import User
    from course.accounts.services import email_invitation

    admin = auth.login_as(Role.SITE_ADMIN)
    person = User(email="new.person@example.org", name="New Person", password_hash="")
    person.add_role(Role.MASTER_TRAINER)
    db.session.add(person)
    db.session.commit()
    email_invitation(admin, person.email, person.name, Role.MASTER_TRAINER)
    (first,) = make.mail_to(app, person)
    first_link = re.search(r"/invitations/\S+", first.get_content()).group(0)
    url = f"/admin/people/{person.public_id}"
    assert "Send a new invitation" in page(client.get(url))

    assert client.post(f"{url}/invitation").status_code == 302
    assert len(make.mail_to(app, person)) == 2
    assert client.get(first_link).status_code == 410  # the old link stops working
    refused = client.post(f"/admin/people/{admin.public_id}/invitation", follow_redirects=True)
    assert "can choose a new one from the sign-in page" in page(refused)


def test_site_admin_deactivates_from_the_person_page_and_comes_back_to_it(client, auth, make):
    auth.login_as(Role.SITE_ADMIN)
    person = make.make_trainee()
    url = f"/admin/people/{person.public_id}"
    done = client.post(f"/agency/people/{person.public_id}/deactivate", data={"next": url})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    assert not person.active
    assert "Reactivate" in page(client.get(url))
    away = client.post(
        f"/agency/people/{person.public_id}/reactivate", data={"next": "https://evil.example"}
    )
    assert person.active and not away.headers["Location"].startswith("https://evil")


def test_mentor_groups_are_listed_for_the_site_admin(client, auth, make):
    group = make.make_group()
    auth.login_as(Role.SITE_ADMIN)
    html = page(client.get("/admin/groups"))
    assert f"/mentor/groups/{group.public_id}" in html
    assert group.mentor.name in html and group.trainees[0].name in html


def test_the_audit_log_finds_a_person_by_name_or_email(client, auth, make):
    ana = make.make_trainee(name="Ana Ruiz")
    bo = make.make_trainee(name="Bo Lindqvist")
    for person in (ana, bo):
        auth.login_as(person)
        auth.logout()
    auth.login_as(Role.SITE_ADMIN)

    by_name = page(client.get("/admin/audit?who=ruiz"))
    assert "Ana Ruiz" in by_name and "Bo Lindqvist" not in by_name
    by_email = page(client.get(f"/admin/audit?who={bo.email}"))
    assert "Bo Lindqvist" in by_email and "Ana Ruiz" not in by_email
    nobody = page(client.get("/admin/audit?who=zzz-no-one"))
    assert "Nobody’s name or email holds “zzz-no-one”" in nobody


def test_exports_and_certificates_are_in_the_audit_log(client, auth, make):
    from course.mentoring import signoffs

    agency = make.make_agency()
    trainee = make.make_trainee(agency=agency)
    admin = auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    client.get("/agency/staff?format=csv")
    trainer = make.make_user(Role.MASTER_TRAINER)
    certificate, _ = signoffs.issue_certificate(trainer, trainee, "level-1", tell=lambda c: None)
    signoffs.revoke_certificate(certificate, trainer, "Issued to the wrong person")

    events = {
        (e.action, e.actor_id, e.object_id): e.detail
        for e in db.session.scalars(select(AuditEvent))
    }
    assert events[("report.export", admin.id, str(agency.id))] == {"people": 1}
    issued = events[("certificate.issue", trainer.id, str(trainee.id))]
    assert issued == {"level": "level-1", "code": certificate.code}
    revoked = events[("certificate.revoke", trainer.id, str(trainee.id))]
    assert revoked["reason"] == "Issued to the wrong person"
