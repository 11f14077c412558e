"""The `letterkit` command as a person at a shell meets it: version, help, completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

pytestmark = pytest.mark.slow  # the CLI run in its own process, as a shell user does

LETTERKIT = [sys.executable, "-m", "letterkit"]
COMMANDS = ["render", "batch", "validate", "rules", "blocks", "lint", "new-kit", "preview", "vars", "schema"]


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, *args], capture_output=True, text=True, timeout=120, **kwargs)


def test_version_prints_the_installed_version():
    result = _run("--version")
    assert result.returncode == 0 and result.stdout == f"letterkit {letterkit.__version__}\n"


def _every_command() -> list[list[str]]:
    """The words that name each command and sub-command of the app: [], ["render"], ["translations", "status"]…"""
    import typer.main

    def below(command, words: list[str]) -> list[list[str]]:
        return [words] + [found for name, sub in sorted(getattr(command, "commands", {}).items())
                          for found in below(sub, [*words, name])]
    return below(typer.main.get_command(app), [])


def test_every_command_is_in_the_help_test():
    assert {words[0] for words in _every_command() if words} <= {*COMMANDS, "kits", "upgrade", "extract", "verify",
                                                                 "translations"}


@pytest.mark.parametrize("command", _every_command(), ids=lambda words: " ".join(words) or "letterkit")
def test_help_shows_names_as_pandoc_and_git_users_read_them(command):
    """CASE..., FILE, DIR, FORMAT[,FORMAT...]: no {CASE}, <str>, <list[Path]> nor <case-file-stem>."""
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    for python in ("<list", "<str>", "<path>", "<bool>", "<int>", "<float", "Path]", "{cases}"):
        assert python not in result.output, (python, result.output)
    assert not re.search(r"<[\w\-.\[\], ]+>", result.output), result.output
    usage = result.output.split("\n\n", 1)[0]
    assert not re.search(r"[{}]", usage) and not re.search(r"\b[a-z_]+\.\.\.", usage), usage


def test_the_shell_completes_commands():
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).output
    words = subprocess.run(LETTERKIT, capture_output=True, text=True,
                           env=dict(os.environ, _LETTERKIT_COMPLETE="complete_bash", COMP_WORDS="letterkit ren",
                                    COMP_CWORD="1"), timeout=60)
    assert words.stdout.split() == ["render"]


def test_the_names_the_docs_use_are_exported():
    for name in ("BatchLockedError", "BatchSummary", "Case", "render_batch"):
        assert name in letterkit.__all__ and getattr(letterkit, name) is getattr(letterkit.batch, name)


def test_the_readme_says_letterkit_runs_on_posix_only():
    # The batch lock is fcntl's and the time limit SIGALRM: POSIX only, said where users look.
    readme = (ROOT / "README.md").read_text()
    assert "runs on POSIX systems only" in readme.split("\n## ", 1)[0]


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("option, value, message", [
    ("--pdf-variant", "pdf/x", "choose from pdf/a-2b"),
    ("--reference-docx", "README.md", "is not a .docx file"),
    ("--reference-docx", "nowhere.docx", "no such file"),
    ("--kit", "nope", "no kit 'nope'"),
])
def test_a_bad_option_is_one_usage_error_before_any_case(tmp_path, command, option, value, message):
    cases = tmp_path / "cases"
    cases.mkdir()
    for number in range(3):
        (cases / f"case-{number}.yaml").write_text((ROOT / "examples" / "imr-medications-mixed.yaml").read_text())
    source = [str(path) for path in sorted(cases.iterdir())] if command == "render" else [str(cases)]
    result = CliRunner().invoke(app, [command, *source, "-o", str(tmp_path / "out"), option, value],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert result.stderr.count(message) == 1, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("case-*"))


def test_a_case_from_standard_input_renders_to_standard_output(tmp_path):
    import io

    import pypdf

    case = (ROOT / "examples" / "imr-medications-mixed.yaml").read_bytes()
    result = subprocess.run([*LETTERKIT, "render", "-", "-f", "pdf", "-o", "-"], input=case, cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "CM16-0034417" in "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(result.stdout)).pages)
    assert list(tmp_path.iterdir()) == []  # no folder named -

    as_json = json.dumps(yaml.safe_load(case), default=str).encode()
    result = subprocess.run([*LETTERKIT, "render", "-", "-f", "html", "-o", "out"], input=as_json, cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert result.returncode == 0 and b"CM16-0034417" in (tmp_path / "out" / "stdin.html").read_bytes()


@pytest.mark.parametrize("arguments", [["-", "-f", "html,pdf", "-o", "-"],
                                       ["a.yaml", "b.yaml", "-f", "pdf", "-o", "-"]])
def test_standard_output_takes_one_letter_in_one_format(arguments):
    result = CliRunner().invoke(app, ["render", *arguments])
    assert result.exit_code == 2 and "give one case and one format" in result.stderr


def test_bad_case_data_on_standard_input_is_one_line():
    result = subprocess.run([*LETTERKIT, "render", "-", "-f", "html", "-o", "-"], input="x: [\n", text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error (standard input): line 2") and "Traceback" not in result.stderr


def test_validate_vars_and_blocks_speak_json_for_other_tools(tmp_path, case_data):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(dict(case_data, items=[dict(case_data["items"][0], decision="Maybe")])))
    good = ROOT / "examples" / "imr-medications-mixed.yaml"
    result = CliRunner().invoke(app, ["validate", str(good), str(bad), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"case": str(good), "valid": True, "problems": []},
        {"case": str(bad), "valid": False, "problems": [{"field": "items[0].decision", "message": json.loads(
            result.stdout)[1]["problems"][0]["message"]}]}]
    assert "'Upheld' or 'Overturned'" in json.loads(result.stdout)[1]["problems"][0]["message"]

    fields = {row["field"]: row for row in json.loads(CliRunner().invoke(app, ["vars", "--json"]).stdout)}
    assert fields["items[].decision"]["computed"] is False and fields["letter.overall"]["computed"] is True
    blocks = {row["block"]: row for row in json.loads(CliRunner().invoke(app, ["blocks", "--json"]).stdout)}
    assert "clinical_summary" in blocks["blocks/clinical-case-summary.md.j2"]["reads"]


MIXED = ROOT / "examples" / "imr-medications-mixed.yaml"


@pytest.mark.parametrize("arguments, name", [([], "letter.pdf"), (["-f", "docx"], "letter.docx"),
                                             (["-f", "html"], "Letter.HTML")])
def test_o_with_a_formats_extension_writes_that_file_as_pandoc_does(tmp_path, arguments, name):
    result = CliRunner().invoke(app, ["render", str(MIXED), *arguments, "-o", str(tmp_path / name)])
    assert result.exit_code == 0, result.stderr
    written = tmp_path / name
    assert written.is_file() and list(tmp_path.iterdir()) == [written]
    assert written.read_bytes()[:4] in (b"%PDF", b"PK\x03\x04", b"<!DO")


@pytest.mark.parametrize("arguments", [[str(MIXED), str(MIXED), "-o", "letter.pdf"],
                                       [str(MIXED), "-f", "html,pdf", "-o", "letter.pdf"],
                                       [str(MIXED), "-f", "docx", "-o", "letter.pdf"]])
def test_a_file_for_o_takes_one_letter_and_never_becomes_a_folder(tmp_path, arguments):
    result = CliRunner().invoke(app, ["render", *arguments], env={"COLUMNS": "200"}, catch_exceptions=False)
    assert result.exit_code == 2 and "takes one letter" in result.stderr, result.stderr
    assert not (Path.cwd() / "letter.pdf").exists()


def test_standard_input_that_is_not_utf8_is_refused_as_the_same_file_would_be(tmp_path):
    data = MIXED.read_bytes().replace(b"MAXIMUS Federal", b"MAXIMUS \xffFederal", 1)
    (tmp_path / "bad.yaml").write_bytes(data)
    piped = subprocess.run([*LETTERKIT, "render", "-", "-f", "html", "-o", str(tmp_path / "out")], input=data,
                           capture_output=True, timeout=120)
    from_file = subprocess.run([*LETTERKIT, "render", str(tmp_path / "bad.yaml"), "-f", "html",
                                "-o", str(tmp_path / "out")],
                               capture_output=True, timeout=120)
    assert piped.returncode == from_file.returncode == 1
    assert b"cannot read: 'utf-8' codec can't decode byte 0xff" in piped.stderr
    assert (piped.stderr.replace(b"(standard input)", b"")
            == from_file.stderr.replace(str(tmp_path / "bad.yaml").encode(), b""))
    assert not (tmp_path / "out").exists()


def test_a_folder_given_as_a_case_says_what_to_do(tmp_path):
    result = CliRunner().invoke(app, ["render", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "a folder: give its case files, or render them all with letterkit batch" in result.stderr


def test_formats_may_be_one_name_in_the_python_api(case_data):
    assert set(letterkit.render(case_data, formats="pdf")) == {"pdf"}
    assert set(letterkit.render(case_data, formats="html,docx")) == {"html", "docx"}


def _completions(line: str) -> list[str]:
    words = line.split(" ")
    done = subprocess.run(LETTERKIT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, _LETTERKIT_COMPLETE="complete_bash", COMP_WORDS=line,
                                   COMP_CWORD=str(len(words) - 1)))
    return done.stdout.split()


@pytest.mark.parametrize("line, expected", [
    ("letterkit render case.yaml --kit a", ["adverse-benefit"]),
    ("letterkit batch cases --kit ", ["adverse-benefit", "imr", "letter", "ur"]),
    ("letterkit render case.yaml -f html,pd", ["html,pdf"]),
    ("letterkit render case.yaml --pdf-variant pdf/u", ["pdf/ua-1"]),
])
def test_the_shell_completes_kits_formats_and_variants(line, expected):
    assert _completions(line) == expected


def test_kits_lists_the_built_in_kits():
    result = CliRunner().invoke(app, ["kits", "--json"])
    assert result.exit_code == 0
    kits = {entry["kit"]: entry["description"] for entry in json.loads(result.stdout)}
    assert set(kits) == {"adverse-benefit", "imr", "letter", "ur"} and all(kits.values())


def test_an_unknown_format_names_the_option():
    result = CliRunner().invoke(app, ["render", str(MIXED), "-f", "odt"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "'--formats' / '-f'" in result.stderr and "choose from html" in result.stderr


def test_validate_reads_standard_input_and_json_lines_as_batch_does(tmp_path):
    case = yaml.safe_load(MIXED.read_text())
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"id": "one", **case}, default=str) + "\n" + "{not json\n")
    from_export = CliRunner().invoke(app, ["validate", str(export)], env={"COLUMNS": "200"})
    assert from_export.exit_code == 1
    assert f"{export}:1: valid" in from_export.stdout
    assert (from_export.stderr.startswith(f"error {export}:2: invalid JSON")
            and len(from_export.stderr.splitlines()) == 1)
    piped = subprocess.run([*LETTERKIT, "validate", "-"], input=MIXED.read_bytes(), capture_output=True, timeout=120)
    assert piped.returncode == 0 and b"(standard input): valid" in piped.stdout


def test_lint_speaks_json_too(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text("# SUMMARY\n\n{{ no_such_field }}\n")
    result = CliRunner().invoke(app, ["lint", "-t", str(tmp_path), "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert any(problem["severity"] == "error" and "no_such_field" in problem["message"] for problem in problems)


@pytest.mark.parametrize("command", ["render", "validate"])
def test_a_block_that_never_ends_fails_its_case_by_the_time_limit(tmp_path, command):
    """A template folder's loop of ten billion turns: one line, no file, the next case done."""
    (tmp_path / "mine" / "blocks").mkdir(parents=True)
    (tmp_path / "mine" / "blocks" / "clinical-case-summary.md.j2").write_text(
        "# SUMMARY\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    arguments = [command, str(MIXED), "-t", str(tmp_path / "mine"), "--case-timeout", "2"]
    if command == "render":
        arguments += ["-f", "html", "-o", str(tmp_path / "out")]
    result = subprocess.run([*LETTERKIT, *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "took longer than 2 s to render (--case-timeout)" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
