"""What people do, end to end in a real browser, with an accessibility scan per page."""

import re

import pytest

from config import TestConfig
from course.demo import DEMO_PASSWORD
from quizzes.loader import load_quizzes

QUIZZES = load_quizzes(TestConfig.COURSE_CONTENT_DIR, video_slugs=None)


def sign_in(page, base, email, check_a11y=None):
    page.goto(f"{base}/login")
    if check_a11y:
        check_a11y(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_closed_questions(page, quiz):
    """Answer every scored question right, as a trainee who read the module would."""
    for question in quiz.questions:
        response = question.model_response(True)
        if question.type_name == "domain_sort":
            for n, domains in enumerate(response["items"]):
                for domain in domains:
                    name = question.field_name("item", n)
                    page.locator(f"input[name='{name}'][value='{domain}']").check()
        elif question.type_name == "describe_interpret":
            for n, value in enumerate(response["statements"]):
                name = question.field_name("stmt", n)
                page.locator(f"input[name='{name}'][value='{value}']").check()
        elif question.type_name == "choice":
            for index in response["selected"]:
                name = question.field_name("option")
                page.locator(f"input[name='{name}'][value='{index}']").check()
        elif question.type_name == "reflection":
            page.locator(f"textarea[name='{question.field_name('text')}']").fill(
                "A father I visit lifts his baby the moment she fusses; "
                "I will watch how she settles."
            )


JUDGEMENTAL = "Walter is spoiling him. "
OWN_WORDS = {
    "pouring-milk": [
        "Pablo grabs the jug and says Me do. The milk misses his cup twice, and his face "
        "crumples and he smacks the table. Walter holds the cup still, Pablo pours it in, "
        "and he beams and turns to look at Walter's face.",
        "Walter lets go of the jug but keeps his hand under it, and says it is frustrating "
        "with his own face crinkled, then helps with just two fingers on the cup.",
        "Walter can give Pablo other small jobs to try by himself, like his shoes, and "
        "stay close by while he tries.",
        "Pablo finds out that he can try hard things with his grandfather close, and that "
        "Walter is pleased with him when it works.",
    ],
    "supermarket-meltdown": [
        "Dev shrieks and kicks the shelf when the box goes back. Nadia breathes out, crouches "
        "next to him and says he is mad and she is staying. After a minute he crawls into "
        "her lap, and later he puts the apples in the trolley and looks up at her.",
        "Nadia stays down at his level without grabbing him, puts his anger into words, and "
        "then gives him a job to do: finding the apples.",
        "Rosa could come on another shopping trip and tell Nadia afterwards exactly what "
        "she saw her do in the aisle.",
        "Dev learns that his big feelings do not push his mother away and that she helps "
        "him come back to calm.",
    ],
}


def mark_moments(page, question):
    """Press "Mark a moment" at each of the expert's moments (the player seeks there)."""
    root = page.locator(f"#q-{question.id}")
    video = root.locator("video")
    for moment in question.moments:
        video.evaluate("(v, t) => { v.currentTime = t; }", moment.at)
        page.wait_for_function(
            "([v, t]) => Math.abs(v.currentTime - t) < 0.2", arg=[video.element_handle(), moment.at]
        )
        root.get_by_role("button", name="Mark a moment").click()
    return root


def test_trainee_observes_in_own_words_and_the_trainer_replies(
    live_server, browser, page, check_a11y, screenshot
):
    """The observation exercise end to end: a judgemental sentence is highlighted, the
    answer is locked and compared, moments are marked on a clip; the trainer replies."""
    quiz = QUIZZES["development-of-self"]
    observation = next(q for q in quiz.questions if q.type_name == "observation")
    sign_in(page, live_server, "amara@riverbend.example.org", check_a11y)
    page.wait_for_url(re.compile(r"/training$"))
    check_a11y(page)
    assert page.get_by_text("2 of 7 done").is_visible()  # a module reopened for a revisit

    page.goto(f"{live_server}/quizzes/development-of-self")
    check_a11y(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/[\w-]+$"))
    texts = OWN_WORDS[observation.id]
    first = page.locator(f"textarea[name='{observation.field_name('part', 0)}']")
    first.fill(JUDGEMENTAL + texts[0])
    coach = page.locator(f"#{observation.field_name('part', 0)}-coach")
    coach.locator("mark").wait_for()  # the hint appears while typing
    assert coach.locator("mark").inner_text() == JUDGEMENTAL.strip()
    assert "made you think this?" in coach.inner_text()
    for n, text in enumerate(texts[1:], 1):
        page.locator(f"textarea[name='{observation.field_name('part', n)}']").fill(text)
    check_a11y(page)
    screenshot(page, "observation-coaching-hint")

    section = page.locator(f"#q-{observation.id}")
    section.get_by_role("button", name="Lock my answer and compare").click()
    page.get_by_text("this is a hint, not a rule").wait_for()
    section.get_by_role("button", name="Keep it as it is").click()
    point = observation.parts[0].model_answers[0]
    section.get_by_label(point).wait_for()
    section.get_by_label(point).check()
    section.get_by_label("What did you miss, or would you add now?").fill(
        "I missed how Walter's hand stayed under the jug the whole time."
    )
    section.get_by_label("I have compared my answer with each point.").check()
    check_a11y(page)
    for other in quiz.questions:
        if other.type_name == "observation" and other is not observation:
            for n, text in enumerate(OWN_WORDS[other.id]):
                page.locator(f"textarea[name='{other.field_name('part', n)}']").fill(text)
            block = page.locator(f"#q-{other.id}")
            block.get_by_role("button", name="Lock my answer and compare").click()
            checked = block.get_by_label("I have compared my answer with each point.")
            checked.wait_for()
            checked.check()
    assert section.get_by_label(point).is_checked()  # saved before the second lock

    moments = next(q for q in quiz.questions if q.type_name == "moments")
    marked = mark_moments(page, moments)
    assert marked.locator("[data-moments-list] li").count() == len(moments.moments)
    answer_closed_questions(page, quiz)
    screenshot(page, "observation-locked-and-compared")
    page.get_by_role("button", name="Submit my answers").click()
    assert page.get_by_text("Passed (the pass mark is").is_visible()
    assert page.get_by_text(
        f"You found {len(moments.moments)} of {len(moments.moments)}"
    ).is_visible()
    assert page.get_by_text("Waiting for your trainer to read it").first.is_visible()
    check_a11y(page)
    attempt_url = page.url

    trainer = browser.new_context().new_page()
    sign_in(trainer, live_server, "mentor@pfr-center.example.org")
    trainer.get_by_role("link", name="Open answers").click()
    check_a11y(trainer)
    rows = trainer.locator("tbody tr")
    assert "Reflective Capacity" in rows.first.inner_text()  # oldest first: the seeded one
    row = rows.filter(has_text=f"{quiz.title}, question 1")
    assert "Amara Nwosu" in row.inner_text()
    row.get_by_role("link", name=re.compile("Read and reply")).click()
    assert trainer.locator("mark", has_text=JUDGEMENTAL.strip()).first.is_visible()
    check_a11y(trainer)
    question_one = trainer.get_by_role("region", name="Question 1", exact=True)
    question_one.get_by_label("Your reply").fill(
        "You saw the smack and the beam. Next time, watch Pablo's eyes right after each miss."
    )
    question_one.get_by_role("button", name="Send reply").click()
    assert trainer.get_by_text("Your reply is sent to the trainee.").is_visible()
    screenshot(trainer, "trainer-open-answers")
    trainer.context.close()

    page.goto(f"{live_server}/notifications")
    assert page.get_by_text("Your trainer replied to your answer").first.is_visible()
    page.goto(attempt_url)
    assert page.get_by_text("watch Pablo's eyes right after each miss").is_visible()
    check_a11y(page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "trainee-reads-the-reply-phone")


def test_invited_person_sets_a_password_and_starts_training(
    live_server, browser, page, check_a11y, screenshot
):
    sign_in(page, live_server, "siteadmin@pfr-center.example.org")
    page.wait_for_url(re.compile(r"/admin/$"))
    check_a11y(page)
    page.get_by_label("Email", exact=True).fill("new.trainee@riverbend.example.org")
    page.get_by_label("Name", exact=True).fill("Tova Lindahl")
    page.get_by_label("Role").select_option("trainee")
    page.get_by_label("Agency", exact=True).select_option(label="Riverbend Family Services")
    page.get_by_role("button", name="Create invitation").click()
    assert page.get_by_text("An invitation is on its way to new.trainee@").is_visible()
    assert "/invitations/" not in page.content()  # the token goes to the invitee alone
    outbox = live_server.app.extensions["course_mail_outbox"]
    mail = next(m for m in outbox if m["To"] == "new.trainee@riverbend.example.org")
    link = mail.get_content().split("\n\n")[-1].strip().split()[-1]
    link = link.replace("http://127.0.0.1:5000", live_server)

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    check_a11y(newcomer)
    assert newcomer.get_by_text("Riverbend Family Services").is_visible()
    newcomer.get_by_label("Choose a password").fill("short")
    newcomer.get_by_label("Type it again").fill("short")
    newcomer.get_by_role("button", name="Save and sign in").click()
    assert newcomer.get_by_label("Your name").input_value() == "Tova Lindahl"
    newcomer.get_by_label("Choose a password").fill("quiet mornings with the baby")
    newcomer.get_by_label("Type it again").fill("quiet mornings with the baby")
    newcomer.get_by_role("button", name="Save and sign in").click()
    newcomer.wait_for_url(re.compile(r"/training$"))
    assert newcomer.get_by_text("0 of 7 done (0%)").is_visible()
    screenshot(newcomer, "invited-trainee-first-page")

    newcomer.goto(link)
    assert newcomer.get_by_text("already been used").is_visible()
    newcomer.context.close()


def test_level_two_reflection_review_meeting_and_sign_off(
    live_server, browser, page, check_a11y, screenshot
):
    # The trainee revises the reflection their mentor returned, and submits it again.
    sign_in(page, live_server, "tomasz@riverbend.example.org")
    page.goto(f"{live_server}/levels/level-2")
    check_a11y(page)
    assert page.get_by_text("Returned for revision").first.is_visible()
    page.get_by_role("link", name="Week 2: Going out and coming back").first.click()
    check_a11y(page)
    # Two films, one of them captioned in Spanish as well as English.
    assert page.locator("video").count() == 2
    assert page.locator("video track[kind='captions'][srclang='en']").count() == 2
    revised = (
        "Each time the boy reached the fence he looked back at his grandmother, and twice he "
        "walked back to lean on her knee for a few seconds before leaving again. She stayed "
        "on the step, smiled when he looked, and said his name softly. He was using her as "
        "a secure base; I wonder if the new gate made the yard feel less safe to him."
    )
    page.get_by_label("Reflection", exact=True).fill(revised)
    page.get_by_role("button", name="Submit to my mentor").click()
    assert page.get_by_text("Your reflection is submitted").is_visible()
    screenshot(page, "trainee-resubmits-reflection")

    # The mentor reviews it with the rubric and accepts it, logs the meeting, signs off.
    mentor = browser.new_context().new_page()
    sign_in(mentor, live_server, "mentor@pfr-center.example.org")
    mentor.goto(f"{live_server}/mentor")
    check_a11y(mentor)
    mentor.get_by_role("row", name=re.compile("Tomasz Wilk")).get_by_role("link").click()
    check_a11y(mentor)
    assert mentor.get_by_text("I wonder if the new gate").is_visible()
    assert_choices_sit_beside_their_words(mentor)
    for fieldset in mentor.locator("fieldset.criterion").all()[:-1]:
        fieldset.locator("input[value='3']").check()
    mentor.get_by_label("Feedback to the trainee").fill("You described each return; well done.")
    mentor.get_by_label("Accept").check()
    mentor.get_by_role("button", name="Save review").click()
    assert mentor.get_by_text("Your review is saved").is_visible()

    mentor.goto(f"{live_server}/mentor")
    mentor.get_by_role("link", name="Jonah Whitfield and Tomasz Wilk").click()
    mentor.get_by_role("link", name="Log a meeting").click()
    check_a11y(mentor)
    assert_choices_sit_beside_their_words(mentor)  # who attended
    mentor.get_by_label("Week", exact=True).select_option(label="Week 2: Going out and coming back")
    mentor.get_by_label("Length in minutes").fill("50")
    mentor.get_by_label("Tomasz Wilk").check()  # nobody is ticked until the mentor says
    mentor.get_by_label("Jonah Whitfield").check()
    mentor.get_by_label("Topics").fill("Secure base in the backyard film.")
    mentor.get_by_role("button", name="Save the meeting").click()
    assert mentor.get_by_text("The meeting is logged.").is_visible()
    mentor.get_by_role(
        "button", name="Sign off Week 2: Going out and coming back for Tomasz Wilk"
    ).click()
    assert mentor.get_by_text("is signed off for Tomasz Wilk").is_visible()
    check_a11y(mentor)
    screenshot(mentor, "mentor-group-after-sign-off")

    # The mentor watches Jonah's first dyad video and pins a comment to a moment.
    mentor.get_by_role("link", name=re.compile("Video.*of Jonah Whitfield, Week 6")).click()
    check_a11y(mentor)
    assert mentor.locator("video#dyad-player").count() == 1
    mentor.get_by_label("Time (m:ss)").fill("0:04")
    mentor.get_by_role("textbox", name="Comment").fill(
        "Watch her hands here: she steadies the cup for him."
    )
    mentor.get_by_label("Rubric criterion (optional)").select_option(label="Objective observation")
    mentor.get_by_role("button", name="Add comment").click()
    assert mentor.get_by_text("Comment added.").is_visible()
    assert mentor.get_by_role("link", name="00:04", exact=True).is_visible()  # in the list
    # The marker on the timeline is placed once the player knows the video's length.
    mentor.get_by_role("link", name="Comment at 00:04 by Graham Lindqvist").wait_for()
    assert mentor.get_by_role("link", name="Comment at 00:04 by Graham Lindqvist").count() == 1
    check_a11y(mentor)
    screenshot(mentor, "mentor-comments-on-dyad-video")
    mentor.context.close()


def test_certificate_verify_page_is_public(live_server, page, check_a11y, screenshot):
    from sqlalchemy import select

    from course.extensions import db
    from course.mentoring.models import Certificate

    with live_server.app.app_context():
        code = db.session.scalar(select(Certificate.code).where(Certificate.level == "level-3"))
    page.goto(f"{live_server}/verify/{code}")  # nobody is signed in
    check_a11y(page)
    assert page.get_by_role("heading", name="This certificate is valid").is_visible()
    assert page.get_by_text("Pilar Esquivel").is_visible()
    assert page.get_by_text("Level 3: Agency Trainer").is_visible()
    assert "@" not in page.locator("main").inner_text()  # no email addresses
    screenshot(page, "certificate-verify")
    assert page.goto(f"{live_server}/verify/PFR-NONE-NONE-NONE").status == 404


def test_trainee_records_consent_and_uploads_a_dyad_video(
    live_server, page, check_a11y, screenshot, tmp_path
):
    from course.curriculum.media import make_stand_in_clip

    clip = tmp_path / "IMG_0042.mov"
    make_stand_in_clip(clip, seconds=3)
    sign_in(page, live_server, "tomasz@riverbend.example.org")
    page.goto(f"{live_server}/units/l2-week-06-first-visit-and-trust")
    page.get_by_role("link", name="Upload a video").click()
    check_a11y(page)
    page.get_by_label("Dyad pseudonym").fill("Family W")
    page.get_by_label("Consent expires on").fill("2027-06-30")
    page.get_by_label("I confirm the caregiver signed").check()
    page.get_by_role("button", name="Record the consent").click()
    assert page.get_by_text("The consent is recorded").is_visible()

    sent = []
    page.on("request", lambda request: sent.append(request.method))
    # The store is full at the first try: the page says so and keeps the upload to resume.
    page.route(
        "**/media/uploads/*",
        lambda route: (
            route.fulfill(status=507, body="The site's video storage is full.")
            if route.request.method == "PATCH"
            else route.continue_()
        ),
    )
    page.get_by_label("Video file").set_input_files(str(clip))
    page.get_by_role("button", name="Upload", exact=True).click()  # tus-js-client sends it
    page.get_by_text("The site's video storage is full.").wait_for()
    assert page.get_by_role("button", name="Upload", exact=True).is_enabled()
    page.unroute("**/media/uploads/*")
    page.reload()
    assert page.get_by_text("Uploads not finished").is_visible()
    page.get_by_label("Video file").set_input_files(str(clip))  # the same file again
    page.get_by_text("You started sending this file before").wait_for()
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(re.compile(r"/media/videos/[\w-]+$"))
    assert sent.count("POST") == 1 and sent.count("PATCH") == 2  # created once, resumed
    assert page.locator("video#dyad-player").count() == 1
    assert "IMG_0042" not in page.url and "IMG_0042" not in page.content()
    check_a11y(page)
    screenshot(page, "trainee-uploaded-dyad-video")
    page.get_by_label("Time (m:ss)").fill("0:02")
    page.get_by_role("textbox", name="Comment").fill("She looks back at me before she crawls.")
    page.get_by_role("button", name="Add comment").click()
    marker = page.locator(".comment-marker")  # the comment, on a bar under the player
    marker.wait_for()
    assert marker.count() == 1
    assert marker.evaluate("m => m.style.left").startswith("6")  # 2 s of a 3 s clip
    screenshot(page, "trainee-comment-on-the-timeline")
    asked = []  # deleting asks first; saying no keeps the video
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete this video").click()
    assert asked and "cannot be undone" in asked[0]
    assert page.locator("video#dyad-player").count() == 1


def test_agency_admin_uploads_a_roster_and_the_invited_trainee_starts(
    live_server, browser, page, check_a11y, screenshot, tmp_path
):
    roster = tmp_path / "spring-roster.csv"
    roster.write_text(
        "email,first name,last name,job title,pair code\n"
        "june.okoro@riverbend.example.org,June,Okoro,Home visitor,\n"
        "not-an-email,Sam,Reid,Nurse,\n"
    )
    sign_in(page, live_server, "admin@riverbend.example.org")
    page.get_by_role("link", name="Cohorts").click()
    check_a11y(page)
    page.get_by_label("Cohort name").fill("Spring Level 1")
    page.get_by_role("button", name="Create the cohort").click()
    check_a11y(page)
    page.get_by_label("Roster (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_text("'not-an-email' is not an email address").is_visible()
    check_a11y(page)
    page.get_by_role("button", name="Save 1 person").click()
    assert page.get_by_text("Saved: 1 invited").is_visible()
    screenshot(page, "agency-admin-roster-saved")

    outbox = live_server.app.extensions["course_mail_outbox"]
    link = next(m for m in outbox if m["To"] == "june.okoro@riverbend.example.org")
    url = link.get_content().split("\n\n")[-1].strip().split()[-1]
    newcomer = browser.new_context().new_page()
    newcomer.goto(url.replace("http://127.0.0.1:5000", live_server))
    assert newcomer.get_by_label("Your name").input_value() == "June Okoro"
    newcomer.get_by_label("Choose a password").fill("river stones in the sun")
    newcomer.get_by_label("Type it again").fill("river stones in the sun")
    newcomer.get_by_role("button", name="Save and sign in").click()
    newcomer.wait_for_url(re.compile(r"/training$"))
    assert newcomer.get_by_text("0 of 7 done (0%)").is_visible()
    newcomer.context.close()


def test_site_admin_sees_a_stuck_video_and_sends_it_back_to_the_queue(
    live_server, page, check_a11y, screenshot
):
    from sqlalchemy import select

    from course.extensions import db
    from course.media.models import DyadVideo, JobState, VideoStatus

    with live_server.app.app_context():
        video = db.session.scalar(select(DyadVideo).where(DyadVideo.status == VideoStatus.READY))
        video.status, video.job_state = VideoStatus.PROCESSING, JobState.RUNNING
        db.session.commit()
        public_id = video.public_id
    sign_in(page, live_server, "siteadmin@pfr-center.example.org")
    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="Background jobs").click()
    check_a11y(page)
    row = page.get_by_role("row").filter(has_text=public_id)
    assert row.get_by_text("Being prepared now").is_visible()
    row.get_by_role("button", name="Send back to the queue").click()
    assert page.get_by_text(f"Video {public_id} is back in the queue.").is_visible()
    # The job ran (the test server runs jobs at once): nothing is left waiting.
    assert page.get_by_text("Nothing is waiting and nothing failed.").is_visible()
    check_a11y(page)
    screenshot(page, "site-admin-background-jobs")
    with live_server.app.app_context():
        assert (
            db.session.scalar(select(DyadVideo.status).where(DyadVideo.public_id == public_id))
            == VideoStatus.READY
        )


def assert_choices_sit_beside_their_words(page):
    """Every radio and checkbox is small and starts its label's first line, the words
    after it on the same line (a form rule once stretched them across the page)."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll(
              "form input[type=radio], form input[type=checkbox]")]
            .filter((input) => input.offsetParent && input.closest("label"))
            .map((input) => {
              const box = input.getBoundingClientRect();
              const label = input.closest("label").getBoundingClientRect();
              return {width: box.width, left: box.left - label.left, top: box.top - label.top,
                      name: input.name};
            })"""
    )
    assert boxes, "no choices on the page"
    for box in boxes:
        assert box["width"] < 32 and box["left"] < 4 and box["top"] < 16, box


def assert_fits_the_screen(page):
    """Nothing pushes the page wider than the phone (wide tables scroll in their box)."""
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-scroll') || e.classList.contains('table-scroll'))
            .map(e => e.tagName + (e.className ? '.' + e.className : ''))"""
    )
    assert not too_wide, f"wider than the screen on {page.url}: {too_wide[:8]}"


def _workshop_for_the_journey(app):
    """A two-day workshop starting tomorrow, taught by Graham, open to both agencies."""
    from datetime import date, time, timedelta

    from sqlalchemy import select

    from course.accounts.services import get_user_by_email
    from course.agencies.models import Agency
    from course.extensions import db
    from course.workshops import services
    from course.workshops.models import Mode

    with app.app_context():
        graham = get_user_by_email("mentor@pfr-center.example.org")
        plan = services.WorkshopPlan(
            title="Level 1 workshop, make-up days",
            mode=Mode.IN_PERSON,
            capacity=8,
            time_zone="America/Los_Angeles",
            sessions=[
                services.SessionPlan(date.today() + timedelta(days=n), time(9), time(15, 30))
                for n in (1, 2)
            ],
            trainer_ids={graham.id},
            agency_ids=set(db.session.scalars(select(Agency.id))),
            address="Cedar Hills Early Learning Network, 88 Birch Road, Salem, OR",
        )
        return services.save_workshop(graham, plan).public_id


def _two_days_later(app, public_id):
    """The workshop's days have passed (the journey goes on after them)."""
    from datetime import timedelta

    from course.extensions import db
    from course.public_ids import get_by_public_id
    from course.workshops.models import Workshop

    with app.app_context():
        workshop = get_by_public_id(Workshop, public_id)
        for session in workshop.sessions:
            session.starts_at -= timedelta(days=3)
            session.ends_at -= timedelta(days=3)
        db.session.commit()


def test_agency_admin_enrols_trainer_takes_attendance_and_signs_level_one_off(
    live_server, browser, page, check_a11y, screenshot
):
    import io
    from urllib.parse import urlsplit

    from pypdf import PdfReader

    workshop_id = _workshop_for_the_journey(live_server.app)
    url = f"{live_server}/workshops/{workshop_id}"

    # Cedar Hills' admin enrols two of her staff.
    sign_in(page, live_server, "admin@cedarhills.example.org")
    page.goto(url)
    check_a11y(page)
    page.get_by_label("Kofi Mensah (Cedar Hills Early Learning Network)").check()
    page.get_by_label("Mei Tanaka (Cedar Hills Early Learning Network)").check()
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("Enrolled: Kofi Mensah, Mei Tanaka.").is_visible()
    assert page.get_by_text("6 of 8 places left").is_visible()
    screenshot(page, "agency-admin-enrols-workshop")

    _two_days_later(live_server.app, workshop_id)

    # Graham takes attendance: each cell saves by itself.
    trainer = browser.new_context().new_page()
    sign_in(trainer, live_server, "mentor@pfr-center.example.org")
    trainer.goto(url)
    check_a11y(trainer)
    for day in (1, 2):
        trainer.get_by_label(f"Day {day}, Kofi Mensah").select_option("present")
        row = trainer.locator(
            "form.attendance", has=trainer.get_by_label(f"Day {day}, Kofi Mensah")
        )
        row.locator(".saved").filter(has_text="Saved: Present").wait_for()
    trainer.get_by_label("Day 1, Mei Tanaka").select_option("present")
    mei_day_2 = trainer.locator("form.attendance", has=trainer.get_by_label("Day 2, Mei Tanaka"))
    trainer.get_by_label("Day 2, Mei Tanaka").select_option("partial")
    mei_day_2.get_by_label("Minutes").fill("200")
    mei_day_2.get_by_role("button", name="Save day 2 for Mei Tanaka").click()
    mei_day_2.locator(".saved").filter(has_text="Saved: Partial").wait_for()
    trainer.reload()
    assert trainer.get_by_text(
        "Needs day 2 attended or made up, 6 module quizzes passed"
    ).is_visible()
    trainer.get_by_role("button", name="Sign off Level 1 for Kofi Mensah").click()
    assert trainer.get_by_text("Level 1 is signed off for Kofi Mensah").is_visible()
    check_a11y(trainer)
    screenshot(trainer, "trainer-workshop-attendance")
    trainer.set_viewport_size({"width": 390, "height": 844})
    assert_fits_the_screen(trainer)
    screenshot(trainer, "trainer-workshop-attendance-phone")

    # Kofi finds his certificate, downloads the PDF and opens its verify page.
    kofi = browser.new_context().new_page()
    kofi.set_viewport_size({"width": 390, "height": 844})
    sign_in(kofi, live_server, "kofi@cedarhills.example.org")
    kofi.goto(url)
    check_a11y(kofi)
    kofi.get_by_role("link", name="your certificate").click()
    check_a11y(kofi)
    screenshot(kofi, "trainee-level-one-certificate-phone")
    with kofi.expect_download() as download:
        kofi.get_by_role("link", name="Download the PDF").click()
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert "Kofi Mensah" in text and "Level 1: Knowledge Building" in text
    assert "Graham Lindqvist" in text
    verify = kofi.locator("figcaption a").get_attribute("href")
    kofi.goto(live_server + urlsplit(verify).path)  # the site's address is SITE_URL's
    check_a11y(kofi)
    assert kofi.get_by_role("heading", name="This certificate is valid").is_visible()
    assert kofi.locator("main dd").first.inner_text() == "Kofi Mensah"
    screenshot(kofi, "certificate-verify-level-one-phone")


def test_the_level_two_weeks_fit_a_phone(live_server, page, screenshot):
    sign_in(page, live_server, "jonah@riverbend.example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/levels/level-2")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_fits_the_screen(page)
    screenshot(page, "trainee-level-two-weeks-phone")


def test_the_header_is_one_line_on_a_phone_with_its_links_behind_menu(
    live_server, page, check_a11y, screenshot
):
    sign_in(page, live_server, "mentor@pfr-center.example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/notifications")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 64, header  # brand and Menu on one line
    notifications = page.get_by_role("link", name=re.compile(r"^Notifications"))
    assert not notifications.is_visible()
    page.get_by_role("button", name="Menu").click()
    notifications.wait_for()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    assert_fits_the_screen(page)
    check_a11y(page)
    screenshot(page, "phone-menu-open")
    page.locator(".who a").click()
    page.get_by_role("heading", name="Your account").wait_for()


def test_a_forgotten_password_on_a_phone_then_two_step_sign_in(
    live_server, browser, page, check_a11y, screenshot
):
    import pyotp

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    check_a11y(page)
    page.get_by_label("Email", exact=True).fill("lucia@riverbend.example.org")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_text("a link to choose a new password is on its way").wait_for()
    outbox = live_server.app.extensions["course_mail_outbox"]
    mail = [m for m in outbox if m["To"] == "lucia@riverbend.example.org"][-1]
    link = re.search(r"http://\S+/password/reset/\S+", mail.get_content()).group(0)
    page.goto(link.replace("http://127.0.0.1:5000", live_server))
    check_a11y(page)
    assert_fits_the_screen(page)
    screenshot(page, "reset-password-phone")
    new_password = "lullabies before the nap"
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Type it again").fill(new_password)
    page.get_by_role("button", name="Save my new password").click()
    page.get_by_text("Your new password is saved").wait_for()

    page.get_by_label("Email", exact=True).fill("lucia@riverbend.example.org")
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/training$"))

    # She turns two-step sign-in on from her account page, then signs in with a code.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/account")
    check_a11y(page)
    assert_choices_sit_beside_their_words(page)  # which emails come
    page.get_by_role("link", name="Set it up").click()
    check_a11y(page)
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn two-step sign-in on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    screenshot(page, "two-step-recovery-codes")
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("Email", exact=True).fill("lucia@riverbend.example.org")
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your sign-in code").wait_for()
    check_a11y(page)
    import time

    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/training$"))


@pytest.mark.parametrize(
    ("email", "lands_on", "heading"),
    [
        ("siteadmin@pfr-center.example.org", "/admin/", "Site administration"),
        ("mentor@pfr-center.example.org", "/mentor", None),
        ("admin@riverbend.example.org", "/agency/staff", "Staff progress: Riverbend"),
        ("amara@riverbend.example.org", "/training", None),
    ],
)
def test_each_role_lands_on_its_working_page(
    live_server, page, check_a11y, email, lands_on, heading
):
    sign_in(page, live_server, email)
    page.wait_for_url(re.compile(re.escape(lands_on) + r"$"))
    if heading:
        page.get_by_role("heading", level=1, name=re.compile(heading)).wait_for()
    assert "arrive with the next releases" not in page.content()
    check_a11y(page)
