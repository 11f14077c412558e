"""letterkit: compose medical determination letters from blocks; render HTML, PDF, DOCX.

    import letterkit
    files = letterkit.render(case_data, kit="imr", formats=("html", "pdf", "docx"))
    files["pdf"]  # bytes

The steps, for scripts that need them one by one:
`load_kit` → `validate` → `compose` (the document tree) → `write` (one format).
Many letters at once: `render_batch`. Sealed: `WriterOptions(seal=SealKey(Path("key.p12")))`,
or `SealKey(signer=...)` with any pyHanko signer (an HSM, a remote key).
"""

from __future__ import annotations

from . import libraries  # noqa: F401 - first: it quiets pyHanko before any module imports it
from .api import check_rules, render, render_file, write
from .batch import BatchLockedError, BatchSummary, Case, render_batch
from .cases import read_case, validate
from .compose import compose
from .errors import CaseError, KitError, LetterkitError, RenderError, TemplateError
from .kits import Kit, forget_kits, load_kit
from .model import Letter
from .rules import RuleError
from .version import INSTALLED
from .writers import FORMATS, WriterOptions

__version__ = INSTALLED

__all__ = [
    "BatchLockedError", "BatchSummary", "Case", "CaseError", "FORMATS", "Kit", "KitError", "Letter", "LetterkitError",
    "RenderError", "RuleError", "TemplateError", "WriterOptions", "check_rules", "compose", "forget_kits", "load_kit",
    "read_case", "render", "render_batch", "render_file", "validate", "write", "SealKey",
]


def __getattr__(name: str):
    # SealKey is pyHanko's world, a second to import: only when a script asks for it
    if name == "SealKey":
        from .seal import SealKey
        return SealKey
    raise AttributeError(f"module 'letterkit' has no attribute {name!r}")
