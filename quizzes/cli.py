"""The quiz plugin's commands, in their own group: ``flask quizzes db ...`` (its own
migrations) and ``flask quizzes check`` (the quiz files and coaching patterns)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from quizzes.api import QuizContentError, check_quizzes
from quizzes.migrating import db_commands, quiz_history

quizzes_cli = AppGroup("quizzes", help="The quiz plugin: its tables and its content.")
quizzes_cli.add_command(db_commands(quiz_history))


@quizzes_cli.command("check")
def check():
    """Validate the quiz files and coaching.yaml, listing every problem (exit code 1)."""
    state = current_app.extensions["quizzes"]
    try:
        found = check_quizzes(current_app.config["QUIZZES_CONTENT_DIR"], state.host.video_slugs())
    except QuizContentError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{len(found)} quizzes are valid.")
