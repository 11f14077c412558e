"""A letter says what its own case says, on any executor: threads, processes, Dask.

Each case carries a marker of its own (PATIENT0042) in plain and rich fields; every
letter must hold its own marker and no other, with no exception anywhere.
"""

from __future__ import annotations

import copy
import io
import re
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pypdf
import pytest

import letterkit
from letterkit.batch.sources import Case
from letterkit.compose import Composition, _kit_markdown, _part_markdown, _parts, _quotes
from letterkit.placeholders import take_values

pytestmark = pytest.mark.slow  # thousands of letters on many threads and processes

LETTERS = 1000
MARKER = re.compile(r"PATIENT\d{4}")


def _case(case_data: dict, number: int) -> dict:
    marker = f"PATIENT{number:04d}"
    case = copy.deepcopy(case_data)
    case["case"]["imr_number"] = f"CM-{marker}"
    case["parties"] = {"employee": {"name": f"Employee {marker}"}}
    case["clinical_summary"] = f"The summary of {marker}.\n\n- first point of {marker}\n- second point"
    case["items"][0]["rationale"] = f"**Rationale** for {marker}.\n\n> quoted for {marker}"
    return case


@pytest.fixture(autouse=True)
def eager_thread_switches():
    """Switch threads every 10 µs instead of every 5 ms, so that renders interleave
    inside every step (Markdown, Jinja, the writers), as they would on a busy server."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def _markers(text: str) -> set[str]:
    return set(MARKER.findall(text))


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))


def _assert_own(number: int, files: dict[str, bytes]) -> None:
    own = {f"PATIENT{number:04d}"}
    for format, content in files.items():
        if format == "html":
            text = content.decode()
        elif format == "docx":
            text = _docx_text(content)
        else:
            text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
        assert _markers(text) == own, (number, format, _markers(text))


def test_a_thousand_letters_on_sixteen_threads_each_hold_only_their_own_case(case_data):
    letterkit.forget_kits()  # the first loads race too
    cases = [_case(case_data, number) for number in range(LETTERS)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda case: letterkit.render(case, formats=("html", "docx")), cases))
    for number, files in enumerate(results):
        _assert_own(number, files)


def test_pdfs_on_eight_threads_each_hold_only_their_own_case(case_data):
    """WeasyPrint is not thread-safe: the PDF writer lets threads take turns, and the
    letters still each hold their own case (this once crashed the process later on)."""
    cases = [_case(case_data, number) for number in range(24)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda case: letterkit.render(case, formats=("pdf",)), cases))
    for number, files in enumerate(results):
        _assert_own(number, files)


def _batch_cases(case_data: dict) -> list[Case]:
    return [Case(f"case-{number:04d}", f"case-{number:04d}", _case(case_data, number)) for number in range(LETTERS)]


def _assert_batch(outdir, summary) -> None:
    assert (summary.rendered, summary.failed) == (LETTERS, 0), summary.failures
    for number in range(LETTERS):
        html = (outdir / f"case-{number:04d}.html").read_text()
        assert _markers(html) == {f"PATIENT{number:04d}"}, number


def test_a_batch_on_a_thread_pool_keeps_every_letter_to_its_case(tmp_path, case_data):
    letterkit.forget_kits()
    with ThreadPoolExecutor(16) as pool:
        summary = letterkit.render_batch(_batch_cases(case_data), tmp_path, formats=("html",),
                                         executor=pool, jobs=16)
    _assert_batch(tmp_path, summary)


def test_a_batch_on_a_dask_worker_with_four_threads_keeps_every_letter_to_its_case(tmp_path, case_data):
    distributed = pytest.importorskip("distributed", reason="letterkit[dask] is not installed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=4, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        summary = letterkit.render_batch(_batch_cases(case_data), tmp_path, formats=("html",),
                                         executor=client.get_executor(), jobs=4)
    _assert_batch(tmp_path, summary)


def test_what_a_process_keeps_between_letters_holds_no_case_data(case_data):
    """The kit's Markdown of a letter is kept for the next letter of the same shape
    (letterkit.compose); what it is kept by, the skeleton, must hold no value of a case."""
    kit = letterkit.load_kit("imr")
    skeletons = set()
    for number in (1, 2):
        letter = letterkit.validate(_case(case_data, number), kit)
        skeleton, values = take_values(Composition(kit)._render(letter))
        marker = f"PATIENT{number:04d}"
        assert any(marker in text for _, text, _ in values)
        assert marker not in skeleton and marker.encode().hex() not in skeleton
        skeletons.add(skeleton)
    assert len(skeletons) == 1, "two cases of one shape should share their skeleton"


def test_a_value_a_block_changes_is_refused_never_kept(case_data, tmp_path):
    """Jinja does not hand a `{% filter %}` block's text to letterkit's placeholders: a
    value inside one is changed into a mark that is no placeholder. The letter is
    refused, and the skeleton holding that value in hex never kept."""
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    (blocks / "closing.md.j2").write_text("{% filter upper %}Sincerely, {{ organisation.name }}{% endfilter %}\n")
    kept = _kit_markdown.cache_info().currsize
    with pytest.raises(letterkit.TemplateError, match="changed after a block printed it"):
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])
    assert _kit_markdown.cache_info().currsize == kept


def test_markdown_that_failed_part_way_reads_the_next_letter_as_new(monkeypatch):
    """Each thread keeps a Markdown parser for skeletons; one that raised inside a list
    (as a list nested too deep does) must not read the next skeleton as that list."""
    import markdown.blockprocessors

    paragraphs = markdown.blockprocessors.ParagraphProcessor.run

    def failing(self, parent, blocks):
        if self.parser.state.isstate("list"):
            raise RecursionError("as a list nested too deep")
        return paragraphs(self, parent, blocks)

    monkeypatch.setattr(markdown.blockprocessors.ParagraphProcessor, "run", failing)
    with pytest.raises(RecursionError):
        _kit_markdown("- one\n- two\n")
    monkeypatch.setattr(markdown.blockprocessors.ParagraphProcessor, "run", paragraphs)
    html, _ = _kit_markdown("Title: t\n\nDear \ufdd0v0\ufdd1,\n\nSecond paragraph.\n")
    assert html == "<p>Dear \ufdd0v0\ufdd1,</p>\n<p>Second paragraph.</p>"


def test_a_new_shape_of_letter_reuses_the_markdown_of_parts_seen_before(case_data):
    """More items make a new shape, but each new item's part of the skeleton (cut at
    its heading, numbered from 0) is the item before's: Markdown reads only the part
    that did change, the summary's table of one row an item."""
    kit = letterkit.load_kit("imr")
    case_data["items"] = case_data["items"] * 2  # items, in the plural, as the next letter's
    letterkit.compose(letterkit.validate(case_data, kit), kit)
    case_data["items"] = case_data["items"] * 2
    seen = _part_markdown.cache_info().misses
    shapes = _kit_markdown.cache_info().misses
    letterkit.compose(letterkit.validate(case_data, kit), kit)
    assert _kit_markdown.cache_info().misses == shapes + 1  # a shape never seen
    assert _part_markdown.cache_info().misses == seen + 1


def test_a_skeleton_is_cut_only_where_markdown_reads_what_follows_as_new():
    skeleton = ("Title: t\n\n# One\n\ntext\n\n<div markdown>\n\n# Inside a div\n\n</div>\n\n"
                "<!-- a comment\n\n# inside it -->\n\n# Two\n\n<hr>\n\n# Three\n\n- a list\n\n"
                "#not cut: no blank line before? it is\n")
    assert _parts(skeleton) == ["Title: t\n\n", "# One\n\ntext\n\n<div markdown>\n\n# Inside a div\n\n</div>\n\n"
                                "<!-- a comment\n\n# inside it -->\n\n", "# Two\n\n<hr>\n\n", "# Three\n\n- a list\n\n",
                                "#not cut: no blank line before? it is\n"]
    assert _parts("</div>\n\n# After a stray closing tag\n") == ["</div>\n\n# After a stray closing tag\n"]


def test_letters_of_several_shapes_on_eight_threads_compose_as_alone(case_data):
    """Letters of four shapes (one to four items, quotes in some), composed on eight
    threads sharing the kept Markdown and quotes, each give the very tree it gives
    composed alone with nothing kept: every value in its place, not only its own."""
    import random

    kit = letterkit.load_kit("imr")
    letters = []
    for number in range(40):
        case = _case(case_data, number)
        item = case["items"][0]
        case["items"] = [dict(item, description=f"Item {index} of PATIENT{number:04d}")
                         for index in range(number % 4 + 1)]
        letters.append(letterkit.validate(case, kit))

    def alone(letter):
        _kit_markdown.cache_clear()
        _part_markdown.cache_clear()
        _quotes.clear()
        return letterkit.compose(letter, kit)

    expected = [alone(letter) for letter in letters]
    order = list(range(len(letters))) * 3
    random.Random(18).shuffle(order)
    with ThreadPoolExecutor(8) as pool:
        composed = list(pool.map(lambda number: letterkit.compose(letters[number], kit), order))
    assert [number for number, document in zip(order, composed) if document != expected[number]] == []
