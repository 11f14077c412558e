"""Rendering many letters: in parallel, resumable, with a manifest of every case."""

from .lock import BatchLockedError
from .runner import BatchSummary, render_batch
from .sources import Case, read_cases

__all__ = ["BatchLockedError", "BatchSummary", "Case", "read_cases", "render_batch"]
