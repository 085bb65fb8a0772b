"""Number and flag fields of kinds' specs: pydantic's lax defaults, minus the coercions YAML makes dangerous.

YAML 1.1 reads `yes`, `no`, `on` and `off` as booleans, so `timeout: yes` arrives as True, which pydantic's
`int` takes as 1; `timeout: "120"` arrives as text, which pydantic's `int` takes as 120; and `enabled: 1` or
`enabled: "no"` would pass as flags. User input is typed strictly, both ways:

- a number field is declared `Annotated[int, <policy>, Field(...), STRICT_NUMBER]`: whole numbers, never a
  boolean, never text. It still takes a whole float (`30.0`): Pulumi sends every number as a float.
  `STRICT_NUMBER` goes last, after `Field(...)`, so that the bounds stay the int's own (and `minimum` /
  `maximum` in the schema);
- a flag is `Flag`: only true and false.
"""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError


def _strict_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "input should be a valid integer, not {value} (YAML reads yes, no, "
                                              "on and off as booleans)", {"value": str(value).lower()})
    if isinstance(value, str):
        raise PydanticCustomError("int_type", "input should be a number, not the text '{value}' (write it "
                                              "without quotes)", {"value": value})
    return value


STRICT_NUMBER = BeforeValidator(_strict_number)
Flag = StrictBool
