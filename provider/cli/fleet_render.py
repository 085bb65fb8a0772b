"""Three views of a fleet report (docs/drift.md): text for a terminal or a CI log, markdown for a pull request's or
an issue's comment, and JUnit XML for the test reports of CI systems (GitLab, Jenkins, GitHub's reporters).

Each is drawn from the document alone, never from the engine's objects, so a merged report (`ecsops report
merge`) reads exactly as a single run's does. The values are the document's, already masked: a secret stays
"(secret)"; nothing here unmasks it, and no value is ever cut (the markdown leaves whole parts out instead, and
says so).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping, Sequence, TextIO

from ecsops.cli import markdown as md
from ecsops.cli.changes import (DRIFT, KNOWN_AFTER_APPLY, change_note, document_paths, field_lines, inline,
                                shown_on_create, value_lines)
from ecsops.cli.render import Styler
from ecsops.engine.errors import Diagnostic

QUIET = ("in-sync", "no-changes")              # a stack's statuses with nothing to show
UNCHANGED = ("in-sync", "no-op")               # a resource's actions with nothing to show
PLAN_ACTIONS = ("create", "update", "replace", "delete")
CAUSES = {"outside": "outside ecsops", "unapplied": "unapplied"}
STATUS_SYMBOLS = {"drifted": "!", "error": "!", "changes": "~"}
PLAN_SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}
WHERE = "the whole report: `--format text` or `--json`"
UNMANAGED_SUITE = "unmanaged objects"
RUN_SUITE = "the run"


# -- what every view says ------------------------------------------------------------------------------------


def is_plan(report: Mapping[str, Any]) -> bool:
    return report.get("command") == "plan"


def resources_of(stack: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The resources of a stack's single-stack document (none when the stack failed)."""
    return list((stack.get("report") or {}).get("resources") or [])


def differing(stack: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The resources that are not in sync (drift) or that change (plan)."""
    return [resource for resource in resources_of(stack) if resource.get("action") not in UNCHANGED]


def causes_of(stack: Mapping[str, Any]) -> list[str]:
    return [cause for cause in CAUSES if stack.get(cause)]


def change_causes(change: Mapping[str, Any]) -> list[str]:
    """A drift change's causes: its `causes`, or the one `cause` of documents written before a change could
    have both."""
    if isinstance(change.get("causes"), list):
        return [str(cause) for cause in change["causes"]]
    return [str(change["cause"])] if change.get("cause") else []


def resource_causes(resource: Mapping[str, Any]) -> list[str]:
    """A drifted resource's causes: its `causes`, else those of its changes (each once, outside first)."""
    if isinstance(resource.get("causes"), list):
        return [str(cause) for cause in resource["causes"]]
    found = {cause for change in resource.get("changes") or () for cause in change_causes(change)}
    return [cause for cause in CAUSES if cause in found]


def shown(value: Any) -> str:
    """A stack's name or account as a table shows it: `-` when the stack failed before it was known."""
    return "-" if value is None else str(value)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def counts(stack: Mapping[str, Any], plan: bool) -> str:
    """What a stack's row says of its resources: `2 of 9 resources differ`, `1 to create, 2 to update`."""
    if stack.get("status") == "error":
        return plural(len(stack.get("errors") or ()), "error")
    if plan:
        summary = (stack.get("report") or {}).get("summary") or {}
        told = [f"{summary[action]} to {action}" for action in PLAN_ACTIONS if summary.get(action)]
        return ", ".join(told) or "no changes"
    count, total = len(differing(stack)), len(resources_of(stack))
    return f"{count} of {plural(total, 'resource')} {agreeing(count, 'differ')}" if count else plural(total, "resource")


def agreeing(count: int, verb: str) -> str:
    """`verb` as its subject's count wants it: 1 differs, 2 differ."""
    return f"{verb}es" if count == 1 and verb.endswith(("s", "sh", "ch", "x")) else (
        f"{verb}s" if count == 1 else verb)


def verdict(report: Mapping[str, Any]) -> tuple[str, str]:
    """The last line's two halves: `("Drift", "4 of 24 stacks drifted (...), 2 failed; 5 unmanaged objects.")`.
    A run where stacks failed and nothing else was found says `Failed`: never `No drift` of stacks not checked."""
    summary = report.get("summary") or {}
    total, errors = summary.get("stacks", 0), summary.get("errors", 0)
    failed = (f", {errors:,} failed" if errors else "") + _run_failed(report)
    unmanaged = _unmanaged_phrase(report)
    if total and errors == total:
        done = "planned" if is_plan(report) else "checked"
        return "Failed", f"{errors:,} of {plural(total, 'stack')} could not be {done}{_run_failed(report)}{unmanaged}."
    if is_plan(report):
        return _plan_verdict(report, total, failed)
    drifted = summary.get("drifted", 0)
    if drifted or summary.get("unmanaged"):
        causes = f" ({summary.get('outside', 0):,} outside ecsops, {summary.get('unapplied', 0):,} unapplied)"
        return "Drift", f"{drifted:,} of {plural(total, 'stack')} drifted{causes}{failed}{unmanaged}."
    if errors:
        return "Failed", f"no drift in {plural(total - errors, 'stack')} checked; {errors:,} failed" \
                         f"{_run_failed(report)}{unmanaged}."
    return "No drift", f"{plural(total, 'stack')} in sync{failed}{unmanaged}."


def _plan_verdict(report: Mapping[str, Any], total: int, failed: str) -> tuple[str, str]:
    summary = report.get("summary") or {}
    changing, errors = summary.get("changes", 0), summary.get("errors", 0)
    if not changing and errors:
        return "Failed", f"no changes in {plural(total - errors, 'stack')} planned; {errors:,} failed" \
                         f"{_run_failed(report)}."
    if not changing:
        quiet = summary.get("no_changes", 0)
        return "No changes", f"{quiet:,} of {plural(total, 'stack')} {agreeing(quiet, 'match')} the cloud{failed}."
    actions = Counter[str]()
    for stack in report["stacks"]:
        actions.update({action: int(count) for action, count in ((stack.get("report") or {}).get("summary")
                                                                 or {}).items() if action in PLAN_ACTIONS})
    told = ", ".join(f"{actions[action]:,} to {action}" for action in PLAN_ACTIONS)
    return "Changes", f"{changing:,} of {plural(total, 'stack')} {agreeing(changing, 'change')} ({told}){failed}."


def _run_failed(report: Mapping[str, Any]) -> str:
    """`; the run itself failed (2 errors)`: a failure of no stack (listing unmanaged objects), which fails the run."""
    count = len(report.get("errors") or ())
    return f"; the run itself failed ({plural(count, 'error')})" if count else ""


def _unmanaged_phrase(report: Mapping[str, Any]) -> str:
    if report.get("unmanaged") is None:
        return ""  # not asked for: nothing is known of them
    found = len(report["unmanaged"])
    ignored = int(report.get("ignored") or 0)
    return (f"; {plural(found, 'unmanaged object')}" if found else "; no unmanaged objects") + (
        f" ({ignored:,} ignored)" if ignored else "")


def title(report: Mapping[str, Any]) -> str:
    """`Fleet drift: 24 stacks, shard 1 of 4, 2026-11-30T07:00:00+00:00`."""
    shards = [f"{shard.get('index')} of {shard.get('count')}" for shard in report.get("shards") or ()]
    where = f", {'shard' if len(shards) == 1 else 'shards'} {', '.join(shards)}" if shards else ""
    return f"Fleet {report.get('command')}: {plural(len(report['stacks']), 'stack')}{where}, {report.get('generated')}"


def diagnostic(found: Mapping[str, Any]) -> Diagnostic:
    """A document's `{diagnostic}` back as the engine's, to be told as the engine tells it."""
    return Diagnostic(str(found.get("message")), resource=found.get("resource"), field=found.get("field"),
                      type=found.get("type"), severity="warning" if found.get("severity") == "warning" else "error",
                      file=found.get("file"), line=found.get("line"), column=found.get("column"))


def problem_line(found: Mapping[str, Any], path: Any) -> str:
    """`error: PATH: message` (`error: FILE:LINE:COLUMN: message` when the problem is placed in a file)."""
    told = diagnostic(found)
    return f"{told.severity}: {told.location or path}: {told}"


def object_label(item: Mapping[str, Any]) -> str:
    """An unmanaged object as people name it: `scratch-1 (ecsops:Command) c-hz01 in cn-hangzhou`."""
    named = f"{item.get('name')} " if item.get("name") else ""
    region = f" in {item.get('region')}" if item.get("region") else ""
    return f"{named}({item.get('type')}) {item.get('id')}{region}"


# -- a resource's changes as text (the text view and the JUnit failures) --------------------------------------


def resource_head(resource: Mapping[str, Any], plan: bool) -> str:
    """`! web  ecsops:Command  c-1  cn-hangzhou: drifted (reason) — outside ecsops` (plan: `~ web  ...`)."""
    place = "".join(f"  {resource[key]}" for key in ("id", "region") if resource.get(key))
    reason = f" ({resource['reason']})" if resource.get("reason") else ""
    if plan:
        return f"{PLAN_SYMBOLS.get(str(resource.get('action')), '?')} {resource.get('name')}  " \
               f"{resource.get('type')}{place}{reason}"
    causes = ", ".join(CAUSES.get(str(cause), str(cause)) for cause in resource.get("causes") or ())
    return (f"! {resource.get('name')}  {resource.get('type')}{place}: {resource.get('action')}{reason}"
            + (f" — {causes}" if causes else ""))


def change_lines(resource: Mapping[str, Any], plan: bool) -> list[str]:
    """Every change of a resource in full, as `ecsops drift STACK` and `ecsops plan STACK` print them."""
    if not plan:
        return [line for change in resource.get("changes") or () for line in _drift_change(change)]
    if resource.get("action") == "create":
        return _created_lines(resource)
    lines = [line for change in resource.get("changes") or () for line in _plan_change(change)]
    return lines + [f"      {output} (after apply): {inline(value)}"
                    for output, value in (resource.get("preview") or {}).items()]


def _drift_change(change: Mapping[str, Any]) -> list[str]:
    note = change.get("reason") or " and ".join(CAUSES.get(cause, cause) for cause in change_causes(change))
    return field_lines(str(change["field"]), document_paths(change), f"  ({note})" if note else "", DRIFT,
                       whole=(change.get("old"), change.get("new")))


def _plan_change(change: Mapping[str, Any]) -> list[str]:
    note = change_note(str(change.get("effect")), change.get("reason"), bool(change.get("unknown")))
    return field_lines(str(change["field"]), document_paths(change), f"   # {note}" if note else "")


def _created_lines(resource: Mapping[str, Any]) -> list[str]:
    """A new object's fields given a value (as the single-stack plan shows them)."""
    lines: list[str] = []
    for change in resource.get("changes") or ():
        value = KNOWN_AFTER_APPLY if change.get("unknown") else change.get("new")
        if change.get("unknown") or shown_on_create(str(resource.get("type")), str(change["field"]), value):
            lines += value_lines(f"      {change['field']}", value, "        ")
    return lines


# -- text -------------------------------------------------------------------------------------------------------


def fleet_text(report: Mapping[str, Any], stream: TextIO) -> str:
    """The report for people: the stacks as a table, then in full what differs in each stack that is not in sync,
    the errors, the unmanaged objects with how to adopt them, and a last line that sums it all up."""
    style = Styler(stream)
    plan = is_plan(report)
    lines = [title(report), "", *_stack_table(report, plan, style)]
    for stack in report["stacks"]:
        if stack.get("status") not in QUIET and stack.get("status") != "error":
            lines += ["", *_stack_lines(stack, plan, style)]
    lines += _problem_lines(report, style)
    lines += _unmanaged_lines(report, style)
    head, rest = verdict(report)
    lines += ["", style(f"{head}: {rest}", "!" if report.get("exit_code") else "")]
    return "\n".join(lines)


def _stack_table(report: Mapping[str, Any], plan: bool, style: Styler) -> list[str]:
    header = ["path", "stack", "account", "status", *([] if plan else ["causes"]), "resources"]
    rows = [[str(stack.get("path")), shown(stack.get("stack")), shown(stack.get("account")), str(stack.get("status")),
             *([] if plan else [", ".join(causes_of(stack)) or "-"]), counts(stack, plan)]
            for stack in report["stacks"]]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(row: list[str], symbol: str) -> str:
        cells = [text.ljust(width) for text, width in zip(row, widths)]
        cells[3] = style(cells[3], symbol)
        return "  ".join(cells).rstrip()

    return [line(header, ""), *(line(row, STATUS_SYMBOLS.get(row[3], "")) for row in rows)]


def _stack_lines(stack: Mapping[str, Any], plan: bool, style: Styler) -> list[str]:
    causes = ", ".join(CAUSES[cause] for cause in causes_of(stack))
    lines = [f"Stack {shown(stack.get('stack'))} ({stack.get('path')}, account {shown(stack.get('account'))}): "
             f"{stack.get('status')}" + (f" — {causes}" if causes else "")]
    for resource in differing(stack):
        symbol = PLAN_SYMBOLS.get(str(resource.get("action")), "!") if plan else "!"
        lines += [style(resource_head(resource, plan), symbol), *change_lines(resource, plan)]
    return lines


def _problem_lines(report: Mapping[str, Any], style: Styler) -> list[str]:
    """The errors of the stacks that failed, then every warning (the stacks' and the run's)."""
    errors = [style(problem_line(found, stack.get("path")), "!") for stack in report["stacks"]
              for found in stack.get("errors") or ()]
    errors += [style(diagnostic(found).report(), "!") for found in report.get("errors") or ()]
    warnings = warning_lines(report)
    return ["", *errors, *warnings] if errors or warnings else []


def warning_lines(report: Mapping[str, Any]) -> list[str]:
    """`warning: ...` for each warning of a stack (placed in its file, else at its path), then of the run."""
    found = [problem_line(warning, stack.get("path")) for stack in report["stacks"]
             for warning in (stack.get("report") or {}).get("warnings") or ()]
    return found + [diagnostic(warning).report() for warning in report.get("warnings") or ()]


def _unmanaged_lines(report: Mapping[str, Any], style: Styler) -> list[str]:
    found = report.get("unmanaged") or []
    ignored = int(report.get("ignored") or 0)
    if not found and not ignored:
        return []
    lines = ["", f"Unmanaged objects: {plural(len(found), 'object')} in the cloud that no stack manages"
                 + (f" ({ignored:,} more ignored by .ecsopsignore rules)" if ignored else "")]
    for item in found:
        lines += [style(f"! {object_label(item)}, account {item.get('account')}", "!"),
                  f"      adopt it: {item.get('import')}"]
    return lines


# -- markdown ---------------------------------------------------------------------------------------------------


@dataclass
class Rows:
    """Lines of a comment that may be left out when it is too long (a table's rows, warnings), and how the line
    that says so names them: `label` is what each row counts as there (a stack's status)."""

    heading: list[str]
    rows: list[tuple[str, str]]
    noun: str
    dropped: set[int] = field(default_factory=set)

    def text(self, limit: int) -> str:
        kept = [line for index, (line, _) in enumerate(self.rows) if index not in self.dropped]
        if not self.dropped:
            return "\n".join([*self.heading, *kept])
        labels = Counter(self.rows[index][1] for index in self.dropped)
        return "\n".join([*self.heading, *kept]) + "\n\n" + self.note(len(self.dropped), labels, limit)

    def note(self, count: int, labels: Mapping[str, int], limit: int) -> str:
        told = ", ".join(f"{number:,} {label}" for label, number in sorted(labels.items()) if label)
        return (f"… {count:,} more {self.noun} not listed{f' ({told})' if told else ''}: the comment limit is "
                f"{limit:,} characters; {WHERE}")

    def reserve(self, limit: int) -> int:
        """The most the note can take (every row dropped)."""
        labels = Counter(label for _, label in self.rows)
        return len(self.note(len(self.rows), labels, limit)) + 2

    def cost(self, index: int) -> int:
        return len(self.rows[index][0]) + 1


def fleet_markdown(report: Mapping[str, Any], *, limit: int = md.LIMIT) -> str:
    """The report as a comment: the summary line, the stacks as a table, each stack that is not in sync in a
    `<details>` block, the unmanaged objects as a table — within `limit` (with the final newline): details are
    left out first, then rows, and a line says how many of what."""
    plan = is_plan(report)
    head, rest = verdict(report)
    lead = [f"### ecsops {report.get('command')}: {md.cell(title(report).partition(': ')[2])}", "",
            f"**{head}:** {md.cell(rest)}"]
    lead += [line for found in report.get("errors") or () for line in ("", quoted(diagnostic(found).report()))]
    columns = ["path", "stack", "account", "status", *([] if plan else ["causes"]), "resources"]
    stacks = Rows(md.table(columns, []),
                  [(_stack_row(stack, plan), str(stack.get("status"))) for stack in report["stacks"]], "stacks")
    warnings = Rows([], [(line + "\n", "") for line in _markdown_warnings(report)], "warnings")  # a quote each
    unmanaged = _unmanaged_rows(report)
    blocks = [_stack_block(stack, plan) for stack in report["stacks"] if stack.get("status") not in QUIET]
    note = ("In the diffs, `-` is the cloud and `+` the stack: apply makes the cloud match the stack."
            if any(differing(stack) for stack in report["stacks"]) and not plan else "")
    return _assembled(limit, lead, [stacks, warnings, unmanaged], blocks, note)


def _stack_row(stack: Mapping[str, Any], plan: bool) -> str:
    status = str(stack.get("status"))
    symbol = STATUS_SYMBOLS.get(status)
    about = counts(stack, plan)
    if status == "error" and stack.get("errors"):
        about = str(diagnostic(stack["errors"][0])) + (f" (and {len(stack['errors']) - 1} more)"
                                                      if len(stack["errors"]) > 1 else "")
    cells = [md.code(stack.get("path")), _code_or_dash(stack.get("stack")), md.cell(shown(stack.get("account"))),
             (f"`{symbol}` " if symbol else "") + status, *([] if plan else [", ".join(causes_of(stack))]),
             md.cell(about)]
    return f"| {' | '.join(cells)} |"


def _code_or_dash(value: Any) -> str:
    return "-" if value is None else md.code(value)


def _markdown_warnings(report: Mapping[str, Any]) -> list[str]:
    return [quoted(line) for line in warning_lines(report)]


def quoted(line: str) -> str:
    """`error: stacks/api.yaml: message` as a markdown quote: `> **error:** stacks/api.yaml: message` (quotes on
    lines that follow each other are one paragraph: a blank line between two keeps them apart)."""
    severity, _, rest = line.partition(": ")
    return f"> **{md.cell(severity)}:** {md.cell(rest)}"


def _unmanaged_rows(report: Mapping[str, Any]) -> Rows:
    found = report.get("unmanaged") or []
    ignored = int(report.get("ignored") or 0)
    heading = [f"#### Unmanaged objects: {plural(len(found), 'object')} in the cloud that no stack manages"
               + (f" ({ignored:,} more ignored by `.ecsopsignore` rules)" if ignored else "")] if (
        found or ignored) else []
    if found:
        heading += ["", "| type | name | id | region | account | adopt it with |", "|---|---|---|---|---|---|"]
    rows = [(f"| {md.code(item.get('type'))} | {md.code(item.get('name')) if item.get('name') else ''} | "
             f"{md.code(item.get('id'))} | {md.code(item.get('region'))} | {md.cell(str(item.get('account')))} | "
             f"{md.code(item.get('import'))} |", "") for item in found]
    return Rows(heading, rows, "unmanaged objects")


def _stack_block(stack: Mapping[str, Any], plan: bool) -> str:
    """A stack's collapsible block: its resources that differ as a table, then each one's diff (as `ecsops drift
    STACK --format markdown` shows them), or its errors."""
    causes = ", ".join(CAUSES[cause] for cause in causes_of(stack))
    summary = (f"{_code_or_dash(stack.get('stack'))} {md.code(stack.get('path'))}: {md.cell(str(stack.get('status')))}"
               + (f" ({causes})" if causes else ""))
    body = [quoted(problem_line(found, stack.get("path"))) for found in stack.get("errors") or ()]
    changing = differing(stack)
    if changing:
        body.append("\n".join(md.plan_table(stack["report"], changing) if plan else md.table(
            ("status", "resource", "type", "id", "note"), [md.drift_row(resource) for resource in changing])))
    details = [block for block in ((md.plan_details if plan else md.drift_details)(r) for r in changing) if block]
    return "\n\n".join([f"<details><summary>{summary}</summary>", *body, *details, "</details>"])


def _assembled(limit: int, lead: list[str], parts: list[Rows], blocks: list[str], note: str) -> str:
    """The comment within `limit`: rows are dropped (stacks in sync first, then warnings, unmanaged objects, the
    other stacks; each from the end) only when they alone do not fit; details then fill what room is left."""
    budget = limit - 1 - len("\n".join(lead)) - len(note) - 2 - len(_blocks_note(len(blocks), limit)) - 2
    budget -= sum(len("\n".join(part.heading)) + part.reserve(limit) + 4 for part in parts)
    _drop_rows(parts, budget)
    room = budget - sum(part.cost(index) for part in parts for index in range(len(part.rows))
                        if index not in part.dropped)
    kept: list[str] = []
    for block in blocks:
        if len(block) + 2 <= room:
            kept.append(block)
            room -= len(block) + 2
    stacks, warnings, unmanaged = (part.text(limit) for part in parts)
    sections = ["\n".join(lead), warnings, stacks, note if kept else "", *kept,
                _blocks_note(len(blocks) - len(kept), limit) if len(kept) < len(blocks) else "", unmanaged]
    return "\n\n".join(section for section in sections if section)


def _drop_rows(parts: list[Rows], budget: int) -> None:
    """Drops rows until the rows of `parts` fit `budget`: a stack in sync first, a failing or drifted one last."""
    excess = sum(part.cost(index) for part in parts for index in range(len(part.rows))) - budget
    stacks, warnings, unmanaged = parts
    quiet = [index for index, (_, label) in enumerate(stacks.rows) if label in QUIET]
    loud = [index for index, (_, label) in enumerate(stacks.rows) if label not in QUIET]
    order = [(stacks, quiet), (warnings, list(range(len(warnings.rows)))),
             (unmanaged, list(range(len(unmanaged.rows)))), (stacks, loud)]
    for part, indices in order:
        for index in reversed(indices):
            if excess <= 0:
                return
            part.dropped.add(index)
            excess -= part.cost(index)


def _blocks_note(count: int, limit: int) -> str:
    whose = "stack's" if count == 1 else "stacks'"
    return f"… {count:,} {whose} details left out: the comment limit is {limit:,} characters; {WHERE}"


# -- JUnit XML ----------------------------------------------------------------------------------------------------

# What XML 1.0 cannot hold at all, escaped or not: control characters (but tab and line ends), lone surrogates
# and U+FFFE/U+FFFF. Each is written as `\uXXXX` instead, so the document stays well-formed and nothing is lost.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    return NOT_XML.sub(lambda found: f"\\u{ord(found.group()):04x}", str(value))


def element(parent: ET.Element | None, tag: str, text: str | None = None, **attributes: Any) -> ET.Element:
    """An element whose text and attributes XML can hold (ElementTree escapes `<&"` itself)."""
    made = ET.Element(tag, {name: xml_text(value) for name, value in attributes.items()})
    if text is not None:
        made.text = xml_text(text)
    if parent is not None:
        parent.append(made)
    return made


@dataclass(frozen=True)
class FailRule:
    """What fails the run (docs/drift.md, exit codes), so a JUnit failure is what fails it: in drift, a cause
    `fail_on` names (unmanaged objects count as outside); in a plan, changes with --detailed-exitcode. What differs
    and does not fail the run is a skipped test, saying why."""

    plan: bool
    fail_on: str = "any"
    detailed: bool = False

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> "FailRule":
        return cls(is_plan(report), str(report.get("fail_on") or "any"), bool(report.get("detailed")))

    def failing(self, causes: Sequence[str]) -> bool:
        """Whether drift of `causes` fails the run (a resource whose causes are not told does)."""
        return self.fail_on not in CAUSES or not causes or self.fail_on in causes

    def skipped(self, resource: Mapping[str, Any]) -> str | None:
        """Why a resource that differs does not fail the run, or None when it does."""
        if self.plan:
            return None if self.detailed else (f"{resource.get('action')}: changes fail only with "
                                               "--detailed-exitcode")
        causes = resource_causes(resource)
        return None if self.failing(causes) else f"{', '.join(causes)}: not failing (--fail-on {self.fail_on})"

    def unmanaged_skipped(self) -> str | None:
        return None if self.failing(["outside"]) else f"outside: not failing (--fail-on {self.fail_on})"


def fleet_junit(report: Mapping[str, Any]) -> str:
    """The report as JUnit XML: a test suite per stack (named by its path), a test case per resource, failing when
    the resource drifted (its type the causes: outside, unapplied) or, in a plan, changes (its type the action) —
    skipped instead when that does not fail the run (--fail-on, --detailed-exitcode); a stack that could not run
    is one case in error; unmanaged objects are a suite of their own, each failing (or skipped) with how to adopt
    it. CI systems then show what fails the run as failed tests."""
    rule = FailRule.of(report)
    root = element(None, "testsuites", name=f"ecsops {report.get('command')}")
    for stack in report["stacks"]:
        root.append(_stack_suite(stack, rule))
    if report.get("unmanaged") is not None:
        root.append(_unmanaged_suite(report["unmanaged"], rule))
    if report.get("errors"):
        root.append(_run_suite(report["errors"]))
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def class_name(path: str) -> str:
    """A stack file's path as a JUnit class name: folders as packages, the file's stem as the class
    (`stacks/payments/web.yaml` -> `stacks.payments.web`), as Jenkins and GitLab group test classes by their dots;
    the path itself stays the suite's name."""
    stem = path[: -len(suffix)] if (suffix := PurePosixPath(path).suffix) in (".yaml", ".yml") else path
    return ".".join(part for part in stem.replace("\\", "/").split("/") if part not in ("", ".", "..")) or path


def _stack_suite(stack: Mapping[str, Any], rule: FailRule) -> ET.Element:
    path = class_name(str(stack.get("path")))
    suite = element(None, "testsuite", name=str(stack.get("path")))
    properties = element(suite, "properties")
    for name in ("stack", "account", "status"):
        element(properties, "property", name=name, value=shown(stack.get(name)))
    element(properties, "property", name="causes", value=",".join(causes_of(stack)))
    if stack.get("status") == "error":
        errors = list(stack.get("errors") or ())
        called = stack.get("path") if stack.get("stack") is None else stack.get("stack")
        case = element(suite, "testcase", classname=path, name=f"stack {called}", time="0")
        first = str(diagnostic(errors[0])) if errors else "the stack could not be run"
        lines = "\n".join(problem_line(found, str(stack.get("path"))) for found in errors)
        element(case, "error", lines, message=first, type="error")
    for resource in resources_of(stack):
        _resource_case(suite, path, resource, rule)
    _count(suite, [suite])
    return suite


def _resource_case(suite: ET.Element, path: str, resource: Mapping[str, Any], rule: FailRule) -> None:
    case = element(suite, "testcase", classname=path, name=f"{resource.get('name')} ({resource.get('type')})",
                   time="0")
    if resource.get("action") in UNCHANGED:
        return
    plan = rule.plan
    text = "\n".join([resource_head(resource, plan), *change_lines(resource, plan)])
    skipped = rule.skipped(resource)
    if skipped is not None:
        element(case, "skipped", text, message=skipped)
        return
    fields = [str(change["field"]) for change in resource.get("changes") or ()]
    told = [str(resource.get("action")) + (f" ({resource['reason']})" if resource.get("reason") else "")]
    told += [f"{'changes' if plan else 'differs'}: {', '.join(fields)}"] if fields else []
    causes = [] if plan else resource_causes(resource)
    told += [f"cause: {', '.join(causes)}"] if causes else []
    kind = ",".join(causes) if causes else str(resource.get("action"))
    element(case, "failure", text, message="; ".join(told), type=kind)


def _unmanaged_suite(found: Sequence[Mapping[str, Any]], rule: FailRule) -> ET.Element:
    suite = element(None, "testsuite", name=UNMANAGED_SUITE)
    skipped = rule.unmanaged_skipped()
    for item in found:
        case = element(suite, "testcase", classname=UNMANAGED_SUITE, name=object_label(item), time="0")
        text = "\n".join(f"{key}: {item.get(key)}" for key in ("type", "region", "id", "name", "account", "import"))
        if skipped is not None:
            element(case, "skipped", text, message=skipped)
            continue
        element(case, "failure", text, type="unmanaged",
                message=f"in the cloud, managed by no stack: adopt it with `{item.get('import')}` "
                        "(or leave it out with a .ecsopsignore rule)")
    _count(suite, [suite])
    return suite


def _run_suite(errors: Sequence[Mapping[str, Any]]) -> ET.Element:
    """The failures of the run itself (of no stack: listing the unmanaged objects), one case in error each."""
    suite = element(None, "testsuite", name=RUN_SUITE)
    for number, found in enumerate(errors, 1):
        case = element(suite, "testcase", classname=RUN_SUITE, name=f"error {number}", time="0")
        element(case, "error", diagnostic(found).report(), message=str(diagnostic(found)), type="error")
    _count(suite, [suite])
    return suite


def _count(target: ET.Element, suites: Iterable[ET.Element]) -> None:
    """tests, failures and errors of `suites`' cases, set on `target` (a suite itself, or all of them)."""
    cases = [case for suite in suites for case in suite.findall("testcase")]
    target.set("tests", str(len(cases)))
    target.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    target.set("errors", str(sum(1 for case in cases if case.find("error") is not None)))
    target.set("skipped", str(sum(1 for case in cases if case.find("skipped") is not None)))
    target.set("time", "0")
