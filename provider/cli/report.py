"""`ecsops report merge REPORT.json... [--format text|json|markdown|junit] [--fail-on ...] [--out FILE]`.

A fleet too big for one job runs as shards (`ecsops drift PATH... --shard I/N --json`), each writing a fleet
report (docs/drift.md). `merge` makes them one report of the same shape, as a single run over every stack would
have written it: the stacks of all of them, the summary and the exit code computed again (fleet_document), and
the unmanaged objects of all of them less those a stack of any shard manages — each shard scans the whole
account, so it reports as unmanaged what another shard's stacks manage.

Exit code: the merged report's (0 in sync, 2 drift that --fail-on names, 1 a stack in error); 1 also when a
report cannot be read or the reports cannot be merged (shards that overlap, different commands), with one
`error: ...` line each on stderr (and `{"errors": [...]}` on stdout with --json, so stdout always parses).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, TextIO

from ecsops.cli import fleet_document, render
from ecsops.cli.fleet_render import fleet_junit, fleet_markdown, fleet_text
from ecsops.engine.errors import Diagnostic

COMMANDS = ("drift", "plan")


class ReportError(Exception):
    """A report that cannot be read, or reports that cannot be merged: the message names the files."""


# -- merge ----------------------------------------------------------------------------------------------------


def merge(documents: Sequence[Mapping[str, Any]], fail_on: str | None = None, *,
          names: Sequence[str] | None = None) -> dict[str, Any]:
    """One fleet report of `documents` (one per shard), as one run over all their stacks would have written it.
    `fail_on` overrides the reports' own (which must then agree); `names` (their files) are what errors name."""
    named = list(names) if names is not None else [f"report {index}" for index in range(1, len(documents) + 1)]
    if not documents:
        raise ReportError("no report to merge")
    command = str(agreed(documents, named, "command", "command"))
    stacks = merged_stacks(documents, named)
    return fleet_document.document(
        command, stacks, shards=merged_shards(documents, named), **failing_on(documents, named, command, fail_on),
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


def merged_stacks(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Mapping[str, Any]]:
    """Every report's stacks, by source; a stack in two reports means the shards overlap: an error naming it."""
    seen: dict[tuple[str, str], str] = {}
    stacks: list[Mapping[str, Any]] = []
    for name, document in zip(names, documents):
        for stack in document["stacks"]:
            key = (source_of(stack), str(stack.get("stack")))
            if key in seen:
                raise ReportError(f"stack {key[1]} ({key[0]}) is in both {seen[key]} and {name}: the shards overlap "
                                  "(merge the reports of one run, each shard once)")
            seen[key] = name
            stacks.append(stack)
    return sorted(stacks, key=lambda stack: (source_of(stack), str(stack.get("stack"))))


def source_of(stack: Mapping[str, Any]) -> str:
    return str(stack.get("source") or stack.get("path"))


def merged_shards(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Mapping[str, int]]:
    """The shards of all the reports; one given twice is an error (its stacks would count twice)."""
    seen: dict[tuple[int, int], str] = {}
    for name, document in zip(names, documents):
        for shard in document.get("shards") or ():
            key = (int(shard["count"]), int(shard["index"]))
            if key in seen:
                raise ReportError(f"shard {key[1]} of {key[0]} is in both {seen[key]} and {name}: the shards overlap")
            seen[key] = name
    return [{"index": index, "count": count} for count, index in sorted(seen)]


ObjectKey = tuple[str, str, str, str]


def merged_unmanaged(documents: Sequence[Mapping[str, Any]],
                     stacks: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]] | None:
    """The unmanaged objects of every report, each once, less those a stack of any report manages (matched on
    account, type, region and id); None when no report looked for them."""
    if all(document.get("unmanaged") is None for document in documents):
        return None
    found: dict[ObjectKey, Mapping[str, Any]] = {}
    for document in documents:
        for item in document.get("unmanaged") or ():
            found.setdefault(object_key(item), item)
    managed, anywhere = managed_objects(stacks)
    return [item for key, item in sorted(found.items())
            if key not in managed and (key[0], key[1], key[3]) not in anywhere]


def object_key(item: Mapping[str, Any]) -> ObjectKey:
    return (str(item.get("account")), str(item.get("type")), str(item.get("region")), str(item.get("id")))


def managed_objects(stacks: Iterable[Mapping[str, Any]]) -> tuple[set[ObjectKey], set[tuple[str, str, str]]]:
    """The objects the stacks manage, by (account, type, region, id) in the terms unmanaged objects are reported
    in (engine.unmanaged.inventory_keys: a maintenance set as its instances, an event rule in `global`); and by
    (account, type, id) those whose document names no region (written before resources carried one), which then
    match in any region."""
    import ecsops.resources  # noqa: F401  (registers every kind: their inventories say how ids map)
    from ecsops.engine.unmanaged import inventory_keys

    managed: set[ObjectKey] = set()
    anywhere: set[tuple[str, str, str]] = set()
    for stack in stacks:
        account = str(stack.get("account"))
        recorded = [resource for resource in (stack.get("report") or {}).get("resources") or ()
                    if resource.get("id")]  # not made yet: nothing in the cloud to match
        triples = {(str(r.get("type")), str(r.get("region")), str(r["id"])) for r in recorded}
        managed.update((account, *key) for key in triples | inventory_keys(triples))
        anywhere.update((account, str(r.get("type")), str(r["id"])) for r in recorded if r.get("region") is None)
    return managed, anywhere


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
    return unmanaged_problem(document.get("unmanaged"))


def unmanaged_problem(unmanaged: Any) -> str | None:
    if unmanaged is None or (isinstance(unmanaged, list) and all(isinstance(item, dict) for item in unmanaged)):
        return None
    return "a damaged fleet report: \"unmanaged\" is neither null nor a list of objects"


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
            merged = merge(documents, arguments.fail_on, names=[str(path) for path in paths])
            write(merged, arguments)
            return int(merged["exit_code"])
        except ReportError as error:
            problems.append(str(error))
    return failed(problems, as_json=arguments.format == "json")


def write(report: Mapping[str, Any], arguments: argparse.Namespace) -> None:
    if arguments.out is None:
        sys.stdout.write(view(report, arguments.format, sys.stdout))
        return
    try:
        with open(arguments.out, "w", encoding="utf-8") as stream:
            stream.write(view(report, arguments.format, stream))
    except OSError as error:
        raise ReportError(f"{arguments.out}: cannot write it: {error.strerror or error}") from None


def failed(problems: Sequence[str], *, as_json: bool) -> int:
    """One `error: ...` line per problem on stderr; with --json, `{"errors": [...]}` on stdout too."""
    if as_json:
        render.write_json(render.errors_document(Diagnostic(problem) for problem in problems), sys.stdout)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return fleet_document.EXIT_ERROR
