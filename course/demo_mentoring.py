"""Demo data for the mentored levels: a Level 2 pair part-way through, reviews in both
directions, meetings, sign-offs, certificates and a Level 3 invitation.

Runs once: it does nothing when the demo pair already has a group.
"""

from __future__ import annotations

import tempfile
from datetime import date, time, timedelta
from pathlib import Path

from flask import current_app

from course.accounts.models import Role
from course.accounts.services import get_user_by_email
from course.curriculum.media import make_stand_in_clip
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.films.services import import_practice_films
from course.learning.models import Enrolment, EnrolmentStatus
from course.media import services as media
from course.mentoring import services as mentoring
from course.mentoring import signoffs
from course.mentoring.models import Certificate, LevelThreeInvitation
from course.mentoring.planning import plan_meeting
from course.reflections import services as reflections
from course.reflections.models import Decision
from course.timeutil import utcnow

MENTOR = "mentor@pfr-center.example.org"
SITE_ADMIN = "siteadmin@pfr-center.example.org"

JONAH_WEEK_1 = """\
In the first film the mother holds the bottle still each time her son pauses, and waits
until his mouth opens again before she offers it. I noticed that his hand rested on her
wrist the whole feed, and that she kept glancing at his face rather than the bottle.
In the second film the father builds the tower only after his daughter points to a block.
I caught myself wanting to call him a natural, which is a judgement; what I actually saw
was a man who waited, followed her finger, and named what she chose."""

TOMASZ_WEEK_1 = """\
The baby stopped sucking and looked away about every minute, and each time the mother
stopped too, held him a little more upright and spoke quietly until he turned back. The
toddler with her dad knocked the tower down twice and looked straight at him both times.
He laughed and said "again?" and she grabbed a block. I think both parents were letting
the child lead, and I want to practise saying what I see before I say what I think."""

TOMASZ_WEEK_2 = """\
The grandmother sat on the step the whole time. The little boy went to the fence, then
came back and leaned on her knee, then left again. I thought he was a bit clingy."""

FEEDBACK_RETURN = """\
You noticed how often he came back to his grandmother, which is the heart of this film.
"Clingy" is a judgement, though: describe what he did each time he returned (where he
looked, what he touched, how long he stayed) and what she did. Then wonder what he needed."""

FEEDBACK_ACCEPT = """\
Lovely, precise observation: you saw the hand on the wrist and the glance at his face.
Catching your own "natural" and turning it into what you saw is exactly the habit we
are building. Next week, try saying one of these observations aloud to a caregiver."""

ANSWERS = [
    "The pause in the feed: she waited, he came back, and neither of them hurried.",
    "I would show the tower clip and say: you waited until she pointed, then you named it.",
    "I felt a pull to praise in general terms; I want to name the moment instead.",
    "Next visit I will watch for the baby's pauses before I say anything.",
]


def _answers(unit) -> list[str]:
    return [ANSWERS[n % len(ANSWERS)] for n in range(len(unit.reflection_prompts))]


def seed_mentoring() -> None:
    import_practice_films()
    mentor, admin = get_user_by_email(MENTOR), get_user_by_email(SITE_ADMIN)
    jonah, tomasz = (
        get_user_by_email("jonah@riverbend.example.org"),
        get_user_by_email("tomasz@riverbend.example.org"),
    )
    if mentoring.group_of_trainee(jonah, "level-2") is not None:
        return
    units = get_curriculum().level("level-2").units
    # Started five weeks ago: the video weeks are under way and week 6, the first
    # practice week with a family, is open.
    group = mentoring.form_group(
        admin, mentor, [jonah, tomasz], "level-2", date.today() - timedelta(days=36)
    )
    mentoring.set_sharing(group, mentor, True)
    # This week's meeting, in both trainees' calendars (and Graham's).
    plan_meeting(
        group, mentor, units[5], date.today() + timedelta(days=2), time(16), 60,
        "America/Los_Angeles", "https://meet.example.org/riverbend-pair",
    )  # fmt: skip
    week1, week2, week3 = units[0], units[1], units[2]

    # Week 1: both reflections accepted, the meeting logged, both signed off.
    for trainee, text in ((jonah, JONAH_WEEK_1), (tomasz, TOMASZ_WEEK_1)):
        reflection = reflections.submit_reflection(group, trainee, week1, text, _answers(week1))
        reflections.review_reflection(
            reflection, mentor, _scores(3), FEEDBACK_ACCEPT, Decision.ACCEPT
        )
    meeting = mentoring.log_meeting(
        group,
        mentor,
        week1,
        date.today() - timedelta(days=10),
        60,
        [jonah.id, tomasz.id],
        topics="The two feeding and play films; describing before interpreting.",
        private_notes="Tomasz reaches for labels quickly; keep modelling description.",
    )
    # Corrected the next day: it ran over (the audit log keeps the 60 minutes first logged).
    mentoring.change_meeting(
        meeting,
        group,
        mentor,
        week1,
        meeting.held_on,
        75,
        [jonah.id, tomasz.id],
        topics=meeting.topics,
        private_notes=meeting.private_notes,
    )
    for trainee in (jonah, tomasz):
        signoffs.sign_off_week(group, mentor, trainee, week1)

    # Week 2: Jonah's is waiting for review; Tomasz's came back for revision.
    waiting = reflections.submit_reflection(group, jonah, week2, JONAH_WEEK_1, _answers(week2))
    waiting.submitted_at = utcnow() - timedelta(days=3)
    returned = reflections.submit_reflection(
        group, tomasz, week2, TOMASZ_WEEK_2 + " " + TOMASZ_WEEK_1, _answers(week2)
    )
    reflections.review_reflection(returned, mentor, {}, FEEDBACK_RETURN, Decision.RETURN)
    # Week 3: Jonah has started a draft.
    reflections.save_draft(group, jonah, week3, "Started watching the bath film...", [])
    db.session.commit()

    _dyad_video(jonah, mentor, units[5])
    _certified_graduates(mentor)


def _dyad_video(trainee, mentor, unit) -> None:
    """Jonah's first practice-week video (a stand-in clip), with the mentor's comments."""
    consent = media.record_consent(
        trainee,
        "level-2",
        "Family A",
        date.today() - timedelta(days=2),
        date.today() + timedelta(days=180),
        covers_partner=False,
        covers_training=False,
        attested=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "visit.mp4"
        make_stand_in_clip(clip, seconds=8)
        size = clip.stat().st_size
        video = media.start_upload(trainee, unit, consent, size, "visit.mp4")
        jobs_setting = current_app.config["COURSE_JOB_BACKEND"]
        current_app.config["COURSE_JOB_BACKEND"] = (
            "sync"  # the demo must be ready when seeding ends
        )
        try:
            with clip.open("rb") as stream:
                media.append_chunk(video, 0, stream, size)
        finally:
            current_app.config["COURSE_JOB_BACKEND"] = jobs_setting
    media.add_comment(
        video,
        mentor,
        2,
        "Here she slows down and waits for him to look "
        "back at her. Could you name that for her next visit?",
        "cues-and-needs",
    )
    media.add_comment(video, mentor, 5, "A lovely moment of repair after the spill.")
    media.add_comment(video, trainee, 5, "Yes, I almost missed it while filming!")


def _scores(value: int) -> dict[str, int]:
    return {criterion.slug: value for criterion in get_curriculum().rubric}


def _certified_graduates(mentor) -> None:
    """Backfill the records of people who finished before the site existed."""
    pilar = get_user_by_email("agency.trainer@riverbend.example.org")
    rosa = get_user_by_email("rosa@cedarhills.example.org")
    for person, levels in ((pilar, ("level-2", "level-3")), (rosa, ("level-2",))):
        for number, level in enumerate(levels):
            issued = utcnow() - timedelta(days=400 - 150 * number)
            db.session.add(
                Enrolment(
                    user_id=person.id,
                    level=level,
                    status=EnrolmentStatus.COMPLETED,
                    started_at=issued - timedelta(weeks=16),
                    completed_at=issued,
                )
            )
            db.session.add(
                Certificate(
                    code=signoffs._new_code(),
                    trainee_id=person.id,
                    level=level,
                    issued_by_id=mentor.id,
                    issuer_role=Role.MASTER_TRAINER,
                    issued_at=issued,
                )
            )
    db.session.commit()
    db.session.add(LevelThreeInvitation(trainee_id=rosa.id, invited_by_id=mentor.id))
    db.session.commit()
