"""Emulated CloudMonitor: event-triggered alert rules, their targets, and the routing of ECS event
notifications to them (webhooks receive real HTTP requests).

Importing the package registers every operation on `PRODUCT` and subscribes the router to notifications.
"""

from ecsops.emulator.cms import routing, rules, targets  # noqa: F401  (registration)
from ecsops.emulator.cms.delivery import Dispatcher
from ecsops.emulator.cms.errors import Failure
from ecsops.emulator.cms.product import PRODUCT

__all__ = ["PRODUCT", "Dispatcher", "Failure"]
