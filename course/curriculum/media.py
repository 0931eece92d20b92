"""Stand-in films for the catalogue, so the demo plays without the licensed films.

The program's own films are licensed separately; a training center copies them to
the paths in content/videos.yaml. Until then, each missing file gets generated test
pattern and tone, made with the ffmpeg that imageio-ffmpeg ships: a few seconds, or
long enough to cover the latest clip window a quiz question names for that film.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import yaml
from flask import current_app, has_app_context

from course.curriculum.models import Curriculum
from course.curriculum.reader import YAML_LOADER

STAND_IN_SECONDS = 4
# Catalogue stand-ins may run half a minute or more, so they are made cheaply: 5 fps
# (a test pattern needs no more), a mono 8 kHz tone, and ffmpeg's testsrc, whose
# seconds counter lets a tester check a quiz's time codes by eye.
CHEAP_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=5"]
CHEAP_ENCODE = ["-preset", "veryfast", "-crf", "30", "-ac", "1", "-b:a", "16k"]


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


def quiz_clip_ends(content_dir: str | Path) -> dict[str, int]:
    """For each film a quiz question shows, the latest second of its clip windows.

    Reads content/quizzes/*.yaml as plain data (the quiz plugin validates them; here
    anything malformed is just skipped).
    """
    ends: dict[str, int] = {}
    for path in sorted((Path(content_dir) / "quizzes").glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)  # nosec B506
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        questions = data.get("questions") if isinstance(data, dict) else None
        for question in questions if isinstance(questions, list) else []:
            clip = question.get("video") if isinstance(question, dict) else None
            if isinstance(clip, dict) and isinstance(clip.get("slug"), str):
                end = clip.get("end")
                if isinstance(end, int) and not isinstance(end, bool):
                    ends[clip["slug"]] = max(end, ends.get(clip["slug"], 0))
    return ends


def ensure_stand_in_clips(
    curriculum: Curriculum, upload_dir: str | Path, content_dir: str | Path | None = None
) -> list[str]:
    """Make a stand-in for every catalogue file that is missing; return their slugs.

    A film that a quiz question shows gets a stand-in a second longer than the
    latest clip window there (``content_dir``, by default the app's CONTENT_DIR).
    """
    if content_dir is None and has_app_context():
        content_dir = current_app.config.get("COURSE_CONTENT_DIR")
    ends = quiz_clip_ends(content_dir) if content_dir else {}
    made = []
    for number, video in enumerate(sorted(curriculum.videos.values(), key=lambda v: v.slug)):
        if video.file is None:
            continue
        path = Path(upload_dir) / video.file
        if not path.exists():
            seconds = max(STAND_IN_SECONDS, ends.get(video.slug, 0) + 1)
            make_stand_in_clip(path, seconds, tone_hz=220 + 20 * number, cheap=True)
            made.append(video.slug)
    return made
