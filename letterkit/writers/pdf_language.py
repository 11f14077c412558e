"""The language of a paragraph, heading or div, said in a tagged PDF's structure.

WeasyPrint 70 tags a PDF (`pdf/ua-1`) from the HTML elements, one structure element per
element and page, but writes a language only for the whole document (/Lang of the
catalog), never per element. This finisher adds /Lang to the structure elements of the
elements whose language an element inside the page declares: a Spanish tagline is read
by a screen reader as Spanish, and each part of a letter in two languages says its own,
the first part's too.

WeasyPrint makes the structure elements in one walk of each page's boxes, in tree order;
walking the same boxes in the same order pairs each element with its box, tag by tag.
A page where the two counts differ is left as it is rather than tagged wrongly.
"""

from __future__ import annotations

import pydyf

from .weasyprint_adapter import Document, structure_boxes

_TAGS = {"p": "/P", "div": "/Div", **{f"h{level}": f"/H{level}" for level in range(1, 7)}}


def add_languages(document: Document, pdf: pydyf.PDF) -> None:
    """A `finisher` for WeasyPrint's `write_pdf`: /Lang on each structure element whose
    HTML element (or an ancestor below <html>) has a `lang`."""
    if "StructTreeRoot" not in pdf.catalog:
        return  # an untagged PDF has no structure to say it in
    elements = [obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"]
    for number, page in enumerate(document.pages):
        reference = pdf.page_references[number]
        for tag, wanted in _TAGS.items():
            made = [element for element in elements if element.get("S") == wanted and element.get("Pg") == reference]
            found = [lang for element_tag, lang in structure_boxes(page, "") if element_tag == tag]
            if len(made) != len(found):
                continue
            for element, lang in zip(made, found):
                if lang:
                    element["Lang"] = pydyf.String(lang)

