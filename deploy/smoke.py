"""`make smoke-prod`: the production deployment, started here and walked through once.

Starts on 127.0.0.1: moto's S3 server (with a bucket), a fresh PostgreSQL database
(migrated, demo data loaded), Redis db 14 (flushed), an RQ worker and TWO gunicorn
instances (A and B, two workers each) in PFR_ENV=production. Then a journey that
crosses both instances checks that no state lives in one process:

- the trainee signs in on A and records a caregiver's consent (the real form);
- a ~12 MB H.264 video is uploaded in 5 MB chunks sent alternately to A and B;
- the RQ worker makes it ready (status polled on B);
- the ``sha256`` the worker stored equals the local file's, and the download through B
  is the MP4 copy without the recording's metadata (never the original);
- a Range request on B answers 206 with exactly those bytes of the playable file;
- the trainee submits the week's reflection on A; the mentor signs in on B, accepts
  it, logs the meeting, is refused the sign-off while the video is unreviewed, marks
  the video reviewed and signs the week off;
- /healthz says ok on both instances.

Each check prints "ok  <what>"; the first failure prints "FAIL <what>: why" and exits 1.
Everything started is stopped (process groups), the database dropped, Redis db 14
flushed and the temporary folder removed, also on failure or Ctrl-C.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pyotp

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "first-relationships-demo"  # noqa: S105 (the README's demo password)
TRAINEE = "tomasz@riverbend.example.org"  # Level 2, no video yet in the first practice week
MENTOR = "mentor@pfr-center.example.org"
USER_AGENT = "pfr-smoke/1"


class Failure(Exception):
    """A check that did not hold."""


def ok(what: str) -> None:
    print(f"ok  {what}", flush=True)


def check(condition: bool, what: str, why: str = "") -> None:
    if not condition:
        raise Failure(f"{what}: {why}" if why else what)
    ok(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure(f"{name} exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise Failure(f"{name} did not listen on port {port} within {seconds:.0f} s")


# -- HTTP ----------------------------------------------------------------------------


class Client:
    """One person's browser on one or more instances: a cookie dict sent as a Cookie
    header, so the Secure-only session cookie of production still travels over the
    plain http of 127.0.0.1 (the app's config is left as production has it)."""

    def __init__(self, ports: dict[str, int]):
        self.ports = ports
        self.cookies: dict[str, str] = {}

    def request(self, where: str, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[where], timeout=600)
        try:
            sent = {"User-Agent": USER_AGENT, **(headers or {})}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                expired = "expires=thu, 01 jan 1970" in header.lower() or "max-age=0" in header
                if value and not expired:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, response.headers, data
        finally:
            conn.close()

    def get(self, where: str, path: str, headers=None):
        return self.request(where, "GET", path, headers=headers)

    def page(self, where: str, path: str) -> str:
        status, _, data = self.get(where, path)
        if status != 200:
            raise Failure(f"GET {path} on {where}: HTTP {status}")
        return data.decode()

    def post_form(self, where: str, path: str, fields, follow: bool = True):
        """POST a form; follow the redirects and return (status, final page text)."""
        body = urlencode(fields, doseq=True)
        status, headers, data = self.request(
            where, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        for _ in range(5 if follow else 0):
            if status not in (301, 302, 303) or not headers.get("Location"):
                break
            location = re.sub(r"^https?://[^/]+", "", headers["Location"])
            status, headers, data = self.get(where, location)
        return status, data.decode(errors="replace")

    def login(self, where: str, email: str) -> None:
        form = find_form(self.page(where, "/login"), r"^$|/login")
        fields = dict(form.fields, email=email, password=PASSWORD)
        status, page = self.post_form(where, "/login", fields)
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
        if secret:  # a role that needs two-step sign-in: set it up as the person would
            form = find_form(page, r"^$|/account/two-step")
            code = pyotp.TOTP(secret.group(1)).now()
            status, page = self.post_form(where, "/account/two-step", dict(form.fields, code=code))
            if "recovery codes" not in page:
                raise Failure(f"two-step sign-in set-up for {email} on {where}: HTTP {status}")
            ok(f"{email} set up two-step sign-in on {where} (their role needs it)")
        if status != 200 or "Sign out" not in page and "logout" not in page:
            raise Failure(f"sign-in as {email} on {where}: HTTP {status}")


class Form:
    def __init__(self, action: str, method: str):
        self.action, self.method = action, method
        self.fields: dict[str, str] = {}  # the values a browser would send untouched
        self.names: dict[str, list[str]] = {}  # every control name -> its possible values


class FormParser(HTMLParser):
    """The forms of a page: action, and each control's default value (like a browser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(html.unescape(a.get("action", "")), a.get("method", "get")))
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            form.names.setdefault(name, []).append(value)
            if kind not in ("checkbox", "radio", "submit", "file") or "checked" in a:
                form.fields[name] = value
        elif tag == "select" and name:
            self.select = name
            form.names.setdefault(name, [])
        elif tag == "option" and self.select:
            value = a.get("value", "")
            form.names[self.select].append(value)
            if "selected" in a or self.select not in form.fields:
                form.fields[self.select] = value
        elif tag == "textarea" and name:
            self.textarea = name
            form.fields[name] = ""
            form.names.setdefault(name, [])

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1].fields[self.textarea] += data


def forms_of(page: str) -> list[Form]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


def find_form(page: str, action_pattern: str, **hidden: str) -> Form:
    """The form whose action matches (and whose hidden fields have these values)."""
    for form in forms_of(page):
        if re.search(action_pattern, form.action) and all(
            form.fields.get(k) == v for k, v in hidden.items()
        ):
            return form
    seen = sorted({f.action for f in forms_of(page)})
    raise Failure(f"no form posting to {action_pattern!r} {hidden or ''} (forms: {seen})")


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not found:
        raise Failure("no CSRF token on the page")
    return found.group(1)


def flashes(page: str) -> str:
    """The page's flash messages, as plain text (for the failure messages)."""
    found = re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', page, re.S)
    return " | ".join(html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found)


# -- the stack -----------------------------------------------------------------------


class Stack:
    """moto S3 + a fresh PostgreSQL database + Redis db + RQ worker + gunicorn instances.

    Use as a context manager: whatever was started is stopped on the way out.
    """

    def __init__(self, redis_db: int = 14, instances: int = 2, workers: int = 2, demo=True):
        """``demo``: migrate and load the demo data (else the caller fills the database
        before it starts instances); ``instances`` gunicorn A, B... of ``workers`` each."""
        self.redis_db, self.instances, self.workers, self.demo = (
            redis_db,
            instances,
            workers,
            demo,
        )
        self.tmp = Path(tempfile.mkdtemp(prefix="pfr-smoke-"))
        self.db_name = f"pfr_smoke_{secrets.token_hex(4)}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}
        self.db_created = False
        self.env: dict[str, str] = {}

    # start ------------------------------------------------------------------------
    def __enter__(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and exc_type is not KeyboardInterrupt:
            print(self.log_tail(), file=sys.stderr)  # before the folder goes
        self.close()

    def note(self, text: str) -> None:
        print(f"..  {text}", flush=True)

    def spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )
        log.close()
        self.procs[name] = proc
        return proc

    def flask(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise Failure(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _start(self) -> None:
        import boto3
        import psycopg
        import redis

        # S3
        self.ports["s3"] = free_port()
        moto = self.spawn(
            "moto",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports["s3"])],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        wait_for_port(self.ports["s3"], moto, "moto_server")
        self.s3_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.bucket = "pfr-smoke-videos"
        credentials = {"aws_access_key_id": "smoke", "aws_secret_access_key": "smoke-secret"}
        self.s3 = boto3.client(
            "s3", endpoint_url=self.s3_url, region_name="us-east-1", **credentials
        )
        self.s3.create_bucket(Bucket=self.bucket)
        self.note(f"moto S3 on port {self.ports['s3']}, bucket {self.bucket}")

        # PostgreSQL and Redis
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True
        self.redis_url = f"redis://127.0.0.1:6379/{self.redis_db}"
        redis.Redis.from_url(self.redis_url).flushdb()
        self.note(f"database {self.db_name}, Redis db {self.redis_db} flushed")

        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PFR_", "AWS_"))},
            "PFR_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.db_name}",
            "REDIS_URL": self.redis_url,
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "JOB_BACKEND": "rq",
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.s3_url,
            "S3_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
            "UPLOAD_PART_MB": "5",
            "UPLOAD_DIR": str(self.tmp / "uploads"),
            "MAIL_BACKEND": "file",
            "MAIL_FILE_DIR": str(self.tmp / "mail"),
            "SITE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if self.demo:
            self.flask("course", "db", "upgrade")
            self.flask("quizzes", "db", "upgrade")
            self.flask("course", "seed-demo")
            self.note("migrated and seeded (flask course/quizzes db upgrade, seed-demo)")

        self.spawn("worker", [str(BIN / "flask"), "--app", "app", "course", "worker"])
        for n in range(self.instances):
            self.start_instance("AB"[n])

    def start_instance(self, name: str) -> None:
        port = self.ports[name] = free_port()
        proc = self.spawn(
            f"gunicorn-{name}",
            [
                str(BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                # Two instances on one host must not share (and remove) the default
                # control socket in ~/.gunicorn.
                "--no-control-socket",
                "app:create_app()",
            ],
        )
        wait_for_port(port, proc, f"gunicorn {name}")
        deadline = time.monotonic() + 30
        while len(children_of(proc.pid)) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        self.note(f"gunicorn {name} on port {port} (pid {proc.pid}, {self.workers} workers)")

    def stop_instance(self, name: str) -> None:
        proc = self.procs.pop(f"gunicorn-{name}", None)
        if proc is not None:
            stop(proc)
        self.ports.pop(name, None)

    # stop -------------------------------------------------------------------------
    def close(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop(proc)
        self.procs.clear()
        if self.db_created:
            try:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                self.db_created = False
            except Exception as exc:  # noqa: BLE001 (report and go on cleaning)
                print(f"warning: could not drop database {self.db_name}: {exc}", file=sys.stderr)
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(f"redis://127.0.0.1:6379/{self.redis_db}").flushdb()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, lines: int = 25) -> str:
        out = []
        for log in sorted(self.tmp.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)

    def sql(self, query: str, *params):
        import psycopg

        url = f"postgresql://postgres@127.0.0.1:5432/{self.db_name}"
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchone()


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group; SIGKILL it after 10 s."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group (ffmpeg, workers)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def children_of(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# -- test media ----------------------------------------------------------------------


def make_video(path: Path, seconds: int, size: str, bitrate_k: int, codec: str = "libx264"):
    """A testsrc2 clip with a tone: ``codec`` video (+ AAC) at about ``bitrate_k`` kbit/s."""
    import imageio_ffmpeg

    encoder = ["-c:v", codec, "-b:v", f"{bitrate_k}k", "-maxrate", f"{bitrate_k}k"]
    encoder += ["-bufsize", f"{bitrate_k * 2}k", "-pix_fmt", "yuv420p"]
    if codec == "libx264":
        encoder += ["-preset", "ultrafast"]
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=30:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            *encoder,
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            "-shortest",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


TUS_CHUNK = 5 * 1024 * 1024  # not a multiple of the store's 8 MiB parts, on purpose


def tus_metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def upload(client: Client, where: list[str], unit: str, consent: str, path: Path, csrf: str):
    """tus creation on the first instance, then PATCH each 5 MiB chunk to the next
    instance in ``where`` in turn. Returns (video id, the last Upload-Offset, time the
    last PATCH answered, the instances each chunk went to)."""
    size = path.stat().st_size
    tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf}
    creation = {
        **tus,
        "Upload-Length": str(size),
        "Upload-Metadata": tus_metadata(unit=unit, consent=consent, filename=path.name),
    }
    status, headers, data = client.request(where[0], "POST", "/media/uploads", b"", creation)
    if status != 201:
        raise Failure(f"POST /media/uploads: HTTP {status} {data[:300]!r}")
    url = headers.get("Location")
    offset, n, sent_to = 0, 0, []
    with path.open("rb") as stream:
        while offset < size:
            piece = stream.read(TUS_CHUNK)
            target = where[n % len(where)]
            chunk_headers = {
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            }
            status, headers, data = client.request(target, "PATCH", url, piece, chunk_headers)
            if status != 204:
                raise Failure(f"PATCH chunk {n} at {offset} on {target}: HTTP {status} {data!r}")
            reached = int(headers.get("Upload-Offset", -1))
            if reached != offset + len(piece):
                raise Failure(f"chunk {n} on {target}: offset {reached} after it")
            offset, n = reached, n + 1
            sent_to.append(target)
    return url.rsplit("/", 1)[1], offset, time.monotonic(), sent_to


def wait_ready(client: Client, where: str, video_id: str, seconds: float = 300) -> float:
    """Poll the status JSON until ready; return when it was seen ready (monotonic)."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        status, _, data = client.get(where, f"/media/videos/{video_id}/status")
        if status == 200:
            last = json.loads(data)
            if last["status"] == "ready":
                return time.monotonic()
            if last["status"] == "failed":
                raise Failure(f"the video failed processing: {last}")
        time.sleep(0.2)
    raise Failure(f"not ready after {seconds:.0f} s (last status {last})")


# -- the journey -----------------------------------------------------------------------


def first_practice_week(stack: Stack) -> str:
    outline = json.loads(stack.flask("course", "content", "outline", "--json"))
    level = next(lv for lv in outline["levels"] if lv["slug"] == "level-2")
    return next(u["slug"] for u in level["units"] if u["kind"] == "practice_week")


def journey(stack: Stack) -> None:
    unit = first_practice_week(stack)
    trainee = Client(stack.ports)
    trainee.login("A", TRAINEE)
    ok(f"trainee {TRAINEE} signed in on A")

    # The consent, through the form on the upload page (on B: the session crosses).
    page = trainee.page("B", f"/units/{unit}/videos/new")
    form = find_form(page, r"^$")  # the consent form posts to the page itself
    today = date.today()
    fields = dict(
        form.fields,
        dyad_pseudonym="Family Smoke",
        signed_on=(today - timedelta(days=1)).isoformat(),
        expires_on=(today + timedelta(days=180)).isoformat(),
        attested="y",
    )
    status, page = trainee.post_form("B", f"/units/{unit}/videos/new", fields)
    consent = find_form(page, r"/videos$").fields.get("consent")
    check(bool(consent), f"consent recorded on B for {unit}", flashes(page) or f"HTTP {status}")

    # The video: ~12 MB H.264, chunks alternately to A and B.
    clip = stack.tmp / "visit.mp4"
    make_video(clip, seconds=30, size="640x360", bitrate_k=3000)
    local_sha = sha256_file(clip)
    size = clip.stat().st_size
    ok(f"test video made: {size / 1e6:.1f} MB, sha256 {local_sha[:12]}...")
    csrf = csrf_of(page)
    video_id, last, _, sent_to = upload(trainee, ["A", "B"], unit, consent, clip, csrf)
    check(
        last == size,
        f"uploaded with tus in {len(sent_to)} chunks of 5 MiB, A and B alternately "
        f"({''.join(sent_to)})",
        f"offset {last} of {size}",
    )
    status, headers, _ = trainee.request(
        "B", "HEAD", f"/media/uploads/{video_id}", None, {"Tus-Resumable": "1.0.0"}
    )
    check(
        headers.get("Upload-Offset") == str(size),
        "HEAD on B reports the whole file received",
        f"HTTP {status}, Upload-Offset {headers.get('Upload-Offset')}",
    )
    began = time.monotonic()
    wait_ready(trainee, "B", video_id)
    ok(f"RQ worker made it ready ({time.monotonic() - began:.1f} s, polled on B)")

    status, _, served = trainee.get("B", f"/media/videos/{video_id}/download")
    check(
        status == 200 and served[4:8] == b"ftyp" and len(served) > size // 2,
        "download through B is the MP4 copy made without the recording's metadata",
        f"HTTP {status}, {len(served)} bytes",
    )
    stored = stack.sql("SELECT sha256 FROM course_dyad_video WHERE public_id = %s", video_id)
    check(
        stored is not None and stored[0] == local_sha,
        "video.sha256 stored by the worker equals it",
        f"stored {stored}",
    )

    status, _, playable = trainee.get("B", f"/media/videos/{video_id}/stream")
    check(status == 200 and len(playable) > 0, f"stream on B: 200, {len(playable)} bytes")
    start, end = 1_000_000, 1_065_535
    status, headers, part = trainee.get(
        "B", f"/media/videos/{video_id}/stream", {"Range": f"bytes={start}-{end}"}
    )
    check(
        status == 206
        and part == playable[start : end + 1]
        and headers.get("Content-Range") == f"bytes {start}-{end}/{len(playable)}",
        f"Range bytes={start}-{end} on B: 206 with the right bytes",
        f"HTTP {status}, {len(part)} bytes, Content-Range {headers.get('Content-Range')}",
    )

    # The week's reflection, submitted on A with the unit page's form.
    page = trainee.page("A", f"/units/{unit}")
    form = find_form(page, r"/reflection$")
    fields = dict(form.fields, action="submit")
    fields["body"] = (
        "The mother paused each time the baby looked away and waited until he turned back. "
        "I saw her hand rest on his back and heard her voice drop when he fussed. "
        "Next visit I will name that waiting for her before I say anything else."
    )
    for name in form.names:
        if name.startswith("answer-"):
            fields[name] = "I saw the pause and the return, and I will name it for her."
    status, page = trainee.post_form("A", form.action, fields)
    check(
        "submitted" in flashes(page), "trainee submitted the week's reflection on A", flashes(page)
    )

    # The mentor, on B.
    mentor = Client(stack.ports)
    mentor.login("B", MENTOR)
    ok(f"mentor {MENTOR} signed in on B")
    dashboard = mentor.page("B", "/mentor")
    group_page, group_path = None, None
    for path in dict.fromkeys(re.findall(r'href="(/mentor/groups/[\w-]+)"', dashboard)):
        candidate = mentor.page("B", path)
        if "Tomasz" in candidate and f"/videos/{video_id}" in candidate:
            group_page, group_path = candidate, path
            break
    check(group_page is not None, "mentor's group page on B lists the new video")
    # The trainee's row of this week: the one that links to the new video.
    row = next(r for r in group_page.split("<tr") if f"/videos/{video_id}" in r)
    review = re.search(r'href="(/reflections/[\w-]+/review)"', row)
    check(review is not None, "the week's reflection waits for the mentor's review (B)")
    page = mentor.page("B", review.group(1))
    form = find_form(page, re.escape(review.group(1)) + "$|^$")
    fields = dict(form.fields, decision="accept", feedback="Precise observation; well named.")
    for name, values in form.names.items():
        if name.startswith("score-"):
            fields[name] = "3" if "3" in values else values[-1]
    status, page = mentor.post_form("B", review.group(1), fields)
    check("review is saved" in flashes(page), "mentor accepted the reflection on B", flashes(page))

    meeting_path = f"{group_path}/meetings/new"
    form = find_form(mentor.page("B", meeting_path), re.escape(meeting_path) + "$|^$")
    fields = dict(form.fields, unit_slug=unit, minutes="60", topics="The first practice visit.")
    fields["attendees"] = [v for v in form.names.get("attendees", [])]
    status, page = mentor.post_form("B", meeting_path, fields)
    check("meeting is logged" in flashes(page), "mentor logged the week's meeting", flashes(page))

    def sign_off() -> str:
        form = find_form(mentor.page("B", group_path), r"/sign-off$", unit_slug=unit)
        return flashes(mentor.post_form("B", form.action, form.fields)[1])

    said = sign_off()
    check(
        "not uploaded and reviewed" in said,
        "sign-off refused while the video is not reviewed",
        said or "no message",
    )
    page = mentor.page("B", f"/media/videos/{video_id}")
    form = find_form(page, rf"/media/videos/{re.escape(video_id)}/reviewed$")
    status, page = mentor.post_form("B", form.action, form.fields)
    check("marked reviewed" in flashes(page), "mentor marked the video reviewed", flashes(page))
    said = sign_off()
    check("is signed off for" in said, "mentor signed the week off", said or "no message")
    row = stack.sql(
        "SELECT count(*) FROM course_week_sign_off WHERE unit_slug = %s AND revoked_at IS NULL "
        "AND trainee_id = (SELECT id FROM course_user WHERE email = %s)",
        unit,
        TRAINEE,
    )
    check(row == (1,), "one standing sign-off in the database", str(row))

    throttling_is_shared(stack)
    for name in ("A", "B"):
        status, _, data = Client(stack.ports).get(name, "/healthz")
        check(
            status == 200 and json.loads(data).get("status") == "ok",
            f"/healthz on {name} says ok",
            f"HTTP {status} {data[:200]!r}",
        )


def throttling_is_shared(stack: Stack) -> None:
    """Failed sign-ins count in Redis: attempts spread over A and B add up."""
    client = Client(stack.ports)
    form = find_form(client.page("A", "/login"), r"^$|/login")
    wrong = "not-the-password"  # noqa: S105 (a deliberately wrong one)
    fields = dict(form.fields, email="nobody.smoke@example.org", password=wrong)
    codes = [client.post_form(where, "/login", fields, follow=False)[0] for where in "ABABAB"]
    check(
        codes == [200] * 5 + [429],
        "failed sign-ins add up across A and B (limits in Redis): the 6th is refused",
        str(codes),
    )


def main() -> int:
    began = time.monotonic()
    stack = Stack(redis_db=14)
    try:
        with stack:
            ok("stack started: moto S3, PostgreSQL db, Redis db 14, RQ worker, gunicorn A and B")
            journey(stack)
    except Failure as exc:
        print(f"FAIL {exc}", flush=True)
        return 1
    except KeyboardInterrupt:
        print("FAIL interrupted", flush=True)
        return 130
    print(f"ok  everything stopped and removed ({time.monotonic() - began:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
