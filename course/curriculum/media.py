"""Stand-in films for the catalogue, so the demo plays without the licensed films.

The program's own films are licensed separately; a training center copies them to
the paths in content/videos.yaml. Until then, each missing file gets a few seconds of
generated test pattern and tone, made with the ffmpeg that imageio-ffmpeg ships.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

from course.curriculum.models import Curriculum

STAND_IN_SECONDS = 4


def make_stand_in_clip(path: Path, seconds: int = STAND_IN_SECONDS, tone_hz: int = 330) -> None:
    """Write a small H.264/AAC MP4 of a moving test pattern with a tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15",
        "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=22050",
        "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "48k", "-shortest", "-movflags", "+faststart", str(partial),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
    partial.replace(path)  # a half-written clip is never left under the real name


def ensure_stand_in_clips(curriculum: Curriculum, upload_dir: str | Path) -> list[str]:
    """Make a stand-in for every catalogue file that is missing; return their slugs."""
    made = []
    for number, video in enumerate(sorted(curriculum.videos.values(), key=lambda v: v.slug)):
        if video.file is None:
            continue
        path = Path(upload_dir) / video.file
        if not path.exists():
            make_stand_in_clip(path, tone_hz=220 + 20 * number)
            made.append(video.slug)
    return made
