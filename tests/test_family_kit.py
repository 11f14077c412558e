"""A new family of letters written in a test from TOML, Jinja and CSS only: a Medicare-style
notice of denial (plan and member, denied items with reasons, appeal kinds, a form number
in the footer, a tagline in Spanish) on the neutral `letter` kit. No `.py` in its folder."""

from __future__ import annotations

import io
import json
import re
import zipfile

import docx
import pikepdf
import pypdf
import pytest
from author_kit import PLAN_FIELD, write_kit
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()

KIT_TOML = '''
name = "denial-notice"
description = "Notice of denial of medical coverage"
extends = "letter"
rules = "rules.toml"

# Word styles for the family's classes: the DOCX counterpart of extra.css.
[[style]]
class = "denied-item"
size = 13
bold = true
color = "8B0000"
space_before = 6
keep_with_next = true

[[style]]
class = "plan"
type = "table"
border = "none"

''' + PLAN_FIELD + '''  [[field.field]]
  name = "hours"
  type = "text"
  default = "8 a.m. to 8 p.m., seven days a week"

[[field]]
name = "denial_kind"
type = "choice"
values = ["service", "payment"]
required = true

[[field]]
name = "fast_appeal"
type = "boolean"

[[field]]
name = "denied"
type = "list of group"
required = true
description = "Each item denied, with its reason."
  [[field.field]]
  name = "item"
  type = "text"
  required = true
  [[field.field]]
  name = "reason"
  type = "rich text"
  required = true
  [[field.field]]
  name = "dates"
  type = "list of date"

[[field]]
name = "appeal_days"
type = "number"
default = 60
'''

RULES_TOML = '''
[[rule]]
id = "reason-per-item"
citation = "42 CFR 422.568(e)"
statement = "Each denied item gives its specific reason."
check = "field"
fields = ["denied[*].reason"]
printed = true

[[rule]]
id = "fast-appeal"
citation = "42 CFR 422.584"
statement = "A service denial says how to ask for a fast appeal."
check = "phrase"
phrase = "ask for a fast appeal"
when = "denial_kind == service"

[[rule]]
id = "fast-appeal-granted"
citation = "42 CFR 422.584(d)"
statement = "A fast appeal is answered within 72 hours."
check = "phrase"
phrase = "within 72 hours"
when = "fast_appeal"
'''

BODY = '''{#- The notice's own text. -#}
We have **denied** the {{ "services" if denial_kind == "service" else "payment" }} listed below.

<div class="plan" markdown>

{{ table([["Plan", plan.name], ["Member", recipient.name]], widths=[30, 70]) }}

</div>

{% for entry in denied %}
**{{ entry.item }}**
{: .denied-item }

{{ entry.reason }}

{% endfor %}
You have {{ appeal_days }} days to appeal. Call {{ plan.name }} at {{ plan.phone }}, {{ plan.hours }}.
{% if denial_kind == "service" %}

If waiting could harm your health, ask for a fast appeal.
{% endif %}
{% if fast_appeal %}

We will answer your fast appeal within 72 hours.
{% endif %}

Si necesita ayuda en español, llame al {{ plan.phone }}.
{: lang="es" }
'''


LETTER = '''Title: Notice of Denial of Medical Coverage
Language: {{ language }}
Author: {{ organisation.name }}
Header: {{ plan.name }} · {{ recipient.name }}
First-Page-Header:
Footer: Form CMS-10003-NDMC · Page {page} of {pages}

{% include "blocks/letterhead.md.j2" %}

{% include "blocks/addressee.md.j2" %}

{% include "blocks/body.md.j2" %}

{{ page_break() }}

{% include "blocks/closing.md.j2" %}
'''


EXTRA_CSS = """p.denied-item { font-size: 13pt; font-weight: bold; color: #8b0000; margin-top: 6pt; }
.plan td { border: none; }
"""


def family_kit(folder):
    """The family's folder: kit.toml, rules.toml, its letter, one block. TOML, Jinja, CSS."""
    kit_toml = KIT_TOML.replace('extends = "letter"', 'extends = "letter"\nletter = "letter.md.j2"')
    return write_kit(folder, {"kit.toml": kit_toml,
                              "letter.md.j2": LETTER, "rules.toml": RULES_TOML, "blocks/body.md.j2": BODY,
                              "extra.css": EXTRA_CSS})


def family_case(**more) -> dict:
    return {
        "letter_date": "2026-03-02", "organisation": {"name": "Example Medicare Plan"},
        "recipient": {"name": "Pat Member"}, "plan": {"name": "Example Medicare Plan", "phone": "1-800-555-0100"},
        "denial_kind": "service",
        "denied": [{"item": "Power wheelchair", "reason": "Not medically necessary: you can walk 50 feet."},
                   {"item": "Home oxygen", "reason": "Your oxygen level is normal.", "dates": ["2026-02-01"]}],
        **more,
    }


@pytest.fixture
def kit(tmp_path):
    return family_kit(tmp_path / "denial-notice")


def test_the_family_has_no_python(kit):
    assert not list(kit.rglob("*.py"))
    assert letterkit.load_kit(kit).search_path[-1].name == "letter"


def test_grouped_and_listed_fields_validate_with_defaults(kit):
    letter = letterkit.validate(family_case(), letterkit.load_kit(kit))
    assert letter.plan.hours == "8 a.m. to 8 p.m., seven days a week"  # the default
    assert letter.appeal_days == 60 and letter.fast_appeal is False
    assert str(letter.denied[1].dates[0]) == "2026-02-01"
    page = letterkit.render(family_case(), kit=kit, formats=("html",))["html"].decode()
    assert "Power wheelchair" in page and "seven days a week" in page and "You have 60 days" in page


@pytest.mark.parametrize("change, message", [
    (lambda case: case["denied"][1].pop("reason"), "denied[1].reason: required field is missing"),
    (lambda case: case["denied"][0].update(dates=["soon"]), "denied[0].dates[0]: Input should be a valid date"),
    (lambda case: case["plan"].update(fax="1"), "plan.fax: unknown field"),
    (lambda case: case.update(denial_kind="drug"), "denial_kind: Input should be 'service' or 'payment'"),
    (lambda case: case.update(fast_appeal="maybe"), "fast_appeal: Input should be a valid boolean"),
])
def test_a_wrong_value_is_refused_naming_its_field_path(kit, change, message):
    case = family_case()
    change(case)
    with pytest.raises(letterkit.CaseError) as error:
        letterkit.validate(case, letterkit.load_kit(kit))
    assert message in str(error.value)


def test_rules_read_booleans_and_choices(kit):
    loaded = letterkit.load_kit(kit)
    assert letterkit.check_rules(family_case(), loaded) == []
    assert letterkit.check_rules(family_case(denial_kind="payment", fast_appeal=True), loaded) == []
    # A fast appeal whose sentence the block leaves out breaks the rule that reads the boolean.
    (kit / "blocks" / "body.md.j2").write_text(BODY.replace("within 72 hours", "soon"))
    letterkit.forget_kits()
    failures = letterkit.check_rules(family_case(fast_appeal=True), letterkit.load_kit(kit))
    assert [failure.rule.id for failure in failures] == ["fast-appeal-granted"]


def test_schema_vars_and_lint_see_the_structured_fields(kit):
    schema = json.loads(runner.invoke(app, ["schema", "--kit", str(kit)]).stdout)
    assert schema["properties"]["denial_kind"]["enum"] == ["service", "payment"] or \
        "service" in json.dumps(schema["properties"]["denial_kind"])
    assert "reason" in json.dumps(schema["$defs"]["Denied"])
    names = runner.invoke(app, ["vars", "--kit", str(kit)]).stdout
    assert "denied[].reason" in names and "plan.hours" in names and "fast_appeal" in names
    (kit / "blocks" / "body.md.j2").write_text(BODY + "{{ plan.email }}\n")
    letterkit.forget_kits()
    result = runner.invoke(app, ["lint", "--kit", str(kit)])
    assert "prints 'plan.email'" in result.stderr


@pytest.mark.parametrize("field, message", [
    ('name = "x"\ntype = "group"\n', "field[0] 'x': a group needs its fields"),
    ('name = "x"\ntype = "text"\n[[field.field]]\nname = "y"\ntype = "text"\n', "only a group has fields"),
    ('name = "x"\ntype = "number"\ndefault = "many"\n', "field[0] 'x': default: "),
    ('name = "x"\ntype = "text"\nrequired = true\ndefault = "a"\n', "a required field has no default"),
])
def test_a_mistaken_field_is_refused_naming_it(tmp_path, field, message):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[[field]]\n' + field)
    with pytest.raises(letterkit.KitError, match=message.replace("[", r"\[").replace("]", r"\]")):
        letterkit.load_kit(tmp_path)


SPANISH = "Si necesita ayuda en español, llame al 1-800-555-0100."


def _text_by_mcid(pdf: bytes, page_number: int) -> dict[int, str]:
    """The text each marked-content sequence of a page draws, by its MCID."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[page_number]
    found: dict[int, str] = {}
    current: list[int] = []  # the MCIDs of the sequences open at this point, innermost last

    def operator(op, args, *_):
        if op == b"BDC" and isinstance(args[1], dict) and "/MCID" in args[1]:
            current.append(int(args[1]["/MCID"]))
        elif op == b"EMC" and current:
            current.pop()

    def text(value, *_):
        if current:
            found[current[-1]] = found.get(current[-1], "") + value

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return found


def _structure_languages(pdf: bytes) -> list[tuple[str, str, list[int]]]:
    """(tag, /Lang, MCIDs under it) for each structure element that has a /Lang."""
    found = []

    def mcids(element) -> list[int]:
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        return [int(kid) for kid in kids if isinstance(kid, int)] + \
            [mcid for kid in kids if isinstance(kid, pikepdf.Dictionary) for mcid in mcids(kid)]

    def walk(element):
        if "/Lang" in element:
            found.append((str(element.S), str(element.Lang), mcids(element)))
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot.K[0])
    return found


def test_a_spanish_paragraph_is_tagged_es_in_html_docx_and_pdf(kit):
    files = letterkit.render(family_case(), kit=kit,
                             options=letterkit.WriterOptions(pdf_variant="pdf/ua-1"))  # a tagged PDF
    assert f'<p lang="es">{SPANISH}</p>' in files["html"].decode()
    body = zipfile.ZipFile(io.BytesIO(files["docx"])).read("word/document.xml").decode()
    assert re.search(r'<w:lang w:val="es"/></w:rPr><w:t>Si necesita ayuda en español', body)
    assert body.count('w:val="es"') == 1  # the rest of the letter is in the document's language
    tagged = _structure_languages(files["pdf"])
    assert [(tag, lang) for tag, lang, _ in tagged] == [("/P", "es")]
    assert _text_by_mcid(files["pdf"], 0)[tagged[0][2][0]].strip() == SPANISH


def test_a_language_tag_that_is_not_one_is_refused(kit):
    (kit / "blocks" / "body.md.j2").write_text(BODY.replace('lang="es"', 'lang="spanish please"'))
    with pytest.raises(letterkit.TemplateError, match="is not a language tag"):
        letterkit.render(family_case(), kit=kit, formats=("html",))


def test_a_two_column_table_without_a_header_row_keeps_its_widths_in_every_format(kit):
    files = letterkit.render(family_case(), kit=kit)
    page = files["html"].decode()
    table = page[page.index("<table"):page.index("</table>")]
    assert "<th" not in table and "<thead" not in table
    assert '<col style="width: 30%"><col style="width: 70%">' in table
    assert "<td>Member</td><td>Pat Member</td>" in table and '<div class="plan">' in page
    word = docx.Document(io.BytesIO(files["docx"]))
    [table] = word.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == \
        [["Plan", "Example Medicare Plan"], ["Member", "Pat Member"]]
    assert "w:tblHeader" not in table._tbl.xml and 'w:tblLayout w:type="fixed"' in table._tbl.xml
    first, second = (cell.width for cell in table.rows[0].cells)
    assert round(first / (first + second), 2) == 0.30
    assert "Member Pat Member" in " ".join(pypdf.PdfReader(io.BytesIO(files["pdf"])).pages[0].extract_text().split())


def test_the_table_macro_makes_a_header_row_when_asked(kit):
    (kit / "blocks" / "body.md.j2").write_text(
        '{{ table([["Item", "Decision"], ["Wheelchair", "Denied"]], header=true) }}\n')
    files = letterkit.render(family_case(), kit=kit, formats=("html", "docx"))
    assert '<thead>\n<tr><th scope="col">Item</th>' in files["html"].decode()
    assert "w:tblHeader" in docx.Document(io.BytesIO(files["docx"])).tables[0]._tbl.xml


def test_a_footer_with_page_x_of_y_in_pdf_and_docx(kit):
    files = letterkit.render(family_case(), kit=kit)
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages]
    assert len(pages) == 2
    assert pages[0].endswith("Form CMS-10003-NDMC · Page 1 of 2")
    assert pages[-1].endswith("Example Medicare Plan · Pat Member Form CMS-10003-NDMC · Page 2 of 2")
    assert "Example Medicare Plan · Pat Member" not in pages[0]  # page 1 has no running header
    with zipfile.ZipFile(io.BytesIO(files["docx"])) as word:
        document = word.read("word/document.xml").decode()
        relationships = word.read("word/_rels/document.xml.rels").decode()
        assert "<w:titlePg/>" in document  # page 1 has a header and footer of its own

        def part(kind: str, page: str) -> str:
            reference = re.search(rf'<w:{kind}Reference w:type="{page}" r:id="(\w+)"/>', document)
            assert reference, f"no {page} {kind} in document.xml"
            rid = reference.group(1)
            target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', relationships)
            assert target, f"no relationship {rid}"
            return word.read("word/" + (target.group(1) or target.group(2))).decode()

        for page in ("default", "first"):
            footer = part("footer", page)
            assert "Form CMS-10003-NDMC · Page " in footer
            assert re.findall(r"<w:instrText[^>]*> (\w+) </w:instrText>", footer) == ["PAGE", "NUMPAGES"]
        assert "Example Medicare Plan · Pat Member" in part("header", "default")
        assert "<w:t" not in part("header", "first")
    page = files["html"].decode()
    assert ('<footer class="running-footer">Form CMS-10003-NDMC<span class="page-numbers"> · Page '
            '<span class="page-number"></span>') in page  # the numbers apart: a screen has no pages
    assert ".first-page-footer { display: none; }" in page  # page 1's is for the PDF


def _drawn(pdf: bytes, wanted: str) -> tuple[float, tuple]:
    """The type size (points) and fill colour `wanted` is drawn in on page 1."""
    state, found = {"colour": None}, []

    def operator(op, args, matrix, text_matrix):
        if op == b"rg":
            state["colour"] = tuple(round(float(value), 3) for value in args)

    def text(value, matrix, text_matrix, font, size):
        if wanted in value:
            found.append((round(size * matrix[0] * text_matrix[0], 1), state["colour"]))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_operand_before=operator, visitor_text=text)
    return found[0]


def test_a_new_class_is_styled_in_pdf_and_docx_without_word(kit):
    assert runner.invoke(app, ["lint", "--kit", str(kit), "--strict"]).exit_code == 0  # CSS and Word style both there
    files = letterkit.render(family_case(), kit=kit, formats=("pdf", "docx"))
    assert _drawn(files["pdf"], "Power wheelchair") == (13.0, (0.545, 0.0, 0.0))  # #8b0000, from extra.css
    assert _drawn(files["pdf"], "You have 60 days")[0] == 11.0
    word = docx.Document(io.BytesIO(files["docx"]))
    [item] = [p for p in word.paragraphs if p.text == "Power wheelchair"]
    style = item.style
    assert style.name == "Denied Item" and style.font.size.pt == 13 and style.font.bold
    assert str(style.font.color.rgb) == "8B0000" and style.paragraph_format.keep_with_next
    table_style = word.tables[0].style
    assert table_style.name == "Plan" and 'w:val="nil"' in table_style.element.xml


@pytest.mark.parametrize("style, message", [
    ('class = "notice"\nsize = "big"\n', r"kit.toml: style\[0\] 'notice': size: "),
    ('class = "notice"\ncolour = "red"\n', r"style\[0\] 'notice': unknown key 'colour'"),
    ('class = "notice"\nbased_on = "Heading 99"\n', r"\[\[style\]\] 'notice': based_on 'Heading 99' is no style"),
])
def test_a_mistaken_word_style_is_refused_naming_it(tmp_path, style, message):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[[style]]\n' + style)
    with pytest.raises(letterkit.KitError, match=message):
        letterkit.load_kit(tmp_path)
