"""What people do, end to end in a real browser, with an accessibility scan per page."""

import re

from config import TestConfig
from course.demo import DEMO_PASSWORD
from quizzes.loader import load_quizzes

QUIZZES = load_quizzes(TestConfig.CONTENT_DIR, video_slugs=None)


def sign_in(page, base, email, check_a11y=None):
    page.goto(f"{base}/login")
    if check_a11y:
        check_a11y(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_quiz(page, quiz):
    """Fill in a quiz form with right answers, as a trainee who read the module would."""
    for question in quiz.questions:
        response = question.model_response(True)
        if question.type_name == "observation":
            for n, text in enumerate(response["parts"]):
                page.locator(f"textarea[name='{question.field_name('part', n)}']").fill(text)
        elif question.type_name == "domain_sort":
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
        else:
            page.locator(f"textarea[name='{question.field_name('text')}']").fill(response["text"])


def test_trainee_reads_a_module_and_passes_its_quiz(live_server, page, check_a11y, screenshot):
    page.goto(live_server)
    check_a11y(page)
    sign_in(page, live_server, "amara@riverbend.example.org", check_a11y)
    page.wait_for_url(re.compile(r"/training$"))
    check_a11y(page)
    assert page.get_by_text("3 of 7 done (43%)").is_visible()
    assert page.get_by_text("Level 2 opens when you have completed").is_visible()

    page.get_by_role("link", name="Development of Self for Infants and Toddlers").click()
    page.wait_for_url(re.compile(r"/units/development-of-self$"))
    check_a11y(page)
    assert page.get_by_role("heading", name="Key ideas").is_visible()
    handout = page.get_by_role("region", name="Parent handouts").get_by_role("link").first
    handout_title = handout.inner_text()
    handout.click()
    assert page.get_by_role("heading", level=1).inner_text() == handout_title
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    check_a11y(page)
    page.go_back()

    page.get_by_role("link", name="Go to the quiz").click()
    check_a11y(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    check_a11y(page)
    answer_quiz(page, QUIZZES["development-of-self"])
    page.get_by_role("button", name="Submit my answers").click()
    assert page.get_by_text("Passed (the pass mark is").is_visible()
    assert page.get_by_text("Answers may include:").first.is_visible()
    check_a11y(page)
    screenshot(page, "trainee-quiz-feedback")

    page.goto(f"{live_server}/training")
    assert page.get_by_text("4 of 7 done (57%)").is_visible()
    screenshot(page, "trainee-module-complete")


def test_invited_person_sets_a_password_and_starts_training(
    live_server, browser, page, check_a11y, screenshot
):
    sign_in(page, live_server, "siteadmin@pfr-center.example.org")
    page.wait_for_url(re.compile(r"/admin/$"))
    check_a11y(page)
    page.get_by_label("Email").fill("new.trainee@riverbend.example.org")
    page.get_by_label("Name", exact=True).fill("Tova Lindahl")
    page.get_by_label("Role").select_option("trainee")
    page.get_by_label("Agency", exact=True).select_option(label="Riverbend Family Services")
    page.get_by_role("button", name="Create invitation").click()
    link = page.locator(".invite-link code").inner_text()
    assert "/invitations/" in link

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
    assert page.locator("video track[kind='captions']").count() == 2
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
    mentor.get_by_label("Week", exact=True).select_option(label="Week 2: Going out and coming back")
    mentor.get_by_label("Length in minutes").fill("50")
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
    assert mentor.get_by_role("link", name="00:04").is_visible()
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
    assert page.get_by_role("heading", name="Certificate verified").is_visible()
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

    page.get_by_label("Video file").set_input_files(str(clip))
    page.get_by_role("button", name="Upload").click()  # upload.js sends it in chunks
    page.wait_for_url(re.compile(r"/media/videos/[\w-]+$"))
    assert page.locator("video#dyad-player").count() == 1
    assert "IMG_0042" not in page.url and "IMG_0042" not in page.content()
    check_a11y(page)
    screenshot(page, "trainee-uploaded-dyad-video")


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
