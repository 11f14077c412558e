"""`letterkit preview`: a case's HTML letter on localhost, reloaded as its files change.

The page polls `/version`, a fingerprint of the case file and every file on the kit's
search path (blocks, stylesheets, guidelines); when it changes, the page reloads and
the server renders the letter afresh. A mistake in a block shows as the error page
until it is fixed — the preview never stops.

The letter holds a patient's data, so the server answers only requests addressed to
itself (a page elsewhere cannot rebind a name of its own to 127.0.0.1 and read it), and
every response tells the browser to run no script but the preview's own, load nothing
from elsewhere, and show the page in no frame.

A block may loop for ever and a client may send half a request and wait: each render has
the time limit of `render` (--case-timeout), run in the thread that serves (the main
thread, where the limit's signal reaches it); a connection has `READ_TIMEOUT` seconds to
send its whole request, and at most `CONNECTIONS` are served at once (the next is closed).
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import kits
from .api import render
from .cases import read_case
from .errors import LetterkitError
from .time_limit import CASE_TIMEOUT, time_limit

# The page knows the version it was rendered from, so a change made while it loads
# is not missed. A file of its own, not inline, so that the policy allows no inline script.
_RELOAD = '<script src="/reload.js" data-version="%s"></script>\n'
_RELOAD_SCRIPT = """const rendered = document.currentScript.dataset.version;
setInterval(async () => {
  const version = await (await fetch("/version", {cache: "no-store"})).text();
  if (version !== rendered) location.reload();
}, 400);
"""

# What a letter needs: its inline stylesheet, pictures and fonts as data: URLs; and the
# preview's script, which asks this server for /version.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                               "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


READ_TIMEOUT = 10.0  # seconds a connection has to send its whole request
CONNECTIONS = 32  # served at once: a browser opens six


class Preview:
    def __init__(self, case: Path, kit: str, templates: tuple[str, ...], case_timeout: float | None = CASE_TIMEOUT):
        self.case, self.kit, self.templates = case, kit, templates
        self.case_timeout = case_timeout  # per render; only in the main thread (letterkit.time_limit)
        self._rendered_version: str | None = None

    def version(self) -> str:
        digest = hashlib.sha256()
        try:
            folders = kits.load_kit(self.kit, self.templates).files.folders
        except LetterkitError:
            folders = tuple(Path(t) for t in self.templates)
        for path in (self.case, *sorted(p for f in folders for p in Path(f).rglob("*") if p.is_file())):
            stat = path.stat() if path.exists() else None
            digest.update(f"{path}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0}".encode())
        return digest.hexdigest()

    def page(self) -> str:
        version = self.version()
        if version != self._rendered_version:
            kits.forget_kits()  # what letterkit keeps between letters, read from the old files
            self._rendered_version = version
        try:
            with time_limit(self.case_timeout, "to render (--case-timeout)"):
                html = render(read_case(self.case), self.kit, ("html",), self.templates)["html"].decode()
        except Exception as error:  # a bug too shows on the page: the preview never stops
            html = _error_page(error)
        return html.replace("</body>", _RELOAD % version + "</body>")


def _error_page(error: Exception) -> str:
    if isinstance(error, LetterkitError):
        lines = error.lines() if hasattr(error, "lines") else [str(error)]
    else:
        lines = [f"internal error: {type(error).__name__}: {error}"]
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>letterkit: error"
            "</title></head><body><main><h1>The letter cannot be rendered</h1>"
            + "".join(f"<pre>{escape(line)}</pre>" for line in lines) + "</main></body></html>")


def serve(preview: Preview, host: str = "127.0.0.1", port: int = 8000, read_timeout: float = READ_TIMEOUT,
          connections: int = CONNECTIONS) -> PreviewServer:
    """A server for the preview (not yet serving: call `serve_forever`)."""

    class Handler(BaseHTTPRequestHandler):
        timeout = read_timeout  # on each read and write of the connection's socket

        def setup(self):
            super().setup()
            self.server.reading(self.connection)

        def parse_request(self):  # the request line and its headers: all a GET sends
            return super().parse_request() and self.server.done_reading(self.connection)

        def finish(self):
            self.server.done_reading(self.connection)
            super().finish()

        def do_GET(self):
            if self.headers.get("Host", "").lower() not in _own_names(*self.server.server_address[:2]):
                self.send_error(421, "this preview answers only to the address it serves")
                return
            if self.path == "/version":
                body, kind = preview.version().encode(), "text/plain"
            elif self.path in ("/", "/index.html"):
                body, kind = self.server.rendered(preview.page).encode(), "text/html; charset=utf-8"
            elif self.path == "/reload.js":
                body, kind = _RELOAD_SCRIPT.encode(), "text/javascript"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def end_headers(self):  # on every response, errors too
            for name, value in _HEADERS.items():
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, *args):  # quiet: the terminal is for errors
            pass

    return PreviewServer((host, port), Handler, read_timeout, connections)


class PreviewServer(ThreadingHTTPServer):
    """Connections in threads, `connections` of them at most, each closed when its request is
    not all there `read_timeout` seconds after it opened; pages rendered one at a time in the
    thread that calls `serve_forever` (in `letterkit preview`, the main thread: the time
    limit's signal stops a render only there)."""

    request_queue_size = 64  # connections the kernel holds until taken: socketserver's 5 drops a burst

    def __init__(self, address, handler, read_timeout: float, connections: int):
        super().__init__(address, handler)
        self.read_timeout = read_timeout
        self._slots = threading.BoundedSemaphore(connections)
        self._renders: queue.Queue[tuple[Callable[[], str], Future[str]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._reading: dict[socket.socket, float] = {}  # a connection whose request is not all there → its deadline

    def rendered(self, page: Callable[[], str]) -> str:
        """`page()`, as the serving thread renders it (called from a connection's thread)."""
        done: Future[str] = Future()
        self._renders.put((page, done))
        return done.result()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        connections = threading.Thread(target=super().serve_forever, args=(poll_interval,), daemon=True)
        connections.start()
        while (render := self._next_render(poll_interval)) is not None:
            page, done = render
            try:
                done.set_result(page())
            except BaseException as error:  # Ctrl-C in a render: the waiting connection ends too
                done.set_exception(error)
                raise
        connections.join()

    def _next_render(self, poll_interval: float) -> tuple[Callable[[], str], Future[str]] | None:
        # A wait with no end would miss Ctrl-C: the signal may reach another thread, and
        # the main one sees it only when it wakes.
        while True:
            with contextlib.suppress(queue.Empty):
                return self._renders.get(timeout=poll_interval)

    def shutdown(self) -> None:
        self._renders.put(None)
        super().shutdown()

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # a client gone, or cut at its deadline: nothing to say
            super().handle_error(request, client_address)

    # A bounded number of connections ---------------------------------------------------

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):  # closed unanswered: an answer would be lost to the
            self.shutdown_request(request)            # reset that closing with its request unread sends
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    # Each request whole within `read_timeout`, however slowly its bytes trickle in -------

    def reading(self, connection: socket.socket) -> None:
        with self._lock:
            self._reading[connection] = time.monotonic() + self.read_timeout

    def done_reading(self, connection: socket.socket) -> bool:
        """Whether the request was all there by its deadline: one that was not gets no answer."""
        with self._lock:
            deadline = self._reading.pop(connection, None)
        return deadline is None or time.monotonic() <= deadline

    def service_actions(self) -> None:  # between two polls of the connection loop
        now = time.monotonic()
        with self._lock:
            late = [connection for connection, deadline in self._reading.items() if deadline < now]
        for connection in late:  # its thread's read returns at once, and the thread ends
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _own_names(host: str, port: int) -> set[str]:
    """The Host headers a request to this server carries: its address, or a name that
    always means this machine (never one a DNS server answers for)."""
    names = {f"[{name}]" if ":" in name else name for name in {host, "localhost", "127.0.0.1", "::1"}}
    return {f"{name}:{port}" for name in names} | (names if port == 80 else set())
