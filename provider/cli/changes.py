"""A change as a reviewer reads it: values as they may be shown, and a field's change path by path.

Nothing is ever cut. A field whose value is a mapping or a list changes path by path
(`targets.webhooks[chat].url: "https://a" -> "https://b"`, `+ targets.webhooks[ops]: {...}`,
`- targets.contacts[contact-1]: {...}`): items of a list that all carry an `id` (event-rule targets) are named by
it, other lists by position (a new item at its new position, a removed one at its old, unchanged items matched
wherever they moved). Texts of several lines, and long ones, change as unified diffs; drift shows both sides in
full instead. Secrets show as "(secret)" (compared by their digests, so a changed secret still shows as a
change), values known only after apply as "(known after apply)".

Plans and drift reports render these `PathChange`s as text (render.py) and markdown (markdown.py), and carry
them in `--json` as the `paths` of each change.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator, Mapping

from ecsops.engine import kind as kinds
from ecsops.engine.policy import FieldPolicy
from ecsops.engine.values import canonical, is_secret, is_unknown

SECRET = "(secret)"
DIGEST_MARK = "\x00"  # joins "(secret)" and a digest inside compared values; never displayed
KNOWN_AFTER_APPLY = "(known after apply)"
LONG = 160  # a one-line text change longer than this (both sides together) reads better as a diff
UPDATE, ADD, REMOVE = "update", "add", "remove"
SYMBOLS = {UPDATE: "~", ADD: "+", REMOVE: "-"}


# -- values as shown ------------------------------------------------------------------------------------


def shown(field: str, value: Any, secret_fields: Iterable[str]) -> Any:
    """A value as it may be displayed: secrets hidden (whole fields, and {secret: ...} parts), unknowns named."""
    if value is None:
        return None
    if field in secret_fields:
        return SECRET
    if is_unknown(value):
        return KNOWN_AFTER_APPLY
    return masked(value)


def masked(value: Any, *, keep_digest: bool = False) -> Any:
    """`value` with every secret part replaced by "(secret)" — or, with `keep_digest`, by "(secret)" and its
    digest (never the plain value), so two secrets still compare as different (see `displayed`)."""
    if is_secret(value):
        return f"{SECRET}{DIGEST_MARK}{value['secret']}" if keep_digest else SECRET
    if isinstance(value, dict):
        return {key: masked(item, keep_digest=keep_digest) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, keep_digest=keep_digest) for item in value]
    return value


def displayed(value: Any) -> Any:
    """A value of `masked(..., keep_digest=True)` as shown: the digests dropped."""
    if isinstance(value, str) and value.startswith(SECRET + DIGEST_MARK):
        return SECRET
    if isinstance(value, dict):
        return {key: displayed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [displayed(item) for item in value]
    return value


def inline(value: Any) -> str:
    """A value on one line, in full: JSON, but "(secret)" and "(known after apply)" as they are."""
    if value in (SECRET, KNOWN_AFTER_APPLY):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def is_empty(value: Any) -> bool:
    """None or an empty text, list or map."""
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def shown_on_create(type_: str, field: str, value: Any) -> bool:
    """Whether a new object's field is worth a line: not when empty, nor false or 0 when that is the field's
    default — but a false or 0 that differs from the default is always shown (a rule created disabled, a
    silence time of 0)."""
    if is_empty(value):
        return False
    if isinstance(value, (bool, int, float)) and not value:
        return value != _default_of(type_, field)
    return True


def _default_of(type_: str, field: str) -> Any:
    try:
        fields = kinds.get(type_).spec.model_fields
    except kinds.UnknownKind:
        return None
    info = next((info for name, info in fields.items() if (info.alias or name) == field), None)
    return None if info is None or info.is_required() else info.get_default(call_default_factory=True)


def multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def change_note(effect: str, reason: str | None, unknown: bool = False) -> str:
    """What a reviewer should know of a change: `forces replacement: ...`, or its reason ("" for none)."""
    told = reason if reason and not unknown else None
    if effect == "replace":
        return "forces replacement" + (f": {told}" if told else "")
    return told or ""


# -- path by path -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathChange:
    """One path of a field that changes (`field` itself when the value is not changed part by part), with the
    values as shown. `old` is None for an added path, `new` for a removed one."""

    path: str
    change: str  # UPDATE, ADD or REMOVE
    old: Any = None
    new: Any = None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.change]

    @property
    def long_text(self) -> bool:
        """A change of text better read as a diff (or, in drift, as both sides one under the other)."""
        if self.change != UPDATE or not isinstance(self.old, str) or not isinstance(self.new, str):
            return False
        if self.new in (SECRET, KNOWN_AFTER_APPLY) or self.old == SECRET:
            return False
        return multiline(self.old) or multiline(self.new) or len(self.old) + len(self.new) > LONG

    def document(self) -> dict[str, Any]:
        """For `--json`: as the change documents, an unknown value is null with `"unknown": true`."""
        unknown = self.new == KNOWN_AFTER_APPLY
        return {"path": self.path, "change": self.change, "old": self.old, "new": None if unknown else self.new,
                **({"unknown": True} if unknown else {})}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "PathChange":
        new = KNOWN_AFTER_APPLY if document.get("unknown") else document.get("new")
        return cls(str(document["path"]), str(document["change"]), document.get("old"), new)


def field_paths(type_: str, field: str, old: Any, new: Any) -> list[PathChange]:
    """How `field` of a resource of `type_` changes from `old` to `new` (values as the engine holds them:
    secrets as digests, unknowns marked), path by path, compared after the field's normaliser."""
    policy = policy_of(type_, field)
    if policy.secret:
        return [_whole(field, None if old is None else SECRET, None if new is None else SECRET)]
    if is_unknown(new):
        return [_whole(field, displayed(masked(old)), KNOWN_AFTER_APPLY)]
    before = masked(_normalised(policy, old), keep_digest=True)
    after = masked(_normalised(policy, new), keep_digest=True)
    found = [replace(step, old=displayed(step.old), new=displayed(step.new)) for step in walk(field, before, after)]
    # nothing told apart path by path (the values differ only as given): the change shown whole
    return found or [_whole(field, displayed(masked(old)), displayed(masked(new)))]


def document_paths(change: Mapping[str, Any]) -> list[PathChange]:
    """The paths of a change as `--json` documents it; documents written before paths were, from its values
    (already masked: a changed nested secret then shows no path of its own)."""
    if "paths" in change:
        return [PathChange.from_document(step) for step in change["paths"]]
    field, old = str(change["field"]), change.get("old")
    new = KNOWN_AFTER_APPLY if change.get("unknown") else change.get("new")
    if SECRET in (old, new) or new == KNOWN_AFTER_APPLY:
        return [_whole(field, old, new)]
    return list(walk(field, old, new)) or [_whole(field, old, new)]


def policy_of(type_: str, field: str) -> FieldPolicy:
    try:
        return kinds.get(type_).fields.get(field) or FieldPolicy()
    except kinds.UnknownKind:
        return FieldPolicy()


def _normalised(policy: FieldPolicy, value: Any) -> Any:
    try:
        return policy.normalised(value)
    except (TypeError, ValueError, AttributeError, KeyError):  # a value the normaliser was not made for
        return value


def _whole(path: str, old: Any, new: Any) -> PathChange:
    if old is None and new is not None:
        return PathChange(path, ADD, None, new)
    if new is None and old is not None:
        return PathChange(path, REMOVE, old, None)
    return PathChange(path, UPDATE, old, new)


def walk(path: str, old: Any, new: Any) -> Iterator[PathChange]:
    """Every path under `path` where `old` and `new` differ, in the order the values list them (a member
    set to null counts as absent, as everywhere in ecsops)."""
    if canonical(old) == canonical(new):
        return
    if old is None or new is None:
        yield _whole(path, old, new)
    elif isinstance(old, dict) and isinstance(new, dict):
        yield from _walk_mapping(path, old, new, _member)
    elif isinstance(old, list) and isinstance(new, list):
        yield from _walk_list(path, old, new)
    else:
        yield PathChange(path, UPDATE, old, new)


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _item(path: str, key: str) -> str:
    return f"{path}[{key}]"


def _walk_mapping(path: str, old: Mapping[str, Any], new: Mapping[str, Any],
                  name: Callable[[str, str], str]) -> Iterator[PathChange]:
    for key in [*old, *(key for key in new if key not in old)]:
        yield from walk(name(path, str(key)), old.get(key), new.get(key))


def _walk_list(path: str, old: list[Any], new: list[Any]) -> Iterator[PathChange]:
    """Items with ids by id; others by position, unchanged items matched wherever they moved."""
    if _identified(old, new):
        yield from _walk_mapping(path, _by_id(old), _by_id(new), _item)
        return
    matcher = difflib.SequenceMatcher(None, [canonical(i) for i in old], [canonical(i) for i in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:  # as many items changed in place: each path by path
            for offset in range(i2 - i1):
                yield from walk(_item(path, str(j1 + offset)), old[i1 + offset], new[j1 + offset])
            continue
        for index in range(i1, i2):
            yield PathChange(_item(path, str(index)), REMOVE, old[index], None)
        for index in range(j1, j2):
            yield PathChange(_item(path, str(index)), ADD, None, new[index])


def _identified(*lists: list[Any]) -> bool:
    """Whether every item of the lists (not all empty) is a mapping with an `id`, unique within its list."""
    items = [item for items in lists for item in items]
    if not items or not all(isinstance(item, dict) and item.get("id") is not None for item in items):
        return False
    return all(len({str(item["id"]) for item in items}) == len(items) for items in lists)


def _by_id(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(item["id"]): item for item in items}


# -- as text --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sides:
    """How the two sides of a change are told: a plan's `old -> new`, drift's `cloud X, stack Y`."""

    pair: Callable[[Any, Any], str]
    added: str = ""    # after an added path's name
    removed: str = ""  # after a removed path's name
    both_in_full: bool = False  # long texts: both sides in full, not a diff


PLAN = Sides(lambda old, new: f"{inline(old)} -> {inline(new)}")
DRIFT = Sides(lambda old, new: f"cloud {inline(old)}, stack {inline(new)}", added=" (the stack only)",
              removed=" (the cloud only)", both_in_full=True)


def field_lines(field: str, paths: list[PathChange], note: str, sides: Sides = PLAN, indent: str = "      ",
                whole: tuple[Any, Any] | None = None) -> list[str]:
    """The lines of one field's change under a resource: `field: old -> new` when it changes whole and short,
    else `field:` and its paths (or its text diff) below — with `whole` (the two values as shown), a field
    changed path by path names both whole values first."""
    alone = paths[0] if len(paths) == 1 and paths[0].path == field else None
    if alone is not None and not (alone.long_text or multiline(alone.old) or multiline(alone.new)):
        return [f"{indent}{field}: {sides.pair(alone.old, alone.new)}{note}"]
    if whole is not None and alone is None:
        lines = [f"{indent}{field}: {sides.pair(*whole)}{note}"]
    else:
        lines = [f"{indent}{field}:{note}"]
    for step in paths:
        if step.path == field and step.long_text:
            lines += _long_lines(step, sides, indent + "  ")
        else:
            lines += path_lines(step, sides, indent + "  ")
    return lines


def path_lines(step: PathChange, sides: Sides = PLAN, indent: str = "        ") -> list[str]:
    """`~ path: old -> new`, `+ path: value`, `- path: value`; long texts as a diff below `~ path:`."""
    if step.change == UPDATE and step.long_text:
        return [f"{indent}~ {step.path}:", *_long_lines(step, sides, indent + "  ")]
    if step.change == UPDATE:
        return [f"{indent}~ {step.path}: {sides.pair(step.old, step.new)}"]
    if step.change == ADD:
        return value_lines(f"{indent}+ {step.path}{sides.added}", step.new, indent + "  ")
    return value_lines(f"{indent}- {step.path}{sides.removed}", step.old, indent + "  ")


def value_lines(head: str, value: Any, indent: str) -> list[str]:
    """`head: value`, a text of several lines as a block below `head: |`."""
    if multiline(value):
        return [f"{head}: |", *(f"{indent}{line}" for line in str(value).rstrip("\n").splitlines())]
    return [f"{head}: {inline(value)}"]


def _long_lines(step: PathChange, sides: Sides, indent: str) -> list[str]:
    if sides.both_in_full and looks_alike(step.old, step.new):  # differ in line ends or trailing space only
        return [f"{indent}cloud: {inline(step.old)}", f"{indent}stack: {inline(step.new)}"]
    if sides.both_in_full:
        return [*value_lines(f"{indent}cloud", step.old, indent + "  "),
                *value_lines(f"{indent}stack", step.new, indent + "  ")]
    return [f"{indent}{line}" for line in text_diff(str(step.old), str(step.new))]


def looks_alike(old: Any, new: Any) -> bool:
    """Two different texts whose lines read the same (a trailing newline, CR, trailing spaces): shown as
    blocks they would look equal, so they are shown as JSON, where the difference is visible."""
    return (isinstance(old, str) and isinstance(new, str) and old != new
            and [line.rstrip() for line in old.splitlines()] == [line.rstrip() for line in new.splitlines()])


def text_diff(old: str, new: str) -> list[str]:
    """A unified diff of two texts without its file header (and, for one line each, without its hunk header):
    the changed lines in full, with three lines of context."""
    before, after = old.splitlines(), new.splitlines()
    lines = list(difflib.unified_diff(before, after, lineterm=""))[2:]
    if len(before) <= 1 and len(after) <= 1:
        lines = [line for line in lines if not line.startswith("@@")]
    return lines or [f"-{json.dumps(old, ensure_ascii=False)}", f"+{json.dumps(new, ensure_ascii=False)}"]
