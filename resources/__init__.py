"""The resource kinds of ecsops. Importing this package registers every kind with the engine.

    from ecsops.resources import Command, ScheduledInvocation, EventAlertRule, MaintenanceAttributes, ...
"""

from ecsops.resources.command import Command
from ecsops.resources.delivery_settings import DeliverySettings
from ecsops.resources.event_alert_rule import EventAlertRule
from ecsops.resources.license_task import LicenseTask
from ecsops.resources.maintenance_attributes import MaintenanceAttributes
from ecsops.resources.scheduled_invocation import ScheduledInvocation

__all__ = ["Command", "DeliverySettings", "EventAlertRule", "LicenseTask", "MaintenanceAttributes",
           "ScheduledInvocation"]
