"""Finding a kit and the template search path that lets a user's folder override it.

A kit is a folder with a `kit.toml` manifest: its case model, its letter template,
its blocks, its stylesheets and its reference DOCX. Built-in kits live in the
`templates/` folder of the repository, installed as the `letterkit.templates` package.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, TemplateNotFound, TemplateSyntaxError, meta

from .errors import KitError, TemplateError
from .model import Letter


@dataclass(frozen=True)
class Kit:
    """A loaded kit: where its files are and which folders override them."""

    name: str
    root: Path
    search_path: tuple[Path, ...]  # user folders first, the kit's own folder last
    model_ref: str  # "model.py:ClassName"
    letter_template: str
    stylesheets: tuple[str, ...]  # for HTML and PDF
    pdf_stylesheets: tuple[str, ...]  # PDF only, e.g. @font-face rules for shipped fonts
    reference_docx: str
    required_blocks: tuple[str, ...] = ()
    overrides: tuple[Path, ...] = ()  # the user's template folders, first on the search path

    @property
    def model(self) -> type[Letter]:
        filename, _, class_name = self.model_ref.partition(":")
        return _load_model(self.path(filename), class_name)

    def path(self, name: str) -> Path:
        """A kit file (stylesheet, reference DOCX, image), looked up on the search path."""
        for folder in self.search_path:
            if (folder / name).is_file():
                return folder / name
        raise KitError(f"kit {self.name!r} has no file {name!r}")


def builtin_kits_folder() -> Path:
    return Path(str(resources.files("letterkit.templates")))


def builtin_kits() -> list[str]:
    return sorted(p.parent.name for p in builtin_kits_folder().glob("*/kit.toml"))


_KIT_CACHES: list = []


def kit_cache(maxsize: int = 16):
    """`functools.lru_cache` for what is read or made from a kit's files, which
    `forget_kits` empties: a process loads each kit once and keeps it."""
    def decorate(function):
        cached = lru_cache(maxsize)(function)
        _KIT_CACHES.append(cached)
        return cached
    return decorate


def forget_kits() -> None:
    """Forget every kit loaded so far and all that was made from its files, so that the
    next letter reads them afresh: for a long-running process whose kit is being edited."""
    for cache in _KIT_CACHES:
        cache.cache_clear()


def load_kit(kit: str | Path = "imr", templates: tuple[str | Path, ...] = ()) -> Kit:
    """Load a kit by built-in name or folder path, with user template folders in front."""
    return _load_kit(str(kit), tuple(str(folder) for folder in templates))


@kit_cache(maxsize=32)
def _load_kit(kit: str, templates: tuple[str, ...]) -> Kit:
    root = _find_kit(kit)
    manifest = _manifest(root)
    inherited: tuple[Path, ...] = ()
    if "extends" in manifest:
        # A kit may build on another: the base kit's files (blocks, stylesheets, fonts,
        # reference DOCX, guidelines) come after its own on the search path, and the
        # base's settings apply unless this kit's kit.toml gives its own.
        base_name = manifest["extends"]
        relative = root / base_name
        base = _load_kit(str(relative if (relative / "kit.toml").is_file() else base_name), ())
        inherited = base.search_path
        manifest = {**_manifest(base.root), **{k: v for k, v in manifest.items() if k != "extends"}}
    user_folders = tuple(Path(folder).resolve() for folder in templates)
    for folder in user_folders:
        if not folder.is_dir():
            raise KitError(f"template folder {folder} does not exist")
    try:
        loaded = Kit(
            name=manifest.get("name", root.name),
            root=root,
            search_path=(*user_folders, root, *inherited),
            model_ref=manifest["model"],
            letter_template=manifest["letter"],
            stylesheets=tuple(manifest.get("stylesheets", ())),
            pdf_stylesheets=tuple(manifest.get("pdf_stylesheets", ())),
            reference_docx=manifest["reference_docx"],
            required_blocks=tuple(manifest.get("required_blocks", ())),
            overrides=user_folders,
        )
    except KeyError as error:
        raise KitError(f"{root / 'kit.toml'}: missing key {error}") from None
    for folder in user_folders:
        _check_overrides(loaded, folder)
    _check_required(loaded)
    return loaded


def _manifest(root: Path) -> dict:
    try:
        return tomllib.loads((root / "kit.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise KitError(f"{root / 'kit.toml'}: {error}") from None


def _find_kit(kit: str) -> Path:
    folder = Path(kit)
    if (folder / "kit.toml").is_file():
        return folder.resolve()
    builtin = builtin_kits_folder() / kit
    if (builtin / "kit.toml").is_file():
        return builtin
    raise KitError(f"no kit {kit!r}: not a folder with kit.toml, nor a built-in kit "
                   f"({', '.join(builtin_kits())})")


def _check_overrides(kit: Kit, folder: Path) -> None:
    """Refuse a user template the letter never uses: it is almost always a misspelt name."""
    used = used_templates(kit)
    for path in sorted(folder.rglob("*.j2")):
        name = path.relative_to(folder).as_posix()
        if name not in used:
            close = difflib.get_close_matches(name, sorted(used), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KitError(f"{path}: overrides no block of kit {kit.name!r}{hint}")


def _check_required(kit: Kit) -> None:
    missing = [name for name in kit.required_blocks if name not in used_templates(kit)]
    if missing:
        raise KitError(f"the letter leaves out {', '.join(missing)}, which kit {kit.name!r} "
                       "requires in every letter")


def used_templates(kit: Kit) -> set[str]:
    """Every template the letter template includes, directly or through other blocks."""
    environment = Environment(loader=FileSystemLoader([str(f) for f in kit.search_path]))
    used, pending = set(), [kit.letter_template]
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        try:
            source = environment.loader.get_source(environment, name)[0]
        except TemplateNotFound:
            raise KitError(f"kit {kit.name!r} has no block {name!r}, yet a template includes it")
        try:
            parsed = environment.parse(source, name, environment.loader.get_source(environment, name)[1])
        except TemplateSyntaxError as error:
            raise TemplateError(error.message or str(error), error.filename, error.lineno) from None
        pending += [ref for ref in meta.find_referenced_templates(parsed) if ref]
    return used


@kit_cache()
def _load_model(path: Path, class_name: str) -> type[Letter]:
    module_name = "letterkit_kit_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise KitError(f"{path}: cannot load the kit's model")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # pydantic resolves annotations through it
    spec.loader.exec_module(module)
    model = getattr(module, class_name, None)
    if not (isinstance(model, type) and issubclass(model, Letter)):
        raise KitError(f"{path}: {class_name} is not a letterkit.model.Letter")
    return model
