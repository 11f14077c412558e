"""The archival PDF: PDF/A-3a and PDF/UA-1 in one file, with the case inside.

WeasyPrint writes one variant per render. letterkit asks it for PDF/A-3a (which tags
the PDF as PDF/UA needs) and attaches the case with WeasyPrint's own `Attachment`
(`/AFRelationship /Source`, listed in the catalog's `/AF`). What PDF/A-3a alone does
not give, `finish` adds through WeasyPrint's documented `finisher` hook, on the PDF
objects before they are written:

- one XMP packet that says PDF/A-3a *and* PDF/UA-1, with the extension schemas PDF/A
  asks for and the letter's record (kit, kit digest, letterkit version, case digest);
  uncompressed, so that any PDF/A checker and any later signer can read it;
- stream data that never ends in a carriage return, which before pydyf's line feed
  and `endstream` makes the stream's `/Length` ambiguous (PDF/A checkers refuse it);
- list items holding only `Lbl` and `LBody` (WeasyPrint puts the text of a list item
  straight in `LI`), and images that ask for no interpolation (PDF/A forbids it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, fromstring, register_namespace, tostring

import pydyf
from weasyprint import Attachment

from .weasyprint_adapter import Document

ARCHIVAL_VARIANT = "pdf/a-3a+ua-1"  # what --pdf-variant names; "archival" is the same
ARCHIVAL_ALIASES = {ARCHIVAL_VARIANT: ARCHIVAL_VARIANT, "archival": ARCHIVAL_VARIANT}
WEASYPRINT_VARIANT = "pdf/a-3a"  # tagged: level a, which PDF/UA's tags also give
CASE_FILE = "case.json"
# What WeasyPrint's `write_pdf(finisher=...)` calls with the laid-out document and its PDF objects
Finisher = Callable[[Document, pydyf.PDF], None]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"
# A namespace of letterkit's own; `.invalid` says it is a name, not a place to fetch.
LETTERKIT = "http://letterkit.invalid/ns/case/1.0/"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
for _prefix, _uri in (("pdfaExtension", EXTENSION), ("pdfaSchema", SCHEMA), ("pdfaProperty", PROPERTY),
                     ("pdfuaid", PDFUAID), ("letterkit", LETTERKIT)):
    register_namespace(_prefix, _uri)  # PDF/A requires these prefixes; WeasyPrint registers its own the same way

# (name, XMP value type, description) of what letterkit records in the XMP
RECORD_PROPERTIES = (
    ("kit", "Text", "Name of the letterkit kit the letter was rendered with"),
    ("kitDigest", "Text", "SHA-256 of every file of the kit, as letterkit computes it"),
    ("version", "Text", "Version of letterkit that rendered the letter"),
    ("caseDigest", "Text", "SHA-256 of the embedded case.json"),
)


@dataclass(frozen=True)
class CaseRecord:
    """What an archival PDF carries of where it came from: the validated case as JSON,
    and the kit and letterkit that made the letter from it."""

    case_json: bytes
    kit: str
    kit_digest: str
    version: str

    @property
    def case_digest(self) -> str:
        return hashlib.sha256(self.case_json).hexdigest()


def attachment(record: CaseRecord, when: dt.date | None) -> Attachment:
    """The case as an associated file, dated as the letter is (the same bytes every time)."""
    moment = dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time(), dt.timezone.utc)
    return Attachment(string=record.case_json, name=CASE_FILE, relationship="Source",
                      description="The case data this letter was rendered from (letterkit)",
                      created=moment, modified=moment)


def finisher(record: CaseRecord | None) -> Finisher:
    """WeasyPrint's `finisher`: the PDF objects made archival and accessible at once."""
    def finish(document: Document, pdf: pydyf.PDF) -> None:
        _write_xmp(document, pdf, record)
        if "AF" in pdf.catalog:  # WeasyPrint 70 lists an attachment twice, as a name and as a file
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        for item in pdf.objects:
            if isinstance(item, pydyf.Stream) and item.extra.get("Subtype") == "/Image":
                item.extra["Interpolate"] = "false"
            if isinstance(item, pydyf.Stream) and item.compress:
                _compress_unambiguously(item)
            elif isinstance(item, pydyf.Dictionary) and item.get("S") == "/LI":
                _wrap_list_item(pdf, item)
    return finish


def _write_xmp(document: Document, pdf: pydyf.PDF, record: CaseRecord | None) -> None:
    rdf = fromstring(document.metadata.generate_rdf_metadata("a", 3, "A"))
    _description(rdf, PDFUAID, part="1")
    if record:
        _description(rdf, LETTERKIT, kit=record.kit, kitDigest=record.kit_digest,
                     version=record.version, caseDigest=record.case_digest)
    if document.metadata.lang:
        language = SubElement(SubElement(_description(rdf, DC), f"{{{DC}}}language"), f"{{{RDF}}}Bag")
        SubElement(language, f"{{{RDF}}}li").text = document.metadata.lang
    _extension_schemas(rdf, with_record=record is not None)
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
              b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + tostring(rdf, encoding="utf-8", xml_declaration=False)
              + b'</x:xmpmeta>\n<?xpacket end="r"?>')
    metadata = pdf.objects[_number(pdf.catalog["Metadata"])]
    metadata.stream = [packet]
    metadata.compress = False  # readable by every checker, and by signers that keep it


def _description(rdf: Element, namespace: str, **properties: str) -> Element:
    element = SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    for name, value in properties.items():
        SubElement(element, f"{{{namespace}}}{name}").text = value
    return element


def _extension_schemas(rdf: Element, with_record: bool) -> None:
    """PDF/A accepts only XMP properties it knows or that the file declares."""
    bag = SubElement(SubElement(_description(rdf, EXTENSION), f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")
    schemas: list[tuple[str, str, str, tuple[tuple[str, str, str], ...]]] = [
        ("PDF/UA identification schema", PDFUAID, "pdfuaid",
         (("part", "Integer", "Indicates, which part of ISO 14289 standard is followed"),))]
    if with_record:
        schemas.append(("letterkit case record", LETTERKIT, "letterkit", RECORD_PROPERTIES))
    for name, uri, prefix, properties in schemas:
        schema = SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
        SubElement(schema, f"{{{SCHEMA}}}schema").text = name
        SubElement(schema, f"{{{SCHEMA}}}namespaceURI").text = uri
        SubElement(schema, f"{{{SCHEMA}}}prefix").text = prefix
        sequence = SubElement(SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
        for property_name, value_type, description in properties:
            entry = SubElement(sequence, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
            SubElement(entry, f"{{{PROPERTY}}}name").text = property_name
            SubElement(entry, f"{{{PROPERTY}}}valueType").text = value_type
            SubElement(entry, f"{{{PROPERTY}}}category").text = "external"
            SubElement(entry, f"{{{PROPERTY}}}description").text = description


def _compress_unambiguously(stream: pydyf.Stream) -> None:
    """Compressed here as pydyf would, unless the data would end in a carriage return
    (1 stream in 256: zlib ends with a checksum of the uncompressed data). Then a
    content stream (text) gets a line feed at its end, which changes the checksum and
    means nothing; binary data (a font, a profile, a file) is stored uncompressed."""
    # pydyf's own serialisation of the items, so that the bytes are those pydyf would write
    data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    compressed = zlib.compress(data, 9)
    if compressed.endswith(b"\r") and _is_text(stream):
        compressed = zlib.compress(data + b"\n", 9)
    if compressed.endswith(b"\r"):
        stream.stream, stream.compress = [data], False
        return
    stream.stream, stream.compress = [compressed], False
    stream.extra["Filter"] = "/FlateDecode"


def _is_text(stream: pydyf.Stream) -> bool:
    """A page's or form's content, or a character map: not a font, profile, picture or file."""
    extra = stream.extra
    return "Type" not in extra and extra.get("Subtype") in (None, "/Form") and not {"Length1", "N"} & set(extra)


def _wrap_list_item(pdf: pydyf.PDF, item: pydyf.Dictionary) -> None:
    """PDF/UA: a list item holds a label and a body; WeasyPrint may put its text in it directly."""
    kids = list(item["K"])
    loose = [kid for kid in kids if pdf.objects[_number(kid)].get("S") not in ("/Lbl", "/LBody")]
    if not loose:
        return
    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(loose),
                             "P": item.reference})
    if "Pg" in item:
        body["Pg"] = item["Pg"]
    pdf.add_object(body)
    for kid in loose:
        pdf.objects[_number(kid)]["P"] = body.reference
    item["K"] = pydyf.Array([kid for kid in kids if kid not in loose] + [body.reference])


def _number(reference: str | bytes) -> int:
    return int(reference.split()[0])  # "12 0 R", as bytes or str
