"""The audit trail: who made or checked which letter, when, with what.

Every batch manifest line carries the record (`record()`); `--audit-log FILE` (or
`LETTERKIT_AUDIT_LOG`) on `render`, `batch` and `verify` also appends one JSON line per
letter rendered, sealed or verified to a file that outlives output folders. Lines are
appended whole under a lock, so several letterkit processes can share one log.
"""

from __future__ import annotations

import datetime
import fcntl
import getpass
import json
import os
from pathlib import Path
from typing import Any

from .version import INSTALLED

ENVIRONMENT = "LETTERKIT_AUDIT_LOG"


def record(**fields: Any) -> dict[str, Any]:
    """`fields` with when (ISO 8601, UTC), which letterkit, and who ran it."""
    return {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "letterkit_version": INSTALLED, "operator": _operator(), **fields}


def append(path: str | Path | None, entry: dict[str, Any]) -> None:
    """One line at the end of the audit log at `path` (none: the environment's, if set)."""
    path = path or os.environ.get(ENVIRONMENT)
    if not path:
        return
    line = (json.dumps(entry, sort_keys=True, default=str) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # one whole line at a time, whoever else appends
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container's user with no name
        return str(os.getuid())
