"""A kind for engine tests: one field of every policy, and a lifecycle that must never be called
(the engine's pure parts are tested without any backend)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ecsops.engine.kind import Kind, Outputs, Spec, register
from ecsops.engine.policy import add_only, in_place, replace


class WidgetSpec(Spec):
    label: Annotated[str, in_place(wire="Label"), Field(min_length=1, max_length=20)]
    size: Annotated[int, replace(wire="Size", reason="a widget's size is fixed when it is made"), Field(ge=1)] = 1
    members: Annotated[list[str], add_only()] = []
    token: Annotated[str, in_place(secret=True)] = ""
    note: Annotated[str, in_place(observed=False)] = ""
    zones: Annotated[list[str], in_place(normalise=sorted)] = []


class WidgetOutputs(Outputs):
    widget_id: str


class NoCloud:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a pure engine test called the cloud: {name}")


WIDGET = register(Kind(type_name="test:Widget", spec=WidgetSpec, outputs=WidgetOutputs, lifecycle=NoCloud(),
                       id_output="widgetId", summary="A test widget."))


class GadgetSpec(Spec):
    label: Annotated[str, in_place()]


class GadgetOutputs(Outputs):
    gadget_id: str


GADGET = register(Kind(type_name="test:Gadget", spec=GadgetSpec, outputs=GadgetOutputs, lifecycle=NoCloud(),
                       id_output="gadgetId", summary="Another test kind.", delete_before_replace=True))
