"""`ecsops report merge` (cli/report.py): the reports of a run's shards become the report one run over the whole
fleet would have written — its stacks, summary and exit code, and its unmanaged objects less those another shard's
stacks manage; overlapping shards and reports of different commands are refused, naming the files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Sequence

import pytest

from ecsops.cli.completion import commands
from ecsops.cli.report import ReportError, merge
from tests.support.cli import ecsops
from tests.support.fleet_reports import (change, fleet, plan_resource, plan_stack, resource, stack, unmanaged)

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
    """What the cloud holds of the managed kinds: the stacks' objects and some no stack manages."""
    return [
        unmanaged("c-a1"), unmanaged("c-b1"), unmanaged("c-e1", account="profile prod"),
        unmanaged("c-b1", region=SHANGHAI),   # another object with b1's id, in another region: not b1
        unmanaged("c-e1"),                    # e1's id in another account: not e1
        unmanaged("c-stray", name="scratch-1"), unmanaged("c-stray2", account="profile prod"),
    ]


def key(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(item[name]) for name in ("account", "type", "region", "id"))


def unmanaged_by(stacks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a run over `stacks` reports as unmanaged: every object none of them manages."""
    managed = {(entry["account"], item["type"], item["region"], item["id"]) for entry in stacks
               for item in (entry["report"] or {}).get("resources", []) if item["id"]}
    return sorted((item for item in cloud_objects() if key(item) not in managed), key=key)


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
    # each shard listed the other's objects as unmanaged: gone once the shards are one
    assert {item["id"] for item in shards[0]["unmanaged"]} >= {"c-b1"}
    assert sorted((item["account"], item["region"], item["id"]) for item in merged["unmanaged"]) == [
        ("default", "cn-hangzhou", "c-e1"), ("default", "cn-hangzhou", "c-stray"), ("default", SHANGHAI, "c-b1"),
        ("profile prod", "cn-hangzhou", "c-stray2")]


def test_unmanaged_objects_stay_null_when_no_shard_looked_for_them() -> None:
    stacks = whole_fleet()
    assert merge([fleet(stacks[:2]), fleet(stacks[2:])])["unmanaged"] is None
    looked = merge([fleet(stacks[:2]), fleet(stacks[2:], unmanaged=[unmanaged("c-a1"), unmanaged("c-x")])])
    assert [item["id"] for item in looked["unmanaged"]] == ["c-x"]  # c-a1: the other report's stack a manages it


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
])
def test_reports_that_do_not_make_one_run_are_refused_naming_the_files(documents, message) -> None:
    with pytest.raises(ReportError) as refused:
        merge(documents(), names=["one.json", "two.json"])
    assert str(refused.value).startswith(message)


def test_the_failures_of_each_run_itself_are_kept() -> None:
    failure = {"severity": "error", "resource": None, "type": None, "field": None, "file": None, "line": None,
               "column": None, "message": "cannot list ecsops:Command in cn-hangzhou"}
    merged = merge([fleet(whole_fleet()[:1], errors=[failure]), fleet(whole_fleet()[1:2], unmanaged=[])])
    assert (merged["errors"], merged["exit_code"]) == ([failure], 1)


def test_a_fail_on_given_settles_reports_that_differ() -> None:
    merged = merge([fleet(whole_fleet()[:2], fail_on="outside"), fleet(whole_fleet()[2:3], fail_on="any")],
                   "unapplied")
    assert (merged["fail_on"], merged["exit_code"]) == ("unapplied", 2)


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


def test_overlapping_shards_on_the_command_line_name_both_files(tmp_path) -> None:
    one = write(tmp_path, "one.json", shard(1, whole_fleet()[:2]))
    two = write(tmp_path, "two.json", shard(2, whole_fleet()[1:]))
    done = ecsops("report", "merge", one, two)
    assert (done.code, done.out) == (1, "")
    assert done.err == f"error: stack b (stacks/b.yaml) is in both {one} and {two}: the shards overlap (merge the " \
                       "reports of one run, each shard once)\n"


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
    assert {"--out", "--json"} <= set(tree["report merge"].options)
    for run in ("drift", "plan"):
        assert tree[run].values["--format"] == "choices text json markdown junit"
    assert tree["show"].values["--format"] == "choices text json markdown"
