"""The maintained progress summary (course_level_progress): after any run of events made
through the services it equals what ``summarize`` computes afresh from the source rows;
it changes (and rolls back) in the same transaction as the event; the CLI rebuilds it;
and its ``behind_since`` and ``current`` columns follow the schedule's rules."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from course.accounts.models import Role, User
from course.agencies import roster
from course.agencies import services as agencies
from course.agencies.models import Cohort
from course.agencies.services import AgencyError
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.learning import services as learning
from course.learning.models import Enrolment, EnrolmentStatus
from course.learning.services import LearningError
from course.mentoring import services as mentoring
from course.mentoring import signoffs
from course.mentoring.models import Certificate, Meeting, MentorGroup, WeekSignOff
from course.mentoring.services import MentoringError
from course.progress.models import LevelProgress
from course.progress.summary import summarize
from course.progress.tracking import rebuild
from course.reflections import services as reflections
from course.reflections.models import Decision, Reflection, ReflectionStatus
from course.reflections.services import ReflectionError
from course.workshops import services as workshops
from course.workshops.models import Workshop, WorkshopSeat
from course.workshops.services import WorkshopError
from quizzes.api import take_quiz
from tests.factories import LONG_BODY, answers_for, full_scores, units_of, week

TODAY = date.today()
COLUMNS = {column.name for column in LevelProgress.__table__.columns}
DOMAIN_ERRORS = (MentoringError, ReflectionError, AgencyError, LearningError, WorkshopError)
ROSTER_HEADER = "email,first name,last name,job title,pair code\n"


# -- helpers ------------------------------------------------------------------------


def _normal(row: dict) -> dict:
    """Datetimes as aware UTC, whatever the database hands back."""
    return {
        key: (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
        if isinstance(value, datetime)
        else value
        for key, value in row.items()
    }


def table_rows() -> dict[tuple[int, str], dict]:
    """The summary table as stored: every column of every row."""
    rows = db.session.execute(select(LevelProgress.__table__)).mappings()
    return {(row["trainee_id"], row["level"]): _normal(dict(row)) for row in rows}


def fresh_rows() -> dict[tuple[int, str], dict]:
    """The summary of everyone, computed now from the source rows."""
    everyone = list(db.session.scalars(select(User.id)))
    rows = summarize(db.session.connection(), everyone)
    return {key: _normal(row) for key, row in rows.items()}


def assert_summary_is_fresh(context: str = "") -> dict[tuple[int, str], dict]:
    table, fresh = table_rows(), fresh_rows()
    for row in [*table.values(), *fresh.values()]:
        assert set(row) == COLUMNS
    assert table == fresh, context
    return table


def row_of(person, level) -> dict | None:
    return table_rows().get((person.id, level))


def accepted_reflection(group, trainee, unit):
    reflection = reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    reflections.review_reflection(reflection, group.mentor, full_scores(), "", Decision.ACCEPT)
    return reflection


# -- 1. random events: the rows kept step by step equal a fresh computation -----------


class Site:
    """An agency with a master trainer and six trainees (three with Level 1 complete),
    two Level 1 cohorts and two Level 2 cohorts, and the events that happen to them,
    each made through the services as the pages make it."""

    def __init__(self, make, rng: random.Random):
        self.make, self.rng = make, rng
        self.agency = make.make_agency()
        self.site_admin = make.make_site_admin()
        self.agency_admin = make.make_user(Role.AGENCY_ADMIN, agency=self.agency)
        self.mentor = make.make_user(Role.MASTER_TRAINER)
        self.cohorts = {
            "level-1": [self._cohort("level-1", name, 0) for name in ("Spring", "Summer")],
            "level-2": [
                self._cohort("level-2", "Autumn", rng.randint(30, 60)),
                self._cohort("level-2", "Winter", rng.randint(10, 29)),
            ],
        }
        self.trainees = [make.make_level_one_graduate(self.agency) for _ in range(3)]
        for _ in range(3):
            trainee = make.make_trainee(agency=self.agency)
            learning.enrol(trainee, "level-1", cohort=rng.choice(self.cohorts["level-1"]))
            self.trainees.append(trainee)

    def _cohort(self, level, name, days_ago):
        cohort = Cohort(
            agency=self.agency,
            level=level,
            name=name,
            start_date=TODAY - timedelta(days=days_ago),
            mentor_id=self.mentor.id if level != "level-1" else None,
        )
        db.session.add(cohort)
        db.session.commit()
        return cohort

    # What there is to act on ------------------------------------------------------------

    def groups(self) -> list[MentorGroup]:
        return list(db.session.scalars(select(MentorGroup).order_by(MentorGroup.id)))

    def graduates(self) -> list[User]:
        return [t for t in self.trainees if learning.has_completed_level(t, "level-1")]

    def open_weeks(self, group):
        return [item.unit for item in mentoring.scheduled_units(group) if item.is_open]

    def reflections(self, *statuses) -> list[Reflection]:
        return list(
            db.session.scalars(
                select(Reflection).where(Reflection.status.in_(statuses)).order_by(Reflection.id)
            )
        )

    def pick(self, items):
        items = list(items)
        return self.rng.choice(items) if items else None

    def member_and_week(self):
        """A group, one of its trainees and one of its open weeks (the first six)."""
        group = self.pick(self.groups())
        if group is None:
            return None
        unit = self.pick(self.open_weeks(group)[:6])
        if unit is None:
            return None
        return group, self.pick(group.trainees), unit

    # The events ---------------------------------------------------------------------
    # Each returns what it did, or None when it had nothing to act on.

    def visit_module(self):
        trainee = self.pick(t for t in self.trainees if t not in self.graduates())
        if trainee is None:
            return None
        unit = self.pick(units_of("level-1"))
        learning.record_visit(trainee, unit)
        return f"{trainee.name} opens {unit.slug}"

    def pass_module_quiz(self):
        trainee = self.pick(t for t in self.trainees if t not in self.graduates())
        if trainee is None:
            return None
        unit = self.pick(units_of("level-1"))
        take_quiz(trainee.id, unit.quiz)  # passing completes the module
        return f"{trainee.name} passes {unit.quiz}"

    def sign_off_level_one(self):
        """A workshop's Master Trainer signs Level 1 off (its certificate)."""
        trainee = self.pick(t for t in self.trainees if t not in self.graduates())
        if trainee is None:
            return None
        self.make.complete_level_one(trainee)
        return f"{trainee.name} has Level 1 signed off"

    def revoke_level_one(self):
        certificate = self.pick(
            db.session.scalars(
                select(Certificate).where(
                    Certificate.level == "level-1", Certificate.revoked_at.is_(None)
                )
            )
        )
        if certificate is None:
            return None
        workshop = db.session.scalar(
            select(Workshop)
            .join(WorkshopSeat)
            .where(WorkshopSeat.trainee_id == certificate.trainee_id)
        )
        trainee = db.session.get(User, certificate.trainee_id)
        workshops.revoke_level_one(self.site_admin, workshop, trainee, "Signed the wrong person.")
        return f"Level 1 of {trainee.name} revoked"

    def form_group(self):
        """An admin forms a group of one or two, mostly of people in no group yet."""
        grouped = {t for group in self.groups() for t in group.trainee_ids}
        free = [t for t in self.graduates() if t.id not in grouped]
        choices = free if free and self.rng.random() < 0.8 else self.graduates()
        people = self.rng.sample(choices, min(len(choices), self.rng.randint(1, 2)))
        if not people:
            return None
        start = TODAY - timedelta(days=self.rng.randint(10, 60))
        mentoring.form_group(self.site_admin, self.mentor, people, "level-2", start)
        return f"group of {[p.name for p in people]} from {start}"

    def join_level_two_cohort(self):
        """The agency admin's roster puts people in a Level 2 cohort (and its groups)."""
        people = self.rng.sample(
            self.graduates(), min(len(self.graduates()), self.rng.randint(1, 2))
        )
        if not people:
            return None
        cohort = self.pick(self.cohorts["level-2"])
        pair = "P1" if len(people) == 2 else ""
        text = ROSTER_HEADER + "".join(
            f"{p.email},{p.name.split()[0]},{p.name.split()[-1]},Home visitor,{pair}\n"
            for p in people
        )
        roster.import_roster(self.agency_admin, self.agency, cohort, text)
        return f"{[p.name for p in people]} join {cohort.name}"

    def save_draft(self):
        found = self.member_and_week()
        if found is None:
            return None
        group, trainee, unit = found
        reflections.save_draft(group, trainee, unit, "Only a few words so far.", [])
        return f"{trainee.name} saves a draft of {unit.slug}"

    def submit_reflection(self):
        found = self.member_and_week()
        if found is None:
            return None
        group, trainee, unit = found
        reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
        return f"{trainee.name} submits {unit.slug}"

    def review_reflection(self):
        """The mentor accepts a submitted reflection, or now and then returns it."""
        reflection = self.pick(self.reflections(ReflectionStatus.SUBMITTED))
        if reflection is None:
            return None
        decision = Decision.ACCEPT if self.rng.random() < 0.75 else Decision.RETURN
        scores, feedback = (
            (full_scores(), "") if decision == Decision.ACCEPT else ({}, "Say more about cues.")
        )
        mentor = db.session.get(User, reflection.group.mentor_id)
        reflections.review_reflection(reflection, mentor, scores, feedback, decision)
        return f"{decision} {reflection.unit_slug} of trainee {reflection.trainee_id}"

    def log_meeting(self):
        """A meeting for a week with a reflection in it (mostly one already accepted,
        which the trainee attends), else for any open week."""
        reflection = self.pick(
            self.reflections(ReflectionStatus.ACCEPTED)
            or self.reflections(ReflectionStatus.SUBMITTED, ReflectionStatus.RETURNED)
        )
        if reflection is not None and self.rng.random() < 0.8:
            group, unit = reflection.group, get_curriculum().unit(reflection.unit_slug)
            attendees = {reflection.trainee_id}
        else:
            found = self.member_and_week()
            if found is None:
                return None
            group, _, unit = found
            attendees = set()
        others = self.rng.sample(sorted(group.trainee_ids), self.rng.randint(1, len(group.members)))
        attendees = sorted(attendees | set(others))
        held_on = TODAY - timedelta(days=self.rng.randint(0, 6))
        minutes = self.rng.randint(20, 90)
        mentoring.log_meeting(group, group.mentor, unit, held_on, minutes, attendees)
        return f"meeting on {unit.slug} for {attendees}, {minutes} minutes"

    def change_meeting(self):
        """The mentor corrects a meeting's length and date, and may add a trainee (taking
        one away is test_removing_a_meeting_attendee_updates_their_minutes)."""
        meeting = self.pick(db.session.scalars(select(Meeting).order_by(Meeting.id)))
        if meeting is None:
            return None
        group = db.session.get(MentorGroup, meeting.group_id)
        attendees = sorted(meeting.attendee_ids | {self.pick(sorted(group.trainee_ids))})
        minutes = self.rng.randint(20, 90)
        held_on = TODAY - timedelta(days=self.rng.randint(0, 6))
        unit = get_curriculum().unit(meeting.unit_slug)
        mentoring.change_meeting(meeting, group, group.mentor, unit, held_on, minutes, attendees)
        return f"meeting {meeting.id} now {minutes} minutes for {attendees}"

    def delete_meeting(self):
        meeting = self.pick(db.session.scalars(select(Meeting).order_by(Meeting.id)))
        if meeting is None:
            return None
        group = db.session.get(MentorGroup, meeting.group_id)
        mentoring.delete_meeting(meeting, group, group.mentor)
        return f"meeting {meeting.id} deleted"

    def sign_off_week(self):
        """A week whose reflection is accepted and not yet signed off (refused when no
        meeting is logged for it)."""
        signed = set(
            db.session.execute(
                select(WeekSignOff.trainee_id, WeekSignOff.unit_slug).where(
                    WeekSignOff.revoked_at.is_(None)
                )
            ).tuples()
        )
        reflection = self.pick(
            r
            for r in self.reflections(ReflectionStatus.ACCEPTED)
            if (r.trainee_id, r.unit_slug) not in signed
        )
        if reflection is None:
            return None
        group, unit = reflection.group, get_curriculum().unit(reflection.unit_slug)
        signoffs.sign_off_week(group, group.mentor, reflection.trainee, unit)
        return f"{unit.slug} of trainee {reflection.trainee_id} signed off"

    def revoke_sign_off(self):
        sign_off = self.pick(
            db.session.scalars(select(WeekSignOff).where(WeekSignOff.revoked_at.is_(None)))
        )
        if sign_off is None:
            return None
        signoffs.revoke_week_sign_off(sign_off, sign_off.group.mentor, "Signed too early.")
        return f"sign-off of {sign_off.unit_slug} of trainee {sign_off.trainee_id} revoked"

    def open_week_early(self):
        group = self.pick(self.groups())
        if group is None:
            return None
        closed = [item.unit for item in mentoring.scheduled_units(group) if not item.is_open]
        unit = self.pick(closed)
        if unit is None:
            return None
        mentoring.open_week_early(group, unit, group.mentor)
        return f"{unit.slug} opened early in group {group.id}"

    def pause_or_resume(self):
        group = self.pick(self.groups())
        if group is None:
            return None
        if group.paused_at is not None:
            mentoring.resume_group(group, group.mentor)
            return f"group {group.id} resumed"
        mentoring.pause_group(group, group.mentor)
        # Paused some days ago (as the mentoring tests date a pause), within the group.
        days = self.rng.randint(0, (TODAY - group.start_date).days)
        group.paused_at = datetime.now(UTC) - timedelta(days=days)
        db.session.commit()
        return f"group {group.id} paused {days} days ago"

    def certify_level(self):
        """Level 2's certificate: refused until every week is signed off."""
        group = self.pick(self.groups())
        if group is None:
            return None
        trainee = self.pick(group.trainees)
        signoffs.sign_off_level(group, group.mentor, trainee)
        return f"Level 2 certificate for {trainee.name}"

    def withdraw(self):
        enrolment = self.pick(self._cohort_enrolments())
        if enrolment is None:
            return None
        agencies.withdraw(enrolment, "Left the agency.")
        return f"enrolment {enrolment.id} ({enrolment.level}) withdrawn"

    def move(self):
        enrolment = self.pick(self._cohort_enrolments())
        if enrolment is None:
            return None
        target = self.pick(c for c in self.cohorts[enrolment.level] if c.id != enrolment.cohort_id)
        agencies.move(enrolment, target)
        return f"enrolment {enrolment.id} ({enrolment.level}) moved to {target.name}"

    def _cohort_enrolments(self) -> list[Enrolment]:
        return list(
            db.session.scalars(
                select(Enrolment)
                .where(
                    Enrolment.cohort_id.is_not(None),
                    Enrolment.status != EnrolmentStatus.WITHDRAWN,
                )
                .order_by(Enrolment.id)
            )
        )

    EVENTS = {  # name: weight (the weeks' events most, so weeks get signed off)
        "visit_module": 1,
        "pass_module_quiz": 1,
        "sign_off_level_one": 1,
        "revoke_level_one": 1,
        "form_group": 2,
        "join_level_two_cohort": 1,
        "save_draft": 1,
        "submit_reflection": 4,
        "review_reflection": 4,
        "log_meeting": 4,
        "change_meeting": 1,
        "delete_meeting": 1,
        "sign_off_week": 6,
        "revoke_sign_off": 2,
        "open_week_early": 1,
        "pause_or_resume": 2,
        "certify_level": 1,
        "withdraw": 1,
        "move": 1,
    }

    def random_event(self) -> tuple[str, str | None]:
        name = self.rng.choices(list(self.EVENTS), weights=list(self.EVENTS.values()))[0]
        try:
            return name, getattr(self, name)()
        except DOMAIN_ERRORS as refused:
            db.session.rollback()  # as the request that was refused ends
            return name, f"refused: {refused}"


@pytest.mark.parametrize("seed", [7, 2026, 31337])
def test_random_events_keep_the_summary_equal_to_a_fresh_computation(app, make, seed):
    """Forty random events through the services (modules, Level 1 sign-offs, groups,
    drafts, submissions, reviews, meetings, sign-offs and revocations, early weeks,
    pauses, certificates, withdrawals, moves): after each, every column of every row of
    the table equals ``summarize`` run afresh; a rebuild at the end changes nothing."""
    site = Site(make, random.Random(seed))  # noqa: S311 (repeatable, not secret)
    assert_summary_is_fresh("after the setup")
    history = []
    seen = {"signed off": False, "dealt with": False, "meeting minutes": False}
    for _ in range(400):  # draws with nothing to act on yet (no group, ...) are redrawn
        name, done = site.random_event()
        if done is None:
            continue
        history.append(f"{name}: {done}")
        table = assert_summary_is_fresh("after " + "\n".join(history[-5:]))
        mentored = [row for (_, level), row in table.items() if level != "level-1"]
        seen["signed off"] |= any(row["done"] > 0 for row in mentored)
        seen["dealt with"] |= any(row["dealt_with"] for row in mentored)
        seen["meeting minutes"] |= any(row["meeting_minutes"] > 0 for row in mentored)
        if len(history) == 40:
            break
    applied = [event for event in history if ": refused: " not in event]
    assert len(history) == 40 and len(applied) >= 25, history
    assert all(seen.values()), (seen, history)

    before = table_rows()
    rebuild(db.session)
    assert table_rows() == before


# -- 2. the same transaction --------------------------------------------------------


@pytest.fixture
def ready_week(app, make):
    """A trainee whose Level 2 week 1 is ready to sign off: reflection accepted, meeting
    logged."""
    trainee = make.make_level_one_graduate()
    group = make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=10))
    unit = week("level-2", 1)
    accepted_reflection(group, trainee, unit)
    mentoring.log_meeting(group, group.mentor, unit, TODAY, 60, [trainee.id])
    return group, trainee, unit


def test_a_flushed_sign_off_shows_in_the_summary_before_the_commit(ready_week, monkeypatch):
    """The service's sign-off, flushed but not committed, is already counted in the same
    transaction, and rolling the transaction back takes the count back with it."""
    group, trainee, unit = ready_week
    before = row_of(trainee, "level-2")
    assert before["done"] == 0
    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", db.session.flush)  # the service flushes only
        signoffs.sign_off_week(group, group.mentor, trainee, unit)
    inside = row_of(trainee, "level-2")
    assert (inside["done"], inside["percent"]) == (1, 7)
    assert inside["last_activity_at"] is not None
    assert inside == fresh_rows()[(trainee.id, "level-2")]

    db.session.rollback()
    assert row_of(trainee, "level-2") == before
    assert db.session.scalar(select(func.count(WeekSignOff.id))) == 0


def test_a_rolled_back_revocation_leaves_the_sign_off_counted(ready_week, monkeypatch):
    """Revoking a sign-off and rolling back keeps the row as committed."""
    group, trainee, unit = ready_week
    sign_off = signoffs.sign_off_week(group, group.mentor, trainee, unit)
    committed = row_of(trainee, "level-2")
    assert committed["done"] == 1
    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", db.session.flush)
        signoffs.revoke_week_sign_off(sign_off, group.mentor, "Too early.")
    assert row_of(trainee, "level-2")["done"] == 0
    db.session.rollback()
    assert row_of(trainee, "level-2") == committed
    assert_summary_is_fresh()


# -- 3. the CLI ---------------------------------------------------------------------


def test_cli_rebuild_restores_the_rows_and_counts_the_people(app, make, runner):
    """``flask course progress rebuild`` after the table is emptied writes back exactly
    the rows there were, and says how many people have rows."""
    graduate = make.make_level_one_graduate()
    group = make.make_group(trainees=[graduate], start_date=TODAY - timedelta(days=20))
    unit = week("level-2", 1)
    accepted_reflection(group, graduate, unit)
    mentoring.log_meeting(group, group.mentor, unit, TODAY, 45, [graduate.id])
    signoffs.sign_off_week(group, group.mentor, graduate, unit)
    beginner = make.make_trainee(agency=graduate.agency)
    learning.record_visit(beginner, week("level-1", 2))
    make.make_trainee(agency=graduate.agency)  # nothing started: no rows
    rows = table_rows()
    people = {trainee_id for trainee_id, _ in rows}
    assert people == {graduate.id, beginner.id}
    assert rows[(graduate.id, "level-2")]["done"] == 1

    db.session.execute(delete(LevelProgress))
    db.session.commit()
    assert table_rows() == {}
    result = runner.invoke(args=["course", "progress", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"{len(people)} people with rows" in result.output
    assert table_rows() == rows


# -- 4. behind_since and current ----------------------------------------------------


def test_behind_since_is_the_opening_date_of_the_first_week_not_dealt_with(app, make):
    """Nothing submitted: the start date; week 1 submitted: week 2's date (its start
    plus seven days)."""
    trainee = make.make_level_one_graduate()
    start = TODAY - timedelta(days=30)
    group = make.make_group(trainees=[trainee], start_date=start)
    schedule = mentoring.scheduled_units(group)
    assert row_of(trainee, "level-2")["behind_since"] == schedule[0].opens_on == start

    reflections.save_draft(group, trainee, week("level-2", 1), "Only a few words.", [])
    assert row_of(trainee, "level-2")["behind_since"] == start  # a draft is not dealt with
    unit = week("level-2", 1)
    reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    row = row_of(trainee, "level-2")
    assert row["behind_since"] == schedule[1].opens_on == start + timedelta(days=7)
    assert row["dealt_with"] == 0b1


def test_behind_since_of_a_paused_group_counts_only_weeks_already_open(app, make):
    """Paused on day 10 (weeks 1 and 2 open): the earliest open week not dealt with, or
    nothing once both are; a week opened early counts; resuming moves the rest back."""
    trainee = make.make_level_one_graduate()
    start = TODAY - timedelta(days=30)
    group = make.make_group(trainees=[trainee], start_date=start)
    mentoring.pause_group(group, group.mentor)
    group.paused_at = datetime.combine(start + timedelta(days=10), datetime.min.time(), UTC)
    db.session.commit()
    for n in (1, 2):
        unit = week("level-2", n)
        assert row_of(trainee, "level-2")["behind_since"] == (
            mentoring.scheduled_units(group)[n - 1].opens_on
        )
        reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    assert [item.is_open for item in mentoring.scheduled_units(group)][:3] == [True, True, False]
    assert row_of(trainee, "level-2")["behind_since"] is None  # week 3 on is still closed

    mentoring.open_week_early(group, week("level-2", 4), group.mentor)
    schedule = mentoring.scheduled_units(group)
    assert row_of(trainee, "level-2")["behind_since"] == schedule[3].opens_on

    mentoring.resume_group(group, group.mentor)
    schedule = mentoring.scheduled_units(group)
    assert group.pauses  # the twenty days paused move week 3 on back
    assert row_of(trainee, "level-2")["behind_since"] == schedule[2].opens_on
    assert schedule[2].opens_on == start + timedelta(days=14 + group.pauses[0]["days"])
    assert_summary_is_fresh()


def test_current_is_the_level_of_the_latest_group_else_level_one(app, make):
    """One row per person is current: Level 1 before any group, then the level of the
    latest group (Level 3 after Level 2), whatever other rows the person has."""
    trainee = make.make_level_one_graduate()
    newcomer = make.make_trainee(agency=trainee.agency)
    learning.record_visit(newcomer, week("level-1", 1))

    def current_levels(person):
        return {
            level
            for (who, level), row in table_rows().items()
            if who == person.id and row["current"]
        }

    assert current_levels(trainee) == {"level-1"}
    assert current_levels(newcomer) == {"level-1"}
    group = make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=3))
    assert current_levels(trainee) == {"level-2"}
    assert row_of(trainee, "level-1")["current"] is False

    signoffs.issue_certificate(group.mentor, trainee, "level-2", tell=lambda issued: None)
    assert row_of(trainee, "level-2")["certified_at"] is not None
    assert row_of(trainee, "level-2")["enrolment_status"] == EnrolmentStatus.COMPLETED
    invitation = signoffs.invite_to_level_three(group.mentor, trainee)
    signoffs.answer_level_three_invitation(invitation, trainee, accept=True)
    assert row_of(trainee, "level-3")["enrolment_status"] == EnrolmentStatus.ACTIVE
    assert current_levels(trainee) == {"level-2"}  # enrolled, but no Level 3 group yet
    make.make_group(mentor=group.mentor, trainees=[trainee], level="level-3")
    assert current_levels(trainee) == {"level-3"}
    assert current_levels(newcomer) == {"level-1"}
    assert row_of(newcomer, "level-1")["done"] == 0
    assert row_of(newcomer, "level-1")["enrolment_status"] == EnrolmentStatus.ACTIVE
    assert_summary_is_fresh()


# -- 5. single events the random runs may not reach, and two known faults ---------


def test_level_one_row_follows_a_visit_then_the_quiz_of_the_same_module(app, make):
    """Opening a module starts the Level 1 row (nothing done); passing its quiz later,
    which changes only that module's progress, counts it done."""
    trainee = make.make_trainee(agency=make.make_agency())
    unit = week("level-1", 3)
    assert row_of(trainee, "level-1") is None  # nothing started: no row
    learning.record_visit(trainee, unit)
    row = row_of(trainee, "level-1")
    assert (row["done"], row["total"], row["enrolment_status"]) == (0, 7, EnrolmentStatus.ACTIVE)
    assert row["last_activity_at"] is not None
    take_quiz(trainee.id, unit.quiz)
    row = row_of(trainee, "level-1")
    assert (row["done"], row["percent"], row["current"]) == (1, 14, True)
    assert_summary_is_fresh()


def test_certified_at_follows_a_certificate_issued_then_revoked(app, make):
    """A Level 2 certificate fills certified_at (and completes the enrolment); revoking
    it alone, the enrolment untouched, empties it again."""
    trainee = make.make_level_one_graduate()
    group = make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=3))
    certificate, issued = signoffs.issue_certificate(
        group.mentor, trainee, "level-2", tell=lambda issued: None
    )
    assert issued
    row = row_of(trainee, "level-2")
    assert row["certified_at"] == certificate.issued_at
    assert row["enrolment_status"] == EnrolmentStatus.COMPLETED
    signoffs.revoke_certificate(certificate, group.mentor, "Issued to the wrong person.")
    row = row_of(trainee, "level-2")
    assert row["certified_at"] is None
    assert row["enrolment_status"] == EnrolmentStatus.COMPLETED
    assert_summary_is_fresh()


def test_removing_a_meeting_attendee_updates_their_minutes(app, make):
    """A meeting corrected to leave a trainee out no longer counts for them."""
    first = make.make_level_one_graduate()
    second = make.make_level_one_graduate(agency=first.agency)
    group = make.make_group(trainees=[first, second], start_date=TODAY - timedelta(days=10))
    unit = week("level-2", 1)
    meeting = mentoring.log_meeting(group, group.mentor, unit, TODAY, 60, [first.id, second.id])
    assert row_of(second, "level-2")["meeting_minutes"] == 60
    mentoring.change_meeting(meeting, group, group.mentor, unit, TODAY, 60, [first.id])
    assert row_of(first, "level-2")["meeting_minutes"] == 60
    assert row_of(second, "level-2")["meeting_minutes"] == 0
    assert_summary_is_fresh()


def test_level_one_done_counts_the_modules_of_the_enrolment_the_row_shows(app, make):
    """A graduate put in a later Level 1 cohort starts a new enrolment: the row counts
    its modules (as the trainee's own page does), never more than the level has."""
    trainee = make.make_level_two_trainee()  # seven modules complete, Level 1 signed off
    cohort = Cohort(agency=trainee.agency, level="level-1", name="Later", start_date=TODAY)
    db.session.add(cohort)
    db.session.commit()
    admin = make.make_user(Role.AGENCY_ADMIN, agency=trainee.agency)
    roster.import_roster(
        admin, trainee.agency, cohort, ROSTER_HEADER + f"{trainee.email},Ana,Reyes,HV,\n"
    )
    take_quiz(trainee.id, week("level-1", 1).quiz)
    row = row_of(trainee, "level-1")
    assert (row["enrolment_status"], row["cohort_id"]) == (EnrolmentStatus.ACTIVE, cohort.id)
    shown = learning.level_progress(trainee, get_curriculum().level("level-1"))
    assert (row["done"], row["percent"]) == (shown.done, shown.percent)


def test_a_draft_saved_again_only_moves_last_activity(app, make, monkeypatch):
    """The autosave path: a second save of a draft updates when the person was last
    active with one statement, no whole refresh, and leaves the summary fresh."""
    from course.progress import tracking

    trainee = make.make_level_one_graduate()
    group = make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=3))
    unit = week("level-2", 1)
    first = reflections.save_draft(group, trainee, unit, "A first line.", [])
    before = row_of(trainee, "level-2")["last_activity_at"]
    refreshed = []
    monkeypatch.setattr(tracking, "refresh", lambda connection, ids: refreshed.append(set(ids)))
    second = reflections.save_draft(group, trainee, unit, "A first line, and a second.", [])
    assert second.id == first.id and refreshed == []
    after = row_of(trainee, "level-2")["last_activity_at"]
    assert after == second.saved_at.astimezone(UTC) and after > before
    monkeypatch.undo()
    assert_summary_is_fresh()
    # Submitting is not a draft save: the week is dealt with, through a whole refresh.
    reflections.submit_reflection(group, trainee, unit, LONG_BODY, answers_for(unit))
    assert row_of(trainee, "level-2")["dealt_with"] & 1
    assert_summary_is_fresh()


def test_two_transactions_for_one_person_take_turns(app, make):
    """Two meetings logged for one person at the same moment (two requests, two
    database connections): the second transaction waits for the first's lock on the
    person, then reads what it committed, so both meetings are counted. SQLite lets one
    writer in at a time anyway; PostgreSQL needs the lock."""
    import threading

    from sqlalchemy.orm import Session

    from course.mentoring.models import MeetingAttendee

    trainee = make.make_level_one_graduate()
    group = make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=3))
    unit_slug = week("level-2", 1).slug
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("runs on PostgreSQL: SQLite lets one writer in at a time")

    def meeting(minutes):
        return Meeting(
            group_id=group.id,
            unit_slug=unit_slug,
            held_on=TODAY,
            minutes=minutes,
            logged_by_id=group.mentor_id,
            attendees=[MeetingAttendee(user_id=trainee.id)],
        )

    first = Session(db.engine)
    first.add(meeting(60))
    first.flush()  # its summary rows are written, the person's lock is held
    finished = []

    def second_request():
        with app.app_context(), Session(db.engine) as second:
            second.add(meeting(45))
            second.commit()
            finished.append(True)

    waiting = threading.Thread(target=second_request)
    waiting.start()
    waiting.join(timeout=1.0)
    assert waiting.is_alive() and not finished  # it waits for the first transaction
    first.commit()
    first.close()
    waiting.join(timeout=10)
    assert finished
    db.session.expire_all()
    assert row_of(trainee, "level-2")["meeting_minutes"] == 105
    assert_summary_is_fresh()


def test_only_someone_active_in_the_level_can_be_behind(app, make):
    """Withdrawn from Level 2 with weeks long open: no longer behind (an agency admin's
    "Behind" list is for people still in training)."""
    trainee = make.make_level_one_graduate()
    make.make_group(trainees=[trainee], start_date=TODAY - timedelta(days=40))
    assert row_of(trainee, "level-2")["behind_since"] is not None
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == trainee.id, Enrolment.level == "level-2")
    )
    agencies.withdraw(enrolment, "Left the home-visiting program.")
    row = row_of(trainee, "level-2")
    assert (row["behind_since"], row["enrolment_status"]) == (None, EnrolmentStatus.WITHDRAWN)
    assert_summary_is_fresh()
