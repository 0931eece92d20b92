"""Where dyad video bytes live: outside the static folder, under random keys.

One interface, two backends: ``LocalStorage`` (a folder; the embedded default) and
``S3Storage`` (any S3-compatible object store, for several app servers). Both:

- take a resumable upload in parts (``begin_upload``, ``write_part``,
  ``complete_upload``, ``abort_upload``); a part is kept only when all of it arrived,
  so the upload's state is the database row plus what the store holds, never one
  process's memory;
- store a finished local file (``put_file``): the key becomes visible only once the
  whole file is there, so a job killed half-way never leaves a half-written object;
- read (``read_range``, ``size``, ``exists``, ``source_for_ffmpeg``) and ``delete``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

COPY_PIECE = 1024 * 1024  # copy 1 MiB at a time, whatever the file's size


class Storage(Protocol):
    part_size: int  # resumable uploads are stored in parts of this many bytes

    def new_key(self, suffix: str) -> str: ...
    def begin_upload(self, key: str) -> str: ...
    def write_part(self, key: str, token: str, offset: int, stream: BinaryIO, size: int) -> int: ...
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


def new_key(suffix: str) -> str:
    return f"{secrets.token_hex(16)}{suffix}"


def copy_stream(stream: BinaryIO, out: BinaryIO, size: int) -> int:
    """Copy up to ``size`` bytes in 1 MiB pieces; return how many arrived."""
    copied = 0
    while copied < size:
        piece = stream.read(min(COPY_PIECE, size - copied))
        if not piece:
            break
        out.write(piece)
        copied += len(piece)
    return copied


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

    def write_part(self, key: str, token: str, offset: int, stream: BinaryIO, size: int) -> int:
        with self._partial(key).open("r+b") as out:
            out.truncate(offset)  # drop any tail an earlier dropped connection left
            out.seek(offset)
            copied = copy_stream(stream, out, size)
            if copied < size:
                out.truncate(offset)  # an incomplete part is not kept
        return copied

    def complete_upload(self, key: str, token: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._partial(key).replace(target)

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


class S3Storage:
    """Objects in one bucket under ``prefix``; uploads are S3 multipart uploads.

    Each resumable part becomes one multipart part (numbered by its offset), spooled
    through a temporary file so memory stays flat; the list of parts is read back
    from the store when the upload completes, so any app server can finish it.
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

    def write_part(self, key: str, token: str, offset: int, stream: BinaryIO, size: int) -> int:
        with tempfile.SpooledTemporaryFile(max_size=COPY_PIECE) as part:
            copied = copy_stream(stream, part, size)
            if copied < size:
                return copied  # an incomplete part is not sent
            part.seek(0)
            self.client.upload_part(
                Bucket=self.bucket,
                Key=self._name(key),
                UploadId=token,
                PartNumber=offset // self.part_size + 1,
                Body=part,
                ContentLength=size,
            )
        return copied

    def complete_upload(self, key: str, token: str) -> None:
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

    def abort_upload(self, key: str, token: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._name(key), UploadId=token
            )
        except ClientError as exc:  # already completed or aborted: nothing left to do
            if exc.response["Error"]["Code"] not in ("NoSuchUpload", "404"):
                raise

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
