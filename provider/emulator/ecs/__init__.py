"""Emulated ECS: Cloud Assistant commands and invocations, tags, instances, account attributes and
system events.

Importing the package registers every operation on `PRODUCT`.
"""

from ecsops.emulator.ecs import (  # noqa: F401  (registration)
    commands,
    events,
    instances,
    invocations,
    invoke,
    runs,
    tagging,
)
from ecsops.emulator.ecs.product import PRODUCT

__all__ = ["PRODUCT"]
