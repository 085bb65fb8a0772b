"""The emulator's handlers parse, call their product's models and format: SQL lives only in the models layer
(docs/emulator.md, "Module structure") — each package's `models.py` or `models/`, and the core's models
(`models.py`, `world.py`, `store.py`). A statement anywhere else fails this test, naming the module and line."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

EMULATOR = ROOT / "provider" / "emulator"
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})
CORE_MODELS = frozenset({"models.py", "world.py", "store.py"})


def is_models_module(path: Path) -> bool:
    relative = path.relative_to(EMULATOR)
    return relative.name == "models.py" or "models" in relative.parts[:-1] or (
        len(relative.parts) == 1 and relative.name in CORE_MODELS)


def sql_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS]


def test_no_sql_outside_the_models_layer() -> None:
    modules = sorted(path for path in EMULATOR.rglob("*.py") if "__pycache__" not in path.parts)
    assert len(modules) > 40, "the emulator holds (almost) no Python: is EMULATOR right?"
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in modules if not is_models_module(path)
                 for line in sql_calls(path)]
    assert not offenders, "SQL outside the models layer (move it into the package's models):\n" + "\n".join(offenders)


def test_the_models_layer_is_where_the_sql_is() -> None:
    """The rule is not vacuous: the models modules do hold the SQL."""
    models = [path for path in EMULATOR.rglob("*.py") if is_models_module(path)]
    assert sum(len(sql_calls(path)) for path in models) > 50
