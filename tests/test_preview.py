"""letterkit preview in a real headless browser: change a block, see the page change."""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from conftest import EXAMPLES
from test_errors import MISTAKES_IN_A_BLOCK
from typer.testing import CliRunner

from letterkit.cli import app
from letterkit.preview import CONNECTIONS, Preview, serve

CHROMIUM = shutil.which("chromium")


@contextlib.contextmanager
def _serving(preview: Preview, **limits):
    """A preview server on a free port, serving from a thread of its own: its URL."""
    httpd = serve(preview, port=0, **limits)
    # polled every 50 ms, not every 0.5 s (socketserver's): shutting it down waits for the next poll
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(tmp_path):
    (tmp_path / "blocks").mkdir()
    block = tmp_path / "blocks" / "clinical-case-summary.md.j2"
    block.write_text("# CLINICAL CASE SUMMARY\n\n{{ clinical_summary }}\n")
    with _serving(Preview(EXAMPLES[0], "imr", (str(tmp_path),))) as url:
        yield url, block


@pytest.mark.slow
def test_page_reloads_when_a_block_changes(server):
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); tasks.py installs it")
    from playwright.sync_api import sync_playwright
    url, block = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        assert "CLINICAL CASE SUMMARY" in page.locator("h1").all_inner_texts()

        block.write_text("# SUMMARY AS EDITED\n\n{{ clinical_summary }}\n")
        page.wait_for_function("() => [...document.querySelectorAll('h1')]"
                               ".some(h => h.textContent === 'SUMMARY AS EDITED')",
                               timeout=10_000)

        block.write_text("# BROKEN\n\n{{ clinical_sumary }}\n")
        page.wait_for_selector("text=The letter cannot be rendered", timeout=10_000)
        assert "did you mean clinical_summary?" in page.content()
        browser.close()
    assert not errors


@pytest.mark.parametrize("line, expected", sorted(MISTAKES_IN_A_BLOCK.items()))
def test_the_error_page_shows_each_mistake_in_a_block(tmp_path, line, expected):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(f"# SUMMARY\n\n{line}\n")
    page = Preview(EXAMPLES[0], "imr", (str(tmp_path),)).page()
    assert "The letter cannot be rendered" in page and html.escape(expected) in page


def test_the_error_page_shows_an_empty_date(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(EXAMPLES[0].read_text().replace("letter_date: 2015-", "letter_date: null\nx_date: 2015-", 1))
    page = Preview(case, "imr", ()).page()
    assert "The letter cannot be rendered" in page and "letter_date" in page


def test_a_busy_port_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["preview", str(EXAMPLES[0]), "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error cannot serve on port") and "--port" in result.stderr


def _get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    address = urllib.parse.urlsplit(url)
    assert address.hostname is not None, url
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.putrequest("GET", address.path or "/", skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    with contextlib.closing(connection):
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_the_preview_answers_only_to_its_own_address(server):
    # DNS rebinding: a page at attacker.example re-points its name to 127.0.0.1, then
    # reads the letter; the request still says Host: attacker.example.
    url, _ = server
    port = urllib.parse.urlsplit(url).port
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1.attacker.example:{port}", None):
        status, _, body = _get(url, host)
        assert status == 421 and b"CLINICAL" not in body, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, _, body = _get(url, host)
        assert status == 200 and b"CLINICAL CASE SUMMARY" in body, host


@pytest.mark.parametrize("path", ["/", "/version", "/reload.js", "/nothing-here"])
def test_every_preview_response_is_locked_down(server, path):
    url, _ = server
    status, headers, body = _get(url.rstrip("/") + path, urllib.parse.urlsplit(url).netloc)
    assert status == (404 if path == "/nothing-here" else 200)
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    if path == "/":
        assert b"<script>" not in body  # no inline script, which the policy would block


HALF_A_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # and never the blank line that ends it


def _closed(connection: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (anything it sends first is read)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([connection], [], [], 0.2)[0]:
            try:
                if not connection.recv(4096):
                    return True
            except ConnectionResetError:
                return True
    return False


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_a_request_not_all_there_in_time_is_closed_however_slowly_it_trickles(tmp_path):
    with _serving(Preview(EXAMPLES[0], "imr", ()), read_timeout=1) as url:
        address = urllib.parse.urlsplit(url)
        with socket.create_connection((address.hostname, address.port)) as stalled, \
                socket.create_connection((address.hostname, address.port)) as trickling:
            stalled.sendall(HALF_A_REQUEST)
            trickling.sendall(HALF_A_REQUEST)
            started, deadline = time.monotonic(), time.monotonic() + 10
            while time.monotonic() < deadline and not _closed(trickling, 0.2):
                with contextlib.suppress(OSError):
                    trickling.sendall(b"X")  # one byte of a header each turn: never a whole line
            assert time.monotonic() - started < 5, "the trickling client was never cut off"
            assert _closed(stalled, 5)
        assert _get(url, address.netloc)[0] == 200  # and the preview still serves


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_connections_past_the_bound_are_turned_away_not_given_a_thread(tmp_path):
    with _serving(Preview(EXAMPLES[0], "imr", ())) as url:
        address = urllib.parse.urlsplit(url)
        before = threading.active_count()
        clients = [socket.create_connection((address.hostname, address.port)) for _ in range(CONNECTIONS + 40)]
        try:
            for client in clients:
                client.sendall(HALF_A_REQUEST)
            turned_away = [client for client in clients if _closed(client, 0.05)]
            assert len(turned_away) == 40  # at once, not after a read timeout (10 s)
            assert threading.active_count() - before <= CONNECTIONS
        finally:
            for client in clients:
                client.close()
        deadline = time.monotonic() + 15
        while _get(url, address.netloc)[0] != 200:  # the held ones' threads end as their clients leave
            assert time.monotonic() < deadline


@pytest.mark.slow
def test_a_block_that_never_ends_shows_the_time_limit_and_the_preview_goes_on(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(
        "# SUMMARY\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    # Ctrl-C as a terminal sends it, whatever the test runner was started with (SIGINT may be ignored there)
    letterkit = [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                                       "from letterkit.cli import app; app()"]
    preview = subprocess.Popen([*letterkit, "preview", str(EXAMPLES[0]), "-t", str(tmp_path),
                                "--case-timeout", "2", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = preview.stdout.readline()  # "previewing CASE at http://127.0.0.1:PORT/ ..."
        url = line.split(" at ", 1)[1].split()[0]
        netloc = urllib.parse.urlsplit(url).netloc
        status, _, body = _get(url, netloc)
        assert status == 200 and b"took longer than 2 s to render (--case-timeout)" in body
        assert _get(url.rstrip("/") + "/version", netloc)[0] == 200
        assert b"took longer than 2 s" in _get(url, netloc)[2]  # the next render has its own limit
        preview.send_signal(signal.SIGINT)  # Ctrl-C stops the preview
        assert preview.wait(timeout=30) is not None
    finally:
        preview.kill()
        stdout, stderr = preview.communicate()
    assert "Traceback" not in stderr, stderr
