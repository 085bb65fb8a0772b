"""Edits of a stack's state without the cloud (engine.state_edits): listing, forgetting, renaming, and the
check that keeps `import` from putting one object under two names. A refused edit changes nothing."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ecsops.engine import state_edits
from ecsops.engine.errors import EngineError
from ecsops.engine.state import Deposed, PendingCreate, ResourceState, StackState


def sample() -> StackState:
    """disk-check <- uptime (uptime's name embeds disk-check's id); a create of `spare` interrupted; an old
    disk-check object replaced, its delete not confirmed."""
    return StackState(
        "demo", backend="endpoint:x", salt="salt",
        resources={"disk-check": ResourceState("ecsops:Command", "c-1", {"name": "disk-check"}, {"commandId": "c-1"}),
                   "uptime": ResourceState("ecsops:Command", "c-2", {"name": "uptime-c-1"}, {}, ["disk-check"])},
        pending={"spare": PendingCreate("ecsops:Command", "token-1", {"name": "spare"}, "2026-01-01T00:00:00Z",
                                        ["disk-check"])},
        deposed=[Deposed("disk-check", "ecsops:Command", "c-0", {"name": "disk-check"})],
    )


def messages(error: pytest.ExceptionInfo[EngineError]) -> list[str]:
    return [str(diagnostic) for diagnostic in error.value.diagnostics]


# -- reading ----------------------------------------------------------------------------------------------


def test_entries_list_managed_objects_then_interrupted_creates_then_deposed_objects() -> None:
    assert [(e.name, e.type, e.id, e.status) for e in state_edits.entries(sample())] == [
        ("disk-check", "ecsops:Command", "c-1", "managed"),
        ("uptime", "ecsops:Command", "c-2", "managed"),
        ("spare", "ecsops:Command", None, "pending-create"),
        ("disk-check", "ecsops:Command", "c-0", "deposed"),
    ]


@pytest.mark.parametrize(("name", "status", "id_"), [
    pytest.param("disk-check", "managed", "c-1", id="managed-before-its-deposed-object"),
    pytest.param("spare", "pending-create", None, id="interrupted-create"),
])
def test_entry_is_the_managed_object_else_what_the_name_holds(name, status, id_) -> None:
    found = state_edits.entry(sample(), name)
    assert (found.name, found.status, found.id) == (name, status, id_)


def test_under_a_name_the_entry_it_stands_for_comes_first() -> None:
    assert [(e.id, e.status) for e in state_edits.under(sample(), "disk-check")] == [
        ("c-1", "managed"), ("c-0", "deposed")]


@pytest.mark.parametrize(("state", "name", "message"), [
    pytest.param(sample(), "disk-chek", "stack demo manages no resource 'disk-chek': did you mean 'disk-check'?",
                 id="typo"),
    pytest.param(sample(), "uptim", "stack demo manages no resource 'uptim': did you mean 'uptime'?", id="truncated"),
    pytest.param(sample(), "disk", "stack demo manages no resource 'disk': did you mean 'disk-check'?",
                 id="prefix"),
    pytest.param(sample(), "zzz", "stack demo manages no resource 'zzz'", id="nothing-close"),
    pytest.param(StackState("demo"), "disk-check", "stack demo manages no resource 'disk-check' (its state is empty)",
                 id="empty-state"),
])
def test_an_unknown_name_is_refused_with_the_closest_names(state, name, message) -> None:
    with pytest.raises(EngineError) as refused:
        state_edits.entry(state, name)
    assert messages(refused) == [message]


# -- forget -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("names", "left"), [
    pytest.param(["uptime"], ["disk-check", "spare", "disk-check"], id="one-object"),
    pytest.param(["disk-check"], ["uptime", "spare"], id="with-its-deposed-object"),
    pytest.param(["spare"], ["disk-check", "uptime", "disk-check"], id="an-interrupted-create"),
    pytest.param(["uptime", "spare", "uptime"], ["disk-check", "disk-check"], id="several-names-repeated"),
])
def test_forget_drops_every_entry_under_the_names(names, left) -> None:
    state = sample()
    dropped = state_edits.forget(state, names)
    assert sorted({item.name for item in dropped}) == sorted(set(names))
    assert [item.name for item in state_edits.entries(state)] == left


@pytest.mark.parametrize("names", [
    pytest.param(["nope"], id="unknown"),
    pytest.param(["uptime", "nope"], id="a-known-and-an-unknown"),
])
def test_forget_of_a_name_not_in_the_state_changes_nothing(names) -> None:
    state = sample()
    before = copy.deepcopy(state.to_document())
    with pytest.raises(EngineError) as refused:
        state_edits.forget(state, names)
    assert messages(refused) == ["stack demo manages no resource 'nope'"]
    assert state.to_document() == before


# -- rename -----------------------------------------------------------------------------------------------


def test_rename_moves_every_entry_of_the_name_and_the_dependencies_on_it() -> None:
    state = sample()
    moved = state_edits.rename(state, "disk-check", "disk-probe")
    assert [(item.id, item.status) for item in moved] == [("c-1", "managed"), ("c-0", "deposed")]
    assert list(state.resources) == ["disk-probe", "uptime"]
    assert state.resources["disk-probe"] == ResourceState("ecsops:Command", "c-1", {"name": "disk-check"},
                                                          {"commandId": "c-1"})
    assert state.resources["uptime"].dependencies == ["disk-probe"]
    assert state.pending["spare"].dependencies == ["disk-probe"]
    assert [deposed.name for deposed in state.deposed] == ["disk-probe"]


def test_rename_of_an_interrupted_create_keeps_its_token() -> None:
    state = sample()
    state_edits.rename(state, "spare", "extra")
    assert list(state.pending) == ["extra"] and state.pending["extra"].token == "token-1"


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param("disk-chek", "disk-probe", "stack demo manages no resource 'disk-chek': did you mean 'disk-check'?",
                 id="old-not-in-the-state"),
    pytest.param("disk-check", "uptime", 'resource "uptime" (ecsops:Command): stack demo already manages it (c-2)',
                 id="new-already-managed"),
    pytest.param("uptime", "spare", 'resource "spare" (ecsops:Command): stack demo already manages it (an '
                 "interrupted create", id="new-an-interrupted-create"),
    pytest.param("uptime", "uptime", 'resource "uptime" (ecsops:Command): stack demo already manages it (c-2)',
                 id="same-name"),
    pytest.param("uptime", "2nd", 'resource "2nd": is not a valid resource name for stack demo', id="leading-digit"),
    pytest.param("uptime", "up time", 'resource "up time": is not a valid resource name', id="space"),
    pytest.param("uptime", "a" * 129, "is not a valid resource name", id="too-long"),
    pytest.param("uptime", "", 'resource "": is not a valid resource name', id="empty"),
])
def test_rename_refusals_change_nothing(old, new, message) -> None:
    state = sample()
    before = copy.deepcopy(state.to_document())
    with pytest.raises(EngineError) as refused:
        state_edits.rename(state, old, new)
    [line] = messages(refused)
    assert line.startswith(message) or message in line, line
    assert state.to_document() == before


# -- import ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "type_", "id_", "refusal"), [
    pytest.param("disk-probe", "ecsops:Command", "c-1",
                 'resource "disk-probe" (ecsops:Command): c-1 is already managed as "disk-check": to rename '
                 "disk-check, run `ecsops state mv 'my stacks/stack.yaml' disk-check disk-probe`",
                 id="managed-under-another-name"),
    pytest.param("disk-probe", "ecsops:Command", "c-0",
                 'resource "disk-probe" (ecsops:Command): c-0 is an object of "disk-check" that stack demo is to '
                 "delete (replaced or dropped, its delete not confirmed): it cannot be imported",
                 id="deposed-awaiting-delete"),
    pytest.param("disk-probe", "ecsops:Command", "c-9", None, id="not-held"),
    pytest.param("disk-probe", "ecsops:ScheduledInvocation", "c-1", None, id="same-id-of-another-kind"),
])
def test_an_object_held_under_another_name_cannot_be_imported(name, type_, id_, refusal) -> None:
    refused = state_edits.import_refusal(sample(), Path("my stacks/stack.yaml"), name, type_, id_)
    assert (None if refused is None else str(refused)) == refusal
