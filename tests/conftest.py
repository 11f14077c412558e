from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# The one warning a built-in kit's lint gives: a Spanish block below the kit's reading-ease
# floor (the UR opening's lines of labels, long words), which a translator revises
_SPANISH_BELOW_FLOOR = re.compile(r"warning \S+/blocks/es/\S+: reading ease [\d.]+ \(Fernández-Huerta\), "
                                  r"below the kit's \d+")


def lint_problems(stderr: str) -> list[str]:
    """The lines of `letterkit lint`'s report that are not advice, but for a Spanish block's
    reading ease below the kit's floor."""
    return [line for line in stderr.splitlines()
            if not line.startswith("advice") and not _SPANISH_BELOW_FLOOR.fullmatch(line)]


# `-m "not slow"` (tasks.py quick) does not even import a module whose every test is slow
# (`pytestmark = pytest.mark.slow` at its top): collecting those, and importing Dask, Ray,
# moto and pyHanko for them, was some 2 s of each worker's start.
_SLOW_AS_A_WHOLE = re.compile(r"^pytestmark = pytest\.mark\.slow\b", re.MULTILINE)


def pytest_ignore_collect(collection_path, config):
    if (" ".join(config.option.markexpr.split()) == "not slow" and collection_path.suffix == ".py"
            and _SLOW_AS_A_WHOLE.search(collection_path.read_text(encoding="utf-8"))):
        return True
    return None  # pytest decides


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true",
        help="Rewrite tests/golden/ from the current output (commit it saying why).",
    )


@pytest.fixture(scope="session", autouse=True)
def rays_of_this_worker_only():
    """Every Ray a pytest worker starts, and the Rays it finds, in a folder of its own.
    Ray writes where the last Ray started on this machine is (`ray start`, and Ray's test
    `Cluster`: <RAY_TMPDIR>/ray/ray_current_cluster), and `ray.init()` and `ray:auto` join
    it: a batch on one worker joined the other worker's test cluster and hung in Ray's
    start once that cluster stopped. Short: Ray's socket paths go under it."""
    folder = tempfile.mkdtemp(prefix="lk-ray-", dir="/tmp")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_TMPDIR", folder)
        yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def rendered() -> dict[str, dict[str, bytes]]:
    """Every example rendered once in all three formats: {example stem: {format: bytes}}."""
    import letterkit  # here, not at the top: pytest-xdist's controller, which runs no test, need not import it
    return {path.stem: letterkit.render(letterkit.read_case(path)) for path in EXAMPLES}


@pytest.fixture(scope="session")
def unsealed() -> bytes:
    """The chiropractic seed letter, archival (its case inside), before any seal: for seals to be put on."""
    import letterkit
    return letterkit.render(letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"), "imr",
                            ("pdf",), options=letterkit.WriterOptions(pdf_variant="archival"))["pdf"]


@pytest.fixture
def case_data() -> dict:
    """A small valid IMR case to vary in tests."""
    return small_case()


def small_case() -> dict:
    """A small valid IMR case, new each call (for fixtures wider than a test)."""
    return {
        "letter_date": "2015-09-01",
        "organisation": {"name": "MAXIMUS Federal Services", "short_name": "MAXIMUS"},
        "case": {"imr_number": "CM15-0000001"},
        "reviewer": {"licensure": ["California"], "specialties": ["Family Practice"]},
        "clinical_summary": "The injured worker is a 40-year-old.",
        "items": [
            {
                "description": "Massage therapy, 6 sessions",
                "decision": "Upheld",
                "claims_administrator_guideline": "MTUS Chronic Pain Medical Treatment 2009",
                "guideline": {"source": "MTUS Chronic Pain Medical Treatment", "edition": "2009",
                              "sections": ["Massage therapy"]},
                "rationale": "Not medically necessary.",
            }
        ],
    }
