from sqlalchemy import select

from course.accounts.models import Role
from course.reflections.models import Reflection


def test_agency_admin_sees_own_staff_status_and_sign_offs_but_no_reflection_text(
    client, auth, runner
):
    from course.demo import DEMO_PASSWORD

    runner.invoke(args=["seed-demo"])
    auth.login("admin@riverbend.example.org", password=DEMO_PASSWORD)
    page = client.get("/agency/staff").get_data(as_text=True)
    assert "Jonah Whitfield" in page and "Tomasz Wilk" in page and "Amara Nwosu" in page
    assert "Mei Tanaka" not in page  # another agency's trainee
    assert "Week 1: Watching with fresh eyes" in page  # a sign-off, with its date
    assert "Level 2 with Graham Lindqvist" in page
    from course.extensions import db

    for reflection in db.session.scalars(select(Reflection)):
        for line in reflection.body.splitlines():
            if len(line) > 20:
                assert line not in page
    assert "Tomasz reaches for labels" not in page  # the mentor's private meeting notes


def test_agency_staff_page_is_for_agency_admins_only(client, auth):
    for role in (Role.TRAINEE, Role.MASTER_TRAINER, Role.SITE_ADMIN):
        auth.login_as(role)
        assert client.get("/agency/staff").status_code == 403
        auth.logout()


def test_notify_weeks_tells_each_trainee_once_per_opened_week(app, make, runner):
    from datetime import date, timedelta

    from course.extensions import db
    from course.notifications.models import Notification

    trainee = make.make_level_two_trainee()
    make.make_group(trainees=[trainee], start_date=date.today() - timedelta(days=8))
    first = runner.invoke(args=["notify-weeks"])
    assert "Sent 2 week-opening notifications." in first.output  # weeks 1 and 2
    again = runner.invoke(args=["notify-weeks"])
    assert "Sent 0 week-opening notifications." in again.output
    links = {n.link for n in db.session.scalars(select(Notification))}
    assert "/units/l2-week-02-going-out-and-coming-back" in links
    assert "/units/l2-week-03-signals-easy-to-miss" not in links


def test_agency_admin_follows_quiz_results_as_pass_fail_only(client, auth, runner):
    from course.accounts.services import get_user_by_email
    from course.demo import DEMO_PASSWORD

    runner.invoke(args=["seed-demo"])
    auth.login("admin@riverbend.example.org", password=DEMO_PASSWORD)
    amara = get_user_by_email("amara@riverbend.example.org")
    staff = client.get("/agency/staff").get_data(as_text=True)
    assert f'href="/quizzes/people/{amara.id}"' in staff
    results = client.get(f"/quizzes/people/{amara.id}").get_data(as_text=True)
    assert "Passed" in results and "Not passed" in results  # the failed first try is shown
    assert "%" not in results  # no scores, no answers
    assert "/quizzes/attempts/" not in results
