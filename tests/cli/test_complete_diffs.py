"""Plans, drift and `show` never cut a value (issue 15): nested values change path by path, list items named by
their identity (event-rule targets by id, other lists by position), long texts and scripts as unified diffs, drift
with both sides in full; secrets stay masked and unknowns named; `--json` carries the paths too."""

from __future__ import annotations

import textwrap

import pytest

import ecsops.resources  # noqa: F401  (registers the kinds: their normalisers order what a plan shows)
from ecsops.cli.changes import DRIFT, KNOWN_AFTER_APPLY, SECRET, PathChange, field_lines, field_paths
from ecsops.engine.state import StateStore
from ecsops.engine.values import UNKNOWN
from tests.support.cli import ecsops, write_stack
from tests.support.emulator import REGION, models

LONG_URL = "https://hooks.example.com/" + "/".join(f"segment-{n:03d}" for n in range(20)) + "?token=the-end"
RULE = textwrap.indent(textwrap.dedent("""\
    alerts:
      type: ecsops:EventAlertRule
      properties:
        name: alerts
        eventPattern: {eventTypes: [Maintenance]}
        targets:
          webhooks:
            - {id: chat, url: "https://hooks.example.com/a"}
            - {id: pager, url: "https://hooks.example.com/pager"}
"""), "  ")


# -- nested values, path by path ------------------------------------------------------------------------


PAGER = '- {id: pager, url: "https://hooks.example.com/pager"}'
TARGET_CHANGES = [
    pytest.param(("https://hooks.example.com/a", "https://hooks.example.com/b"),
                 ['        ~ targets.webhooks[chat].url: "https://hooks.example.com/a" -> '
                  '"https://hooks.example.com/b"'],
                 {"path": "targets.webhooks[chat].url", "change": "update", "old": "https://hooks.example.com/a",
                  "new": "https://hooks.example.com/b"}, id="changed-url"),
    pytest.param(("https://hooks.example.com/a", LONG_URL),
                 ["        ~ targets.webhooks[chat].url:", "          -https://hooks.example.com/a",
                  f"          +{LONG_URL}"],
                 {"path": "targets.webhooks[chat].url", "change": "update", "old": "https://hooks.example.com/a",
                  "new": LONG_URL}, id="changed-long-url-in-full"),
    pytest.param((PAGER, PAGER + '\n          - {id: ops, url: "https://o"}'),
                 ['        + targets.webhooks[ops]: {"id": "ops", "url": "https://o", "method": "POST"}'],
                 {"path": "targets.webhooks[ops]", "change": "add", "old": None,
                  "new": {"id": "ops", "url": "https://o", "method": "POST"}}, id="added-target"),
    pytest.param(("\n          " + PAGER, ""),
                 ['        - targets.webhooks[pager]: {"id": "pager", "url": "https://hooks.example.com/pager", '
                  '"method": "POST"}'],
                 {"path": "targets.webhooks[pager]", "change": "remove",
                  "old": {"id": "pager", "url": "https://hooks.example.com/pager", "method": "POST"}, "new": None},
                 id="removed-target"),
]


@pytest.mark.parametrize(("edit", "shown", "path"), TARGET_CHANGES)
def test_an_event_rule_target_change_reads_by_its_path_in_full(cli, tmp_path, edit, shown, path) -> None:
    stack = write_stack(tmp_path, RULE)
    assert cli("apply", "--yes", stack).code == 0
    old, new = edit
    assert old in stack.read_text()
    stack.write_text(stack.read_text().replace(old, new))
    planned = cli("plan", stack)
    assert planned.code == 0 and "~ alerts  ecsops:EventAlertRule" in planned.out, planned.err
    lines = planned.out.splitlines()
    assert lines[lines.index("      targets:") + 1:][:len(shown)] == shown, planned.out
    assert "..." not in planned.out
    [targets] = [change for resource in cli("plan", "--json", stack).json()["resources"]
                 for change in resource["changes"] if change["field"] == "targets"]
    assert targets["paths"] == [path]


# -- long texts -----------------------------------------------------------------------------------------


def script(changed_line: str) -> str:
    """A shell script of about 5 KB: 80 lines, the 40th given."""
    lines = [f"echo 'step {n:02d} of the nightly maintenance, padded to a realistic length'" for n in range(80)]
    lines[40] = changed_line
    return "\n".join(lines) + "\n"


def command_stack(content: str) -> str:
    return textwrap.indent(textwrap.dedent("""\
        maintenance:
          type: ecsops:Command
          properties:
            name: maintenance
            type: RunShellScript
            content: |
        """) + textwrap.indent(content, "      "), "  ")


OLD_LINE = "systemctl restart web"
NEW_LINE = "systemctl restart web --wait && curl -fsS " + "https://health.example.com/" + "x" * 300


@pytest.mark.parametrize("reader", [
    pytest.param(("plan",), id="plan"),
    pytest.param(("show", "reviewed.plan"), id="show-of-the-saved-plan"),
])
def test_a_5kb_script_change_is_a_unified_diff_with_nothing_cut(cli, tmp_path, reader) -> None:
    before, after = script(OLD_LINE), script(NEW_LINE)
    assert len(after) > 5_000
    stack = write_stack(tmp_path, command_stack(before))
    assert cli("apply", "--yes", stack).code == 0
    stack.write_text(write_stack(tmp_path, command_stack(after)).read_text())
    planned = cli("plan", stack, "--out", tmp_path / "reviewed.plan")
    assert planned.code == 0
    out = planned.out if reader == ("plan",) else ecsops("show", tmp_path / "reviewed.plan").out
    lines = out.splitlines()
    assert "      content:   # forces replacement: the API cannot change a command's content, type or parameter " \
           "switch: a new command is made" in lines
    assert "        @@ -38,7 +38,7 @@" in lines
    assert f"        -{OLD_LINE}" in lines and f"        +{NEW_LINE}" in lines  # the whole new line
    assert "         " + script("")[:20] not in out  # a diff: the unchanged lines far away are not repeated
    assert "..." not in out


def test_a_long_one_line_text_is_shown_as_both_lines_in_full() -> None:
    old, new = "a" * 90 + " old ending", "a" * 90 + " new ending"
    lines = field_lines("description", field_paths("ecsops:Command", "description", old, new), "")
    assert lines == ["      description:", f"        -{old}", f"        +{new}"]


# -- drift: both sides in full --------------------------------------------------------------------------


def test_drift_shows_both_sides_of_a_long_value_in_full(cli, tmp_path, ecs) -> None:
    declared = "Checks the disks of the web fleet every night; " * 6 + "declared in the stack"
    console = "Checks the disks of the web fleet every night; " * 6 + "edited in the console"
    stack = write_stack(tmp_path, command_stack("df -h\n").replace(
        "type: RunShellScript", f"type: RunShellScript\n      description: {declared}"))
    assert cli("apply", "--yes", stack).code == 0
    command_id = StateStore(stack.parent, "demo").load().resources["maintenance"].id
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, description=console))
    drift = cli("drift", stack)
    assert drift.code == 2
    lines = drift.out.splitlines()
    assert "      description:  (changed outside ecsops)" in lines
    assert f'        cloud: "{console}"' in lines and f'        stack: "{declared}"' in lines
    markdown = cli("drift", stack, "--format", "markdown")
    assert markdown.code == 2
    assert f'- description: "{console}"' in markdown.out and f'+ description: "{declared}"' in markdown.out


def test_drift_of_a_nested_value_names_both_whole_values_then_each_path() -> None:
    cloud = {"webhooks": [{"id": "chat", "url": "https://a"}]}
    stack = {"webhooks": [{"id": "chat", "url": "https://b"}, {"id": "ops", "url": "https://o"}]}
    lines = field_lines("targets", field_paths("ecsops:EventAlertRule", "targets", cloud, stack),
                        "  (changed outside ecsops)", DRIFT, whole=(cloud, stack))
    assert lines == [
        '      targets: cloud {"webhooks": [{"id": "chat", "url": "https://a"}]}, stack {"webhooks": [{"id": "chat", '
        '"url": "https://b"}, {"id": "ops", "url": "https://o"}]}  (changed outside ecsops)',
        '        ~ targets.webhooks[chat].url: cloud "https://a", stack "https://b"',
        '        + targets.webhooks[ops] (the stack only): {"id": "ops", "url": "https://o"}',
    ]


# -- identities, secrets, unknowns ---------------------------------------------------------------------


@pytest.mark.parametrize(("type_", "field", "old", "new", "expected"), [
    pytest.param("ecsops:EventAlertRule", "targets",
                 {"webhooks": [{"id": "a", "url": "https://1"}, {"id": "b", "url": "https://2"}]},
                 {"webhooks": [{"id": "b", "url": "https://2"}, {"id": "a", "url": "https://3"}]},
                 [PathChange("targets.webhooks[a].url", "update", "https://1", "https://3")],
                 id="targets-by-id-whatever-their-order"),
    pytest.param("ecsops:MaintenanceAttributes", "instanceIds", ["i-1", "i-2", "i-3"], ["i-1", "i-3", "i-4"],
                 [PathChange("instanceIds[1]", "remove", "i-2"), PathChange("instanceIds[2]", "add", None, "i-4")],
                 id="plain-list-by-position"),
    pytest.param("ecsops:LicenseTask", "discoveryRules", [{"product": "Windows Server"}],
                 [{"product": "Windows Server"}, {"product": "SQL Server", "version": "2019"}],
                 [PathChange("discoveryRules[1]", "add", None, {"product": "SQL Server", "version": "2019"})],
                 id="discovery-rule-added-at-its-position"),
    pytest.param("ecsops:MaintenanceAttributes", "window", {"start": "02:00:00", "end": "04:00:00"},
                 {"start": "03:00:00", "end": "04:00:00"},
                 [PathChange("window.start", "update", "02:00:00", "03:00:00")], id="maintenance-window-member"),
    pytest.param("ecsops:EventAlertRule", "targets", {"webhooks": [{"id": "chat", "url": {"secret": "scrypt:1"}}]},
                 {"webhooks": [{"id": "chat", "url": {"secret": "scrypt:2"}}]},
                 [PathChange("targets.webhooks[chat].url", "update", SECRET, SECRET)], id="changed-secret-masked"),
    pytest.param("ecsops:ScheduledInvocation", "commandId", "c-1", UNKNOWN,
                 [PathChange("commandId", "update", "c-1", KNOWN_AFTER_APPLY)], id="unknown-named"),
])
def test_list_items_are_named_by_identity_and_values_shown_safely(type_, field, old, new, expected) -> None:
    assert field_paths(type_, field, old, new) == expected
