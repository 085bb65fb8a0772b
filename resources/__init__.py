"""The resource kinds of ecsops. Importing this package registers every kind with the engine.

    from ecsops.resources import Command, EventAlertRule, ScheduledInvocation
"""

from ecsops.resources.command import Command
from ecsops.resources.event_alert_rule import EventAlertRule
from ecsops.resources.scheduled_invocation import ScheduledInvocation

__all__ = ["Command", "EventAlertRule", "ScheduledInvocation"]
