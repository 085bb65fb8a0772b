"""Fleet reports (docs/drift.md) built by hand for the tests of their views and of `ecsops report merge`: single-stack
documents in the shape render.drift_document and render.plan_document write, wrapped by fleet_document.document()
as a run over many stacks would."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Sequence

from ecsops.cli import fleet_document

REGION = "cn-hangzhou"
GENERATED = "2026-11-30T07:00:00+00:00"
REASONS = {"outside": "changed outside ecsops", "unapplied": "stack changed since the last apply"}
STATUS_CAUSES = {"missing": ["outside"], "not-applied": ["unapplied"], "not-declared": ["unapplied"]}


def change(field: str, old: Any, new: Any, *causes: str, effect: str = "update",
           paths: list[dict[str, Any]] | None = None, one_cause: bool = False) -> dict[str, Any]:
    """A drift change: `old` the cloud's value, `new` the stack's; its causes (outside unless told) as `causes`,
    or (`one_cause`) as the single `cause` of documents written before a change could have both."""
    told = list(causes or ("outside",))
    made = {"field": field, "old": old, "new": new, "effect": effect,
            "reason": " and ".join(REASONS[cause] for cause in told), "unknown": False,
            "applied": old if told == ["unapplied"] else (None if len(told) > 1 else new),
            "paths": paths if paths is not None else [{"path": field, "change": "update", "old": old, "new": new}]}
    return {**made, "cause": told[0]} if one_cause else {**made, "causes": told}


def causes_of_change(made: dict[str, Any]) -> list[str]:
    return list(made["causes"]) if "causes" in made else [made["cause"]]


def resource(name: str, *changes: dict[str, Any], action: str | None = None, id_: str | None = "auto",
             type_: str = "ecsops:Command", region: str | None = REGION, reason: str | None = None) -> dict[str, Any]:
    """A drift document's resource: drifted when it has changes, else in sync (or `action`)."""
    status = action or ("drifted" if changes else "in-sync")
    causes = STATUS_CAUSES.get(status) or [cause for cause in ("outside", "unapplied")
                                            if any(cause in causes_of_change(c) for c in changes)]
    return {"name": name, "type": type_, "id": f"c-{name}" if id_ == "auto" else id_, "region": region,
            "action": status, "reason": reason, "causes": causes, "changes": list(changes), "preview": {}}


def drift_report(stack: str, resources: Iterable[dict[str, Any]]) -> dict[str, Any]:
    found = list(resources)
    causes = {cause for item in found for cause in item["causes"]}
    return {"stack": stack, "backend": {"kind": "endpoint", "endpoint": "http://127.0.0.1:9", "region": REGION},
            "changes": any(item["action"] != "in-sync" for item in found), "outside": "outside" in causes,
            "unapplied": "unapplied" in causes, "summary": dict(Counter(item["action"] for item in found)),
            "resources": found, "warnings": []}


def stack(path: str, *resources: dict[str, Any], account: str | None = "default", name: str | None = None,
          errors: Sequence[str] = (), managed: Sequence[dict[str, Any]] | None = None,
          pending: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A drift run's entry for the stack file `path` (its name the file's stem unless `name`); `managed` and
    `pending` (left out unless given, as in reports written before them) what its state records."""
    name = name or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    entry: dict[str, Any] = {"path": path, "source": path, "stack": name, "account": account}
    entry.update({key: list(value) for key, value in (("managed", managed), ("pending", pending))
                  if value is not None})
    if errors:
        return {**entry, "status": "error", "outside": False, "unapplied": False, "report": None,
                "errors": [diagnostic(message, path) for message in errors]}
    report = drift_report(name, resources)
    found = {cause for resource in report["resources"] for cause in resource.get("causes") or ()}
    outside, unapplied = "outside" in found, "unapplied" in found
    return {**entry, "status": "drifted" if report["changes"] else "in-sync", "outside": outside,
            "unapplied": unapplied, "report": report, "errors": []}


def recorded(id_: str, type_: str = "ecsops:Command", region: str | None = REGION) -> dict[str, Any]:
    """An object a stack's state records (its `managed`), as the state records it."""
    return {"type": type_, "region": region, "id": id_}


def diagnostic(message: str, file: str | None = None, severity: str = "error") -> dict[str, Any]:
    return {"severity": severity, "resource": None, "type": None, "field": None, "message": message, "file": file,
            "line": None, "column": None}


def unmanaged(id_: str, *, name: str | None = None, type_: str = "ecsops:Command", region: str = REGION,
              account: str = "default") -> dict[str, Any]:
    return {"type": type_, "region": region, "id": id_, "name": name, "account": account,
            "import": f"ecsops import STACK NAME {id_}"}


def plan_resource(name: str, action: str, *changes: dict[str, Any], type_: str = "ecsops:Command") -> dict[str, Any]:
    return {"name": name, "type": type_, "id": None if action == "create" else f"c-{name}", "region": REGION,
            "action": action, "reason": None, "changes": list(changes), "preview": {}}


def plan_change(field: str, old: Any, new: Any, *, effect: str = "update") -> dict[str, Any]:
    kind = "add" if old is None else "update"
    return {"field": field, "old": old, "new": new, "effect": effect, "reason": None, "unknown": False,
            "paths": [{"path": field, "change": kind, "old": old, "new": new}]}


def plan_stack(path: str, *resources: dict[str, Any]) -> dict[str, Any]:
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    summary = Counter(item["action"] for item in resources)
    report = {"stack": name, "backend": {"kind": "endpoint", "endpoint": "http://127.0.0.1:9", "region": REGION},
              "changes": any(item["action"] != "no-op" for item in resources),
              "summary": {action: summary.get(action, 0) for action in
                          ("create", "update", "replace", "delete", "no-op")},
              "resources": list(resources), "warnings": []}
    return {"path": path, "source": path, "stack": name, "account": "default",
            "status": "changes" if report["changes"] else "no-changes", "outside": False, "unapplied": False,
            "report": report, "errors": []}


def fleet(stacks: Sequence[dict[str, Any]], command: str = "drift", **options: Any) -> dict[str, Any]:
    """The fleet report of a run over `stacks` (generated at a fixed time, so two runs compare equal)."""
    return fleet_document.document(command, stacks, generated=options.pop("generated", GENERATED), **options)
