"""Values as the engine sees them: plain JSON-like data, where some parts may be unknown until apply.

An unknown value is the string `UNKNOWN` (the same sentinel the Pulumi engine sends during preview), or any
string containing it (an interpolation with an unknown part). Being a string, it passes the validation of
string fields unchanged, so a resource whose id field refers to a resource not yet created still gets every
other field checked at plan time.
"""

from __future__ import annotations

import json
from typing import Any

#: Equal to `pulumi.runtime.rpc.UNKNOWN` (a test keeps them equal): one marker for YAML and Pulumi.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    """True when the value, or any part of it, is known only after apply."""
    if isinstance(value, str):
        return UNKNOWN in value
    if isinstance(value, dict):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(item) for item in value)
    return False


def canonical(value: Any) -> str:
    """A stable text form for comparing and hashing values (key order and float/int spelling ignored)."""
    return json.dumps(_normal_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _normal_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normal_numbers(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal_numbers(item) for item in value]
    return value
