"""What an SDK response model says an answer holds, and where an answer differs from it — for the product tests
that check one answer field by field (tests/emulator/test_ecs_shapes.py, test_cms_shapes.py).

A model's wire fields are read from its generated `from_map`: each `m.get('Name')` is a field, and a
`main_models.Class(` within its branch names the model of its value (of each item, for a list of models)."""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

_FIELD = re.compile(r"m\.get\('(\w+)'\) is not None:(.*?)(?=\n\s*if m\.get\(|\n\s*return self)", re.S)
_NESTED = re.compile(r"main_models\.(\w+)\(")


def model_shape(model: type) -> dict[str, Any]:
    """The wire fields of an SDK model: name -> the shape of the nested model, None for a plain value or a list
    of plain values. Nested models are looked up in the model's own module."""
    module = sys.modules[model.__module__]
    shape: dict[str, Any] = {}
    for name, body in _FIELD.findall(inspect.getsource(model.from_map)):
        nested = _NESTED.search(body)
        shape[name] = model_shape(getattr(module, nested.group(1))) if nested else None
    return shape


def differences(shape: dict[str, Any], answer: Any, where: str = "") -> list[str]:
    """Every field `answer` has that the model lacks ('+path') and every model field it lacks ('-path')."""
    if isinstance(answer, list):
        return [found for index, item in enumerate(answer) for found in differences(shape, item, f"{where}[{index}]")]
    if not isinstance(answer, dict):
        return [f"!{where}: {answer!r} where the model has an object"]
    found = [f"+{where}.{name}" for name in answer if name not in shape]
    found += [f"-{where}.{name}" for name in shape if name not in answer]
    for name, nested in shape.items():
        if nested is not None and name in answer:
            found += differences(nested, answer[name], f"{where}.{name}")
    return found
