"""A PDF written to its file one object at a time, so that its size costs no memory.

The print file of a nightly batch holds thousands of mail pieces. Merged as one pikepdf
document, every piece stays open until the file is written (qpdf reads their streams
then): 1.6 GB for 5,000 letters. Here each piece is opened, its pages' objects are
written out under new numbers, and it is closed before the next: what stays in memory is
each object's offset and each page's number, a few bytes apiece.

`StreamedPdf` knows nothing of mail pieces: it copies objects from an open pikepdf
document (`copy`), writes objects it is given (`write`), and ends the file with its
cross-reference table and trailer (`finish`).
"""

from __future__ import annotations

import decimal
import hashlib
import re
from array import array
from typing import Any, BinaryIO

import pikepdf

Numbers = dict[tuple[int, int], int]  # a source document's object → its number in the file

# A string (qpdf writes its parentheses escaped), or a reference outside one.
_STRING_OR_REFERENCE = re.compile(rb"\((?:[^\\()]|\\.)*\)|(?<![\w/.#+-])\d+ \d+ R\b", re.DOTALL)


_XREF_LINES = 4096


def reference(number: int) -> bytes:
    return b"%d 0 R" % number


class StreamedPdf:
    """A PDF being written to `file`; object numbers are handed out with `reserve`, so an
    object may name one that is written later (a page its document part, a part its pages)."""

    def __init__(self, file: BinaryIO, version: str):
        self.file = file
        self.digest = hashlib.md5(usedforsecurity=False)  # the file's /ID: the same bytes, the same ID
        self.offsets = array("Q", [0])  # each object's offset, by number (0: not written yet)
        self.next_number = 1
        self.position = 0
        self._put(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        number = self.next_number
        self.next_number += 1
        self.offsets.append(0)
        return number

    def write(self, number: int, body: bytes, stream: bytes | None = None) -> int:
        """Object `number`: `body`, a dictionary's or any object's syntax; with `stream`,
        `body` is the stream's dictionary, without its /Length."""
        self.offsets[number] = self.position
        if stream is None:
            self._put(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        else:
            self._put(b"%d 0 obj\n%s /Length %d >>\nstream\n" % (number, body[:-2].rstrip(), len(stream))
                      + stream + b"\nendstream\nendobj\n")
        return number

    def copy(self, source: Any, numbers: Numbers, leave_out: frozenset[str] = frozenset(),
             added: bytes = b"") -> int:
        """Write the indirect object `source` and every object it refers to that `numbers`
        does not already map (`numbers` grows as they are written); its number in the file.
        `leave_out` names keys of `source` itself not to copy; `added` is put in their place
        (`/Parent 2 0 R`): for a page, which belongs to a new page tree."""
        number = self._number_of(source, numbers)
        queued: list[Any] = []
        self._write_copy(source, number, numbers, queued, leave_out, added)
        self._write_queued(queued, numbers)
        return number

    def inline(self, value: Any, numbers: Numbers) -> bytes:
        """A direct object's syntax, to put in an object of one's own; the indirect objects
        it refers to are written."""
        queued: list[Any] = []
        syntax = self._syntax(value, numbers, queued)
        self._write_queued(queued, numbers)
        return syntax

    def _write_queued(self, queued: list[Any], numbers: Numbers) -> None:
        while queued:
            obj = queued.pop()
            self._write_copy(obj, numbers[obj.objgen], numbers, queued)

    def _write_copy(self, obj: Any, number: int, numbers: Numbers, queued: list[Any],
                    leave_out: frozenset[str] = frozenset(), added: bytes = b"") -> None:
        body = self._syntax(obj, numbers, queued, top=True, leave_out=leave_out, added=added)
        stream = obj.read_raw_bytes() if obj._type_code == pikepdf.ObjectType.stream else None
        self.write(number, body, stream)

    def finish(self, root: int, info: int | None = None) -> None:
        """The cross-reference table and the trailer; every reserved number must be written."""
        for number in range(1, self.next_number):
            if not self.offsets[number]:  # reserved and never used: an empty object, still a valid file
                self.write(number, b"null")
        start = self.position
        self._put(b"xref\n0 %d\n0000000000 65535 f \n" % self.next_number)
        for first in range(1, self.next_number, _XREF_LINES):  # in slices: the table of a long file is megabytes
            self._put(b"".join(b"%010d 00000 n \n" % self.offsets[number]
                               for number in range(first, min(first + _XREF_LINES, self.next_number))))
        identifier = self.digest.hexdigest().encode()
        self._put(b"trailer\n<< /Size %d /Root %s%s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
            self.next_number, reference(root), b" /Info " + reference(info) if info else b"",
            identifier, identifier, start))

    def _put(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.position += len(data)

    def _number_of(self, obj: Any, numbers: Numbers) -> int:
        if obj.objgen not in numbers:
            numbers[obj.objgen] = self.reserve()
        return numbers[obj.objgen]

    def _syntax(self, obj: Any, numbers: Numbers, queued: list[Any], top: bool = False,
                leave_out: frozenset[str] = frozenset(), added: bytes = b"") -> bytes:
        """`obj` in PDF syntax, each indirect object it holds as a reference under its new
        number (queued to be written when it is new)."""
        if isinstance(obj, pikepdf.Object) and not top and obj.is_indirect:
            if obj.objgen not in numbers:
                queued.append(obj)
            return reference(self._number_of(obj, numbers))
        if isinstance(obj, bool):
            return b"true" if obj else b"false"
        if isinstance(obj, int):
            return b"%d" % obj
        if isinstance(obj, decimal.Decimal):
            return format(obj, "f").encode()
        if obj is None:
            return b"null"
        kind = obj._type_code
        if not top and kind in (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.array):
            syntax = obj.unparse()  # qpdf's own, fast: a font's widths are hundreds of numbers
            if not _holds_reference(syntax):
                return syntax
        if kind in (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.stream):
            entries = [pikepdf.Name(key).unparse() + b" " + self._syntax(value, numbers, queued)
                       for key, value in obj.items()
                       if key not in leave_out and not (key == "/Length" and kind == pikepdf.ObjectType.stream)]
            return b"<< " + b" ".join(entries + ([added] if added else [])) + b" >>"
        if kind == pikepdf.ObjectType.array:
            return b"[" + b" ".join(self._syntax(value, numbers, queued) for value in obj) + b"]"
        return obj.unparse()


def _holds_reference(syntax: bytes) -> bool:
    return any(match.group().endswith(b"R") for match in _STRING_OR_REFERENCE.finditer(syntax))
