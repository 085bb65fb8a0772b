"""Reading a kind's declarations in tests."""

from __future__ import annotations

from ecsops.engine.kind import Kind
from ecsops.engine.policy import Update


def replacing(kind: Kind) -> frozenset[str]:
    """The fields (wire names) whose change replaces the object, as the kind's field policy declares them."""
    return frozenset(name for name, policy in kind.fields.items() if policy.update is Update.REPLACE)
