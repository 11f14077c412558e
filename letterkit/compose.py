"""Case model + the kit's blocks → document tree. The only place Jinja runs.

Templates render in a `SandboxedEnvironment` with `StrictUndefined`. What a template
prints with `{{ ... }}` is handled by `_finalize`: a plain value becomes a placeholder
that the reader turns back into verbatim text, so data can never become markup; a
`RichText` value goes into the Markdown, with `<` and `&` escaped so it cannot carry
raw HTML.
"""

from __future__ import annotations

import difflib
import re
import sys
from contextvars import ContextVar
from datetime import date
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from . import guidelines, tree
from .errors import TemplateError
from .kits import Kit, kit_cache
from .model import Letter, RichText
from .reader import PLACEHOLDER, read

_PLACEHOLDER_CHARACTERS = re.compile("[\ue000\ue001]")

# The plain values printed by the render under way, in placeholder order, and its kit.
_printed: ContextVar[list[str]] = ContextVar("printed")
_kit: ContextVar[Kit] = ContextVar("kit")


def compose(letter: Letter, kit: Kit) -> tree.Document:
    """Render the kit's letter template for `letter` and read the result into a tree."""
    environment = _environment(kit)
    values: list[str] = []
    token, kit_token = _printed.set(values), _kit.set(kit)
    try:
        template = environment.get_template(kit.letter_template)
        context = {name: getattr(letter, name) for name in type(letter).model_fields}
        source = template.render(letter=letter, **context)
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
    finally:
        _printed.reset(token)
        _kit.reset(kit_token)
    return read(source, values, kit.letter_template)


@kit_cache()
def _environment(kit: Kit) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in kit.search_path]),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters["date"] = _format_date
    environment.filters["sentence"] = _sentence
    environment.filters["and_list"] = _and_list
    environment.globals["quote"] = lambda key: _KitMarkdown(guidelines.lookup(kit, key).markdown())
    return environment


class _KitMarkdown(str):
    """Markdown that comes from the kit itself (a guideline quote): printed as it is."""


def _finalize(value: Any) -> str:
    if isinstance(value, _KitMarkdown):
        return value
    if isinstance(value, RichText):
        # The placeholder characters themselves go in as plain values, so rich text
        # cannot forge a placeholder and print another field.
        value = _PLACEHOLDER_CHARACTERS.sub(lambda match: _placeholder(match.group()), value)
        value = value.replace("&", "&amp;").replace("<", "&lt;")
        return guidelines.expand(value, _kit.get())
    if value is None:
        raise jinja2.UndefinedError(
            "a block printed a field that has no value; wrap it in {% if ... %}"
        )
    return _placeholder(str(value))


def _placeholder(text: str) -> str:
    values = _printed.get()
    values.append(text)
    return PLACEHOLDER.format(len(values) - 1)


def _format_date(value: date, format: str = "%B %-d, %Y") -> str:
    """`{{ letter_date | date }}` → "September 1, 2015"; any strftime format may be given."""
    return value.strftime(format)


def _sentence(value: str) -> str:
    """End a value with a full stop unless it already ends with punctuation."""
    return value if value.rstrip().endswith((".", "!", "?")) else value + "."


def _and_list(values: list[str]) -> str:
    """`["California", "Oregon", "Nevada"]` → "California, Oregon and Nevada"."""
    values = [str(value) for value in values]
    return " and ".join(filter(None, [", ".join(values[:-1]), values[-1]])) if values else ""


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


def _undefined_message(error: jinja2.UndefinedError, context: dict) -> str:
    message = str(error.message)
    # "'x' is undefined" or "'Model object' has no attribute 'x'": suggest close names.
    name = message.split("'")[-2] if message.count("'") >= 2 else ""
    candidates = list(context) + [
        field for value in context.values() for field in type(value).__dict__.get("model_fields", {})
    ]
    close = difflib.get_close_matches(name, candidates, n=3)
    return message + (f"; did you mean {', '.join(close)}?" if close else "")
