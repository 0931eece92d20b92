"""What a file really is, asked of ffmpeg (not its name or the browser's type).

imageio-ffmpeg ships ffmpeg without ffprobe, so this reads the stream summary that
``ffmpeg -i`` prints.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

DURATION_RE = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
VIDEO_RE = re.compile(r"Stream #\S+.*?: Video: (\w+)")
AUDIO_RE = re.compile(r"Stream #\S+.*?: Audio: (\w+)")
CONTAINER_RE = re.compile(r"Input #0, ([\w,]+), from")


@dataclass(frozen=True)
class Probe:
    container: str
    video_codec: str | None
    audio_codec: str | None
    duration: float | None

    @property
    def web_playable(self) -> bool:
        """H.264 (+ AAC or no sound) in an MP4 plays in every browser as it is."""
        return (
            "mp4" in self.container
            and self.video_codec == "h264"
            and self.audio_codec in (None, "aac")
        )


def probe(path: Path | str, timeout: int = 60) -> Probe | None:
    """Describe a media file, or return None when ffmpeg cannot read it as media."""
    result = subprocess.run(  # noqa: S603 (fixed binary, no shell)
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    info = result.stderr
    container = CONTAINER_RE.search(info)
    if container is None:
        return None
    duration = DURATION_RE.search(info)
    seconds = None
    if duration:
        hours, minutes, secs = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    video, audio = VIDEO_RE.search(info), AUDIO_RE.search(info)
    return Probe(
        container=container.group(1),
        video_codec=video.group(1) if video else None,
        audio_codec=audio.group(1) if audio else None,
        duration=seconds,
    )


# What no served copy keeps: the recording's metadata (a phone's GPS position is the
# family's home; also the device, owner and dates), chapters, and any data or subtitle
# tracks (some phones record location as a track). Picture and sound only.
STRIP = [
    "-map", "0:v:0", "-map", "0:a:0?",
    "-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1",
    "-map_chapters", "-1", "-dn", "-sn",
    "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
]  # fmt: skip


def make_playable(source: Path | str, target: Path, copy_streams: bool) -> None:
    """Write an H.264/AAC MP4 without metadata (re-wrapping without re-encoding when the
    codecs allow): the only copy of a dyad video that is ever served."""
    codecs = (
        ["-c", "copy"]
        if copy_streams
        else [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "26",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
        ]
    )
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(source),
            *STRIP,
            *codecs,
            "-movflags",
            "+faststart",
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=3600,
    )


def make_poster(source: Path | str, target: Path, at_seconds: float) -> None:
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-ss",
            f"{at_seconds:.2f}",
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-map_metadata",
            "-1",
            "-vf",
            "scale=640:-2",
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
