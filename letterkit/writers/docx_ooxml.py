"""The raw OOXML the DOCX writer needs and python-docx has no API for.

Kept in this one module, as python-docx keeps its own in `docx.oxml`: the letter's
body as XML text (paragraphs, runs, pictures with alt text, tables with repeating
header rows), fields (PAGE, NUMPAGES), fonts that override the theme's, paragraph
borders, list numbering that restarts, emptying the reference document's body, the
package-level parts python-docx leaves as its template made them (extended
properties, compatibility settings, font table, stale parts), and saving the package
with a fixed timestamp so that the same letter always gives the same bytes.

Every element added to a `w:pPr` or `w:rPr` goes in the place the OOXML schema gives
it (`_insert_in_order`, and the fixed order of `paragraph` and `text_run`): Word
"repairs" a file whose properties are out of order.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterable
from typing import cast

import lxml.etree
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI, PackURI
from docx.opc.part import Part
from docx.opc.pkgwriter import _ContentTypesItem
from docx.opc.rel import Relationships
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Length
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a field such as `PAGE` or `NUMPAGES`, which Word updates as it lays out."""
    def run_with(*children: BaseOxmlElement) -> None:
        run = OxmlElement("w:r")
        for child in children:
            run.append(child)
        paragraph._p.append(run)

    def char(kind: str) -> BaseOxmlElement:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(char("begin"))
    run_with(code)
    run_with(char("separate"))
    run_with(text)
    run_with(char("end"))


def set_font(style: BaseStyle, name: str) -> None:
    """Give a style the font `name` for all scripts, overriding the theme's fonts.

    python-docx's `font.name` leaves the theme attributes, which Word and LibreOffice
    prefer, so headings would still come out in the theme's sans-serif.
    """
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)
        fonts.attrib.pop(qn(f"w:{script}Theme"), None)
    fonts.attrib.pop(qn("w:cstheme"), None)


def set_default_font(document: Document, name: str, size: Length | None = None) -> None:
    """The document defaults' font (and size): what styles not based on Normal (tables,
    lists) use."""
    fonts = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")
    for element in fonts:
        for attribute in list(element.attrib):
            del element.attrib[attribute]
        for script in ("ascii", "hAnsi", "eastAsia", "cs"):
            element.set(qn(f"w:{script}"), name)
    if size is None:
        return
    for properties in document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr"):
        half_points = str(round(size.pt * 2))  # OOXML sizes are in half points
        for tag in ("w:sz", "w:szCs"):
            element = properties.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                properties.append(element)  # schema order: sz, szCs come before lang
                lang = properties.find(qn("w:lang"))
                if lang is not None:
                    lang.addprevious(element)
            element.set(qn("w:val"), half_points)


def set_box(style: BaseStyle, sides: tuple[str, ...] | None = None) -> None:
    """Draw a thin rule around paragraphs of a style, or on `sides` of them (no API for
    paragraph borders)."""
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):  # in the schema's order
        if sides is not None and side not in sides:
            continue
        border = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "4"), ("color", "555555")):
            border.set(qn(f"w:{key}"), value)
        borders.append(border)
    _insert_in_order(style.element.get_or_add_pPr(), borders)


def set_table_borders(table_style: BaseStyle, table_sides: tuple[str, ...],
                      cell_sides: tuple[str, ...] = ()) -> None:
    """A table style's borders: a thin rule on each of `table_sides` of its tables (top,
    left, bottom, right, insideH, insideV), none on the others; and on `cell_sides` of
    every cell (top, left, bottom, right), as CSS's `td { border-top }` draws."""
    properties = _style_child(table_style, "w:tblPr")
    for old in properties.findall(qn("w:tblBorders")):
        properties.remove(old)
    borders = _borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV"), table_sides)
    later = [child for child in properties if child.tag in _AFTER_TABLE_BORDERS]
    (later[0].addprevious if later else properties.append)(borders)
    cell = _style_child(table_style, "w:tcPr")
    for old in cell.findall(qn("w:tcBorders")):
        cell.remove(old)
    if cell_sides:
        cell.insert(0, _borders("w:tcBorders", ("top", "left", "bottom", "right"), cell_sides))
    elif not len(cell):
        table_style.element.remove(cell)


_AFTER_TABLE_BORDERS = {qn(f"w:{name}") for name in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                                                     "tblDescription", "tblPrChange")}
# A style's table properties, in the schema's order: each before any of those after it.
_STYLE_TABLE_PARTS = [qn(f"w:{name}") for name in ("tblPr", "trPr", "tcPr", "tblStylePr")]


def _style_child(table_style: BaseStyle, tag: str) -> BaseOxmlElement:
    """The style's `tag` child (w:tblPr, w:tcPr), made in its place if it has none."""
    found = table_style.element.find(qn(tag))
    if found is not None:
        return found
    child = OxmlElement(tag)
    rank = _STYLE_TABLE_PARTS.index(qn(tag))
    later = [c for c in table_style.element if c.tag in _STYLE_TABLE_PARTS[rank + 1:]]
    (later[0].addprevious if later else table_style.element.append)(child)
    return child


def _borders(tag: str, sides: tuple[str, ...], drawn: tuple[str, ...]) -> BaseOxmlElement:
    borders = OxmlElement(tag)
    for side in sides:
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single" if side in drawn else "nil")
        if side in drawn:
            for key, setting in (("sz", "4"), ("space", "0"), ("color", "555555")):
                border.set(qn(f"w:{key}"), setting)
        borders.append(border)
    return borders


def set_language(style: BaseStyle, language: str) -> None:
    """The language a style's text is in (spelling, hyphenation, screen readers)."""
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    _insert_in_order(style.element.get_or_add_rPr(), lang)


def set_line_height(style: BaseStyle, points: float) -> None:
    """Lines of a style at least `points` apart, as CSS's line-height sets them in the PDF.

    At least, not exactly: a line holding a picture (the signature) grows to fit it.
    """
    spacing = style.element.get_or_add_pPr().get_or_add_spacing()
    spacing.set(qn("w:line"), str(round(points * 20)))
    spacing.set(qn("w:lineRule"), "atLeast")


def set_contextual_spacing(style: BaseStyle, on: bool) -> None:
    """Whether paragraphs of a style next to each other drop their spacing (Word's lists do)."""
    properties = style.element.get_or_add_pPr()
    for old in properties.findall(qn("w:contextualSpacing")):
        properties.remove(old)
    if on:
        _insert_in_order(properties, OxmlElement("w:contextualSpacing"))


def set_cell_padding(table_style: BaseStyle, vertical: int, horizontal: int) -> None:
    """The space between a table style's cell borders and their text (CSS td padding)."""
    table = table_style.element.find(qn("w:tblPr"))
    if table is None:
        table = OxmlElement("w:tblPr")
        table_style.element.append(table)
    margins = OxmlElement("w:tblCellMar")
    for side, length in (("top", vertical), ("left", horizontal), ("bottom", vertical), ("right", horizontal)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(length / 635)))  # EMU → twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    old = table.find(qn("w:tblCellMar"))
    if old is not None:
        old.addprevious(margins)
        table.remove(old)
    else:  # before w:tblLook, w:tblCaption, w:tblDescription: append only when none is there
        later = [child for child in table if child.tag in _AFTER_CELL_MARGINS]
        (later[0].addprevious if later else table.append)(margins)


_AFTER_CELL_MARGINS = {qn("w:tblLook"), qn("w:tblCaption"), qn("w:tblDescription")}

# The order of w:pPr's and w:rPr's children in the schema (ECMA-376 Part 1, CT_PPrBase
# and CT_RPr, with the elements that follow them in CT_PPr and CT_ParaRPr).
_ORDER = {
    qn("w:pPr"): [qn(f"w:{name}") for name in (
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
        "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
        "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
        "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
        "rPr sectPr pPrChange").split()],
    qn("w:rPr"): [qn(f"w:{name}") for name in (
        "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline "
        "shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position "
        "sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout "
        "specVanish oMath rPrChange").split()],
}


def _insert_in_order(parent: BaseOxmlElement, child: BaseOxmlElement) -> None:
    """Put `child` before the first sibling the schema places after it."""
    order = _ORDER[parent.tag]
    rank = order.index(child.tag)
    for sibling in parent:
        if sibling.tag in order and order.index(sibling.tag) > rank:
            sibling.addprevious(child)
            return
    parent.append(child)


def is_in_schema_order(parent: BaseOxmlElement) -> bool:
    """Whether a w:pPr or w:rPr holds its children in the schema's order."""
    order = _ORDER[parent.tag]
    ranks = [order.index(child.tag) for child in parent if child.tag in order]
    return ranks == sorted(ranks)


# The body of a letter is written as XML text, not elements: it is all new, made once
# and never read back, and building it as elements (through python-docx's proxies, or
# raw lxml) then serialising it was most of the DOCX writer's time. The text is what
# lxml serialises for the same elements, in the schema's order; it goes between the
# halves of the reference's document.xml that `body_xml` cuts.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# "&" first: the other escapes bring their own. (str.replace for each, not str.translate,
# which looks each character up in a table: several times slower on a letter's text.)
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTRIBUTE_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))
LINE_BREAK = "<w:r><w:br/></w:r>"
PAGE_BREAK_PARAGRAPH = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def text(value: str) -> str:
    """`value` as XML character data; ValueError for a character XML cannot hold."""
    return _escaped(_xml_compatible(value), _TEXT_ESCAPES)


def attribute(value: str) -> str:
    """`value` as an XML attribute's value, between double quotes."""
    return _escaped(_xml_compatible(value), _ATTRIBUTE_ESCAPES)


def _escaped(value: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for character, escape in escapes:
        if character in value:
            value = value.replace(character, escape)
    return value


def _xml_compatible(value: str) -> str:
    # Printable text has none of them (a control, a surrogate, U+FFFE, U+FFFF): most text,
    # found at once, where the expression tests each character against its class.
    if not value.isprintable() and _XML_ILLEGAL.search(value):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes "
                         "or control characters")
    return value


def paragraph(style_id: str | None, runs: list[str], keep_next: bool = False,
              page_break_before: bool = False, num_id: int | None = None) -> str:
    """A w:p of `runs`, in style `style_id` (None: the default style, an empty w:pPr,
    as python-docx leaves it); its properties in the schema's order."""
    properties = (f'<w:pStyle w:val="{attribute(style_id)}"/>' if style_id is not None else "") + \
        ("<w:keepNext/>" if keep_next else "") + ("<w:pageBreakBefore/>" if page_break_before else "") + \
        (f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>' if num_id is not None else "")
    properties = f"<w:pPr>{properties}</w:pPr>" if properties else "<w:pPr/>"
    return f"<w:p>{properties}{''.join(runs)}</w:p>"


def frame_paragraph(style_id: str | None, alignment: str, segments: list[tuple[str, str]]) -> str:
    """A header's or footer's paragraph: text runs, and a field (PAGE, NUMPAGES) for each
    ("field", instruction) segment, showing "1" until Word lays the document out."""
    runs = []
    for kind, value in segments:
        if kind == "text":
            runs.append(text_run(value, False, False))
        else:
            runs.append('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                        f'<w:r><w:instrText xml:space="preserve"> {value} </w:instrText></w:r>'
                        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                        '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    style = f'<w:pStyle w:val="{attribute(style_id)}"/>' if style_id is not None else ""
    return f'<w:p><w:pPr>{style}<w:jc w:val="{alignment}"/></w:pPr>{"".join(runs)}</w:p>'


def replace_content(part_element: BaseOxmlElement, paragraph: str) -> None:
    """A header or footer part (w:hdr, w:ftr) holding `paragraph` (XML text) and nothing else."""
    for child in list(part_element):
        part_element.remove(child)
    part_element.append(parse_xml(f'<w:body {nsdecls("w")}>{paragraph}</w:body>')[0])


def set_text(paragraph: Paragraph, value: str) -> None:
    """`paragraph.text = value`: the paragraph's properties, then one run of `value`.

    python-docx finds what to remove with an XPath it compiles each time and looks at
    each character for a tab or line break: most of the time of a letter's header.
    Text that holds one is still left to it."""
    if "\t" in value or "\r" in value or "\n" in value:
        paragraph.text = value
        return
    element = paragraph._p
    for child in list(element):
        if isinstance(child.tag, str) and child.tag != _PARAGRAPH_PROPERTIES:  # elements alone, as its XPath
            element.remove(child)
    run = text_run(value, False, False) if value else "<w:r/>"  # no w:t for no text, as add_run
    element.append(parse_xml(f'<w:body {nsdecls("w")}>{run}</w:body>')[0])


_PARAGRAPH_PROPERTIES = qn("w:pPr")


# Word reads the language of East Asian text from w:eastAsia, of other text from w:val.
_EAST_ASIAN = {"zh", "ja", "ko"}


def language(lang: str) -> str:
    """The w:lang of a run in language `lang` (a BCP 47 tag)."""
    kind = "eastAsia" if lang.split("-")[0].lower() in _EAST_ASIAN else "val"
    return f'<w:lang w:{kind}="{attribute(lang)}"/>'


def text_run(value: str, bold: bool, italic: bool, lang: str | None = None) -> str:
    """A run holding `value` in one w:t.

    `Paragraph.add_run(text)` looks at each character, to turn tabs and line breaks
    into their elements; the tree's text has none (the reader made them spaces and
    LineBreak nodes).
    """
    # w:lang last: after w:b and w:i in the schema's order. Word's spelling, hyphenation
    # and screen readers take the run's language from it.
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + (language(lang) if lang else "")
    run = f"<w:r><w:rPr>{properties}</w:rPr>" if properties else "<w:r>"
    if not value:
        return run + "<w:t/></w:r>"
    # Word drops a w:t's edge spaces unless told to keep them.
    preserve = ' xml:space="preserve"' if len(value.strip()) < len(value) else ""
    return f"{run}<w:t{preserve}>{text(value)}</w:t></w:r>"


def picture_run(shape_id: int, rId: str, filename: str, cx: int, cy: int, alt: str,
                namespaces: str) -> str:
    """A run showing the picture related as `rId`, `cx` by `cy` EMU, described by `alt`
    for screen readers (w:docPr/@descr): the w:drawing python-docx's `add_picture` makes.
    `namespaces` declares what the document's root does not (`picture_namespaces`)."""
    size = f'cx="{cx}" cy="{cy}"'
    return (
        f'<w:r><w:drawing><wp:inline {namespaces}>'
        f'<wp:extent {size}/><wp:docPr id="{shape_id}" name="Picture {shape_id}" descr="{attribute(alt)}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{attribute(filename)}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rId}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext {size}/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def table(style_id: str | None, widths: list[int], header_rows: int, rows: list[list[str]],
          fixed: bool = False) -> str:
    """A w:tbl in table style `style_id` (None: the default), a column per width (EMU);
    `rows` of cells, each cell its paragraphs (a row short of cells gets empty ones); the
    first `header_rows` repeat at the top of each page and tell screen readers they head it.
    `fixed`: Word keeps the widths as given instead of fitting columns to their text."""
    twips = [Emu(width).twips for width in widths]
    style = f'<w:tblStyle w:val="{attribute(style_id)}"/>' if style_id is not None else ""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in twips)
    body = []
    for number, cells in enumerate(rows):
        header = "<w:trPr><w:tblHeader/></w:trPr>" if number < header_rows else ""
        cells = list(cells) + ["<w:p/>"] * (len(twips) - len(cells))
        body.append(f"<w:tr>{header}" + "".join(
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>{cell}</w:tc>'
            for width, cell in zip(twips, cells)) + "</w:tr>")
    layout = '<w:tblLayout w:type="fixed"/>' if fixed else ""
    return (f'<w:tbl><w:tblPr>{style}<w:tblW w:type="auto" w:w="0"/>{layout}<w:tblLook w:firstColumn="1" '
            'w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(body)}</w:tbl>")


_BODY_MARK = "letterkit: the body goes here"
_PICTURE_NAMESPACES = ("wp", "a", "pic", "r")


def body_xml(document: Document) -> tuple[bytes, bytes]:
    """document.xml of a document with an empty body, in two: before the body's
    content and after it (its w:sectPr onwards); the letter's body goes between.
    Take it last: python-docx adds to the document (a header's reference) as it is read."""
    if document.element.nsmap.get("w") != nsmap["w"]:
        raise ValueError("its document.xml does not name WordprocessingML w:")
    body = document.element.body
    mark = lxml.etree.Comment(_BODY_MARK)
    body.insert(0, mark)
    try:
        xml = serialize_part_xml(document.element)
    finally:
        body.remove(mark)
    before, after = xml.split(f"<!--{_BODY_MARK}-->".encode())
    return before, after


def picture_namespaces(document: Document) -> str:
    """The declarations a picture's wp:inline needs that the document's root lacks."""
    declared = document.element.nsmap
    return " ".join(f'xmlns:{prefix}="{nsmap[prefix]}"' for prefix in _PICTURE_NAMESPACES
                    if declared.get(prefix) != nsmap[prefix])


def numbered_styles(document: Document) -> dict[str, int]:
    """The abstract numbering (w:abstractNumId) of each paragraph style that numbers its
    paragraphs, by style name."""
    numbering = document.part.numbering_part.element
    numbered = {}
    for style in document.styles:
        properties = getattr(style.element, "pPr", None)
        if properties is None or properties.numPr is None or properties.numPr.numId is None:
            continue
        try:  # numId 0 is Word's "not numbered", and has no list
            numbered[style.name] = numbering.num_having_numId(properties.numPr.numId.val).abstractNumId.val
        except KeyError:
            pass
    return numbered


def restart_numbering(document: Document, abstract: int, start: int) -> int:
    """A fresh Word list over an abstract numbering (`numbered_styles`), counting from
    `start`; its numId.

    Paragraphs of a style share one list, so a second numbered list would go on
    counting from the first; each list gets its own w:num over the same abstract
    numbering, with a start override.
    """
    numbering = document.part.numbering_part.element
    # The first number no list has, as python-docx's add_num finds it (it compiles an
    # XPath for that, and builds the element node by node: most of the time this took).
    taken = {int(num.get(qn("w:numId"))) for num in numbering.iterchildren(qn("w:num"))}
    num_id = next(number for number in itertools.count(1) if number not in taken)
    numbering._insert_num(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/><w:lvlOverride '
        f'w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'))
    return num_id


def clear_body(document: Document) -> None:
    """Remove the reference document's sample content, keeping its page setup."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


# Parts python-docx's default template carries that describe some other document:
# stylesWithEffects.xml is Word 2010's copy of styles.xml, which Word reads instead of
# the real one when it is there and treats as damage when the two disagree; the
# thumbnail is a picture of a blank page; customXml holds an empty bibliography.
_STALE_RELATIONSHIPS = (RT.THUMBNAIL, RT.CUSTOM_XML,
                        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")


def drop_stale_parts(document: Document) -> None:
    """Remove the template's parts that do not describe this document."""
    package = document.part.package
    for relationships in (package.rels, document.part.rels):
        for rId in [rId for rId, rel in relationships.items() if rel.reltype in _STALE_RELATIONSHIPS]:
            del relationships[rId]


def set_application(document: Document, application: str) -> None:
    """docProps/app.xml naming what made the file (python-docx keeps its template's).

    Pages and words are left out: they are Word's count after layout, which a writer
    cannot know, and a wrong count is worse than none.
    """
    package = document.part.package
    try:
        part = package.part_related_by(RT.EXTENDED_PROPERTIES)
    except KeyError:  # a reference made by a tool that writes none
        part = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, b"", package)
        package.relate_to(part, RT.EXTENDED_PROPERTIES)
    properties = parse_xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application/><DocSecurity>0</DocSecurity><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>")
    properties[0].text = application
    part._blob = lxml.etree.tostring(properties, xml_declaration=True, encoding="UTF-8", standalone=True)


# Word 2013 and later lay out a document of compatibility mode 15 as they lay out their
# own; a lower mode opens it in "Compatibility Mode", emulating Word 2010.
_COMPATIBILITY = (("compatibilityMode", "15"), ("overrideTableStyleFontSizeAndJustification", "1"),
                  ("enableOpenTypeFeatures", "1"), ("doNotFlipMirrorIndents", "1"),
                  ("differentiateMultirowTableHeaders", "1"))


def set_current_settings(document: Document) -> None:
    """Word's current compatibility mode; no revision ids, preview or identity from the template."""
    settings = document.settings.element
    # w14:docId is the template's identity, which every letter would otherwise share.
    for stale in settings.xpath("./w:rsids | ./w:savePreviewPicture | ./w:proofState | ./w14:docId"):
        settings.remove(stale)
    compat = settings.find(qn("w:compat"))
    for child in list(compat):
        compat.remove(child)
    for name, value in _COMPATIBILITY:
        setting = OxmlElement("w:compatSetting")
        setting.set(qn("w:name"), name)
        setting.set(qn("w:uri"), "http://schemas.microsoft.com/office/word")
        setting.set(qn("w:val"), value)
        compat.append(setting)


def declare_font(document: Document, name: str, like: str, panose: str, family: str) -> None:
    """Put a font in the font table, first, with `like` as the font Word substitutes
    for it on a machine that lacks it (w:altName), and its PANOSE class and family
    for Word's own choice of a substitute."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    # python-docx types every parse as its own element class; a font table is lxml's own
    # (its tag has no class there), whose xpath takes variables.
    fonts = cast(lxml.etree._Element, parse_xml(part.blob))
    for old in fonts.xpath("./w:font[@w:name=$name]", name=name, namespaces=fonts.nsmap):
        fonts.remove(old)
    font = parse_xml(
        f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{like}"/>'
        f'<w:panose1 w:val="{panose}"/><w:charset w:val="00"/><w:family w:val="{family}"/>'
        '<w:pitch w:val="variable"/></w:font>')
    fonts.insert(0, font)
    part._blob = lxml.etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


# Every zip entry gets this date: python-docx would stamp the clock, and a fixed
# date lets unchanged parts be compressed once, in advance.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_parts(parts: Iterable[Part]) -> bytes:
    """A zip of these parts (and their relationships), to be completed by `save`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            _write(archive, part.partname, part.blob)
            if len(part.rels):
                _write(archive, part.partname.rels_uri, part.rels.xml)
    return buffer.getvalue()


class PackageXml:
    """The content types and relationships of packages, as XML, made once for what they
    say: letter after letter of one reference has the same parts and relationships, and
    python-docx builds the XML element by element each time."""

    KEPT = 64

    def __init__(self) -> None:
        self._kept: dict[tuple, bytes] = {}

    def content_types(self, parts: list[Part]) -> bytes:
        key = ("[Content_Types]", tuple((part.partname, part.content_type) for part in parts))
        return self._kept.get(key) or self._keep(key, _ContentTypesItem.from_parts(parts).blob)

    def relationships(self, source: str, relationships: Relationships) -> bytes:
        """The .rels of the part named `source` ("/" for the package's)."""
        key = (source, tuple((rel.rId, rel.reltype, rel.is_external,
                              rel.target_ref if rel.is_external else rel.target_part.partname)
                             for rel in relationships.values()))
        # python-docx types `xml` as text; it is the bytes of serialize_part_xml
        return self._kept.get(key) or self._keep(key, cast(bytes, relationships.xml))

    def _keep(self, key: tuple, xml: bytes) -> bytes:
        if len(self._kept) >= self.KEPT:  # a long-running process given one reference after another
            self._kept.clear()
        self._kept[key] = xml
        return xml


def save(document: Document, unchanged_zip: bytes, unchanged: set[str],
         written: dict[str, bytes] | None = None, package_xml: PackageXml | None = None) -> bytes:
    """The package as bytes: `unchanged_zip` (from `zip_parts`, holding the parts named in
    `unchanged`) plus every other part, serialised now, or as `written` gives it by name.

    The content types and package relationships are written each time, in case the
    letter added a part (from `package_xml` when it has them already).
    """
    written = written or {}
    package_xml = package_xml or PackageXml()
    package = document.part.package
    parts = list(package.iter_parts())
    buffer = io.BytesIO(unchanged_zip)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, CONTENT_TYPES_URI, package_xml.content_types(parts))
        _write(archive, PACKAGE_URI.rels_uri, package_xml.relationships(PACKAGE_URI, package.rels))
        for part in parts:
            if part.partname not in unchanged:
                _write(archive, part.partname, written.get(part.partname) or part.blob)
                if len(part.rels):
                    _write(archive, part.partname.rels_uri, package_xml.relationships(part.partname, part.rels))
    return buffer.getvalue()


def save_all(document: Document) -> bytes:
    """The whole package, every part serialised now (for building a reference document)."""
    return save(document, zip_parts([]), set())


def _write(archive: zipfile.ZipFile, pack_uri: PackURI, blob: bytes) -> None:
    entry = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, blob)
