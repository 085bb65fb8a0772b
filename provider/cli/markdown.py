"""`--format markdown`: a plan or a drift report as a pull request's (or an issue's) comment.

A summary line (`**Plan:** 1 to create, 2 to update, 0 to replace, 1 to delete — on <backend>`), a table of the
resources that change with their action, then each resource's changes in a collapsible `<details>` block holding a
fenced `diff` code block: `-` the old value (in drift, the cloud's), `+` the new one (the stack's), path by path
as the text shows them (cli/changes.py), texts of several lines as unified diffs (in drift, both sides in full).

Built from the `--json` documents (render.plan_document, render.drift_document, and a plan file's `plan`), whose
values are already masked: secrets show as "(secret)", values known only after apply as "(known after apply)".

The whole fits a GitHub comment (at most 65,536 characters): the summary and the table are never shortened;
details that do not fit are left out, in stack order, and a last line says how many and where to read them.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable, Mapping

from ecsops.cli.changes import (ADD, REMOVE, UPDATE, PathChange, change_note, document_paths, inline,
                                multiline, shown_on_create, text_diff)
from ecsops.engine.errors import Diagnostic

LIMIT = 65_536  # the most characters GitHub accepts in a comment (an issue's, a pull request's)
PLAN_ACTIONS = ("create", "update", "replace", "delete")
SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "no-op": " "}
ARTIFACT = "see the plan artifact"


def plan_markdown(document: Mapping[str, Any], *, made: str | None = None, limit: int = LIMIT) -> str:
    """A plan (`render.plan_document`'s shape) as markdown; `made` adds a line saying where it comes from."""
    changing = [resource for resource in document["resources"] if resource["action"] != "no-op"]
    summary = document.get("summary") or {}
    if changing:
        counts = ", ".join(f"{summary.get(action, 0)} to {action}" for action in PLAN_ACTIONS)
        line = f"**Plan:** {counts} — on {backend_phrase(document.get('backend'))}"
    else:
        line = f"**Plan:** no changes: the cloud matches the stack — on {backend_phrase(document.get('backend'))}"
    head = [f"### ecsops plan: stack {code(document['stack'])}", "", line]
    if made:
        head += ["", made]
    if changing:
        head += ["", *plan_table(document, changing)]
    head += warnings(document.get("warnings") or [])
    blocks = [block for block in (plan_details(resource) for resource in changing) if block]
    return assembled(head, blocks, limit, ARTIFACT)


def drift_markdown(document: Mapping[str, Any], *, limit: int = LIMIT) -> str:
    """A drift report (`render.drift_document`'s shape) as markdown: `-` is the cloud, `+` the stack."""
    resources = document["resources"]
    differing = [resource for resource in resources if resource["action"] != "in-sync"]
    where = backend_phrase(document.get("backend"))
    line = (f"**Drift:** {len(differing)} of {len(resources)} resources differ from the stack — on {where}"
            if differing else f"**No drift:** the cloud matches the stack — on {where}")
    head = [f"### ecsops drift: stack {code(document['stack'])}", "", line]
    if differing:
        head += ["", *table(("status", "resource", "type", "id", "note"), [drift_row(r) for r in differing]),
                 "", "In the diffs, `-` is the cloud and `+` the stack: apply makes the cloud match the stack."]
    blocks = [block for block in (drift_details(resource) for resource in differing) if block]
    return assembled(head, blocks, limit, "run `ecsops drift` for all of them")


def saved_plan_markdown(plan_file: Mapping[str, Any], path: str, *, limit: int = LIMIT) -> str:
    """`ecsops show PLAN --format markdown`: the plan as it was reviewed, and what it was made from."""
    made = (f"Saved plan {code(path)}, made {plan_file['created']} by ecsops {plan_file['ecsops']} from "
            f"{code(plan_file['stack']['path'])} (state {code(plan_file['state']['location'])}, version "
            f"{plan_file['state']['version']}).")
    return plan_markdown(plan_file["plan"], made=made, limit=limit)


# -- summary and table ----------------------------------------------------------------------------------


def backend_phrase(backend: Any) -> str:
    """The backend a document names, as `render`'s text names it (never the embedded emulator's port)."""
    if not isinstance(backend, Mapping):
        return "an unknown backend"
    region = f", region {backend.get('region')}" if backend.get("region") else ""
    if backend.get("kind") == "cloud":
        return f"Alibaba Cloud{region}"
    if backend.get("kind") == "endpoint":
        return f"endpoint {code(str(backend.get('endpoint')))}{region}"
    return f"the embedded emulator{region}"


def plan_table(document: Mapping[str, Any], changing: list[Mapping[str, Any]]) -> list[str]:
    """The changes as a table, with a region column when the stack spans several regions."""
    if len({resource["region"] for resource in document["resources"] if resource.get("region")}) > 1:
        return table(("action", "resource", "type", "region", "id", "note"),
                     [plan_row(resource, with_region=True) for resource in changing])
    return table(("action", "resource", "type", "id", "note"), [plan_row(resource) for resource in changing])


def plan_row(resource: Mapping[str, Any], *, with_region: bool = False) -> list[str]:
    notes = [resource["reason"]] if resource.get("reason") else []
    replacing = [change["field"] for change in resource.get("changes") or [] if change.get("effect") == "replace"]
    if resource["action"] == "replace" and replacing:
        notes.append("replaced for " + ", ".join(replacing))
    region = [code(resource["region"]) if resource.get("region") else ""] if with_region else []
    return [f"`{SYMBOLS.get(resource['action'], '?')}` {resource['action']}", code(resource["name"]),
            code(resource["type"]), *region, code(resource["id"]) if resource.get("id") else "",
            cell("; ".join(notes))]


def drift_row(resource: Mapping[str, Any]) -> list[str]:
    fields = [change["field"] for change in resource.get("changes") or []]
    notes = ([resource["reason"]] if resource.get("reason") else []) + (
        ["differs: " + ", ".join(fields)] if fields else [])
    return [f"`!` {resource['action']}", code(resource["name"]), code(resource["type"]),
            code(resource["id"]) if resource.get("id") else "", cell("; ".join(notes))]


def table(header: Iterable[str], rows: Iterable[list[str]]) -> list[str]:
    names = list(header)
    return [f"| {' | '.join(names)} |", f"|{'---|' * len(names)}", *(f"| {' | '.join(row)} |" for row in rows)]


def warnings(found: Iterable[Mapping[str, Any]]) -> list[str]:
    lines = [f"> **warning:** {cell(str(Diagnostic(**dict(warning))))}" for warning in found]
    return ["", *lines] if lines else []


def code(text: Any) -> str:
    """Inline code that no name can break out of (a table's `|` included)."""
    return f"<code>{cell(str(text))}</code>"


def cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")


# -- details ----------------------------------------------------------------------------------------------


def plan_details(resource: Mapping[str, Any]) -> str:
    creating = resource["action"] == "create"
    lines: list[str] = []
    for change in resource.get("changes") or []:
        if creating and not change.get("unknown") and not shown_on_create(str(resource["type"]), str(change["field"]),
                                                                          change.get("new")):
            continue  # a new object: the fields given a value
        note = change_note(str(change.get("effect")), change.get("reason"), bool(change.get("unknown")))
        lines += change_lines(change, note, both_in_full=False)
    for output, value in (resource.get("preview") or {}).items():
        lines.append(f"# {output} (after apply): {inline(value)}")
    return details(resource, lines)


def drift_details(resource: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for change in resource.get("changes") or []:
        note = str(change.get("reason") or "")
        if change.get("effect") == "replace":
            note += ("; " if note else "") + "apply replaces the resource to repair it"
        lines += change_lines(change, note, both_in_full=True)
    return details(resource, lines)


def details(resource: Mapping[str, Any], lines: list[str]) -> str:
    """A resource's collapsible block, or "" when there is nothing to show (a delete)."""
    if not lines:
        return ""
    symbol = SYMBOLS.get(resource["action"], "!")
    body = "\n".join(lines)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    summary = (f"<code>{cell(symbol + ' ' + str(resource['name']))}</code> {cell(str(resource['type']))}: "
               f"{cell(str(resource['action']))}")
    return "\n".join([f"<details><summary>{summary}</summary>", "", f"{fence}diff", body, fence, "", "</details>"])


def change_lines(change: Mapping[str, Any], note: str, *, both_in_full: bool) -> list[str]:
    """One field's change in a `diff` block: `-` lines the old side, `+` lines the new, `#` what to know."""
    lines = [f"# {change['field']}: {note}"] if note else []
    for step in document_paths(change):
        lines += step_lines(step, both_in_full=both_in_full)
    return lines


def step_lines(step: PathChange, *, both_in_full: bool) -> list[str]:
    if step.change == UPDATE and step.long_text and not both_in_full:
        return [f"  {step.path}:", *(_diff_line(line) for line in text_diff(str(step.old), str(step.new)))]
    lines: list[str] = []
    if step.change in (UPDATE, REMOVE):
        lines += value_lines("-", step.path, step.old)
    if step.change in (UPDATE, ADD):
        lines += value_lines("+", step.path, step.new)
    return lines


def value_lines(mark: str, path: str, value: Any) -> list[str]:
    if multiline(value):
        return [f"{mark} {path}: |", *(f"{mark}   {line}" for line in str(value).rstrip("\n").splitlines())]
    return [f"{mark} {path}: {inline(value)}"]


def _diff_line(line: str) -> str:
    """A unified diff's line in the block: its mark first (so it is coloured), its text indented under the path."""
    return line if line.startswith("@@") else f"{line[:1] or ' '}   {line[1:]}"


# -- within a comment's size ---------------------------------------------------------------------------------


def assembled(head: list[str], blocks: list[str], limit: int, where: str) -> str:
    """`head` (the summary, the table — its rows cut from the end only if even they exceed `limit`), then as many
    blocks as fit `limit` (with the final newline), and a note if any did not."""
    text = "\n".join(fitted_head(head, limit, where))
    budget = limit - 1 - len(left_out(len(blocks), limit, where)) - 2
    kept, left = [], 0
    size = len(text)
    for block in blocks:
        if size + 2 + len(block) <= budget:
            kept.append(block)
            size += 2 + len(block)
        else:
            left += 1
    return "\n\n".join([text, *kept, *([left_out(left, limit, where)] if left else [])])


def fitted_head(head: list[str], limit: int, where: str) -> list[str]:
    """`head` within `limit` with room for the notes: table rows dropped from the end when needed, and a line
    saying how many; the summary line and the table's header are never dropped."""
    reserve = 2 * len(left_out(0, limit, where)) + 8
    if len("\n".join(head)) <= limit - reserve:
        return head
    rows = [index for index, line in enumerate(head) if line.startswith("|")][2:]  # after header and rule
    kept = list(head)
    dropped = 0
    while rows and len("\n".join(kept)) > limit - reserve:
        del kept[rows.pop()]
        dropped += 1
    if dropped:
        after = rows[-1] + 1 if rows else len(kept)
        kept.insert(after, f"| … | {dropped:,} more resources not listed: the comment limit is {limit:,} characters; "
                           f"{where} | | | |")
    return kept


def left_out(count: int, limit: int, where: str) -> str:
    whose = "resource's" if count == 1 else "resources'"
    return f"… {count} {whose} details left out: the comment limit is {limit:,} characters; {where}"
