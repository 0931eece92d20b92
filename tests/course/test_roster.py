"""Enrolling a cohort from a CSV roster."""

import io
from datetime import date

import pytest
from sqlalchemy import event, func, select

from course.accounts.models import Invitation, User
from course.agencies import roster
from course.agencies.models import Cohort
from course.extensions import db
from course.learning.models import Enrolment
from course.notifications.mail import OUTBOX_KEY

HEADER = "email,first name,last name,job title,pair code\n"


@pytest.fixture
def cohort(app, make):
    agency = make.make_agency("Harbour Home Visiting")
    cohort = Cohort(agency=agency, level="level-1", name="Spring", start_date=date.today())
    db.session.add(cohort)
    db.session.commit()
    return cohort


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_sorts_rows_and_saves_nothing(cohort, make):
    make.make_trainee(email="known@example.org", agency=cohort.agency)
    text = HEADER + (
        "new.one@example.org,Ana,Reyes,Home visitor,\n"
        "known@example.org,Kim,Lee,Family support worker,\n"
        "not-an-email,Bo,Ek,Nurse,\n"
    )
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    before = (count(User), count(Enrolment))
    preview = roster.preview_roster(admin, cohort, text)
    assert [r.email for r in preview.new] == ["new.one@example.org"]
    assert [u.email for _, u in preview.existing] == ["known@example.org"]
    assert [(p.line, p.message) for p in preview.problems] == [
        (4, "'not-an-email' is not an email address")
    ]
    assert (count(User), count(Enrolment)) == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("a@example.org,A,B,C,\nA@example.org,A,B,C,\n", "duplicate of line 2"),
        ("a@example.org,,B,C,\n", "first and last name are needed"),
        ("a@example.org,A,B,C,P1\n", "pair code 'P1' must be shared by exactly two people"),
        (
            "a@example.org,A,B,C,P1\nb@example.org,A,B,C,P1\nc@example.org,A,B,C,P1\n",
            "pair code 'P1' must be shared by exactly two people",
        ),
    ],
)
def test_preview_names_each_row_error(cohort, make, rows, message):
    preview = roster.preview_roster(make.make_site_admin(), cohort, HEADER + rows)
    assert any(message in p.message for p in preview.problems)


def test_person_of_another_agency_is_refused(cohort, make):
    make.make_trainee(email="elsewhere@example.org", agency=make.make_agency("Other"))
    text = HEADER + "elsewhere@example.org,A,B,C,\n"
    preview = roster.preview_roster(make.make_site_admin(), cohort, text)
    assert preview.problems[0].message == roster.CANNOT_ENROL


def test_level_two_cohort_needs_level_one(cohort, make):
    cohort.level = "level-2"
    ready = make.make_level_two_trainee(agency=cohort.agency, email="ready@example.org")
    make.make_trainee(agency=cohort.agency, email="notyet@example.org")
    text = HEADER + "ready@example.org,A,B,C,\nnotyet@example.org,A,B,C,\nnew@example.org,A,B,C,\n"
    preview = roster.preview_roster(make.make_site_admin(), cohort, text)
    assert [u.id for _, u in preview.existing] == [ready.id]
    assert [p.email for p in preview.problems] == ["notyet@example.org", "new@example.org"]
    assert {p.message for p in preview.problems} == {"Level 2 needs Level 1 complete first"}


def test_missing_column_is_a_file_problem(cohort, make):
    preview = roster.preview_roster(
        make.make_site_admin(), cohort, "email,first name\na@example.org,A\n"
    )
    assert preview.problems[0].message == "missing column: last name"
    assert preview.changes == 0


def test_import_saves_valid_rows_and_emails_invitations(app, cohort, make):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    text = (
        HEADER
        + "ana@example.org,Ana,Reyes,Home visitor,P\nkim@example.org,Kim,Lee,Nurse,P\nbad,X,Y,Z,\n"
    )
    roster.import_roster(admin, cohort.agency, cohort, text)
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert (ana.name, ana.job_title, ana.active, ana.agency_id) == (
        "Ana Reyes",
        "Home visitor",
        False,
        cohort.agency.id,
    )
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == ana.id))
    assert (enrolment.cohort_id, enrolment.level, enrolment.pair_code) == (
        cohort.id,
        "level-1",
        "P",
    )
    outbox = app.extensions["course_mail_outbox"]
    assert sorted(m["To"] for m in outbox) == ["ana@example.org", "kim@example.org"]
    assert "/invitations/" in outbox[0].get_content()
    assert count(Invitation) == 2


def test_reuploading_the_same_file_changes_nothing(app, cohort, make):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    text = HEADER + "ana@example.org,Ana,Reyes,Home visitor,\n"
    roster.import_roster(admin, cohort.agency, cohort, text)
    before = (count(User), count(Enrolment), count(Invitation))
    again = roster.import_roster(admin, cohort.agency, cohort, text)
    assert again.changes == 0 and len(again.unchanged) == 1
    assert (count(User), count(Enrolment), count(Invitation)) == before


def test_invited_person_from_a_roster_signs_in_after_setting_a_password(client, cohort, make):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    roster.import_roster(admin, cohort.agency, cohort, HEADER + "ana@example.org,Ana,Reyes,HV,\n")
    assert (
        client.post("/login", data={"email": "ana@example.org", "password": ""}).status_code != 302
    )
    link = client.application.extensions["course_mail_outbox"][0].get_content()
    token = link.split("/invitations/")[1].split()[0]
    response = client.post(
        f"/invitations/{token}",
        data={
            "name": "Ana Reyes",
            "password": "harbour lights at dusk",
            "confirm": "harbour lights at dusk",
        },
    )
    assert response.status_code == 302
    assert client.get("/training").status_code == 200


def test_two_thousand_rows_preview_and_import(app, cohort, make):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    text = HEADER + "".join(
        f"p{n}@example.org,First{n},Last{n},Home visitor,\n" for n in range(2000)
    )
    commits, session = [], db.session()
    count_commit = commits.append  # one bound method, to remove the same listener
    event.listen(session, "after_commit", count_commit)
    try:
        preview = roster.import_roster(admin, cohort.agency, cohort, text)
    finally:
        event.remove(session, "after_commit", count_commit)
    assert len(preview.new) == 2000 and preview.problems == []
    assert count(Enrolment) == count(Invitation) == 2000
    assert len(commits) == 1  # people, enrolments and invitations saved together
    outbox = app.extensions.get(OUTBOX_KEY, [])
    assert len(outbox) == 2000 and outbox[-1]["To"] == "p1999@example.org"
    too_many = text + "extra@example.org,A,B,C,\n"
    assert (
        "split the file"
        in roster.preview_roster(make.make_site_admin(), cohort, too_many).problems[0].message
    )


def _csv(text):
    return (io.BytesIO(text.encode()), "roster.csv")


def test_roster_page_previews_then_saves_on_confirm(client, auth, cohort, make):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency))
    text = HEADER + "ana@example.org,Ana,Reyes,Home visitor,\nbad-email,X,Y,Z,\n"
    page = client.post(
        f"/agency/cohorts/{cohort.public_id}",
        data={"action": "preview", "roster": _csv(text)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1</strong> new people will be invited" in page
    assert "&#39;bad-email&#39; is not an email address" in page
    assert count(Enrolment) == 0  # nothing saved by the preview
    response = client.post(
        f"/agency/cohorts/{cohort.public_id}", data={"action": "confirm", "roster_text": text}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: 1 invited, 0 enrolled, 0 already in the cohort, 1 rows left out." in page
    assert "Ana Reyes" in page and "(invited)" in page


def test_agency_admin_creates_a_cohort_and_sees_its_numbers(client, auth, cohort, make):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency))
    response = client.post(
        "/agency/cohorts",
        data={"name": "Autumn", "level": "level-1", "start_date": "2026-12-01", "mentor_id": "0"},
    )
    assert response.status_code == 302
    new = db.session.scalar(select(Cohort).where(Cohort.name == "Autumn"))
    assert new.agency_id == cohort.agency_id and new.mentor_id is None
    roster.import_roster(
        make.make_site_admin(),
        cohort.agency,
        new,
        HEADER + "a@example.org,A,B,C,\nb@example.org,B,C,D,\n",
    )
    page = client.get("/agency/cohorts").get_data(as_text=True)
    assert "<td>2</td><td>2</td><td>0</td><td>0</td>" in page


def test_cohort_pages_are_refused_to_another_agencys_admin(client, auth, cohort, make):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=make.make_agency("Other")))
    assert client.get(f"/agency/cohorts/{cohort.public_id}").status_code == 404
    assert client.get(f"/agency/cohorts?agency={cohort.agency_id}").status_code == 404
    response = client.post(
        f"/agency/cohorts/{cohort.public_id}",
        data={"action": "confirm", "roster_text": HEADER + "x@example.org,X,Y,Z,\n"},
    )
    assert response.status_code == 404
    assert count(Enrolment) == 0


def test_site_admin_sees_any_agencys_cohorts(client, auth, cohort):
    auth.login_as(make_site_admin_user())
    assert "Spring" in client.get(f"/agency/cohorts?agency={cohort.agency_id}").get_data(
        as_text=True
    )


def make_site_admin_user():
    from tests.factories import make_site_admin

    return make_site_admin()


@pytest.fixture
def enrolled(cohort, make):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    roster.import_roster(admin, cohort.agency, cohort, HEADER + "ana@example.org,Ana,Reyes,HV,\n")
    enrolment = db.session.scalar(select(Enrolment))
    return admin, enrolment


def test_withdraw_keeps_the_record_with_date_and_reason(client, auth, enrolled):
    admin, enrolment = enrolled
    auth.login_as(admin)
    assert (
        client.post(
            f"/agency/enrolments/{enrolment.public_id}/withdraw", data={"reason": ""}
        ).status_code
        == 302
    )
    assert enrolment.status == "active"  # a reason is required
    client.post(
        f"/agency/enrolments/{enrolment.public_id}/withdraw", data={"reason": "Left the team"}
    )
    assert (enrolment.status, enrolment.withdrawn_reason) == ("withdrawn", "Left the team")
    assert enrolment.withdrawn_at is not None
    page = client.get(f"/agency/cohorts/{enrolment.cohort.public_id}").get_data(as_text=True)
    assert "Left the team" in page


def test_move_keeps_history_and_progress(client, auth, cohort, enrolled):
    from course.curriculum.services import get_curriculum
    from course.learning.services import level_progress, record_visit

    admin, enrolment = enrolled
    target = Cohort(agency=cohort.agency, level="level-1", name="Summer", start_date=date.today())
    db.session.add(target)
    db.session.commit()
    level_one = get_curriculum().level("level-1")
    record_visit(enrolment.user, level_one.units[0])
    auth.login_as(admin)
    client.post(
        f"/agency/enrolments/{enrolment.public_id}/move", data={"cohort_id": target.public_id}
    )
    assert (enrolment.status, enrolment.withdrawn_reason) == ("withdrawn", "moved to Summer")
    moved = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == target.id))
    assert moved.user_id == enrolment.user_id and moved.status == "active"
    assert level_progress(enrolment.user, level_one).rows[0].status == "in_progress"


def test_invitation_resend_replaces_the_link_and_revoke_stops_it(app, client, auth, enrolled):
    admin, _ = enrolled
    first = db.session.scalar(select(Invitation))
    auth.login_as(admin)
    client.post(f"/agency/invitations/{first.public_id}/resend")
    assert first.revoked_at is not None
    outbox = app.extensions["course_mail_outbox"]
    assert len(outbox) == 2 and outbox[1]["To"] == "ana@example.org"
    old_token = outbox[0].get_content().split("/invitations/")[1].split()[0]
    new_token = outbox[1].get_content().split("/invitations/")[1].split()[0]
    assert client.get(f"/invitations/{old_token}").status_code == 410
    second = db.session.scalar(select(Invitation).where(Invitation.revoked_at.is_(None)))
    client.post(f"/agency/invitations/{second.public_id}/revoke")
    assert client.get(f"/invitations/{new_token}").status_code == 410


def test_deactivate_stops_sign_in_and_keeps_records(client, auth, make, cohort):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    person = make.make_trainee(agency=cohort.agency)
    auth.login_as(admin)
    client.post(f"/agency/people/{person.public_id}/deactivate")
    assert person.active is False
    auth.logout()
    assert auth.login(person.email).status_code == 200  # refused: stays on the form


def test_agency_actions_refused_to_another_agencys_admin(client, auth, make, enrolled):
    _, enrolment = enrolled
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=make.make_agency("Other")))
    invitation = db.session.scalar(select(Invitation))
    assert (
        client.post(
            f"/agency/enrolments/{enrolment.public_id}/withdraw", data={"reason": "x"}
        ).status_code
        == 404
    )
    assert client.post(f"/agency/people/{enrolment.user.public_id}/deactivate").status_code == 404
    assert client.post(f"/agency/invitations/{invitation.public_id}/revoke").status_code == 404
    assert enrolment.status == "active" and invitation.revoked_at is None


def test_add_one_person_follows_the_roster_rules(app, client, auth, cohort, make):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency))
    data = {"email": "solo@example.org", "first": "Sol", "last": "Ortiz", "title": "Nurse"}
    page = client.post(
        f"/agency/cohorts/{cohort.public_id}/people", data=data, follow_redirects=True
    ).get_data(as_text=True)
    assert "Sol Ortiz is enrolled and invited by email." in page
    again = client.post(
        f"/agency/cohorts/{cohort.public_id}/people", data=data, follow_redirects=True
    ).get_data(as_text=True)
    assert "solo@example.org is already in this cohort." in again
    assert count(Enrolment) == 1 and len(app.extensions["course_mail_outbox"]) == 1


def test_level_two_cohort_with_a_mentor_forms_pair_groups(cohort, make):
    from course.mentoring.services import group_of_trainee

    mentor = make.make_user(make.Role.MASTER_TRAINER)
    cohort.level, cohort.mentor_id = "level-2", mentor.id
    a = make.make_level_two_trainee(agency=cohort.agency, email="a@example.org")
    b = make.make_level_two_trainee(agency=cohort.agency, email="b@example.org")
    c = make.make_level_two_trainee(agency=cohort.agency, email="c@example.org")
    text = HEADER + "a@example.org,A,A,HV,P7\nb@example.org,B,B,HV,P7\nc@example.org,C,C,HV,\n"
    roster.import_roster(make.make_site_admin(), cohort.agency, cohort, text)
    pair, single = group_of_trainee(a, "level-2"), group_of_trainee(c, "level-2")
    assert pair.trainee_ids == {a.id, b.id} and pair.mentor_id == mentor.id
    assert single.trainee_ids == {c.id}
    assert pair.start_date == cohort.start_date


def test_import_is_all_or_nothing(cohort, make, monkeypatch):
    admin = make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency)
    text = HEADER + "".join(f"roster-p{n}@example.org,P,{n},HV,\n" for n in range(5))
    calls = []
    original = roster._enrol

    def failing(user, cohort, pair):
        calls.append(user)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        original(user, cohort, pair)

    monkeypatch.setattr(roster, "_enrol", failing)
    with pytest.raises(RuntimeError):
        roster.import_roster(admin, cohort.agency, cohort, text)
    db.session.rollback()
    assert count(Enrolment) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email.like("roster-p%@example.org"))
        )
        == 0
    )


@pytest.mark.parametrize(
    "header",
    [
        "Email,First Name,Last Name,Job Title",
        "EMAIL,FIRST_NAME,LAST_NAME,JOB_TITLE",
        "email,firstname,lastname,jobtitle",
        "Email Address, First-Name ,Surname,Position",
        "username,password,firstname,lastname,email,department",  # Moodle's upload users
        "user_id,login_id,first_name,last_name,full_name,email,status",  # Canvas SIS users.csv
    ],
)
def test_rosters_read_the_column_names_people_files_come_with(header):
    columns = [
        c.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        for c in header.split(",")
    ]
    values = {
        "email": "ana@example.org",
        "emailaddress": "ana@example.org",
        "firstname": "Ana",
        "lastname": "Reyes",
        "surname": "Reyes",
        "jobtitle": "Home visitor",
        "position": "Home visitor",
    }
    line = ",".join(values.get(column, "x") for column in columns)
    rows, problems = roster.read_roster(f"{header}\n{line}\n")
    assert problems == []
    assert [(r.email, r.first, r.last) for r in rows] == [("ana@example.org", "Ana", "Reyes")]
    has_title = any(c in ("jobtitle", "position") for c in columns)
    assert rows[0].title == ("Home visitor" if has_title else "")


def test_a_windows_1252_roster_keeps_its_accents_and_an_unreadable_one_is_refused():
    text = HEADER + "jose@example.org,José,Müller,Educadora de visitas,\n"
    rows, problems = roster.read_roster(roster.decode_roster(text.encode("cp1252")))
    assert problems == [] and (rows[0].first, rows[0].last) == ("José", "Müller")
    unreadable = HEADER.encode() + b"x@example.org,\x81\x8d\xc3,B,C,\n"
    with pytest.raises(roster.RosterFileError, match="CSV UTF-8"):
        roster.decode_roster(unreadable)


def test_an_unreadable_roster_is_refused_on_the_page_and_nothing_is_stored(
    client, auth, make, cohort
):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency))
    data = HEADER.encode() + b"x@example.org,\x81\x8d\xc3,B,C,\n"
    page = client.post(
        f"/agency/cohorts/{cohort.public_id}",
        data={"roster": (io.BytesIO(data), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert "CSV UTF-8" in page.get_data(as_text=True)
    assert "\ufffd" not in page.get_data(as_text=True)
    assert count(Invitation) == 0


def test_utf16_roster_from_a_spreadsheet_reads_like_utf8():
    text = HEADER + "ana@example.org,Ána,Reyes,Home visitor,\n"
    for encoded in (text.encode("utf-16"), text.encode("utf-8-sig"), text.encode("utf-8")):
        rows, problems = roster.read_roster(roster.decode_roster(encoded))
        assert problems == []
        assert [(r.email, r.first) for r in rows] == [("ana@example.org", "Ána")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,first name\x00,last name\n", "not a CSV text file"),
        (HEADER + 'a@example.org,A,B,"' + "x" * 1_000_000 + '",\n', "cannot be read as CSV"),
    ],
)
def test_files_that_are_not_csv_text_are_one_clear_problem(text, message):
    rows, problems = roster.read_roster(text)
    assert rows == [] and message in problems[0].message


def test_overlong_names_titles_and_pair_codes_are_row_problems(cohort, make):
    long = "x" * 121
    text = HEADER + (
        f"a@example.org,{long},B,HV,\n"
        f"b@example.org,A,B,{long},\n"
        f"c@example.org,A,B,HV,{'p' * 41}\n"
        "d@example.org,Dana,Bell,Home visitor,\n"
    )
    preview = roster.preview_roster(make.make_site_admin(), cohort, text)
    assert [p.email for p in preview.problems] == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert [r.email for r in preview.new] == ["d@example.org"]


def test_a_utf16_roster_uploads_through_the_page(client, auth, make, cohort):
    auth.login_as(make.make_user(make.Role.AGENCY_ADMIN, agency=cohort.agency))
    data = (HEADER + "ana@example.org,Ana,Reyes,Home visitor,\n").encode("utf-16")
    page = client.post(
        f"/agency/cohorts/{cohort.public_id}",
        data={"roster": (io.BytesIO(data), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert "ana@example.org" in page.get_data(as_text=True)


def test_someone_in_another_cohort_moves_only_when_the_admin_says_so(
    client, auth, cohort, enrolled
):
    admin, enrolment = enrolled
    summer = Cohort(agency=cohort.agency, level="level-1", name="Summer", start_date=date.today())
    db.session.add(summer)
    db.session.commit()
    text = HEADER + "ana@example.org,Ana,Reyes,HV,\n"
    auth.login_as(admin)
    url = f"/agency/cohorts/{summer.public_id}"

    preview = roster.preview_roster(admin, summer, text)
    assert [(person.email, where) for _, person, where in preview.moving] == [
        ("ana@example.org", "Spring")
    ]
    assert preview.existing == []
    kept = client.post(url, data={"action": "confirm", "roster_text": text}, follow_redirects=True)
    assert "1 left in their other cohort" in kept.get_data(as_text=True)
    assert enrolment.status == "active" and enrolment.cohort_id == cohort.id

    one = client.post(
        f"{url}/people",
        data={"email": "ana@example.org", "first": "Ana", "last": "Reyes", "title": "HV"},
        follow_redirects=True,
    )
    assert "Ana Reyes is in Spring: to move them here, use Move" in one.get_data(as_text=True)
    assert enrolment.cohort_id == cohort.id

    moved = client.post(
        url,
        data={"action": "confirm", "roster_text": text, "move_others": "yes"},
        follow_redirects=True,
    )
    assert "1 moved here from other cohorts" in moved.get_data(as_text=True)
    assert (enrolment.status, enrolment.withdrawn_reason) == ("withdrawn", "moved to Summer")
    now = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == summer.id))
    assert now.user_id == enrolment.user_id and now.status == "active"
