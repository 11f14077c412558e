"""What a command that renders letter after letter keeps for its whole run, set aside
from the garbage collector.

Python's collector walks every container object it tracks, from time to time, to find
cycles: in `letterkit render` of many cases, some 150,000 objects of the imported
libraries and the loaded kit (templates compiled, stylesheets parsed, fonts), none of
which will be garbage before the command ends, walked again and again while WeasyPrint
lays out each letter: about 30 ms of CPU a letter, some 10 % of a PDF. Frozen
(`gc.freeze`) once the first letter is written (the kit loaded, its fonts and
stylesheets parsed), they are left out, and the collector walks only what the letters
themselves make. When the command ends they are handed back (`gc.unfreeze`): the
command may run inside a caller's process (a test's CliRunner).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def set_aside_once_loaded() -> Iterator[Callable[[], None]]:
    """Gives `next_letter`, to call before each letter: before the second, what garbage
    there is is collected and every object alive is frozen (so a command of one letter
    pays for no collection); leaving the block unfreezes them. Does nothing in a process
    where something else froze objects already."""
    ours = gc.get_freeze_count() == 0
    letters = 0

    def next_letter() -> None:
        nonlocal letters
        letters += 1
        if ours and letters == 2:
            gc.collect()
            gc.freeze()
    try:
        yield next_letter
    finally:
        if ours and letters >= 2:
            gc.unfreeze()
