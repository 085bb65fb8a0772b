"""The base of ecsops' Pulumi resources: snake_case attributes in Python, camelCase on the wire (as in YAML
and the state), every field and output present as an attribute.

Pulumi keys a resource's attributes by the names in `props`, sends each through `translate_input_property`
to the engine and brings outputs back through `translate_output_property`; the translations here are the
kind's own alias table, so they can never disagree with the spec.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from ecsops.engine.kind import Kind
from ecsops.pulumi.provider import ADOPT_KEY, REGION_KEY, KindProvider

ADOPT_ATTRIBUTE = "adopt_id"


def wire_names(kind: Kind) -> dict[str, str]:
    """Python attribute -> wire name, for every field, every output, `adopt_id` and `region`."""
    names = {name: info.alias or name for name, info in kind.spec.model_fields.items()}
    names.update({name: info.alias or name for name, info in kind.outputs.model_fields.items()})
    names[ADOPT_ATTRIBUTE] = ADOPT_KEY
    names.setdefault(REGION_KEY, REGION_KEY)
    return names


class KindResource(pulumi.dynamic.Resource):
    """A dynamic resource backed by `KindProvider(kind)`.

    Subclasses declare typed keyword arguments and pass them on as `args` (the spec's Python field names).
    `region`: where the object lives (default: the provider's `ecsops:region`); a kind whose spec has a
    `region` field of its own passes it among `args` instead.
    """

    def __init__(self, kind: Kind, resource_name: str, args: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None = None, adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None):
        self._to_wire = wire_names(kind)
        self._from_wire = {wire: name for name, wire in self._to_wire.items()}
        props: dict[str, Any] = {name: args.get(name) for name in kind.spec.model_fields}
        props.update({name: None for name in kind.outputs.model_fields})
        if adopt_id is not None:
            props[ADOPT_ATTRIBUTE] = adopt_id
        if region is not None and REGION_KEY not in kind.spec.model_fields:
            props[REGION_KEY] = region
        secrets = sorted(self._from_wire[wire] for wire in kind.secret_fields())  # Pulumi translates these
        if secrets:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=secrets))
        super().__init__(KindProvider(kind.type_name, kind.module), resource_name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return self._to_wire.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return self._from_wire.get(prop, prop)
