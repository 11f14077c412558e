"""`letterkit preview`: a case's HTML letter on localhost, reloaded as its files change.

The page polls `/version`, a fingerprint of the case file and every file on the kit's
search path (blocks, stylesheets, guidelines); when it changes, the page reloads and
the server renders the letter afresh. A mistake in a block shows as the error page
until it is fixed — the preview never stops.

The letter holds a patient's data, so the server answers only requests addressed to
itself (a page elsewhere cannot rebind a name of its own to 127.0.0.1 and read it), and
every response tells the browser to run no script but the preview's own, load nothing
from elsewhere, and show the page in no frame.
"""

from __future__ import annotations

import hashlib
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import kits
from .api import render
from .cases import read_case
from .errors import LetterkitError

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


class Preview:
    def __init__(self, case: Path, kit: str, templates: tuple[str, ...]):
        self.case, self.kit, self.templates = case, kit, templates
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


def serve(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for the preview (not yet serving: call `serve_forever`)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Host", "").lower() not in _own_names(*self.server.server_address[:2]):
                self.send_error(421, "this preview answers only to the address it serves")
                return
            if self.path == "/version":
                body, kind = preview.version().encode(), "text/plain"
            elif self.path in ("/", "/index.html"):
                body, kind = preview.page().encode(), "text/html; charset=utf-8"
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

    return ThreadingHTTPServer((host, port), Handler)


def _own_names(host: str, port: int) -> set[str]:
    """The Host headers a request to this server carries: its address, or a name that
    always means this machine (never one a DNS server answers for)."""
    names = {f"[{name}]" if ":" in name else name for name in {host, "localhost", "127.0.0.1", "::1"}}
    return {f"{name}:{port}" for name in names} | (names if port == 80 else set())
