"""The documentation site: built strictly, its gallery complete, its snippets run, its pages load."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # the docs site built, its snippets run, a browser opened

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples" / "ur").glob("*.yaml"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(folder)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def test_gallery_has_every_example_with_all_its_artefacts(site):
    page = (site / "gallery" / "index.html").read_text()
    for example in EXAMPLES:
        for suffix in (".html", ".png", ".pdf", ".docx", example.suffix):
            artefact = site / "gallery" / example.stem / f"{example.stem}{suffix}"
            assert artefact.stat().st_size > 0, artefact
            assert f"{example.stem}/{example.stem}{suffix}" in page


def test_references_are_made_from_the_code(site):
    assert "letterkit batch" in (site / "cli" / "index.html").read_text()
    assert "clinical_summary" in (site / "schema" / "index.html").read_text()
    assert "render_batch" in (site / "api" / "index.html").read_text()


def _snippets():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, code in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S)):
            yield pytest.param(code, id=f"{page.name}-{number}")


@pytest.mark.parametrize("code", list(_snippets()))
def test_python_snippets_run(code, tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "mine").mkdir()
    monkeypatch.chdir(tmp_path)
    if "distributed" in code or "import ray" in code:
        _run_as_a_script(code, tmp_path)
        return
    exec(compile(code, "snippet", "exec"), {})


def _run_as_a_script(code: str, folder) -> None:
    """A cluster snippet, saved as a script and run as a user runs it: its workers start
    as processes of their own, which import the script (so its `__main__` guard counts)."""
    pytest.importorskip("distributed" if "distributed" in code else "ray")
    code = code.replace("export.jsonl", "examples").replace("/shared/letters", str(folder / "letters"))
    (folder / "snippet.py").write_text(code)
    result = subprocess.run([sys.executable, "snippet.py"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    if "EXAMPLES" in code:  # each kit's examples, with that kit: none skipped, none failed
        printed = dict(line.split(" ", 1) for line in result.stdout.splitlines())
        assert set(printed) == {"imr", "ur", "adverse-benefit"}, result.stdout
        for kit, folder_of_kit in (("imr", "examples"), ("ur", "examples/ur"),
                                   ("adverse-benefit", "examples/adverse-benefit")):
            count = len(list((ROOT / folder_of_kit).glob("*.yaml")))
            assert printed[kit] == f"{count} 0", result.stdout


def test_gallery_and_a_letter_load_in_a_browser(site, tmp_path):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); tasks.py installs it")
    from playwright.sync_api import sync_playwright
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        for path in ("gallery/", f"gallery/{EXAMPLES[0].stem}/{EXAMPLES[0].stem}.html"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
            assert broken == 0, f"{path}: {broken} images did not load"
            page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_") + ".png")), full_page=True)
        browser.close()
    server.shutdown()
    server.server_close()
    assert not problems, problems
