"""The resource kinds of ecsops. Importing this package registers every kind with the engine.

    from ecsops.resources import Command, ScheduledInvocation, EventAlertRule, MaintenanceAttributes, ...

Each kind is a sub-package: the kind itself (spec, field policy, lifecycle) in its `__init__`, and its
Pulumi resource class in `resource`. The classes are imported when a program first names one (PEP 562
`__getattr__`), so registering the kinds — all the command line does — never imports Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ecsops.resources import (command, delivery_settings, event_alert_rule, license_task,  # noqa: F401
                              maintenance_attributes, scheduled_invocation)

if TYPE_CHECKING:
    from ecsops.resources.command.resource import Command
    from ecsops.resources.delivery_settings.resource import DeliverySettings
    from ecsops.resources.event_alert_rule.resource import EventAlertRule
    from ecsops.resources.license_task.resource import LicenseTask
    from ecsops.resources.maintenance_attributes.resource import MaintenanceAttributes
    from ecsops.resources.scheduled_invocation.resource import ScheduledInvocation

#: Pulumi class -> the kind package that defines it.
PULUMI_CLASSES = {
    "Command": "command",
    "DeliverySettings": "delivery_settings",
    "EventAlertRule": "event_alert_rule",
    "LicenseTask": "license_task",
    "MaintenanceAttributes": "maintenance_attributes",
    "ScheduledInvocation": "scheduled_invocation",
}

__all__ = sorted(PULUMI_CLASSES)


def __getattr__(name: str) -> type:
    """`ecsops.resources.Command` and the other Pulumi classes, imported on first use."""
    if name not in PULUMI_CLASSES:
        raise AttributeError(f"module 'ecsops.resources' has no attribute {name!r}")
    resource_class: type = getattr(importlib.import_module(f"ecsops.resources.{PULUMI_CLASSES[name]}.resource"), name)
    globals()[name] = resource_class  # later look-ups are plain attribute reads
    return resource_class


def __dir__() -> list[str]:
    return sorted([*globals(), *PULUMI_CLASSES])
