"""The page frame in the HTML file, as a reader meets it: a screen reader reads the letter
before its footer, a browser shows no "Page of", and a part the letter does not declare
is no element at all. The PDF keeps its running footer on every page. Read back with
lxml, headless Chromium's text of the page, and pypdf."""

from __future__ import annotations

import io
import shutil
import subprocess

import lxml.html
import pypdf
import pytest
from test_family_kit import family_case, family_kit

import letterkit


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    kit = family_kit(tmp_path_factory.mktemp("kits") / "denial-notice")
    return letterkit.render(family_case(), kit=kit, formats=("html", "pdf"))


def test_the_footer_comes_after_the_letter_in_the_source(files):
    body = lxml.html.fromstring(files["html"]).find("body")
    order = [element.tag for element in body]
    assert order.index("main") < order.index("footer")
    assert order[-1] == "footer"


def test_no_empty_header_is_written(files):
    page = lxml.html.fromstring(files["html"])
    for element in page.xpath("//header | //footer"):
        assert element.text_content().strip(), lxml.html.tostring(element)
    assert not page.xpath("//header[@class='first-page-header']")  # First-Page-Header: (empty)


def test_the_pdf_still_has_its_footer_on_every_page(files):
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages]
    assert len(pages) == 2
    for number, text in enumerate(pages, 1):
        assert text.endswith(f"Form CMS-10003-NDMC · Page {number} of 2")


@pytest.mark.slow
def test_a_browser_shows_no_page_of(files, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed")
    (tmp_path / "letter.html").write_bytes(files["html"])
    shown = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                            (tmp_path / "letter.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "Form CMS-10003-NDMC" in shown
    # What a screen shows: innerText leaves out what CSS hides.
    script = tmp_path / "text.html"
    script.write_text(files["html"].decode().replace(
        "</body>", "<script>document.title = document.body.innerText.replace(/\\s+/g, ' ')</script></body>"))
    dumped = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", script.as_uri()],
                            capture_output=True, text=True, timeout=120).stdout
    title = lxml.html.fromstring(dumped).findtext(".//title")
    assert "Form CMS-10003-NDMC" in title
    assert "Page of" not in title and "Page" not in title.split("Form CMS-10003-NDMC")[-1]
