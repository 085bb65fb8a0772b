"""Two Cloud Assistant commands, declared with Pulumi (the YAML twin is examples/quickstart/stack.yaml)."""

import pulumi

from ecsops.resources import Command

disk_check = Command(
    "disk-check",
    name="disk-check",
    description="Free space on a mount point",
    type="RunShellScript",
    content='#!/bin/bash\necho "checking {{mount}} on {{ACS::InstanceId}}"\ndf -h {{mount}}\n',
    enable_parameter=True,
    timeout=120,
    tags={"team": "sre"},
)

uptime = Command(
    "uptime",
    name="uptime",
    type="RunShellScript",
    content='echo "up since $(uptime -s)"\n',
    timeout=30,
)

pulumi.export("diskCheckId", disk_check.command_id)
pulumi.export("diskCheckParameters", disk_check.parameter_names)
pulumi.export("uptimeId", uptime.command_id)
