"""What one resource's stack checks see of the others: everyone but itself, by name and by kind."""

from __future__ import annotations

import pytest

from ecsops.engine.kind import Neighbour, Neighbours, of_type

EVERYONE = {name: Neighbour(name, type_, {}) for name, type_ in
            [("a", "ecsops:MaintenanceAttributes"), ("b", "ecsops:Command"), ("c", "ecsops:MaintenanceAttributes")]}


def seen_by(name: str) -> Neighbours:
    return Neighbours(EVERYONE, Neighbours.index(EVERYONE), excluded=name)


def test_a_resource_sees_every_other_but_not_itself() -> None:
    others = seen_by("a")
    assert list(others) == ["b", "c"] and len(others) == 2
    assert "a" not in others and others.get("a") is None
    with pytest.raises(KeyError):
        others["a"]  # noqa: B018
    assert dict(others) == {"b": EVERYONE["b"], "c": EVERYONE["c"]}


@pytest.mark.parametrize(("name", "expected"), [
    pytest.param("a", ["c"], id="its-own-kind-without-itself"),
    pytest.param("b", ["a", "c"], id="another-kind-all"),
])
def test_neighbours_of_one_kind_come_from_the_index(name, expected) -> None:
    assert [n.name for n in seen_by(name).of_type("ecsops:MaintenanceAttributes")] == expected
    assert [n.name for n in of_type(seen_by(name), "ecsops:MaintenanceAttributes")] == expected


def test_of_type_also_reads_a_plain_mapping() -> None:
    assert [n.name for n in of_type(EVERYONE, "ecsops:Command")] == ["b"]
