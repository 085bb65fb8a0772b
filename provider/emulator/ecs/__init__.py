"""Emulated ECS: Cloud Assistant commands, invocations and settings, tags, instances, account attributes,
system events and maintenance attributes.

Importing the package registers every operation on `PRODUCT`, the consequences of maintenance attributes
(event hooks) and, last, the delivery of finished run records (a catch-up step that must follow the steps
that produce runs).
"""

from ecsops.emulator.ecs import (  # noqa: F401  (registration)
    assistant_settings,
    commands,
    events,
    instances,
    invocations,
    invoke,
    maintenance,
    maintenance_actions,
    runs,
    tagging,
)
from ecsops.emulator.delivery import records  # noqa: F401,E402  (registration, after the steps above)
from ecsops.emulator.ecs.product import PRODUCT

__all__ = ["PRODUCT"]
