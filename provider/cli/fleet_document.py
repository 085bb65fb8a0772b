"""The fleet report: one JSON document for a run over many stacks (docs/drift.md), and the exit code it means.

`ecsops drift PATH...` and `ecsops plan PATH...` build it; `ecsops report merge` combines several (one per
shard) into one of the same shape. The text, markdown and JUnit views are drawn from it (cli/fleet_render.py),
so a merged report looks exactly as a single run's would.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

REPORT = "ecsops-fleet"
VERSION = 1
FAIL_ON = ("outside", "unapplied", "any")
EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def document(command: str, stacks: Sequence[Mapping[str, Any]], *, shards: Sequence[Mapping[str, int]] = (),
             fail_on: str = "any", detailed: bool = False, unmanaged: Sequence[Mapping[str, Any]] | None = None,
             ignored: int = 0, warnings: Sequence[Mapping[str, Any]] = (),
             errors: Sequence[Mapping[str, Any]] = (), generated: str | None = None) -> dict[str, Any]:
    """The report of a run of `command` ("drift" or "plan") over `stacks` (each as docs/drift.md shows), with
    its summary and exit code computed here, so every producer (a run, a merge) agrees on them."""
    report: dict[str, Any] = {
        "report": REPORT, "version": VERSION, "command": command,
        "generated": generated or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "shards": [dict(shard) for shard in shards], "fail_on": fail_on, "detailed": detailed,
        "exit_code": EXIT_OK, "summary": {}, "stacks": [dict(stack) for stack in stacks],
        "unmanaged": None if unmanaged is None else [dict(item) for item in unmanaged],
        "ignored": ignored, "warnings": [dict(warning) for warning in warnings],
        "errors": [dict(error) for error in errors],  # failures of the run itself (an unmanaged listing)
    }
    report["summary"] = summary(report)
    report["exit_code"] = exit_code(report)
    return report


def summary(report: Mapping[str, Any]) -> dict[str, int]:
    """Counts of stacks by status and cause, and of unmanaged and ignored objects."""
    stacks = report["stacks"]

    def counted(status: str) -> int:
        return sum(1 for stack in stacks if stack["status"] == status)

    return {
        "stacks": len(stacks),
        "in_sync": counted("in-sync"), "drifted": counted("drifted"),
        "changes": counted("changes"), "no_changes": counted("no-changes"),
        "errors": counted("error"),
        "outside": sum(1 for stack in stacks if stack.get("outside")),
        "unapplied": sum(1 for stack in stacks if stack.get("unapplied")),
        "unmanaged": len(report.get("unmanaged") or ()),
        "ignored": int(report.get("ignored") or 0),
    }


def exit_code(report: Mapping[str, Any]) -> int:
    """1 when any stack (or the run itself) failed; else 2 when the run found what it is to fail on (drift: a
    cause `fail_on` names, unmanaged objects counting as made outside ecsops; plan: changes, with `detailed`);
    else 0."""
    stacks = report["stacks"]
    if report.get("errors") or any(stack["status"] == "error" for stack in stacks):
        return EXIT_ERROR
    if report["command"] == "plan":
        return EXIT_CHANGES if report.get("detailed") and any(s["status"] == "changes" for s in stacks) else EXIT_OK
    outside = any(stack.get("outside") for stack in stacks) or bool(report.get("unmanaged"))
    unapplied = any(stack.get("unapplied") for stack in stacks)
    return EXIT_CHANGES if failing(outside, unapplied, report.get("fail_on") or "any") else EXIT_OK


def failing(outside: bool, unapplied: bool, fail_on: str) -> bool:
    """Whether drift of these causes makes the exit code 2 under --fail-on (`any`: either cause) — for one stack
    and for a fleet alike."""
    return {"outside": outside, "unapplied": unapplied, "any": outside or unapplied}[fail_on]
