"""Field policy: how each field of a kind behaves, declared once on the field and read by one engine.

A kind's spec declares its fields with `Annotated[type, in_place(...)]` or `replace(...)` (terraform's
`RequiresReplace()` plan modifier, kopf's declarative handlers): the Pulumi diff, the CLI plan and drift all
derive from these declarations, so no resource code decides by itself whether a change replaces.

| declaration | a change of the field... |
|---|---|
| `in_place()` | is made by the kind's update |
| `replace(reason=...)` | creates a new object (and removes the old) |
| `add_only(reason=...)` | list: added items in place; a removed or changed item replaces |

What the cloud sets (ids, statuses) is not a field at all: it is declared in the kind's outputs model, and
never diffed.

Options on every declaration: `secret` (never shown or stored in plain text), `normalise` (applied to both
sides before comparing), `wire` (the API parameter carrying it: error codes name parameters, users name
fields), `observed=False` (the cloud cannot report it: compared with the last applied value instead), and for
the requests and reads built from the declarations (engine/wire.py): `codec` (how the value travels, when not
as it is), `read` (where a Describe answer reports it, when not under `wire`), `sent=False` (the lifecycle
sends it its own way), `computed=True` (left unset, the field takes the cloud's value — a default resource
group — and is not compared).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from pydantic import BaseModel


class Update(str, Enum):
    IN_PLACE = "in_place"
    REPLACE = "replace"
    ADD_ONLY = "add_only"


@dataclass(frozen=True)
class FieldPolicy:
    update: Update = Update.IN_PLACE
    secret: bool = False
    normalise: Callable[[Any], Any] | None = None
    wire: str | None = None
    reason: str | None = None
    observed: bool = True
    codec: Any = None              # engine.wire.Codec; None: the value travels as it is
    read: str | None = None        # dotted path in a Describe answer's item; None: `wire`
    sent: bool = True              # False: not part of the request engine.wire builds
    computed: bool = False         # unset (None) in the stack: the cloud's value stands, never a change

    def normalised(self, value: Any) -> Any:
        return self.normalise(value) if self.normalise is not None and value is not None else value


def in_place(**options: Any) -> FieldPolicy:
    return FieldPolicy(update=Update.IN_PLACE, **options)


def replace(**options: Any) -> FieldPolicy:
    return FieldPolicy(update=Update.REPLACE, **options)


def add_only(**options: Any) -> FieldPolicy:
    return FieldPolicy(update=Update.ADD_ONLY, **options)


DEFAULT = FieldPolicy()


def policies(model: type[BaseModel]) -> dict[str, FieldPolicy]:
    """Every field of `model` by its wire name (the camelCase alias) with its declared policy."""
    found: dict[str, FieldPolicy] = {}
    for name, info in model.model_fields.items():
        declared = [item for item in info.metadata if isinstance(item, FieldPolicy)]
        found[info.alias or name] = declared[0] if declared else DEFAULT
    return found
