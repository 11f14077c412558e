"""Case model + the kit's blocks → document tree. The only place Jinja runs.

One render is one `Composition`: it has its own parser for the case's rich text
(Python-Markdown is not thread-safe; once the letter is composed, the thread's next
render takes it, reset) and lives exactly as long as the render; the
values its letter printed go from its skeleton to its reader and nowhere else. The kit
it reads is shared and never changes, and what is kept between renders is made from
the kit's words alone, so renders on any number of threads cannot mix.

1. The kit's letter template renders in the kit's sandbox; every value a block
   prints becomes a placeholder (`letterkit.environment`).
2. The values are taken out of the result, leaving its skeleton: the kit's words,
   and a numbered placeholder where each value was (`placeholders.take_values`).
3. The kit's Markdown (full Markdown: attribute lists, HTML, metadata) turns the
   skeleton into HTML elements. A skeleton holds no case data, so its HTML is kept
   for the next letter of the same shape.
4. The reader turns the elements into tree nodes, putting back what each
   placeholder stands for: a plain value as typed; rich text parsed on its own
   by the closed subset of `letterkit.richtext`; a guideline passage as a quote and
   its citation; a picture's bytes.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
import threading
import types
from typing import Any, Callable, Mapping, NoReturn, cast

import jinja2
import lxml.html
import markdown

from . import guidelines, letter_language, locales, placeholders, provenance, richtext, rules, tree
from .deadlines import Deadlines
from .environment import FilterError
from .errors import LetterkitError, TemplateError
from .images import picture
from .kits import Kit, used_templates
from .mail.pieces import Piece
from .model import GuidelineCitation, Letter
from .reader import ElementReader, check_no_placeholders, read_meta

# Links and images would let text reach for a URL; letters are printed, so Markdown
# link and image syntax is left as typed, in the kit's blocks too.
_DISABLED_INLINE_PATTERNS = (
    "link", "image_link", "image_reference", "reference", "short_reference",
    "short_image_ref", "autolink", "automail",
)


def compose(letter: Letter, kit: Kit, piece: Piece | None = None) -> tree.Document:
    """Render the kit's letter template for `letter`, in its language, and read the result into a tree.

    `piece` is the mail piece the letter is addressed for (letterkit.mail): its
    recipient's address goes in the envelope window; none by default (the letter's own files)."""
    return Composition(kit.in_language(letter.language), piece).run(letter)


class Composition:
    """One letter being composed: everything that lives only as long as its render."""

    def __init__(self, kit: Kit, piece: Piece | None = None):
        self.kit = kit
        self.piece = piece
        self.template = kit.letter_template
        self.rich_markdown = _spare_rich_markdown()  # given back when the letter is composed
        self.foreign: dict[str, str] = {}  # rich-text field path → the language it stays in
        self.quotes_language = ""  # a guideline's, in a letter in another: its quotes are tagged with it

    def run(self, letter: Letter) -> tree.Document:
        # Case text the letter's language has no translation of is said to be in the
        # kit's own language where it stands (letterkit.letter_language).
        self.foreign = dict.fromkeys(letter_language.untranslated_text(letter, self.kit), self.kit.languages[0])
        own = self.kit.languages[0]
        self.quotes_language = "" if locales.primary(letter.language) == own else own
        skeleton, values = placeholders.take_values(self._render(letter))
        if placeholders.STRAY.search(placeholders.NUMBERED.sub("", skeleton)):
            # A value a block changed after printing it ({% filter upper %}): not a
            # placeholder any more, and never to be kept with the skeleton.
            raise TemplateError("case data is changed after a block printed it ({% filter %}?), "
                                "so the letter cannot show it", self.template)
        html, raw_meta = _kit_markdown(skeleton)
        meta = read_meta(raw_meta, self.template, values)
        root = lxml.html.fragment_fromstring(html, create_parent="div") if html else None
        blocks = ElementReader(self, self.template, values).blocks(root) if root is not None else ()
        document = tree.Document(meta=meta, children=blocks)
        check_no_placeholders(document, self.template)
        _thread.rich_markdown = self.rich_markdown  # for the thread's next letter; not after a failure
        return document

    def _render(self, letter: Letter) -> str:
        # Each value carries its field path (letterkit.provenance), the values the kit's
        # rules compute theirs: `deadlines.<name>` (letterkit.rules).
        context = {name: provenance.traced(getattr(letter, name), name) for name in type(letter).model_fields
                   if name != letter_language.TRANSLATIONS}  # already in place (letterkit.letter_language)
        due = rules.deadlines(letter, self.kit.rules, self.kit.calendars)
        context.setdefault("deadlines", Deadlines({name: provenance.traced(day, f"deadlines.{name}")
                                                   for name, day in due.items()}))
        # The mail piece: whose address the envelope window shows. None: the letter itself,
        # its address in the text (a piece is drawn for the print file, letterkit.mail).
        piece = self.piece
        context.setdefault("piece", piece.context(self.kit.mail) if piece and self.kit.mail else None)
        try:
            template = self.kit.environment.get_template(self.template)
            with provenance.tracing(letter), locales.writing(letter.language):
                return template.render(letter=letter, **context)
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(error.message or str(error), error.filename, error.lineno) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(f"no block named {error.name!r}", *_template_line()) from None
        except jinja2.UndefinedError as error:
            raise TemplateError(_undefined_message(error, context), *_template_line()) from None
        except jinja2.exceptions.SecurityError as error:
            raise TemplateError(f"not allowed in a block: {error}", *_template_line()) from None
        except guidelines.UnknownPassage as error:
            raise TemplateError(str(error), *_template_line()) from None
        except FilterError as error:
            raise TemplateError(str(error), *_template_line()) from None
        except LetterkitError:
            raise
        except Exception as error:  # in a filter or an expression: `{{ 1/0 }}`, `| date(5)`
            raise TemplateError(_expression_message(error), *_template_line()) from None

    # What the reader asks for (letterkit.reader.Embedder) ------------------------------

    def blocks(self, kind: str, text: str, field: str) -> tuple[tree.Block, ...]:
        if kind == placeholders.QUOTE:
            return tuple(self._quote(guidelines.lookup(self.kit.guidelines, text)))
        blocks: list[tree.Block] = []
        position = 0
        for match in guidelines.QUOTE_LINE.finditer(text):
            blocks += self._rich(text[position:match.start()], field)
            try:
                blocks += self._quote(guidelines.lookup(self.kit.guidelines, match.group(1)))
            except guidelines.UnknownPassage as error:
                raise TemplateError(f"{error}; validate the case first", self.template) from None
            position = match.end()
        return tuple(blocks + self._rich(text[position:], field))

    def picture(self, src: str) -> tuple[bytes, str]:
        return picture(src, self.kit.files)

    def locate(self, snippet: str) -> tuple[str | None, int | None]:
        """The block file and line that holds `snippet`, for a mistake the reader finds
        after Markdown has made one page of all the blocks; else the letter template."""
        environment = self.kit.environment
        for name in sorted(used_templates(self.kit)):
            source, filename, _ = environment.loader.get_source(environment, name)
            if (position := source.find(snippet)) >= 0:
                return filename, source.count("\n", 0, position) + 1
        return self.template, None

    def _rich(self, text: str, field: str | None) -> list[tree.Block]:
        """Rich text of a case field as blocks, their text marked as that field's."""
        if not text.strip():
            return []
        html = richtext.to_html(self.rich_markdown, text)
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        blocks = list(ElementReader(_NoEmbedding(), self.template, field=field).blocks(root))
        return letter_language.in_language(blocks, self.foreign[field]) if field in self.foreign else blocks

    def _quote(self, passage: guidelines.Passage) -> list[tree.Block]:
        """A passage as a block quote, its text as stored; then its citation, if the kit
        cites quotes (kit.toml `cite_quotes`)."""
        quote = _quotes.get(passage.text)
        if quote is None:
            quote = tree.BlockQuote(tuple(self._rich(passage.text.strip(), None)))
            if len(_quotes) >= QUOTES_KEPT:
                _quotes.clear()
            _quotes[passage.text] = quote
        # A guideline is quoted as written: in the kit's own language, said so in a letter in another.
        shown = letter_language.in_language([quote], self.quotes_language)[0] if self.quotes_language else quote
        if not self.kit.cite_quotes:
            return [shown]
        return [shown, tree.Paragraph((tree.Text(f"— {self._citation(passage)}"),), "citation")]

    def _citation(self, passage: guidelines.Passage) -> str:
        """The passage cited in the kit's one wording of a citation: its `citation` macro,
        which its blocks use for every decision's guideline too."""
        # jinja2 types its globals by its own defaults (`object`); a kit's hold its macros.
        macro = cast("Callable[..., Any] | None", self.kit.environment.globals.get("citation"))
        if macro is None:
            raise TemplateError("a quoted passage is cited with the kit's `citation` macro "
                                "(macros/*.j2), and this kit has none", self.template)
        guideline = GuidelineCitation(source=passage.source, edition=passage.edition,
                                      sections=[passage.section], pages=passage.pages)
        return placeholders.PATTERN.sub(lambda match: placeholders.unmark(match)[1], str(macro(guideline)))


QUOTES_KEPT = 256
# A passage's text → its quote: the kit's words, alike in every letter that quotes them,
# and tree nodes never change, so letters on any thread can share one.
_quotes: dict[str, tree.BlockQuote] = {}


class _NoEmbedding:
    """Rich text holds no placeholders (case data cannot) and names no kit pictures."""

    def blocks(self, kind: str, text: str, field: str) -> NoReturn:
        raise AssertionError("a placeholder inside rich text")

    def picture(self, src: str) -> NoReturn:
        raise AssertionError("a picture inside rich text")

    def locate(self, snippet: str) -> NoReturn:
        raise AssertionError("a block's mistake inside rich text")


SKELETONS_KEPT = 32  # a few dozen shapes of letter, each some 25 KB
PARTS_KEPT = 512  # the parts of those skeletons (letterkit.compose._parts), a few KB each


@functools.lru_cache(maxsize=SKELETONS_KEPT)
def _kit_markdown(skeleton: str) -> tuple[str, Mapping[str, tuple[str, ...]]]:
    """The HTML and metadata of a letter's skeleton, kept for letters of its shape.

    Safe to keep and to share between renders: the skeleton holds no case data, and
    its HTML depends on nothing else. Made part by part (`_parts`), each part's kept
    too with its placeholders numbered from 0: a letter of a new shape (one more item,
    one more record) is mostly parts seen before, in another order or numbering.
    """
    html: list[str] = []
    meta: dict[str, tuple[str, ...]] = {}
    for index, part in enumerate(_parts(skeleton)):
        numbers: list[str] = []
        part_html, part_meta = _part_markdown(placeholders.NUMBERED.sub(_numbered_from_zero(numbers), part))
        html.append(_numbered_back(part_html, numbers))
        if index == 0:  # metadata opens the skeleton, and only the first part
            meta = {key: tuple(_numbered_back(line, numbers) for line in lines) for key, lines in part_meta.items()}
    return "\n".join(part for part in html if part), types.MappingProxyType(meta)


# A skeleton is cut before a heading line (`#` at a line's start, after a blank line):
# Markdown reads what follows a heading as it would read it at the start of a page,
# whatever came before — except inside raw HTML (`<div markdown>` ... `</div>`) or a
# comment, so a cut is made only where every tag and comment opened before it is closed.
_HEADING_AFTER_BLANK = re.compile(r"\n\n(?=#)")
_TAG = re.compile(r"<!--|-->|<(/?)([A-Za-z][\w-]*)\b[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


def _parts(skeleton: str) -> list[str]:
    """The skeleton cut before each heading where Markdown reads the rest as new."""
    parts, start, depth, scanned = [], 0, 0, 0
    for cut in _HEADING_AFTER_BLANK.finditer(skeleton):
        depth += _opened(skeleton[scanned:cut.start()])
        scanned = cut.start()
        if depth < 0:  # a closing tag without its opening: read the rest whole
            break
        if depth == 0:
            parts.append(skeleton[start:cut.end()])
            start = cut.end()
    return [*parts, skeleton[start:]]


def _opened(text: str) -> int:
    """How many more tags and comments `text` opens than it closes."""
    depth = 0
    for match in _TAG.finditer(text):
        if match.group() == "<!--":
            depth += 1
        elif match.group() == "-->" or match.group(1):
            depth -= 1
        elif not match.group(3) and match.group(2).lower() not in _VOID:
            depth += 1
    return depth


def _numbered_from_zero(numbers: list[str]) -> Callable[[re.Match], str]:
    """A substitution numbering a part's placeholders 0, 1, 2...; `numbers` gets the skeleton's."""
    def renumber(match: re.Match) -> str:
        numbers.append(match.group(2))
        return f"{placeholders.OPEN}{match.group(1)}{len(numbers) - 1}{placeholders.CLOSE}"
    return renumber


def _numbered_back(text: str, numbers: list[str]) -> str:
    """`text` with a part's placeholders numbered as in the skeleton again."""
    return placeholders.NUMBERED.sub(
        lambda match: f"{placeholders.OPEN}{match.group(1)}{numbers[int(match.group(2))]}{placeholders.CLOSE}", text)


@functools.lru_cache(maxsize=PARTS_KEPT)
def _part_markdown(part: str) -> tuple[str, Mapping[str, tuple[str, ...]]]:
    """The HTML and metadata of a part of a skeleton. Each thread has its own parser,
    reset before each part; one that failed part-way is dropped (`reset` leaves its
    block parser's state)."""
    md = getattr(_thread, "markdown", None) or _new_kit_markdown()
    _thread.markdown = None
    md.reset()
    html = md.convert(part)
    _thread.markdown = md
    meta = {key: tuple(lines) for key, lines in getattr(md, "Meta", {}).items()}
    return html, types.MappingProxyType(meta)


_thread = threading.local()


def _spare_rich_markdown() -> markdown.Markdown:
    """The parser for rich text that the thread's last letter gave back, else a new one
    (making one costs as much as parsing a letter's rich text): each is reset before
    each text, so a letter reads its text as a new parser would."""
    md = getattr(_thread, "rich_markdown", None) or richtext.rich_markdown()
    _thread.rich_markdown = None
    return md


def _new_kit_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["meta", "attr_list", "tables", "md_in_html", "sane_lists"],
        output_format="html",
    )
    for name in _DISABLED_INLINE_PATTERNS:
        md.inlinePatterns.deregister(name, strict=False)
    return md


def _template_line() -> tuple[str | None, int | None]:
    """The template file and line that raised the exception being handled.

    Jinja rewrites tracebacks so that template frames carry the template's own file
    name and line number; the innermost one is where the error happened.
    """
    where: tuple[str | None, int | None] = (None, None)
    traceback = sys.exc_info()[2]
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    return where


def _expression_message(error: Exception) -> str:
    return f"an expression failed: {error} ({type(error).__name__})"


def _undefined_message(error: jinja2.UndefinedError, context: dict) -> str:
    message = str(error.message)
    if not message.endswith("is undefined"):
        return message  # a missing field: the message already names the object's own fields
    # "'x' is undefined": suggest close names.
    name = message.split("'")[-2] if message.count("'") >= 2 else ""
    candidates = list(context) + [
        field for value in context.values() for field in type(value).__dict__.get("model_fields", {})
    ]
    close = difflib.get_close_matches(name, candidates, n=3)
    return message + (f"; did you mean {', '.join(close)}?" if close else "")
