"""Emulated ECS: Cloud Assistant commands, invocations and settings, tags, instances, account attributes,
system events and maintenance attributes.

Importing the package registers every operation on `PRODUCT`, the consequences of maintenance attributes
(event hooks) and the delivery of finished run records (a catch-up step of the "deliveries" phase: it runs after
the steps that make runs whatever the import order, see ecsops.emulator.simulation.PHASES).
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
from ecsops.emulator.ecs import record_delivery  # noqa: F401,E402  (registration)
from ecsops.emulator.ecs.product import PRODUCT

__all__ = ["PRODUCT"]
