"""JSON Schemas of the YAML stack format and of each kind, generated from the kinds' spec models.

Field policies appear in the schemas as `x-ecsops-update` (in_place, replace, add_only) and
`x-ecsops-secret`, so an editor shows which changes replace an object.
"""

from __future__ import annotations

from typing import Any

from ecsops.engine.config import TYPES
from ecsops.engine.kind import Kind

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://ecsops.dev/schema"
SECRET_SOURCE = {
    "description": "Where the secret lives (engine/secrets_source.py): read when the stack is loaded, never "
                   "written in it.",
    "oneOf": [
        {"type": "object", "additionalProperties": False, "required": ["env"],
         "properties": {"env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                                "description": "An environment variable, which must be set and not empty."}}},
        {"type": "object", "additionalProperties": False, "required": ["file"],
         "properties": {"file": {"type": "string", "minLength": 1,
                                 "description": "A file, relative to the file naming it (one trailing line break "
                                                "dropped)."}}},
    ],
}
CONFIG_NAMES = {"pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"}


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
    secret = schema.get("$defs", {}).get("SecretValue")
    if secret is not None:  # {secret: TEXT}, or read from where it lives
        secret["properties"]["secret"] = {"title": "Secret", "anyOf": [{"type": "string"}, SECRET_SOURCE]}
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
            "credentials": {
                "description": "The stack's own credentials (several accounts in one run): a profile of the "
                               "official credential files, or the names of the environment variables holding a "
                               "key pair. Never the keys themselves.",
                "oneOf": [
                    {"type": "object", "additionalProperties": False, "required": ["profile"],
                     "properties": {"profile": {"type": "string"}}},
                    {"type": "object", "additionalProperties": False, "required": ["variables"],
                     "properties": {"variables": {
                         "type": "object", "additionalProperties": False,
                         "required": ["accessKeyId", "accessKeySecret"],
                         "properties": {name: {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
                                        for name in ("accessKeyId", "accessKeySecret", "securityToken")}}}},
                ],
            },
            "state": {"type": "string",
                      "description": "Where the state lives: a folder (relative to the stack), "
                                     "oss://BUCKET/PREFIX[?region=R&endpoint=URL] or s3://BUCKET/PREFIX."},
            "config": {
                "type": "object",
                "description": "Typed values, used as ${config.NAME} in any value; an environment (--env ENV) "
                               "sets them in <stem>.ENV.yaml beside the stack (environment.schema.json).",
                "propertyNames": CONFIG_NAMES,
                "additionalProperties": {"$ref": "#/$defs/configValue"},
            },
            "resources": {
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_-]{0,127}$", "not": {"const": "config"}},
                "additionalProperties": {"oneOf": entries},
            },
            "outputs": {
                "type": "object",
                "description": "Named values computed from what apply recorded: ${resource.attribute} and "
                               "${config.NAME} anywhere in a value. `ecsops output` prints them.",
                "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_-]{0,127}$"},
            },
        },
        "$defs": {
            "options": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "dependsOn": {"type": "array", "items": {"type": "string"}},
                    "region": {"type": "string", "pattern": "^[a-z]{2}-[a-z0-9-]+$",
                               "description": "The region the resource lives in (default: the stack's region). "
                                              "Moving it to another region replaces it."},
                },
            },
            "configValue": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type"],
                "properties": {
                    "type": {"enum": list(TYPES)},
                    "default": {"description": "The value when the environment sets none (a secret's may be "
                                               "{secret: {env: NAME}} or {secret: {file: PATH}})."},
                    "description": {"type": "string"},
                    "secret": {"type": "boolean", "description": "Never shown, logged or stored in plain text "
                                                                  "(type string only)."},
                },
            },
        },
    }


def environment_schema() -> dict[str, Any]:
    """The schema of an environment file, `<stem>.<env>.yaml` beside a stack (engine/config.py)."""
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": f"{BASE_ID}/environment.schema.json",
        "title": "ecsops environment",
        "description": "The config values of one environment of a stack (`--env ENV` reads <stem>.ENV.yaml).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string"},
            "config": {
                "type": "object",
                "propertyNames": CONFIG_NAMES,
                "additionalProperties": {
                    "description": "A value of the type the stack declares; for a secret, text or {secret: TEXT}, "
                                   "{secret: {env: NAME}}, {secret: {file: PATH}}.",
                    "anyOf": [{"not": {"type": "object", "required": ["secret"]}},
                              {"type": "object", "additionalProperties": False, "required": ["secret"],
                               "properties": {"secret": {"anyOf": [{"type": "string"}, SECRET_SOURCE]}}}],
                },
            },
        },
    }


def all_schemas(kinds: tuple[Kind, ...]) -> dict[str, dict[str, Any]]:
    """File name -> schema, for every kind and the stack format."""
    return {"stack.schema.json": stack_schema(kinds), "environment.schema.json": environment_schema(),
            **{file_name(kind): kind_schema(kind) for kind in kinds}}
