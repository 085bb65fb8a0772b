"""`ecsops schema`: writes the JSON Schemas into schema/ (or checks that the committed ones are fresh)."""

from __future__ import annotations

import argparse
import json
import sys

import ecsops.resources  # noqa: F401  (registers every kind)
from ecsops.engine import kind as kinds
from ecsops.engine.schema import all_schemas


def published_kinds() -> tuple[kinds.Kind, ...]:
    """The kinds ecsops ships (others may be registered by plugins or tests; they are not published)."""
    return tuple(kind for kind in kinds.registered() if kind.module.startswith("ecsops.resources."))


def rendered() -> dict[str, str]:
    return {name: json.dumps(schema, indent=2, sort_keys=False) + "\n"
            for name, schema in all_schemas(published_kinds()).items()}


def run_schema(arguments: argparse.Namespace) -> int:
    files = rendered()
    if arguments.check:
        stale = [name for name, text in files.items()
                 if not (arguments.out / name).exists() or (arguments.out / name).read_text() != text]
        for name in stale:
            print(f"stale: {arguments.out / name} (run `ecsops schema`)", file=sys.stderr)
        return 1 if stale else 0
    arguments.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (arguments.out / name).write_text(text)
        print(f"wrote {arguments.out / name}")
    return 0
