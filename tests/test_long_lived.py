"""`letterkit render` of many cases: the collector walks what the letters make, not the
kit and libraries loaded for the first (letterkit.long_lived)."""

from __future__ import annotations

import gc
import shutil

from conftest import ROOT
from typer.testing import CliRunner

from letterkit.cli import app

SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"


def _render_watching_the_collector(tmp_path, copies: int) -> list[int]:
    """Render `copies` copies of the seed; the objects set aside (frozen) at each collection."""
    cases = [tmp_path / f"case-{number}.yaml" for number in range(copies)]
    for case in cases:
        shutil.copyfile(SEED, case)
    frozen_at_collections: list[int] = []

    def watch(phase, info):
        if phase == "start":
            frozen_at_collections.append(gc.get_freeze_count())
    gc.callbacks.append(watch)
    try:
        result = CliRunner().invoke(app, ["render", *map(str, cases), "-f", "html", "-o", str(tmp_path / "out")])
    finally:
        gc.callbacks.remove(watch)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.html"))) == copies
    return frozen_at_collections


def test_letters_after_the_first_leave_the_loaded_kit_out_of_collections(tmp_path):
    frozen = _render_watching_the_collector(tmp_path, 3)
    # The kit, its templates and the libraries imported: tens of thousands of objects.
    assert max(frozen) > 10_000, max(frozen)
    assert gc.get_freeze_count() == 0  # handed back when the command ends: this is the test's process


def test_one_letter_pays_for_no_extra_collection(tmp_path):
    assert set(_render_watching_the_collector(tmp_path, 1)) <= {0}
