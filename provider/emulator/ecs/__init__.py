"""Emulated ECS: Cloud Assistant commands, tags, instances and account attributes.

Importing the package registers every operation on `PRODUCT`.
"""

from ecsops.emulator.ecs import commands, instances, tagging  # noqa: F401  (registration)
from ecsops.emulator.ecs.product import PRODUCT

__all__ = ["PRODUCT"]
