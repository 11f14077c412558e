"""A malformed case file is one clear line naming the file, never a traceback; a batch goes on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from test_batch import _manifest

pytestmark = pytest.mark.slow  # each case through the CLI in its own process

LETTERKIT = [sys.executable, "-m", "letterkit"]


def _good(case_data: dict) -> str:
    return yaml.safe_dump(case_data, sort_keys=False)


# name: (file suffix, contents made from a good case's YAML, what the message says)
MALFORMED = {
    "impossible-date": (".yaml", lambda good: good.replace("2015-09-01", "2015-02-30"), "letter_date"),
    "huge-number-yaml": (".yaml", lambda good: good + "extra: " + "9" * 5000 + "\n", "digits"),
    "huge-number-json": (".json", lambda good: json.dumps(yaml.safe_load(good))[:-1] + ', "x": ' + "9" * 5000 + "}",
                         "digits"),
    "deep-yaml": (".yaml", lambda good: good + "extra: " + "[" * 900 + "]" * 900 + "\n", "deep"),
    "deep-json": (".json", lambda good: '{"x": ' + "[" * 5000 + "]" * 5000 + "}", "deep"),
    "duplicate-key-yaml": (".yaml", lambda good: good + "letter_date: 2015-09-02\n", "given twice"),
    "duplicate-key-json": (".json", lambda good: '{"a": 1, "a": 2}', "given twice"),
    "integer-key": (".yaml", lambda good: good + "2015: x\n", "not text"),
    "alias-bomb": (".yaml", lambda good: good + "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)), "aliases"),
    "not-utf8": (".yaml", lambda good: good.encode() + b"extra: \xff\xfe\n", "cannot read"),
    "markup-key": (".yaml", lambda good: good + "'[/]': x\n", "[/]"),
    # rich's emoji codes (a key fingerprint's ":CD:" printed as a disc) are text like any other
    "emoji-code-key": (".yaml", lambda good: good + "':smile: AB:CD:EF': x\n", ":smile: AB:CD:EF"),
    "escape-code-key": (".yaml", lambda good: good + '"\\e[31mred": x\n', "\\x1b[31mred"),
}


def _with(field: str, value: str):
    """A good case's YAML with one field changed."""
    return lambda good: yaml.safe_dump(dict(yaml.safe_load(good), **{field: value}), sort_keys=False)


MALFORMED.update({
    "deep-quote": (".yaml", _with("clinical_summary", "> " * 150 + "x"), "150 levels deep"),
    "deep-list": (".yaml", _with("clinical_summary", "1. " * 150 + "x"), "150 levels deep"),
    "list-start-word-cannot-hold": (".yaml", _with("clinical_summary", "99999999999. x"), "up to 32767"),
    # libxml2 drops a text node over 10,000,000 bytes: refused long before, never lost.
    # (JSON: a megabyte of YAML takes seconds to read)
    "rich-text-too-long": (".json", lambda good: json.dumps(dict(yaml.safe_load(good), clinical_summary="lorem ipsum "
                                                                 * 90_000), default=str), "1,000,000 at most"),
})


def _write(folder, name: str, case_data: dict):
    suffix, make, _ = MALFORMED[name]
    content = make(_good(case_data))
    path = folder / f"{name}{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_render_reports_a_malformed_case_in_one_line_and_writes_nothing(tmp_path, case_data, name):
    case = _write(tmp_path, name, case_data)
    result = subprocess.run([*LETTERKIT, "render", str(case), "-f", "html", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and str(case) in errors[0], result.stderr
    assert MALFORMED[name][2] in errors[0], errors[0]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_validate_refuses_what_render_refuses(tmp_path, case_data, name):
    case = _write(tmp_path, name, case_data)
    result = subprocess.run([*LETTERKIT, "validate", str(case)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert MALFORMED[name][2] in result.stderr


def test_validate_composes_the_letter_with_the_cases_data(tmp_path, case_data):
    """A block that fails only for some data fails `validate` for that data, as `render` does."""
    blocks = tmp_path / "mine" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "clinical-case-summary.md.j2").write_text(
        "# SUMMARY\n\n{% if items | length > 1 %}{{ items[1].decided | date }}{% endif %}\n")
    case = tmp_path / "case.yaml"
    two_items = dict(case_data, items=case_data["items"] * 2)
    for data, status in ((case_data, 0), (two_items, 1)):
        case.write_text(_good(data))
        results = [subprocess.run([*LETTERKIT, command, str(case), "-t", str(tmp_path / "mine"), *extra],
                                  capture_output=True, text=True, timeout=60)
                   for command, extra in (("validate", []), ("render", ["-f", "html", "-o", str(tmp_path)]))]
        assert [r.returncode for r in results] == [status, status], results[0].stderr


def test_a_batch_renders_every_good_case_beside_every_malformed_one(tmp_path, case_data):
    source = tmp_path / "cases"
    source.mkdir()
    for number in range(20):
        (source / f"good-{number:02d}.yaml").write_text(_good(case_data))
    for name in MALFORMED:
        _write(source, name, case_data)
    result = subprocess.run([*LETTERKIT, "batch", str(source), "-f", "html", "-j", "2", "-q",
                             "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    manifest = _manifest(tmp_path / "out")
    assert len(manifest) == 20 + len(MALFORMED)
    assert all(manifest[f"good-{n:02d}"]["status"] == "ok" for n in range(20))
    assert all(manifest[name]["status"] == "failed" for name in MALFORMED)


def _render(case, outdir, *extra):
    return subprocess.run([*LETTERKIT, "render", str(case), "-f", "html,docx", "-o", str(outdir), *extra],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_letters_follow_the_users_umask(tmp_path, case_data, umask, mode, command):
    case = tmp_path / "cases" / "case.yaml"
    case.parent.mkdir()
    case.write_text(_good(case_data))
    source = case if command == "render" else case.parent
    result = subprocess.run(["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *LETTERKIT, command, str(source),
                             "-f", "html,docx", "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    letters = [path for path in (tmp_path / "out").iterdir() if path.suffix in (".html", ".docx")]
    assert len(letters) == 2 and {path.stat().st_mode & 0o777 for path in letters} == {mode}


def _limit_file_size() -> None:
    """In the child: files larger than 20 KB cannot be written, as on a full disk."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on ENOSPC
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.parametrize("formats, message", [
    ("html,docx", "cannot write"),       # the letter's own files
    ("pdf", "cannot make the PDF"),      # WeasyPrint's copies of the fonts, in the temporary folder
])
def test_a_full_disk_is_one_line_and_no_file(tmp_path, case_data, formats, message):
    case = tmp_path / "case.yaml"
    case.write_text(_good(case_data))
    outdir = tmp_path / "out"
    result = subprocess.run([*LETTERKIT, "render", str(case), "-f", formats, "-o", str(outdir)],
                            capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not outdir.exists() or list(outdir.iterdir()) == []


def test_a_case_that_fails_now_keeps_no_letter_from_an_earlier_run(tmp_path, case_data):
    case = tmp_path / "case.yaml"
    case.write_text(_good(case_data))
    assert _render(case, tmp_path / "out").returncode == 0
    case.write_text(_good(case_data).replace("Upheld", "Maybe"))
    assert _render(case, tmp_path / "out").returncode == 1
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("problem", ["outdir-is-a-file", "name-too-long"])
def test_a_letter_that_cannot_be_written_is_one_line_and_no_file(tmp_path, case_data, problem):
    case = tmp_path / ("x" * 250 + ".yaml" if problem == "name-too-long" else "case.yaml")
    case.write_text(_good(case_data))
    outdir = tmp_path / "out"
    if problem == "outdir-is-a-file":
        outdir.write_text("not a folder")
    result = _render(case, outdir)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and "cannot write" in errors[0], result.stderr
    assert problem == "outdir-is-a-file" or list(outdir.iterdir()) == []


def test_long_names_are_cut_in_the_docx_properties_never_in_the_letter(tmp_path, case_data):
    import io

    import docx

    import letterkit

    case_data["organisation"]["name"] = "Independent Review Organisation " * 12
    files = letterkit.render(case_data, formats=("docx",))
    properties = docx.Document(io.BytesIO(files["docx"])).core_properties
    assert len(properties.author) == 255 and properties.author.endswith("…")


def test_a_batch_case_that_fails_now_keeps_no_letter_from_an_earlier_run(tmp_path, case_data):
    import letterkit

    source = tmp_path / "cases"
    source.mkdir()
    (source / "a.yaml").write_text(_good(case_data))
    assert letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1).rendered == 1
    (source / "a.yaml").write_text(_good(case_data).replace("Upheld", "Maybe"))
    assert letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1).failed == 1
    assert not (tmp_path / "out" / "a.html").exists()


def _limit_file_size_to_500_bytes() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (500, 500))


@pytest.mark.parametrize("command", [["batch", "cases", "-o", "out", "-f", "html", "-j", "1"],
                                     ["new-kit", "mine", "--extends", "imr"]])
def test_a_full_disk_is_one_line_in_the_batch_manifest_and_a_new_kit(tmp_path, case_data, command):
    (tmp_path / "cases").mkdir()
    for number in range(3):  # failed lines enough to fill the manifest past 500 bytes
        (tmp_path / "cases" / f"case-{number}.yaml").write_text(_good(case_data))
    result = subprocess.run([*LETTERKIT, *command], cwd=tmp_path, capture_output=True, text=True,
                            preexec_fn=_limit_file_size_to_500_bytes, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "File too large" in errors[0], result.stderr
    assert not (tmp_path / "mine").exists()  # no half-made kit


def test_a_case_that_fails_in_one_format_keeps_no_letter_of_any_format(tmp_path, case_data):
    import letterkit

    case = tmp_path / "case.yaml"
    case.write_text(_good(case_data))
    assert _render(case, tmp_path / "out").returncode == 0  # its .html and .docx
    case.write_text(_good(case_data).replace("Upheld", "Maybe"))
    result = subprocess.run([*LETTERKIT, "render", str(case), "-f", "pdf", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert list((tmp_path / "out").iterdir()) == []

    source = tmp_path / "cases"
    source.mkdir()
    (source / "a.yaml").write_text(_good(case_data))
    assert letterkit.render_batch(source, tmp_path / "out2", formats=("html", "docx"), jobs=1).rendered == 1
    (source / "a.yaml").write_text(_good(case_data).replace("Upheld", "Maybe"))
    assert letterkit.render_batch(source, tmp_path / "out2", formats=("html",), jobs=1).failed == 1
    assert not list((tmp_path / "out2").glob("a.*"))
