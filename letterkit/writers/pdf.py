"""Document tree → PDF, through the HTML writer and WeasyPrint.

The font configuration is made once per process and the kit's stylesheets are parsed
once per kit (kept with its `Presentation`), then reused for every letter: parsing
CSS and loading fonts is most of the cost that is not WeasyPrint's own layout.
"""

from __future__ import annotations

import hashlib
import multiprocessing.util
import threading
import warnings
from functools import lru_cache

from weasyprint import CSS, HTML

from .. import tree
from ..errors import RenderError
from ..presentation import Presentation
from . import page_frame
from .format import Files, Format, WriterInput
from .html import HtmlPage, html_page
from .pdf_archival import ARCHIVAL_ALIASES, WEASYPRINT_VARIANT, CaseRecord, Finisher, attachment, finisher
from .pdf_fetcher import KitFetcher, LetterFetcher
from .pdf_keep_all import keep_korean_words
from .pdf_language import add_languages
from .weasyprint_adapter import FatalURLFetchingError, FontConfiguration, remove_copied_fonts, subsets_with_harfbuzz

# x-4: mail pieces of a PDF/VT print file
PDF_VARIANTS = ("pdf/a-2b", "pdf/a-3b", "pdf/ua-1", "pdf/x-4", *ARCHIVAL_ALIASES)
# WeasyPrint (through Pango and fontconfig, with one shared font configuration) is not
# safe on several threads at once: without this lock, PDFs rendered on 8 threads crashed
# the process later (segmentation fault) or hung it in Pango (g_cond_wait). Threads take
# turns here; a batch gets its parallelism from processes.
_WEASYPRINT = threading.Lock()


def write_pdf(document: tree.Document, presentation: Presentation, variant: str | None = None,
              page: HtmlPage | None = None, record: CaseRecord | None = None) -> bytes:
    """The letter as PDF bytes; the same document always gives the same bytes.

    `variant` asks for an archival (PDF/A) or accessible, tagged (PDF/UA) PDF, or both
    at once ("pdf/a-3a+ua-1", also called "archival"), which carries `record` (the case
    it was rendered from) inside; `page` is the document's `html_page`, when the caller
    has made it already (for the HTML file).
    """
    if variant is not None and variant not in PDF_VARIANTS:
        raise RenderError(f"unknown PDF variant {variant!r}; choose from {', '.join(PDF_VARIANTS)}")
    page = page or html_page(document)
    meta = document.meta
    identifier = hashlib.sha256((meta.identifier or meta.title).encode()).hexdigest()[:32]
    finishers: list[Finisher] = [add_languages]  # a tagged PDF's paragraphs say their language
    attachments = None
    if variant in ARCHIVAL_ALIASES:
        variant = WEASYPRINT_VARIANT
        finishers.append(finisher(record))
        attachments = [attachment(record, meta.date)] if record else None
    try:
        stylesheets, fetcher = presentation.derived(_parse_stylesheets)  # takes the lock itself
        if page_frame.framed(meta):  # the letter's header and footer in the page margins
            stylesheets += (presentation.derived(_parse_frame),)
        with _WEASYPRINT:
            # Pictures referenced, not inlined: WeasyPrint's HTML parser need not read a
            # data: URI of tens of kilobytes, and its image cache keys on the short URL.
            html_document = HTML(string=keep_korean_words(page.head + page.print_order()),
                                 url_fetcher=LetterFetcher(fetcher, page.pictures))
            return html_document.write_pdf(
                stylesheets=stylesheets,
                font_config=_font_config(),
                cache=_image_cache(),
                pdf_identifier=identifier.encode(),
                pdf_variant=variant,
                finisher=lambda pdf_document, pdf: [finish(pdf_document, pdf) for finish in finishers],
                attachments=attachments,
            )
    except FatalURLFetchingError as error:
        raise RenderError(str(error.__cause__ or error)) from None
    except OSError as error:  # WeasyPrint copies the fonts to the temporary folder: full, or gone
        where = error.filename or "the temporary folder"
        raise RenderError(f"cannot make the PDF: {error.strerror or error} ({where})") from None


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    """One per process, removed with it.

    WeasyPrint copies the kit's fonts into a temporary folder that it removes only when
    the FontConfiguration is collected; one kept for the life of a process never is,
    and a batch worker ends without collecting anything. multiprocessing's finalizers
    run both at a process's exit and at a pool worker's, which atexit does not.
    """
    _warn_if_subsetting_is_slow()
    config = FontConfiguration()
    multiprocessing.util.Finalize(None, remove_copied_fonts, args=(config,), exitpriority=0)
    return config


@lru_cache(maxsize=1)  # once per process, not once per letter
def _warn_if_subsetting_is_slow() -> None:
    """Warn when WeasyPrint must subset fonts with fontTools: each PDF then takes about twice as long."""
    if not subsets_with_harfbuzz():
        warnings.warn(
            "HarfBuzz's subsetting library (4.1 or later) is missing, so WeasyPrint subsets "
            "fonts with fontTools and each PDF takes about twice as long; install it with: "
            "apt-get install libharfbuzz-subset0", RuntimeWarning, stacklevel=2,
        )


IMAGE_CACHE_ENTRIES = 64


def _image_cache() -> dict:
    """WeasyPrint's image cache, shared by the letters of a thread and emptied when full.

    With it, a picture every letter shows (the letterhead) is decoded and compressed
    once, not once per letter. The pictures of one case (a signature) would fill it
    without bound, so it starts afresh once it holds a few dozen entries; never during
    a render, which looks up what it stored earlier in the same render, hence one per
    thread.
    """
    images = getattr(_thread, "images", None)
    if images is None or len(images) > IMAGE_CACHE_ENTRIES:
        images = _thread.images = {}
    return images


_thread = threading.local()


# WeasyPrint's own stylesheet sets list numbers in tabular figures (`::marker {
# font-variant-numeric: tabular-nums }`), and WeasyPrint 70 leaks a Pango attribute and
# attribute list for every piece of text it lays out with an OpenType feature: a few
# kilobytes a letter, without end, in a batch worker. Letters ask for no feature, so
# nothing leaks; a kit's own stylesheets come after this one and may still ask for one.
# (The kit's fonts have tabular figures by default: its PDFs are the same bytes.)
NO_FONT_FEATURES = "::marker { font-variant-numeric: normal }"


def _parse_frame(presentation: Presentation) -> CSS:
    with _WEASYPRINT:
        return CSS(string=page_frame.PDF_CSS, font_config=_font_config())


def _parse_stylesheets(presentation: Presentation) -> tuple[tuple[CSS, ...], KitFetcher]:
    fetcher = KitFetcher(presentation.files)
    with _WEASYPRINT:
        stylesheets = (CSS(string=NO_FONT_FEATURES, font_config=_font_config()),) + tuple(
            CSS(string=text, base_url=path.as_uri(), url_fetcher=fetcher, font_config=_font_config())
            for path, text in presentation.print_css
        )
    return stylesheets, fetcher


def _write_file(letter: WriterInput) -> Files:
    return {"pdf": write_pdf(letter.document, letter.presentation, variant=letter.options.pdf_variant,
                             page=letter.shared(html_page), record=letter.record)}


FORMAT = Format("pdf", "pdf", _write_file, "the printed letter, by WeasyPrint from the HTML page")
