"""What the host application gives the quiz plugin at ``init_app``.

The plugin imports nothing from its host: who is signed in, who may see whose
attempts, and where videos live all come through these callables.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Access(StrEnum):
    FULL = "full"  # attempts with every answer (the trainee, their mentor, a site admin)
    SUMMARY = "summary"  # pass/fail and dates only (an agency admin)


@dataclass(frozen=True)
class QuizHost:
    current_user_id: Callable[[], int | None]
    # (viewer id, attempt owner id) -> Access, or None for no access at all
    access: Callable[[int, int], Access | None]
    # (user id, quiz slug) -> may this person take this quiz now?
    may_take: Callable[[int, str], bool]
    video_slugs: Callable[[], frozenset[str]]
    video_url: Callable[[str], str | None]
    login_url: Callable[[str], str]  # next URL -> sign-in page URL
    user_name: Callable[[int], str]
    render_markdown: Callable[[str], str]  # must return sanitised, safe HTML (Markup)
    base_template: str = "quizzes/base.html"
    # slug -> the WebVTT captions' URL for a catalogue clip, or None
    captions_url: Callable[[str], str | None] = lambda slug: None
    # viewer id -> ids of the trainees whose open answers they read and answer (their
    # trainer or mentor); None means every trainee (a site admin)
    reviewees: Callable[[int], set[int] | None] = lambda viewer_id: set()
    # viewer id -> do they read trainees' open answers at all (a trainer, a site admin)?
    is_reviewer: Callable[[int], bool] = lambda viewer_id: False
    # what a URL about a person carries (``/quizzes/people/<ref>``) -> their user id,
    # or None when it names nobody; a host with random public ids for people maps
    # those, so URLs do not count its users
    person_id: Callable[[str], int | None] = lambda ref: (
        int(ref) if ref.isdigit() and len(ref) < 10 else None
    )
