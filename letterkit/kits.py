"""Loading a kit: once per process, under a lock, into one immutable `Kit`.

A kit is a folder with a `kit.toml` manifest: its case model, its letter template,
its blocks, its stylesheets and its reference DOCX. Built-in kits live in the
`templates/` folder of the repository, installed as the `letterkit.templates` package.
A user's template folders go in front of the kit's on the search path; they hold
blocks, stylesheets, pictures and guidelines — data, never Python — and may declare
case fields in a `fields.toml` (letterkit.declared_fields).

Everything a render needs from the kit's files is read here, once: the model, the
Jinja environment, the guideline library, the stylesheets, the reference DOCX and a
digest of it all. Renders on any number of threads share the loaded kit and never
change it.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib.util
import os
import sys
import threading
import tomllib
import traceback
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from jinja2 import TemplateNotFound, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import deprecations, languages as kit_languages, rule_inheritance, rules as kit_rules
from .dates import DateForms, read_dates
from .deadlines import HolidayCalendar, read_calendar
from .declared_fields import DeclaredField, extend_model, read_declared
from .environment import LetterSandbox, make_environment
from .errors import KitError, TemplateError
from .guidelines import Passage, read_library
from .kept import Kept
from .mail.settings import MailSettings, read_mail
from .model import Letter
from .page_setup import PageSetup, page_css, read_page, with_page
from .presentation import Presentation
from .pydantic_errors import first_problem
from .readability import ReadingLimits, reading_limits
from .resolver import Resolver
from .seal_appearance import DEFAULT_TEXT, SealAppearance
from .word_styles import WordStyle, read_styles, with_styles


class LargePrint(BaseModel):
    """A kit's `[large_print]`: no text of a large-print letter is smaller than `floor` points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    floor: float = Field(18, ge=18, le=72)  # state Medicaid programmes ask 18 pt, some 24


T = TypeVar("T")


class KitManifest(BaseModel):
    """What a `kit.toml` may say; any other key is a mistake, reported by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None  # defaults to the folder's name; never inherited
    description: str = ""
    extends: str | None = None
    model: str | None = None  # "model.py:ClassName"; inherited; none in the chain: `Letter` and the declared fields
    letter: str | None = None
    stylesheets: tuple[str, ...] | None = None  # for HTML and PDF
    pdf_stylesheets: tuple[str, ...] | None = None  # PDF only, e.g. @font-face rules
    reference_docx: str | None = None
    required_blocks: tuple[str, ...] | None = None  # kept for older kits; a block rule now
    rules: str | None = None  # added to the rules it inherits (see _rules)
    drop_rules: tuple[str, ...] = ()  # ids of inherited rules this kit's letters do not answer to
    before_letter: tuple[str, ...] = ()  # dates no later than the letter's: a `before` rule each, with the rules
    holidays: str | None = None  # older kits: their one calendar, named "holidays"; inherited
    calendars: dict[str, str] | None = None  # name → calendar file, for rules to count days over; inherited
    reading_grade: float | None = None  # plain language: the highest Flesch-Kincaid grade wanted (English)
    # by language: {"es": {"ease": 60}} (letterkit.readability)
    reading_level: dict[str, dict[str, float]] | None = None
    large_print: LargePrint | None = None  # `--profile large-print`: its floor (letterkit.profiles)
    cite_quotes: bool | None = None  # a citation line under each quoted passage; inherited, default yes
    # `[[field]]` tables: case fields declared without Python (letterkit.declared_fields).
    # They extend the model of the kit that names it, and of the kits that inherit it.
    field: tuple[dict, ...] = ()
    # The languages its letters may be in, its blocks' own first (default ["en"]); a
    # block's translation is beside it: blocks/es/x.md.j2 (letterkit.languages). Not inherited.
    languages: tuple[str, ...] | None = None
    fallback: str | None = None  # the language a block without a translation is printed in; none: refused
    # rich text with no translation: tagged with its language, or refused
    untranslated_case_text: Literal["tag", "refuse"] = "tag"
    # `[[style]]` tables: Word styles for the kit's classes (letterkit.word_styles), added
    # to the reference DOCX; inherited, a nearer kit's replacing a farther one's.
    style: tuple[dict, ...] = ()
    # `[mail]`: who the letter and its copies go to, and the envelope window (letterkit.mail.settings).
    mail: dict | None = None
    # `[page]`: paper, margins and the text's font and size, for the print CSS and Word's
    # page setup alike (letterkit.page_setup); each key inherited from the nearest kit.
    page: dict | None = None
    # `[dates]`: how the kit's letters print dates (letterkit.dates); each form inherited.
    dates: dict | None = None
    # `[seal]`: a sealed PDF shows its seal on a page (letterkit.seal_appearance); inherited
    seal: SealManifest | None = None


class SealManifest(BaseModel):
    """A kit.toml's `[seal]` table: see letterkit.seal_appearance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page: int = -1
    box: tuple[int, int, int, int]
    text: str = DEFAULT_TEXT
    font: str = "fonts/LiberationSerif-Regular.ttf"
    font_size: int = 8


@dataclass(frozen=True, eq=False)
class Kit:
    """A loaded kit. Immutable, and shared by every render in the process."""

    name: str
    description: str
    root: Path
    files: Resolver  # user folders first, then the kit, then the kits it extends
    overrides: tuple[Path, ...]  # the user's template folders
    model: type[Letter]
    letter_template: str
    required_blocks: tuple[str, ...]
    rules: tuple[kit_rules.Rule, ...]  # the legal rules its letters answer to (letterkit.rules)
    calendars: Mapping[str, HolidayCalendar]  # by name: the holidays rules count days over
    reading_grade: float | None
    reading_limits: ReadingLimits  # by language ("en", "es"): its measure's limit (letterkit.readability)
    cite_quotes: bool  # a citation line (the `citation` macro's) under each quoted passage
    environment: LetterSandbox
    guidelines: Mapping[str, Passage]
    presentation: Presentation
    page: PageSetup  # the kit's [page]: what the print CSS and Word's page setup are made from
    large_print_floor: float  # points: the smallest text of a large-print letter (letterkit.profiles)
    dates: DateForms  # the kit's [dates]: how its letters print dates, and its rules find them
    digest: str  # of every file on the search path: what decides a letter's bytes
    languages: tuple[str, ...] = (kit_languages.OWN,)  # its letters' languages, its blocks' own first
    # each other language's blocks
    speeches: Mapping[str, kit_languages.Speech] = dataclasses.field(default_factory=dict)
    untranslated_case_text: str = "tag"  # "tag" or "refuse" (letterkit.case_translations)
    mail: MailSettings | None = None  # its recipients and envelope window; None: not mailed
    seal_appearance: SealAppearance | None = None  # a visible seal; None: the seal is invisible

    @property
    def search_path(self) -> tuple[Path, ...]:
        return self.files.folders

    def path(self, name: str) -> Path:
        """A file of the kit (stylesheet, reference DOCX, picture), found on the search path."""
        return self.files.find(name)

    def in_language(self, language: str) -> Kit:
        """The kit with its blocks in `language` (a tag: "es-US"); a KitError if it does not speak it."""
        code = kit_languages.letter_language(language)
        if code == self.languages[0]:
            return self
        if code not in self.speeches:
            raise KitError(f"kit {self.name!r} writes its letters in {', '.join(self.languages)} only, not {language}")
        return dataclasses.replace(self, environment=self.speeches[code].environment)


def builtin_kits_folder() -> Path:
    return Path(str(resources.files("letterkit.templates")))


def builtin_kits() -> list[str]:
    return sorted(p.parent.name for p in builtin_kits_folder().glob("*/kit.toml"))


_loaded: dict[tuple[str, tuple[str, ...]], Kit] = {}
# one class per model file (None: none, the bare Letter), whatever folders sit in front
_models: dict[Path | None, type[Letter]] = {}
_extended: dict[tuple, type[Letter]] = {}  # one class per model file and declared fields
_lock = threading.Lock()


def load_kit(kit: str | Path = "imr", templates: Iterable[str | Path] = ()) -> Kit:
    """The kit, by built-in name or folder path, with user template folders in front.

    Loaded once per process; every later call (from any thread) gets the same `Kit`.
    """
    # Folders by absolute path: "mine" is another folder once the working directory changes.
    # (abspath, not resolve: no file system calls on a path asked for with every letter.)
    key = (os.path.abspath(kit) if (Path(kit) / "kit.toml").is_file() else str(kit),
           tuple(os.path.abspath(folder) for folder in templates))
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(*key)
        return _loaded[key]


def forget_kits() -> None:
    """Forget every kit loaded so far, so that the next letter reads its files afresh:
    for a long-running process whose kit is being edited."""
    with _lock:
        _loaded.clear()
        _models.clear()
        _extended.clear()


def _load(kit: str, templates: tuple[str, ...]) -> Kit:
    chain = _chain(_find_kit(kit))
    root, manifest = chain[0]
    settings = _inherited(chain)
    overrides = tuple(_template_folder(folder) for folder in templates)
    files = Resolver((*overrides, *(folder for folder, _ in chain)))
    # The model is Python: it comes from the kits in the chain, never a template folder.
    # A chain with none (a kit made of TOML, Jinja and CSS) has the bare `Letter`.
    model_file, _, class_name = settings.get("model", "").partition(":")
    model_path = Resolver(tuple(folder for folder, _ in chain)).find(model_file) if model_file else None
    model = _load_model(model_path, class_name, _declared_fields(chain, overrides), root / "kit.toml")
    guidelines = read_library(files)
    # Rules and holidays are legal data: read from the kits, never from a template folder.
    kit_files = Resolver(tuple(folder for folder, _ in chain))
    page = _page(chain)
    dates = _dates(chain)
    loaded = Kit(
        name=manifest.name or root.name,
        description=manifest.description,
        root=root,
        files=files,
        overrides=overrides,
        model=model,
        letter_template=settings["letter"],
        required_blocks=settings["required_blocks"],
        rules=_rules(chain, settings["required_blocks"], model),
        calendars=_calendars(kit_files, chain),
        reading_grade=settings.get("reading_grade"),
        reading_limits=reading_limits(settings.get("reading_grade"), settings.get("reading_level") or {},
                                      str(root / "kit.toml")),
        cite_quotes=settings.get("cite_quotes", True),
        environment=_with_vocabulary(make_environment(files, guidelines, dates), files),
        guidelines=guidelines,
        # A kit folder's extra.css and print-extra.css add rules as a template folder's do.
        presentation=Presentation.read(files, settings["stylesheets"], settings["pdf_stylesheets"],
                                       settings["reference_docx"], _reference_docx(files, settings, chain, page),
                                       tuple(Resolver((f,)) for f in (*overrides, *(folder for folder, _ in chain))),
                                       page_css(page)),
        page=page,
        large_print_floor=LargePrint.model_validate(settings.get("large_print") or {}).floor,
        dates=dates,
        digest=_digest(files),
        languages=manifest.languages or (kit_languages.OWN,),
        untranslated_case_text=manifest.untranslated_case_text,
        mail=_mail(chain, manifest.languages or (kit_languages.OWN,)),
        seal_appearance=_seal_appearance(kit_files, settings.get("seal")),
    )
    # An old folder's removed blocks: a warning each, or past their release an error.
    used = deprecations.adopt(loaded.environment, files) | used_templates(loaded)
    for name in sorted(used):  # compiled now, so that a loaded kit's blocks never change
        loaded.environment.get_template(name)
    loaded = dataclasses.replace(loaded, speeches=_speeches(loaded, manifest))
    translations = {kit_languages.translated_name(name, code) for name in used for code in loaded.speeches}
    for folder in overrides:
        _check_overrides(loaded, folder, used | translations)
    _check_required_blocks(loaded, used, chain)
    kit_rules.check_calendars(loaded.rules, loaded.calendars)
    kit_rules.check_phrases(loaded.rules, loaded.languages, manifest.fallback, loaded.name)
    kit_rules.check_paths(loaded.rules, loaded.model)
    _check_field_names(loaded)
    return loaded


def _check_field_names(kit: Kit) -> None:
    """A case field may not hide a name the blocks rely on: `{{ table(...) }}` would call
    the case's value, `letter` would be the value instead of the letter. (The fields every
    letter has, letterkit's own, are what those names are kept for.)"""
    for name in kit.model.model_fields.keys() - Letter.model_fields.keys():
        if hides := kit.environment.hidden_by(name):
            raise KitError(f"{kit.root / 'kit.toml'}: field {name!r} would hide {hides}; choose another name")


def _speeches(kit: Kit, manifest: KitManifest) -> Mapping[str, kit_languages.Speech]:
    """The kit's blocks in each language it speaks besides its blocks' own, compiled now."""
    speeches = {}
    for code in kit.languages[1:]:
        loader = kit_languages.TranslatingLoader(kit.files, code, manifest.fallback)
        environment = _with_vocabulary(make_environment(kit.files, kit.guidelines, kit.dates, loader), kit.files)
        used = used_templates(dataclasses.replace(kit, environment=environment))
        for name in sorted(used):
            environment.get_template(name)
        speeches[code] = kit_languages.Speech(code, environment, loader.untranslated(used), manifest.fallback)
    return types.MappingProxyType(speeches)


def _seal_appearance(files: Resolver, seal: dict | None) -> SealAppearance | None:
    if seal is None:
        return None
    return SealAppearance(seal["page"], seal["box"], seal["text"], files.find(seal["font"]), seal["font_size"])


def _rules(chain: list[tuple[Path, KitManifest]], required_blocks: tuple[str, ...], model: type) -> tuple:
    """The rules of the kit and of the kits it inherits them from, and `required_blocks`
    (older kits) as a block rule.

    A kit inherits the rules of the kits it extends, up to one with a letter and a model
    of its own (letterkit.rule_inheritance): the blocks it inherits print the deadlines
    those rules compute. Nearer kits win: a rule of the same id replaces the inherited
    one, and `drop_rules` leaves inherited ones out (an id that names no inherited rule
    is a mistake). Inherited rules must fit the kit's model.
    """
    inherited = []
    for root, manifest in chain:
        inherited.append((root, manifest))
        if rule_inheritance.starts_afresh(manifest):
            break
    by_id: dict = {}  # rule id → (rule, the kit it comes from), in the order a letter is checked
    for root, manifest in reversed(inherited):
        for rule_id in manifest.drop_rules:
            if by_id.pop(rule_id, None) is None:
                known = ", ".join(by_id) or "none"
                raise KitError(f"{root / 'kit.toml'}: drop_rules names {rule_id!r}, which is no rule it "
                               f"inherits (inherited: {known})")
        own: tuple = ()
        if manifest.rules:
            path = Resolver((root,)).find(manifest.rules)
            own = kit_rules.read_rules(path.read_text(encoding="utf-8"), str(path))
        for rule in own + kit_rules.before_letter_rules(manifest.before_letter):
            by_id.pop(rule.id, None)  # replaced: it takes the place of the inherited rule, last
            by_id[rule.id] = (rule, manifest.name or root.name)
    kit = chain[0][1].name or chain[0][0].name
    for rule, source in by_id.values():
        if source != kit:
            rule_inheritance.check_fit((rule,), model, kit, source)
    return tuple(rule for rule, _ in by_id.values()) + kit_rules.blocks_rules_from_manifest(required_blocks)


def _check_required_blocks(kit: Kit, used: set[str], chain: list[tuple[Path, KitManifest]]) -> None:
    """Refuse a letter template that leaves out a block a rule requires, naming the kit the
    rule comes from, and, for an inherited rule, how to leave it out."""
    try:
        kit_rules.missing_blocks(kit.rules, used, kit.name)
    except KitError:
        failing = next(rule for rule in kit.rules if rule.check == "block" and not set(rule.blocks) <= used)
        origin = next((manifest.name or root.name for root, manifest in chain if manifest.rules
                       and any(rule.id == failing.id for rule in kit_rules.read_rules(
                           Resolver((root,)).read_text(manifest.rules), manifest.rules))), kit.name)
        if origin == kit.name:
            raise
        raise KitError(f"rule {failing.id} ({failing.citation}) of kit {origin!r}: the letter of kit {kit.name!r} "
                       f"leaves out {', '.join(b for b in failing.blocks if b not in used)}; include them, or leave "
                       f"the rule out: drop_rules = [\"{failing.id}\"] in {kit.root / 'kit.toml'}") from None


def _reference_docx(files: Resolver, settings: dict, chain: list[tuple[Path, KitManifest]], page: PageSetup) -> bytes:
    """The reference DOCX on the kit's page, with the `[[style]]` tables of the kit and those
    it extends added; made once per process for the same file, page and styles (a kit
    loaded again with a template folder in front has them all the same)."""
    reference, styles = files.read_bytes(settings["reference_docx"]), _word_styles(chain)
    return _styled_references.made((reference, repr(page), repr(styles)),
                                   lambda: with_styles(with_page(reference, page), styles))


_styled_references: Kept[tuple[bytes, str, str], bytes] = Kept(size=16)


def _page(chain: list[tuple[Path, KitManifest]]) -> PageSetup:
    """The `[page]` of the kit, each key from the nearest kit in the chain that gives it."""
    return _inherited_table(read_page, chain, "page")


def _dates(chain: list[tuple[Path, KitManifest]]) -> DateForms:
    """The `[dates]` of the kit, each form from the nearest kit in the chain that gives it."""
    return _inherited_table(read_dates, chain, "dates")


def _inherited_table(read: Callable[[list[tuple[str, dict]]], T], chain: list[tuple[Path, KitManifest]],
                     key: str) -> T:
    try:
        return read([(str(root / "kit.toml"), getattr(manifest, key)) for root, manifest in reversed(chain)
                     if getattr(manifest, key)])
    except ValueError as error:
        raise KitError(str(error)) from None


def _mail(chain: list[tuple[Path, KitManifest]], languages: tuple[str, ...]) -> MailSettings | None:
    """The `[mail]` tables of the kit and the kits it extends, merged, the nearest winning."""
    try:
        return read_mail([dict(m.mail) for _, m in reversed(chain) if m.mail], str(chain[0][0] / "kit.toml"), languages)
    except ValueError as error:
        raise KitError(str(error)) from None


def _word_styles(chain: list[tuple[Path, KitManifest]]) -> tuple:
    """The Word styles the kits declare, farthest first, a nearer kit's replacing one of its name."""
    declared: dict[str, WordStyle] = {}
    for root, manifest in reversed(chain):
        for style in read_styles(list(manifest.style), str(root / "kit.toml")):
            declared.pop(style.name, None)
            declared[style.name] = style
    return tuple(declared.values())


def _calendars(files: Resolver, chain: list[tuple[Path, KitManifest]]) -> Mapping[str, HolidayCalendar]:
    """The calendars the kit and those it extends declare, by name, the nearest kit's
    winning; `holidays = "file"` (older kits) is the calendar named "holidays"."""
    named: dict[str, str] = {}
    for _, manifest in reversed(chain):
        named.update({"holidays": manifest.holidays} if manifest.holidays else {})
        named.update(manifest.calendars or {})
    calendars = {}
    for name, file in named.items():
        path = files.find(file)
        try:
            calendars[name] = read_calendar(path.read_text(encoding="utf-8"), str(path))
        except ValueError as error:
            raise KitError(str(error)) from None
    return types.MappingProxyType(calendars)


def _chain(root: Path) -> list[tuple[Path, KitManifest]]:
    """The kit and the kits it extends, nearest first."""
    chain: list[tuple[Path, KitManifest]] = []
    while True:
        if any(root == seen for seen, _ in chain):
            raise KitError(f"{root / 'kit.toml'}: extends itself, through {chain[-1][0].name}")
        manifest = _manifest(root)
        chain.append((root, manifest))
        if manifest.extends is None:
            return chain
        relative = root / manifest.extends
        root = _find_kit(str(relative if (relative / "kit.toml").is_file() else manifest.extends))


_REQUIRED = {"letter", "reference_docx"}
_DEFAULTS = {"stylesheets": (), "pdf_stylesheets": (), "required_blocks": ()}


def _inherited(chain: list[tuple[Path, KitManifest]]) -> dict:
    """Each setting from the nearest kit that gives it (name and description are not settings)."""
    settings = dict(_DEFAULTS)
    for _, manifest in reversed(chain):
        # Rules go with the model, and declared fields extend it (see _rules, _declared_fields).
        settings.update(manifest.model_dump(exclude_none=True, exclude={
            "name", "description", "extends", "rules", "drop_rules", "before_letter", "field", "style",
            "languages", "fallback", "untranslated_case_text", "mail", "page", "dates"}))
    if missing := sorted(_REQUIRED - set(settings)):
        raise KitError(f"{chain[0][0] / 'kit.toml'}: missing key {', '.join(missing)}")
    return settings


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KitError(f"{path}: {error}") from None


def _manifest(root: Path) -> KitManifest:
    path = root / "kit.toml"
    try:
        manifest = KitManifest.model_validate(_toml(path))
        read_declared(list(manifest.field), str(path))  # a mistake is found when the kit loads
        kit_languages.check_declared(manifest.languages or (kit_languages.OWN,), manifest.fallback, str(path))
        read_styles(list(manifest.style), str(path))
        read_page([(str(path), manifest.page)] if manifest.page else [])
        read_dates([(str(path), manifest.dates)] if manifest.dates else [])
        return manifest
    except ValidationError as error:
        problem = first_problem(error)
        if problem.unknown:
            known = ", ".join(KitManifest.model_fields)
            raise KitError(f"{path}: unknown key {problem.key!r} (a kit.toml may have: {known})") from None
        raise KitError(f"{path}: {problem.key}: {problem.msg}") from None
    except ValueError as error:  # a declared field's mistake, already naming the file and field
        raise KitError(str(error)) from None


def _find_kit(kit: str) -> Path:
    folder = Path(kit)
    if (folder / "kit.toml").is_file():
        return folder.resolve()
    builtin = builtin_kits_folder() / kit
    if "/" not in kit and (builtin / "kit.toml").is_file():
        return builtin.resolve()
    raise KitError(f"no kit {kit!r}: not a folder with kit.toml, nor a built-in kit "
                   f"({', '.join(builtin_kits())})")


def _template_folder(name: str) -> Path:
    folder = Path(name).resolve()
    if not folder.is_dir():
        raise KitError(f"template folder {name} does not exist")
    if python := sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts):
        raise KitError(f"{python[0]}: a template folder holds blocks, stylesheets and pictures, "
                       "never Python; a model belongs in a kit (letterkit new-kit)")
    return folder


def _check_overrides(kit: Kit, folder: Path, used: set[str]) -> None:
    """Refuse a user template the letter never uses: a misspelt name, or a new block
    that nothing includes yet. Either way the user's text would silently be left out."""
    for path in sorted(folder.rglob("*.j2")):
        name = path.relative_to(folder).as_posix()
        if name in used:
            continue
        if close := difflib.get_close_matches(name, sorted(used), n=1, cutoff=0.85):
            raise KitError(f"{path}: overrides no block of kit {kit.name!r}; did you mean {close[0]!r}?")
        raise KitError(f"{path}: a new block that no template of kit {kit.name!r} includes; "
                       f"add {{% include \"{name}\" %}} where the letter should show it "
                       "(copy that block or letter.md.j2 into the folder too)")


VOCABULARY = "macros/*.j2"


def _with_vocabulary(environment: LetterSandbox, files: Resolver) -> LetterSandbox:
    """The kit's macros (`macros/*.j2` on the search path: the kit's, the kits it extends,
    a template folder's of the same name instead) made names every block can call, with
    no import: `{{ address(organisation.address) }}`. Done once, before any block runs."""
    for name in files.names(VOCABULARY):
        try:
            module = environment.get_template(name).module
        except TemplateSyntaxError as error:
            raise TemplateError(error.message or str(error), error.filename, error.lineno) from None
        except SecurityError as error:  # a macro file's top level runs now: `{% set n = 9**9999 %}`
            raise TemplateError(f"not allowed in a block: {error}", str(files.locate(name))) from None
        environment.globals.update({export: getattr(module, export) for export in dir(module)
                                    if not export.startswith("_")})
    return environment


def used_templates(kit: Kit) -> set[str]:
    """Every template the letter uses: the letter template, the blocks it includes,
    directly or through other blocks, and the kit's macros."""
    environment = kit.environment
    used, pending = set(), [kit.letter_template, *kit.files.names(VOCABULARY)]
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        try:
            source, filename, _ = environment.loader.get_source(environment, name)
            pending += _referenced(environment, source, name, filename)
        except TemplateNotFound:
            raise KitError(f"kit {kit.name!r} has no block {name!r}, yet a template includes it")
        except TemplateSyntaxError as error:
            raise TemplateError(error.message or str(error), error.filename, error.lineno) from None
    return used


_references: Kept[tuple[str, str, str], tuple[str, ...]] = Kept(size=500)  # by name, file and text, as COMPILED


def _referenced(environment: LetterSandbox, source: str, name: str, filename: str) -> tuple[str, ...]:
    """The templates a template text includes, imports or extends: parsed once per text in a
    process, however many kits (a template folder in front of each) hold it."""
    def parsed() -> tuple[str, ...]:
        return tuple(ref for ref in meta.find_referenced_templates(environment.parse(source, name, filename)) if ref)
    return _references.made((name, filename, source), parsed)


def _declared_fields(chain: list[tuple[Path, KitManifest]], overrides: tuple[Path, ...]) -> tuple:
    """Fields declared by the template folders, the kit, and the kits it inherits its model
    from (a kit naming a model of its own starts afresh, as its model does), farthest first."""
    inherited = []
    for root, manifest in chain:
        inherited.append((root / "kit.toml", manifest.field))
        if manifest.model is not None:
            break
    sources = [*reversed(inherited), *((folder / "fields.toml", None) for folder in overrides)]
    declared: dict[str, DeclaredField] = {}
    for path, tables in sources:
        if tables is None:  # a template folder's fields.toml, when it has one
            if not path.is_file():
                continue
            tables = _toml(path).get("field", [])
        try:
            for field in read_declared(list(tables), str(path)):
                if field.name in declared:
                    raise ValueError(f"{path}: field {field.name!r} is declared already, by a kit it builds on")
                declared[field.name] = field
        except ValueError as error:
            raise KitError(str(error)) from None
    return tuple(declared.values())


def _load_model(path: Path | None, class_name: str, declared: tuple[DeclaredField, ...],
                manifest: Path) -> type[Letter]:
    """The model class (`Letter` when no kit in the chain has one), run once per file,
    extended once per set of declared fields: a kit loaded with other template folders in
    front shares it, so a case validated for one is a case of the other. Under the lock."""
    if path is None:
        _models[path] = Letter
    elif path not in _models:
        _models[path] = _run_model(path, class_name)
    key = (path, tuple(field.model_dump_json() for field in declared))  # a default may be a table: unhashable
    if key not in _extended:
        try:
            _extended[key] = extend_model(_models[path], declared)
        except ValueError as error:
            raise KitError(f"{manifest}: {error}") from None
    return _extended[key]


def _run_model(path: Path, class_name: str) -> type[Letter]:
    # Registered under a name of its own in sys.modules: pydantic resolves the model's
    # annotations through its module.
    module_name = "letterkit_kit_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise KitError(f"{path}: cannot load the kit's model")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the kit's own Python: one line naming its file and line, never a traceback
        del sys.modules[module_name]
        raise KitError(f"{path}:{_line_in(path, error)}: the kit's model does not load: "
                       f"{type(error).__name__}: {error.msg if isinstance(error, SyntaxError) else error}") from None
    model = getattr(module, class_name, None)
    if not (isinstance(model, type) and issubclass(model, Letter)):
        raise KitError(f"{path}: {class_name} is not a letterkit.model.Letter")
    return model


def _line_in(path: Path, error: Exception) -> int | str:
    """The line of `path` where `error` was raised (a syntax error's own), or "?"."""
    if isinstance(error, SyntaxError) and error.filename == str(path):
        return error.lineno or "?"
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(path)]
    return lines[-1] if lines and lines[-1] is not None else "?"


def _digest(files: Resolver) -> str:
    """Every file of the search path, names and contents; caches Python leaves aside."""
    digest = hashlib.sha256()
    for folder in files.folders:
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            if path.is_symlink():  # where it points, never what it points to (it may lead out)
                digest.update(os.readlink(path).encode())
            elif path.is_file():
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
