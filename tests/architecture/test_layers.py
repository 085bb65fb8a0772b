"""The layers of docs/architecture.md, enforced: import-linter over the package as it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = """
import sys
sys.path.insert(0, sys.argv[1])
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename=sys.argv[2], no_cache=True))
"""


def installed_layout(tmp_path: Path) -> Path:
    """provider/ and resources/ as one package `ecsops`, the way pip installs them."""
    package = tmp_path / "ecsops"
    shutil.copytree(ROOT / "provider", package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copytree(ROOT / "resources", package / "resources", ignore=shutil.ignore_patterns("__pycache__"))
    return package


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LINT, str(tree), str(ROOT / ".importlinter")],
                          capture_output=True, text=True, cwd=tree, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_import_contracts_hold(tmp_path) -> None:
    installed_layout(tmp_path)
    answer = lint(tmp_path)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "Contracts: 6 kept, 0 broken." in answer.stdout


@pytest.mark.parametrize(("module", "imported", "why"), [
    pytest.param(("engine", "diff.py"), "ecsops.resources.command", "an engine that knows a kind", id="engine-to-kind"),
    pytest.param(("emulator", "world.py"), "ecsops.emulator.events", "the world announcing what it changed",
                 id="emulator-world-to-events"),
    pytest.param(("emulator", "delivery", "stores.py"), "ecsops.emulator.ecs.assistant_settings",
                 "delivery reaching back into ECS", id="emulator-delivery-to-ecs"),
    pytest.param(("emulator", "ecs", "models", "instances.py"), "ecsops.emulator.ecs.instances",
                 "a model that knows its handler", id="emulator-model-to-handler"),
    pytest.param(("emulator", "errors.py"), "ecsops.emulator.protocol", "the error codes knowing the wire",
                 id="emulator-errors-to-protocol"),
])
def test_an_upward_import_breaks_the_contract(tmp_path, module, imported, why) -> None:
    package = installed_layout(tmp_path)
    with open(package.joinpath(*module), "a") as source:
        source.write(f"\nimport {imported}  # {why}\n")
    answer = lint(tmp_path)
    dotted = "ecsops." + ".".join((*module[:-1], module[-1].removesuffix(".py")))
    assert answer.returncode == 1
    assert f"{dotted} -> {imported}" in answer.stdout


def test_every_source_package_is_listed_in_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(("ecsops", *p.parent.relative_to(ROOT / "provider").parts))
             for p in (ROOT / "provider").rglob("__init__.py")}
    found |= {".".join(("ecsops", "resources", *p.parent.relative_to(ROOT / "resources").parts))
              for p in (ROOT / "resources").rglob("__init__.py")}
    assert listed == found


def test_the_models_contract_names_every_handler_of_every_product() -> None:
    """The `emulator-models-below-handlers` contract lists the handler modules by name: a new one must be added."""
    text = (ROOT / ".importlinter").read_text()
    contract = text[text.index("[importlinter:contract:emulator-models-below-handlers]"):]
    forbidden = set(contract[contract.index("forbidden_modules"):].split()[2:])
    emulator = ROOT / "provider" / "emulator"
    handlers = {f"ecsops.emulator.{path.parent.name}.{path.stem}"
                for product in ("ecs", "cms", "license", "oss", "events", "delivery")
                for path in (emulator / product).glob("*.py")
                if path.stem not in ("__init__", "models", "tables", "errors", "product")}
    assert handlers == forbidden
