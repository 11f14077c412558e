"""WeasyPrint's internals are reached through one module, written for one WeasyPrint."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

from letterkit.writers import weasyprint_adapter

PUBLIC = {"weasyprint": {"CSS", "HTML", "Attachment"}}  # what any module may import from WeasyPrint


def test_the_installed_weasyprint_is_the_one_the_adapter_was_written_for():
    assert weasyprint_adapter.INSTALLED == weasyprint_adapter.WRITTEN_FOR, (
        f"WeasyPrint {weasyprint_adapter.INSTALLED} is installed, but letterkit/writers/weasyprint_adapter.py "
        f"was written for {weasyprint_adapter.WRITTEN_FOR}: check each internal it uses against the new release "
        "(and the golden PDFs), then set WRITTEN_FOR")


def test_no_module_but_the_adapter_imports_a_weasyprint_internal():
    adapter = ROOT / "letterkit" / "writers" / "weasyprint_adapter.py"
    found = [f"{path.relative_to(ROOT)}:{line}: {what}" for path in sorted((ROOT / "letterkit").rglob("*.py"))
             if path != adapter for line, what in _weasyprint_imports(path)]
    assert found == []


def _weasyprint_imports(path: Path) -> list[tuple[int, str]]:
    """The imports of WeasyPrint's modules or names beyond its public API in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("weasyprint.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "weasyprint":
            allowed = PUBLIC.get(node.module or "", set())
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names if alias.name not in allowed]
    return found
