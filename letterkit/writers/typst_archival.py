"""The archival PDF from typst: what typst's own PDF/A-3a + PDF/UA-1 lacks of letterkit's.

typst writes the standards, the tags, the title and language, and attaches the case
(`attach_case`: the case JSON a string literal, as every text is). What it cannot write is
letterkit's record in the XMP — kit, kit digest, letterkit version, case digest, and
the engine — which `verify` reads back. `with_record` adds it to typst's packet, with
its extension schema as PDF/A asks, in an incremental update: typst's bytes stay as
they are, and after them comes the metadata stream again, with the record, and a
cross-reference section for it. (A PDF library's writer would add its own dates and
producer to the metadata, which PDF/A then finds out of step with the document's.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from .pdf_archival import CASE_FILE, LETTERKIT, RECORD_PROPERTIES, CaseRecord
from .typst_source import typst_string

ENGINE_PROPERTY = ("engine", "Text", "The PDF engine that laid the letter out (weasyprint when absent)")
_SCHEMAS_END = b"</rdf:Bag></pdfaExtension:schemas>"


def attach_case(case_json: bytes) -> str:
    """The typst that attaches the case, as `case.json` (its text a string literal, as
    every text of a letter is)."""
    return (f'\n#pdf.attach("{CASE_FILE}", bytes({typst_string(case_json.decode("utf-8"))}), '
            'relationship: "source", mime-type: "application/json",\n'
            '  description: "The case data this letter was rendered from (letterkit)")\n')


def with_record(pdf: bytes, record: CaseRecord | None, engine: str) -> bytes:
    """The PDF with letterkit's record added to its XMP packet, as an incremental update."""
    trailer = pdf[pdf.rindex(b"trailer"):]
    root = _number(rb"/Root (\d+) 0 R", trailer)
    catalog = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*endobj" % root, pdf, re.S)
    assert catalog is not None, "typst wrote no catalog"
    metadata = _number(rb"/Metadata (\d+) 0 R", catalog.group(1))
    stream = re.search(rb"\n%d 0 obj\s*<<([^>]*)>>\s*stream\r?\n" % metadata, pdf)
    assert stream is not None and b"/Filter" not in stream.group(1), "typst's metadata is not plain XML"
    packet = pdf[stream.end():stream.end() + _number(rb"/Length (\d+)", stream.group(1))]
    packet = recorded(packet, record, engine)
    body = pdf + b"\n"
    offset = len(body)
    body += (b"%d 0 obj\n<</Type/Metadata/Subtype/XML/Length %d>>\nstream\n" % (metadata, len(packet))
             + packet + b"\nendstream\nendobj\n")
    xref = len(body)
    kept = re.search(rb"<<(.*)>>", trailer, re.S)
    assert kept is not None
    fields = re.sub(rb"/Prev \d+", b"", kept.group(1))
    return body + (b"xref\n0 1\n0000000000 65535 f\r\n%d 1\n%010d 00000 n\r\n"
                   b"trailer\n<<%s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n"
                   % (metadata, offset, fields, _number(rb"startxref\s+(\d+)", trailer), xref))


def _number(pattern: bytes, data: bytes) -> int:
    found = re.search(pattern, data)
    assert found is not None, pattern
    return int(found.group(1))


def recorded(packet: bytes, record: CaseRecord | None, engine: str) -> bytes:
    """typst's XMP packet with letterkit's properties, and their schema in its extension schemas."""
    values = {"engine": engine}
    properties = [ENGINE_PROPERTY]
    if record is not None:
        values |= {"kit": record.kit, "kitDigest": record.kit_digest, "version": record.version,
                   "caseDigest": record.case_digest}
        properties = [*RECORD_PROPERTIES, ENGINE_PROPERTY]
    added = "".join(f"<letterkit:{name}>{escape(value)}</letterkit:{name}>" for name, value in values.items())
    description = packet.index(b"<rdf:Description ") + len(b"<rdf:Description ")
    packet = packet[:description] + f'xmlns:letterkit="{LETTERKIT}" '.encode() + packet[description:]
    end = packet.index(b"</rdf:Description>")
    packet = packet[:end] + added.encode("utf-8") + packet[end:]
    if _SCHEMAS_END not in packet:
        raise ValueError("typst wrote no PDF/A extension schemas to add letterkit's to")
    at = packet.index(_SCHEMAS_END)
    return packet[:at] + _schema(properties).encode("utf-8") + packet[at:]


def _schema(properties: Iterable[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
        f"<pdfaProperty:valueType>{kind}</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{escape(description)}</pdfaProperty:description></rdf:li>"
        for name, kind, description in properties)
    return ('<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>letterkit case record</pdfaSchema:schema>'
            f"<pdfaSchema:namespaceURI>{LETTERKIT}</pdfaSchema:namespaceURI><pdfaSchema:prefix>letterkit</pdfaSchema:prefix>"
            f"<pdfaSchema:property><rdf:Seq>{entries}</rdf:Seq></pdfaSchema:property></rdf:li>")
