"""What an SDK response model says an answer holds, and where an answer differs from it — for the product tests
that check one answer field by field (tests/emulator/test_ecs_shapes.py, test_cms_shapes.py).

A model's wire fields are read as the registry-driven shape test reads them (tests.support.verify.model_schema:
the model's own from_map and to_map, fed a probe), here reduced to the nesting of objects."""

from __future__ import annotations

from typing import Any

from tests.support.verify import Schema, model_schema


def model_shape(model: type) -> dict[str, Any]:
    """The wire fields of an SDK model: name -> the shape of the nested model (of each item, for a list of
    models), None for a plain value or a list of plain values."""
    return _shape(model_schema(model))


def _shape(schema: dict[str, Schema]) -> dict[str, Any]:
    return {name: _nested(value) for name, value in schema.items()}


def _nested(value: Schema) -> dict[str, Any] | None:
    if isinstance(value, list):
        return _nested(value[0]) if value else None
    return _shape(value) if isinstance(value, dict) else None


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
