"""Telling a person how a batch is going: a bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import printable


class _RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f} letters/s" if task.speed else "", style="progress.data.speed")


class BatchProgress:
    """Counts results as they come; a rich bar on a terminal, a line every `every` seconds otherwise."""

    def __init__(self, total: int | None, console: Console, quiet: bool = False, every: float = 10.0):
        self.total, self.console, self.quiet, self.every = total, console, quiet, every
        self.done = self.failed = self.skipped = 0
        self.started = self._last_line = time.monotonic()
        self._bar = None
        if not quiet and console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]Rendering"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
                TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), console=console, transient=False,
            )
            self._task = self._bar.add_task("batch", total=total, failed=0)

    def __enter__(self):
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc):
        if self._bar:
            self._bar.stop()

    def __call__(self, entry: dict[str, Any]) -> None:
        status = entry["status"]
        self.done += 1
        self.failed += status == "failed"
        self.skipped += status == "skipped"
        if status == "failed" and not self._bar:
            print(printable(f"failed {entry['id']}: {entry.get('error')}"), file=sys.stderr, flush=True)
        if self._bar:
            self._bar.update(self._task, advance=1, failed=self.failed)
            # Drawn now: a line printed above the bar redraws the bar as last drawn, which
            # between rich's refreshes still says "0 failed" after the first failures.
            self._bar.refresh()
            if status == "failed":
                message = escape(printable(f"{entry['id']}: {entry.get('error')}"))
                self._bar.console.print(f"[red]failed[/red] {message}", highlight=False, markup=True)
        elif not self.quiet and time.monotonic() - self._last_line >= self.every:
            self._last_line = time.monotonic()
            self.console.print(self.line(), highlight=False)

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        of = f"/{self.total}" if self.total is not None else ""
        eta = ""
        if self.total and rate:
            eta = f", ETA {time.strftime('%H:%M:%S', time.gmtime((self.total - self.done) / rate))}"
        return f"batch: {self.done}{of} done ({self.failed} failed), {rate:.1f} letters/s{eta}"
