"""The views of a fleet report (cli/fleet_render.py, docs/drift.md): text for people, markdown for a comment within
GitHub's 65,536 characters, JUnit XML for CI test reports — drawn from the JSON document alone, values never cut."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ecsops.cli import render
from ecsops.cli.fleet_render import fleet_junit, fleet_markdown, fleet_text
from ecsops.cli.markdown import LIMIT
from ecsops.engine.diff import Effect
from ecsops.engine.drift import FieldDrift, ResourceDrift
from tests.support.fleet_reports import (change, diagnostic, fleet, plan_change, plan_resource, plan_stack, resource,
                                         stack, unmanaged)


def drifted_fleet() -> dict[str, Any]:
    """Four stacks, one of each kind: drifted both ways, drifted by status, failed, in sync; one unmanaged object."""
    return fleet([
        stack("stacks/web.yaml", resource("kept"),
              resource("edited", change("timeout", 60, 300), change("content", "df -h\necho one\n",
                                                                    "df -h\necho two\n", "unapplied"))),
        stack("stacks/db.yaml", resource("gone", action="missing", reason="c-gone no longer exists in the cloud"),
              resource("new", action="not-applied", id_=None, reason="never applied")),
        stack("stacks/api.yaml", errors=["cannot read the credentials of profile prod"]),
        stack("stacks/quiet.yaml", resource("calm")),
    ], unmanaged=[unmanaged("c-hz01", name="scratch-1")], ignored=1, shards=[{"index": 1, "count": 2}])


def planned_fleet() -> dict[str, Any]:
    return fleet([
        plan_stack("stacks/web.yaml", plan_resource("added", "create", plan_change("name", None, "added"),
                                                    plan_change("timeout", None, 60)),
                   plan_resource("kept", "update", plan_change("timeout", 60, 300)),
                   plan_resource("old", "delete"), plan_resource("same", "no-op")),
        plan_stack("stacks/quiet.yaml", plan_resource("calm", "no-op")),
    ], command="plan", detailed=True)


def text_of(report: dict[str, Any]) -> str:
    return fleet_text(report, io.StringIO())


# -- text -------------------------------------------------------------------------------------------------------


def test_the_text_tells_every_drifted_stack_in_full_then_errors_and_unmanaged_objects() -> None:
    text = text_of(drifted_fleet())
    lines = text.splitlines()
    assert lines[0] == "Fleet drift: 4 stacks, shard 1 of 2, 2026-11-30T07:00:00+00:00"
    assert re.search(r"^stacks/web\.yaml +web +default +drifted +outside, unapplied +1 of 2 resources differs$", text,
                     re.M)
    assert re.search(r"^stacks/api\.yaml +api +default +error +- +1 error$", text, re.M)
    assert re.search(r"^stacks/quiet\.yaml +quiet +default +in-sync +- +1 resource$", text, re.M)
    assert "Stack web (stacks/web.yaml, account default): drifted — outside ecsops, unapplied" in lines
    assert "! edited  ecsops:Command  c-edited  cn-hangzhou: drifted — outside ecsops, unapplied" in lines
    assert "      timeout: cloud 60, stack 300  (changed outside ecsops)" in lines
    assert "\n".join(["        cloud: |", "          df -h", "          echo one",
                      "        stack: |", "          df -h", "          echo two"]) in text
    assert "Stack db (stacks/db.yaml, account default): drifted — outside ecsops, unapplied" in lines
    assert ("! gone  ecsops:Command  c-gone  cn-hangzhou: missing (c-gone no longer exists in the cloud) — outside "
            "ecsops") in lines
    assert "! new  ecsops:Command  cn-hangzhou: not-applied (never applied) — unapplied" in lines
    assert "Stack quiet" not in text and "calm" not in text  # in sync: its row says all
    assert "error: stacks/api.yaml: cannot read the credentials of profile prod" in lines
    assert ("Unmanaged objects: 1 object in the cloud that no stack manages (1 more ignored by .ecsopsignore rules)"
            in lines)
    assert "! scratch-1 (ecsops:Command) c-hz01 in cn-hangzhou, account default" in lines
    assert "      adopt it: ecsops import STACK NAME c-hz01" in lines
    assert lines[-1] == ("Drift: 2 of 4 stacks drifted (2 outside ecsops, 2 unapplied), 1 failed; 1 unmanaged object "
                         "(1 ignored).")


@pytest.mark.parametrize(("report", "last"), [
    pytest.param(drifted_fleet(), "Drift: 2 of 4 stacks drifted (2 outside ecsops, 2 unapplied), 1 failed; 1 unmanaged "
                                  "object (1 ignored).", id="drift-failures-and-unmanaged"),
    pytest.param(fleet([stack("a.yaml", resource("x")), stack("b.yaml", resource("y"))]),
                 "No drift: 2 stacks in sync.", id="no-drift"),
    pytest.param(fleet([stack("a.yaml", resource("x")), stack("b.yaml", errors=["boom"])], unmanaged=[]),
                 "Failed: no drift in 1 stack checked; 1 failed; no unmanaged objects.", id="no-drift-one-failed"),
    pytest.param(fleet([stack("a.yaml", errors=["boom"]), stack("b.yaml", errors=["boom"])]),
                 "Failed: 2 of 2 stacks could not be checked.", id="every-stack-failed"),
    pytest.param(fleet([stack("a.yaml", errors=["boom"])], unmanaged=[unmanaged("c-1")]),
                 "Failed: 1 of 1 stack could not be checked; 1 unmanaged object.", id="every-stack-failed-unmanaged"),
    pytest.param(fleet([stack("a.yaml", errors=["boom"])], command="plan"),
                 "Failed: 1 of 1 stack could not be planned.", id="plan-every-stack-failed"),
    pytest.param(fleet([plan_stack("a.yaml", plan_resource("x", "no-op")), stack("b.yaml", errors=["boom"])],
                       command="plan"),
                 "Failed: no changes in 1 stack planned; 1 failed.", id="plan-no-changes-one-failed"),
    pytest.param(fleet([plan_stack("a.yaml", plan_resource("x", "create")), stack("b.yaml", errors=["boom"])],
                       command="plan"),
                 "Changes: 1 of 2 stacks changes (1 to create, 0 to update, 0 to replace, 0 to delete), 1 failed.",
                 id="plan-changes-one-failed"),
    pytest.param(fleet([stack("a.yaml", resource("x"))], unmanaged=[unmanaged("c-1"), unmanaged("c-2")]),
                 "Drift: 0 of 1 stack drifted (0 outside ecsops, 0 unapplied); 2 unmanaged objects.",
                 id="unmanaged-objects-only"),
    pytest.param(planned_fleet(), "Changes: 1 of 2 stacks changes (1 to create, 1 to update, 0 to replace, 1 to "
                                  "delete).", id="plan-with-changes"),
    pytest.param(fleet([plan_stack("a.yaml", plan_resource("x", "no-op"))], command="plan"),
                 "No changes: 1 of 1 stack matches the cloud.", id="plan-without-changes"),
])
def test_the_last_line_sums_the_run_up(report, last) -> None:
    assert text_of(report).splitlines()[-1] == last


def test_markdown_says_a_run_where_stacks_failed_failed() -> None:
    report = fleet([stack("a.yaml", errors=["boom"]), stack("b.yaml", errors=["boom"])])
    assert fleet_markdown(report).splitlines()[2] == "**Failed:** 2 of 2 stacks could not be checked."


def early_failure() -> dict[str, Any]:
    """A stack that failed before its name and account were known (its file did not load)."""
    return {**stack("stacks/broken.yaml", errors=["cannot parse the stack"]), "stack": None, "account": None}


def test_a_stack_failed_before_its_name_and_account_were_known_shows_dashes() -> None:
    report = fleet([early_failure(), stack("stacks/web.yaml", resource("x", change("timeout", 1, 2)))])
    text = text_of(report)
    assert re.search(r"^stacks/broken\.yaml +- +- +error +- +1 error$", text, re.M)
    assert "None" not in text
    markdown = fleet_markdown(report)
    assert "| <code>stacks/broken.yaml</code> | - | - | `!` error |" in markdown
    assert "<details><summary>- <code>stacks/broken.yaml</code>: error" in markdown
    assert "None" not in markdown
    suite = junit(report).find("testsuite[@name='stacks/broken.yaml']")
    assert suite is not None
    assert {item.get("name"): item.get("value") for item in suite.iter("property")} == {
        "stack": "-", "account": "-", "status": "error", "causes": ""}
    assert [case.get("name") for case in suite.findall("testcase")] == ["stack stacks/broken.yaml"]


def test_a_plan_shows_each_change_as_the_single_stack_plan_does() -> None:
    lines = text_of(planned_fleet()).splitlines()
    assert re.match(r"^path +stack +account +status +resources$", lines[2])  # no causes in a plan
    assert "+ added  ecsops:Command  cn-hangzhou" in lines
    assert ['      name: "added"', "      timeout: 60"] == lines[lines.index("+ added  ecsops:Command  cn-hangzhou")
                                                            + 1:][:2]
    assert "~ kept  ecsops:Command  c-kept  cn-hangzhou" in lines and "      timeout: 60 -> 300" in lines
    assert "- old  ecsops:Command  c-old  cn-hangzhou" in lines
    assert not any("same" in line for line in lines)


@pytest.mark.parametrize(("environment", "coloured"), [
    pytest.param({"FORCE_COLOR": "1"}, True, id="force-color"),
    pytest.param({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="no-color-wins"),
    pytest.param({}, False, id="not-a-terminal"),
])
def test_colour_follows_the_terminal_rules(monkeypatch, environment, coloured) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    text = text_of(drifted_fleet())
    assert ("\033[31m! edited" in text) is coloured
    assert ("\033[" in text) is coloured


# -- values are never cut, and always masked as the document has them ------------------------------------------


LONG = "x" * 9_000 + "-the-end"


@pytest.mark.parametrize("view", [
    pytest.param(lambda report: text_of(report), id="text"),
    pytest.param(lambda report: fleet_markdown(report), id="markdown"),
    pytest.param(lambda report: "".join(ET.fromstring(fleet_junit(report).encode()).itertext()), id="junit"),
])
def test_a_long_value_is_shown_whole_and_a_secret_stays_masked(view) -> None:
    report = fleet([stack("a.yaml", resource("x", change("content", "short", LONG),
                                             change("password", "(secret)", "(secret)")))])
    shown = view(report)
    assert LONG in shown
    assert "(secret)" in shown


# -- markdown -----------------------------------------------------------------------------------------------------


def rows_of(markdown: str, first: str) -> list[str]:
    """The rows of the table whose header starts with `| first |`."""
    lines = markdown.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"| {first} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("| "):
            break
        rows.append(line)
    return rows


def test_the_markdown_has_a_summary_a_table_a_block_per_stack_to_look_at_and_the_unmanaged_objects() -> None:
    markdown = fleet_markdown(drifted_fleet())
    assert markdown.startswith("### ecsops drift: 4 stacks, shard 1 of 2, 2026-11-30T07:00:00+00:00\n\n**Drift:** 2 of "
                               "4 stacks drifted (2 outside ecsops, 2 unapplied), 1 failed; 1 unmanaged object (1 "
                               "ignored).\n")
    assert [row.split(" | ")[3] for row in rows_of(markdown, "path")] == ["`!` drifted", "`!` drifted", "`!` error",
                                                                         "in-sync"]
    summaries = re.findall(r"^<details><summary><code>(\w+)</code> <code>[^<]+</code>: ([\w-]+)", markdown, re.M)
    assert summaries == [("web", "drifted"), ("db", "drifted"), ("api", "error")]
    assert "```diff\n# timeout: changed outside ecsops\n- timeout: 60\n+ timeout: 300\n" in markdown
    assert "> **error:** stacks/api.yaml: cannot read the credentials of profile prod" in markdown
    assert rows_of(markdown, "type") == [
        "| <code>ecsops:Command</code> | <code>scratch-1</code> | <code>c-hz01</code> | <code>cn-hangzhou</code> | "
        "default | <code>ecsops import STACK NAME c-hz01</code> |"]
    assert "left out" not in markdown and "not listed" not in markdown


def big_fleet(quiet: int, loud: int, objects: int, value_size: int) -> dict[str, Any]:
    """`quiet` stacks in sync and `loud` drifted ones (a value of `value_size` characters each), and `objects`
    unmanaged objects."""
    stacks = [stack(f"stacks/quiet-{n:04}.yaml", resource("calm"), resource("still")) for n in range(quiet)]
    stacks += [stack(f"stacks/loud-{n:04}.yaml", resource("edited", change("content", "a", "b" * value_size)))
               for n in range(loud)]
    return fleet(stacks, unmanaged=[unmanaged(f"c-{n:05}", name=f"stray-{n}") for n in range(objects)])


@pytest.mark.parametrize(("report", "left_out"), [
    pytest.param(big_fleet(10, 5, 3, 100), [], id="everything-fits"),
    pytest.param(big_fleet(10, 60, 3, 2_000), ["stacks' details left out"], id="details-left-out"),
    pytest.param(big_fleet(1_900, 100, 500, 1_000),
                 ["stacks' details left out", "more stacks not listed (", " in-sync)"],
                 id="2000-stacks-in-sync-rows-left-out"),
    pytest.param(big_fleet(0, 2_000, 2_000, 10),
                 ["stacks' details left out", "more unmanaged objects not listed", "more stacks not listed (",
                  " drifted)"], id="2000-drifted-stacks-their-rows-left-out"),
])
def test_the_markdown_fits_a_comment_and_says_what_it_left_out(report, left_out) -> None:
    markdown = fleet_markdown(report)
    assert len(markdown) + 1 <= LIMIT  # printed with its newline
    for words in left_out:
        assert words in markdown
    if not left_out:
        assert "left out" not in markdown and "not listed" not in markdown
    assert "**Drift:** " in markdown.splitlines()[2]
    shown = re.findall(r"^\| <code>(stacks/[\w-]+\.yaml)</code>", markdown, re.M)
    loud = [stack["path"] for stack in report["stacks"] if stack["status"] == "drifted"]
    if len(loud) <= 100:  # a drifted stack's row goes only when the stacks in sync are gone and it still does not fit
        assert set(loud) <= set(shown)
    for line in markdown.splitlines():
        if "more stacks not listed" in line:
            count = int(re.search(r"… ([\d,]+) more stacks", line).group(1).replace(",", ""))
            assert count == len(report["stacks"]) - len(shown)


# -- JUnit --------------------------------------------------------------------------------------------------------


def junit(report: dict[str, Any]) -> ET.Element:
    text = fleet_junit(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def counted(element: ET.Element) -> tuple[int, int, int]:
    return int(element.get("tests", -1)), int(element.get("failures", -1)), int(element.get("errors", -1))


def test_junit_has_a_suite_per_stack_and_one_for_unmanaged_objects_with_their_counts() -> None:
    root = junit(drifted_fleet())
    assert root.tag == "testsuites" and root.get("name") == "ecsops drift"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["stacks/web.yaml", "stacks/db.yaml", "stacks/api.yaml", "stacks/quiet.yaml",
                            "unmanaged objects"]
    assert {name: counted(suite) for name, suite in suites.items()} == {
        "stacks/web.yaml": (2, 1, 0), "stacks/db.yaml": (2, 2, 0), "stacks/api.yaml": (1, 0, 1),
        "stacks/quiet.yaml": (1, 0, 0), "unmanaged objects": (1, 1, 0)}
    assert counted(root) == (7, 4, 1)
    web = suites["stacks/web.yaml"].findall("testcase")
    assert [(case.get("classname"), case.get("name")) for case in web] == [
        ("stacks.web", "kept (ecsops:Command)"), ("stacks.web", "edited (ecsops:Command)")]
    assert list(web[0]) == []  # in sync: a passing test
    error = suites["stacks/api.yaml"].find("testcase/error")
    assert error is not None and error.get("message") == "cannot read the credentials of profile prod"
    assert error.text == "error: stacks/api.yaml: cannot read the credentials of profile prod"


@pytest.mark.parametrize(("suite", "case", "kind", "message", "text"), [
    pytest.param("stacks/web.yaml", "edited (ecsops:Command)", "outside,unapplied",
                 "drifted; differs: timeout, content; cause: outside, unapplied",
                 "timeout: cloud 60, stack 300  (changed outside ecsops)", id="drifted-both-ways"),
    pytest.param("stacks/db.yaml", "gone (ecsops:Command)", "outside",
                 "missing (c-gone no longer exists in the cloud); cause: outside", "c-gone", id="missing"),
    pytest.param("stacks/db.yaml", "new (ecsops:Command)", "unapplied", "not-applied (never applied); cause: unapplied",
                 "not-applied", id="not-applied"),
    pytest.param("unmanaged objects", "scratch-1 (ecsops:Command) c-hz01 in cn-hangzhou", "unmanaged",
                 "in the cloud, managed by no stack: adopt it with `ecsops import STACK NAME c-hz01` (or leave it out "
                 "with a .ecsopsignore rule)", "import: ecsops import STACK NAME c-hz01", id="unmanaged"),
])
def test_each_junit_failure_says_why(suite, case, kind, message, text) -> None:
    root = junit(drifted_fleet())
    found = root.find(f"testsuite[@name='{suite}']/testcase[@name='{case}']/failure")
    assert found is not None
    assert (found.get("type"), found.get("message")) == (kind, message)
    assert text in (found.text or "")


def counted_skipped(element: ET.Element) -> int:
    return int(element.get("skipped", -1))


def fail_on_fleet(fail_on: str) -> dict[str, Any]:
    return fleet([stack("stacks/web.yaml", resource("console", change("timeout", 1, 2, "outside")),
                        resource("merged", change("timeout", 1, 2, "unapplied")),
                        resource("both", change("timeout", 1, 2, "outside", "unapplied")),
                        resource("gone", action="missing"), resource("new", action="not-applied", id_=None))],
                 unmanaged=[unmanaged("c-hz01", name="scratch-1")], fail_on=fail_on)


@pytest.mark.parametrize(("fail_on", "failing", "skipped"), [
    pytest.param("any", {"console", "merged", "both", "gone", "new", "scratch-1"}, {}, id="any"),
    pytest.param("outside", {"console", "both", "gone", "scratch-1"},
                 {"merged": "unapplied: not failing (--fail-on outside)",
                  "new": "unapplied: not failing (--fail-on outside)"}, id="outside"),
    pytest.param("unapplied", {"merged", "both", "new"},
                 {"console": "outside: not failing (--fail-on unapplied)",
                  "gone": "outside: not failing (--fail-on unapplied)",
                  "scratch-1": "outside: not failing (--fail-on unapplied)"}, id="unapplied"),
])
def test_junit_fails_only_what_fails_the_run(fail_on, failing, skipped) -> None:
    """A drifted resource whose causes --fail-on does not name is a skipped test saying why (unmanaged objects
    count as outside); a field changed both ways fails either rule."""
    root = junit(fail_on_fleet(fail_on))
    cases = {case.get("name").split(" ")[0]: case for case in root.iter("testcase")}
    assert {name for name, case in cases.items() if case.find("failure") is not None} == failing
    assert {name: case.find("skipped").get("message") for name, case in cases.items()
            if case.find("skipped") is not None} == skipped
    assert (counted(root), counted_skipped(root)) == ((6, len(failing), 0), len(skipped))
    if "merged" in skipped:
        assert "timeout: cloud 1, stack 2" in (cases["merged"].find("skipped").text or "")  # what differs, still told


def test_a_plan_without_detailed_exitcode_skips_its_changes_in_junit() -> None:
    """Changes fail a plan only with --detailed-exitcode: without it, they are skipped tests saying so."""
    report = {**planned_fleet(), "detailed": False}
    root = junit(fleet(report["stacks"], command="plan", detailed=False))
    suite = root.find("testsuite[@name='stacks/web.yaml']")
    assert suite is not None and (counted(suite), counted_skipped(suite)) == ((4, 0, 0), 3)
    skipped = {case.get("name"): case.find("skipped").get("message") for case in suite.findall("testcase")
               if case.find("skipped") is not None}
    assert skipped == {"added (ecsops:Command)": "create: changes fail only with --detailed-exitcode",
                       "kept (ecsops:Command)": "update: changes fail only with --detailed-exitcode",
                       "old (ecsops:Command)": "delete: changes fail only with --detailed-exitcode"}


def test_a_plan_in_junit_fails_each_resource_that_changes() -> None:
    root = junit(planned_fleet())
    suite = root.find("testsuite[@name='stacks/web.yaml']")
    assert suite is not None and counted(suite) == (4, 3, 0)
    failures = {case.get("name"): (case.find("failure").get("type"), case.find("failure").get("message"))
                for case in suite.findall("testcase") if case.find("failure") is not None}
    assert failures == {"added (ecsops:Command)": ("create", "create; changes: name, timeout"),
                        "kept (ecsops:Command)": ("update", "update; changes: timeout"),
                        "old (ecsops:Command)": ("delete", "delete")}
    assert counted(root) == (5, 3, 0)
    assert root.find("testsuite[@name='unmanaged objects']") is None


NASTY = 'a<&"]]>\x00\x07\x1b\ud800\ufffe\'z'
ESCAPED = 'a<&"]]>\\u0000\\u0007\\u001b\\ud800\\ufffe\'z'  # what XML cannot hold, written out


@pytest.mark.parametrize("where", [
    pytest.param(lambda: fleet([stack("a.yaml", resource("x", change("content", f"{NASTY}\n2", "b")))]),
                 id="a-value"),
    pytest.param(lambda: fleet([stack("a.yaml", resource(NASTY, change("timeout", 1, 2)))]), id="a-resource-name"),
    pytest.param(lambda: fleet([stack(f"stacks/{NASTY}.yaml", resource("x", change("timeout", 1, 2)), name="s")]),
                 id="a-stack-path"),
    pytest.param(lambda: fleet([stack("a.yaml", errors=[NASTY])]), id="an-error-message"),
    pytest.param(lambda: fleet([stack("a.yaml", resource("x"))], unmanaged=[unmanaged(NASTY, name=NASTY)]),
                 id="an-unmanaged-object"),
])
def test_junit_stays_well_formed_whatever_the_values_hold(where) -> None:
    root = junit(where())  # parses: well-formed
    shown = "\n".join([*root.itertext(), *(value for element in root.iter() for value in element.attrib.values())])
    assert ESCAPED in shown


def test_the_views_read_what_render_drift_document_writes() -> None:
    """The shape the single-stack drift writes (render.drift_document) is the shape the views read: a field
    changed in the console (applied 60, cloud 90) and in the stack (300) has both causes."""
    report = (ResourceDrift("edited", "ecsops:Command", "c-1", "drifted",
                            (FieldDrift("timeout", 300, 60, 90, Effect.UPDATE),), region="cn-shanghai"),
              ResourceDrift("console", "ecsops:Command", "c-3", "drifted",
                            (FieldDrift("timeout", 60, 60, 90, Effect.UPDATE),), region="cn-shanghai"),
              ResourceDrift("calm", "ecsops:Command", "c-2", "in-sync", region="cn-shanghai"))
    document = render.drift_document(report, "web", {"kind": "endpoint", "endpoint": "http://x", "region": "r"})
    entry = {"path": "web.yaml", "source": "web.yaml", "stack": "web", "account": "default", "status": "drifted",
             "outside": document["outside"], "unapplied": document["unapplied"], "report": document, "errors": []}
    whole = fleet([entry], fail_on="outside")
    assert (whole["summary"]["outside"], whole["summary"]["unapplied"]) == (1, 1)
    lines = text_of(whole).splitlines()
    assert ("      timeout: cloud 90, stack 300  (changed outside ecsops and stack changed since the last apply)"
            in lines)
    assert "      timeout: cloud 90, stack 60  (changed outside ecsops)" in lines
    for name, causes in (("edited", "outside,unapplied"), ("console", "outside")):
        failure = junit(whole).find(f"testsuite/testcase[@name='{name} (ecsops:Command)']/failure")
        assert failure is not None and failure.get("type") == causes  # outside among them: fails --fail-on outside
    assert "- timeout: 90\n+ timeout: 300" in fleet_markdown(whole)


def test_a_change_of_a_report_written_before_changes_had_causes_shows_its_one_cause() -> None:
    old = {**change("timeout", 1, 2, "unapplied", one_cause=True), "reason": None}
    report = fleet([stack("a.yaml", resource("x", old))], fail_on="outside")
    assert "      timeout: cloud 1, stack 2  (unapplied)" in text_of(report).splitlines()
    unlisted = stack("a.yaml", resource("x", old))
    del unlisted["report"]["resources"][0]["causes"]  # nor a resource its causes: taken from its changes
    skipped = junit(fleet([unlisted], fail_on="outside")).find("testsuite/testcase/skipped")
    assert skipped is not None and skipped.get("message") == "unapplied: not failing (--fail-on outside)"


def test_the_text_and_the_markdown_show_the_warnings() -> None:
    report = fleet([stack("a.yaml", resource("x"))], warnings=[diagnostic("an old key", "a.yaml", "warning")])
    assert "warning: a.yaml: an old key" in text_of(report).splitlines()
    assert "> **warning:** a.yaml: an old key" in fleet_markdown(report)


def test_a_failure_of_the_run_itself_is_in_every_view() -> None:
    report = fleet([stack("a.yaml", resource("x"))], unmanaged=[],
                   errors=[diagnostic("cannot list ecsops:Command in cn-hangzhou: throttled")])
    assert report["exit_code"] == 1
    lines = text_of(report).splitlines()
    assert "error: cannot list ecsops:Command in cn-hangzhou: throttled" in lines
    assert lines[-1] == "No drift: 1 stack in sync; the run itself failed (1 error); no unmanaged objects."
    assert "\n\n> **error:** cannot list ecsops:Command in cn-hangzhou: throttled\n" in fleet_markdown(report)
    suite = junit(report).find("testsuite[@name='the run']")
    assert suite is not None and counted(suite) == (1, 0, 1)
    assert suite.find("testcase/error").get("message") == "cannot list ecsops:Command in cn-hangzhou: throttled"
