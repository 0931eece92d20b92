"""Reading the summary: who is behind, and where the people of a page stand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, tuple_

from course.extensions import db
from course.progress.models import LevelProgress
from course.timeutil import today as utc_today

BEHIND_AFTER_DAYS = 14  # a week open this long with nothing submitted or signed off


def behind_cutoff(today: date | None = None) -> date:
    """A person is behind when their earliest week not dealt with opened on or before."""
    return (today or utc_today()) - timedelta(days=BEHIND_AFTER_DAYS)


@dataclass(frozen=True)
class Standing:
    done: int
    total: int
    behind_since: date | None
    last_activity_at: datetime | None

    def is_behind(self, today: date | None = None) -> bool:
        return self.behind_since is not None and self.behind_since <= behind_cutoff(today)


def standings(people_and_levels: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Standing]:
    """Where each (person, level) stands, in one query (pairs without a row are left out)."""
    pairs = list(set(people_and_levels))
    if not pairs:
        return {}
    found = db.session.execute(
        select(
            LevelProgress.trainee_id,
            LevelProgress.level,
            LevelProgress.done,
            LevelProgress.total,
            LevelProgress.behind_since,
            LevelProgress.last_activity_at,
        ).where(tuple_(LevelProgress.trainee_id, LevelProgress.level).in_(pairs))
    )
    return {(trainee_id, level): Standing(*rest) for trainee_id, level, *rest in found}
