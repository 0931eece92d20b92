"""An agency admin enrols and deactivates only its own trainees: staff accounts (master
trainers, site admins, agency admins) and other agencies' people are never moved, given
roles or deactivated, through any of the three doors (add a person, roster, deactivate)."""

from datetime import date

import pytest
from sqlalchemy import select

from course.accounts.models import Role, User
from course.agencies import roster
from course.agencies.models import Cohort
from course.extensions import db
from course.learning.models import Enrolment
from course.permissions import Action, can

# Who the target is, relative to the acting agency admin of "Harbour".
TARGETS = {
    "master trainer": lambda make, own: make.make_user(Role.MASTER_TRAINER),
    "site admin": lambda make, own: make.make_site_admin(),
    "other agency admin": lambda make, own: make.make_user(Role.AGENCY_ADMIN, agency=own),
    "own agency trainer who mentors": lambda make, own: make.make_user(
        Role.AGENCY_TRAINER, Role.MASTER_TRAINER, agency=own
    ),
    "trainee of another agency": lambda make, own: make.make_trainee(agency=make.make_agency()),
    "person with no agency": lambda make, own: make.make_trainee(),
}


@pytest.fixture
def harbour(app, make):
    agency = make.make_agency("Harbour")
    cohort = Cohort(agency=agency, level="level-1", name="Spring", start_date=date.today())
    db.session.add(cohort)
    db.session.commit()
    admin = make.make_user(Role.AGENCY_ADMIN, agency=agency, email="admin@harbour.example.org")
    return agency, cohort, admin


def _state(person: User):
    db.session.refresh(person)
    return (person.agency_id, sorted(person.roles), person.active)


@pytest.mark.parametrize("kind", TARGETS)
def test_agency_admin_cannot_take_a_staff_or_foreign_account(client, auth, make, harbour, kind):
    agency, cohort, admin = harbour
    target = TARGETS[kind](make, agency)
    before = _state(target)
    auth.login(admin.email)

    added = client.post(
        f"/agency/cohorts/{cohort.public_id}/people",
        data={"email": target.email, "first": "Taken", "last": "Over", "title": "HV"},
        follow_redirects=True,
    )
    assert roster.CANNOT_ENROL in added.get_data(as_text=True)
    text = roster.one_person_csv(target.email, "Taken", "Over", "HV")
    client.post(
        f"/agency/cohorts/{cohort.public_id}", data={"action": "confirm", "roster_text": text}
    )
    assert client.post(f"/agency/people/{target.public_id}/deactivate").status_code == 404
    assert client.post(f"/agency/people/{target.public_id}/reactivate").status_code == 404

    assert _state(target) == before
    assert db.session.scalars(select(Enrolment).where(Enrolment.user_id == target.id)).all() == []
    assert auth.login(target.email).status_code == 302  # they can still sign in


def test_preview_answers_alike_for_every_address_the_agency_cannot_take(make, harbour):
    agency, cohort, admin = harbour
    targets = [build(make, agency) for build in TARGETS.values()]
    text = "email,first name,last name,job title\n" + "".join(f"{t.email},A,B,C\n" for t in targets)
    preview = roster.preview_roster(admin, cohort, text)
    assert [p.email for p in preview.problems] == [t.email for t in targets]
    assert {p.message for p in preview.problems} == {roster.CANNOT_ENROL}


def test_agency_admin_enrols_and_deactivates_its_own_trainee(client, auth, make, harbour):
    agency, cohort, admin = harbour
    own = make.make_trainee(agency=agency)
    auth.login(admin.email)
    client.post(
        f"/agency/cohorts/{cohort.public_id}/people",
        data={"email": own.email, "first": "Own", "last": "Trainee", "title": "HV"},
    )
    enrolled = db.session.scalars(select(Enrolment.cohort_id).where(Enrolment.user_id == own.id))
    assert enrolled.all() == [cohort.id]
    assert client.post(f"/agency/people/{own.public_id}/deactivate").status_code == 302
    db.session.refresh(own)
    assert own.active is False
    assert "Reactivate" in client.get("/agency/staff").get_data(as_text=True)
    assert client.post(f"/agency/people/{own.public_id}/reactivate").status_code == 302  # a mistake
    db.session.refresh(own)
    assert own.active is True
    auth.logout()
    assert auth.login(own.email).status_code == 302  # their own password works again


def test_an_agency_admin_cannot_reactivate_someone_a_site_admin_deactivated_elsewhere(
    client, auth, make, harbour
):
    agency, _, admin = harbour
    foreign = make.make_trainee(agency=make.make_agency("Elsewhere"))
    foreign.active = False
    db.session.commit()
    auth.login(admin.email)
    assert client.post(f"/agency/people/{foreign.public_id}/reactivate").status_code == 404
    db.session.refresh(foreign)
    assert foreign.active is False


def test_site_admin_may_enrol_an_account_without_agency_but_not_deactivate_itself(
    client, auth, make, harbour
):
    agency, cohort, _ = harbour
    site_admin = make.make_site_admin()
    loose = make.make_trainee()
    auth.login(site_admin.email)
    client.post(
        f"/agency/cohorts/{cohort.public_id}/people",
        data={"email": loose.email, "first": "No", "last": "Agency", "title": "HV"},
    )
    db.session.refresh(loose)
    assert loose.agency_id == agency.id
    assert client.post(f"/agency/people/{site_admin.public_id}/deactivate").status_code == 404
    db.session.refresh(site_admin)
    assert site_admin.active is True


@pytest.mark.parametrize(
    ("actor_roles", "expected"),
    [
        ((Role.TRAINEE,), False),
        ((Role.AGENCY_TRAINER,), False),
        ((Role.MASTER_TRAINER,), False),
        ((Role.AGENCY_ADMIN,), True),
        ((Role.SITE_ADMIN,), True),
    ],
)
def test_person_manage_rule_for_every_role_on_an_agency_trainee(
    make, harbour, actor_roles, expected
):
    agency, _, _ = harbour
    actor = make.make_user(*actor_roles, agency=agency)
    trainee = make.make_trainee(agency=agency)
    assert can(actor, Action.PERSON_MANAGE, trainee) is expected


def test_deactivating_someone_revokes_their_open_invitation(client, auth, make, harbour):
    from course.accounts import services as accounts
    from course.accounts.models import Invitation

    agency, _, admin = harbour
    person = make.make_trainee(agency=agency)
    person.password_hash = ""  # made by a roster, invitation not used yet
    db.session.commit()
    invitation, token = accounts.create_invitation(person.email, Role.TRAINEE, agency=agency)
    auth.login(admin.email)
    assert client.post(f"/agency/people/{person.public_id}/deactivate").status_code == 302
    auth.logout()
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert client.get(f"/invitations/{token}").status_code == 410
    assert (
        db.session.scalar(select(Invitation.used_at).where(Invitation.id == invitation.id)) is None
    )
