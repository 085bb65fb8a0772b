"""What maintenance does to the fleet, and where execution records are archived."""

import pulumi

from ecsops.resources import Command, DeliverySettings, MaintenanceAttributes, ScheduledInvocation

web = MaintenanceAttributes("web-recover", instance_ids=["i-demo-linux-1"], action="AutoRecover", notify=True,
                            window={"start": "02:00:00", "end": "05:00:00"})
batch = MaintenanceAttributes("batch-stop", instance_ids=["i-demo-linux-2"], action="Stop")
cache = MaintenanceAttributes("cache-redeploy", instance_ids=["i-demo-localdisk-1"], action="AutoRedeploy")

audit = DeliverySettings(
    "audit-trail",
    region="cn-hangzhou",
    oss={"enabled": True, "bucket": "ecsops-demo-records", "prefix": "audit"},
    log_service={"enabled": True, "project": "ecsops-demo", "logstore": "cloud-assistant"},
)

warm = Command("warm-caches", name="warm-caches", type="RunShellScript",
               content='echo "warming caches on {{ACS::InstanceId}}"\n', enable_parameter=True)
ScheduledInvocation("warm-after-restart", command_id=warm.command_id, instance_ids=["i-demo-linux-1"],
                    repeat_mode="EveryReboot")

pulumi.export("maintenance", [web.settings_id, batch.settings_id, cache.settings_id])
pulumi.export("delivery", audit.settings_id)
