"""Alembic for a plugin: its own history, its own version table, only its own tables.

Each plugin (the quizzes here, the course in ``course.database``) describes its
migrations as a ``History`` and gets ``flask <plugin> db ...`` commands from
``db_commands``. Both run through the one Alembic environment in
``quizzes/migrations/env.py``, so a host's own migrations (Flask-Migrate or Alembic,
with its ``alembic_version``) and the plugins' never meet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import AppGroup

ENVIRONMENT_DIR = str(Path(__file__).parent / "migrations")
# Before each plugin had its own history, both shared this table (as a host's may).
SHARED_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class History:
    """One plugin's migrations."""

    name: str
    versions_dir: str
    version_table: str
    table_prefix: str  # autogenerate compares only the tables that carry it
    metadata: sa.MetaData
    engine: Callable[[], sa.Engine]  # called inside an app context
    # Brings a database from before the split up to what the revisions expect now.
    on_adopt: Callable[[sa.Connection], object] | None = None

    def config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", ENVIRONMENT_DIR)
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", self.versions_dir)
        file_template = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
        config.set_main_option("file_template", file_template)
        config.set_main_option("truncate_slug_length", "40")
        config.attributes["history"] = self
        return config

    def script(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(self.config())

    def upgrade(self, revision: str = "head") -> None:
        command.upgrade(self.config(), revision)

    def downgrade(self, revision: str) -> None:
        command.downgrade(self.config(), revision)

    def current(self) -> set[str]:
        with self.engine().connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            )
            return set(context.get_current_heads())

    def includes(self, name: str | None, type_: str, parent_names: dict) -> bool:
        """Autogenerate looks at this plugin's tables only, never a host's."""
        return type_ != "table" or bool(name and name.startswith(self.table_prefix))

    def differences(self) -> list:
        """What autogenerate would change to make the database match the models."""
        with self.engine().connect() as connection:
            context = MigrationContext.configure(
                connection, opts={**self.context_options(), "target_metadata": self.metadata}
            )
            return compare_metadata(context, self.metadata)

    def context_options(self) -> dict:
        return {
            "version_table": self.version_table,
            "include_name": self.includes,
            "render_as_batch": True,  # SQLite alters tables by copying them
            "render_item": render_item,
        }


def render_item(type_, obj, autogen_context):
    """Write the course's UTCDateTime as a plain DateTime, so revisions import no app code."""
    if type_ == "type" and obj.__class__.__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def adopt_shared_versions(connection: sa.Connection, history: History) -> list[str]:
    """Move this plugin's revisions out of a shared ``alembic_version`` into its own table.

    A database migrated before the plugins had histories of their own keeps both
    plugins' revisions in one table; each plugin takes its own on its first run. The
    shared table goes once empty (a host's revisions stay where they are).
    """
    if history.version_table == SHARED_VERSION_TABLE:
        return []
    own = MigrationContext.configure(connection, opts={"version_table": history.version_table})
    inspector = sa.inspect(connection)
    if own.get_current_heads() or not inspector.has_table(SHARED_VERSION_TABLE):
        return []
    shared = sa.table(SHARED_VERSION_TABLE, sa.column("version_num"))
    script = history.script()
    adopted = []
    for (revision,) in connection.execute(sa.select(shared.c.version_num)).all():
        try:
            script.get_revision(revision)
        except CommandError:
            continue  # another history's (the other plugin's, or the host's)
        adopted.append(revision)
    if adopted and history.on_adopt is not None:
        history.on_adopt(connection)
    for revision in adopted:
        own.stamp(script, revision)
        connection.execute(shared.delete().where(shared.c.version_num == revision))
    if adopted and connection.execute(sa.select(sa.func.count()).select_from(shared)).scalar() == 0:
        connection.execute(sa.text(f"DROP TABLE {SHARED_VERSION_TABLE}"))
    return adopted


def db_commands(history: Callable[[], History]) -> AppGroup:
    """``db upgrade``, ``downgrade``, ``current``, ``revision`` and ``check`` for a plugin."""
    group = AppGroup("db", help="Migrate this plugin's tables (its own Alembic history).")

    def say_where() -> None:
        click.echo(f"{history().name}: at {', '.join(sorted(history().current())) or 'nothing'}")

    @group.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision):
        """Bring the tables up to REVISION (the newest by default)."""
        history().upgrade(revision)
        say_where()

    @group.command("downgrade")
    @click.argument("revision")
    def downgrade(revision):
        """Step the tables back to REVISION (for example -1)."""
        history().downgrade(revision)
        say_where()

    @group.command("current")
    def current():
        """Show the revision the database is at."""
        click.echo(", ".join(sorted(history().current())) or "none")

    @group.command("revision")
    @click.option("-m", "--message", required=True)
    @click.option("--autogenerate", is_flag=True, help="Write what the models changed.")
    def revision(message, autogenerate):
        """Write a new revision file into this plugin's history."""
        if autogenerate and not history().differences():
            raise click.ClickException("The models and the migrations agree: nothing to write.")
        command.revision(history().config(), message=message, autogenerate=autogenerate)

    @group.command("check")
    def check():
        """Fail when the models and the migrations disagree."""
        differences = history().differences()
        if differences:
            raise click.ClickException(f"the models differ from the migrations: {differences}")
        click.echo("The models and the migrations agree.")

    return group


def quiz_engine() -> sa.Engine:
    return current_app.extensions["sqlalchemy"].engine


def quiz_history() -> History:
    from quizzes.models import QuizBase

    return History(
        name="quizzes",
        versions_dir=str(Path(ENVIRONMENT_DIR, "versions")),
        version_table="quiz_alembic_version",
        table_prefix="quiz_",
        metadata=QuizBase.metadata,
        engine=quiz_engine,
    )
