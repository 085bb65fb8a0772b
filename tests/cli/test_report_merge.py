"""`ecsops report merge` (cli/report.py): the reports of a run's shards become the report one run over the whole
fleet would have written — its stacks, summary and exit code, and its unmanaged objects less those another shard's
stacks manage; overlapping, missing or mixed shards and reports of different commands are refused, naming the
files; a damaged report is one error line, never an internal error, whatever the format."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Sequence

import pytest

from ecsops.cli import report as report_command
from ecsops.cli.completion import commands
from ecsops.cli.report import ReportError, merge
from tests.support.cli import ecsops
from tests.support.fleet_reports import (REGION, change, fleet, plan_resource, plan_stack, recorded, resource, stack,
                                         unmanaged)

SHANGHAI = "cn-shanghai"


def whole_fleet() -> list[dict[str, Any]]:
    """Five stacks (by source), in two accounts: in sync, drifted outside, unapplied, failed, in sync."""
    return [
        stack("stacks/a.yaml", resource("a1")),
        stack("stacks/b.yaml", resource("b1", change("timeout", 60, 300))),
        stack("stacks/c.yaml", resource("c1", action="not-applied", id_=None, reason="never applied")),
        stack("stacks/d.yaml", errors=["cannot read the credentials"]),
        stack("stacks/e.yaml", resource("e1"), account="profile prod"),
    ]


def cloud_objects() -> list[dict[str, Any]]:
    """What each credential set lists of the managed kinds: the stacks' objects and some no stack manages. Two
    credential sets may reach one account: an object either lists is the same object (cloud ids are unique)."""
    return [
        unmanaged("c-a1"), unmanaged("c-b1"), unmanaged("c-e1", account="profile prod"),
        unmanaged("c-b1", region=SHANGHAI),   # another object with b1's id, in another region: not b1
        unmanaged("c-e1"),                    # e1 reached through the default credentials too: still e1
        unmanaged("c-stray", name="scratch-1"), unmanaged("c-stray2", account="profile prod"),
        unmanaged("c-shared"), unmanaged("c-shared", account="profile prod"),  # listed by both: one object
    ]


def key(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(item[name]) for name in ("type", "region", "id"))


def unmanaged_by(stacks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a run over `stacks` reports as unmanaged: every object the credential sets of its stacks list that
    none of them manages, whatever credential set manages it (cli/fleet.py), each once."""
    accounts = {entry["account"] for entry in stacks}
    managed = {(item["type"], item["region"], item["id"]) for entry in stacks
               for item in (entry["report"] or {}).get("resources", []) if item["id"]}
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for item in cloud_objects():
        if item["account"] in accounts and key(item) not in managed:
            found.setdefault(key(item), item)
    return sorted(found.values(), key=key)


def shard(index: int, stacks: Sequence[dict[str, Any]], count: int = 2, **options: Any) -> dict[str, Any]:
    return fleet(stacks, shards=[{"index": index, "count": count}], unmanaged=unmanaged_by(stacks), ignored=1,
                 **options)


def write(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


# -- merge ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [pytest.param((0, 1), id="shards-in-order"),
                                   pytest.param((1, 0), id="shards-reversed")])
def test_two_shards_merge_into_the_report_of_one_whole_run(order) -> None:
    stacks = whole_fleet()
    shards = [shard(1, [stacks[0], stacks[2], stacks[4]]), shard(2, [stacks[1], stacks[3]])]
    merged = merge([shards[index] for index in order])
    whole = fleet(stacks, shards=[{"index": 1, "count": 2}, {"index": 2, "count": 2}], unmanaged=unmanaged_by(stacks),
                  ignored=1)
    assert [entry["source"] for entry in merged["stacks"]] == [entry["source"] for entry in stacks]
    assert merged == whole
    assert merged["summary"] == {"stacks": 5, "in_sync": 2, "drifted": 2, "changes": 0, "no_changes": 0, "errors": 1,
                                 "outside": 1, "unapplied": 1, "unmanaged": 4, "ignored": 1}
    assert merged["exit_code"] == 1
    # each shard listed the other's objects as unmanaged: gone once the shards are one — e1 too, which the
    # second shard listed through the default credentials and stack e manages through profile prod
    assert {item["id"] for item in shards[0]["unmanaged"]} >= {"c-b1"}
    assert {(item["account"], item["id"]) for item in shards[1]["unmanaged"]} >= {("default", "c-e1")}
    assert sorted((item["account"], item["region"], item["id"]) for item in merged["unmanaged"]) == [
        ("default", "cn-hangzhou", "c-shared"), ("default", "cn-hangzhou", "c-stray"), ("default", SHANGHAI, "c-b1"),
        ("profile prod", "cn-hangzhou", "c-stray2")]  # c-shared: listed by both credential sets and both shards, once


def test_an_object_two_credential_sets_list_is_one_object_and_managed_under_either() -> None:
    """Two credential sets may reach one account: shards that list an object under different credentials list one
    object (cloud ids are unique), and what a stack records through one set is not unmanaged under the other."""
    prod = stack("stacks/p.yaml", resource("p1"), account="profile prod")
    first = fleet([prod], shards=[{"index": 1, "count": 2}],
                  unmanaged=[unmanaged("c-both", account="profile prod"), unmanaged("c-x", account="profile prod")])
    second = fleet([stack("stacks/q.yaml", resource("q1"))], shards=[{"index": 2, "count": 2}],
                   unmanaged=[unmanaged("c-both"), unmanaged("c-p1")])
    merged = merge([first, second])
    assert [item["id"] for item in merged["unmanaged"]] == ["c-both", "c-x"]
    assert merged["summary"]["unmanaged"] == 2


def test_unmanaged_objects_stay_null_when_no_shard_looked_for_them() -> None:
    stacks = whole_fleet()
    assert merge([fleet(stacks[:2]), fleet(stacks[2:])])["unmanaged"] is None
    looked = merge([fleet(stacks[:2], unmanaged=[]),
                    fleet(stacks[2:], unmanaged=[unmanaged("c-a1"), unmanaged("c-x")])])
    assert [item["id"] for item in looked["unmanaged"]] == ["c-x"]  # c-a1: the other report's stack a manages it


def test_what_a_state_records_is_managed_deposed_objects_and_account_wide_kinds_included() -> None:
    """`managed` lists every object a stack's state records, raw: a deposed object (no resource of the report
    shows it), an event rule in the stack's region (listed unmanaged in `global`), a maintenance set (listed per
    instance)."""
    web = stack("stacks/web.yaml", resource("web"), managed=[
        recorded("c-web"), recorded("c-web-deposed"), recorded("rule-1", "ecsops:EventAlertRule"),
        recorded(f"{REGION}:i-1,i-2", "ecsops:MaintenanceAttributes")])
    other = stack("stacks/other.yaml", resource("other"))
    objects = [unmanaged("c-web-deposed"), unmanaged("c-web-deposed", region=SHANGHAI),
               unmanaged("rule-1", type_="ecsops:EventAlertRule", region="global"),
               unmanaged(f"{REGION}:i-2", type_="ecsops:MaintenanceAttributes"),
               unmanaged(f"{REGION}:i-3", type_="ecsops:MaintenanceAttributes"), unmanaged("c-stray")]
    first = fleet([web], shards=[{"index": 1, "count": 2}], unmanaged=[])
    second = fleet([other], shards=[{"index": 2, "count": 2}], unmanaged=objects)
    merged = merge([first, second])
    assert [(item["type"], item["region"], item["id"]) for item in merged["unmanaged"]] == [
        ("ecsops:Command", REGION, "c-stray"), ("ecsops:Command", SHANGHAI, "c-web-deposed"),
        ("ecsops:MaintenanceAttributes", REGION, f"{REGION}:i-3")]
    assert merged["exit_code"] == 2  # what is left is still unmanaged: outside drift


def test_an_interrupted_create_is_matched_by_name_where_it_would_be() -> None:
    """A create interrupted before its id was recorded may have made its object: an unmanaged object of its
    name, type and region (any region when the state tells none) is that one, whatever credential set listed it."""
    half = stack("stacks/half.yaml", resource("half"), pending=[
        {"type": "ecsops:Command", "region": REGION, "name": "half-made"},
        {"type": "ecsops:Command", "region": None, "name": "somewhere"},
        {"type": "ecsops:EventAlertRule", "region": REGION, "name": "rule-made"}])
    objects = [unmanaged("c-1", name="half-made"), unmanaged("c-2", name="half-made", region=SHANGHAI),
               unmanaged("c-3", name="half-made", account="profile prod"), unmanaged("c-4", name="somewhere",
                                                                                    region=SHANGHAI),
               unmanaged("r-1", name="rule-made", type_="ecsops:EventAlertRule", region="global"),
               unmanaged("c-5", name="half-made", type_="ecsops:LicenseTask")]
    merged = merge([fleet([half], unmanaged=[]), fleet([stack("stacks/z.yaml", resource("z"))], unmanaged=objects)])
    assert sorted(item["id"] for item in merged["unmanaged"]) == ["c-2", "c-5"]  # c-3: half-made, other credentials


def test_a_stack_that_failed_before_its_name_and_account_were_known_merges() -> None:
    early = {**stack("stacks/early.yaml", errors=["cannot parse the stack"]), "stack": None, "account": None}
    merged = merge([fleet([early], unmanaged=[unmanaged("c-x")]), fleet(whole_fleet()[:1], unmanaged=[])])
    assert [entry["stack"] for entry in merged["stacks"]] == ["a", None]
    assert [item["id"] for item in merged["unmanaged"]] == ["c-x"]
    with pytest.raises(ReportError, match=r"^the stack \(stacks/early\.yaml\) is in both one\.json and two\.json"):
        merge([fleet([early]), fleet([early])], names=["one.json", "two.json"])
    named = stack("stacks/early.yaml", resource("e"))  # the same file, run again: its name now known
    with pytest.raises(ReportError, match=r"^stack early \(stacks/early\.yaml\) is in both"):
        merge([fleet([early]), fleet([named])], names=["one.json", "two.json"])


@pytest.mark.parametrize(("documents", "message"), [
    pytest.param(lambda: [shard(1, whole_fleet()[:2]), shard(2, whole_fleet()[1:])],
                 "stack b (stacks/b.yaml) is in both one.json and two.json: the shards overlap", id="a-stack-twice"),
    pytest.param(lambda: [shard(1, whole_fleet()[:2]), shard(1, whole_fleet()[2:])],
                 "shard 1 of 2 is in both one.json and two.json: the shards overlap", id="a-shard-twice"),
    pytest.param(lambda: [fleet(whole_fleet()[:2]), fleet([plan_stack("stacks/p.yaml")], command="plan")],
                 "cannot merge reports made with different command (one.json: drift; two.json: plan)",
                 id="drift-and-plan"),
    pytest.param(lambda: [fleet(whole_fleet()[:2], fail_on="outside"), fleet(whole_fleet()[2:], fail_on="any")],
                 "cannot merge reports made with different --fail-on (one.json: outside; two.json: any)",
                 id="different-fail-on"),
    pytest.param(lambda: [fleet([plan_stack("a.yaml")], command="plan", detailed=True),
                          fleet([plan_stack("b.yaml")], command="plan")],
                 "cannot merge reports made with different --detailed-exitcode (one.json: True; two.json: False)",
                 id="different-detailed-exitcode"),
    pytest.param(lambda: [shard(1, whole_fleet()[:1], count=3), shard(3, whole_fleet()[1:2], count=3)],
                 "shard 2/3 missing: give every shard's report (or --partial to merge an incomplete set)",
                 id="a-shard-missing"),
    pytest.param(lambda: [shard(2, whole_fleet()[:1], count=4), shard(4, whole_fleet()[1:2], count=4)],
                 "shards 1/4, 3/4 missing", id="shards-missing"),
    pytest.param(lambda: [shard(1, whole_fleet()[:1], count=2), shard(2, whole_fleet()[1:2], count=4)],
                 "shards of 2 and of 4 mixed (one.json: 1/2; two.json: 2/4)", id="shards-of-two-runs"),
    pytest.param(lambda: [fleet(whole_fleet()[:1]), fleet(whole_fleet()[1:2], unmanaged=[])],
                 "cannot merge reports that listed unmanaged objects (two.json) with reports that did not (one.json)",
                 id="unmanaged-listed-by-some"),
])
def test_reports_that_do_not_make_one_run_are_refused_naming_the_files(documents, message) -> None:
    with pytest.raises(ReportError) as refused:
        merge(documents(), names=["one.json", "two.json"])
    assert str(refused.value).startswith(message)


def test_the_failures_of_each_run_itself_are_kept() -> None:
    failure = {"severity": "error", "resource": None, "type": None, "field": None, "file": None, "line": None,
               "column": None, "message": "cannot list ecsops:Command in cn-hangzhou"}
    merged = merge([fleet(whole_fleet()[:1], errors=[failure], unmanaged=[]),
                    fleet(whole_fleet()[1:2], unmanaged=[])])
    assert (merged["errors"], merged["exit_code"]) == ([failure], 1)


def test_a_fail_on_given_settles_reports_that_differ() -> None:
    merged = merge([fleet(whole_fleet()[:2], fail_on="outside"), fleet(whole_fleet()[2:3], fail_on="any")],
                   "unapplied")
    assert (merged["fail_on"], merged["exit_code"]) == ("unapplied", 2)


def test_partial_merges_the_shards_given_and_says_which() -> None:
    stacks = whole_fleet()
    merged = merge([shard(3, stacks[:1], count=3), shard(1, stacks[1:2], count=3)], partial=True)
    assert merged["shards"] == [{"index": 1, "count": 3}, {"index": 3, "count": 3}]
    assert [entry["source"] for entry in merged["stacks"]] == ["stacks/a.yaml", "stacks/b.yaml"]
    with pytest.raises(ReportError, match="shards of 2 and of 3 mixed"):  # --partial takes one run's shards only
        merge([shard(1, stacks[:1], count=2), shard(3, stacks[1:2], count=3)], partial=True)


def test_a_merged_report_merges_again_with_the_rest_of_its_shards() -> None:
    stacks = whole_fleet()
    first = merge([shard(1, stacks[:1], count=3), shard(2, stacks[1:2], count=3)], partial=True)
    merged = merge([first, shard(3, stacks[2:3], count=3)])
    assert [entry["source"] for entry in merged["stacks"]] == ["stacks/a.yaml", "stacks/b.yaml", "stacks/c.yaml"]
    assert len(merged["shards"]) == 3


def test_a_plan_merges_its_changes_and_detailed_exit_code() -> None:
    changing = plan_stack("b.yaml", plan_resource("x", "create"))
    merged = merge([fleet([changing], command="plan", detailed=True),
                    fleet([plan_stack("a.yaml", plan_resource("y", "no-op"))], command="plan", detailed=True)])
    assert [entry["source"] for entry in merged["stacks"]] == ["a.yaml", "b.yaml"]
    assert (merged["summary"]["changes"], merged["summary"]["no_changes"], merged["exit_code"]) == (1, 1, 2)


# -- the command ---------------------------------------------------------------------------------------------------

OUTSIDE = stack("stacks/out.yaml", resource("o", change("timeout", 1, 2, "outside")))
UNAPPLIED = stack("stacks/un.yaml", resource("u", change("timeout", 1, 2, "unapplied")))
CALM = stack("stacks/calm.yaml", resource("c"))
FAILED = stack("stacks/failed.yaml", errors=["boom"])


@pytest.mark.parametrize(("first", "second", "fail_on", "code"), [
    pytest.param([OUTSIDE], [CALM], "outside", 2, id="outside-drift-fails-on-outside"),
    pytest.param([OUTSIDE], [CALM], "unapplied", 0, id="outside-drift-passes-on-unapplied"),
    pytest.param([OUTSIDE], [CALM], "any", 2, id="outside-drift-fails-on-any"),
    pytest.param([UNAPPLIED], [CALM], "outside", 0, id="unapplied-drift-passes-on-outside"),
    pytest.param([UNAPPLIED], [CALM], "unapplied", 2, id="unapplied-drift-fails-on-unapplied"),
    pytest.param([UNAPPLIED], [CALM], "any", 2, id="unapplied-drift-fails-on-any"),
    pytest.param([CALM], [unmanaged("c-stray")], "outside", 2, id="an-unmanaged-object-fails-on-outside"),
    pytest.param([CALM], [unmanaged("c-stray")], "unapplied", 0, id="an-unmanaged-object-passes-on-unapplied"),
    pytest.param([CALM], [], "any", 0, id="in-sync"),
    pytest.param([OUTSIDE, UNAPPLIED], [FAILED], "any", 1, id="an-error-over-drift"),
    pytest.param([OUTSIDE], [CALM], None, 2, id="the-reports-own-any"),
])
def test_the_exit_code_is_the_merged_reports(tmp_path, first, second, fail_on, code) -> None:
    stacks = [entry for entry in second if "status" in entry]
    objects = [entry for entry in second if "status" not in entry]
    one = write(tmp_path, "one.json", fleet(first, shards=[{"index": 1, "count": 2}], unmanaged=[]))
    two = write(tmp_path, "two.json", fleet(stacks or [CALM | {"source": "z.yaml", "path": "z.yaml"}],
                                            shards=[{"index": 2, "count": 2}], unmanaged=objects))
    done = ecsops("report", "merge", one, two, "--json", *(["--fail-on", fail_on] if fail_on else []))
    assert done.code == code, done.err
    report = done.json()
    assert (report["exit_code"], report["fail_on"]) == (code, fail_on or "any")
    assert done.err == ""


@pytest.mark.parametrize(("format_", "read"), [
    pytest.param("text", lambda out: out.splitlines()[-1], id="text"),
    pytest.param("json", lambda out: json.loads(out)["summary"]["stacks"], id="json"),
    pytest.param("markdown", lambda out: out.splitlines()[2], id="markdown"),
    pytest.param("junit", lambda out: ET.fromstring(out.encode()).get("tests"), id="junit"),
])
def test_each_format_shows_the_merged_report(tmp_path, format_, read) -> None:
    stacks = whole_fleet()
    one = write(tmp_path, "one.json", shard(1, stacks[:3]))
    two = write(tmp_path, "two.json", shard(2, stacks[3:]))
    done = ecsops("report", "merge", one, two, "--format", format_)
    assert done.code == 1 and done.err == ""
    assert read(done.out) == {
        "text": "Drift: 2 of 5 stacks drifted (1 outside ecsops, 1 unapplied), 1 failed; 4 unmanaged objects "
                "(1 ignored).",
        "json": 5,
        "markdown": "**Drift:** 2 of 5 stacks drifted (1 outside ecsops, 1 unapplied), 1 failed; 4 unmanaged objects "
                    "(1 ignored).",
        "junit": "9",  # a resource in each of four stacks, the stack that failed, four unmanaged objects
    }[format_]


@pytest.mark.parametrize("format_", ["text", "json", "markdown", "junit"])
def test_partial_on_the_command_line(tmp_path, format_) -> None:
    one = write(tmp_path, "one.json", shard(1, whole_fleet()[:2], count=3))
    three = write(tmp_path, "three.json", shard(3, whole_fleet()[2:3], count=3))
    refused = ecsops("report", "merge", one, three, "--format", format_)
    assert (refused.code, refused.err) == (1, "error: shard 2/3 missing: give every shard's report (or --partial to "
                                              "merge an incomplete set)\n")
    done = ecsops("report", "merge", one, three, "--format", format_, "--partial")
    assert (done.code, done.err) == (2, "")  # b drifted outside ecsops, c unapplied: the merged report's code


def test_out_writes_the_report_to_a_file_and_nothing_to_stdout(tmp_path) -> None:
    stacks = whole_fleet()
    one = write(tmp_path, "one.json", shard(1, stacks[:3]))
    two = write(tmp_path, "two.json", shard(2, stacks[3:]))
    done = ecsops("report", "merge", one, two, "--format", "junit", "--out", tmp_path / "junit.xml")
    assert (done.code, done.out, done.err) == (1, "", "")
    assert ET.parse(tmp_path / "junit.xml").getroot().get("errors") == "1"


BAD_FILES = [
    pytest.param(None, "cannot read it: No such file or directory", id="missing"),
    pytest.param("{not json", "not a fleet report: invalid JSON (Expecting property name enclosed in double quotes "
                              "at line 1, column 2)", id="invalid-json"),
    pytest.param(b"\xff\xfe{}", "not a fleet report: not UTF-8 text", id="not-utf-8"),
    pytest.param([], "not a fleet report (no \"report\": \"ecsops-fleet\")", id="a-list"),
    pytest.param({"stack": "web", "resources": []}, "not a fleet report (no \"report\": \"ecsops-fleet\")",
                 id="a-single-stack-report"),
    pytest.param({**fleet([CALM]), "version": 2}, "a fleet report of version 2; this ecsops reads version 1",
                 id="another-version"),
    pytest.param({**fleet([CALM]), "stacks": [{"path": "x"}]}, "a damaged fleet report: \"stacks\"", id="damaged"),
    pytest.param({**fleet([CALM]), "unmanaged": "all"}, "a damaged fleet report: \"unmanaged\"",
                 id="damaged-unmanaged"),
    pytest.param({**fleet([CALM]), "shards": [{"index": "1", "count": 2}]},
                 "a damaged fleet report: shards[0].index must be an integer", id="a-shard-index-as-text"),
    pytest.param({**fleet([CALM]), "shards": [{"index": 3, "count": 2}]},
                 "a damaged fleet report: shards[0] is shard 3 of 2", id="a-shard-past-its-count"),
    pytest.param({**fleet([CALM]), "shards": [{"index": True, "count": 1}]},
                 "a damaged fleet report: shards[0].index must be an integer", id="a-shard-index-true"),
    pytest.param({**fleet([CALM]), "errors": ["boom"]}, "a damaged fleet report: errors[0] must be an object",
                 id="errors-not-diagnostics"),
    pytest.param({**fleet([CALM]), "warnings": [3]}, "a damaged fleet report: warnings[0] must be an object",
                 id="warnings-not-diagnostics"),
    pytest.param({**fleet([CALM]), "ignored": "many"}, "a damaged fleet report: \"ignored\" must be an integer",
                 id="ignored-as-text"),
    pytest.param({**fleet([CALM]), "fail_on": "sometimes"},
                 "a damaged fleet report: \"fail_on\" must be outside, unapplied or any", id="an-unknown-fail-on"),
    pytest.param(fleet([{**CALM, "account": 7}]), "a damaged fleet report: stacks[0].account must be a string or null",
                 id="an-account-as-number"),
    pytest.param(fleet([{**CALM, "errors": "boom"}]), "a damaged fleet report: stacks[0].errors must be a list",
                 id="stack-errors-not-a-list"),
    pytest.param(fleet([{**CALM, "managed": [{"type": "ecsops:Command", "region": "r"}]}]),
                 "a damaged fleet report: stacks[0].managed[0].id must be a string", id="a-managed-object-no-id"),
    pytest.param(fleet([{**CALM, "pending": [{"type": "ecsops:Command", "region": "r", "name": 3}]}]),
                 "a damaged fleet report: stacks[0].pending[0].name must be a string", id="a-pending-name-number"),
    pytest.param(fleet([{**CALM, "report": {**CALM["report"], "resources": {"a": 1}}}]),
                 "a damaged fleet report: stacks[0].report.resources must be a list", id="resources-not-a-list"),
    pytest.param(fleet([stack("x.yaml", {**resource("x", change("timeout", 1, 2)), "causes": "outside"})]),
                 "a damaged fleet report: stacks[0].report.resources[0].causes must be a list of strings",
                 id="causes-as-text"),
    pytest.param(fleet([stack("x.yaml", resource("x", {k: v for k, v in change("timeout", 1, 2).items()
                                                       if k != "field"}))]),
                 "a damaged fleet report: stacks[0].report.resources[0].changes[0].field must be a string",
                 id="a-change-without-field"),
    pytest.param(fleet([stack("x.yaml", resource("x", change("timeout", 1, 2, paths=[{"path": "t", "change": "x"}])))]),
                 "a damaged fleet report: stacks[0].report.resources[0].changes[0].paths[0].change must be update, "
                 "add or remove", id="a-path-change-unknown"),
    pytest.param(fleet([{**(planned := plan_stack("p.yaml", plan_resource("x", "create"))),
                         "report": {**planned["report"], "summary": {"create": "one"}}}], command="plan"),
                 "a damaged fleet report: stacks[0].report.summary.create must be an integer", id="plan-summary-text"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
@pytest.mark.parametrize("as_json", [pytest.param(False, id="text"), pytest.param(True, id="json")])
def test_a_bad_file_is_one_error_line_and_exit_1(tmp_path, content, message, as_json) -> None:
    good = write(tmp_path, "good.json", fleet([CALM]))
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        write(tmp_path, "bad.json", content)
    done = ecsops("report", "merge", good, bad, *(["--json"] if as_json else []))
    assert done.code == 1
    assert done.err.splitlines() == [done.err.strip()], done.err  # one line
    assert done.err.startswith(f"error: {bad}: {message}"), done.err
    assert "Traceback" not in done.err and "internal error" not in done.err
    if as_json:
        assert [error["message"] for error in done.json()["errors"]] == [done.err.strip().removeprefix("error: ")]
    else:
        assert done.out == ""


@pytest.mark.parametrize("format_", ["text", "json", "markdown", "junit"])
def test_what_the_checks_miss_is_still_one_error_line_and_exit_1_whatever_the_format(tmp_path, monkeypatch,
                                                                                     format_) -> None:
    """A report a view trips on fails the merge in every format (each view is drawn before any is written)."""
    def tripping(report: Any) -> str:
        raise KeyError("field")

    monkeypatch.setattr(report_command, "fleet_junit", tripping)
    one = write(tmp_path, "one.json", shard(1, whole_fleet()[:3]))
    two = write(tmp_path, "two.json", shard(2, whole_fleet()[3:]))
    done = ecsops("report", "merge", one, two, "--format", format_)
    assert done.code == 1
    assert done.err == f"error: {one}, {two}: a damaged fleet report (KeyError: 'field')\n"
    if format_ == "json":
        assert [error["message"] for error in done.json()["errors"]] == [done.err.strip().removeprefix("error: ")]
    else:
        assert done.out == ""


def test_overlapping_shards_on_the_command_line_name_both_files(tmp_path) -> None:
    one = write(tmp_path, "one.json", shard(1, whole_fleet()[:2]))
    two = write(tmp_path, "two.json", shard(2, whole_fleet()[1:]))
    done = ecsops("report", "merge", one, two)
    assert (done.code, done.out) == (1, "")
    assert done.err == f"error: stack b (stacks/b.yaml) is in both {one} and {two}: the shards overlap (merge the " \
                       "reports of one run, each shard once)\n"


def test_the_reports_real_plan_runs_write_merge(cli, tmp_path) -> None:
    """What `ecsops plan PATH... --shard I/N --report FILE` writes passes every check of the merge."""
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("alpha", "beta", "gamma"):
        (stacks / f"{name}.yaml").write_text(
            f"name: {name}\nregion: cn-hangzhou\nresources:\n  {name}: {{type: ecsops:Command, properties: "
            f"{{name: {name}, type: RunShellScript, content: uptime}}}}\n")
    assert cli("apply", "--yes", stacks / "alpha.yaml").code == 0
    reports = [tmp_path / f"plan-{index}.json" for index in (1, 2)]
    for index, report in enumerate(reports, 1):
        assert cli("plan", stacks, "--shard", f"{index}/2", "--report", report, "--detailed-exitcode").code in (0, 2)
    for format_ in ("text", "json", "markdown", "junit"):
        done = ecsops("report", "merge", *reports, "--format", format_)
        assert (done.code, done.err) == (2, ""), done.err  # beta and gamma: never applied


def test_the_installed_command_merges(tmp_path) -> None:
    stacks = whole_fleet()
    one = write(tmp_path, "one.json", shard(1, stacks[:3]))
    two = write(tmp_path, "two.json", shard(2, stacks[3:]))
    done = subprocess.run([str(Path(sys.executable).with_name("ecsops")), "report", "merge", str(one), str(two),
                           "--format", "json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["stacks"] == merge([json.loads(one.read_text()),
                                                       json.loads(two.read_text())])["stacks"]


# -- the command line ----------------------------------------------------------------------------------------------


def test_report_merge_is_on_the_command_line_and_junit_a_format_of_runs_only() -> None:
    tree = {command.path: command for command in commands()}
    assert "merge" in tree["report"].subcommands
    assert tree["report merge"].positionals == ["file"]
    assert tree["report merge"].values["--format"] == "choices text json markdown junit"
    assert tree["report merge"].values["--fail-on"] == "choices outside unapplied any"
    assert {"--out", "--json", "--partial"} <= set(tree["report merge"].options)
    for run in ("drift", "plan"):
        assert tree[run].values["--format"] == "choices text json markdown junit"
    assert tree["show"].values["--format"] == "choices text json markdown"
