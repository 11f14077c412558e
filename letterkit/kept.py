"""Answers a process keeps because they are dear to make and the same every time: by a key
that holds everything the answer is made from (a template's text, a file's bytes), so a
changed input is a new key, never a stale answer. Bounded: past `size` keys the one asked
for least recently is dropped, so a long-running process (the preview, a kit being edited)
does not grow, and what every load asks for (a built-in kit's templates) stays."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """A bounded store of answers by key, safe on any thread."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._answers.pop(key, None)
            if found is not None:
                self._answers[key] = found  # the last asked for goes last, the first to go is first
            return found

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._answers[key] = value
            if len(self._answers) > self.size:
                del self._answers[next(iter(self._answers))]
        return value

    def made(self, key: K, make: Callable[[], V]) -> V:
        """The answer kept for `key`, else `make()` kept (outside the lock: two threads
        asking at once may both make it, and keep the same answer)."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
