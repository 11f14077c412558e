"""Korean words kept whole in the PDF.

Korean is written with spaces between words and broken only there; the letter kit says
so (`:lang(ko) { word-break: keep-all }`), and browsers follow it. WeasyPrint does not
implement `keep-all`: Pango breaks between any two Hangul syllables. So the page given
to WeasyPrint has each word of Korean text (a run of non-spaces holding Hangul) in a
span that does not wrap; the HTML file is left as it is.
"""

from __future__ import annotations

import re

import lxml.html

_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_ANY_HANGUL = re.compile(f"[{_HANGUL}]")
_WORD = re.compile(rf"[^\s<>]*[{_HANGUL}][^\s<>]*")
_KEEP = "white-space: nowrap"


def keep_korean_words(page: str) -> str:
    """The page with each word of text in Korean (`lang="ko…"`) in an unbreakable span."""
    if not _ANY_HANGUL.search(page):
        return page  # most letters: no parsing at all
    root = lxml.html.document_fromstring(page)
    _walk(root, False)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode")


def _walk(element: lxml.html.HtmlElement, korean: bool) -> None:
    lang = element.get("lang")
    korean = lang.lower().split("-")[0] == "ko" if lang is not None else korean
    if element.tag in ("style", "script"):
        return
    children = list(element)  # before any span is added: the spans are not walked again
    if korean and element.text:
        element.text, spans = _split(element.text)
        for index, span in enumerate(spans):
            element.insert(index, span)
    for child in children:
        _walk(child, korean)
        if korean and child.tail:
            child.tail, spans = _split(child.tail)
            previous = child
            for span in spans:
                previous.addnext(span)
                previous = span


def _split(text: str) -> tuple[str, list[lxml.html.HtmlElement]]:
    """The text before its first Korean word, and a span per Korean word (with the text
    after it as its tail)."""
    matches = list(_WORD.finditer(text))
    if not matches:
        return text, []
    spans = []
    for index, match in enumerate(matches):
        span = lxml.html.Element("span", style=_KEEP)
        span.text = match.group()
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        span.tail = text[match.end():end]
        spans.append(span)
    return text[:matches[0].start()], spans
