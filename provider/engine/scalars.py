"""Number and flag fields of kinds' specs: pydantic's lax defaults, minus the coercions YAML makes dangerous.

YAML 1.1 reads `yes`, `no`, `on` and `off` as booleans, so `timeout: yes` arrives as True, which pydantic's
`int` takes as 1; and `enabled: 1` or `enabled: "no"` would pass as flags. So:

- a number field is declared `Annotated[int, <policy>, Field(...), NO_BOOLEAN]`: whole numbers, never a
  boolean. It still takes a whole float (`30.0`): Pulumi sends every number as a float. `NO_BOOLEAN` goes
  last, after `Field(...)`, so that the bounds stay the int's own (and `minimum` / `maximum` in the schema);
- a flag is `Flag`: only true and false.
"""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "input should be a valid integer, not {value} (YAML reads yes, no, "
                                              "on and off as booleans)", {"value": str(value).lower()})
    return value


NO_BOOLEAN = BeforeValidator(_not_a_boolean)
Flag = StrictBool
