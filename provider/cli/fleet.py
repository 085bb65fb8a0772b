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
import shlex
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ecsops.cli import render
from ecsops.cli import fleet_document, fleet_render
from ecsops.cli.fleet_render import plural
from ecsops.cli.stack import environment, reported_errors, settings_of, state_location, unlock_command
from ecsops.cloud.backend import Backend, Settings, select
from ecsops.cloud.client import Cloud, rate_from_environment
from ecsops.engine.config import environment_names
from ecsops.engine.discovery import Discovery, Shard, discover
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.fleet import Accounts, Fleet, Member, member_objects
from ecsops.engine.stack import NAME, load_stack
from ecsops.engine.stack_files import top_level
from ecsops.engine.state_location import open_store
from ecsops.engine.workspace import Workspace

GLOB = re.compile(r"[*?\[]")


FLEET_OPTIONS = ("--shard", "--unmanaged", "--report", "--format junit")


def is_fleet_run(arguments: argparse.Namespace) -> bool:
    """Whether a plan or drift covers many stacks: more than one path, a folder or a glob (a file that exists is
    a file, whatever characters its name has), or an option only a fleet report has. One stack file without
    them runs as it always has (its own report shape)."""
    paths = [str(path) for path in arguments.stacks]
    one = paths[0]
    many = len(paths) > 1 or os.path.isdir(one) or (not os.path.lexists(one) and bool(GLOB.search(one)))
    return many or bool(_fleet_options(arguments))


def _fleet_options(arguments: argparse.Namespace) -> list[str]:
    given = [getattr(arguments, "shard", None) is not None, bool(getattr(arguments, "unmanaged", False)),
             getattr(arguments, "report", None) is not None, arguments.format == "junit"]
    return [option for option, present in zip(FLEET_OPTIONS, given) if present]


def run_fleet(arguments: argparse.Namespace, command: str) -> int:
    """Runs `command` ("drift" or "plan") over every stack the paths name; prints the report; returns its exit
    code. Errors that concern the whole run (a path naming nothing, a bad --shard, a bad ignore rule, --out)
    stop it before any read, as one `error:` line each."""
    with reported_errors(as_json=arguments.format == "json"):
        if command == "plan" and arguments.out is not None:
            raise EngineError.single(_out_refusal(arguments))
        shard = _shard(arguments)
        found = discover(arguments.stacks).sharded(shard)
        rules = _ignore_rules(found) if getattr(arguments, "unmanaged", False) else None
        fleet, unmanaged, ignored, errors = _run(arguments, command, list(found.stacks), rules)
    report = fleet_document.document(
        command, [_stack_document(member, command) for member in fleet.members],
        shards=[shard.document()] if shard else [], fail_on=getattr(arguments, "fail_on", None) or "any",
        detailed=bool(getattr(arguments, "detailed_exitcode", False)), unmanaged=unmanaged, ignored=ignored,
        warnings=_warnings(fleet, rules is not None), errors=errors)
    _write(arguments, report)
    return int(report["exit_code"])


def _run(arguments: argparse.Namespace, command: str, stacks: list[Path], rules: Any
         ) -> tuple[Fleet, list[dict[str, Any]] | None, int, list[dict[str, Any]]]:
    """The run itself, each phase's time on stderr: open every stack, read, drift or plan, list the unmanaged."""
    rate = rate_from_environment() if arguments.rate is None else (arguments.rate or None)
    clock = Phases()
    fleet = Fleet.open(stacks, opener(arguments), Accounts(lambda backend: Cloud(backend, rate=rate)))
    clock.done(f"Opened {plural(len(fleet.members), 'stack')} ({plural(len(fleet.accounts.clouds), 'account')})")
    if command == "drift":
        fleet.drift()
    else:
        fleet.plan()
    clock.done(f"Read {plural(_objects(fleet), 'recorded object')} ({plural(_calls(fleet), 'API call')})")
    if rules is None:
        return fleet, None, 0, []
    unmanaged, ignored, errors = _unmanaged(fleet, rules, arguments)
    clock.done(f"Listed {plural(len(unmanaged), 'unmanaged object')} ({plural(_calls(fleet), 'API call')} in all)")
    return fleet, unmanaged, ignored, errors


def _out_refusal(arguments: argparse.Namespace) -> str:
    """Why `plan --out` cannot run here: it saves one stack's plan, and this run is of many (or asks for a fleet
    report)."""
    options = _fleet_options(arguments)
    if options:
        return f"--out saves the plan of one stack file: it does not go with {', '.join(options)}"
    return "--out saves the plan of one stack file: give one stack file, not a folder, a glob or several files"


class Phases:
    """One line on stderr as each phase of a run ends, with its time: a long run shows it is moving, and a CI
    log shows where the time went (stdout stays the report)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        print(f"{what} in {now - self.started:.1f} s.", file=sys.stderr, flush=True)
        self.started = now


def _objects(fleet: Fleet) -> int:
    return sum(len(member.state.resources) for member in fleet.members if member.state is not None)


def _calls(fleet: Fleet) -> int:
    return sum(cloud.stats["calls"] for cloud in fleet.accounts.clouds.values())


def _shard(arguments: argparse.Namespace) -> Shard | None:
    text = getattr(arguments, "shard", None)
    if text is None:
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
        stack = load_stack(path, fleet_environment(path, environment(arguments)))
        cloud = accounts.cloud_for(backend_of(settings_of(arguments, stack)))
        per_stack = argparse.Namespace(**{**vars(arguments), "stack": path})
        store = open_store(state_location(arguments, stack), stack.state_name, cloud.backend, stack.region,
                           unlock_command=unlock_command(per_stack))
        return Workspace.open(stack, cloud, store=store)

    return open_stack


def fleet_environment(path: Path, chosen: str | None) -> str | None:
    """The environment a stack of a fleet runs in: --env (or ECSOPS_ENV) for a stack that has environments; a
    stack with none runs as it is, so one fleet may mix both. A stack with environments but not that one is an
    error naming those it has (the loader's)."""
    return chosen if chosen and environment_names(path) else None


def _unmanaged(fleet: Fleet, rules: Any, arguments: argparse.Namespace
               ) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The objects no stack of the run manages, per account, in the regions its stacks cover, and how many the
    rules ignored; a listing that failed is an error of the run (the list would be incomplete).

    What any stack of a backend records counts as managed for every credential set on that backend (two sets may
    reach one account), and an object two credential sets both list is reported once."""
    from ecsops.engine.unmanaged import find_unmanaged

    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    ignored = 0
    errors: list[dict[str, Any]] = []
    managed, pending, regions = fleet.managed(), fleet.pending(), fleet.regions()
    for key, cloud in sorted(fleet.accounts.clouds.items(), key=lambda item: item[0]):  # as report merge: by name
        if key not in regions:
            continue
        try:
            objects, skipped = find_unmanaged(cloud, sorted(regions[key]), managed.get(key[0], set()), rules,
                                              cache=fleet.accounts.listings[key])
        except EngineError as error:
            errors.extend(diagnostic.as_dict() for diagnostic in error.diagnostics)
            continue
        ignored += skipped
        for item in objects:
            if (item.type, item.name) not in pending.get(key[0], set()):
                found.setdefault((key[0], item.type, item.region, item.id), {
                    "type": item.type, "region": item.region, "id": item.id, "name": item.name, "account": key[1],
                    "import": adoption(fleet, key, item, arguments)})
    return list(found.values()), ignored, errors


def adoption(fleet: Fleet, key: tuple[str, str], item: Any, arguments: argparse.Namespace) -> str:
    """The command that adopts an unmanaged object, `ecsops import STACK NAME ID` (after declaring NAME in the
    stack): STACK when exactly one stack of an unsharded run can hold it (same account and region), NAME from
    the object's name when it is a valid resource name; shell-quoted, with the run's --env."""
    candidates = [member for member in fleet.read if member.workspace.cloud.backend.account_key == key
                  and member.workspace.stack.region == item.region]
    one = len(candidates) == 1 and not getattr(arguments, "shard", None)
    stack = shlex.quote(str(candidates[0].path)) if one else "STACK"
    name = item.name if item.name and NAME.match(item.name) else "NAME"
    words = ["ecsops", "import", stack, name, shlex.quote(item.id)]
    if getattr(arguments, "env", None):
        words += ["--env", shlex.quote(str(arguments.env))]
    return " ".join(words)


def _stack_document(member: Member, command: str) -> dict[str, Any]:
    """A stack's entry of the fleet report (docs/drift.md): its status, causes, single-stack report and errors,
    and what its state records (`managed`, `pending`: `report merge` subtracts them from other shards'
    unmanaged objects)."""
    space, state = member.space, member.state
    entry: dict[str, Any] = {
        "path": str(member.path), "source": member.source,
        "stack": space.stack.state_name if space is not None else declared_name(member.path),
        "account": space.cloud.backend.account if space is not None else None,
        "outside": False, "unapplied": False, "report": None,
        "errors": [diagnostic.as_dict() for diagnostic in member.problems],
        "managed": [{"type": type_, "region": region, "id": id_}
                    for type_, region, id_ in sorted(member_objects(state))] if state is not None else [],
        "pending": [{"type": entry.type, "region": entry.region, "name": entry.values.get("name")}
                    for entry in state.pending.values()] if state is not None else [],
    }
    if member.failed:
        return {**entry, "status": "error"}
    assert space is not None
    backend = space.cloud.backend.document()
    if command == "plan":
        assert member.plan is not None
        planned = render.plan_document(member.plan, backend)
        return {**entry, "status": "changes" if member.plan.has_changes else "no-changes", "report": planned}
    assert member.drift is not None
    drifted = render.drift_document(member.drift, space.stack.state_name, backend)
    status = "drifted" if drifted["changes"] else "in-sync"
    return {**entry, "status": status, "outside": drifted["outside"], "unapplied": drifted["unapplied"],
            "report": drifted}


def declared_name(path: Path) -> str | None:
    """The name a stack file declares (read by a line scan), for a stack that could not be loaded."""
    found = top_level(path)
    return found.get("name") if found else None


def _warnings(fleet: Fleet, unmanaged: bool) -> list[dict[str, Any]]:
    """With --unmanaged: a warning per stack whose state could not be read (its objects may be listed as
    unmanaged) and per interrupted create (the next apply adopts what it made; it is not listed). Plan warnings
    stay in each stack's own report."""
    if not unmanaged:
        return []
    warnings: list[dict[str, Any]] = []
    for member in fleet.members:
        if member.state is None:
            warnings.append(Diagnostic(f"{member.path} failed before its state was read: the objects it manages "
                                       "may be listed as unmanaged", severity="warning").as_dict())
            continue
        warnings.extend(Diagnostic(f"an interrupted create of {name} ({entry.type}): the next apply adopts what it "
                                   "made, so it is not listed as unmanaged", severity="warning",
                                   file=str(member.path), resource=name).as_dict()
                        for name, entry in member.state.pending.items())
    return warnings


def _write(arguments: argparse.Namespace, report: dict[str, Any]) -> None:
    """With --report FILE, the JSON in FILE first (when it cannot be written, the report says so as an error of
    the run, and exits 1); then the report as --format asks, on stdout."""
    if getattr(arguments, "report", None) is not None:
        try:
            with open(arguments.report, "w", encoding="utf-8") as stream:
                render.write_json(report, stream)
        except OSError as error:  # the run is done: the report printed still says all, and that this failed
            report["errors"].append(Diagnostic(f"--report {arguments.report}: cannot write it: {error.strerror}",
                                               file=str(arguments.report)).as_dict())
            report["summary"] = fleet_document.summary(report)
            report["exit_code"] = fleet_document.exit_code(report)
    if arguments.format == "json":
        render.write_json(report, sys.stdout)
    elif arguments.format == "markdown":
        print(fleet_render.fleet_markdown(report))
    elif arguments.format == "junit":
        print(fleet_render.fleet_junit(report))
    else:
        print(fleet_render.fleet_text(report, sys.stdout))
