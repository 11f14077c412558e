"""The layer contract covers every module: a module it does not name would escape the check."""

from __future__ import annotations

import tomllib

from conftest import ROOT


def _named_in_contract() -> set[str]:
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_every_module_of_the_package_is_in_a_layer():
    named = _named_in_contract()
    modules = {".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for path in (ROOT / "letterkit").rglob("*.py")}
    def layered(module: str) -> bool:
        return any(module == name or module.startswith(f"{name}.") for name in named)

    # a package whose modules sit in different layers (letterkit.mail) is covered by them
    packages = {module for module in modules if (ROOT / module.replace(".", "/") / "__init__.py").is_file()}
    unlayered = sorted(module for module in modules - {"letterkit"} if not layered(module)
                       and not (module in packages and all(layered(inner) for inner in modules
                                                           if inner.startswith(f"{module}."))))
    assert unlayered == [], "add each to a layer in pyproject.toml's [tool.importlinter]"


def test_every_module_of_the_command_is_in_a_layer_of_its_own_contract():
    """letterkit/cli/: its commands above the options they share, above how it ends and what it writes."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    contract = next(contract for contract in contracts if contract.get("containers") == ["letterkit.cli"])
    named = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    modules = {path.stem for path in (ROOT / "letterkit" / "cli").glob("*.py")} - {"__init__"}
    assert modules == named
