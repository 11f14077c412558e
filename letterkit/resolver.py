"""The one way letterkit reads a file of a kit or of a template folder.

A kit and the user's template folders form a search path, first folder first. Every
file they contribute — a block, a stylesheet, a font, a picture, a guideline, the
reference DOCX — is found here, and a name that leads out of its folder is refused:
an absolute path, `..`, or a symbolic link whose target lies elsewhere. A template
folder is data handed to letterkit; it must never read the rest of the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import KitError


@dataclass(frozen=True)
class Resolver:
    """The files of a search path of folders; the first folder that has a name wins."""

    folders: tuple[Path, ...]

    def locate(self, name: str) -> Path | None:
        """The file `name` (a relative, /-separated path) resolves to, or None."""
        parts = _checked_parts(name)
        for folder in self.folders:
            path = folder.joinpath(*parts)
            if path.is_symlink() or path.exists():
                return self._inside(folder, path)
        return None

    def find(self, name: str) -> Path:
        path = self.locate(name)
        if path is None:
            raise KitError(f"no such file {name!r} in {', '.join(str(f) for f in self.folders)}")
        return path

    def read_bytes(self, name: str) -> bytes:
        return self.find(name).read_bytes()

    def read_text(self, name: str) -> str:
        try:
            return self.find(name).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise KitError(f"{self.find(name)}: not UTF-8 text ({error.reason})") from None

    def names(self, pattern: str) -> dict[str, Path]:
        """Every file matching the glob `pattern` by its name; an earlier folder hides a later."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for path in sorted(folder.glob(pattern)):
                if "__pycache__" in path.parts or not (path.is_file() or path.is_symlink()):
                    continue
                found[path.relative_to(folder).as_posix()] = path
        return {name: self.find(name) for name in sorted(found)}

    def check(self, path: Path) -> Path:
        """An absolute path (from a URL a stylesheet names) if it is a file of the search path."""
        for folder in self.folders:
            if path.is_relative_to(folder):
                return self.find(path.relative_to(folder).as_posix())
        raise KitError(f"{path} is outside the kit and its template folders")

    def _inside(self, folder: Path, path: Path) -> Path:
        real = path.resolve()
        if not real.is_relative_to(folder.resolve()):
            raise KitError(f"{path} leads outside the kit's folder {folder} (to {real}); refused")
        if not real.is_file():
            raise KitError(f"{path} is not a file")
        return real


def _checked_parts(name: str) -> tuple[str, ...]:
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        raise KitError(f"refused file name {name!r}: it would lead outside the kit; "
                       "a kit file is named relative to its folder")
    return pure.parts
