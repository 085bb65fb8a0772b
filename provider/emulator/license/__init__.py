"""Emulated License Manager (version 2022-07-07), a product ecsops defines itself (docs/wire.md §5): license
management tasks, their add-only discovery rules, and the instances they track or fail to track, counted
from the world at answer time.

Importing the package registers every operation on `PRODUCT`.
"""

from ecsops.emulator.license import describe, rules, tasks  # noqa: F401  (registration)
from ecsops.emulator.license.product import PRODUCT

__all__ = ["PRODUCT"]
