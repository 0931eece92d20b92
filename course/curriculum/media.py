"""Stand-in clips: the picture of the site's practice films, and test videos.

The practice films in content/videos.yaml are told by their captions; their picture
is a generated test pattern and tone, made with the ffmpeg that imageio-ffmpeg ships,
as long as the film. The program's own films are licensed to the center, which
uploads them to the film catalogue from the site.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import yaml

from course.curriculum.reader import YAML_LOADER

STAND_IN_SECONDS = 4
# Practice films run a minute or two, so their picture is made cheaply: 2 fps (a test
# pattern needs no more), a mono 8 kHz tone, and ffmpeg's testsrc, whose seconds
# counter lets a tester check a caption's or a quiz's time codes by eye.
CHEAP_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=2"]
CHEAP_ENCODE = ["-preset", "ultrafast", "-crf", "32", "-ac", "1", "-b:a", "16k"]


def make_stand_in_clip(
    path: Path, seconds: int = STAND_IN_SECONDS, tone_hz: int = 330, *, cheap: bool = False
) -> None:
    """Write a small H.264/AAC MP4 of a moving test pattern with a tone.

    ``cheap`` trades smoothness for size and speed (for the catalogue's stand-ins).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")
    video = CHEAP_VIDEO if cheap else ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15"]
    rate = 8000 if cheap else 22050
    encode = CHEAP_ENCODE if cheap else ["-preset", "veryfast", "-b:a", "48k"]
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", *video,
        "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate={rate}",
        "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
        *encode, "-shortest", "-movflags", "+faststart", str(partial),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
    partial.replace(path)  # a half-written clip is never left under the real name


def _quiz_clips(content_dir: str | Path) -> Iterator[tuple[str, dict]]:
    """(quiz slug, clip) for each question of content/quizzes/*.yaml that shows a film.

    Reads the files as plain data (the quiz plugin validates them; here anything
    malformed is just skipped).
    """
    for path in sorted((Path(content_dir) / "quizzes").glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)  # nosec B506
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        questions = data.get("questions") if isinstance(data, dict) else None
        for question in questions if isinstance(questions, list) else []:
            clip = question.get("video") if isinstance(question, dict) else None
            if isinstance(clip, dict) and isinstance(clip.get("slug"), str):
                yield str(data.get("slug", path.stem)), clip


def quiz_clip_ends(content_dir: str | Path) -> dict[str, int]:
    """For each film a quiz question shows, the latest second of its clip windows."""
    ends: dict[str, int] = {}
    for _quiz, clip in _quiz_clips(content_dir):
        end = clip.get("end")
        if isinstance(end, int) and not isinstance(end, bool):
            ends[clip["slug"]] = max(end, ends.get(clip["slug"], 0))
    return ends


def quizzes_showing(content_dir: str | Path) -> dict[str, set[str]]:
    """For each film a quiz question shows, the slugs of those quizzes."""
    showing: dict[str, set[str]] = {}
    for quiz, clip in _quiz_clips(content_dir):
        showing.setdefault(clip["slug"], set()).add(quiz)
    return showing
