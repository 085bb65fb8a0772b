"""`--format markdown` (issue 15): a plan, a saved plan or a drift report as a pull request's comment — a summary
line, a table of the resources that change, each resource's changes in a `<details>` block holding a fenced `diff`,
secrets masked, and the whole within the 65,536 characters of a GitHub comment (summary and table never cut)."""

from __future__ import annotations

import re
import textwrap

import pytest

from ecsops.cli.markdown import LIMIT, plan_markdown
from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, write_stack
from tests.support.emulator import REGION, models

CANARY = "canary-3f9c1e27-not-to-be-seen"


def command(name: str, content: str = "uptime\n", timeout: int = 60) -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        {name}:
          type: ecsops:Command
          properties:
            name: {name}
            type: RunShellScript
            timeout: {timeout}
            content: |
        """) + textwrap.indent(content, "      "), "  ")


def details(markdown: str) -> dict[str, str]:
    """Each `<details>` block's body by the resource its summary names."""
    found = re.findall(r"<details><summary><code>\S+ ([^<]+)</code>[^\n]*</summary>\n\n(.*?)\n\n</details>",
                       markdown, re.S)
    return dict(found)


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ")][1:]


# -- structure ---------------------------------------------------------------------------------------------


@pytest.fixture
def edited(cli, tmp_path):
    """A stack applied, then edited so that its plan has one of each action."""
    stack = write_stack(tmp_path, command("kept") + command("scripted", "df -h\necho one\n") + command("dropped"))
    assert cli("apply", "--yes", stack).code == 0
    stack.write_text(write_stack(tmp_path, command("kept", timeout=300) + command("scripted", "df -h\necho two\n")
                                 + command("added")).read_text())
    return stack


@pytest.mark.parametrize("made", [
    pytest.param(lambda cli, stack: cli("plan", stack, "--format", "markdown"), id="plan"),
    pytest.param(lambda cli, stack: (cli("plan", stack, "--out", stack.parent / "web.plan"),
                                     ecsops("show", stack.parent / "web.plan", "--format", "markdown"))[1],
                 id="show-of-the-saved-plan"),
])
def test_a_markdown_plan_has_a_summary_a_table_and_a_diff_per_resource(cli, edited, made) -> None:
    result = made(cli, edited)
    assert result.code == 0, result.err
    markdown = result.out
    assert markdown.startswith("### ecsops plan: stack <code>demo</code>\n")
    assert "**Plan:** 1 to create, 1 to update, 1 to replace, 1 to delete — on endpoint <code>http://" in markdown
    assert "| action | resource | type | id | note |\n|---|---|---|---|---|\n" in markdown
    rows = table_rows(markdown)
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| `~` update", "<code>kept</code>"], ["| `-/+` replace", "<code>scripted</code>"],
        ["| `+` create", "<code>added</code>"], ["| `-` delete", "<code>dropped</code>"]]
    assert "replaced for content" in rows[1]
    blocks = details(markdown)
    assert sorted(blocks) == ["added", "kept", "scripted"]  # a delete has nothing to show
    assert blocks["kept"] == "```diff\n- timeout: 60\n+ timeout: 300\n```"
    assert blocks["scripted"].startswith("```diff\n# content: forces replacement: ")
    assert "\n  content:\n@@ -1,2 +1,2 @@\n    df -h\n-   echo one\n+   echo two\n```" in blocks["scripted"]
    assert blocks["added"] == '```diff\n+ name: "added"\n+ type: "RunShellScript"\n+ content: "uptime\\n"\n' \
                              '+ timeout: 60\n```'
    assert "left out" not in markdown


def test_no_changes_is_one_summary_line_and_no_table(cli, tmp_path) -> None:
    stack = write_stack(tmp_path, command("kept"))
    assert cli("apply", "--yes", stack).code == 0
    markdown = cli("plan", stack, "--format", "markdown").out
    assert "**Plan:** no changes: the cloud matches the stack — on endpoint" in markdown
    assert "| action |" not in markdown and "<details>" not in markdown


def test_a_markdown_drift_report_shows_the_cloud_against_the_stack(cli, tmp_path, ecs) -> None:
    stack = write_stack(tmp_path, command("kept") + command("renamed"))
    assert cli("apply", "--yes", stack).code == 0
    command_id = StateStore(stack.parent, "demo").load().resources["renamed"].id
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, name="console-name"))
    drift = cli("drift", stack, "--format", "markdown")
    assert drift.code == 2
    assert "**Drift:** 1 of 2 resources differ from the stack — on endpoint" in drift.out
    assert [row.split(" | ")[:2] for row in table_rows(drift.out)] == [["| `!` drifted", "<code>renamed</code>"]]
    assert details(drift.out) == {"renamed": '```diff\n# name: changed outside ecsops\n- name: "console-name"\n'
                                             '+ name: "renamed"\n```'}


# -- secrets ---------------------------------------------------------------------------------------------


SECRETS = textwrap.indent(textwrap.dedent(f"""\
    alerts:
      type: ecsops:EventAlertRule
      properties:
        name: alerts
        eventPattern: {{eventTypes: [Maintenance]}}
        targets: {{webhooks: [{{id: chat, url: {{secret: "https://hooks.example.com/{CANARY}-1"}}}}]}}
    disk-check:
      type: ecsops:Command
      properties: {{name: disk-check, type: RunShellScript, content: "df -h {{{{token}}}}", enableParameter: true}}
    nightly:
      type: ecsops:ScheduledInvocation
      properties:
        commandId: ${{disk-check.commandId}}
        instanceIds: [i-demo-linux-1]
        frequency: "0 0 3 * * ?"
        parameters: {{token: {{secret: {CANARY}-1}}}}
"""), "  ")


@pytest.mark.parametrize(("argv", "masked"), [
    pytest.param(("plan", "--format", "markdown"), '+ targets.webhooks[chat].url: (secret)', id="plan"),
    pytest.param(("plan", "--out", "PLAN"), '+ targets.webhooks[chat].url: (secret)', id="show-of-the-saved-plan"),
    pytest.param(("drift", "--format", "markdown"), '+ targets.webhooks[chat].url: (secret)', id="drift"),
])
def test_secrets_are_masked_in_markdown(cli, tmp_path, argv, masked) -> None:
    stack = write_stack(tmp_path, SECRETS)
    assert cli("apply", "--yes", stack).code == 0
    stack.write_text(stack.read_text().replace(f"{CANARY}-1", f"{CANARY}-2"))  # both secrets change
    plan = tmp_path / "reviewed.plan"
    result = cli(*[str(plan) if word == "PLAN" else word for word in argv], stack)
    if "--out" in argv:
        result = ecsops("show", plan, "--format", "markdown")
    assert CANARY not in result.out and "scrypt" not in result.out
    assert "- targets.webhooks[chat].url: (secret)\n" + masked in result.out
    assert '- parameters.token: (secret)\n+ parameters.token: (secret)' in result.out


# -- the comment's limit ------------------------------------------------------------------------------------


def big_script(seed: int) -> str:
    """About 12 KB of shell: a command's content may be up to 18 KB (24 KB once Base64-encoded)."""
    return "".join(f"echo 'command {seed} step {n:03d}: {'x' * 40}'\n" for n in range(200))


def test_a_plan_larger_than_a_comment_keeps_its_summary_and_table_and_says_what_it_left_out(cli, tmp_path) -> None:
    stack = write_stack(tmp_path, "".join(command(f"big-{n}", big_script(n)) for n in range(8)))
    result = cli("plan", stack, "--format", "markdown")
    assert result.code == 0, result.err
    markdown = result.out
    assert len(markdown) <= LIMIT
    assert "**Plan:** 8 to create, 0 to update, 0 to replace, 0 to delete" in markdown
    assert [row.split(" | ")[1] for row in table_rows(markdown)] == [f"<code>big-{n}</code>" for n in range(8)]
    kept = details(markdown)
    assert 0 < len(kept) < 8 and sorted(kept) == [f"big-{n}" for n in range(len(kept))]
    assert all(body.endswith("'\n+ timeout: 60\n```") for body in kept.values())  # each block kept whole
    assert markdown.rstrip("\n").endswith(
        f"… {8 - len(kept)} resources' details left out: the comment limit is 65,536 characters; "
        "see the plan artifact")


def test_a_plan_within_the_limit_is_whole() -> None:
    document = {"stack": "demo", "backend": {"kind": "cloud", "region": "cn-hangzhou"}, "summary": {"create": 1},
                "warnings": [], "resources": [{"name": "a", "type": "ecsops:Command", "id": None, "action": "create",
                                               "reason": None, "preview": {}, "changes": [
                                                   {"field": "content", "old": None, "new": "x" * 60_000,
                                                    "effect": "update", "reason": None, "unknown": False}]}]}
    markdown = plan_markdown(document)
    assert len(markdown) < LIMIT and "x" * 60_000 in markdown and "left out" not in markdown
    assert "on Alibaba Cloud, region cn-hangzhou" in markdown
    shortened = plan_markdown(document, limit=10_000)
    assert "x" * 100 not in shortened and shortened.endswith(
        "… 1 resource's details left out: the comment limit is 10,000 characters; see the plan artifact")


def test_a_plan_file_from_before_paths_still_reads_path_by_path() -> None:
    change = {"field": "targets", "effect": "update", "reason": None, "unknown": False,
              "old": {"webhooks": [{"id": "chat", "url": "https://a"}]},
              "new": {"webhooks": [{"id": "chat", "url": "https://b"}]}}  # no "paths": written by an older ecsops
    document = {"stack": "demo", "backend": {"kind": "cloud", "region": "cn-hangzhou"}, "summary": {"update": 1},
                "warnings": [], "resources": [{"name": "alerts", "type": "ecsops:EventAlertRule", "id": "alerts",
                                               "action": "update", "reason": None, "preview": {}, "changes": [change]}]}
    assert details(plan_markdown(document)) == {
        "alerts": '```diff\n- targets.webhooks[chat].url: "https://a"\n+ targets.webhooks[chat].url: "https://b"\n```'}
