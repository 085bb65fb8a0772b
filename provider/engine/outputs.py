"""A stack's outputs: named values computed from what apply recorded, read without calling the cloud.

    outputs:
      commandId: ${disk-check.commandId}
      schedule: {task: ${nightly.invokeId}, runs: ${nightly.nextRuns}}
      endpoint: https://monitor.example.com/${config.region}

An output is any value; its `${resource.attribute}` references (a field or output of a declared resource) are
resolved from the state — the values and outputs the last apply recorded — and its `${config.NAME}` ones when
the stack is loaded (engine.config). A resource not applied yet leaves UNKNOWN where it is referred to.

Secrets: the state keeps a secret only as its digest (engine.values), so an output that takes one from the
state — a field written `{secret: ...}`, or a text built from one — stays `{secret: DIGEST}`, which can only
be shown masked. A secret config value is read again, from where it lives, whenever the stack is loaded, so an
output that is exactly one holds it in clear, `{secret: VALUE}`: shown masked too, unless asked for.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Mapping

from ecsops.engine import kind as kinds, refs
from ecsops.engine.errors import Diagnostic
from ecsops.engine.state import StackState
from ecsops.engine.validate import field_path
from ecsops.engine.values import SECRET_KEY, UNKNOWN, contains_secret, is_digest, is_secret, is_unknown, protect, reveal

OUTPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}\Z")
Report = Callable[[tuple[Any, ...], str], None]
Prepare = Callable[[Any, tuple[Any, ...], Report], Any]


def declared_outputs(raw: Any, attributes: Mapping[str, tuple[str, ...]], prepare: Prepare,
                     problems: list[Diagnostic]) -> dict[str, Any]:
    """The outputs `raw` (the stack's `outputs:`) declares, their config values in place (`prepare`: see
    engine.config.Configuration.applied); each problem — a bad name, a reference to no resource or to an
    attribute the resource lacks — is added to `problems`, naming the field (`outputs.NAME`)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Diagnostic("outputs must be a mapping of names to values", field="outputs"))
        return {}
    outputs = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not OUTPUT_NAME.match(name):
            problems.append(Diagnostic(f"output name {name!r} is not valid: start with a letter; letters, digits, "
                                       "'_' and '-'", field="outputs", where=("outputs", str(name))))
            continue

        def report(loc: tuple[Any, ...], message: str) -> None:
            problems.append(Diagnostic(message, field=field_path(loc)))

        prepared = prepare(value, ("outputs", name), report)
        problems.extend(Diagnostic(problem, field=f"outputs.{name}")
                        for problem in _reference_problems(prepared, attributes))
        outputs[name] = prepared
    return outputs


def _reference_problems(value: Any, attributes: Mapping[str, tuple[str, ...]]) -> Iterator[str]:
    for reference in sorted(refs.references(value)):
        known = attributes.get(reference.resource)
        if known is None:
            yield f"dangling reference {reference}: the stack declares no resource {reference.resource!r}"
        elif reference.attribute not in known:
            yield (f"reference {reference}: resource {reference.resource!r} has no attribute {reference.attribute!r} "
                   f"(has: {', '.join(known)})")


def evaluate(outputs: Mapping[str, Any], state: StackState) -> dict[str, Any]:
    """Each output's value from what `state` recorded (no cloud call): UNKNOWN where it refers to a resource
    the state does not hold; a text built from a secret becomes a secret itself (see the module's docstring)."""
    def attribute(reference: refs.Reference) -> Any:
        entry = state.resources.get(reference.resource)
        if entry is None:
            return UNKNOWN
        value = {**entry.values, **entry.outputs}.get(reference.attribute, UNKNOWN)
        if reference.attribute in _secret_fields(entry.type) and not is_secret(value):
            return protect({SECRET_KEY: value}, state.salt)   # a field secret as a whole: as the state protects it
        return value

    return {name: _evaluated(value, attribute) for name, value in outputs.items()}


def _secret_fields(type_: str) -> frozenset[str]:
    try:
        return kinds.get(type_).secret_fields()
    except kinds.UnknownKind:
        return frozenset()


def _evaluated(value: Any, attribute: Callable[[refs.Reference], Any]) -> Any:
    if is_secret(value):
        inner = _evaluated(value[SECRET_KEY], attribute)
        return inner if is_secret(inner) else {SECRET_KEY: inner}
    if isinstance(value, dict):
        return {key: _evaluated(item, attribute) for key, item in value.items()}
    if isinstance(value, list):
        return [_evaluated(item, attribute) for item in value]
    if not isinstance(value, str):
        return value
    return _evaluated_text(value, attribute)


def _evaluated_text(value: str, attribute: Callable[[refs.Reference], Any]) -> Any:
    whole = refs.whole_reference(value)
    if whole is not None:
        return attribute(whole)
    found: list[Any] = []

    def text_of(reference: refs.Reference) -> Any:
        resolved = attribute(reference)
        found.append(resolved)
        return reveal(resolved)

    text = refs.resolve(value, text_of)
    sealed = [inner for item in found for inner in _secrets_in(item) if is_digest(inner) or is_unknown(inner)]
    if sealed:
        return {SECRET_KEY: sealed[0]}    # built from a secret the state keeps only as a digest
    return {SECRET_KEY: text} if any(contains_secret(item) for item in found) else text


def _secrets_in(value: Any) -> Iterator[Any]:
    """The inside of every `{secret: ...}` in `value`."""
    if is_secret(value):
        yield value[SECRET_KEY]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _secrets_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _secrets_in(item)
