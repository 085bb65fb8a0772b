"""ECS system events and the event notifications ECS sends (the ECS side of event-driven O&M).

For other modules of the emulator:

- `raise_event(tx, resource_id, event_type, status, now, not_before=None, reason="")` -> the event row;
- `move_event(tx, event_id, status, now)` -> the event row: an event handled by hand (Avoided, Canceled...);
- `on_transition(hook)`: `hook(tx, event, new_status, at)` whenever an event enters a state;
- `on_planning(planner)`: `planner(tx, event_type, instance_id, not_before, at) -> Plan` whenever an event
  is raised in or moved to Scheduled: it may move notBefore later, or have it announced Inquiring first;
- `set_instance_status(tx, instance_id, status, now)`: a status change and its `Instance:StateChange`;
- `announce(tx, changes, now)`: the `Instance:StateChange`s of the status changes a world merge made;
- `notifications.subscribe(subscriber)`: `subscriber(tx, notification)` for every notification.

Importing the package registers the catch-up step that moves events along with the clock.
"""

from ecsops.emulator.events.lifecycle import Plan, find_event, move_event, on_planning, on_transition, raise_event
from ecsops.emulator.events.state_changes import announce, set_instance_status
from ecsops.emulator.events.types import EventError

__all__ = ["EventError", "Plan", "announce", "find_event", "move_event", "on_planning", "on_transition", "raise_event",
           "set_instance_status"]
