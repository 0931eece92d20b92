"""Where dyad video bytes live: outside the static folder, under random keys.

One interface, two backends: ``LocalStorage`` (a folder; the embedded default) and
``S3Storage`` (any S3-compatible object store, for several app servers). Both:

- take a resumable upload (``begin_upload``, ``write``, ``release``,
  ``complete_upload``, ``abort_upload``) in chunks of any size, keeping every byte that
  arrived; the upload's state is the database row plus what the store holds, never
  one process's memory, so any app server can take the next chunk;
- store a finished local file (``put_file``): the key becomes visible only once the
  whole file is there, so a job killed half-way never leaves a half-written object;
- read (``read_range``, ``size``, ``exists``, ``source_for_ffmpeg``) and ``delete``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from werkzeug.exceptions import ClientDisconnected

COPY_PIECE = 1024 * 1024  # copy 1 MiB at a time, whatever the file's size


class StoreFull(Exception):
    """The store has no room left for these bytes (what arrived before is kept)."""


class Storage(Protocol):
    part_size: int  # the store keeps uploads in parts of this many bytes

    def new_key(self, suffix: str) -> str: ...
    def begin_upload(self, key: str) -> str: ...
    def write(
        self, key: str, token: str, offset: int, stream: BinaryIO, total: int
    ) -> Iterator[int]: ...
    def release(self, key: str, token: str, offset: int) -> None: ...
    def complete_upload(self, key: str, token: str) -> None: ...
    def abort_upload(self, key: str, token: str) -> None: ...
    def put_file(self, key: str, source: Path) -> None: ...
    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]: ...
    def size(self, key: str) -> int: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str | None) -> None: ...
    def presigned_url(self, key: str, seconds: int, **response_headers: str) -> str | None: ...
    def source_for_ffmpeg(self, key: str) -> str: ...
    def check(self) -> None: ...
    def free_bytes(self) -> int | None: ...


def new_key(suffix: str) -> str:
    return f"{secrets.token_hex(16)}{suffix}"


def read_piece(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes; empty when the request body ended or the client went away."""
    try:
        return stream.read(min(COPY_PIECE, size))
    except ClientDisconnected:
        return b""


def copy_stream(stream: BinaryIO, out: BinaryIO, size: int) -> int:
    """Copy up to ``size`` bytes in 1 MiB pieces; return how many arrived."""
    copied = 0
    while copied < size:
        piece = read_piece(stream, size - copied)
        if not piece:
            break
        out.write(piece)
        copied += len(piece)
    return copied


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def sha256_of(store: Storage, key: str) -> str:
    digest = hashlib.sha256()
    for piece in store.read_range(key, 0, store.size(key) - 1):
        digest.update(piece)
    return digest.hexdigest()


class LocalStorage:
    """Files under one folder: ``videos/<2 chars>/<key>``, uploads in ``partial/``."""

    def __init__(self, root: str | Path, part_size: int = 8 * 1024 * 1024):
        self.root = Path(root)
        self.part_size = part_size

    new_key = staticmethod(new_key)

    def path(self, key: str) -> Path:
        return self.root / "videos" / key[:2] / key

    def _partial(self, key: str) -> Path:
        return self.root / "partial" / f"{key}.part"

    def begin_upload(self, key: str) -> str:
        path = self._partial(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        return "local"

    def write(
        self, key: str, token: str, offset: int, stream: BinaryIO, total: int
    ) -> Iterator[int]:
        """Append what arrives at ``offset``; yield the offset after each part's worth.

        Every byte that arrived is kept (a dropped connection resumes from its last
        byte). Bytes past the last yielded offset are dropped if the disk fills up.
        """
        with self._partial(key).open("r+b") as out:
            out.truncate(offset)  # drop bytes no request reported (a killed process)
            out.seek(offset)
            kept = position = offset
            try:
                while position < total:
                    piece = read_piece(stream, total - position)
                    if not piece:
                        break
                    self._append(out, piece)
                    position += len(piece)
                    if position - kept >= self.part_size:
                        out.flush()
                        kept = position
                        yield kept
                out.flush()
            except OSError as exc:
                if not is_disk_full(exc):
                    raise
                out.truncate(kept)  # give the space back at once
                raise StoreFull from exc
        if position > kept:
            yield position

    @staticmethod
    def _append(out: BinaryIO, piece: bytes) -> None:
        out.write(piece)

    def release(self, key: str, token: str, offset: int) -> None:
        """Nothing to let go of: the partial file is the whole state."""

    def complete_upload(self, key: str, token: str) -> None:
        """Make the upload the stored file; done already (a repeated finish) is fine."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._partial(key).replace(target)
        except FileNotFoundError:
            if not target.is_file():
                raise

    def abort_upload(self, key: str, token: str) -> None:
        self._partial(key).unlink(missing_ok=True)

    def put_file(self, key: str, source: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy beside the target, then rename: the key appears whole or not at all.
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary,
            source.open("rb") as reader,
        ):
            shutil.copyfileobj(reader, temporary, COPY_PIECE)
        os.replace(temporary.name, target)

    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self.path(key).open("rb") as reader:
            reader.seek(start)
            remaining = end - start + 1
            while remaining > 0 and (piece := reader.read(min(COPY_PIECE, remaining))):
                remaining -= len(piece)
                yield piece

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str | None) -> None:
        if key:
            self.path(key).unlink(missing_ok=True)
            self._partial(key).unlink(missing_ok=True)

    def presigned_url(self, key: str, seconds: int, **response_headers: str) -> str | None:
        return None  # the app streams local files itself

    def source_for_ffmpeg(self, key: str) -> str:
        return str(self.path(key))

    def check(self) -> None:
        """Raise OSError when the folder cannot be written (for /healthz)."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()

    def free_bytes(self) -> int | None:
        self.root.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(self.root).free


class S3Storage:
    """Objects in one bucket under ``prefix``; uploads are S3 multipart uploads.

    Chunks of any size are cut into parts of ``part_size`` (S3 wants at least 5 MiB
    but the last), each numbered by its offset and spooled through a temporary file
    so memory stays flat. The bytes of an unfinished part wait in a small object
    named by the offset they end at (``<key>.tail-<offset>``) until the next chunk
    completes the part; the list of parts is read back from the store when the
    upload completes, so any app server can take any chunk and finish it.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        part_size: int = 8 * 1024 * 1024,
        timeouts: tuple[float, float, int] = (3, 10, 2),
        **client,
    ):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.part_size = part_size
        # Signature v4 everywhere: pre-signed URLs then carry their own expiry. Short
        # timeouts and few retries: a store that stops answering must not hold every
        # worker (the request answers 503 instead, see course.views).
        connect, read, attempts = timeouts
        config = Config(
            signature_version="s3v4",
            connect_timeout=connect,
            read_timeout=read,
            retries={"total_max_attempts": attempts, "mode": "standard"},
        )
        self.client = boto3.client("s3", config=config, **client)
        # Two threads of 8 MiB: a 1 GB derivative uploads without 1 GB in memory.
        self.transfer = TransferConfig(
            multipart_chunksize=part_size, max_concurrency=2, use_threads=True
        )

    new_key = staticmethod(new_key)

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def begin_upload(self, key: str) -> str:
        answer = self.client.create_multipart_upload(Bucket=self.bucket, Key=self._name(key))
        return answer["UploadId"]

    def _tail(self, key: str, offset: int) -> str:
        return f"{self._name(key)}.tail-{offset}"

    def write(
        self, key: str, token: str, offset: int, stream: BinaryIO, total: int
    ) -> Iterator[int]:
        """Store what arrives at ``offset``; yield the offset after each part and tail."""
        start = offset - offset % self.part_size  # where the unfinished part begins
        with tempfile.SpooledTemporaryFile(max_size=COPY_PIECE) as part:
            if offset > start:
                body = self.client.get_object(Bucket=self.bucket, Key=self._tail(key, offset))
                for piece in self._pieces(body["Body"]):
                    part.write(piece)
            filled = offset - start
            while start + filled < total:
                end = min(start + self.part_size, total)
                filled += copy_stream(stream, part, end - start - filled)
                if start + filled < end:
                    break  # the chunk ended mid-part
                part.seek(0)
                self.client.upload_part(
                    Bucket=self.bucket,
                    Key=self._name(key),
                    UploadId=token,
                    PartNumber=start // self.part_size + 1,
                    Body=part,
                    ContentLength=filled,
                )
                part.seek(0)
                part.truncate()
                start, filled = end, 0
                yield start
            if start + filled > offset and filled:
                part.seek(0)
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._tail(key, start + filled),
                    Body=part,
                    ContentLength=filled,
                )
                yield start + filled

    def release(self, key: str, token: str, offset: int) -> None:
        """The bytes waiting at ``offset`` are in a newer tail or part now."""
        if offset % self.part_size:
            self.client.delete_object(Bucket=self.bucket, Key=self._tail(key, offset))

    def _drop_tails(self, key: str) -> None:
        """Tails a killed request left behind (each is released once superseded)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self._name(key)}.tail-"
        )
        for page in pages:
            for item in page.get("Contents", []):
                self.client.delete_object(Bucket=self.bucket, Key=item["Key"])

    def complete_upload(self, key: str, token: str) -> None:
        """Join the parts into the object; done already (a repeated finish) is fine."""
        from botocore.exceptions import ClientError

        try:
            pages = self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=self._name(key), UploadId=token
            )
            parts = [
                {"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                for page in pages
                for p in page.get("Parts", [])
            ]
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self._name(key),
                UploadId=token,
                MultipartUpload={"Parts": sorted(parts, key=lambda p: p["PartNumber"])},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchUpload", "404") or not self.exists(key):
                raise
        self._drop_tails(key)

    def abort_upload(self, key: str, token: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._name(key), UploadId=token
            )
        except ClientError as exc:  # already completed or aborted: nothing left to do
            if exc.response["Error"]["Code"] not in ("NoSuchUpload", "404"):
                raise
        self._drop_tails(key)

    def put_file(self, key: str, source: Path) -> None:
        # An object becomes visible only when its (multipart) upload completes.
        self.client.upload_file(str(source), self.bucket, self._name(key), Config=self.transfer)

    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        # Asked now, not when the response starts streaming: a store that does not
        # answer is then an error the request can still turn into a 503.
        answer = self.client.get_object(
            Bucket=self.bucket, Key=self._name(key), Range=f"bytes={start}-{end}"
        )
        return self._pieces(answer["Body"])

    @staticmethod
    def _pieces(body) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(COPY_PIECE)
        finally:
            body.close()

    def size(self, key: str) -> int:
        return self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ContentLength"]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str | None) -> None:
        if key:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def presigned_url(self, key: str, seconds: int, **response_headers: str) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._name(key), **response_headers}
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)

    def source_for_ffmpeg(self, key: str) -> str:
        # ffmpeg reads over HTTP(S) with range requests: no local copy of the original.
        return self.presigned_url(key, 6 * 3600)

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def free_bytes(self) -> int | None:
        return None  # an object store does not fill up the way a disk does


def storage_from_config(config) -> Storage:
    """The backend that ``STORAGE_BACKEND`` names."""
    backend = config.get("COURSE_STORAGE_BACKEND", "local")
    if backend == "local":
        return LocalStorage(
            Path(config["COURSE_UPLOAD_DIR"]) / "dyad", config["COURSE_UPLOAD_PART_SIZE"]
        )
    if backend == "s3":
        if not config.get("COURSE_S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET.")
        return S3Storage(
            config["COURSE_S3_BUCKET"],
            prefix=config.get("COURSE_S3_PREFIX", ""),
            part_size=config["COURSE_UPLOAD_PART_SIZE"],
            timeouts=(
                config["COURSE_S3_CONNECT_TIMEOUT"],
                config["COURSE_S3_READ_TIMEOUT"],
                config["COURSE_S3_MAX_ATTEMPTS"],
            ),
            endpoint_url=config.get("COURSE_S3_ENDPOINT_URL"),
            region_name=config.get("COURSE_S3_REGION"),
        )
    raise RuntimeError(f"STORAGE_BACKEND={backend!r} is not one of local, s3")
