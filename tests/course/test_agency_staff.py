import re

from sqlalchemy import select

from course.accounts.models import Role, User
from course.extensions import db
from course.mentoring.models import WeekSignOff
from course.reflections.models import Reflection


def test_agency_admin_sees_own_staff_status_and_sign_offs_but_no_reflection_text(
    client, auth, runner
):
    from course.demo import DEMO_PASSWORD

    runner.invoke(args=["course", "seed-demo"])
    auth.login("admin@riverbend.example.org", password=DEMO_PASSWORD)
    page = client.get("/agency/staff").get_data(as_text=True)
    assert "Jonah Whitfield" in page and "Tomasz Wilk" in page and "Amara Nwosu" in page
    assert "Mei Tanaka" not in page  # another agency's trainee
    assert "Level 2 with Graham Lindqvist" in page
    # Week by week on each person's page: statuses and sign-off dates.
    admin = db.session.scalar(select(User).where(User.email == "admin@riverbend.example.org"))
    signed = db.session.scalars(
        select(WeekSignOff)
        .join(User, User.id == WeekSignOff.trainee_id)
        .where(User.agency_id == admin.agency_id, WeekSignOff.revoked_at.is_(None))
    ).first()
    trainee = db.session.get(User, signed.trainee_id)
    assert f'href="/agency/staff/{trainee.public_id}"' in page
    person = client.get(f"/agency/staff/{trainee.public_id}").get_data(as_text=True)
    assert re.search(r"Week 1: Watching with fresh eyes: signed off \d+ \w+ 20\d\d", person)
    for shown in (page, person):
        for reflection in db.session.scalars(select(Reflection)):
            for line in reflection.body.splitlines():
                if len(line) > 20:
                    assert line not in shown
        assert "Tomasz reaches for labels" not in shown  # the mentor's private meeting notes


def test_agency_staff_page_is_for_agency_admins_and_site_admins(client, auth, make):
    agency = make.make_agency("Harbour")
    for role in (Role.TRAINEE, Role.MASTER_TRAINER, Role.AGENCY_TRAINER):
        auth.login_as(role)
        assert client.get("/agency/staff").status_code == 403
        auth.logout()
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=make.make_agency("Other")))
    assert client.get(f"/agency/staff?agency={agency.id}").status_code == 404  # not theirs
    assert "Staff progress: Other" in client.get("/agency/staff").get_data(as_text=True)
    auth.logout()
    auth.login_as(Role.SITE_ADMIN)
    assert client.get("/agency/staff").status_code == 404  # a site admin names the agency
    assert "Staff progress: Harbour" in client.get(f"/agency/staff?agency={agency.id}").get_data(
        as_text=True
    )


def test_notify_weeks_tells_each_trainee_once_per_opened_week(app, make, runner):
    from datetime import date, timedelta

    from course.extensions import db
    from course.notifications.models import Notification

    trainee = make.make_level_two_trainee()
    make.make_group(trainees=[trainee], start_date=date.today() - timedelta(days=8))
    first = runner.invoke(args=["course", "notify-weeks"])
    assert "Sent 2 week-opening notifications." in first.output  # weeks 1 and 2
    again = runner.invoke(args=["course", "notify-weeks"])
    assert "Sent 0 week-opening notifications." in again.output
    links = {n.link for n in db.session.scalars(select(Notification))}
    assert "/units/l2-week-02-going-out-and-coming-back" in links
    assert "/units/l2-week-03-signals-easy-to-miss" not in links


def test_agency_admin_follows_quiz_results_as_pass_fail_only(client, auth, runner):
    from course.accounts.services import get_user_by_email
    from course.demo import DEMO_PASSWORD

    runner.invoke(args=["course", "seed-demo"])
    auth.login("admin@riverbend.example.org", password=DEMO_PASSWORD)
    amara = get_user_by_email("amara@riverbend.example.org")
    staff = client.get("/agency/staff").get_data(as_text=True)
    assert f'href="/quizzes/people/{amara.public_id}"' in staff
    results = client.get(f"/quizzes/people/{amara.public_id}").get_data(as_text=True)
    assert "Passed" in results and "Not passed" in results  # the failed first try is shown
    assert "%" not in results  # no scores, no answers
    assert "/quizzes/attempts/" not in results


def _dashboard_data(make, people: int):
    """An agency with ``people`` trainees: half in a Level 2 group a month in, half in
    Level 1 with a module done."""
    from datetime import date, timedelta

    from course.curriculum.services import get_curriculum
    from course.learning.services import record_visit
    from quizzes.api import take_quiz

    agency = make.make_agency(f"Agency of {people}")
    mentor = make.make_user(Role.MASTER_TRAINER)
    level_one = get_curriculum().level("level-1").units
    for n in range(people):
        trainee = make.make_trainee(agency=agency)
        if n % 2:
            make.complete_level_one(trainee)
            make.make_group(mentor, [trainee], start_date=date.today() - timedelta(days=30))
        else:
            record_visit(trainee, level_one[0])
            take_quiz(trainee.id, level_one[0].quiz)
    return agency


def test_dashboard_numbers_against_a_known_data_set(client, auth, make):
    agency = _dashboard_data(make, 4)
    from course.agencies.dashboard import StaffFilters, add_details, staff_rows

    rows = {r.person.name: r for r in staff_rows(agency.id, StaffFilters())}
    add_details(list(rows.values()))
    level_two = [r for r in rows.values() if r.group]
    level_one = [r for r in rows.values() if not r.group]
    assert len(level_two) == 2 and len(level_one) == 2
    assert all((r.done, r.total) == (1, 7) for r in level_one)
    # Started 30 days ago: weeks 1-3 opened 14+ days ago with nothing submitted.
    assert all(
        r.behind[:3]
        == [
            "Week 1: Watching with fresh eyes",
            "Week 2: Going out and coming back",
            "Week 3: Signals that are easy to miss",
        ]
        and len(r.behind) == 3
        for r in level_two
    )
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    page = client.get("/agency/staff?status=behind").get_data(as_text=True)
    assert page.count("Behind: Week 1") == 2


def test_report_csv_has_one_row_per_person_with_results(client, auth, make):
    agency = _dashboard_data(make, 2)
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    export = client.get("/agency/staff?format=csv")
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("name,email,job title,cohort,level,status,started,completed")
    assert len(lines) == 3
    # Levels by name, as a funder reads them.
    assert any(",Level 2: Skill Building,active," in line and "7/7" in line for line in lines[1:])
    assert any(
        ",Level 1: Knowledge Building,active," in line and "1/7" in line for line in lines[1:]
    )


def test_dashboard_query_count_does_not_grow_with_people(client, auth, make, count_queries):
    counts = []
    for people in (5, 50):
        agency = _dashboard_data(make, people)
        auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
        client.get("/agency/staff")  # warm caches that are not per person
        with count_queries() as queries:
            assert client.get("/agency/staff").status_code == 200
            assert client.get("/agency/staff?format=csv").status_code == 200
        counts.append(len(queries))
        auth.logout()
    assert counts[0] == counts[1], counts
    print(f"agency dashboard + CSV export: {counts[1]} queries for both requests")


def test_agency_admin_reaches_no_reflection_quiz_answer_or_video_by_any_url(client, auth, runner):
    """Every URL that shows what trainees wrote, answered or filmed answers 404 to an
    agency admin, even for their own staff."""
    from course.demo import DEMO_PASSWORD
    from course.extensions import db
    from course.media.models import DyadVideo
    from course.mentoring.models import MentorGroup
    from quizzes.models import QuizAttempt

    runner.invoke(args=["course", "seed-demo"])
    auth.login("admin@riverbend.example.org", password=DEMO_PASSWORD)
    urls = []
    for reflection in db.session.scalars(select(Reflection)):
        urls += [
            f"/reflections/{reflection.public_id}",
            f"/reflections/{reflection.public_id}/review",
        ]
    for attempt in db.session.scalars(select(QuizAttempt)):
        urls.append(f"/quizzes/attempts/{attempt.public_id}")
    for video in db.session.scalars(select(DyadVideo)):
        base = f"/media/videos/{video.public_id}"
        urls += [base, f"{base}/stream", f"{base}/poster.jpg", f"{base}/download"]
    for group in db.session.scalars(select(MentorGroup)):
        urls.append(f"/mentor/groups/{group.public_id}")
    assert len(urls) > 20
    for url in urls:
        response = client.get(url)
        response.close()
        assert response.status_code in (403, 404), url


def _named_staff(make, count: int, done_every: int = 3):
    """An agency with ``count`` Level 1 trainees named "Staff 001", "Staff 002", ...;
    every ``done_every``-th has finished a module (so sorting by progress reorders them)."""
    from course.curriculum.services import get_curriculum
    from course.learning.services import record_visit
    from quizzes.api import take_quiz

    agency = make.make_agency(f"Paged agency of {count}")
    first = get_curriculum().level("level-1").units[0]
    done = []
    for n in range(1, count + 1):
        trainee = make.make_trainee(agency=agency, name=f"Staff {n:03d}")
        record_visit(trainee, first)
        if n % done_every == 0:
            take_quiz(trainee.id, first.quiz)
            done.append(trainee.name)
    return agency, done


def _links(page: str) -> list[str]:
    import html
    import re

    return [html.unescape(href) for href in re.findall(r'href="(/agency/staff\?[^"]*)"', page)]


def test_staff_page_shows_fifty_people_a_page_with_links_to_the_others(client, auth, make):
    agency, _ = _named_staff(make, 55, done_every=100)
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    first = client.get("/agency/staff").get_data(as_text=True)
    assert "Staff 001" in first and "Staff 050" in first and "Staff 051" not in first
    assert "People 1–50 of 55" in first
    assert "/agency/staff?page=2" in _links(first)
    second = client.get("/agency/staff?page=2").get_data(as_text=True)
    assert "Staff 050" not in second
    assert all(f"Staff {n:03d}" in second for n in range(51, 56))
    assert "People 51–55 of 55" in second and 'aria-current="page">2<' in second
    # A page past the end shows the last page; the CSV and the printable report have everyone.
    assert "Staff 055" in client.get("/agency/staff?page=9").get_data(as_text=True)
    assert len(client.get("/agency/staff?format=csv").get_data(as_text=True).splitlines()) == 56
    printable = client.get("/agency/staff?print=1").get_data(as_text=True)
    assert "Staff 001" in printable and "Staff 055" in printable


def test_filters_and_sort_hold_across_pages(client, auth, make, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    from course.agencies import dashboard

    monkeypatch.setattr(dashboard, "PER_PAGE", 5)
    agency, done = _named_staff(make, 12)  # Staff 003, 006, 009 and 012 finished a module
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    first = client.get("/agency/staff?level=level-1&status=active&sort=progress")
    page = first.get_data(as_text=True)
    assert "People 1–5 of 12" in page
    assert all(name in page for name in done)  # the most progress first, across all 12
    links = _links(page)
    assert links, page
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert query["level"] == ["level-1"] and query["status"] == ["active"]
        assert query["sort"] == ["progress"]
    second = client.get(next(link for link in links if "page=2" in link)).get_data(as_text=True)
    # After the four with a module done come the others by name: 001, 002, 004, 005, 007, ...
    assert "People 6–10 of 12" in second
    for name in ["Staff 002", "Staff 004", "Staff 005", "Staff 007", "Staff 008"]:
        assert name in second
    assert not any(name in second for name in done + ["Staff 001", "Staff 010"])
    third = client.get("/agency/staff?level=level-1&status=active&sort=progress&page=3")
    assert "Staff 010" in third.get_data(as_text=True) and "Staff 011" in third.get_data(
        as_text=True
    )
    # A filter that leaves one page: no page links.
    behind = client.get("/agency/staff?status=behind").get_data(as_text=True)
    assert "Nobody matches." in behind and "page=" not in behind


def test_staff_page_query_count_is_the_same_for_one_page_or_many(
    client, auth, make, count_queries, monkeypatch
):
    """Pages of a bigger agency, sorted and filtered, and its CSV, run the same number
    of statements as a small agency's single page."""
    from course.agencies import dashboard

    monkeypatch.setattr(dashboard, "PER_PAGE", 5)
    urls = [
        "/agency/staff",
        "/agency/staff?page=2&sort=progress",
        "/agency/staff?page=3&sort=behind&level=level-1",
        "/agency/staff?format=csv",
    ]
    counts = []
    for people in (3, 14):
        agency, _ = _named_staff(make, people)
        auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
        client.get("/agency/staff")  # warm caches that are not per person
        per_url = []
        for url in urls:
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            per_url.append(len(queries))
        counts.append(per_url)
        auth.logout()
    assert counts[0] == counts[1], counts


def test_report_csv_never_exports_a_formula(client, auth, make):
    """Names and job titles come from rosters and people themselves: a spreadsheet must
    show them as text, never run them."""
    import csv
    import io

    agency = make.make_agency()
    make.make_trainee(agency=agency, name='=HYPERLINK("http://evil.example","Click")')
    person = make.make_trainee(agency=agency, name="@SUM(A1:A9)")
    person.job_title = "+1 home visitor"
    db.session.commit()
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    rows = list(
        csv.reader(io.StringIO(client.get("/agency/staff?format=csv").get_data(as_text=True)))
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    assert "'@SUM(A1:A9)" in cells and "'+1 home visitor" in cells
    assert not any(cell[:1] in ("=", "+", "@") for cell in cells)


def test_the_report_covers_a_period_with_dates_that_match_the_page(client, auth, make):
    import csv
    import io
    from datetime import UTC, datetime

    from course.learning import services as learning

    agency = make.make_agency("Harbour")
    agency.time_zone = "America/New_York"

    def enrolled(name, started, completed=None):
        person = make.make_trainee(agency=agency, name=name)
        enrolment = learning.enrol(person, "level-1")
        enrolment.started_at = started
        if completed:
            enrolment.completed_at, enrolment.status = completed, "completed"
        return person

    # 02:30 UTC on 1 March is still 28 February in New York: the agency's date counts.
    enrolled("Early Finisher", datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 2, 20, tzinfo=UTC))
    enrolled("Spring Starter", datetime(2026, 3, 1, 2, 30, tzinfo=UTC))
    enrolled("Summer Starter", datetime(2026, 7, 2, tzinfo=UTC))
    db.session.commit()
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))

    page = client.get("/agency/staff?since=2026-03-01&until=2026-06-30").get_data(as_text=True)
    assert "Spring Starter" in page and "enrolled 28 Feb 2026" in page
    assert "Early Finisher" not in page and "Summer Starter" not in page
    assert "People in training from 2026-03-01 to 2026-06-30" in page

    report = client.get("/agency/staff?since=2026-03-01&until=2026-06-30&format=csv")
    assert (
        "pfr-training-report-2026-03-01-to-2026-06-30.csv" in report.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(report.get_data(as_text=True))))
    assert [(r["name"], r["started"]) for r in rows] == [("Spring Starter", "2026-02-28")]
    everyone = client.get("/agency/staff?until=2026-02-27").get_data(as_text=True)
    assert "Early Finisher" in everyone and "Spring Starter" not in everyone


def test_a_person_page_is_for_their_agency_admin_and_site_admins(client, auth, make):
    """Week by week for one person: their own agency's admin and site admins; another
    agency's admin, their mentor and the trainee themself are turned away."""
    from course.mentoring.models import MentorGroupMember

    agency = _dashboard_data(make, 2)
    member = db.session.scalars(
        select(MentorGroupMember)
        .join(User, User.id == MentorGroupMember.trainee_id)
        .where(User.agency_id == agency.id)
    ).first()
    trainee = member.trainee
    url = f"/agency/staff/{trainee.public_id}"
    expected = {
        make.make_user(Role.AGENCY_ADMIN, agency=agency): 200,
        make.make_user(Role.SITE_ADMIN): 200,
        make.make_user(Role.AGENCY_ADMIN, agency=make.make_agency("Another")): 404,
        member.group.mentor: 403,
        trainee: 403,
    }
    for viewer, status in expected.items():
        auth.login_as(viewer)
        response = client.get(url)
        assert response.status_code == status, (viewer.email, response.status_code)
        if status == 200:
            html = response.get_data(as_text=True)
            assert f"<h1>{trainee.name}</h1>" in html
            assert "Behind: Week 1: Watching with fresh eyes" in html  # started 30 days ago
            assert "Level 2: Skill Building" in html and "0 of" in html
        auth.logout()


def test_someone_withdrawn_shows_as_withdrawn_and_never_behind(client, auth, make):
    """Withdrawn from Level 2 with weeks long open: the list says "withdrawn", the
    "Withdrawn" filter finds them and "Behind" no longer does."""
    from course.agencies.services import withdraw
    from course.learning.models import Enrolment

    agency = _dashboard_data(make, 2)  # the second person is in a Level 2 group, behind
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=agency))
    behind = client.get("/agency/staff?status=behind").get_data(as_text=True)
    assert behind.count("Behind: Week 1") == 1
    enrolment = db.session.scalar(
        select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(User.agency_id == agency.id, Enrolment.level == "level-2")
    )
    withdraw(enrolment, "Moved to another program.")
    assert "Nobody matches." in client.get("/agency/staff?status=behind").get_data(as_text=True)
    withdrawn = client.get("/agency/staff?status=withdrawn").get_data(as_text=True)
    assert enrolment.user.name in withdrawn and "<small>withdrawn" in withdrawn
