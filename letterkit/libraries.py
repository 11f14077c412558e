"""Only letterkit speaks: the libraries it uses, kept off the user's terminal.

Importing this module quiets pyHanko; the package imports it first, before any of its modules
imports pyHanko. Their warnings say nothing a
user can act on (cryptography 51 deprecates DSA, which pyHanko imports), and their loggers
say, with tracebacks, what letterkit then says in one line of its own. The records are not
lost: `LETTERKIT_DEBUG=1` (or the CLI's `--verbose`) shows every library's log on stderr.

The CLI, which owns the terminal, quiets every library it drives (`quiet_terminal()`):
WeasyPrint's notes on a stylesheet, Dask's busy port, Ray's worker restarts, s3fs's and
botocore's retries. A script that
calls letterkit keeps the logging of WeasyPrint, Dask and Ray as it configured it.
"""

from __future__ import annotations

import logging
import os
import warnings

PYHANKO_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
RENDER_LOGGERS = ("weasyprint", "fontTools", "pypdfium2")  # pypdfium2: --strict reads the drawn PDF
CLUSTER_LOGGERS = ("distributed", "ray", "fsspec", "s3fs", "aiobotocore", "botocore")
DEBUG_VARIABLE = "LETTERKIT_DEBUG"  # set (not "0"): every library's log on stderr


def quiet_pyhanko() -> None:
    """Before pyHanko is imported: its import warnings filtered, its loggers silent."""
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=r"pyhanko(_certvalidator)?\.")
    _silence(PYHANKO_LOGGERS)


def quiet_terminal() -> None:
    """For the CLI: no library's log reaches the terminal (unless the debug log is asked)."""
    quiet_pyhanko()
    _silence(RENDER_LOGGERS + CLUSTER_LOGGERS)


def show_debug_log() -> None:
    """Every library's log records on stderr, as they were before letterkit quieted them
    (here and in the batch's worker processes, which inherit the environment)."""
    os.environ[DEBUG_VARIABLE] = "1"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("debug %(name)s: %(message)s"))
    for name in PYHANKO_LOGGERS + RENDER_LOGGERS + CLUSTER_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.DEBUG)


def debug_asked() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _silence(names: tuple[str, ...]) -> None:
    if debug_asked():
        return
    for name in names:
        logger = logging.getLogger(name)
        # a library may have given itself a stderr handler (WeasyPrint, Dask): replaced, and
        # nothing propagates to a root handler a user's script may have set up for its own logs
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False


quiet_pyhanko()
