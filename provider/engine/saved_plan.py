"""Saved plans: what a reviewer approved, checked again before it is applied.

`ecsops plan STACK --out PLAN` records what the plan was made from — the stack file's digest, the state's
version, and for each resource the plan touches a fingerprint of the cloud values it read — and what it would
do (each resource's action and changed fields). `ecsops apply PLAN` re-reads the same things under the
stack's lock and applies only when all of them are as recorded, so the changes it makes are exactly the
reviewed ones; otherwise it refuses, naming each resource that differs (Terraform checks only its state's
serial: a console edit made after the plan would be silently reverted; here it is noticed).

The stack file's digest does not cover what it reads from elsewhere — the values of its environment file
(`--env`), secrets read from environment variables or files — so the basis also holds, per declared
resource, a digest of its values as loaded (`inputs`): a value changed there since the plan is refused too,
naming the resource.

Nothing secret is kept in clear: fingerprints are SHA-256 digests of the values as the state protects them
(secrets replaced by their salted scrypt digests first), inputs are hashed with their secrets protected
under a salt of the plan's own, and the plan shown is the masked one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from ecsops.engine.errors import Diagnostic
from ecsops.engine.kind import Observed
from ecsops.engine.plan import Action, Plan
from ecsops.engine.state import StackState
from ecsops.engine.values import canonical, mark_secrets, protect

if TYPE_CHECKING:
    from ecsops.engine.stack import Stack

ABSENT = "absent"


@dataclass(frozen=True)
class Basis:
    """What a plan was made from, as `apply PLAN` compares it: the state's version, and per resource the plan
    touches, its action, changed fields and the fingerprint of each cloud value read."""

    serial: int
    shape: dict[str, dict[str, Any]]
    fingerprints: dict[str, dict[str, str]]
    inputs: dict[str, str] = field(default_factory=dict)   # empty in plan files written before inputs were
    salt: str = ""                                         # the salt of the inputs' secrets

    def to_document(self) -> dict[str, Any]:
        return {"serial": self.serial, "shape": self.shape, "fingerprints": self.fingerprints,
                "inputs": {"salt": self.salt, "resources": self.inputs}}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "Basis":
        inputs = document.get("inputs") or {}
        return cls(int(document["serial"]), dict(document["shape"]), dict(document["fingerprints"]),
                   dict(inputs.get("resources") or {}), str(inputs.get("salt") or ""))


def basis(planned: Plan, observed: Mapping[str, Observed | None], state: StackState, stack: "Stack | None" = None,
          *, salt: str | None = None) -> Basis:
    """What `planned` was made from; with `stack`, its inputs too (under `salt`: a new one when None)."""
    salt = salt or secrets.token_hex(16)
    return Basis(state.serial, shape(planned), fingerprints(planned, observed, state),
                 inputs(stack, salt) if stack is not None else {}, salt if stack is not None else "")


def inputs(stack: "Stack", salt: str) -> dict[str, str]:
    """Per declared resource, a digest of its values as loaded — config values and secrets read from the
    environment or files included — with secrets protected under `salt` first."""
    return {name: _hash(protect(resource.properties, salt)) for name, resource in stack.resources.items()}


def shape(planned: Plan) -> dict[str, dict[str, Any]]:
    """Each touched resource's action, and the fields it changes (what a reviewer read)."""
    return {resource.name: {"action": resource.action.value, "fields": sorted(c.field for c in resource.changes)}
            for resource in planned.resources if resource.action is not Action.NOOP}


def fingerprints(planned: Plan, observed: Mapping[str, Observed | None],
                 state: StackState) -> dict[str, dict[str, str]]:
    """For each touched resource, a digest of each cloud value read (ABSENT: nothing was read). Secrets are
    marked as the stack and state declare them and protected with the state's salt before hashing."""
    found: dict[str, dict[str, str]] = {}
    for resource in planned.resources:
        if resource.action is Action.NOOP:
            continue
        seen = observed.get(resource.name)
        if seen is None:
            found[resource.name] = {"": ABSENT}
            continue
        entry = state.resources.get(resource.name)
        template = resource.desired or (entry.values if entry is not None else {})
        values = protect(mark_secrets(dict(seen.reported), dict(template)), state.salt)
        found[resource.name] = {"": _hash(seen.id), **{field: _hash(value) for field, value in values.items()}}
    return found


def differences(recorded: Basis, now: Basis, stack: str) -> list[Diagnostic]:
    """Why the plan no longer holds: the state moved on, a resource's cloud values changed, or what apply
    would do changed (one diagnostic per resource, naming the fields)."""
    problems: list[Diagnostic] = []
    if now.serial != recorded.serial:
        problems.append(Diagnostic(
            f"the state of stack {stack!r} changed since the plan was made (version {recorded.serial} -> "
            f"{now.serial}: another apply ran): make a new plan"))
    for name in sorted(set(recorded.fingerprints) | set(now.fingerprints)):
        before, after = recorded.fingerprints.get(name), now.fingerprints.get(name)
        if before is not None and after is not None and before != after:
            changed = sorted(field or "id" for field in set(before) | set(after)
                             if before.get(field) != after.get(field))
            problems.append(Diagnostic(f"changed in the cloud since the plan was made ({', '.join(changed)}): "
                                       "make a new plan and review it", resource=name))
    problems.extend(_input_problems(recorded, now, {p.resource for p in problems}))
    for name in sorted(set(recorded.shape) | set(now.shape)):
        before_shape, after_shape = recorded.shape.get(name), now.shape.get(name)
        if before_shape != after_shape and not any(p.resource == name for p in problems):
            problems.append(Diagnostic(f"the plan said: {_said(before_shape)}; applying now: {_said(after_shape)}. "
                                       "Make a new plan and review it", resource=name))
    return problems


def _input_problems(recorded: Basis, now: Basis, reported: set[str | None]) -> list[Diagnostic]:
    """A problem for each resource whose values as loaded changed since the plan (none for a plan file written
    before inputs were recorded), but those already `reported`."""
    if not recorded.inputs:
        return []
    return [Diagnostic("its values changed since the plan was made (the environment file's values, or a secret read "
                       "from an environment variable or file): make a new plan and review it", resource=name)
            for name in sorted(set(recorded.inputs) | set(now.inputs))
            if recorded.inputs.get(name) != now.inputs.get(name) and name not in reported]


def _said(shape_: Mapping[str, Any] | None) -> str:
    if shape_ is None:
        return "no change"
    fields = f" ({', '.join(shape_['fields'])})" if shape_["fields"] else ""
    return f"{shape_['action']}{fields}"


def _hash(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
