"""`ecsops drift PATH...` and `ecsops plan PATH...` over many stacks: one process, one report (docs/drift.md).

A run covers the stack files the paths name (engine.discovery: files, folders searched recursively, globs),
`--shard I/N` keeps this worker's share, engine.fleet reads the cloud once for all of them, and the report
(cli/fleet_document.py) is printed as text, JSON, markdown or JUnit (cli/fleet_render.py); `--report FILE`
also writes the JSON, whatever is printed, for `ecsops report merge`. A stack that fails is reported and the
others still run; the exit code is the report's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ecsops.cli import render
from ecsops.cli import fleet_document
from ecsops.cli.stack import environment, reported_errors, settings_of, state_location, unlock_command
from ecsops.cloud.backend import Backend, Settings, select
from ecsops.cloud.client import Cloud, rate_from_environment
from ecsops.engine.discovery import Discovery, Shard, discover
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.fleet import Accounts, Fleet, Member
from ecsops.engine.stack import NAME, load_stack
from ecsops.engine.state_location import open_store
from ecsops.engine.workspace import Workspace

GLOB = re.compile(r"[*?\[]")


def is_fleet_run(arguments: argparse.Namespace) -> bool:
    """Whether a plan or drift covers many stacks: more than one path, a folder or a glob, or an option only a
    fleet report has. One stack file without them runs as it always has (its own report shape)."""
    paths = [str(path) for path in arguments.stacks]
    return (len(paths) > 1 or os.path.isdir(paths[0]) or bool(GLOB.search(paths[0]))
            or bool(getattr(arguments, "shard", None)) or bool(getattr(arguments, "unmanaged", False))
            or getattr(arguments, "report", None) is not None or arguments.format == "junit")


def run_fleet(arguments: argparse.Namespace, command: str) -> int:
    """Runs `command` ("drift" or "plan") over every stack the paths name; prints the report; returns its exit
    code. Errors that concern the whole run (a path naming nothing, a bad --shard, a bad ignore rule) stop it
    before any read, as one `error:` line each."""
    with reported_errors(as_json=arguments.format == "json"):
        shard = _shard(arguments)
        found = discover(arguments.stacks).sharded(shard)
        rules = _ignore_rules(found) if getattr(arguments, "unmanaged", False) else None
        if command == "plan" and arguments.out is not None:
            raise EngineError.single("--out saves the plan of one stack: give one stack file")
        rate = rate_from_environment() if arguments.rate is None else (arguments.rate or None)
        clock = Phases()
        fleet = Fleet.open(list(found.stacks), opener(arguments), Accounts(lambda backend: Cloud(backend, rate=rate)))
        clock.done(f"Opened {plural(len(fleet.members), 'stack')} ({plural(len(fleet.accounts.clouds), 'account')})")
        if command == "drift":
            fleet.drift()
        else:
            fleet.plan()
        clock.done(f"Read {plural(_objects(fleet), 'recorded object')} ({plural(_calls(fleet), 'API call')})")
        unmanaged, ignored, errors = _unmanaged(fleet, rules) if rules is not None else (None, 0, [])
        if rules is not None:
            clock.done(f"Listed {plural(len(unmanaged or ()), 'unmanaged object')} ({plural(_calls(fleet), 'API call')}"
                       " in all)")
    report = fleet_document.document(
        command, [_stack_document(member, command) for member in fleet.members],
        shards=[shard.document()] if shard else [], fail_on=getattr(arguments, "fail_on", None) or "any",
        detailed=bool(getattr(arguments, "detailed_exitcode", False)), unmanaged=unmanaged, ignored=ignored,
        warnings=_warnings(fleet, rules is not None), errors=errors)
    _write(arguments, report)
    return int(report["exit_code"])


class Phases:
    """One line on stderr as each phase of a run ends, with its time: a long run shows it is moving, and a CI
    log shows where the time went (stdout stays the report)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        print(f"{what} in {now - self.started:.1f} s.", file=sys.stderr, flush=True)
        self.started = now


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _objects(fleet: Fleet) -> int:
    return sum(len(member.state.resources) for member in fleet.members if member.state is not None)


def _calls(fleet: Fleet) -> int:
    return sum(cloud.stats["calls"] for cloud in fleet.accounts.clouds.values())


def _shard(arguments: argparse.Namespace) -> Shard | None:
    text = getattr(arguments, "shard", None)
    if not text:
        return None
    try:
        return Shard.parse(text)
    except ValueError as error:
        raise EngineError.single(f"--shard {error}") from None


def _ignore_rules(found: Discovery) -> Any:
    from ecsops.engine.unmanaged import IgnoreRules

    return IgnoreRules.from_files(found.ignore_files)


def opener(arguments: argparse.Namespace) -> Callable[[Path, Accounts], Workspace]:
    """Opens one stack of the run as the single-stack commands do (its file, environment, backend, state),
    on its account's shared client. Backends are chosen once per distinct settings (stacks of one folder and
    region share one choice: the credential chain is asked once, not per stack)."""
    chosen: dict[Settings, Backend] = {}
    lock = threading.Lock()

    def backend_of(settings: Settings) -> Backend:
        with lock:
            if settings not in chosen:
                chosen[settings] = select(settings)
            return chosen[settings]

    def open_stack(path: Path, accounts: Accounts) -> Workspace:
        stack = load_stack(path, environment(arguments))
        cloud = accounts.cloud_for(backend_of(settings_of(arguments, stack)))
        per_stack = argparse.Namespace(**{**vars(arguments), "stack": path})
        store = open_store(state_location(arguments, stack), stack.state_name, cloud.backend, stack.region,
                           unlock_command=unlock_command(per_stack))
        return Workspace.open(stack, cloud, store=store)

    return open_stack


def _unmanaged(fleet: Fleet, rules: Any) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The objects no stack of the run manages, per account, in the regions its stacks cover, and how many the
    rules ignored; a listing that failed is an error of the run (the list would be incomplete)."""
    from ecsops.engine.unmanaged import find_unmanaged

    found: list[dict[str, Any]] = []
    ignored = 0
    errors: list[dict[str, Any]] = []
    managed, regions = fleet.managed(), fleet.regions()
    for key, cloud in fleet.accounts.clouds.items():
        if key not in regions:
            continue
        try:
            objects, skipped = find_unmanaged(cloud, sorted(regions[key]), managed.get(key, set()), rules,
                                              cache=fleet.accounts.listings[key])
        except EngineError as error:
            errors.extend(diagnostic.as_dict() for diagnostic in error.diagnostics)
            continue
        ignored += skipped
        account = key[1]
        found.extend({"type": item.type, "region": item.region, "id": item.id, "name": item.name,
                      "account": account, "import": adoption(fleet, key, item)} for item in objects)
    return found, ignored, errors


def adoption(fleet: Fleet, key: tuple[str, str], item: Any) -> str:
    """How to adopt an unmanaged object: `ecsops import STACK NAME ID`, with the stack when exactly one stack of
    the run can hold it (same account and region), and a resource name from the object's name when it is one."""
    candidates = [member for member in fleet.live if member.space is not None
                  and member.space.cloud.backend.account_key == key and member.space.stack.region == item.region]
    stack = str(candidates[0].path) if len(candidates) == 1 else "STACK"
    name = item.name if item.name and NAME.match(item.name) else "NAME"
    return f"ecsops import {stack} {name} {item.id}  (after declaring {name} as {item.type})"


def _stack_document(member: Member, command: str) -> dict[str, Any]:
    backend = member.space.cloud.backend.document() if member.space is not None else None
    name = member.space.stack.state_name if member.space is not None else None
    entry: dict[str, Any] = {"path": str(member.path), "source": member.source, "stack": name,
                             "account": member.account, "outside": False, "unapplied": False, "report": None,
                             "errors": [diagnostic.as_dict() for diagnostic in member.problems]}
    if member.failed:
        return {**entry, "status": "error"}
    if command == "plan":
        assert member.plan is not None
        planned = render.plan_document(member.plan, backend or {})
        return {**entry, "status": "changes" if member.plan.has_changes else "no-changes", "report": planned}
    assert member.drift is not None and member.space is not None
    drifted = render.drift_document(member.drift, member.space.stack.state_name, backend or {})
    status = "drifted" if drifted["changes"] else "in-sync"
    return {**entry, "status": status, "outside": drifted["outside"], "unapplied": drifted["unapplied"],
            "report": drifted}


def _warnings(fleet: Fleet, unmanaged: bool) -> list[dict[str, Any]]:
    """The members' plan warnings, and (with --unmanaged) a warning per failed stack: its objects may be
    listed as unmanaged, since its state could not be read."""
    warnings: list[dict[str, Any]] = []
    for member in fleet.members:
        if member.plan is not None:
            warnings.extend({**warning.as_dict(), "file": warning.file or str(member.path)}
                            for warning in member.plan.warnings)
        if unmanaged and member.failed and member.state is None:
            warnings.append(Diagnostic(f"{member.path} failed before its state was read: the objects it manages "
                                       "may be listed as unmanaged", severity="warning").as_dict())
    return warnings


def _write(arguments: argparse.Namespace, report: dict[str, Any]) -> None:
    """The report as --format asks, on stdout; with --report FILE, its JSON in FILE too."""
    if getattr(arguments, "report", None) is not None:
        try:
            with open(arguments.report, "w", encoding="utf-8") as stream:
                render.write_json(report, stream)
        except OSError as error:  # the run is done: say so, print the report all the same, and exit 1
            print(f"error: --report {arguments.report}: cannot write it: {error.strerror}", file=sys.stderr)
            report["exit_code"] = fleet_document.EXIT_ERROR
    from ecsops.cli import fleet_render  # only a fleet run needs the views

    if arguments.format == "json":
        render.write_json(report, sys.stdout)
    elif arguments.format == "markdown":
        print(fleet_render.fleet_markdown(report))
    elif arguments.format == "junit":
        print(fleet_render.fleet_junit(report))
    else:
        print(fleet_render.fleet_text(report, sys.stdout))
