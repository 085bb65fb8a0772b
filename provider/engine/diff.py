"""The pure diff: which declared fields differ between two value sets, and what each change costs.

`diff` never touches the cloud and has no side effects; the same function serves the CLI plan, drift and
the Pulumi provider's Diff, so all three always agree. Outputs (ids, computed values) are never compared.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from ecsops.engine.kind import Kind
from ecsops.engine.policy import FieldPolicy, Update
from ecsops.engine.values import canonical, is_unknown

ADD_ONLY_REASON = "items of this list can only be added"


class Effect(str, Enum):
    UPDATE = "update"
    REPLACE = "replace"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: values as given (possibly unknown), and whether it replaces."""

    field: str
    old: Any
    new: Any
    effect: Effect
    reason: str | None = None

    @property
    def unknown(self) -> bool:
        return is_unknown(self.new)


def diff(kind: Kind, old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The changes that turn `old` into `new`, in field declaration order.

    A field whose new value is unknown is reported as changing (it may), with the effect its policy gives.
    """
    changes = []
    for name, policy in kind.fields.items():
        change = _field_change(name, policy, old.get(name), new.get(name))
        if change is not None:
            changes.append(change)
    return tuple(changes)


def _field_change(name: str, policy: FieldPolicy, old: Any, new: Any) -> FieldChange | None:
    if policy.computed and new is None:  # not declared: whatever the cloud chose stands
        return None
    if is_unknown(new):
        effect = Effect.UPDATE if policy.update is Update.IN_PLACE else Effect.REPLACE
        return FieldChange(name, old, new, effect, "known after apply")
    if same(policy, old, new):
        return None
    if policy.update is Update.IN_PLACE:
        return FieldChange(name, old, new, Effect.UPDATE)
    if policy.update is Update.ADD_ONLY and _only_adds(policy, old, new):
        return FieldChange(name, old, new, Effect.UPDATE, "adds items")
    reason = policy.reason or (ADD_ONLY_REASON if policy.update is Update.ADD_ONLY else None)
    return FieldChange(name, old, new, Effect.REPLACE, reason)


def same(policy: FieldPolicy, old: Any, new: Any) -> bool:
    """Equal after the field's normaliser (key order and 1 vs 1.0 never matter)."""
    old, new = policy.normalised(old), policy.normalised(new)
    if isinstance(old, str) and isinstance(new, str):  # most fields: no need to serialise
        return old == new
    return canonical(old) == canonical(new)


def _only_adds(policy: FieldPolicy, old: Any, new: Any) -> bool:
    before = Counter(canonical(item) for item in (policy.normalised(old) or []))
    after = Counter(canonical(item) for item in (policy.normalised(new) or []))
    return not before - after


def replaces(changes: tuple[FieldChange, ...]) -> bool:
    return any(change.effect is Effect.REPLACE for change in changes)
