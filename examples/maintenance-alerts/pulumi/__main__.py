"""Who hears about ECS system events: critical maintenance to the on-call group and a chat webhook,
failures to a queue an automation reads."""

import pulumi

from ecsops.resources import EventAlertRule

maintenance = EventAlertRule(
    "critical-maintenance",
    name="critical-maintenance",
    description="Scheduled maintenance that restarts, stops or redeploys instances",
    silence_time=3600,
    event_pattern={
        "eventTypes": ["Maintenance"],
        "levels": ["CRITICAL"],
        "names": ["Instance:SystemMaintenance.Reboot", "Instance:SystemMaintenance.Redeploy"],
    },
    targets={
        "contacts": [{"group": "ops-oncall", "level": 3}],
        "webhooks": [{"id": "chat", "url": "https://hooks.example.com/ecs-maintenance", "method": "POST"}],
    },
)

failures = EventAlertRule(
    "system-failures",
    name="system-failures",
    event_pattern={"eventTypes": ["Exception"], "statuses": ["Executing", "Executed", "Failed"]},
    targets={
        "mns": [{"id": "automation", "region": "cn-hangzhou", "queue": "ecs-failures"}],
        "logstores": [{"id": "archive", "region": "cn-hangzhou", "project": "ecsops-demo",
                       "logstore": "cloud-assistant"}],
    },
)

pulumi.export("rules", [maintenance.rule_name, failures.rule_name])
