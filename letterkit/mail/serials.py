"""IMb serial numbers that never repeat for a Mailer ID within 45 days.

USPS asks that a Mailer ID's tracking codes be unique for 45 days. The serials a user
has issued live in one store (a JSON file; by default one per user, named with
`--imb-serials`), shared by every run, resume and output folder. Taking serials holds
an exclusive `flock` on the store for the read-modify-write, so two processes taking
serials at once get different ones; the store is replaced atomically, never left half
written. Serials are issued in increasing order; after the last one they start again
from 0, skipping any issued within the last 45 days.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import LetterkitError

UNIQUE_DAYS = 45


def default_store() -> Path:
    """The user's store: $XDG_STATE_HOME/letterkit/imb-serials.json (~/.local/state/…)."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "letterkit" / "imb-serials.json"


class SerialStore:
    """The serials issued per Mailer ID, as [first, last, ISO date] ranges."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_store()

    def take(self, mailer_id: str, count: int, limit: int, today: datetime.date | None = None) -> list[int]:
        """`count` serials for `mailer_id`, none issued in the last 45 days; `limit` is
        10 ** (digits of the serial)."""
        today = today or datetime.date.today()
        if count == 0:
            return []
        with self._locked() as data:
            record = data.setdefault(mailer_id, {"next": 0, "issued": []})
            cutoff = (today - datetime.timedelta(days=UNIQUE_DAYS)).isoformat()
            record["issued"] = [r for r in record["issued"] if r[2] > cutoff]  # older ones may repeat
            recent = sorted((first, last) for first, last, _ in record["issued"])
            serials: list[int] = []
            candidate = record["next"] % limit
            tried = 0
            while len(serials) < count:
                if tried >= limit:
                    raise LetterkitError(f"Mailer ID {mailer_id}: every serial was issued in the last "
                                         f"{UNIQUE_DAYS} days ({self.path}); use another Mailer ID")
                blocking = next(((f, last) for f, last in recent if f <= candidate <= last), None)
                if blocking:  # jump past an issued range
                    tried += blocking[1] - candidate + 1
                    candidate = (blocking[1] + 1) % limit
                    continue
                serials.append(candidate)
                candidate = (candidate + 1) % limit
                tried += 1
            record["next"] = candidate
            record["issued"] += [[first, last, today.isoformat()] for first, last in _ranges(serials)]
        return serials

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # waits for another process taking serials
            try:
                data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
            except (OSError, ValueError) as error:
                raise LetterkitError(f"{self.path}: cannot read the IMb serial store ({error}); "
                                     "never delete or edit it while serials issued from it are in the mail") from None
            yield data
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
            temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            os.replace(temporary, self.path)


def _ranges(serials: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of `serials` as (first, last)."""
    first = last = None
    for serial in serials:
        if last is not None and serial == last + 1:
            last = serial
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = serial
    if first is not None and last is not None:
        yield first, last
