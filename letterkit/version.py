"""Which letterkit this is: a leaf every other module may import.

`RELEASE` is the release this code is (pyproject.toml says the same: tests/test_contract.py);
`INSTALLED` is what the installed distribution says, which archival letters record.
Modules read `version.RELEASE` when they need it, not a copy taken at import, so that a
test can stand in the release that removes a part.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

RELEASE = "0.2.0"

try:
    INSTALLED = version("letterkit")
except PackageNotFoundError:  # running from a checkout that was never installed
    INSTALLED = "0+unknown"


def release_key(release: str) -> tuple[int, ...]:
    """"0.2.0" → (0, 2, 0), to compare releases."""
    return tuple(int(part) for part in release.split(".")[:3])


def reached(release: str) -> bool:
    """Whether this code is `release` or later: a part removed in it no longer works."""
    return release_key(RELEASE) >= release_key(release)
