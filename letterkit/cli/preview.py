"""`letterkit preview`: a case's HTML letter on localhost, drawn again as its blocks change."""

from __future__ import annotations

from typing import Annotated

import typer

from ..preview import Preview, serve
from . import options as o
from .exits import FAILED, reporting_errors
from .terminal import error, out


@reporting_errors()
def preview(
    case: o.Case,
    kit: o.Kit = "imr",
    templates: o.Templates = None,
    port: Annotated[int, typer.Option("--port", help="Port on localhost.", metavar="PORT")] = 8000,
    case_timeout: o.CaseTimeout = 120.0,
) -> int | None:
    """Serve the case's HTML letter on localhost; the page reloads when a block,
    stylesheet or the case file changes. Ctrl-C stops it (exit status 0)."""
    try:
        server = serve(Preview(case, kit, tuple(str(t) for t in templates or ()), case_timeout or None), port=port)
    except OSError as failure:  # the port, not a file: said with what to do about it
        error(f"cannot serve on port {port}: {failure.strerror or failure}; choose another with --port")
        return FAILED
    out.print(f"previewing {case} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # how a preview ends: not a failure
        server.server_close()
    return None
