"""Rename the tables of a site migrated before the course's tables carried ``course_``.

Run once, when the course's history takes its revision out of the shared
``alembic_version`` (see ``quizzes.migrating.adopt_shared_versions``): tables,
constraints, indexes and PostgreSQL id sequences get the names the naming convention
gives the prefixed tables, which the course's revisions now use from the start.
PostgreSQL renames in place; SQLite renames the tables in place (references from other
tables follow) and rebuilds each once to rename the constraints inside its CREATE TABLE.
"""

import re

import sqlalchemy as sa

from course.extensions import TABLE_PREFIX

# The course's tables when the prefix came (a site at an older revision has fewer).
UNPREFIXED = (
    "agency",
    "audit_event",
    "certificate",
    "cohort",
    "consent",
    "dyad_video",
    "enrolment",
    "invitation",
    "level_three_invitation",
    "meeting",
    "meeting_attendee",
    "mentor_group",
    "mentor_group_member",
    "notification",
    "reflection",
    "reflection_version",
    "review",
    "unit_progress",
    "user",
    "user_role",
    "video_comment",
    "week_opening",
    "week_sign_off",
)
KINDS = ("pk", "fk", "uq", "ck", "ix")
MAX_NAME = 63  # PostgreSQL's identifier limit


def prefix_tables(connection: sa.Connection) -> list[str]:
    """Give the course's unprefixed tables their prefix; return the tables renamed."""
    present = set(sa.inspect(connection).get_table_names())
    tables = {
        old: TABLE_PREFIX + old
        for old in UNPREFIXED
        if old in present and TABLE_PREFIX + old not in present
    }
    for old, new in tables.items():
        connection.exec_driver_sql(f'ALTER TABLE "{old}" RENAME TO "{new}"')
    inspector = sa.inspect(connection)
    back = {new: old for old, new in tables.items()}
    for old, new in tables.items():
        names = _names_of(inspector, new, old, back)
        if connection.dialect.name == "postgresql":
            _rename_in_place(connection, inspector, old, new, names)
        else:
            _rebuild_with_names(connection, new, names)
    return sorted(tables.values())


def _names_of(inspector, table: str, old_table: str, back: dict[str, str]) -> dict[str, str]:
    """Old -> new name of each constraint and index of ``table`` that follows the convention."""
    found = [(inspector.get_pk_constraint(table).get("name"), None)]
    found += [(fk["name"], fk["referred_table"]) for fk in inspector.get_foreign_keys(table)]
    found += [(uq["name"], None) for uq in inspector.get_unique_constraints(table)]
    found += [(ck["name"], None) for ck in inspector.get_check_constraints(table)]
    found += [(ix["name"], None) for ix in inspector.get_indexes(table)]
    names = {}
    for name, referred in found:
        renamed = _renamed(name, old_table, table, referred, back) if name else None
        if renamed and renamed != name:
            if len(renamed) > MAX_NAME:
                raise RuntimeError(f"{renamed} is longer than {MAX_NAME} characters")
            names[name] = renamed
    return names


def _renamed(name, old_table, new_table, referred, back):
    """``ix_user_email`` -> ``ix_course_user_email``; a foreign key's referred table too."""
    kind, _, rest = name.partition("_")
    if kind not in KINDS or not (rest == old_table or rest.startswith(old_table + "_")):
        return name
    rest = new_table + rest[len(old_table) :]
    if kind == "fk" and referred in back and rest.endswith("_" + back[referred]):
        rest = rest[: -len(back[referred])] + referred
    return f"{kind}_{rest}"


def _rename_in_place(connection, inspector, old, new, names):
    plain_indexes = {
        ix["name"] for ix in inspector.get_indexes(new) if not ix.get("duplicates_constraint")
    }
    for name, renamed in names.items():
        if name in plain_indexes:
            connection.exec_driver_sql(f'ALTER INDEX "{name}" RENAME TO "{renamed}"')
        else:
            connection.exec_driver_sql(
                f'ALTER TABLE "{new}" RENAME CONSTRAINT "{name}" TO "{renamed}"'
            )
    connection.exec_driver_sql(f'ALTER SEQUENCE IF EXISTS "{old}_id_seq" RENAME TO "{new}_id_seq"')


def _rebuild_with_names(connection, table, names):
    """Copy the table once under the new names (foreign keys are off while migrating),
    then recreate its indexes under theirs."""
    if not names:
        return
    (create,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).one()
    indexes = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).all()
    temporary = f"{table}__renaming"
    create = re.sub(r'^CREATE TABLE\s+("?)[^"\s(]+\1', f'CREATE TABLE "{temporary}"', create)
    connection.exec_driver_sql(_swap(create, names))
    # Names from UNPREFIXED and the database's own catalogue, never from input.
    connection.exec_driver_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')  # noqa: S608  # nosec B608
    connection.exec_driver_sql(f'DROP TABLE "{table}"')
    connection.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for (index,) in indexes:
        connection.exec_driver_sql(_swap(index, names))


def _swap(sql: str, names: dict[str, str]) -> str:
    return re.sub(r"\b\w+\b", lambda word: names.get(word.group(), word.group()), sql)
