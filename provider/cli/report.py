"""`ecsops report merge REPORT.json... [--format text|json|markdown|junit] [--fail-on ...] [--out FILE] [--partial]`.

A fleet too big for one job runs as shards (`ecsops drift PATH... --shard I/N --json`), each writing a fleet
report (docs/drift.md). `merge` makes them one report of the same shape, as a single run over every stack would
have written it: the stacks of all of them, the summary and the exit code computed again (fleet_document), and
the unmanaged objects of all of them less those a stack of any shard manages — each shard scans the whole
account, so it reports as unmanaged what another shard's stacks manage (their states' objects, deposed ones
included, and the objects interrupted creates may have made, by name).

The shards must make one run: one N, every index from 1 to N once (`--partial` accepts a set with some missing),
and all of them listing unmanaged objects or none.

Exit code: the merged report's (0 in sync, 2 drift that --fail-on names, 1 a stack in error); 1 also when a
report cannot be read or the reports cannot be merged (shards that overlap, are missing or mixed, different
commands), with one `error: ...` line each on stderr (and `{"errors": [...]}` on stdout with --json, so stdout
always parses). Every view is drawn before anything is written, so the exit code never depends on --format.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TextIO

from ecsops.cli import fleet_document, render
from ecsops.cli.fleet_render import fleet_junit, fleet_markdown, fleet_text
from ecsops.engine.errors import Diagnostic

COMMANDS = ("drift", "plan")
FORMATS = ("text", "json", "markdown", "junit")
SHOWN_MISSING = 10       # missing shards named in the error (then "and N more")
#: What a damaged report breaks in the merge or the views (a value of the wrong type where one is read)
DAMAGE = (KeyError, TypeError, ValueError, AttributeError)


class ReportError(Exception):
    """A report that cannot be read, or reports that cannot be merged: the message names the files."""


# -- merge ----------------------------------------------------------------------------------------------------


def merge(documents: Sequence[Mapping[str, Any]], fail_on: str | None = None, *,
          names: Sequence[str] | None = None, partial: bool = False) -> dict[str, Any]:
    """One fleet report of `documents` (one per shard), as one run over all their stacks would have written it.
    `fail_on` overrides the reports' own (which must then agree); `names` (their files) are what errors name;
    `partial` accepts shards of one run with some missing."""
    named = list(names) if names is not None else [f"report {index}" for index in range(1, len(documents) + 1)]
    if not documents:
        raise ReportError("no report to merge")
    command = str(agreed(documents, named, "command", "command"))
    shards = merged_shards(documents, named, partial=partial)
    looked_for_unmanaged(documents, named)
    stacks = merged_stacks(documents, named)
    return fleet_document.document(
        command, stacks, shards=shards, **failing_on(documents, named, command, fail_on),
        unmanaged=merged_unmanaged(documents, stacks),
        # each shard scans the same accounts: the most any of them ignored, not their sum
        ignored=max(int(document.get("ignored") or 0) for document in documents),
        warnings=[warning for document in documents for warning in document.get("warnings") or ()],
        errors=[error for document in documents for error in document.get("errors") or ()],
        generated=latest(document.get("generated") for document in documents))


def failing_on(documents: Sequence[Mapping[str, Any]], names: Sequence[str], command: str,
               fail_on: str | None) -> dict[str, Any]:
    """What makes the merged exit code 2: drift, `fail_on` or else the reports' own --fail-on; plan, their
    --detailed-exitcode. Reports made to fail on different things are not one run."""
    if command == "plan":
        return {"fail_on": fail_on or documents[0].get("fail_on") or "any",
                "detailed": bool(agreed(documents, names, "detailed", "--detailed-exitcode"))}
    return {"fail_on": fail_on or agreed(documents, names, "fail_on", "--fail-on") or "any", "detailed": False}


def agreed(documents: Sequence[Mapping[str, Any]], names: Sequence[str], key: str, what: str) -> Any:
    """The value of `key` every report has; a ReportError naming each file's value when they differ."""
    values = {json.dumps(document.get(key)): document.get(key) for document in documents}
    if len(values) > 1:
        told = "; ".join(f"{name}: {document.get(key)}" for name, document in zip(names, documents))
        raise ReportError(f"cannot merge reports made with different {what} ({told})")
    return next(iter(values.values()))


def looked_for_unmanaged(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    """Reports that listed unmanaged objects and reports that did not are not one run: merged, the objects only
    some shards listed would read as all there is."""
    looked = [name for name, document in zip(names, documents) if document.get("unmanaged") is not None]
    if looked and len(looked) < len(documents):
        others = [name for name in names if name not in looked]
        raise ReportError(f"cannot merge reports that listed unmanaged objects ({', '.join(looked)}) with reports "
                          f"that did not ({', '.join(others)}): run every shard with --unmanaged, or none")


def merged_stacks(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Mapping[str, Any]]:
    """Every report's stacks, by source; a stack in two reports means the shards overlap: an error naming it.
    A stack whose name is not known (it failed before) is the same stack as any other of its source."""
    seen: dict[str, list[tuple[Any, str]]] = {}
    stacks: list[Mapping[str, Any]] = []
    for name, document in zip(names, documents):
        for stack in document["stacks"]:
            source, called = source_of(stack), stack.get("stack")
            for other, where in seen.get(source, ()):
                if called is None or other is None or called == other:
                    what = f"stack {called or other}" if (called or other) else "the stack"
                    raise ReportError(f"{what} ({source}) is in both {where} and {name}: the shards overlap "
                                      "(merge the reports of one run, each shard once)")
            seen.setdefault(source, []).append((called, name))
            stacks.append(stack)
    return sorted(stacks, key=lambda stack: (source_of(stack), str(stack.get("stack") or "")))


def source_of(stack: Mapping[str, Any]) -> str:
    return str(stack.get("source") or stack.get("path"))


def merged_shards(documents: Sequence[Mapping[str, Any]], names: Sequence[str], *,
                  partial: bool = False) -> list[Mapping[str, int]]:
    """The shards of all the reports. One given twice is an error (its stacks would count twice); so are shards
    of different counts (not one split), and a set that misses some (unless `partial`). Reports of whole runs
    (no shards) merge as they are."""
    seen: dict[tuple[int, int], str] = {}
    for name, document in zip(names, documents):
        for shard in document.get("shards") or ():
            key = (int(shard["count"]), int(shard["index"]))
            if key in seen:
                raise ReportError(f"shard {key[1]} of {key[0]} is in both {seen[key]} and {name}: the shards overlap")
            seen[key] = name
    problem = shards_problem(seen, partial)
    if problem:
        raise ReportError(problem)
    return [{"index": index, "count": count} for count, index in sorted(seen)]


def shards_problem(seen: Mapping[tuple[int, int], str], partial: bool) -> str | None:
    """What keeps the shards `seen` ((count, index) -> file) from being one whole run, or None."""
    counts = sorted({count for count, _ in seen})
    if len(counts) > 1:
        files = "; ".join(f"{name}: {index}/{count}" for (count, index), name in sorted(seen.items()))
        return (f"shards of {' and of '.join(str(count) for count in counts)} mixed ({files}): merge the reports "
                "of one run (one --shard I/N, the same N in every shard)")
    if not counts or partial:
        return None
    count = counts[0]
    missing = [f"{index}/{count}" for index in range(1, count + 1) if (count, index) not in seen]
    if not missing:
        return None
    told = ", ".join(missing[:SHOWN_MISSING]) + (f" and {len(missing) - SHOWN_MISSING:,} more"
                                                 if len(missing) > SHOWN_MISSING else "")
    return (f"{'shard' if len(missing) == 1 else 'shards'} {told} missing: give every shard's report (or "
            "--partial to merge an incomplete set)")


ObjectKey = tuple[str, str, str, str]


def merged_unmanaged(documents: Sequence[Mapping[str, Any]],
                     stacks: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]] | None:
    """The unmanaged objects of every report, each once, less those a stack of any report manages (matched on
    type, region and id) or may have made in a create that was interrupted (on type, region and name); None when
    no report looked for them."""
    if all(document.get("unmanaged") is None for document in documents):
        return None
    found: dict[ObjectKey, Mapping[str, Any]] = {}
    listed = [item for document in documents for item in document.get("unmanaged") or ()]
    for item in sorted(listed, key=lambda item: str(item.get("account"))):  # whatever the files' order
        found.setdefault(object_key(item), item)
    stacks = list(stacks)
    managed, anywhere = managed_objects(stacks)
    pending, unplaced = pending_objects(stacks)
    return [item for key, item in sorted(found.items())
            if key not in managed and (key[0], key[1], key[3]) not in anywhere
            and not is_pending(item, pending, unplaced)]


def object_key(item: Mapping[str, Any]) -> ObjectKey:
    return (account_of(item), str(item.get("type")), str(item.get("region")), str(item.get("id")))


def account_of(entry: Mapping[str, Any]) -> str:
    """The account part of the keys the merge compares: none. As in a run (cli/fleet.py), what a stack of any
    credentials records is managed for all (two credential sets may reach one account), and an object listed
    under two credential sets is one object: cloud ids are unique."""
    return ""


def recorded_objects(stack: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    """(type, region, id) of every object a stack's state records: its `managed` list (resources and deposed
    objects), and the resources of its report that have an id (all that reports written before `managed` tell)."""
    resources = (stack.get("report") or {}).get("resources") or ()
    found = [*(stack.get("managed") or ()), *(resource for resource in resources if resource.get("id"))]
    return [(str(item.get("type")), None if item.get("region") is None else str(item["region"]), str(item["id"]))
            for item in found if item.get("id")]


def managed_objects(stacks: Iterable[Mapping[str, Any]]) -> tuple[set[ObjectKey], set[tuple[str, str, str]]]:
    """The objects the stacks manage, by (account, type, region, id) in the terms unmanaged objects are reported
    in (engine.unmanaged.inventory_keys: a maintenance set as its instances, an event rule in `global`); and by
    (account, type, id) those recorded without a region (documents written before resources carried one), which
    then match in any region."""
    from ecsops.engine.unmanaged import inventory_keys

    importlib.import_module("ecsops.resources")  # registers every kind: their inventories say how ids map

    managed: set[ObjectKey] = set()
    anywhere: set[tuple[str, str, str]] = set()
    for stack in stacks:
        if stack.get("account") is None:
            continue  # failed before its account was known: its state was never read
        account = account_of(stack)
        recorded = recorded_objects(stack)
        triples = {(type_, region, id_) for type_, region, id_ in recorded if region is not None}
        managed.update((account, *key) for key in triples | inventory_keys(triples))
        anywhere.update((account, type_, id_) for type_, region, id_ in recorded if region is None)
    return managed, anywhere


def pending_objects(stacks: Iterable[Mapping[str, Any]]) -> tuple[set[ObjectKey], set[tuple[str, str, str]]]:
    """The objects interrupted creates may have made (no id recorded yet), by (account, type, region, name) —
    in their region, and in `global`, where an account-wide kind's objects are listed — and by (account, type,
    name) those with no region, which match in any region."""
    from ecsops.engine.unmanaged import ACCOUNT_WIDE

    placed: set[ObjectKey] = set()
    unplaced: set[tuple[str, str, str]] = set()
    for stack in stacks:
        if stack.get("account") is None:
            continue
        account = account_of(stack)
        for item in stack.get("pending") or ():
            type_, name, region = str(item.get("type")), str(item.get("name")), item.get("region")
            if region is None:
                unplaced.add((account, type_, name))
            else:
                placed.update({(account, type_, str(region), name), (account, type_, ACCOUNT_WIDE, name)})
    return placed, unplaced


def is_pending(item: Mapping[str, Any], placed: set[ObjectKey], unplaced: set[tuple[str, str, str]]) -> bool:
    """Whether an unmanaged object is one an interrupted create may have made: the same name, where it would be."""
    if not item.get("name"):
        return False
    account, type_, name = account_of(item), str(item.get("type")), str(item["name"])
    return (account, type_, str(item.get("region")), name) in placed or (account, type_, name) in unplaced


def latest(stamps: Iterable[Any]) -> str | None:
    """The latest of the reports' times (the merge is as recent as its newest shard); None if none parses."""
    parsed = []
    for stamp in stamps:
        try:
            parsed.append((datetime.fromisoformat(str(stamp)), str(stamp)))
        except ValueError:
            continue
    try:
        return max(parsed)[1] if parsed else None
    except TypeError:  # times with and without a zone cannot be ordered: the last given
        return parsed[-1][1]


# -- reading ----------------------------------------------------------------------------------------------------


def read_report(path: Path) -> dict[str, Any]:
    """A fleet report from `path`; a ReportError `FILE: why` when it is not one this ecsops reads."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not a fleet report: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}: not a fleet report: invalid JSON ({error.msg} at line {error.lineno}, "
                          f"column {error.colno})") from None
    except RecursionError:
        raise ReportError(f"{path}: not a fleet report: nested too deeply") from None
    problem = shape_problem(document)
    if problem:
        raise ReportError(f"{path}: {problem}")
    return dict(document)


def shape_problem(document: Any) -> str | None:
    """What keeps `document` from being a fleet report of this version (docs/drift.md), or None."""
    if not isinstance(document, dict) or document.get("report") != fleet_document.REPORT:
        return f"not a fleet report (no \"report\": \"{fleet_document.REPORT}\"): `ecsops drift PATH... --json` " \
               "writes one"
    if document.get("version") != fleet_document.VERSION:
        return (f"a fleet report of version {document.get('version')}; this ecsops reads version "
                f"{fleet_document.VERSION}")
    if document.get("command") not in COMMANDS:
        return f"a fleet report of an unknown command {document.get('command')!r} (drift or plan)"
    stacks = document.get("stacks")
    if not isinstance(stacks, list) or not all(isinstance(stack, dict) and isinstance(stack.get("status"), str)
                                               for stack in stacks):
        return "a damaged fleet report: \"stacks\" is not a list of stacks, each with its status"
    if not all(isinstance(document.get(key), list) for key in ("shards", "warnings")) or not isinstance(
            document.get("errors", []), list):
        return "a damaged fleet report: \"shards\", \"warnings\" and \"errors\" must be lists"
    problem = unmanaged_problem(document.get("unmanaged")) or damage(document)
    return f"a damaged fleet report: {problem}" if problem else None


def unmanaged_problem(unmanaged: Any) -> str | None:
    if unmanaged is None or (isinstance(unmanaged, list) and all(isinstance(item, dict) for item in unmanaged)):
        return None
    return "\"unmanaged\" is neither null nor a list of objects"


# -- what the merge and the views read, checked (a damaged report is an error naming the part, never a crash) --

Check = Callable[[Any], bool]
Rules = Mapping[str, tuple[Check, str]]  # key -> (whether its value is as read, what it must be)
ABSENT = object()  # a key left out: optional keys may be (older reports)


def kinds(*types: type, optional: bool = True) -> Check:
    """A value of one of `types` (a bool is no int), or, when `optional`, null or left out."""
    def check(value: Any) -> bool:
        if optional and (value is None or value is ABSENT):
            return True
        return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    return check


def strings(value: Any) -> bool:
    return value is None or value is ABSENT or (isinstance(value, list) and all(isinstance(item, str)
                                                                                for item in value))


TEXT = (kinds(str, optional=False), "a string")
TEXT_OR_NULL = (kinds(str), "a string or null")
INTEGER = (kinds(int, optional=False), "an integer")
OBJECT = (kinds(dict), "an object or null")
LIST = (kinds(list), "a list or null")
FLAG = (kinds(bool), "true, false or null")
STRINGS = (strings, "a list of strings")

TOP: Rules = {"fail_on": (lambda value: value in (None, ABSENT, *fleet_document.FAIL_ON), "outside, unapplied or any"),
              "detailed": FLAG, "ignored": (kinds(int), "an integer or null")}
SHARD: Rules = {"index": INTEGER, "count": INTEGER}
STACK: Rules = {"path": TEXT, "source": TEXT_OR_NULL, "stack": TEXT_OR_NULL, "account": TEXT_OR_NULL,
                "outside": FLAG, "unapplied": FLAG, "report": OBJECT}
MANAGED: Rules = {"type": TEXT, "region": TEXT_OR_NULL, "id": TEXT}
PENDING: Rules = {"type": TEXT, "region": TEXT_OR_NULL, "name": TEXT}
REPORT: Rules = {"resources": LIST, "warnings": LIST, "summary": OBJECT}
RESOURCE: Rules = {"name": TEXT, "type": TEXT, "action": TEXT, "id": TEXT_OR_NULL, "region": TEXT_OR_NULL,
                   "reason": TEXT_OR_NULL, "causes": STRINGS, "changes": LIST, "preview": OBJECT}
CHANGE: Rules = {"field": TEXT, "causes": STRINGS, "cause": TEXT_OR_NULL, "paths": LIST}
PATH: Rules = {"path": TEXT, "change": (lambda value: value in ("update", "add", "remove"), "update, add or remove")}
PLAN_ACTIONS = ("create", "update", "replace", "delete", "no-op")


def damage(document: Mapping[str, Any]) -> str | None:
    """The first part of a report (read as shape_problem has it) the merge or the views would trip on, or None."""
    return (fields_problem(document, TOP, "")
            or entries_problem(document["shards"], "shards", SHARD, shard_problem)
            or entries_problem(document["warnings"], "warnings", {})
            or entries_problem(document.get("errors"), "errors", {})
            or entries_problem(document["stacks"], "stacks", STACK, stack_problem))


def fields_problem(entry: Mapping[str, Any], rules: Rules, at: str) -> str | None:
    for key, (check, what) in rules.items():
        if not check(entry.get(key, ABSENT)):
            return f"{at}.{key} must be {what}" if at else f"\"{key}\" must be {what}"
    return None


def entries_problem(entries: Any, at: str, rules: Rules,
                    inner: Callable[[Mapping[str, Any], str], str | None] | None = None) -> str | None:
    """What is wrong with a list of objects (null or left out: none), each checked against `rules`, then
    `inner`; the place named as a path into the document (`stacks[3].report.resources[0].field`)."""
    if entries is None:
        return None
    if not isinstance(entries, list):
        return f"{at} must be a list"
    for index, entry in enumerate(entries):
        where = f"{at}[{index}]"
        if not isinstance(entry, dict):
            return f"{where} must be an object"
        problem = fields_problem(entry, rules, where) or (inner(entry, where) if inner else None)
        if problem:
            return problem
    return None


def shard_problem(shard: Mapping[str, Any], at: str) -> str | None:
    if 1 <= shard["index"] <= shard["count"]:
        return None
    return f"{at} is shard {shard['index']} of {shard['count']}: an index runs from 1 to the count"


def stack_problem(stack: Mapping[str, Any], at: str) -> str | None:
    return (entries_problem(stack.get("errors"), f"{at}.errors", {})
            or entries_problem(stack.get("managed"), f"{at}.managed", MANAGED)
            or entries_problem(stack.get("pending"), f"{at}.pending", PENDING)
            or single_problem(stack.get("report"), f"{at}.report"))


def single_problem(report: Mapping[str, Any] | None, at: str) -> str | None:
    """What is wrong with a stack's single-stack document (null when the stack failed)."""
    if report is None:
        return None
    problem = fields_problem(report, REPORT, at) or entries_problem(report.get("warnings"), f"{at}.warnings", {})
    counts = report.get("summary") or {}
    wrong = [action for action in PLAN_ACTIONS if action in counts and not INTEGER[0](counts[action])]
    if not problem and wrong:
        problem = f"{at}.summary.{wrong[0]} must be an integer"
    return problem or entries_problem(report.get("resources"), f"{at}.resources", RESOURCE, resource_problem)


def resource_problem(resource: Mapping[str, Any], at: str) -> str | None:
    return entries_problem(resource.get("changes"), f"{at}.changes", CHANGE,
                           lambda change, where: entries_problem(change.get("paths"), f"{where}.paths", PATH))


# -- the command --------------------------------------------------------------------------------------------------


def view(report: Mapping[str, Any], format_: str, stream: TextIO) -> str:
    """The report as `--format` asks, ending with a newline (`stream`, where it goes, decides on colour)."""
    if format_ == "json":
        written = io.StringIO()
        render.write_json(report, written)
        return written.getvalue()
    if format_ == "markdown":
        return fleet_markdown(report) + "\n"
    if format_ == "junit":
        return fleet_junit(report) + "\n"
    return fleet_text(report, stream) + "\n"


def drawn(report: Mapping[str, Any], arguments: argparse.Namespace) -> str:
    """The view --format asks for. Every other view is drawn too (and dropped): a report one of them cannot
    draw fails whatever the format, so the exit code never depends on --format."""
    for format_ in FORMATS:
        if format_ != arguments.format:
            view(report, format_, io.StringIO())
    # a file is no terminal: its colour is decided as a StringIO's is
    return view(report, arguments.format, sys.stdout if arguments.out is None else io.StringIO())


def run_report_merge(arguments: argparse.Namespace) -> int:
    """`ecsops report merge REPORT...`: the merged report on stdout (or --out); exits with its exit code."""
    paths: list[Path] = list(arguments.reports)
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(read_report(path))
        except ReportError as error:
            problems.append(str(error))
    if not problems:
        try:
            merged = merge(documents, arguments.fail_on, names=[str(path) for path in paths],
                           partial=bool(getattr(arguments, "partial", False)))
            write(drawn(merged, arguments), arguments)
            return int(merged["exit_code"])
        except ReportError as error:
            problems.append(str(error))
        except DAMAGE as error:  # what the checks above missed: still one line, never an internal error
            problems.append(f"{', '.join(str(path) for path in paths)}: a damaged fleet report "
                            f"({type(error).__name__}: {error})")
    return failed(problems, as_json=arguments.format == "json")


def write(text: str, arguments: argparse.Namespace) -> None:
    if arguments.out is None:
        sys.stdout.write(text)
        return
    try:
        with open(arguments.out, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise ReportError(f"{arguments.out}: cannot write it: {error.strerror or error}") from None


def failed(problems: Sequence[str], *, as_json: bool) -> int:
    """One `error: ...` line per problem on stderr; with --json, `{"errors": [...]}` on stdout too."""
    if as_json:
        render.write_json(render.errors_document(Diagnostic(problem) for problem in problems), sys.stdout)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return fleet_document.EXIT_ERROR
