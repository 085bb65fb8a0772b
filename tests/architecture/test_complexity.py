"""No function of provider/ or resources/ is more complex than MAX_COMPLEXITY (issue 14): its cyclomatic
complexity, as radon measures it, is at most 15. A function past it is split into named steps.

Every function is measured: module functions, methods, and functions nested in either (radon measures a
nested function on its own and leaves its branches out of the function holding it, and `radon cc` does not
list it, so the test walks into them itself)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Iterable, Iterator

from radon.complexity import cc_visit
from radon.visitors import Function

from tests.conftest import ROOT

MAX_COMPLEXITY = 15
MEASURED = ("provider", "resources")


def too_complex(source: str, where: str) -> list[str]:
    """`where:line name complexity` of each function of `source` over MAX_COMPLEXITY, nested ones included."""
    return [f"{where}:{function.lineno} {name} {function.complexity}"
            for name, function in functions(block for block in cc_visit(source) if isinstance(block, Function))
            if function.complexity > MAX_COMPLEXITY]


def functions(blocks: Iterable[Function], within: str = "") -> Iterator[tuple[str, Function]]:
    """Each function with its dotted name (`Class.method`, `outer.inner`), then the functions nested in it."""
    for block in blocks:
        name = f"{within}{block.fullname}"
        yield name, block
        yield from functions(block.closures, f"{name}.")


def sources() -> list[Path]:
    """Every Python file under MEASURED."""
    return sorted(path for folder in MEASURED for path in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def test_no_function_is_more_complex_than_allowed() -> None:
    found = sources()
    assert len(found) > 50, "the measured folders hold (almost) no Python: is ROOT right?"
    offenders = [offender for path in found
                 for offender in too_complex(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert not offenders, (f"cyclomatic complexity over {MAX_COMPLEXITY} (radon): split these into named "
                           "steps\n" + "\n".join(offenders))


def branchy(name: str, decisions: int) -> str:
    """A function `name` of complexity `decisions + 1`."""
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(decisions))
    return f"def {name}(x):\n{branches}    return -1\n"


def test_the_measure_finds_every_function_over_the_limit() -> None:
    assert too_complex(branchy("f", MAX_COMPLEXITY), "m.py") == [f"m.py:1 f {MAX_COMPLEXITY + 1}"]
    assert too_complex(branchy("f", MAX_COMPLEXITY - 1), "m.py") == []
    method = "class K:\n" + textwrap.indent(branchy("m", MAX_COMPLEXITY), "    ")
    assert too_complex(method, "m.py") == [f"m.py:2 K.m {MAX_COMPLEXITY + 1}"]
    nested = "def outer():\n" + textwrap.indent(branchy("inner", MAX_COMPLEXITY), "    ") + "    return inner\n"
    assert too_complex(nested, "m.py") == [f"m.py:2 outer.inner {MAX_COMPLEXITY + 1}"]
