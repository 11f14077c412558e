"""The archival PDF from typst: what typst's own PDF/A-3a + PDF/UA-1 lacks of letterkit's.

typst writes the standards, the tags, the title and language, and attaches the case
(`ATTACH_CASE`: the case JSON comes in `sys.inputs`, as data). What it cannot write is
letterkit's record in the XMP — kit, kit digest, letterkit version, case digest, the
engine — which `verify` reads back. `with_record` adds it to typst's packet, with its
extension schema as PDF/A asks, in an incremental update of the file (typst's bytes
stay as they are; the update holds the new metadata stream and catalog).
"""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element, SubElement, fromstring, tostring

from .pdf_archival import CASE_FILE, EXTENSION, LETTERKIT, PROPERTY, RDF, SCHEMA, CaseRecord, RECORD_PROPERTIES

ATTACH_CASE = f"""
#pdf.attach("{CASE_FILE}", bytes(sys.inputs.case), relationship: "source", mime-type: "application/json",
  description: "The case data this letter was rendered from (letterkit)")
"""
ENGINE_PROPERTY = ("engine", "Text", "The PDF engine that laid the letter out (weasyprint when absent)")


def with_record(pdf: bytes, record: CaseRecord | None, engine: str) -> bytes:
    """The PDF with letterkit's record added to its XMP packet."""
    from pyhanko.pdf_utils import generic  # a second to import: only for archival letters
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    root = writer.root
    packet = root["/Metadata"].get_object().data
    stream = generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/Metadata"),
                                   generic.NameObject("/Subtype"): generic.NameObject("/XML")},
                                  stream_data=recorded(packet, record, engine))
    root["/Metadata"] = writer.add_object(stream)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def recorded(packet: bytes, record: CaseRecord | None, engine: str) -> bytes:
    """typst's XMP packet with letterkit's properties and their schema."""
    start, end = packet.index(b"<x:xmpmeta"), packet.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    meta = fromstring(packet[start:end])
    rdf = meta.find(f"{{{RDF}}}RDF")
    assert rdf is not None
    description = rdf.find(f"{{{RDF}}}Description")
    assert description is not None
    values = {"engine": engine}
    if record is not None:
        values |= {"kit": record.kit, "kitDigest": record.kit_digest, "version": record.version,
                   "caseDigest": record.case_digest}
    for name, value in values.items():
        SubElement(description, f"{{{LETTERKIT}}}{name}").text = value
    schemas = description.find(f"{{{EXTENSION}}}schemas/{{{RDF}}}Bag")
    if schemas is None:
        schemas = SubElement(SubElement(description, f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")
    _schema(schemas, (*RECORD_PROPERTIES, ENGINE_PROPERTY) if record else (ENGINE_PROPERTY,))
    return (packet[:start] + tostring(meta, encoding="utf-8", xml_declaration=False) + packet[end:])


def _schema(bag: Element, properties) -> None:
    schema = SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    SubElement(schema, f"{{{SCHEMA}}}schema").text = "letterkit case record"
    SubElement(schema, f"{{{SCHEMA}}}namespaceURI").text = LETTERKIT
    SubElement(schema, f"{{{SCHEMA}}}prefix").text = "letterkit"
    sequence = SubElement(SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, value_type, description in properties:
        entry = SubElement(sequence, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
        SubElement(entry, f"{{{PROPERTY}}}name").text = name
        SubElement(entry, f"{{{PROPERTY}}}valueType").text = value_type
        SubElement(entry, f"{{{PROPERTY}}}category").text = "external"
        SubElement(entry, f"{{{PROPERTY}}}description").text = description
