"""JSON Schemas of the YAML stack format and of each kind, generated from the kinds' spec models.

Field policies appear in the schemas as `x-ecsops-update` (in_place, replace, add_only) and
`x-ecsops-secret`, so an editor shows which changes replace an object.
"""

from __future__ import annotations

from typing import Any

from ecsops.engine.kind import Kind

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://ecsops.dev/schema"


def file_name(kind: Kind) -> str:
    return kind.type_name.split(":", 1)[1].lower() + ".schema.json"


def kind_schema(kind: Kind) -> dict[str, Any]:
    schema = kind.spec.model_json_schema(by_alias=True)
    for name, policy in kind.fields.items():
        prop = schema["properties"][name]
        prop.pop("title", None)  # pydantic's titles ("Workingdir") help nobody; the key is the name
        prop["x-ecsops-update"] = policy.update.value
        if policy.secret:
            prop["x-ecsops-secret"] = True
    outputs = kind.outputs.model_json_schema(by_alias=True)
    for prop in outputs["properties"].values():
        prop.pop("title", None)
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": f"{BASE_ID}/{file_name(kind)}",
        "title": kind.type_name,
        "description": kind.summary,
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
        "x-ecsops-outputs": outputs["properties"],
    }


def stack_schema(kinds: tuple[Kind, ...]) -> dict[str, Any]:
    entries = [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"const": kind.type_name},
                "properties": {"$ref": file_name(kind)},
                "options": {"$ref": "#/$defs/options"},
            },
        }
        for kind in kinds
    ]
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": f"{BASE_ID}/stack.schema.json",
        "title": "ecsops stack",
        "description": "A YAML stack: O&M settings of an ECS fleet. `${name.attribute}` refers to another "
                       "resource's field or output.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "region", "resources"],
        "properties": {
            "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"},
            "region": {"type": "string", "pattern": "^[a-z]{2}-[a-z0-9-]+$"},
            "description": {"type": "string"},
            "backend": {"enum": ["emulator", "cloud"],
                        "description": "Where calls go (the command line and ECSOPS_BACKEND override it)."},
            "state": {"type": "string",
                      "description": "Where the state lives: a folder (relative to the stack), "
                                     "oss://BUCKET/PREFIX[?region=R&endpoint=URL] or s3://BUCKET/PREFIX."},
            "resources": {
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_-]{0,127}$"},
                "additionalProperties": {"oneOf": entries},
            },
        },
        "$defs": {
            "options": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"dependsOn": {"type": "array", "items": {"type": "string"}}},
            }
        },
    }


def all_schemas(kinds: tuple[Kind, ...]) -> dict[str, dict[str, Any]]:
    """File name -> schema, for every kind and the stack format."""
    return {"stack.schema.json": stack_schema(kinds), **{file_name(kind): kind_schema(kind) for kind in kinds}}
