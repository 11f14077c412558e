"""A letter in the reader's language: blocks per language, a declared fallback, and
never a letter tagged with a language its text is not in (issue 38)."""

from __future__ import annotations

import io
import re

import docx
import pytest

import letterkit
from conftest import small_case

BODY = "You may appeal this decision within 30 days.\n"
CUERPO = "Puede apelar esta decisión dentro de 30 días.\n"


def _case(**more) -> dict:
    return {"letter_date": "2026-12-07", "organisation": {"name": "Example Health Plan"},
            "recipient": {"name": "Jordan Example"}, **more}


def _notice(tmp_path, *, fallback: str | None = None, spanish_body: bool = True, rules: str | None = None):
    """A kit on the letter kit with a block of its own, `blocks/notice.md.j2`, and its Spanish."""
    kit = tmp_path / "notice"
    (kit / "blocks" / "es").mkdir(parents=True)
    toml = 'extends = "letter"\nlanguages = ["en", "es"]\n'
    toml += f'fallback = "{fallback}"\n' if fallback else ""
    toml += 'rules = "rules.toml"\n' if rules else ""
    (kit / "kit.toml").write_text(toml)
    (kit / "blocks" / "body.md.j2").write_text('{% include "blocks/notice.md.j2" %}\n')
    (kit / "blocks" / "notice.md.j2").write_text(BODY)
    if spanish_body:
        (kit / "blocks" / "es" / "notice.md.j2").write_text(CUERPO)
    if rules:
        (kit / "rules.toml").write_text(rules)
    return kit


def test_a_spanish_case_of_a_kit_that_writes_english_only_is_refused_never_tagged():
    # Today's bug: `language: es-US` rendered the English IMR letter tagged Spanish.
    case = small_case() | {"language": "es-US"}
    with pytest.raises(letterkit.CaseError, match=r"language: kit 'imr' writes its letters in English \(en\) "
                                                  r"only, not in Spanish \(es-US\)"):
        letterkit.render(case, "imr", ("html",))


def test_a_spanish_letter_prints_the_spanish_blocks_and_the_english_one_the_english(tmp_path):
    kit = _notice(tmp_path)
    spanish = letterkit.render(_case(language="es-US"), kit, ("html",))["html"].decode()
    english = letterkit.render(_case(), kit, ("html",))["html"].decode()
    assert '<html lang="es-US">' in spanish and "Puede apelar" in spanish and "You may appeal" not in spanish
    assert "Estimado/a Jordan Example:" in spanish and "Atentamente," in spanish  # the letter kit's Spanish
    assert "7 de diciembre de 2026" in spanish
    assert '<html lang="en-US">' in english and "You may appeal" in english and "December 7, 2026" in english


def test_a_block_without_its_spanish_and_no_fallback_refuses_the_spanish_letter_naming_it(tmp_path):
    kit = _notice(tmp_path, spanish_body=False)
    with pytest.raises(letterkit.CaseError) as refused:
        letterkit.render(_case(language="es-US"), kit, ("html",))
    assert refused.value.problems == [("language", "kit 'notice' has no Spanish (es) translation of "
                                                   "blocks/notice.md.j2 and no fallback language: add "
                                                   "blocks/es/notice.md.j2, or fallback = \"en\" in its kit.toml")]
    assert "You may appeal" in letterkit.render(_case(), kit, ("html",))["html"].decode()  # English still renders


def test_with_a_fallback_the_untranslated_block_is_english_tagged_english_and_listed(tmp_path):
    kit = _notice(tmp_path, fallback="en", spanish_body=False)
    files = letterkit.render(_case(language="es-US"), kit, ("html", "docx"))
    page = files["html"].decode()
    assert '<html lang="es-US">' in page
    assert re.search(r'<div lang="en">\s*<p>You may appeal this decision', page)
    assert "Estimado/a" in page  # the rest is Spanish
    word = docx.Document(io.BytesIO(files["docx"]))
    runs = [run for p in word.paragraphs for run in p.runs if "You may appeal" in run.text]
    assert runs and all(run._r.rPr.find(docx.oxml.ns.qn("w:lang")).get(docx.oxml.ns.qn("w:val")) == "en"
                        for run in runs)
    loaded = letterkit.load_kit(kit)
    assert loaded.speeches["es"].untranslated == ("blocks/notice.md.j2",)


def test_a_kit_declares_only_languages_it_can_name(tmp_path):
    kit = _notice(tmp_path)
    (kit / "kit.toml").write_text('extends = "letter"\nlanguages = ["en", "es"]\nfallback = "fr"\n')
    with pytest.raises(letterkit.KitError, match=r"fallback = 'fr' is not one of its languages \(en, es\)"):
        letterkit.load_kit(kit)


def test_a_template_folder_may_override_a_translation(tmp_path):
    kit = _notice(tmp_path)
    mine = tmp_path / "mine" / "blocks" / "es"
    mine.mkdir(parents=True)
    (mine / "notice.md.j2").write_text("Tiene 30 días para apelar.\n")
    page = letterkit.render(_case(language="es-US"), kit, ("html",), templates=[tmp_path / "mine"])["html"].decode()
    assert "Tiene 30 días para apelar." in page and "Puede apelar" not in page
