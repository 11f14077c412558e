"""`--scheduler ADDRESS`: the cluster a batch runs on, named the way its engine names it.

- `tcp://host:8786` (any Dask address: `tls://`, `ucx://`, `inproc://`…): a Dask scheduler.
- `ray://host:10001`: a Ray cluster, through Ray Client (`ray.init("ray://…")`).
- `ray:auto`: Ray on this machine: the one `ray start` runs here, or a new one for the batch.

Each yields the executor `render_batch` takes; the cluster's own workers render, with the
same accounting and time limits as local processes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

from ..errors import LetterkitError


@contextlib.contextmanager
def connect(address: str | None, workers: int | None = None) -> Iterator[Executor | None]:
    """The executor for `address` (None: the batch's own local processes). `workers` is the
    number of Ray actors (default and at most: one per CPU the Ray cluster has)."""
    if address is None:
        yield None
    elif address == "ray:auto" or address.startswith("ray://"):
        with _ray(address, workers) as executor:
            yield executor
    else:
        with _dask(address) as executor:
            yield executor


@contextlib.contextmanager
def _dask(address: str) -> Iterator[Executor]:
    try:
        from distributed import Client

        from .dask_cluster import DaskExecutor
    except ImportError:
        raise LetterkitError("--scheduler needs Dask: install letterkit with its dask extra "
                             "(see docs/cluster.md)") from None
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as error:
        raise LetterkitError(f"--scheduler {address}: cannot reach it ({error})") from None
    with client:
        yield DaskExecutor(client)


@contextlib.contextmanager
def _ray(address: str, workers: int | None) -> Iterator[Executor]:
    if address.startswith("ray://"):
        _send_ray_token_if_there_is_one()  # before Ray is imported: it reads the mode once
    try:
        import ray

        from .ray_cluster import RayExecutor
    except ImportError:
        raise LetterkitError("--scheduler needs Ray: install letterkit with its ray extra "
                             "(see docs/cluster.md)") from None
    _join_ray(address)
    try:
        with RayExecutor(workers) as executor:
            yield executor
    finally:
        ray.shutdown()


RAY_CLIENT_TRIES = 3


def _join_ray(address: str) -> None:
    """`ray.init`, tried again when Ray Client's server failed to start a server for this
    client: its fork from a threaded gRPC process dies or hangs now and then, more often on
    a busy head (ray-project/ray#63202; 2 tries in 7 here, four busy loops on two cores).
    Each try asks for a new server; `ray.init` disconnects a failed try itself."""
    import ray

    for tries_left in reversed(range(RAY_CLIENT_TRIES)):
        try:
            # ray:auto: Ray's own default, which joins a Ray running on this machine or starts one.
            ray.init(address=None if address == "ray:auto" else address, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
            return
        except ConnectionAbortedError as error:  # "Initialization failure from server" and its traceback
            if not tries_left:
                raise LetterkitError(f"--scheduler {address}: its client server failed to start a server "
                                     f"for this batch {RAY_CLIENT_TRIES} times ({_last_line(error)})") from None
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise LetterkitError(f"--scheduler {address}: cannot reach it ({_last_line(error)})") from None


def _last_line(error: Exception) -> str:
    """The last line of an error that may carry a server's traceback: what went wrong."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _send_ray_token_if_there_is_one() -> None:
    """Ray's head turns token authentication on by itself when it finds a token
    (`~/.ray/auth_token`), but Ray Client sends the token only when told to
    (`RAY_AUTH_MODE=token`): with the token there and nothing said, every `ray://`
    connection timed out. So a token there is sent, unless the user chose otherwise
    (ray-project/ray#64755). Not for `ray:auto`, whose local Ray then failed to start."""
    if "RAY_AUTH_MODE" in os.environ:
        return
    if ("RAY_AUTH_TOKEN" in os.environ or "RAY_AUTH_TOKEN_PATH" in os.environ
            or (Path.home() / ".ray" / "auth_token").is_file()):
        os.environ["RAY_AUTH_MODE"] = "token"
