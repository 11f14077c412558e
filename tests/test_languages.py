"""A letter in the reader's language: blocks per language, a declared fallback, and
never a letter tagged with a language its text is not in (issue 38)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml
from author_kit import write_kit
from conftest import ROOT, small_case
from jinja2 import nodes
from typer.testing import CliRunner

import letterkit
from letterkit import tree
from letterkit.cli import app
from letterkit.kits import VOCABULARY, builtin_kits
from letterkit.languages import translated_name

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
    toml += 'rules = "rules.toml"\nholidays = "holidays.toml"\n' if rules else ""
    (kit / "kit.toml").write_text(toml)
    (kit / "blocks" / "body.md.j2").write_text('{% include "blocks/notice.md.j2" %}\n\n{% if body %}\n{{ body }}\n'
                                               '{% endif %}\n')
    (kit / "blocks" / "notice.md.j2").write_text(BODY)
    if spanish_body:
        (kit / "blocks" / "es" / "notice.md.j2").write_text(CUERPO)
    if rules:
        (kit / "rules.toml").write_text(rules)
        (kit / "holidays.toml").write_text('name = "None"\nsource = "none"\nyears = [2026, 2027]\n'
                                           '[dates]\n"2026" = [2026-12-25]\n"2027" = [2027-01-01]\n')
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
               for p in word.paragraphs for run in p.runs
               if run._r.rPr is not None and run._r.rPr.find(lang) is not None}
    assert by_text["Sincerely,"] == "en-US" and by_text["Atentamente,"] == "es-US"


# What a letter prints untranslated: listed by validate and in the manifest ------------

def test_validate_lists_the_blocks_a_spanish_letter_prints_in_the_fallback(tmp_path):
    kit = _notice(tmp_path, fallback="en", spanish_body=False)
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(_case(language="es-US")))
    result = CliRunner().invoke(app, ["validate", str(case), "--kit", str(kit)])
    assert result.exit_code == 0, result.output
    assert (f"warning {case}: es-US: blocks/notice.md.j2: has no Spanish translation; printed in English (en), "
            "tagged so") in result.output


def test_the_manifest_line_says_the_language_the_translator_and_what_is_untranslated(tmp_path):
    kit = _notice(tmp_path, fallback="en", spanish_body=False)
    cases = tmp_path / "cases"
    cases.mkdir()
    translation = {"es": {"translator": "Ana Ruiz, CCHI", "date": "2026-12-01",
                          "text": {"subject": "Su apelación"}}}
    (cases / "one.yaml").write_text(yaml.safe_dump(_case(language="es-US", subject="Your appeal", body="We *agree*.",
                                                         translations=translation)))
    result = CliRunner().invoke(app, ["batch", str(cases), "--kit", str(kit), "-f", "html", "-o",
                                      str(tmp_path / "out"), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    line = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert line["language"] == "es-US"
    assert (line["translated_by"], line["translated_on"]) == ("Ana Ruiz, CCHI", "2026-12-01")
    assert line["untranslated"] == ["blocks/notice.md.j2", "body"]
    page = (tmp_path / "out" / "one.html").read_text()
    assert "<strong>Su apelación</strong>" in page
    assert '<p lang="en">We <em>agree</em>.</p>' in page  # the body: the case's English


def test_a_kit_may_refuse_case_text_its_letter_language_has_no_translation_of(tmp_path):
    kit = _notice(tmp_path)
    (kit / "kit.toml").write_text((kit / "kit.toml").read_text() + 'untranslated_case_text = "refuse"\n')
    with pytest.raises(letterkit.CaseError) as refused:
        letterkit.render(_case(language="es-US", body="We agree."), kit, ("html",))
    assert refused.value.problems == [("body", "has no Spanish translation (translations.es.text), and kit 'notice' "
                                               "prints no case text in another language "
                                               "(untranslated_case_text = \"refuse\")")]
    translated = {"es": {"translator": "A. Ruiz", "date": "2026-12-01", "text": {"body": "Estamos de acuerdo."}}}
    page = letterkit.render(_case(language="es-US", body="We agree.", translations=translated), kit,
                            ("html",))["html"].decode()
    assert "<p>Estamos de acuerdo.</p>" in page and "We agree" not in page


def test_a_translation_naming_no_text_field_is_refused_naming_its_path(tmp_path):
    kit = _notice(tmp_path)
    translated = {"es": {"translator": "A. Ruiz", "date": "2026-12-01", "text": {"letter_date": "hoy", "bdy": "x"}}}
    with pytest.raises(letterkit.CaseError) as refused:
        letterkit.render(_case(language="es-US", body="We agree.", translations=translated), kit, ("html",))
    assert [path for path, _ in refused.value.problems] == ["translations.es.text.letter_date",
                                                             "translations.es.text.bdy"]


# The macros in each language: the blocks' vocabulary, the same in each ---------------------

_CATCH_ALLS = {"varargs", "kwargs", "caller"}
_MARKUP = re.compile(r"<(/?[\w-]+)|\s([\w-]+)=")  # the tags and attribute names raw text writes


def _macros(kit: letterkit.Kit, path: Path) -> dict[str, tuple]:
    """Each macro a macros file defines: its parameters, their defaults, the catch-alls it
    takes (`varargs`…) and what its body does, without its words."""
    parsed = kit.environment.parse(path.read_text(encoding="utf-8"))
    return {macro.name: ([parameter.name for parameter in macro.args], _shape(macro.defaults),
                         sorted({name.name for name in macro.find_all(nodes.Name)} & _CATCH_ALLS), _shape(macro.body))
            for macro in parsed.find_all(nodes.Macro)}


def _shape(node: Any) -> Any:
    """A template's nodes with its words taken out: raw text is reduced to the HTML it
    writes (tags, attribute names), a constant printed as it is to "words"; every call,
    filter, test, name and other constant stays as it is."""
    if isinstance(node, list):
        return [_shape(child) for child in node]
    if isinstance(node, nodes.TemplateData):
        return ("markup", _MARKUP.findall(node.data))
    if isinstance(node, nodes.Output):
        return ("output", [("words",) if isinstance(child, nodes.Const) and isinstance(child.value, str)
                           else _shape(child) for child in node.nodes])
    if isinstance(node, nodes.Node):
        return (type(node).__name__, *(_shape(value) for _, value in node.iter_fields()))
    return node


@pytest.mark.parametrize("kit_name", builtin_kits())
def test_each_language_of_a_built_in_kit_has_the_same_macros_doing_the_same_thing(kit_name):
    """A Spanish block calls what an English one calls: each language's macros file defines
    the macros of the kit's own language, each with the same parameters and the same body
    but for its words. The Spanish `lines_of` had lost its party handling, `long_date` and
    `short_date` the kit's date forms, `table` the Markdown of its cells."""
    kit = letterkit.load_kit(kit_name)
    for name, path in kit.files.names(VOCABULARY).items():
        own = _macros(kit, path)
        for language in kit.languages[1:]:
            translation = kit.files.locate(translated_name(name, language))
            assert translation is not None, f"kit {kit_name}: {name} has no {language} translation"
            translated = _macros(kit, translation)
            assert sorted(translated) == sorted(own), f"{translation}: not the macros of {path}"
            assert [macro for macro in own if translated[macro] != own[macro]] == [], \
                f"{translation}: these macros do something else than {path}'s"


def _ur_case_of_the_kit(path: Path) -> dict:
    """A UR example's case for a kit that extends ur (the example names its kit)."""
    return {key: value for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items() if key != "kit"}


def _copies_named(tmp_path: Path, extends: str) -> Path:
    """A kit on `extends` whose rule asks that each copy's recipient be printed by name."""
    return write_kit(tmp_path / f"copies-{extends}", {
        "kit.toml": f'extends = "{extends}"\nlanguages = ["en", "es"]\nrules = "rules.toml"\n',
        "rules.toml": '[[rule]]\nid = "copies-named"\ncitation = "Local policy 3"\n'
                      'statement = "The letter names who gets a copy."\ncheck = "field"\n'
                      'fields = ["cc[*].name", "cc[*].organisation"]\nprinted = true\n'})


@pytest.mark.parametrize("extends, case", [
    ("letter", _case(cc=[{"name": "Dana Lee", "organisation": "Lee Law"}])),
    ("ur", _ur_case_of_the_kit(UR_ES) | {"cc": [{"name": "Claims Unit", "organisation": "Pacific Coast Risk"}]}),
], ids=["letter", "ur"])
def test_a_spanish_letter_prints_each_copys_recipient_as_the_english_one_does(tmp_path, extends, case):
    """The closing prints `cc` through `party_line` in both languages, so a rule that each
    copy's recipient be printed is met in both. The Spanish closings printed each party
    whole (`lines_of(cc)`, and the Spanish `lines_of` had no party handling): the same
    words, of no field, and `--strict` refused the Spanish letter."""
    kit = _copies_named(tmp_path, extends)
    for language in ("en-US", "es-US"):
        assert letterkit.check_rules(case | {"language": language}, letterkit.load_kit(kit)) == [], language
    english = letterkit.render(case | {"language": "en-US"}, kit, ("html",))["html"].decode()
    spanish = letterkit.render(case | {"language": "es-US"}, kit, ("html",))["html"].decode()
    cc = case["cc"][0]
    spanish_name = case.get("translations", {}).get("es", {}).get("text", {}).get("cc[0].name", cc["name"])
    assert f"{cc['name']}, {cc['organisation']}</p>" in english
    assert f"{spanish_name}, {cc['organisation']}</p>" in spanish


def test_the_spanish_macros_print_dates_in_the_kits_forms_and_markdown_in_table_cells(tmp_path):
    """The same block in English and Spanish, through the macros, composes the same nodes:
    the kit's short date form (the Spanish macros wrote the US one), the kit's Markdown in a
    table cell (the Spanish table printed `bold("Plan")` as "**Plan**"), each copy's name
    and organisation as its fields (the Spanish printed the party whole, of no field)."""
    block = ('<div class="probe" markdown="1">\n\n{{ short_date(letter_date) }}\n\n{{ lines_of(cc) }}\n\n'
             '{{ table([[bold("Plan"), body]]) }}\n\n</div>\n')
    kit = letterkit.load_kit(write_kit(tmp_path / "probe", {
        "kit.toml": 'extends = "letter"\nlanguages = ["en", "es"]\n\n[dates]\nshort = "%d/%m/%Y"\n',
        "blocks/body.md.j2": block, "blocks/es/body.md.j2": block}))
    body = "A plan.\n\n- one\n- two\n"  # its own translation: not tagged as English in the Spanish letter
    case = _case(letter_date="2026-03-02", cc=[{"name": "Dana Lee", "organisation": "Lee Law"}], body=body,
                 translations={"es": {"translator": "A. Ruiz", "date": "2026-03-01", "text": {"body": body}}})
    probes = {language: _probe(letterkit.compose(letterkit.validate(case | {"language": language}, kit), kit))
              for language in ("en-US", "es-US")}
    assert probes["es-US"] == probes["en-US"]
    texts = [(node.text, node.field) for node in _walk(probes["en-US"]) if isinstance(node, tree.Text)]
    assert texts[:5] == [("02/03/2026", "letter_date"), ("Dana Lee", "cc[0].name"), (", ", None),
                         ("Lee Law", "cc[0].organisation"), ("Plan", "")]
    assert any(isinstance(node, tree.Strong) for node in _walk(probes["en-US"]))


def _probe(document: tree.Document) -> tree.Div:
    return next(node for node in _walk(document) if isinstance(node, tree.Div) and node.cls == "probe")


def _walk(node: tree.Node) -> Iterator[tree.Node]:
    yield node
    for child in tree.child_nodes(node):
        yield from _walk(child)


# Rules in each language -----------------------------------------------------------------

PHRASE_RULE = """
[[rule]]
id = "appeal-window"
citation = "Local policy 1"
statement = "The letter says how long the member has to appeal."
check = "phrase"
phrase = { en = "within 30 days", es = "dentro de 30 días" }

[[rule]]
id = "appeal-by"
citation = "Local policy 2"
statement = "The letter prints the last day to appeal."
check = "deadline"
name = "appeal_by"
start = "letter_date"
days = 30
roll_forward = false
"""


def test_strict_checks_a_spanish_letter_against_the_spanish_phrase(tmp_path):
    kit = _notice(tmp_path, rules=PHRASE_RULE)
    (kit / "blocks" / "notice.md.j2").write_text(BODY + "Appeal by {{ deadlines.appeal_by | date }}.\n")
    (kit / "blocks" / "es" / "notice.md.j2").write_text(CUERPO
                                                       + "Apele a más tardar el {{ deadlines.appeal_by | date }}.\n")
    files = letterkit.render(_case(), kit, ("html",), strict=True, language="en+es")  # both meet both rules
    page = files["html"].decode()
    assert "Appeal by January 6, 2027." in page and "Apele a más tardar el 6 de enero de 2027." in page
    (kit / "blocks" / "es" / "notice.md.j2").write_text("Puede apelar en un mes. Apele a más tardar el "
                                                       "{{ deadlines.appeal_by | date }}.\n")
    letterkit.forget_kits()
    letterkit.render(_case(), kit, ("html",), strict=True)  # the English letter still meets it
    with pytest.raises(letterkit.RuleError) as broken:
        letterkit.render(_case(language="es-US"), kit, ("html",), strict=True)
    assert [f.rule.id for f in broken.value.failures] == ["appeal-window"]
    assert "the phrase 'dentro de 30 días' appears 0 times" in broken.value.failures[0].message


def test_a_kit_that_speaks_spanish_without_fallback_states_each_phrase_in_spanish(tmp_path):
    kit = _notice(tmp_path, rules=PHRASE_RULE.replace('{ en = "within 30 days", es = "dentro de 30 días" }',
                                                      '"within 30 days"'))
    with pytest.raises(letterkit.KitError, match=r"rule appeal-window \(Local policy 1\) states its phrase in en only, "
                                                  r"and kit 'notice' writes letters in es with no fallback"):
        letterkit.load_kit(kit)


def test_money_and_numbers_are_written_as_the_letters_language_writes_them(tmp_path):
    kit = _notice(tmp_path)
    (kit / "blocks" / "es" / "notice.md.j2").write_text("Importe: {{ 1234.5 | money }}; {{ 1234567 | number }} "
                                                       "visitas; {{ ['A', 'B', 'C'] | and_list }}.\n")
    page = letterkit.render(_case(language="es-US"), kit, ("html",))["html"].decode()
    assert "Importe: $1,234.50; 1,234,567 visitas; A, B y C." in page
    page = letterkit.render(_case(language="es-ES"), kit, ("html",))["html"].decode()
    assert "1.234,50" in page and "A, B y C" in page


ABD_ES = ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri-es.yaml"


def test_the_spanish_adverse_benefit_notice_meets_the_rules_in_spanish_and_offers_english_tagged_so():
    page = letterkit.render(letterkit.read_case(ABD_ES), "adverse-benefit", ("html",), strict=True)["html"].decode()
    assert '<html lang="es-US">' in page and "Por qué lo denegamos:" in page and "2 de marzo de 2026" in page
    assert '<p lang="en">ENGLISH: To get help in English, call 1-800-555-0100.</p>' in page
    body = page.split("<main", 1)[1].replace('<p lang="en">ENGLISH: To get help in English, call', "")
    for words in ("Why we denied", "How to appeal", "Sincerely", "Dear ", "Medical Director", "lower back", " the "):
        assert words not in body, words


@pytest.mark.parametrize("kit_name", ["ur", "adverse-benefit"])
def test_the_built_in_kits_that_speak_spanish_translate_every_block_and_mark_each_for_review(kit_name):
    kit = letterkit.load_kit(kit_name)
    assert kit.languages == ("en", "es") and kit.speeches["es"].fallback is None
    assert kit.speeches["es"].untranslated == ()
    for path in (ROOT / "templates").rglob("*.j2"):
        if "/es/" in path.as_posix():
            assert "A qualified translator must review this translation before it is used" in path.read_text(), path


# Catalogues for translators -------------------------------------------------------------

@pytest.mark.slow  # the command line and msgfmt, each a process of its own
@pytest.mark.parametrize("kit_name", ["ur", "adverse-benefit", "imr"])
def test_the_pot_of_a_kits_phrases_passes_msgfmt_check(tmp_path, kit_name):
    pot = tmp_path / f"{kit_name}.pot"
    result = subprocess.run([sys.executable, "-m", "letterkit", "translations", "extract", "--kit", kit_name,
                             "-o", str(pot)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    checked = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(pot)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.count("error") == 0


def test_the_pot_holds_headings_labels_the_closing_and_the_rules_phrases_with_where_they_stand():
    from babel.messages.pofile import read_po

    from letterkit.phrasebook import catalogue
    pot = read_po(io.BytesIO(catalogue(letterkit.load_kit("ur"))))
    assert ("blocks/ur-summary.md.j2", 2) in pot["CLINICAL SUMMARY"].locations
    assert "Claim Number:" in pot and "Requested treatment" in pot
    assert pot["Sincerely,"].auto_comments == ["the closing"]
    assert pot["Approved instead:"].auto_comments[0].startswith("rule approved-if-modified")
    assert not any("{{" in message.id for message in pot if message.id)
    assert "Plan" not in pot  # an example in a comment is no phrase of the letter


def test_translations_status_prints_what_a_language_lacks(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["translations", "status", "es", "--kit", "ur"]).exit_code == 0
    imr = runner.invoke(app, ["translations", "status", "es", "--kit", "imr"])
    assert imr.exit_code == 1
    assert "kit.toml: does not list es in `languages`: the kit writes no letter in Spanish" in imr.output
    assert ("blocks/appeal-rights.md.j2: no translation (blocks/es/appeal-rights.md.j2): a letter in Spanish "
            "is refused") in imr.output
    kit = _notice(tmp_path, fallback="en", spanish_body=False)
    notice = runner.invoke(app, ["translations", "status", "es", "--kit", str(kit)])
    assert notice.exit_code == 1
    assert notice.output == ("blocks/notice.md.j2: no translation (blocks/es/notice.md.j2): printed in English, "
                             "tagged so\n")
