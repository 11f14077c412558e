"""A letter in the reader's language: blocks per language, a declared fallback, and
never a letter tagged with a language its text is not in (issue 38)."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import docx
import pikepdf
import pytest

import letterkit
from conftest import ROOT, small_case

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


# The built-in UR kit in Spanish, and letters in two languages -------------------------

UR = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"
UR_ES = ROOT / "examples" / "ur" / "ur-chiropractic-modified-es.yaml"


@pytest.mark.slow  # the command line in a process of its own
def test_render_language_es_writes_the_spanish_ur_letter(tmp_path):
    result = subprocess.run([sys.executable, "-m", "letterkit", "render", str(UR), "--kit", "ur", "--language", "es",
                             "-f", "html", "-o", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "ur-chiropractic-modified.html").read_text()
    assert '<html lang="es-US">' in page
    assert "21 de noviembre de 2013" in page and "November" not in page
    assert "RESUMEN CLÍNICO" in page and "Atentamente," in page


def test_the_spanish_ur_example_is_wholly_spanish_but_for_the_guideline_it_quotes():
    case = letterkit.read_case(UR_ES)
    page = letterkit.render(case, "ur", ("html",), strict=True)["html"].decode()
    assert '<html lang="es-US">' in page and "El trabajador lesionado refiere" in page
    body = page.split("<body", 1)[1]
    # Every English sentence in it is the guideline's passage, tagged English where it stands.
    english = [m.start() for m in re.finditer(r"Recommended for chronic pain", body)]
    assert english and all(body.rfind('lang="en"', 0, at) > body.rfind("</blockquote>", 0, at) for at in english)
    for words in ("Sincerely", "Dear ", "Reasons for the decision", "Chiropractic treatment", "Mondays"):
        assert words not in body, words


def _struct_languages(pdf: pikepdf.Pdf) -> list[tuple[str, str, int]]:
    """(tag, /Lang, page number) of each paragraph and heading of the structure, in order."""
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    found: list[tuple[str, str, int]] = []

    def walk(element) -> None:
        if str(element.get("/S")) in ("/P", "/H1", "/H2"):
            found.append((str(element.S), str(element.get("/Lang", "")), pages.get(element.get("/Pg").objgen, -1)))
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found


@pytest.mark.slow  # two letters laid out in a tagged PDF
def test_en_plus_es_is_one_tagged_file_english_then_spanish_each_part_in_its_language(tmp_path):
    result = subprocess.run([sys.executable, "-m", "letterkit", "render", str(UR_ES), "--kit", "ur",
                             "--language", "en+es", "-f", "pdf,html,docx", "--pdf-variant", "pdf/ua-1",
                             "-o", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "ur-chiropractic-modified-es.pdf") as pdf:
        found = _struct_languages(pdf)
    languages = [lang for _, lang, _ in found if lang != "en"]  # "en": the guideline quoted in the Spanish part
    first_spanish = languages.index("es-US")
    assert set(languages[:first_spanish]) == {"en-US"} and set(languages[first_spanish:]) == {"es-US"}
    assert first_spanish > 10 and len(languages) - first_spanish > 10
    english_pages = {page for _, lang, page in found if lang == "en-US"}
    spanish_pages = {page for _, lang, page in found if lang in ("es-US", "en") and page > max(english_pages) - 1}
    assert min(spanish_pages) == max(english_pages) + 1  # the Spanish letter starts on a page of its own
    page = (tmp_path / "ur-chiropractic-modified-es.html").read_text()
    assert page.index('<div lang="en-US">') < page.index("Sincerely,") < page.index('<div lang="es-US">') \
        < page.index("Atentamente,")
    word = docx.Document(tmp_path / "ur-chiropractic-modified-es.docx")
    lang = docx.oxml.ns.qn("w:lang")
    by_text = {run.text: run._r.rPr.find(lang).get(docx.oxml.ns.qn("w:val"))
               for p in word.paragraphs for run in p.runs if run._r.rPr is not None and run._r.rPr.find(lang) is not None}
    assert by_text["Sincerely,"] == "en-US" and by_text["Atentamente,"] == "es-US"
