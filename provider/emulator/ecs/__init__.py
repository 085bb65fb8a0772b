"""Emulated ECS: Cloud Assistant commands and invocations, tags, instances and account attributes.

Importing the package registers every operation on `PRODUCT`.
"""

from ecsops.emulator.ecs import commands, instances, invocations, invoke, runs, tagging  # noqa: F401  (registration)
from ecsops.emulator.ecs.product import PRODUCT

__all__ = ["PRODUCT"]
