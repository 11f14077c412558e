"""A template folder is data, never code: blocks read values, call nothing, reach no file."""

from __future__ import annotations

import subprocess
import sys

import pytest

import letterkit

ESCAPES = [
    '{{ letter.parse_raw("{}") }}',
    '{{ letter.parse_file("/etc/passwd") }}',
    '{{ letter.model_validate_json("{}") }}',
    "{{ letter.copy() }}",
    "{{ letter.model_dump() }}",
    "{{ letter.json() }}",
    "{{ letter.__class__ }}",
    "{{ letter.__class__.__mro__ }}",
    "{{ organisation.model_config }}",
    "{{ items[0].construct() }}",
    "{{ letter_date.__class__.__subclasses__() }}",
    "{{ reviewer.licensure.append('x') }}",
]


def _block(tmp_path, text: str):
    (tmp_path / "blocks").mkdir(exist_ok=True)
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(f"# SUMMARY\n\n{text}\n")
    return tmp_path


@pytest.mark.parametrize("expression", ESCAPES)
def test_a_block_cannot_call_methods_of_the_case(case_data, tmp_path, expression):
    folder = _block(tmp_path, expression)
    with pytest.raises(letterkit.TemplateError) as error:
        letterkit.render(case_data, formats=("html",), templates=[folder])
    assert error.value.template.endswith("clinical-case-summary.md.j2") and error.value.line == 3
    assert "\n" not in str(error.value)


def test_the_pickle_escape_runs_nothing(case_data, tmp_path):
    canary = tmp_path / "canary"
    payload = f"cos\nsystem\n(S'touch {canary}'\ntR."
    folder = _block(tmp_path, f'{{{{ letter.parse_raw({payload!r}, proto="pickle", allow_pickle=True) }}}}')
    with pytest.raises(letterkit.TemplateError, match="unsafe"):
        letterkit.render(case_data, formats=("html",), templates=[folder])
    assert not canary.exists()


def test_blocks_still_read_fields_and_declared_computed_values(case_data, tmp_path):
    folder = _block(tmp_path, "{{ items[0].title }} / {{ letter.overall }} / {{ organisation.label }} / "
                              "{{ letter_date.isoformat() }} / {{ reviewer.licensure | join(', ') }}")
    html = letterkit.render(case_data, formats=("html",), templates=[folder])["html"].decode()
    assert "Massage therapy, 6 sessions / upheld / MAXIMUS / 2015-09-01 / California" in html


@pytest.mark.slow
def test_python_in_a_template_folder_is_refused_and_never_run(case_data, tmp_path):
    canary = tmp_path / "canary"
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "model.py").write_text(f"open({str(canary)!r}, 'w').write('ran')\n")
    case = tmp_path / "case.yaml"
    case.write_text(__import__("yaml").safe_dump(case_data))
    for command in (["render", str(case), "-o", str(tmp_path / "out")], ["validate", str(case)],
                    ["batch", str(tmp_path), "-o", str(tmp_path / "out")], ["lint"]):
        result = subprocess.run([sys.executable, "-m", "letterkit", *command, "--templates", str(folder)],
                                capture_output=True, text=True)
        assert result.returncode != 0, command
        assert "never Python" in result.stderr and "Traceback" not in result.stderr, command
    assert not canary.exists()


@pytest.mark.parametrize("name", ["blocks/clinical-case-summary.md.j2", "style.css", "images/letterhead.png",
                                  "guidelines/stolen.yaml"])
def test_a_symbolic_link_out_of_a_template_folder_is_refused(case_data, tmp_path, name):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENTS")
    folder = tmp_path / "mine"
    (folder / name).parent.mkdir(parents=True)
    (folder / name).symlink_to(secret)
    with pytest.raises(letterkit.LetterkitError, match="leads outside") as error:
        letterkit.render(case_data, templates=[folder])
    assert "SECRET-CONTENTS" not in str(error.value)


def test_a_symbolic_link_inside_the_folder_is_fine(case_data, tmp_path):
    folder = _block(tmp_path, "Linked block.")
    (folder / "blocks" / "real.md.j2").write_text("unused")
    (folder / "blocks" / "clinical-case-summary.md.j2").rename(folder / "summary.txt")
    (folder / "blocks" / "clinical-case-summary.md.j2").symlink_to(folder / "summary.txt")
    (folder / "blocks" / "real.md.j2").unlink()
    html = letterkit.render(case_data, formats=("html",), templates=[folder])["html"].decode()
    assert "Linked block." in html


@pytest.mark.parametrize("toml, message", [
    ('name = "x"\nmodle = "model.py:X"\n', "unknown key 'modle'"),
    ('extends = "imr"\nletter = 3\n', "letter"),
])
def test_kit_toml_is_validated(tmp_path, toml, message):
    (tmp_path / "kit.toml").write_text(toml)
    with pytest.raises(letterkit.KitError, match=message):
        letterkit.load_kit(tmp_path)


def test_an_extending_kit_is_named_after_its_folder_not_its_base(tmp_path):
    kit = tmp_path / "appeal"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "imr"\n')
    assert letterkit.load_kit(kit).name == "appeal"


def test_a_loaded_kit_is_one_object_shared_by_every_caller():
    assert letterkit.load_kit("imr") is letterkit.load_kit("imr")
    with pytest.raises(AttributeError):
        letterkit.load_kit("imr").name = "other"


def test_a_kept_answer_is_for_its_type_only():
    """The sandbox keeps its answer for each attribute it was asked about: a list's
    `count` allowed must not allow `count` on text, which the sandbox refuses."""
    import jinja2

    environment = letterkit.load_kit("imr").environment
    assert environment.from_string("{{ xs.count(1) }}").render(xs=[1, 1]) == "\ufdd0v32\ufdd1"
    with pytest.raises(jinja2.exceptions.SecurityError):
        environment.from_string("{{ s.count('a') }}").render(s="aa")


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_a_huge_constant_in_a_block_neither_hangs_loading_nor_renders(case_data, tmp_path):
    # Jinja folds constant expressions when it compiles a block: this one would take
    # minutes inside load_kit, before any time limit. A child process, so that a hang fails.
    folder = _block(tmp_path, "{{ (10**(10**8)) % 7 }}")
    script = ("import sys, letterkit\n"
              f"letterkit.load_kit('imr', ({str(folder)!r},))\n"
              "try:\n"
              f"    letterkit.render({case_data!r}, formats=('html',), templates=[{str(folder)!r}])\n"
              "except letterkit.TemplateError as error:\n"
              "    print(error)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "clinical-case-summary.md.j2:3: " in done.stdout and "too large" in done.stdout


@pytest.mark.parametrize("expression", ["{{ 'x' * 10**9 }}", "{{ [1] * 10**9 }}", "{% set n = 9**9999 %}"])
def test_arithmetic_a_letter_never_needs_is_refused_with_its_block(case_data, tmp_path, expression):
    folder = _block(tmp_path, expression)
    with pytest.raises(letterkit.TemplateError, match="too") as error:
        letterkit.render(case_data, formats=("html",), templates=[folder])
    assert error.value.template.endswith("clinical-case-summary.md.j2") and error.value.line == 3


def test_ordinary_arithmetic_still_prints(case_data, tmp_path):
    folder = _block(tmp_path, "{{ 2**10 }} {{ 'ab' * 2 }} {{ 3 * 4 }} {{ 2.5 ** 2 }}")
    html = letterkit.render(case_data, formats=("html",), templates=[folder])["html"].decode()
    assert "1024 abab 12 6.25" in html


# Each builds a text of about a billion characters (gigabytes, a minute) before anything
# could measure it; each is refused before it is made, naming the block's line.
GROWING = [
    "{{ 'x'|center(999999999) }}",
    "{{ '%999999999s'|format('x') }}",
    "{{ '%*s'|format(999999999, 'x') }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ '{:>{}}'.format('x', 999999999) }}",
    "{{ ('x\\n' * 1000)|indent(999999) }}",
    "{{ ('x' * 999999)|replace('x', 'xxxxxxxxxx') }}",
    "{{ ([('x' * 999999)] * 2)|join }}",
    "{{ ['x' * 999999, 'y' * 999999]|join }}",
    "{{ 'x' * 999999 ~ 'y' * 999999 }}",
    "{{ 'x' * 999999 + 'y' * 999999 }}",
]


@pytest.mark.parametrize("expression", GROWING)
def test_a_text_no_letter_needs_is_refused_before_it_is_made(case_data, tmp_path, expression):
    folder = _block(tmp_path, expression)
    with pytest.raises(letterkit.TemplateError, match="too long for a letter") as error:
        letterkit.render(case_data, formats=("html",), templates=[folder])
    assert error.value.template.endswith("clinical-case-summary.md.j2") and error.value.line == 3


def test_ordinary_formatting_still_prints(case_data, tmp_path):
    folder = _block(tmp_path, "{{ '%5.2f'|format(3.14159) }}|{{ '{:>6}'.format('ab') }}|{{ 'ab'|center(6) }}|"
                              "{{ '%s of 2000000' % 'one' }}|{{ ['a', 'b']|join('-') }}|{{ 'a' ~ 'b' }}|"
                              "{{ 'aXb'|replace('X', '--') }}|{{ '{:,}'.format(1234567) }}")
    html = letterkit.render(case_data, formats=("html",), templates=[folder])["html"].decode()
    assert "3.14| ab| ab |one of 2000000|a-b|ab|a--b|1,234,567" in html  # spaces as HTML collapses them


def test_a_macro_file_whose_top_level_is_too_large_is_named(tmp_path):
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "mine.j2").write_text("{% set n = 9**9999 %}\n")
    with pytest.raises(letterkit.TemplateError, match=r"mine\.j2: .*too large"):
        letterkit.load_kit("imr", (str(tmp_path),))
