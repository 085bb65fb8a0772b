"""Unmanaged objects (`drift --unmanaged`): the `.ecsopsignore` rules, and `find_unmanaged` against the emulator —
every kind's objects of every region asked, less those the stacks manage (a maintenance set by its instances) and
those the rules ignore."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from alibabacloud_cms20190101 import models as cms_models

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.errors import EngineError
from ecsops.engine.listing import ListingCache
from ecsops.engine.unmanaged import IgnoreRules, UnmanagedObject, find_unmanaged
from ecsops.engine.validate import validate
from ecsops.resources import command, event_alert_rule, maintenance_attributes  # (registers every kind)
from tests.support.emulator import cms_client, ecs_client, models

COMMAND, RULE, MAINTENANCE = "ecsops:Command", "ecsops:EventAlertRule", "ecsops:MaintenanceAttributes"
SCRATCH = UnmanagedObject(COMMAND, "cn-hangzhou", "c-1", "scratch-1")
KEEP = UnmanagedObject(COMMAND, "cn-hangzhou", "c-2", "scratch-keep")
DEPLOY = UnmanagedObject(COMMAND, "cn-beijing", "c-3", "deploy")
SLASHED = UnmanagedObject(COMMAND, "cn-hangzhou", "c-4", "scratch-a/b")
RULE_SCRATCH = UnmanagedObject(RULE, "global", "scratch-1", "scratch-1")
NAMELESS = UnmanagedObject(MAINTENANCE, "cn-hangzhou", "cn-hangzhou:i-1", None)
HASHED = UnmanagedObject(COMMAND, "cn-shanghai", "c-5", "build #7")
EVERYONE = {"scratch": SCRATCH, "keep": KEEP, "deploy": DEPLOY, "slashed": SLASHED, "rule": RULE_SCRATCH,
            "nameless": NAMELESS, "hashed": HASHED}


def ignored(text: str) -> set[str]:
    rules = IgnoreRules.parse(text, ".ecsopsignore")
    return {label for label, item in EVERYONE.items() if rules.ignores(item)}


@pytest.mark.parametrize("text, expected", [
    pytest.param("", set(), id="no-rules-ignore-nothing"),
    pytest.param("ecsops:Command/*/scratch-*", {"scratch", "keep"}, id="star-matches-within-the-name-segment"),
    pytest.param("ecsops:Command/*/scratch-**", {"scratch", "keep", "slashed"}, id="double-star-crosses-segments"),
    pytest.param("**/scratch-*", {"scratch", "keep", "rule"}, id="double-star-spans-kind-and-region"),
    pytest.param("ecsops:Command/**", {"scratch", "keep", "deploy", "slashed", "hashed"},
                 id="double-star-to-the-end"),
    pytest.param("ecsops:Command/**/c-3", {"deploy"}, id="slash-double-star-slash-spans-the-region"),
    pytest.param("ecsops:Command/**/cn-hangzhou/c-1", {"scratch"}, id="slash-double-star-slash-may-span-nothing"),
    pytest.param("ecsops:Command/cn-*/c-?", {"scratch", "keep", "deploy", "slashed", "hashed"},
                 id="question-mark-is-one-character"),
    pytest.param("ecsops:Command/cn-*/c-?-", set(), id="question-mark-is-exactly-one-character"),
    pytest.param("ecsops:Command/cn-hangzhou/c-1", {"scratch"}, id="matched-by-id"),
    pytest.param("ecsops:Command/cn-hangzhou/scratch-1", {"scratch"}, id="matched-by-name"),
    pytest.param("ecsops:Command/cn-beijing/scratch-1", set(), id="the-region-must-match"),
    pytest.param("ecsops:MaintenanceAttributes/*/cn-hangzhou:i-*", {"nameless"}, id="an-object-without-a-name-by-id"),
    pytest.param("*/*/*", set(EVERYONE), id="every-object-by-its-id"),
    pytest.param("ecsops:Command/*/scratch-*\n!ecsops:Command/*/scratch-keep", {"scratch"},
                 id="a-later-negation-un-ignores"),
    pytest.param("!ecsops:Command/*/scratch-keep\necsops:Command/*/scratch-*", {"scratch", "keep"},
                 id="the-last-matching-rule-wins"),
    pytest.param("ecsops:Command/**\n!ecsops:Command/cn-beijing/*\necsops:Command/*/deploy", {
        "scratch", "keep", "deploy", "slashed", "hashed"}, id="negation-then-a-later-rule-again"),
    pytest.param("# ecsops:Command/*/scratch-*\n\n   \n", set(), id="comments-and-blank-lines"),
    pytest.param("  ecsops:Command/*/deploy   # temporary, until release  ", {"deploy"},
                 id="trailing-comment-and-blanks-dropped"),
    pytest.param("ecsops:Command/*/deploy#1", set(), id="hash-inside-a-rule-is-literal"),
    pytest.param("ecsops:Command/*/build #7", set(), id="a-blank-then-hash-starts-a-comment"),
    pytest.param("ecsops:Command/*/build \\#7", {"hashed"}, id="an-escaped-hash-is-literal"),
    pytest.param("ECSOPS:COMMAND/*/*", set(), id="case-sensitive"),
])
def test_ignore_rules(text: str, expected: set[str]) -> None:
    assert ignored(text) == expected


@pytest.mark.parametrize("text, line, why", [
    pytest.param("ecsops:Command/*/a\n!\n", 2, "a rule needs a pattern after '!'", id="only-a-bang"),
    pytest.param("# fine\n\n  !   \n", 3, "a rule needs a pattern after '!'", id="a-bang-and-blanks"),
    pytest.param("scratch-*", 1, "1 segment(s) can match nothing", id="a-bare-name"),
    pytest.param("ecsops:Command/ok/ok\necsops:Command/scratch-*", 2, "2 segment(s) can match nothing",
                 id="kind-and-name-without-region"),
])
def test_an_unusable_rule_names_its_file_and_line(text: str, line: int, why: str) -> None:
    with pytest.raises(EngineError) as raised:
        IgnoreRules.parse(text, "ops/.ecsopsignore")
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.file, diagnostic.line) == ("ops/.ecsopsignore", line)
    assert str(raised.value).startswith(f"ops/.ecsopsignore:{line}: ignore rule ")
    assert why in str(raised.value)


def test_rules_of_several_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("ecsops:Command/*/scratch-*\n")
    (tmp_path / "b").write_text("# team b keeps its own\n!ecsops:Command/*/scratch-keep\n")
    rules = IgnoreRules.from_files([tmp_path / "a", tmp_path / "b"])
    assert (rules.ignores(SCRATCH), rules.ignores(KEEP), rules.ignores(DEPLOY)) == (True, False, False)
    rules = IgnoreRules.from_files([tmp_path / "b", tmp_path / "a"])
    assert (rules.ignores(SCRATCH), rules.ignores(KEEP)) == (True, True)


def test_a_bad_line_of_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "good").write_text("ecsops:Command/*/x\n")
    (tmp_path / "bad").write_text("# ok\necsops:Command/*/y\n!\n")
    with pytest.raises(EngineError) as raised:
        IgnoreRules.from_files([tmp_path / "good", tmp_path / "bad"])
    assert str(raised.value).startswith(f"{tmp_path / 'bad'}:3: ")


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as raised:
        IgnoreRules.from_files([tmp_path / "missing"])
    assert str(tmp_path / "missing") in str(raised.value)


# find_unmanaged, against the emulator


@pytest.fixture
def cloud(emulator, admin) -> Cloud:
    admin.world({"instances": [{"id": f"i-un-{n}", "region": "cn-hangzhou"} for n in range(1, 4)]})
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")), rate=None)


def make(cloud: Cloud, kind, values: dict) -> str:
    spec = validate(kind, values).spec
    assert spec is not None
    return kind.lifecycle.create(cloud, spec, token=f"t-{hash(str(values)) & 0xffffffff}").id


@pytest.fixture
def world(cloud, emulator) -> dict[str, str]:
    """Objects ecsops manages and objects made in the console, in two regions -> their ids by label."""
    ecs, cms = ecs_client(emulator.endpoint), cms_client(emulator.endpoint)

    def console_command(name: str, region: str) -> str:
        return ecs.create_command(models.CreateCommandRequest(
            region_id=region, name=name, type="RunShellScript",
            command_content=base64.b64encode(b"echo").decode())).body.command_id

    ids = {
        "managed command": make(cloud, command.KIND, {"name": "deploy", "type": "RunShellScript", "content": "echo"}),
        "scratch": console_command("scratch-1", "cn-hangzhou"),
        "beijing": console_command("beijing-tool", "cn-beijing"),
        "managed set": make(cloud, maintenance_attributes.KIND, {"instanceIds": ["i-un-1", "i-un-2"],
                                                                 "action": "Stop"}),
        "managed rule": make(cloud, event_alert_rule.KIND, {"name": "ours", "eventPattern": {"eventTypes": ["*"]},
                                                            "targets": {}}),
    }
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id="cn-hangzhou", instance_id=["i-un-3"], notify_on_maintenance=True))
    cms.put_event_rule(cms_models.PutEventRuleRequest(rule_name="console-rule", event_pattern=[
        cms_models.PutEventRuleRequestEventPattern(product="ecs", event_type_list=["*"])]))
    return ids


def managed_of(world: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(COMMAND, "cn-hangzhou", world["managed command"]),
            (MAINTENANCE, "cn-hangzhou", world["managed set"]),
            (RULE, "cn-hangzhou", world["managed rule"])]


def test_everything_no_stack_manages_sorted(cloud, world, emulator) -> None:
    later = ecs_client(emulator.endpoint).create_command(models.CreateCommandRequest(  # listed after scratch-1
        region_id="cn-hangzhou", name="a-tool", type="RunShellScript", command_content="ZWNobw==")).body.command_id
    found, ignored_count = find_unmanaged(cloud, ["cn-hangzhou", "cn-beijing"], managed_of(world), IgnoreRules())
    assert found == [
        UnmanagedObject(COMMAND, "cn-beijing", world["beijing"], "beijing-tool"),
        UnmanagedObject(COMMAND, "cn-hangzhou", later, "a-tool"),
        UnmanagedObject(COMMAND, "cn-hangzhou", world["scratch"], "scratch-1"),
        UnmanagedObject(RULE, "global", "console-rule", "console-rule"),  # the account's: once, not per region
        UnmanagedObject(MAINTENANCE, "cn-hangzhou", "cn-hangzhou:i-un-3", None),
    ]
    assert ignored_count == 0


def test_without_managed_objects_everything_is_reported(cloud, world) -> None:
    found, _ = find_unmanaged(cloud, ["cn-hangzhou"], [], IgnoreRules())
    assert {(item.type, item.id) for item in found} == {
        (COMMAND, world["managed command"]), (COMMAND, world["scratch"]), (RULE, "ours"), (RULE, "console-rule"),
        (MAINTENANCE, "cn-hangzhou:i-un-1"), (MAINTENANCE, "cn-hangzhou:i-un-2"), (MAINTENANCE, "cn-hangzhou:i-un-3")}


def test_a_maintenance_set_covers_only_its_own_instances(cloud, world) -> None:
    managed = [(MAINTENANCE, "cn-hangzhou", "cn-hangzhou:i-un-1")]  # a set of one of the two changed instances
    found, _ = find_unmanaged(cloud, ["cn-hangzhou"], managed, IgnoreRules())
    assert [item.id for item in found if item.type == MAINTENANCE] == ["cn-hangzhou:i-un-2", "cn-hangzhou:i-un-3"]


def test_an_object_managed_in_another_region_is_still_unmanaged_here(cloud, world) -> None:
    managed = [(COMMAND, "cn-beijing", world["scratch"])]
    found, _ = find_unmanaged(cloud, ["cn-hangzhou"], managed, IgnoreRules())
    assert world["scratch"] in [item.id for item in found]


def test_ignored_objects_are_counted_not_reported(cloud, world) -> None:
    rules = IgnoreRules.parse("ecsops:Command/*/*\n!ecsops:Command/cn-beijing/*\n"
                              "ecsops:EventAlertRule/global/console-*", ".ecsopsignore")
    found, ignored_count = find_unmanaged(cloud, ["cn-hangzhou", "cn-beijing"], managed_of(world), rules)
    assert [(item.type, item.id) for item in found] == [(COMMAND, world["beijing"]),
                                                        (MAINTENANCE, "cn-hangzhou:i-un-3")]
    assert ignored_count == 2


def test_no_regions_no_listing(cloud) -> None:
    assert find_unmanaged(cloud, [], [], IgnoreRules()) == ([], 0)
    assert cloud.stats["calls"] == 0


def test_a_failed_listing_names_the_kind_and_the_region(cloud) -> None:
    with pytest.raises(EngineError) as raised:
        find_unmanaged(cloud, ["cn-hangzhou", "xx-nowhere-1"], [], IgnoreRules())
    listing_commands = [d for d in raised.value.diagnostics if d.type == COMMAND]
    assert len(listing_commands) == 1
    assert "listing the objects of ecsops:Command in xx-nowhere-1 failed" in listing_commands[0].message
    assert all("xx-nowhere-1" in d.message for d in raised.value.diagnostics)


def test_one_listing_serves_drift_reads_and_the_inventory(cloud, world) -> None:
    cache = ListingCache(ttl_s=60)
    command.KIND.lifecycle.read_many(cloud, {world["managed command"]: None}, cache=cache)
    before = cloud.stats["calls:DescribeCommands"]
    find_unmanaged(cloud, ["cn-hangzhou"], managed_of(world), IgnoreRules(), cache=cache)
    assert cloud.stats["calls:DescribeCommands"] == before
