"""The case inside an archival PDF: what is put in at rendering, and read back out.

An archival letter (`--pdf-variant archival`) carries the validated case as
`case.json`, an associated file with `/AFRelationship /Source`, and names in its XMP
the kit, the kit's digest and the letterkit version that rendered it. `extract` gives
all of it back, from the PDF's bytes alone.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from xml.etree.ElementTree import fromstring

from . import version
from .cases import MAX_CASE_BYTES, parse_case
from .errors import CaseError, LetterkitError
from .kits import Kit
from .model import Letter
from .writers.pdf_archival import CASE_FILE, LETTERKIT, CaseRecord


class ArchiveError(LetterkitError):
    """A file that is not an archival letterkit PDF, or whose case cannot be read."""


def case_record(letter: Letter, kit: Kit) -> CaseRecord:
    """What an archival PDF of `letter` carries: the case as JSON, the kit, letterkit's version."""
    case_json = json.dumps(letter.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return CaseRecord(case_json.encode("utf-8"), kit.name, kit.digest, version.INSTALLED)


@dataclass(frozen=True)
class Extracted:
    """What an archival PDF says of itself: its case, and the XMP's record of where it came from."""

    record: CaseRecord
    declared_case_digest: str  # as the XMP states it; `record.case_digest` is of the bytes found
    engine: str = "weasyprint"  # what laid the PDF out, as the XMP states it (letters before typst state none)

    @property
    def case(self) -> dict:
        """The case, read as strictly as a case file (size, nesting, digits): a letter may be
        anyone's, and its case is data like any other. A `CaseError` says what is wrong."""
        source = f"the embedded {CASE_FILE}"
        case_json = self.record.case_json
        if len(case_json) > MAX_CASE_BYTES:
            raise CaseError([("(file)", f"{len(case_json):,} bytes; no case is larger than "
                                        f"{MAX_CASE_BYTES // 2**20} MB")], source)
        try:
            text = case_json.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CaseError([("(file)", f"not UTF-8 (byte {error.start})")], source) from None
        return parse_case(text, "json", source)


def extract(pdf: bytes, source: str = "the file") -> Extracted:
    """The case and record of an archival PDF, or `ArchiveError` saying what is missing."""
    from pyhanko.pdf_utils.misc import PdfError  # a second to import: only when reading
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        root = PdfFileReader(io.BytesIO(pdf), strict=False).root
        case_json = _associated_case(root)
        xmp = root["/Metadata"].data if "/Metadata" in root else b""
    except (PdfError, KeyError, TypeError, ValueError) as error:
        raise ArchiveError(f"{source}: not a readable PDF ({error})") from None
    if case_json is None:
        raise ArchiveError(f"{source}: holds no {CASE_FILE} (render it with --pdf-variant archival)")
    fields = _record_fields(xmp)
    record = CaseRecord(case_json, fields.get("kit", ""), fields.get("kitDigest", ""), fields.get("version", ""))
    return Extracted(record, fields.get("caseDigest", ""), fields.get("engine") or "weasyprint")


def _associated_case(root) -> bytes | None:
    for filespec in root.get("/AF", ()):
        filespec = filespec.get_object()
        if str(filespec.get("/F")) == CASE_FILE and filespec.get("/AFRelationship") == "/Source":
            return filespec["/EF"]["/F"].get_object().data
    return None


def _record_fields(xmp: bytes) -> dict[str, str]:
    """letterkit's properties in the XMP packet, by name."""
    try:
        packet = fromstring(xmp)
    except Exception:  # noqa: BLE001 - a damaged packet records nothing
        return {}
    prefix = f"{{{LETTERKIT}}}"
    return {element.tag.removeprefix(prefix): element.text or ""
            for element in packet.iter() if element.tag.startswith(prefix)}
