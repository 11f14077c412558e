"""The page frame: running header and footer, declared once by the kit's letter template
and written by every format.

```
Header: Claim {{ claim.claim_number }}
Footer: Form CMS-10003-NDMC · Page {page} of {pages}
First-Page-Header:
```

`{page}` and `{pages}` stand for the page number and the number of pages — in the kit's
words only: a brace in a case's value comes doubled (`tree.frame_value`), so a plan
named "Example {page} Plan" prints as typed. A
`First-Page-…` line makes page 1 differ (empty: nothing there); without one, page 1 has
the others' header and footer. HTML carries the frame as elements of the page (a
browser shows the footer after the letter); the PDF writer adds the CSS that runs them
in WeasyPrint's page margins; DOCX has real header and footer parts, the numbers as
PAGE and NUMPAGES fields that Word updates.
"""

from __future__ import annotations

import re
from html import escape

from .. import tree

_TOKENS = re.compile(r"\{\{|\}\}|\{(page|pages)\}")
_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}

# The page's own CSS, in every HTML file (valid CSS, for browsers): page 1's variants
# hidden (they are for the PDF's first page), and on a screen, where there are no pages,
# "Page {page} of {pages}" left out rather than shown as "Page of".
HTML_CSS = """.first-page-header, .first-page-footer { display: none; }
.running-footer { font-size: 9pt; text-align: center; }
@media screen {
  .running-footer { color: #444; }
  .page-numbers { display: none; }
}
"""

# The PDF's, which WeasyPrint reads after the kit's stylesheets: the running elements in
# the page margins (CSS Generated Content for Paged Media, which browsers do not take).
# `!important`: the frame the letter declares wins over a kit stylesheet's own margin
# boxes (the letter kit's print.css has a plain "Page N of M" footer).
PDF_CSS = """.running-header { position: running(running-header); }
.running-footer { position: running(running-footer); }
.first-page-header { display: block !important; position: running(first-page-header); }
.first-page-footer { display: block !important; position: running(first-page-footer); }
.running-header, .first-page-header { font-size: 9pt; text-align: right; }
.running-footer, .first-page-footer { font-size: 9pt; text-align: center; }
@page { @top-right { content: element(running-header) !important; }
        @bottom-center { content: element(running-footer) !important; } }
@page :first { @top-right { content: element(first-page-header) !important; }
               @bottom-center { content: element(first-page-footer) !important; } }
.page-number::after { content: counter(page); }
.page-count::after { content: counter(pages); }
.page-numbers { display: inline !important; }
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
    found: list[tuple[str, str]] = []
    position = 0
    for match in _TOKENS.finditer(text):
        before = text[position:match.start()]
        if match.group(1):
            found += [("text", before), ("field", _FIELDS[match.group(1)])]
        else:  # a doubled brace: one brace of the text
            found.append(("text", before + match.group()[0]))
        position = match.end()
    found.append(("text", text[position:]))
    merged: list[tuple[str, str]] = []
    for kind, value in found:
        if merged and kind == "text" == merged[-1][0]:
            merged[-1] = ("text", merged[-1][1] + value)
        elif value:
            merged.append((kind, value))
    return merged


def literal(text: str) -> str:
    """A frame line as plain text (where no page numbers are drawn): its doubled braces single."""
    return "".join(value if kind == "text" else "{" + ("page" if value == "PAGE" else "pages") + "}"
                   for kind, value in segments(text))


def html(meta: tree.Meta) -> tuple[str, str]:
    """The frame's elements: the headers, which go before the letter, and the footers,
    which go after it in the HTML file (a screen reader reads the letter first; the PDF
    writer moves them before it: `HtmlPage.print_order`). A part with no text has no
    element. On a screen the page numbers and the words joined to them ("Page {page} of
    {pages}") are a `page-numbers` span that `HTML_CSS` hides."""
    texts = parts(meta)
    elements = {cls: _element(tag, cls, texts[cls]) for tag, cls in (
        ("header", "running-header"), ("header", "first-page-header"),
        ("footer", "running-footer"), ("footer", "first-page-footer"))}
    return (elements["running-header"] + elements["first-page-header"],
            elements["running-footer"] + elements["first-page-footer"])


def _element(tag: str, cls: str, text: str) -> str:
    if not text.strip():
        return ""
    return f'<{tag} class="{cls}">{_inner(text)}</{tag}>\n'


# What separates the parts of a header or footer line: "Form CMS-10003 · Page {page} of {pages}".
_SEPARATOR = re.compile(r"(\s+[·|–—-]\s+)")


def _inner(text: str) -> str:
    """The part's text as HTML: each part of it that holds a page number, with the
    separator that joins it to the rest, in a `page-numbers` span of its own."""
    pieces = _SEPARATOR.split(text)  # part, separator, part, …
    numbered = {index for index in range(0, len(pieces), 2)
                if any(kind == "field" for kind, _ in segments(pieces[index]))}
    # The separator that goes with a numbered part: the one before it, or for the first part the one after.
    joined = {index - 1 if index else index + 1: index for index in numbered if len(pieces) > 1}
    html = []
    for index, piece in enumerate(pieces):
        if index in joined:
            continue  # written with its part
        if index in numbered:
            separator = next((pieces[s] for s, part in joined.items() if part == index), "")
            before, after = (separator, "") if index else ("", separator)
            html.append(f'<span class="page-numbers">{escape(before, quote=False)}{_numbers(piece)}'
                        f'{escape(after, quote=False)}</span>')
        else:
            html.append(escape(piece, quote=False))
    return "".join(html)


def _numbers(text: str) -> str:
    return "".join(escape(value, quote=False) if kind == "text" else
                   f'<span class="{"page-number" if value == "PAGE" else "page-count"}"></span>'
                   for kind, value in segments(text))
