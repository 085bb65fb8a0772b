"""A disk check run every night at 02:00 Shanghai time on two instances, with a secret parameter."""

import os

import pulumi

from ecsops.resources import Command, ScheduledInvocation

config = pulumi.Config()
# The token from where it lives (Pulumi's secret config, else $MONITOR_TOKEN); the placeholder is not a secret.
token = config.get_secret("monitorToken") or pulumi.Output.secret(
    os.environ.get("MONITOR_TOKEN", "placeholder-not-a-secret"))

disk_check = Command(
    "disk-check",
    name="disk-check",
    description="Report free space of a mount point to the monitoring endpoint",
    type="RunShellScript",
    content=(
        "#!/bin/bash\n"
        'echo "disk check on {{ACS::InstanceId}} for {{mount}}"\n'
        "df -h {{mount}}\n"
        'curl -s -H "Authorization: {{token}}" https://monitor.example.com/disk || true\n'
    ),
    enable_parameter=True,
    timeout=120,
)

nightly = ScheduledInvocation(
    "nightly-disk-check",
    command_id=disk_check.command_id,
    instance_ids=["i-demo-linux-1", "i-demo-linux-2"],
    frequency="0 0 2 * * ? Asia/Shanghai",
    parameters={"mount": "/", "token": token},
    tags={"team": "sre"},
)

pulumi.export("invokeId", nightly.invoke_id)
pulumi.export("nextRuns", nightly.next_runs)
