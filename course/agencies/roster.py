"""Enrolling a cohort from a CSV roster: preview first, then save everything valid at once.

Columns: email, first name, last name, job title, and an optional pair code (two
people with the same code share a mentor group). Re-uploading the same file changes
nothing: people already in the cohort are reported as unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from course.accounts.models import Role, User, normalize_email
from course.accounts.services import email_invitation, invite_many
from course.agencies.models import Agency, Cohort
from course.agencies.services import move as move_enrolment
from course.extensions import db
from course.learning.models import Enrolment, EnrolmentStatus
from course.learning.services import current_enrolment, has_completed_level
from course.mentoring.services import MENTORED_LEVELS, MentoringError, form_group
from course.permissions import Action, can

MAX_ROWS = 2000
NAME_MAX = TITLE_MAX = 120  # the columns' sizes in the database
PAIR_MAX = 40
COLUMNS = {
    "email": "email",
    "first name": "first",
    "last name": "last",
    "job title": "title",
    "pair code": "pair",
}
# What the columns are called in the files people have, compared without case, spaces,
# underscores or dashes: ours, a spreadsheet's own wording, Moodle's upload-users file
# and Canvas's SIS users.csv (first_name, last_name, email).
ALIASES = {
    "email": ("email", "emailaddress", "mail"),
    "first": ("firstname", "givenname", "first"),
    "last": ("lastname", "surname", "familyname", "last"),
    "title": ("jobtitle", "title", "position", "role"),
    "pair": ("paircode", "pair"),
}
REQUIRED = ("email", "first", "last")  # no job title column: titles are left blank
# One answer for every existing account the agency may not take (another agency's person,
# a master trainer, a site admin), so the preview does not tell them apart.
logger = logging.getLogger(__name__)
CANNOT_ENROL = "this address cannot be enrolled by this agency; ask the training center"


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    first: str
    last: str
    title: str
    pair: str = ""

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class RosterProblem:
    line: int
    email: str
    message: str


@dataclass
class RosterPreview:
    new: list[RosterRow] = field(default_factory=list)
    existing: list[tuple[RosterRow, User]] = field(default_factory=list)  # to be enrolled
    unchanged: list[tuple[RosterRow, User]] = field(default_factory=list)  # already in it
    # Active in another cohort of the level: moved only when the admin says so.
    moving: list[tuple[RosterRow, User, str]] = field(default_factory=list)  # (.., cohort)
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.existing)


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


def decode_roster(data: bytes) -> str:
    """The file's text: UTF-16 when it says so (spreadsheets' "Unicode text"), UTF-8
    with or without a byte-order mark, or else Windows-1252 (what Excel on Windows
    saves as "CSV"). Nothing is guessed into replacement characters.

    :raise RosterFileError: when the bytes are none of these.
    """
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252")
    except UnicodeDecodeError:
        raise RosterFileError(
            "The letters in this file cannot be read. In your spreadsheet, choose Save As, "
            '"CSV UTF-8", and upload that file.'
        ) from None


def read_roster(text: str) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Parse the CSV; a missing column, too many rows or a file that is not CSV text is a
    problem for the whole file."""
    if "\x00" in text:
        return [], [RosterProblem(1, "", "this is not a CSV text file: save it as CSV (UTF-8)")]
    try:
        return _read_rows(text)
    except csv.Error as exc:  # a cell over the field limit, an unfinished quote ...
        return [], [RosterProblem(1, "", f"the file cannot be read as CSV ({exc})")]


def _read_rows(text: str) -> tuple[list[RosterRow], list[RosterProblem]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    found = {_plain(name or ""): name for name in reader.fieldnames or []}
    header = {  # our column name -> the file's own
        col: next((found[alias] for alias in ALIASES[key] if alias in found), "")
        for col, key in COLUMNS.items()
    }
    missing = [col for col, key in COLUMNS.items() if key in REQUIRED and not header[col]]
    if missing:
        return [], [
            RosterProblem(
                1, "", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            )
        ]
    rows = []
    for line, raw in enumerate(reader, start=2):
        if not any((value or "").strip() for value in raw.values()):
            continue  # blank lines are fine
        values = {key: (raw.get(header[col]) or "").strip() for col, key in COLUMNS.items()}
        rows.append(RosterRow(line=line, **values))
    if len(rows) > MAX_ROWS:
        return [], [RosterProblem(1, "", f"{len(rows)} rows: split the file (up to {MAX_ROWS})")]
    return rows, []


def _plain(name: str) -> str:
    """A header as compared: "First Name", "first_name" and "firstname" are one."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def preview_roster(actor: User, cohort: Cohort, text: str) -> RosterPreview:
    """Sort each row into new, existing, unchanged or a problem; nothing is saved.

    An existing account joins only when ``actor`` may manage it and it has no other
    agency; otherwise the row reads like any address that cannot be enrolled.
    """
    rows, file_problems = read_roster(text)
    preview = RosterPreview(problems=list(file_problems))
    emails = [normalize_email(row.email) for row in rows]
    people = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_(set(emails))))
    }
    in_cohort = set(
        db.session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.WITHDRAWN
            )
        )
    )
    elsewhere = dict(
        db.session.execute(
            select(Enrolment.user_id, Cohort.name)
            .join(Cohort, Enrolment.cohort_id == Cohort.id)
            .where(
                Enrolment.user_id.in_([p.id for p in people.values()]),
                Enrolment.level == cohort.level,
                Enrolment.status == EnrolmentStatus.ACTIVE,
                Enrolment.cohort_id != cohort.id,
            )
        ).all()
    )
    pair_counts = Counter(row.pair for row in rows if row.pair)
    first_line: dict[str, int] = {}
    for row, email in zip(rows, emails, strict=True):
        problem = _row_problem(row, email, first_line, people, pair_counts, cohort, actor)
        if problem:
            preview.problems.append(RosterProblem(row.line, row.email, problem))
            continue
        first_line[email] = row.line
        person = people.get(email)
        if person is None:
            preview.new.append(row)
        elif person.id in in_cohort:
            preview.unchanged.append((row, person))
        elif person.id in elsewhere:
            preview.moving.append((row, person, elsewhere[person.id]))
        else:
            preview.existing.append((row, person))
    return preview


def _row_problem(row, email, first_line, people, pair_counts, cohort, actor) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return f"'{row.email}' is not an email address"
    if email in first_line:
        return f"duplicate of line {first_line[email]}"
    if not row.first or not row.last:
        return "first and last name are needed"
    if len(row.name) > NAME_MAX or len(row.title) > TITLE_MAX:
        return f"a name or job title is too long (at most {NAME_MAX} characters each)"
    if len(row.pair) > PAIR_MAX:
        return f"pair codes have at most {PAIR_MAX} characters"
    if row.pair and pair_counts[row.pair] != 2:
        return f"pair code '{row.pair}' must be shared by exactly two people in the file"
    person = people.get(email)
    if person is not None and not _may_enrol(actor, person, cohort.agency):
        return CANNOT_ENROL
    needs_level_one = cohort.level == "level-2"
    if needs_level_one and (person is None or not has_completed_level(person, "level-1")):
        return "Level 2 needs Level 1 complete first"
    return None


def _may_enrol(actor: User, person: User, agency: Agency) -> bool:
    return person.agency_id in (None, agency.id) and can(actor, Action.PERSON_MANAGE, person)


def import_roster(
    actor: User, agency: Agency, cohort: Cohort, text: str, move: bool = False
) -> RosterPreview:
    """Save every valid row in one transaction, then email the new people their invitations.
    People active in another cohort of the level move here only with ``move``; else they
    stay where they are.

    :return: the preview that was applied (its problems were left out).
    """
    preview = preview_roster(actor, cohort, text)
    for row in preview.new:
        user = User(
            email=row.email,
            name=row.name,
            job_title=row.title,
            agency=agency,
            password_hash="",
            active=False,
        )
        user.add_role(Role.TRAINEE)
        db.session.add(user)
        _enrol(user, cohort, row.pair)
    invitations = invite_many(
        actor, [(row.email, row.name) for row in preview.new], Role.TRAINEE, agency
    )
    for row, person in preview.existing:
        person.add_role(Role.TRAINEE)
        person.agency = person.agency or agency
        person.job_title = person.job_title or row.title
        _enrol(person, cohort, row.pair)
    moved = [(row, person) for row, person, _ in preview.moving] if move else []
    for row, person in moved:
        enrolment = move_enrolment(current_enrolment(person, cohort.level), cohort, commit=False)
        enrolment.pair_code = row.pair
    db.session.commit()  # people, enrolments and invitations together, once
    if cohort.mentor_id and cohort.level in MENTORED_LEVELS:
        _form_groups(actor, cohort, preview.existing + moved)
    for invitation, send in invitations:
        try:
            send()  # each email a background job
        except Exception:  # a queue that is down: the invitation stands, to resend
            logger.exception("Could not queue the invitation email %s", invitation.id)
    return preview


def _form_groups(actor: User, cohort: Cohort, enrolled: list[tuple[RosterRow, User]]) -> None:
    """Put the newly enrolled into mentor groups with the cohort's mentor: a pair code
    makes a pair, everyone else a group of one. Refusals leave that person for later."""
    mentor = db.session.get(User, cohort.mentor_id)
    pairs: dict[str, list[User]] = {}
    for row, person in enrolled:
        pairs.setdefault(row.pair or f"single-{person.id}", []).append(person)
    for people in pairs.values():
        try:
            form_group(actor, mentor, people, cohort.level, cohort.start_date)
        except MentoringError:
            db.session.rollback()


def _enrol(user: User, cohort: Cohort, pair: str) -> None:
    """Attach the level's open enrolment to the cohort, or start one."""
    enrolment = current_enrolment(user, cohort.level) if user.id else None
    if enrolment is None or enrolment.status == EnrolmentStatus.COMPLETED:
        enrolment = Enrolment(user=user, level=cohort.level)
        db.session.add(enrolment)
    enrolment.cohort = cohort
    enrolment.pair_code = pair


def send_invitation(actor: User, email: str, name: str, agency: Agency) -> None:
    """Invite a new trainee of the agency by email (expires after INVITATION_DAYS)."""
    email_invitation(actor, email, name, Role.TRAINEE, agency=agency)


def one_person_csv(email: str, first: str, last: str, title: str) -> str:
    """A roster of one, so adding a single person follows exactly the roster's rules."""
    out = io.StringIO()
    csv.writer(out).writerows(
        [["email", "first name", "last name", "job title"], [email, first, last, title]]
    )
    return out.getvalue()
