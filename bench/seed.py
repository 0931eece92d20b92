"""Seed a large site for `make bench`, fast: Core bulk inserts, not the per-row services.

50 agencies (one of 500 staff), 2,000 trainees in Level 2 pairs with 100 master
trainers, 30,000 reflections with their versions and reviews, sign-offs and meetings,
and 5,000 ready dyad videos whose files are hard links to one small generated clip.
Every account's password is PASSWORD.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from course.accounts.models import Role, User, UserRole
from course.agencies.models import Agency, Cohort
from course.curriculum.media import make_stand_in_clip
from course.curriculum.services import get_curriculum
from course.extensions import CourseModel, db
from course.learning.models import Enrolment, EnrolmentStatus, UnitProgress, UnitStatus
from course.media.models import Consent, DyadVideo, VideoComment, VideoStatus
from course.media.services import storage
from course.mentoring.models import (
    Meeting,
    MeetingAttendee,
    MentorGroup,
    MentorGroupMember,
    WeekSignOff,
)
from course.notifications.models import Notification
from course.progress.tracking import rebuild
from course.public_ids import new_public_id
from course.reflections.models import (
    Decision,
    Reflection,
    ReflectionStatus,
    ReflectionVersion,
    Review,
)
from quizzes.models import AttemptStatus, QuizAttempt, QuizBase

PASSWORD = "bench-password-not-a-secret"  # noqa: S105 (a throwaway benchmark database)
AGENCIES = 50
BIG_AGENCY_STAFF = 500
TRAINEES = 2_000
MENTORS = 100
VIDEOS = 5_000
CLIP_SECONDS = 8

FIRST = (
    "Amara",
    "Jonah",
    "Lucia",
    "Mei",
    "Rosa",
    "Tomasz",
    "Pilar",
    "Howard",
    "Yvonne",
    "Ruth",
    "Graham",
    "Aisha",
    "Bilal",
    "Chen",
    "Dana",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Ravi",
    "Sara",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Alba",
    "Bruno",
    "Carmen",
)
LAST = (
    "Nwosu",
    "Whitfield",
    "Ferreira",
    "Tanaka",
    "Delgado",
    "Wilk",
    "Esquivel",
    "Baptiste",
    "Marchetti",
    "Okafor",
    "Lindqvist",
    "Haddad",
    "Novak",
    "Osei",
    "Park",
    "Quispe",
    "Rahman",
    "Silva",
    "Toure",
    "Ueda",
    "Varga",
    "Wong",
    "Yilmaz",
    "Zapata",
    "Abbott",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eze",
    "Fischer",
)
SENTENCES = [
    "The mother waited each time her son paused in the feed, and offered the bottle again "
    "only when his mouth opened.",
    "I noticed his hand resting on her wrist for most of the film, and her eyes going back "
    "to his face rather than the bottle.",
    "When the toddler knocked the tower down he looked straight at his father, who laughed "
    "and said again, and she reached for a block.",
    "I caught myself wanting to call her a natural, which is a judgement; what I saw was a "
    "caregiver who slowed down and followed the child's lead.",
    "The grandmother stayed on the step while the boy went to the fence and came back to "
    "lean on her knee three times before he settled.",
    "Next visit I want to describe one small moment aloud to the caregiver before I say "
    "anything about what I think it means.",
    "Her voice dropped when the baby turned away, and she waited; after a few seconds he "
    "turned back and she smiled and named the game.",
    "I wondered what the child needed when he threw the spoon, and what the father felt "
    "when he reached out and held his hand instead.",
]
ANSWERS = [
    "The pause in the feed: she waited, he came back, and neither of them hurried.",
    "I would show the tower clip and say: you waited until she pointed, then you named it.",
    "I felt a pull to praise in general terms; I want to name the moment instead.",
    "Next visit I will watch for the baby's pauses before I say anything.",
]


def seed(upload_dir: str | Path, rng_seed: int = 2026) -> dict:
    """Create the tables and the site; return the accounts and objects the bench uses.

    Runs inside an app context whose database is empty (or disposable).
    """
    rng = random.Random(rng_seed)  # noqa: S311 (made-up data, not secrets)
    _fresh_tables()
    curriculum = get_curriculum()
    level1 = curriculum.level("level-1").units
    weeks = curriculum.level("level-2").units
    practice = [u for u in weeks if u.kind.value == "practice_week"]
    rubric = [c.slug for c in curriculum.rubric]
    now = datetime.now(UTC)
    today = now.date()
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # one hash, shared
    rows: dict[type, list[dict]] = {}

    def add(model, **values):
        rows.setdefault(model, []).append(values)
        return values

    def at(day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=UTC)

    # -- agencies, cohorts, people -------------------------------------------------------
    for n in range(1, AGENCIES + 1):
        name = "Big River Family Services" if n == 1 else f"Agency {n:02d} Early Learning"
        add(Agency, id=n, name=name, created_at=now - timedelta(days=400))
        add(
            Cohort,
            id=n,
            agency_id=n,
            level="level-1",
            name=f"Agency {n:02d} Level 1",
            start_date=today - timedelta(days=300),
            end_date=None,
            created_at=now - timedelta(days=300),
        )
    user_ids = iter(range(1, 10**7))
    emails: dict[int, str] = {}
    role_ids = iter(range(1, 10**7))

    def person(email: str, name: str, role: Role, agency_id: int | None) -> int:
        uid = next(user_ids)
        emails[uid] = email
        add(
            User,
            id=uid,
            email=email,
            name=name,
            password_hash=password_hash,
            active=True,
            agency_id=agency_id,
            created_at=now - timedelta(days=rng.randint(200, 400)),
        )
        add(UserRole, id=next(role_ids), user_id=uid, role=role.value)
        return uid

    person("siteadmin@bench.example.org", "Site Admin", Role.SITE_ADMIN, None)
    mentors = [
        person(f"mentor{m:03d}@bench.example.org", _name(rng), Role.MASTER_TRAINER, None)
        for m in range(1, MENTORS + 1)
    ]
    admins = {
        n: person(f"admin@agency{n:02d}.bench.example.org", _name(rng), Role.AGENCY_ADMIN, n)
        for n in range(1, AGENCIES + 1)
    }
    rest, spread = divmod(TRAINEES - BIG_AGENCY_STAFF, AGENCIES - 1)
    staff = {1: BIG_AGENCY_STAFF} | {
        n: rest + (1 if n - 2 < spread else 0) for n in range(2, AGENCIES + 1)
    }
    trainees_of: dict[int, list[int]] = {}
    for n, count in staff.items():
        trainees_of[n] = [
            person(f"trainee{k:03d}@agency{n:02d}.bench.example.org", _name(rng), Role.TRAINEE, n)
            for k in range(1, count + 1)
        ]
    all_trainees = [t for n in trainees_of for t in trainees_of[n]]
    assert len(all_trainees) == TRAINEES

    # -- Level 1 done: enrolment, unit progress, passed quizzes ---------------------------
    enrolment_ids = iter(range(1, 10**7))
    progress_ids = iter(range(1, 10**7))
    attempt_ids = iter(range(1, 10**7))
    for n, people in trainees_of.items():
        for uid in people:
            started = now - timedelta(days=rng.randint(220, 300))
            finished = started + timedelta(days=rng.randint(20, 60))
            eid = next(enrolment_ids)
            add(
                Enrolment,
                id=eid,
                user_id=uid,
                level="level-1",
                cohort_id=n,
                status=EnrolmentStatus.COMPLETED.value,
                started_at=started,
                completed_at=finished,
            )
            for k, unit in enumerate(level1):
                done = started + timedelta(days=3 * k + 1)
                add(
                    UnitProgress,
                    id=next(progress_ids),
                    enrolment_id=eid,
                    unit_slug=unit.slug,
                    status=UnitStatus.COMPLETE.value,
                    started_at=done - timedelta(hours=2),
                    completed_at=done,
                )
                add(
                    QuizAttempt,
                    id=next(attempt_ids),
                    user_id=uid,
                    quiz_slug=unit.quiz,
                    number=1,
                    status=AttemptStatus.SUBMITTED.value,
                    started_at=done - timedelta(minutes=20),
                    saved_at=done,
                    submitted_at=done,
                    score=100.0,
                    passed=True,
                )

    # -- Level 2 groups: pairs inside each agency, mentors loaded unevenly -----------------
    group_ids = iter(range(1, 10**7))
    member_ids = iter(range(1, 10**7))
    weights = [1 + (m % 7) for m in range(len(mentors))]  # 1..7 groups' worth of load
    groups = []  # (group id, mentor id, start date, [trainee ids])
    for n, people in trainees_of.items():
        for k in range(0, len(people), 2):
            pair = people[k : k + 2]
            gid, mentor = next(group_ids), rng.choices(mentors, weights)[0]
            start = today - timedelta(days=rng.randint(100, 140))  # all 15 weeks open
            add(
                MentorGroup,
                id=gid,
                level="level-2",
                mentor_id=mentor,
                agency_id=n,
                start_date=start,
                paused_at=None,
                pauses=[],
                share_reflections=rng.random() < 0.5,
                created_at=at(start - timedelta(days=7)),
            )
            for uid in pair:
                add(MentorGroupMember, id=next(member_ids), group_id=gid, trainee_id=uid)
                add(
                    Enrolment,
                    id=next(enrolment_ids),
                    user_id=uid,
                    level="level-2",
                    cohort_id=None,
                    status=EnrolmentStatus.ACTIVE.value,
                    started_at=at(start - timedelta(days=7)),
                    completed_at=None,
                )
            groups.append((gid, mentor, start, pair))

    # -- reflections, versions, reviews, sign-offs, meetings, notifications ---------------
    ids = {m: iter(range(1, 10**7)) for m in (Reflection, ReflectionVersion, Review)}
    ids |= {m: iter(range(1, 10**7)) for m in (WeekSignOff, Meeting, MeetingAttendee)}
    ids[Notification] = iter(range(1, 10**7))
    queue_size = dict.fromkeys(mentors, 0)
    for index, (gid, mentor, start, pair) in enumerate(groups):
        for week, unit in enumerate(weeks, 1):
            opens = at(start + timedelta(weeks=week - 1), 9)
            last = week == len(weeks)
            for uid in pair:
                answers = [rng.choice(ANSWERS) for _ in unit.reflection_prompts]
                body = " ".join(rng.sample(SENTENCES, 5))
                submitted = opens + timedelta(days=3)
                if not last:
                    status = ReflectionStatus.ACCEPTED
                elif index % 3:
                    status = ReflectionStatus.SUBMITTED
                    submitted = now - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 23))
                else:
                    status = ReflectionStatus.RETURNED
                # One submission in five needed a revision first.
                numbers = 2 if rng.random() < 0.2 and status != ReflectionStatus.RETURNED else 1
                rid, reflection_public_id = next(ids[Reflection]), new_public_id()
                add(
                    Reflection,
                    id=rid,
                    public_id=reflection_public_id,
                    trainee_id=uid,
                    group_id=gid,
                    level="level-2",
                    unit_slug=unit.slug,
                    status=status.value,
                    body=body,
                    answers=answers,
                    created_at=opens + timedelta(days=1),
                    saved_at=submitted,
                    submitted_at=submitted,
                    accepted_at=submitted + timedelta(days=2)
                    if status == ReflectionStatus.ACCEPTED
                    else None,
                )
                for number in range(1, numbers + 1):
                    final = number == numbers
                    when = submitted - timedelta(days=2 * (numbers - number))
                    vid = next(ids[ReflectionVersion])
                    add(
                        ReflectionVersion,
                        id=vid,
                        reflection_id=rid,
                        number=number,
                        body=body,
                        answers=answers,
                        submitted_at=when,
                    )
                    if final and status == ReflectionStatus.SUBMITTED:
                        continue  # waiting in the mentor's queue
                    accept = final and status == ReflectionStatus.ACCEPTED
                    add(
                        Review,
                        id=next(ids[Review]),
                        version_id=vid,
                        reviewer_id=mentor,
                        scores={slug: rng.randint(2, 4) for slug in rubric} if accept else {},
                        feedback="Precise, descriptive observation; keep naming what you see."
                        if accept
                        else "Describe what the child did before you say what it meant.",
                        decision=(Decision.ACCEPT if accept else Decision.RETURN).value,
                        created_at=when + timedelta(days=1),
                    )
                if status == ReflectionStatus.SUBMITTED:
                    queue_size[mentor] += 1
                    add(
                        Notification,
                        id=next(ids[Notification]),
                        user_id=mentor,
                        subject="A reflection is waiting for your review",
                        body=f"{unit.title} is waiting for your review.",
                        link=f"/reflections/{reflection_public_id}/review",
                        created_at=submitted,
                        read_at=None,
                    )
                if week <= len(weeks) - 2:  # weeks 1-13 signed off
                    add(
                        WeekSignOff,
                        id=next(ids[WeekSignOff]),
                        trainee_id=uid,
                        group_id=gid,
                        level="level-2",
                        unit_slug=unit.slug,
                        signed_by_id=mentor,
                        signed_at=opens + timedelta(days=6),
                        revoked_at=None,
                        revoked_by_id=None,
                        revoke_reason=None,
                    )
            if week <= len(weeks) - 1:
                mid = next(ids[Meeting])
                add(
                    Meeting,
                    id=mid,
                    group_id=gid,
                    unit_slug=unit.slug,
                    held_on=(opens + timedelta(days=5)).date(),
                    minutes=60,
                    topics="The week's films; describing before interpreting.",
                    private_notes="",
                    logged_by_id=mentor,
                    created_at=opens + timedelta(days=5),
                )
                for uid in pair:
                    add(MeetingAttendee, id=next(ids[MeetingAttendee]), meeting_id=mid, user_id=uid)
    for uid in all_trainees:
        for k in range(5):
            add(
                Notification,
                id=next(ids[Notification]),
                user_id=uid,
                subject="Your reflection was accepted",
                body="Your mentor reviewed your week.",
                link=f"/units/{weeks[k].slug}",
                created_at=now - timedelta(days=30 - k),
                read_at=None if k == 4 else now - timedelta(days=29 - k),
            )

    # -- consents and dyad videos: one real clip, hard-linked under random keys ------------
    store = storage()
    clip = Path(upload_dir) / "bench-clip.mp4"
    make_stand_in_clip(clip, seconds=CLIP_SECONDS)
    clip_size = clip.stat().st_size
    clip_sha = hashlib.sha256(clip.read_bytes()).hexdigest()
    group_of = {uid: (gid, mentor, start) for gid, mentor, start, pair in groups for uid in pair}
    consent_of, consent_public_id = {}, {}
    for cid, uid in enumerate(all_trainees, 1):
        start = group_of[uid][2]
        add(
            Consent,
            id=cid,
            public_id=secrets.token_urlsafe(16),
            trainee_id=uid,
            level="level-2",
            dyad_pseudonym=f"Family {cid}",
            signed_on=start + timedelta(days=35),
            expires_on=today + timedelta(days=180),
            covers_partner=rng.random() < 0.5,
            covers_training=False,
            attested=True,
            recorded_at=at(start + timedelta(days=35)),
            withdrawn_at=None,
        )
        consent_of[uid] = cid
        consent_public_id[uid] = rows[Consent][-1]["public_id"]
    slots = rng.sample([(uid, unit) for uid in all_trainees for unit in practice], VIDEOS)
    videos_of = dict.fromkeys(all_trainees, 0)
    first_video = {}
    comment_ids = iter(range(1, 10**7))
    for vid, (uid, unit) in enumerate(slots, 1):
        gid, mentor, start = group_of[uid]
        key = store.new_key(".mp4")
        target = store.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(clip, target)
        except OSError:
            shutil.copyfile(clip, target)
        created = at(start + timedelta(weeks=unit.week - 1, days=2), 15)
        public_id = secrets.token_urlsafe(16)
        add(
            DyadVideo,
            id=vid,
            public_id=public_id,
            trainee_id=uid,
            group_id=gid,
            consent_id=consent_of[uid],
            unit_slug=unit.slug,
            status=VideoStatus.READY.value,
            expected_size=clip_size,
            received=clip_size,
            original_name="visit.mp4",
            storage_key=key,
            playable_key=key,
            poster_key=None,
            size=clip_size,
            duration_seconds=float(CLIP_SECONDS),
            sha256=clip_sha,
            error=None,
            created_at=created,
            completed_at=created,
            reviewed_at=None,
            reviewed_by_id=None,
            delete_after=today + timedelta(days=180),
            deleted_at=None,
            deleted_by_id=None,
            deleted_reason=None,
        )
        add(
            VideoComment,
            id=next(comment_ids),
            video_id=vid,
            author_id=mentor,
            seconds=2.0,
            body="Here she slows down and waits for him to look back at her.",
            criterion_slug="cues-and-needs",
            created_at=created + timedelta(days=1),
        )
        videos_of[uid] += 1
        first_video.setdefault(uid, public_id)

    # -- write it all ------------------------------------------------------------------
    counts = {}
    for model, batch in rows.items():
        table = model.__table__
        for k in range(0, len(batch), 5_000):
            db.session.execute(insert(table), batch[k : k + 5_000])
        counts[table.name.removeprefix("course_")] = len(batch)
    db.session.commit()
    _reset_sequences(rows)
    # Bulk inserts bypass the ORM's flush hook: build the dashboards' summary once.
    started = perf_counter()
    counts["summary_people"] = rebuild(db.session)
    counts["summary_seconds"] = perf_counter() - started

    big = trainees_of[1]
    small_agency = min(staff, key=staff.get)
    with_videos = [uid for uid in big if videos_of[uid]]
    bench_trainee = max(with_videos, key=lambda uid: (videos_of[uid], -uid))
    light_trainee = min(
        (uid for n in trainees_of if n != 1 for uid in trainees_of[n] if videos_of[uid]),
        key=lambda uid: (videos_of[uid], uid),
    )
    upload_trainee = next(uid for uid in trainees_of[2] if uid != light_trainee)
    busy = max(mentors, key=lambda m: (queue_size[m], -m))
    quiet = min((m for m in mentors if queue_size[m]), key=lambda m: (queue_size[m], m))
    return {
        "password": PASSWORD,
        "counts": counts,
        "clip_size": clip_size,
        "level_one_slug": level1[0].slug,
        "upload_unit": practice[-1].slug,
        "trainee": {
            "email": emails[bench_trainee],
            "videos": videos_of[bench_trainee],
            "video": first_video[bench_trainee],
        },
        "trainee_light": {
            "email": emails[light_trainee],
            "videos": videos_of[light_trainee],
            "video": first_video[light_trainee],
        },
        "upload_trainee": {
            "email": emails[upload_trainee],
            "consent": consent_public_id[upload_trainee],
        },
        "mentor": {"email": emails[busy], "queue": queue_size[busy]},
        "mentor_light": {"email": emails[quiet], "queue": queue_size[quiet]},
        "agency_admin": {"email": emails[admins[1]], "staff": staff[1]},
        "agency_admin_light": {"email": emails[admins[small_agency]], "staff": staff[small_agency]},
    }


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _fresh_tables() -> None:
    """Create the course's and the quiz plugin's tables (as tests/conftest.py does),
    dropping any left from an earlier run (a reused PostgreSQL database)."""
    QuizBase.metadata.drop_all(db.engine)
    CourseModel.metadata.drop_all(db.engine)
    CourseModel.metadata.create_all(db.engine)
    QuizBase.metadata.create_all(db.engine)


def _reset_sequences(rows: dict) -> None:
    """Explicit ids do not move PostgreSQL's sequences; move them past the seeded rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in rows:
        table = model.__table__
        top = db.session.scalar(select(func.max(table.c.id)))
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
            {"t": f'"{table.name}"', "n": top},
        )
    db.session.commit()
