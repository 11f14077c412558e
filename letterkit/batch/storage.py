"""A batch's cases and letters in object storage, or anywhere else fsspec reaches.

    letterkit batch s3://bucket/cases/ -o s3://bucket/letters/

A location is a URL with a protocol fsspec knows (`s3://`, `gs://`, `az://`, `memory://`…);
a plain path, or a `file://` URL, is a local folder and goes through the local code, as
before. Credentials, endpoint and region come the way fsspec and the store's own library
read them: environment variables (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`,
`FSSPEC_S3_ENDPOINT_URL`…), profiles and instance roles, or storage options given to
`render_batch` (the CLI's `--storage-options JSON`, which refuses secrets: a command line is
seen by every user of the machine and kept in shell histories).

Every file is written whole or not at all: to an object store with one atomic put (an
object appears only once its upload completes, so no temporary object is ever made); to
another file system under a temporary name in the same folder, then moved.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
from collections.abc import Mapping
from typing import Any

from ..errors import LetterkitError, RenderError

# Stores whose put is atomic: an object is there whole, or not at all.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "memory"})
_LOCAL = ("file", "local")
# Storage options that carry a secret: never on a command line.
_SECRET_WORDS = ("secret", "password", "token", "credential")
_SECRET_KEYS = frozenset({"key", "access_key", "access_key_id", "aws_access_key_id", "account_key", "sas_token",
                          "connection_string"})


def is_remote(location: object) -> bool:
    """Whether `location` names a place fsspec reaches, rather than a local path."""
    return isinstance(location, str) and "://" in location and protocol(location) not in _LOCAL


def protocol(url: str) -> str:
    return url.split("://", 1)[0].split("::")[-1].lower()


def local_path(location: str) -> str:
    """A `file://` URL as a plain path; anything else as it is."""
    return location.split("://", 1)[1] if "://" in location and protocol(location) in _LOCAL else location


def storage_options_from(text: str | None) -> dict[str, Any]:
    """`--storage-options`: a JSON object of fsspec options, none of them a secret."""
    if not text:
        return {}
    try:
        options = json.loads(text)
    except json.JSONDecodeError as error:
        raise LetterkitError(f"--storage-options: not JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(options, dict):
        raise LetterkitError("--storage-options: a JSON object of fsspec options, such as "
                             '{"endpoint_url": "https://minio:9000"}')
    for key in _keys(options):
        lowered = key.lower()
        if lowered in _SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS):
            raise LetterkitError(f"--storage-options: {key!r} is a secret, and a command line is not a place for "
                                 "one; give credentials the way the store's library reads them (for S3: "
                                 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)")
    return options


def _keys(options: Mapping[str, Any]):
    for key, value in options.items():
        yield str(key)
        if isinstance(value, Mapping):
            yield from _keys(value)


class Folder:
    """A folder (in an object store, a prefix) that a batch reads from or writes to."""

    def __init__(self, url: str, options: Mapping[str, Any] | None = None):
        import fsspec

        self.url = url.rstrip("/")
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url, **(options or {}))
        except (ImportError, ValueError) as error:  # no such protocol, or its library is missing
            raise LetterkitError(f"{self.url}: {error}") from None
        self.root = root.rstrip("/")
        self.protocol = protocol(self.url)
        self.atomic_put = self.protocol in OBJECT_STORES

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def url_of(self, name: str) -> str:
        return f"{self.url}/{name}"

    def put(self, name: str, content: bytes) -> None:
        """Write `name` whole: it is either there with all of `content`, or as it was."""
        if self.atomic_put:
            self.fs.pipe_file(self.path(name), content)
            return
        temporary = self.path(f".{name}.{secrets.token_hex(4)}.part")
        try:
            self.fs.pipe_file(temporary, content)
            self.fs.mv(temporary, self.path(name))
        except BaseException:
            with contextlib.suppress(OSError):  # never written, or already moved
                self.fs.rm_file(temporary)
            raise

    def put_file(self, name: str, local: str | os.PathLike) -> None:
        """Copy a local file to `name`, whole (a large file goes up in parts, and appears
        only when the store puts them together)."""
        if self.atomic_put:
            self.fs.put_file(os.fspath(local), self.path(name))
        else:
            with open(local, "rb") as file:
                self.put(name, file.read())

    def put_all(self, files: dict[str, bytes]) -> None:
        """Write every file, or (as far as the store lets us take back) none of them: a
        `RenderError` names the file that could not be written."""
        written: list[str] = []
        for name, content in files.items():
            try:
                self.put(name, content)
            except Exception as error:
                self.remove(written)
                raise RenderError(f"cannot write {self.url_of(name)}: {_reason(error)}") from None
            written.append(name)

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self.path(name))
        except FileNotFoundError:
            return None

    def remove(self, names: list[str]) -> None:
        for name in names:
            # gone already; or the folder cannot be written, which what is reported says
            with contextlib.suppress(OSError):
                self.fs.rm_file(self.path(name))

    def sizes(self) -> dict[str, int]:
        """Each file directly in the folder, with its size: one listing, read fresh."""
        try:
            entries = self.fs.ls(self.root, detail=True, refresh=True)
        except FileNotFoundError:
            return {}
        return {entry["name"].rstrip("/").rsplit("/", 1)[-1]: int(entry.get("size") or 0)
                for entry in entries if entry.get("type") == "file"}

    def partial_files(self) -> list[str]:
        """Temporary files left in the folder by a writer that was killed mid-write (none
        in an object store, where nothing is written under a temporary name)."""
        if self.atomic_put:
            return []
        return [name for name in self.sizes() if name.startswith(".") and name.endswith(".part")]


@functools.lru_cache(maxsize=8)
def _folder(url: str, options: str) -> Folder:
    return Folder(url, json.loads(options))


def folder_of(url: str, options: str = "{}") -> Folder:
    """The `Folder` for `url` with `options` (as JSON), made once per process: a worker
    writes every letter of a batch through one connection pool."""
    return _folder(url, options)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
