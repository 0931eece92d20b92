"""``flask course content check`` and ``flask course content outline --json``."""

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from course.curriculum.loader import ContentError, load_curriculum
from course.curriculum.services import get_curriculum

content_cli = AppGroup("content", help="Check and inspect the curriculum in content/.")


@content_cli.command("check")
def check():
    """Validate content/, quizzes included, and list every problem (exit code 1 if any)."""
    from quizzes.api import QuizContentError, check_quizzes, quiz_slugs

    content_dir = current_app.config["COURSE_CONTENT_DIR"]
    failed = False
    try:
        curriculum = load_curriculum(content_dir, quiz_slugs(content_dir))
    except ContentError as exc:
        click.echo(str(exc), err=True)
        failed, curriculum = True, None
    try:
        quizzes = check_quizzes(content_dir, frozenset(curriculum.videos) if curriculum else None)
    except QuizContentError as exc:
        click.echo(str(exc), err=True)
        failed = True
    if failed:
        sys.exit(1)
    units = sum(len(level.units) for level in curriculum.levels)
    click.echo(
        f"content/ is valid: {len(curriculum.levels)} levels, {units} units, "
        f"{len(curriculum.handouts)} handouts, {len(curriculum.videos)} videos, "
        f"{len(quizzes)} quizzes."
    )


@content_cli.command("outline")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default is text).")
def outline(as_json):
    """Print the curriculum structure: levels and their units in order."""
    data = get_curriculum().outline()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for level in data["levels"]:
        click.echo(level["title"])
        for unit in level["units"]:
            week = f"week {unit['week']}: " if unit["week"] else ""
            click.echo(
                f"  {unit['order']:>2}. {week}{unit['title']} [{unit['kind']}] ({unit['slug']})"
            )
