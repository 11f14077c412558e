"""Rendering many letters: in parallel, resumable, with a manifest of every case."""

from .runner import BatchSummary, render_batch
from .sources import Case, read_cases

__all__ = ["BatchSummary", "Case", "read_cases", "render_batch"]
