"""`make bench-prod`: figures for the production setup (issue #9), not tests.

The stack of ``deploy/smoke.py`` (moto S3, a throwaway PostgreSQL database, Redis db 13,
an RQ worker, gunicorn ``-w 2`` in PFR_ENV=production with STORAGE_BACKEND=s3), filled
with the large site of ``bench/seed.py`` (2,000 trainees, 5,000 videos). It prints:

- requests/s, p50 and p95 of the trainee dashboard (/training) and of a 206 video range
  request, with ONE gunicorn instance and with TWO (8 clients spread over the
  instances, 2 s warm-up then 10 s measured, loopback only);
- the peak RSS of the gunicorn worker processes during a 1 GB upload (zeros, in 5 MB
  PATCH chunks) to the S3 backend; the file is rejected as not a video at the end, as
  expected;
- the time from the last PATCH of a ~200 MB phone-like video (H.264/AAC in a .mov,
  which plays as it is, and MPEG-4 Part 2 in a .mov, which is transcoded) to its
  status being ready.

Everything runs on 127.0.0.1 and is stopped and removed at the end; the exit status is 0
unless the setup itself fails. The figures depend on the machine and on what else runs.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.client import Session
from deploy.smoke import (
    ROOT,
    Failure,
    Stack,
    children_of,
    make_video,
    upload,
    wait_ready,
)

CLIENTS, WARMUP, SECONDS = 8, 2.0, 10.0
UPLOAD_BYTES = 1024**3
PHONE_BYTES = 200 * 1024 * 1024


# -- load ----------------------------------------------------------------------------


def tus_metadata(**values: str) -> str:
    """A tus Upload-Metadata header: ``key base64(value)`` pairs."""
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def load(ports: list[int], path: str, headers: dict, expect: int) -> dict:
    """CLIENTS threads in a separate process (bench.load), client n on ports[n % len(ports)]:
    requests/s and p50/p95 of the requests completed in the window."""
    spec = {
        "ports": ports,
        "path": path,
        "headers": headers,
        "expect": [expect],
        "clients": CLIENTS,
        "warmup": WARMUP,
        "seconds": SECONDS,
    }
    result = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    figures = json.loads(result.stdout)
    return {
        "rps": figures["rps"],
        "p50": figures["p50_ms"],
        "p95": figures["p95_ms"],
        "errors": figures["errors"],
    }


# -- memory --------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def upload_memory(stack: Stack, session: Session, info: dict, csrf: str) -> dict:
    """PATCH 1 GB of zeros to instance A while sampling its workers' RSS every 20 ms."""
    workers = children_of(stack.procs["gunicorn-A"].pid)
    before = {pid: status_kb(pid, "VmRSS") for pid in workers}
    peak = dict(before)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], status_kb(pid, "VmRSS"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    began = time.monotonic()
    headers = {
        "Tus-Resumable": "1.0.0",
        "X-CSRFToken": csrf,
        "Upload-Length": str(UPLOAD_BYTES),
        "Upload-Metadata": tus_metadata(
            unit=info["upload_unit"],
            consent=info["upload_trainee"]["consent"],
            filename="big.mov",
        ),
    }
    status, answer_headers, data = session.request("POST", "/media/uploads", b"", headers)
    if status != 201:
        raise Failure(f"POST /media/uploads (1 GB): HTTP {status} {data[:200]!r}")
    url, chunk, offset, last = answer_headers.get("Location"), 8 * 1024 * 1024, 0, None
    zeros = bytes(chunk)
    try:
        while offset < UPLOAD_BYTES:
            piece = zeros[: min(chunk, UPLOAD_BYTES - offset)]
            sent = {
                "Tus-Resumable": "1.0.0",
                "X-CSRFToken": csrf,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            }
            status, answer_headers, data = session.request("PATCH", url, piece, sent)
            last = status
            if status != 204:
                break
            offset = int(answer_headers.get("Upload-Offset"))
    finally:
        done.set()
        sampler.join()
    hwm = {pid: status_kb(pid, "VmHWM") for pid in workers}
    return {
        "seconds": time.monotonic() - began,
        "last_status": last,
        "before_mb": max(before.values()) / 1024,
        "peak_mb": max(peak.values()) / 1024,
        "hwm_mb": max(hwm.values()) / 1024,
    }


# -- the site ------------------------------------------------------------------------


def seed_site(out: str) -> None:
    """In a subprocess whose environment is the stack's with STORAGE_BACKEND=local: the
    large bench site; the videos the load plays are then copied to the S3 bucket."""
    import boto3

    from app import create_app
    from bench.seed import seed
    from course.extensions import db
    from course.media.models import DyadVideo
    from course.media.services import storage

    app = create_app()
    with app.app_context():
        info = seed(Path(app.config["COURSE_UPLOAD_DIR"]))
        s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name="us-east-1")
        for who in ("trainee", "trainee_light"):
            video = db.session.query(DyadVideo).filter_by(public_id=info[who]["video"]).one()
            for key in {video.storage_key, video.playable_key}:
                s3.upload_file(
                    str(storage().path(key)),
                    os.environ["S3_BUCKET"],
                    os.environ.get("S3_PREFIX", "dyad/") + key,
                )
    Path(out).write_text(json.dumps(info))


def seed(stack: Stack) -> dict:
    out = stack.tmp / "info.json"
    env = {**stack.env, "STORAGE_BACKEND": "local"}
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.production", "--seed", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    return json.loads(out.read_text())


def line(what: str, figures: dict) -> None:
    errors = f"  errors {figures['errors']}" if figures.get("errors") else ""
    print(
        f"{what:<42} {figures['rps']:7.1f} req/s   p50 {figures['p50']:6.1f} ms"
        f"   p95 {figures['p95']:6.1f} ms{errors}",
        flush=True,
    )


def main() -> int:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "smoke")
    with Stack(redis_db=13, instances=0, demo=False) as stack:
        began = time.monotonic()
        info = seed(stack)
        stack.note(f"seeded the large site ({time.monotonic() - began:.0f} s)")
        stack.start_instance("A")
        trainee = Session(stack.ports["A"]).login(info["trainee"]["email"], info["password"])
        headers = {"Cookie": trainee.cookie_header, "User-Agent": "pfr-bench/1"}
        ranged = {**headers, "Range": "bytes=0-65535"}
        stream = f"/media/videos/{info['trainee']['video']}/stream"
        cores = len(os.sched_getaffinity(0))
        print(
            f"\n{cores} cores, gunicorn -w {stack.workers} per instance, {CLIENTS} clients, "
            f"{SECONDS:.0f} s after {WARMUP:.0f} s warm-up; a shared machine\n",
            flush=True,
        )
        figures = {}
        for count in (1, 2):
            if count == 2:
                stack.start_instance("B")
            ports = [stack.ports[n] for n in "AB"[:count]]
            for name, path, sent, expect in (
                ("trainee dashboard /training", "/training", headers, 200),
                ("video 206 range (64 KiB)", stream, ranged, 206),
            ):
                figures[(name, count)] = load(ports, path, sent, expect)
                line(f"{name}, {count} instance{'s' * (count > 1)}", figures[(name, count)])

        uploader = Session(stack.ports["A"]).login(
            info["upload_trainee"]["email"], info["password"]
        )
        page = uploader.request("GET", f"/units/{info['upload_unit']}/videos/new")[2].decode()
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        memory = upload_memory(stack, uploader, info, csrf)
        print(
            f"\n1 GB upload to S3 on one instance: {memory['seconds']:.0f} s "
            f"({UPLOAD_BYTES / memory['seconds'] / 1e6:.0f} MB/s), last PATCH HTTP "
            f"{memory['last_status']} (zeros: rejected as not a video, as expected)\n"
            f"  worker RSS before {memory['before_mb']:.0f} MB, peak sampled "
            f"{memory['peak_mb']:.0f} MB, VmHWM {memory['hwm_mb']:.0f} MB",
            flush=True,
        )

        print("\nupload finished -> playable, ~200 MB phone-like video (RQ worker, S3):")
        client = PortsClient(uploader, stack.ports)
        for label, codec, plays_as_is in (
            ("H.264/AAC .mov (plays as is)", "libx264", True),
            ("MPEG-4 Part 2 .mov (transcoded)", "mpeg4", False),
        ):
            clip = stack.tmp / f"phone-{codec}.mov"
            seconds = 160
            make_video(clip, seconds, "1280x720", PHONE_BYTES * 8 // seconds // 1000, codec)
            size = clip.stat().st_size
            sending = time.monotonic()
            video_id, last, finished, _ = upload(
                client, ["A", "B"], info["upload_unit"], info["upload_trainee"]["consent"],
                clip, csrf,
            )  # fmt: skip
            ready = wait_ready(client, "B", video_id, seconds=900)
            print(
                f"  {label}: {size / 1e6:.0f} MB, {seconds} s of 1280x720, uploaded in "
                f"{finished - sending:.0f} s (A/B alternately); last PATCH -> ready "
                f"{ready - finished:.1f} s{'' if plays_as_is else ' (incl. the transcode)'}",
                flush=True,
            )
            clip.unlink()
    return 0


class PortsClient:
    """deploy.smoke's upload()/wait_ready() interface over bench.client.Session's
    cookies, so the chunks can go to either instance."""

    def __init__(self, session: Session, ports: dict[str, int]):
        self.session, self.ports = session, ports

    def request(self, where, method, path, body=None, headers=None):
        self.session.port = self.ports[where]
        return self.session.request(method, path, body, headers)

    def get(self, where, path, headers=None):
        return self.request(where, "GET", path, headers=headers)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed"]:
        seed_site(sys.argv[2])
    else:
        sys.exit(main())
