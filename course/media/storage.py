"""Where dyad video bytes live: outside the static folder, under random keys.

The local store is the embedded default. # TODO(#9): an S3-compatible store (boto3)
behind the same four methods for several app servers.
"""

from __future__ import annotations

import secrets
from pathlib import Path


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def partial_path(self, public_id: str) -> Path:
        """The file an upload in progress is appended to."""
        path = self.root / "partial" / f"{public_id}.part"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def new_key(self, suffix: str) -> str:
        return f"{secrets.token_hex(16)}{suffix}"

    def path(self, key: str) -> Path:
        return self.root / "videos" / key[:2] / key

    def put(self, source: Path, suffix: str) -> str:
        """Move a finished file into the store; return its new random key."""
        key = self.new_key(suffix)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
        return key

    def check(self) -> None:
        """Raise OSError when the store cannot be written (for /healthz)."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()

    def delete(self, key: str | None) -> None:
        if key:
            self.path(key).unlink(missing_ok=True)
