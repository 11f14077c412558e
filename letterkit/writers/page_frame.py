"""The page frame: running header and footer, declared once by the kit's letter template
and written by every format.

```
Header: Claim {{ claim.claim_number }}
Footer: Form CMS-10003-NDMC · Page {page} of {pages}
First-Page-Header:
```

`{page}` and `{pages}` stand for the page number and the number of pages. A
`First-Page-…` line makes page 1 differ (empty: nothing there); without one, page 1 has
the others' header and footer. HTML carries the frame as running elements and print CSS
(which WeasyPrint follows for the PDF); DOCX as real header and footer parts, the
numbers as PAGE and NUMPAGES fields that Word updates.
"""

from __future__ import annotations

import re
from html import escape

from .. import tree

_NUMBERS = re.compile(r"\{(page|pages)\}")
_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}

# (element class, margin box, the page rule it belongs to) for each part of the frame.
# `!important`: the frame the letter declares wins over a kit stylesheet's own margin
# boxes (the letter kit's print.css has a plain "Page N of M" footer).
CSS = """@media print {
  .running-header { position: running(running-header); }
  .running-footer { position: running(running-footer); }
  .first-page-header { position: running(first-page-header); }
  .first-page-footer { position: running(first-page-footer); }
  @page { @top-right { content: element(running-header) !important; }
          @bottom-center { content: element(running-footer) !important; } }
  @page :first { @top-right { content: element(first-page-header) !important; }
                 @bottom-center { content: element(first-page-footer) !important; } }
  .running-header, .first-page-header { font-size: 9pt; text-align: right; }
  .running-footer, .first-page-footer { font-size: 9pt; text-align: center; }
  .page-number::after { content: counter(page); }
  .page-count::after { content: counter(pages); }
}
@media screen {
  body { display: flex; flex-direction: column; }
  main { order: 1; width: 100%; }
  .running-footer { order: 2; font-size: 9pt; text-align: center; color: #444; }
  .first-page-header, .first-page-footer, .page-number, .page-count { display: none; }
}
"""


def framed(meta: tree.Meta) -> bool:
    """Whether the letter declares a frame beyond the running header (older kits do not)."""
    return any(part is not None for part in (meta.footer, meta.first_page_header, meta.first_page_footer))


def parts(meta: tree.Meta) -> dict[str, str]:
    """Each part's text, page 1's falling back to the other pages'."""
    header, footer = meta.header, meta.footer or ""
    return {
        "running-header": header,
        "running-footer": footer,
        "first-page-header": header if meta.first_page_header is None else meta.first_page_header,
        "first-page-footer": footer if meta.first_page_footer is None else meta.first_page_footer,
    }


def segments(text: str) -> list[tuple[str, str]]:
    """("text", words) and ("field", "PAGE" or "NUMPAGES"), in order."""
    found, position = [], 0
    for match in _NUMBERS.finditer(text):
        found += [("text", text[position:match.start()])] if match.start() > position else []
        found.append(("field", _FIELDS[match.group(1)]))
        position = match.end()
    return found + ([("text", text[position:])] if position < len(text) else [])


def html(meta: tree.Meta) -> str:
    """The frame's running elements, which go before the letter: a running element
    reaches the pages from the one it is on (`CSS` places them; on screen, the footer
    after the letter)."""
    def element(tag: str, cls: str, text: str) -> str:
        inner = "".join(escape(value, quote=False) if kind == "text" else
                        f'<span class="{"page-number" if value == "PAGE" else "page-count"}"></span>'
                        for kind, value in segments(text))
        return f'<{tag} class="{cls}">{inner}</{tag}>\n'

    texts = parts(meta)
    return "".join(element(tag, cls, texts[cls]) for tag, cls in (
        ("header", "running-header"), ("header", "first-page-header"),
        ("footer", "running-footer"), ("footer", "first-page-footer")))
