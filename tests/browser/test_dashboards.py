"""The dashboards read from the progress summary, in a real browser: the agency's Staff
progress list and each person's "Week by week" page, the printable report, and the
mentor's groups with each trainee's weeks signed off; at desktop and phone sizes, with an
accessibility scan per page.

Screenshots go to /tmp/shots, never into the repository.
Each role signs in once for the module; every test opens its own pages from that session
and changes nothing, so the tests run in any order.
"""

import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from course.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "shots"  # to look at by eye; never in the repository
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ADMIN = "admin@riverbend.example.org"
MENTOR = "mentor@pfr-center.example.org"
SITE_ADMIN = "siteadmin@pfr-center.example.org"
# The Riverbend demo staff: Jonah and Tomasz are in Level 2 with Graham and behind on
# weeks 3 and 4; Amara and Lucia are in Level 1.
BEHIND = ["Jonah Whitfield", "Tomasz Wilk"]
ON_TIME = ["Amara Nwosu", "Lucia Ferreira"]
BEHIND_WEEKS = "Week 3: Signals that are easy to miss, Week 4: What lies beneath a hard moment"
STANDING = re.compile(
    r"^(?P<name>.+): (?P<done>\d+) of (?P<total>\d+) weeks signed off"
    r"(?: · behind since the week of (?P<since>\d{1,2} [A-Z][a-z]{2}))?$"
)


@pytest.fixture(scope="module")
def signed_in(live_server, browser):
    """Each role's signed-in browser state, made once for the module."""
    states = {}

    def state(email):
        if email not in states:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{live_server}/login")
            page.get_by_label("Email", exact=True).fill(email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: not url.endswith("/login"))
            states[email] = context.storage_state()
            context.close()
        return states[email]

    return state


@pytest.fixture
def open_as(browser, signed_in):
    """A new page, signed in as ``email``, at ``size``; closed after the test."""
    contexts = []

    def open_page(email, size):
        context = browser.new_context(viewport=size, storage_state=signed_in(email))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wider_than_the_screen(page, scope="body"):
    """Elements under ``scope`` reaching past the window's right edge, as in
    test_journeys.assert_fits_the_screen: a wide table may scroll inside a .table-scroll
    box, nothing else may push the page sideways."""
    page.wait_for_load_state("load")  # course.js has folded the header's links away
    return page.evaluate(
        """(scope) => [...document.querySelectorAll(scope + ' *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-scroll') || e.classList.contains('table-scroll'))
            .map(e => e.tagName + (e.className ? '.' + e.className : ''))""",
        scope,
    )


def page_width(page):
    page.wait_for_load_state("load")
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def show_the_behind_first(page, live_server):
    """Staff progress sorted by who is behind, then filtered to them, through the form."""
    page.goto(f"{live_server}/agency/staff")
    page.get_by_role(
        "heading", level=1, name="Staff progress: Riverbend Family Services"
    ).wait_for()
    rows = page.locator("table.staff tbody tr")
    assert rows.count() == len(BEHIND) + len(ON_TIME)
    page.get_by_label("Sort by").select_option(label="Behind")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(re.compile(r"/agency/staff\?.*sort=behind"))
    classes = [row.get_attribute("class") for row in rows.all()]
    assert classes == ["behind", "behind", None, None]  # by name they would alternate

    page.get_by_label("Status", exact=True).select_option(label="Behind")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(re.compile(r"/agency/staff\?.*status=behind.*sort=behind"))
    assert page.get_by_label("Status", exact=True).input_value() == "behind"  # the form keeps
    assert page.get_by_label("Sort by").input_value() == "behind"  # both choices
    assert rows.count() == len(BEHIND)
    assert page.get_by_text(f"{len(BEHIND)} people").is_visible()
    for row in rows.all():
        assert row.get_attribute("class") == "behind"
        assert f"Behind: {BEHIND_WEEKS}" in row.inner_text()
    names = [a.inner_text() for a in page.locator("table.staff tbody td:first-child > a").all()]
    assert sorted(names) == BEHIND
    return rows


def check_the_weeks_column(row, name):
    """The Weeks cell: "N signed off" and a "Week by week" link to the person's page,
    the same page as their name links to; no list of weeks in the table any more."""
    weeks = row.locator("td").nth(4)
    words = " ".join(weeks.inner_text().split())
    assert re.fullmatch(rf"\d+ signed off Week by week for {name}", words), words
    assert weeks.locator("ul, li, details").count() == 0
    week_by_week = row.get_by_role("link", name=f"Week by week for {name}")
    person = row.get_by_role("link", name=name, exact=True)
    assert week_by_week.get_attribute("href") == person.get_attribute("href")
    assert re.fullmatch(r"/agency/staff/[\w-]+", person.get_attribute("href"))
    return person


def check_jonahs_page(page, live_server):
    """Jonah's "Week by week" page: levels table, behind note, mentor, workshop,
    certificate, each week's status; nothing he wrote."""
    page.wait_for_url(re.compile(r"/agency/staff/[\w-]+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Jonah Whitfield"
    assert page.title().startswith("Jonah Whitfield: training")
    note = page.locator("p.behind-note")
    assert note.inner_text() == (
        f"Behind: {BEHIND_WEEKS} (open two weeks or more, nothing submitted yet)."
    )
    assert note.locator("strong").is_visible()

    levels = page.get_by_role("table")
    headers = [th.inner_text() for th in levels.locator("thead th").all()]
    assert headers == [
        "Level",
        "Status",
        "Progress",
        "Dates",
        "Consultation",
        "Certificate",
    ]
    cells = [
        [c.inner_text() for c in r.locator("th, td").all()]
        for r in levels.locator("tbody tr").all()
    ]
    assert [c[:3] for c in cells] == [
        ["Level 1: Knowledge Building", "completed", "7 of 7 modules"],
        ["Level 2: Skill Building", "active", "1 of 15 weeks signed off"],
    ]
    day = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert re.fullmatch(rf"Enrolled {day}\ncompleted {day}", cells[0][3])
    assert re.fullmatch(rf"Enrolled {day}", cells[1][3])  # Level 2 not completed
    assert re.fullmatch(r"\d+(\.\d)? h", cells[1][4])  # the meetings' hours
    assert re.fullmatch(day, cells[0][5])  # Level 1 certified

    main = page.locator("main").inner_text()
    assert re.search(
        r"Mentored in Level 2 by Graham Lindqvist, from \d{1,2} [A-Z][a-z]{2} \d{4}\.", main
    )
    assert "2 of 2 days attended" in main
    assert re.search(r"Certificates: Level 1 \(\d{1,2} [A-Z][a-z]{2} \d{4}, code PFR-", main)

    assert page.get_by_role("heading", level=2, name="Week by week").is_visible()
    weeks = [li.inner_text() for li in page.locator("ul.weeks li").all()]
    assert len(weeks) == 15, weeks  # every week of Level 2, the untouched ones too
    day = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert re.fullmatch(rf"Week 1: Watching with fresh eyes: signed off {day}", weeks[0])
    assert weeks[1:3] == [
        "Week 2: Going out and coming back: submitted",
        "Week 3: Signals that are easy to miss: draft",
    ]
    assert re.fullmatch(rf"Week 4: .+: open since {day}, nothing written yet", weeks[3])
    assert re.fullmatch(rf"Week 15: .+: opens {day}", weeks[-1])
    for text in written_by("jonah@riverbend.example.org", live_server.app):
        assert text not in main  # statuses and dates only, never what he wrote


def written_by(email, app):
    """The start of each reflection the person wrote (to prove none is shown)."""
    from sqlalchemy import select

    from course.accounts.services import get_user_by_email
    from course.extensions import db
    from course.reflections.models import Reflection

    with app.app_context():
        trainee = get_user_by_email(email)
        bodies = db.session.scalars(
            select(Reflection.body).where(Reflection.trainee_id == trainee.id)
        )
        found = [body.strip()[:40] for body in bodies if body and body.strip()]
    assert found, "the demo has reflections by this person"
    return found


def test_agency_admin_finds_who_is_behind_and_reads_their_week_by_week(
    live_server, open_as, check_a11y
):
    page = open_as(ADMIN, DESKTOP)
    rows = show_the_behind_first(page, live_server)
    check_a11y(page)
    assert not wider_than_the_screen(page)
    shot(page, "01-desktop-staff-behind")

    jonah = rows.filter(has_text="Jonah Whitfield")
    check_the_weeks_column(jonah, "Jonah Whitfield").click()
    check_jonahs_page(page, live_server)
    check_a11y(page)
    assert not wider_than_the_screen(page)
    shot(page, "02-desktop-person-jonah")

    page.get_by_role("link", name="← Staff progress").click()
    page.wait_for_url(re.compile(r"/agency/staff$"))
    page.get_by_role("heading", level=1, name="Staff progress: Riverbend").wait_for()

    # Someone on time, without reflections: no behind note, the weeks say so.
    amara = page.get_by_role("row").filter(has_text="Amara Nwosu")
    assert "Behind" not in amara.inner_text()
    amara.get_by_role("link", name="Week by week for Amara Nwosu").click()
    page.get_by_role("heading", level=1, name="Amara Nwosu").wait_for()
    assert page.locator(".behind-note").count() == 0
    assert page.get_by_text("No reflections submitted or weeks signed off yet.").is_visible()
    levels = page.get_by_role("table").locator("tbody tr")
    assert levels.count() == 1
    assert levels.first.locator("th").inner_text() == "Level 1: Knowledge Building"
    assert "2 of 7 modules" in levels.first.inner_text()
    check_a11y(page)
    shot(page, "03-desktop-person-amara")


def test_agency_admin_on_a_phone_finds_who_is_behind_and_reads_their_week_by_week(
    live_server, open_as, check_a11y
):
    page = open_as(ADMIN, PHONE)
    rows = show_the_behind_first(page, live_server)
    check_a11y(page)
    shot(page, "04-phone-staff-behind")
    # The filters stack within the screen; the wide table is the one thing past it
    # (test_the_staff_list_fits_a_phone).
    assert not wider_than_the_screen(page, "form.filters")
    assert not wider_than_the_screen(page, "main > p")

    jonah = rows.filter(has_text="Jonah Whitfield")
    check_the_weeks_column(jonah, "Jonah Whitfield").click()
    check_jonahs_page(page, live_server)
    check_a11y(page)
    shot(page, "05-phone-person-jonah")
    # The words read without scrolling sideways: the back link, the behind note, the
    # mentor and certificate lines, the week by week list (the levels table is the one
    # thing past the screen's edge: test_the_person_page_fits_a_phone).
    for scope in ("main > p", "main > h1", "main > h2", "ul.weeks"):
        assert not wider_than_the_screen(page, scope), scope
    assert page.locator("p.behind-note").bounding_box()["width"] <= PHONE["width"]

    page.get_by_role("link", name="← Staff progress").click()
    page.wait_for_url(re.compile(r"/agency/staff$"))
    page.get_by_role("heading", level=1, name="Staff progress: Riverbend").wait_for()


def test_the_person_page_fits_a_phone(live_server, open_as):
    page = open_as(ADMIN, PHONE)
    page.goto(f"{live_server}/agency/staff?status=behind")
    page.get_by_role("link", name="Week by week for Jonah Whitfield").click()
    page.get_by_role("heading", level=1, name="Jonah Whitfield").wait_for()
    shot(page, "06-phone-person-jonah-width")
    assert not wider_than_the_screen(page), wider_than_the_screen(page)[:8]
    scroll_width, inner_width = page_width(page)
    assert scroll_width <= inner_width


def test_the_staff_list_fits_a_phone(live_server, open_as):
    page = open_as(ADMIN, PHONE)
    page.goto(f"{live_server}/agency/staff")
    page.get_by_role("heading", level=1).wait_for()
    shot(page, "07-phone-staff-all")
    assert not wider_than_the_screen(page), wider_than_the_screen(page)[:8]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_mentor_dashboard_lists_each_trainees_weeks_signed_off(
    live_server, open_as, check_a11y, size
):
    page = open_as(MENTOR, size)
    page.goto(f"{live_server}/mentor")
    page.get_by_role("heading", level=2, name="Your groups").wait_for()
    check_a11y(page)
    label = "desktop" if size is DESKTOP else "phone"
    shot(page, f"08-{label}-mentor-dashboard")

    groups = page.locator("ul.groups > li")
    assert groups.count() >= 1
    for group in groups.all():
        link = group.locator("a").first
        members = link.inner_text().split(" and ")
        started = re.search(r"started (\d{1,2} [A-Z][a-z]{2} \d{4})", group.inner_text())
        start = datetime.strptime(started.group(1), "%d %b %Y").date()
        standings = [li.inner_text() for li in group.locator("ul.standing > li").all()]
        assert [STANDING.match(s).group("name") for s in standings] == members, standings
        for text in standings:
            found = STANDING.match(text)
            assert 0 <= int(found["done"]) <= int(found["total"]), text
            if found["since"]:  # a week on or after the group's start
                since = datetime.strptime(f"{found['since']} {start.year}", "%d %b %Y").date()
                if since < start:
                    since = since.replace(year=start.year + 1)
                assert (since - start).days % 7 == 0, (text, start)

    # The demo group (started 36 days ago): each has week 1 signed off, and both are
    # behind since week 3, which began two weeks after the start.
    demo = groups.filter(has=page.get_by_role("link", name="Jonah Whitfield and Tomasz Wilk"))
    started = re.search(r"started (\d{1,2} [A-Z][a-z]{2} \d{4})", demo.inner_text()).group(1)
    week_three = datetime.strptime(started, "%d %b %Y") + timedelta(days=14)
    assert [li.inner_text() for li in demo.locator("ul.standing > li").all()] == [
        f"{name}: 1 of 15 weeks signed off · behind since the week of {week_three:%-d %b}"
        for name in BEHIND
    ]
    assert demo.locator("strong.behind-note").count() == 2
    if size is PHONE:
        # The groups fit the phone (the review queue's table above them is wider: a
        # table outside this change, see the report).
        assert not wider_than_the_screen(page, "section[aria-labelledby=groups-heading]")
    demo.get_by_role("link", name="Jonah Whitfield and Tomasz Wilk").click()
    page.wait_for_url(re.compile(r"/mentor/groups/[\w-]+$"))


def test_the_printable_report_still_lists_each_persons_weeks(live_server, open_as, check_a11y):
    page = open_as(ADMIN, DESKTOP)
    page.goto(f"{live_server}/agency/staff")
    page.get_by_label("Status", exact=True).select_option(label="Behind")
    page.get_by_role("button", name="Printable report").click()
    page.wait_for_url(re.compile(r"print=1"))
    assert "status=behind" in page.url  # the report keeps the filters
    rows = page.locator("table.staff tbody tr")
    assert rows.count() == len(BEHIND)
    assert page.locator("main form").count() == 0  # no filters, no Deactivate buttons
    assert page.locator("table.staff a").count() == 0  # names as text on paper
    headers = [th.inner_text() for th in page.locator("table.staff thead th").all()]
    assert headers == ["Name", "Cohort", "Progress", "Mentored level", "Weeks", "Certificates"]
    check_a11y(page)
    shot(page, "09-print-report-behind")

    page.goto(f"{live_server}/agency/staff?print=1")
    rows = page.locator("table.staff tbody tr")
    assert rows.count() == len(BEHIND) + len(ON_TIME)
    weeks = {
        row.locator("td").first.inner_text(): [
            li.inner_text() for li in row.locator("td").nth(4).locator("li").all()
        ]
        for row in rows.all()
    }
    assert weeks["Jonah Whitfield"][1:] == [
        "Week 2: Going out and coming back: submitted",
        "Week 3: Signals that are easy to miss: draft",
    ]
    assert weeks["Jonah Whitfield"][0].startswith("Week 1: Watching with fresh eyes: signed off ")
    assert weeks["Tomasz Wilk"][1:] == ["Week 2: Going out and coming back: returned"]
    for name in ON_TIME:
        assert weeks[name] == []
        assert rows.filter(has_text=name).locator("td").nth(4).inner_text() == "—"
    jonah_cell = rows.filter(has_text="Jonah Whitfield").locator("td").nth(4).inner_text()
    assert jonah_cell.startswith("1 signed off")
    check_a11y(page)
    shot(page, "10-print-report-all")
    page.emulate_media(media="print")  # as it goes to paper: print.css
    shot(page, "11-print-report-all-print-media")


def test_site_admin_comes_back_from_a_person_page(live_server, open_as):
    from sqlalchemy import select

    from course.agencies.models import Agency
    from course.extensions import db

    with live_server.app.app_context():
        agency = db.session.scalar(select(Agency.id).where(Agency.name.startswith("Riverbend")))
    page = open_as(SITE_ADMIN, DESKTOP)
    page.goto(f"{live_server}/agency/staff?agency={agency}")
    page.get_by_role("link", name="Jonah Whitfield", exact=True).click()
    page.get_by_role("heading", level=1, name="Jonah Whitfield").wait_for()
    with page.expect_navigation() as back:
        page.get_by_role("link", name="← Staff progress").click()
    shot(page, "12-site-admin-back-from-person")
    assert back.value.status == 200
