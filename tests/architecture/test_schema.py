"""schema/ holds the JSON Schemas `ecsops schema` generates, never stale; they say which changes replace."""

from __future__ import annotations

import json

from ecsops.cli.schema import rendered
from tests.conftest import ROOT


def test_the_committed_schemas_are_fresh() -> None:
    for name, text in rendered().items():
        committed = ROOT / "schema" / name
        assert committed.exists(), f"schema/{name} is missing: run `ecsops schema`"
        assert committed.read_text() == text, f"schema/{name} is stale: run `ecsops schema`"
    assert sorted(p.name for p in (ROOT / "schema").glob("*.json")) == sorted(rendered())


def test_the_command_schema_carries_the_field_policies() -> None:
    schema = json.loads(rendered()["command.schema.json"])
    assert schema["properties"]["content"]["x-ecsops-update"] == "replace"
    assert schema["properties"]["name"]["x-ecsops-update"] == "in_place"
    assert schema["required"] == ["name", "type", "content"]
    assert set(schema["x-ecsops-outputs"]) == {"commandId", "parameterNames"}


def test_the_stack_schema_knows_every_kind() -> None:
    schema = json.loads(rendered()["stack.schema.json"])
    entries = schema["properties"]["resources"]["additionalProperties"]["oneOf"]
    types = {entry["properties"]["type"]["const"] for entry in entries}
    assert "ecsops:Command" in types
    assert all(not t.startswith("test:") for t in types), "test-only kinds leaked into the published schema"
