"""MkDocs hooks: the pages made from the code and the examples, at every build.

- gallery.md and gallery/: every example rendered now — input, HTML letter, a picture
  of the first PDF page, PDF and DOCX — so the site never shows a letter the code
  no longer produces;
- schema.md from the kit's model, cli.md from the CLI itself, api.md from docstrings;
- performance.md from the README's performance section;
- contract.md, the author's contract, from letterkit.contract's parts and letterkit.upgrade's
  removed blocks;
- architecture.md's table of layers, from pyproject.toml's layer contract and the modules'
  docstrings.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import tempfile
import tomllib
from pathlib import Path

import click
import typer.core
import typer.main
from mkdocs.structure.files import File

import letterkit
from letterkit import contract, version
from letterkit.cli import app
from letterkit.upgrade import REMOVED_BLOCKS

ROOT = Path(__file__).resolve().parent.parent


def on_files(files, config):
    pages = {
        "gallery.md": _gallery(files, config),
        "schema.md": _schema(),
        "cli.md": _cli(),
        "api.md": _api(),
        "performance.md": _performance(),
        "contract.md": contract_page(),
    }
    for name, text in pages.items():
        files.append(File.generated(config, name, content=text))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "architecture.md":
        return markdown.replace("<!-- layers -->", layers_table())
    return markdown


def layers_table() -> str:
    """The layer contract, top to bottom: each module with its docstring's first paragraph."""
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    rows = ["| layer | module | holds |", "|---|---|---|"]
    for number, layer in enumerate(contract["layers"], start=1):
        for name in (part.strip() for part in layer.split("|")):
            rows += [f"| {number} | `{module}` | {summary} |" for module, summary in _modules_under(name)]
    return "\n".join(rows)


def _modules_under(name: str) -> list[tuple[str, str]]:
    """`name` and, for a package, each of its modules, with their docstrings' first paragraphs."""
    path = ROOT / Path(*name.split("."))
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return [(".".join(file.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"),
             " ".join((ast.get_docstring(ast.parse(file.read_text())) or "").split("\n\n")[0].split())
             .replace("|", "\\|"))
            for file in files]


def contract_page() -> str:
    """docs/contract.md: the contract as a page, one table per kind of part."""
    lines = [
        "# The author's contract",
        "",
        f"What a template folder or a kit may use, as of letterkit {version.RELEASE}, and the release",
        "each part appeared in. A part is never removed without a release of warning: see",
        "*Deprecated* below, and the CHANGELOG's \"For template authors\" sections.",
    ]
    everything = contract.parts()
    for kind, title in contract.KINDS.items():
        lines += ["", f"## {title}", "", "| name | since | use |", "|---|---|---|"]
        lines += [f"| `{part.name}` | {part.since} | {part.usage} |" for part in everything if part.kind == kind]
    lines += ["", "## Deprecated", "",
              "These still work, with a warning naming your file and line; "
              "`letterkit upgrade FOLDER` rewrites them.", "",
              "| part | replaced by | deprecated in | stops working in |", "|---|---|---|---|"]
    lines += [f"| block `{removed.block}` | macro `{removed.call}` | {removed.deprecated_in} | {removed.removed_in} |"
              for removed in REMOVED_BLOCKS]
    return "\n".join(lines) + "\n"


def _gallery(files, config) -> str:
    lines = ["# Gallery", "", "Every example in `examples/`, rendered when this site was built. Page 1 of "
             "its PDF by each engine, side by side: WeasyPrint (the default) and typst (`--pdf-engine typst`).", ""]
    typst = letterkit.WriterOptions(pdf_engine="typst")
    for case, kit in _examples():
        stem = case.stem
        rendered = letterkit.render(letterkit.read_case(case), kit=kit)
        by_typst = letterkit.render(letterkit.read_case(case), kit=kit, formats=("pdf",), options=typst)["pdf"]
        artefacts = {f"{stem}.{fmt}": content for fmt, content in rendered.items()}
        artefacts[f"{stem}.png"] = _first_page(rendered["pdf"])
        artefacts[f"{stem}.typst.pdf"] = by_typst
        artefacts[f"{stem}.typst.png"] = _first_page(by_typst)
        artefacts[case.name] = case.read_bytes()
        for name, content in artefacts.items():
            files.append(File.generated(config, f"gallery/{stem}/{name}", content=content))
        lines += [
            f"## {stem}", "",
            "| WeasyPrint | typst |", "|---|---|",
            f"| [![First page of {stem} by WeasyPrint](gallery/{stem}/{stem}.png)](gallery/{stem}/{stem}.pdf) "
            f"| [![First page of {stem} by typst](gallery/{stem}/{stem}.typst.png)]"
            f"(gallery/{stem}/{stem}.typst.pdf) |", "",
            f"[HTML letter](gallery/{stem}/{stem}.html) · [PDF](gallery/{stem}/{stem}.pdf) · "
            f"[PDF by typst](gallery/{stem}/{stem}.typst.pdf) · "
            f"[DOCX](gallery/{stem}/{stem}.docx) · [input]({f'gallery/{stem}/{case.name}'}) "
            f"(kit `{kit}`)", "",
        ]
    return "\n".join(lines)


def _examples():
    yield from ((case, "imr") for case in sorted((ROOT / "examples").glob("*.yaml")))
    yield from ((case, "ur") for case in sorted((ROOT / "examples" / "ur").glob("*.yaml")))
    yield from ((case, "adverse-benefit") for case in sorted((ROOT / "examples" / "adverse-benefit").glob("*.yaml")))


def _first_page(pdf: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "letter.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(source), str(Path(folder) / "page")], check=True)
        return (Path(folder) / "page.png").read_bytes()


def _schema() -> str:
    schema = json.dumps(letterkit.load_kit("imr").model.model_json_schema(), indent=2)
    return ("# Input schema\n\nThe JSON Schema of an IMR case (`letterkit schema`); "
            "`letterkit vars` lists the same fields as a table.\n\n```json\n" + schema + "\n```\n")


def _cli() -> str:
    typer.core.HAS_RICH = False  # plain help text to put in the page, not drawn on a terminal
    command = typer.main.get_command(app)
    lines = ["# CLI reference", "", "Made from the command itself (`letterkit COMMAND --help`).", ""]
    with click.Context(command, info_name="letterkit") as context:  # the exit statuses, in its epilog
        lines += ["## letterkit", "", "```", command.get_help(context), "```", ""]
    for name, sub in sorted(command.commands.items()):
        with click.Context(sub, info_name=f"letterkit {name}") as context:
            lines += [f"## letterkit {name}", "", "```", sub.get_help(context), "```", ""]
    return "\n".join(lines)


def _api() -> str:
    lines = ["# Python API", "", inspect.getdoc(letterkit) or "", ""]
    for name in letterkit.__all__:
        value = getattr(letterkit, name)
        if inspect.isfunction(value):
            lines += [f"## `{name}{inspect.signature(value)}`", "", inspect.getdoc(value) or "", ""]
        elif inspect.isclass(value):
            lines += [f"## `{name}`", "", inspect.getdoc(value) or "", ""]
    return "\n".join(lines)


def _performance() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Performance\n(.*?)(?=^## )", readme, re.S | re.M).group(1)
    return "# Performance\n" + section
