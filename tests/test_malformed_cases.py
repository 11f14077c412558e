"""A malformed case file is one clear line naming the file, never a traceback; a batch goes on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from test_batch import _manifest

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
    "escape-code-key": (".yaml", lambda good: good + '"\\e[31mred": x\n', "\\x1b[31mred"),
}


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
