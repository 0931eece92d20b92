"""The course's commands, in one group so a host's ``flask`` keeps its own names:
``flask course seed-demo``, ``create-user``, ``content``, ``practice-films``,
``notify-weeks``, ``purge``, ``worker`` and ``db`` (the course's own migrations)."""

import click
from flask import Flask
from flask.cli import AppGroup

from course.accounts.models import Role
from course.curriculum.cli import content_cli
from course.database import course_history
from quizzes.migrating import db_commands

course_cli = AppGroup("course", help="The PFR course: demo data, people, content, jobs.")


def register_commands(app: Flask) -> None:
    commands = (
        content_cli,
        seed_demo,
        create_user,
        notify_weeks,
        purge,
        worker,
        practice_films,
        progress_cli,
    )
    for command in (db_commands(course_history), *commands):
        course_cli.add_command(command)
    app.cli.add_command(course_cli)


@click.command("purge")
def purge():
    """Delete dyad videos past their keeping date and abandoned uploads (run daily)."""
    from course.media.services import purge as purge_videos
    from course.notifications.services import send_unsent

    counts = purge_videos()
    send_unsent()  # emails a killed process never handed over
    click.echo(
        f"Deleted {counts['retention']} video(s) past their date and "
        f"{counts['abandoned']} abandoned upload(s); tombstones kept."
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst):
    """Run background jobs from Redis (JOB_BACKEND=rq): video processing and emails."""
    from flask import current_app

    from course import jobs

    app = current_app._get_current_object()
    if app.config.get("COURSE_JOB_BACKEND") != "rq":
        raise click.ClickException("Set JOB_BACKEND=rq and REDIS_URL to run a worker.")
    jobs.start_worker(app, burst=burst)


@click.command("practice-films")
def practice_films():
    """Copy the site's practice films (content/videos.yaml) into the film catalogue,
    refreshing the text and captions of those already there."""
    from course.films.services import import_practice_films, weeks_without_films

    added = import_practice_films()
    click.echo(f"Added {added} practice film(s) to the catalogue.")
    for unit in weeks_without_films():
        click.echo(f"  No film yet for {unit.title} ({unit.slug})")


@click.group("progress")
def progress_cli():
    """The dashboards' summary of where each person stands."""


@progress_cli.command("rebuild")
def rebuild_progress():
    """Recompute everyone's summary rows from the source rows (after a content change
    adds or removes weeks; safe to run at any time)."""
    from course.extensions import db
    from course.progress.tracking import rebuild

    people = rebuild(db.session)
    click.echo(f"Rebuilt the progress summary: {people} people with rows.")


@click.command("notify-weeks")
def notify_weeks():
    """Tell trainees about weeks that have opened (run daily; repeats send nothing)."""
    from course.mentoring.services import notify_opened_weeks

    click.echo(f"Sent {notify_opened_weeks()} week-opening notifications.")


@click.command("seed-demo")
def seed_demo():
    """Load the demo agencies, people and progress (running it twice changes nothing)."""
    from course.demo import DEMO_PASSWORD, seed

    accounts = seed()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for email, roles, note in accounts:
        click.echo(f"  {email:<38} {roles:<16} {note}")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=["site_admin"],
    show_default=True,
    type=click.Choice([role.value for role in Role]),
)
@click.password_option()
def create_user(email, name, roles, password):
    """Create an account (for example the first site admin)."""
    from course.accounts.services import AccountError
    from course.accounts.services import create_user as create

    try:
        user = create(email, name, password, roles=[Role(role) for role in roles])
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")
