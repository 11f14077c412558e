"""The ZIP file of a DOCX package, byte for byte as zipfile writes it, in less time.

A letter's package is the reference's unchanged parts, zipped once per reference, and
the parts the letter writes. zipfile, appending to the unchanged parts' archive, read
its central directory back for every letter and deflated every part it was given. A
`Zip` keeps the entries and the directory as bytes, and deflates the bytes of a part
once when it is made from the kit alone (the content types, the relationships: alike in
every letter of a kit).

The bytes are those zipfile writes to a seekable file for `writestr(ZipInfo(name,
date_time), blob)` with ZIP_DEFLATED at zlib's default level: the same headers,
versions, flags, permissions and directory, so a letter's file is what it was.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections import OrderedDict

# Every entry is dated 1980-01-01 00:00:00 (zip's first day; python-docx would stamp the
# clock): a letter's bytes never depend on when it was written.
_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1
_DOS_TIME = 0
_VERSION = zipfile.DEFAULT_VERSION  # 2.0: deflate; no ZIP64 (a letter is far below 2 GB)
_SYSTEM = zipfile.ZipInfo().create_system  # as zipfile writes it on this system
_PERMISSIONS = 0o600 << 16  # what zipfile gives an entry written from bytes
_UTF8_NAME = 0x800
# The ZIP format's records (PKWARE's APPNOTE 4.3.7, 4.3.12, 4.3.16), packed as zipfile packs them
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H"), b"PK\003\004"
_DIRECTORY_RECORD = struct.Struct("<4s4B4HL2L5H2L"), b"PK\001\002"
_END_RECORD = struct.Struct("<4s4H2LH"), b"PK\005\006"
_KEPT = 16  # deflated parts made from the kit alone: content types, relationships


class Zip:
    """A ZIP being written: its entries so far and their central directory records."""

    def __init__(self, deflated: _Deflated | None = None) -> None:
        self._entries = bytearray()
        self._directory: list[bytes] = []
        self._deflated = deflated or _Deflated()

    def copy(self) -> Zip:
        """Another ZIP holding these entries, to add a letter's own to; the parts kept
        deflated are shared with it."""
        copy = Zip(self._deflated)
        copy._entries[:] = self._entries
        copy._directory = list(self._directory)
        return copy

    def add(self, name: str, blob: bytes, keep: bool = False) -> None:
        """An entry named `name` holding `blob`, deflated; `keep` it deflated for the
        letters after this one (only what is made from the kit alone)."""
        crc, data = self._deflated(blob) if keep else _deflate(blob)
        offset = len(self._entries)
        if max(offset, len(data), len(blob)) * 1.05 > zipfile.ZIP64_LIMIT:
            raise ValueError(f"a part of {len(blob):,} bytes in a package of {offset:,}: too large for a letter")
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        sizes = (crc, len(data), len(blob), len(encoded))
        header, signature = _LOCAL_HEADER
        self._entries += header.pack(signature, _VERSION, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                                     *sizes, 0)
        self._entries += encoded
        self._entries += data
        record, signature = _DIRECTORY_RECORD
        self._directory.append(record.pack(signature, _VERSION, _SYSTEM, _VERSION, 0, flags, zipfile.ZIP_DEFLATED,
                                           _DOS_TIME, _DOS_DATE, *sizes, 0, 0, 0, 0, _PERMISSIONS, offset) + encoded)

    def getvalue(self) -> bytes:
        """The ZIP file: the entries, their directory, the end record."""
        directory = b"".join(self._directory)
        count = len(self._directory)
        if count > zipfile.ZIP_FILECOUNT_LIMIT:
            raise ValueError(f"{count:,} parts: too many for a letter")
        record, signature = _END_RECORD
        end = record.pack(signature, 0, 0, count, count, len(directory), len(self._entries), 0)
        return b"".join((self._entries, directory, end))


class _Deflated:
    """Parts deflated before, by their bytes: the last `_KEPT`."""

    def __init__(self) -> None:
        self._kept: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()

    def __call__(self, blob: bytes) -> tuple[int, bytes]:
        found = self._kept.get(blob)
        if found is None:
            found = self._kept[blob] = _deflate(blob)
            if len(self._kept) > _KEPT:
                self._kept.popitem(last=False)
        self._kept.move_to_end(blob)
        return found


def _deflate(blob: bytes) -> tuple[int, bytes]:
    """The CRC-32 of `blob` and `blob` deflated as zipfile deflates it."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(blob), compressor.compress(blob) + compressor.flush()
