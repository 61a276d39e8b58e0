"""One sweep per definition at a time, on this machine.

Why an OS file lock (fcntl.flock): the kernel releases it when the holder dies, even on SIGKILL,
so a crashed sweep never leaves a stale lock behind and the re-run can resume at once. The lock
file records who holds it so the refusal can say so. For sweeps started from several machines,
put the lock directory on shared storage that supports flock, or see docs/sweeps.md (lease).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from types import TracebackType

from graph.provenance import utc_now_iso
from kizuna.errors import Conflict


class SweepLock:
    """Context manager: exclusive, non-blocking lock for one sweep definition."""

    def __init__(self, directory: Path, definition_id: str):
        self.path = Path(directory) / f"{definition_id}.lock"
        self.definition_id = definition_id
        self._fd: int | None = None

    def __enter__(self) -> "SweepLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise Conflict(
                f"sweep {self.definition_id!r} is already running"
                + (f" (pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')})" if holder else ""),
                hint=f"wait for it to finish; the lock is {self.path} and is released when that process ends",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": utc_now_iso()}).encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return json.loads(os.read(fd, 4096).decode() or "{}")
    except (OSError, ValueError):
        return {}
