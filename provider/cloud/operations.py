"""Every API operation ecsops calls, with whether it is safe to repeat: declared once, read by the client.

Retries happen only where repeating cannot do harm (docs/wire.md §1):

| Retry | meaning |
|---|---|
| READ | no side effect |
| IDEMPOTENT | sets a state (modify, upsert): a repeat converges to the same state |
| TOKEN | a create carrying a ClientToken: the repeat returns the first object |
| DELETE | a repeat answers not-found, which the caller treats as done |
| NEVER | anything else |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Retry(str, Enum):
    READ = "read"
    IDEMPOTENT = "idempotent"
    TOKEN = "token"
    DELETE = "delete"
    NEVER = "never"


@dataclass(frozen=True)
class Product:
    name: str       # "ecs"
    version: str    # wire version
    #: The module of the product's official SDK client, whose endpoint rules find the product's endpoint in
    #: a region of the real cloud; None for a product no SDK knows.
    sdk: str | None = None
    #: False for a product only the ecsops emulator has (License Manager has no public API).
    public: bool = True
    #: False where calls carry no RegionId (CloudMonitor's event rules are account-wide; its SDK sends none).
    regional: bool = True


ECS = Product("ecs", "2014-05-26", sdk="alibabacloud_ecs20140526.client")


@dataclass(frozen=True)
class Operation:
    """One RPC action. `json_params`: parameters the API takes as one JSON text (an object such as a task's
    parameters), which the product SDKs send in the `json` style; every other parameter is flattened
    (`Tag.1.Key`), as the SDKs do."""

    product: Product
    action: str
    retry: Retry
    json_params: frozenset[str] = frozenset()

    @property
    def writes(self) -> bool:
        return self.retry is not Retry.READ


CREATE_COMMAND = Operation(ECS, "CreateCommand", Retry.TOKEN)
MODIFY_COMMAND = Operation(ECS, "ModifyCommand", Retry.IDEMPOTENT)
DESCRIBE_COMMANDS = Operation(ECS, "DescribeCommands", Retry.READ)
DELETE_COMMAND = Operation(ECS, "DeleteCommand", Retry.DELETE)
TAG_RESOURCES = Operation(ECS, "TagResources", Retry.IDEMPOTENT)
UNTAG_RESOURCES = Operation(ECS, "UntagResources", Retry.IDEMPOTENT)
DESCRIBE_INSTANCES = Operation(ECS, "DescribeInstances", Retry.READ)
INVOKE_COMMAND = Operation(ECS, "InvokeCommand", Retry.TOKEN, frozenset({"Parameters"}))
DESCRIBE_INVOCATIONS = Operation(ECS, "DescribeInvocations", Retry.READ)
STOP_INVOCATION = Operation(ECS, "StopInvocation", Retry.DELETE)
MODIFY_INSTANCE_MAINTENANCE_ATTRIBUTES = Operation(ECS, "ModifyInstanceMaintenanceAttributes", Retry.IDEMPOTENT)
DESCRIBE_INSTANCE_MAINTENANCE_ATTRIBUTES = Operation(ECS, "DescribeInstanceMaintenanceAttributes", Retry.READ)
MODIFY_CLOUD_ASSISTANT_SETTINGS = Operation(ECS, "ModifyCloudAssistantSettings", Retry.IDEMPOTENT, frozenset({
    "AgentUpgradeConfig", "OssDeliveryConfig", "ResourceUsageConfig", "SessionManagerConfig", "SlsDeliveryConfig"}))
DESCRIBE_CLOUD_ASSISTANT_SETTINGS = Operation(ECS, "DescribeCloudAssistantSettings", Retry.READ)

CMS = Product("cms", "2019-01-01", sdk="alibabacloud_cms20190101.client", regional=False)

PUT_EVENT_RULE = Operation(CMS, "PutEventRule", Retry.IDEMPOTENT)               # upsert by rule name
PUT_EVENT_RULE_TARGETS = Operation(CMS, "PutEventRuleTargets", Retry.IDEMPOTENT)  # upsert by target id
DESCRIBE_EVENT_RULE_LIST = Operation(CMS, "DescribeEventRuleList", Retry.READ)
DESCRIBE_EVENT_RULE_TARGET_LIST = Operation(CMS, "DescribeEventRuleTargetList", Retry.READ)
DELETE_EVENT_RULE_TARGETS = Operation(CMS, "DeleteEventRuleTargets", Retry.DELETE)
DELETE_EVENT_RULES = Operation(CMS, "DeleteEventRules", Retry.DELETE)

#: License Manager has no public API anywhere: ecsops defines it in its emulator only (docs/wire.md §5).
LICENSE = Product("license", "2022-07-07", public=False)

CREATE_LICENSE_TASK = Operation(LICENSE, "CreateLicenseTask", Retry.TOKEN)
DESCRIBE_LICENSE_TASKS = Operation(LICENSE, "DescribeLicenseTasks", Retry.READ)
MODIFY_LICENSE_TASK = Operation(LICENSE, "ModifyLicenseTask", Retry.IDEMPOTENT)
ADD_LICENSE_DISCOVERY_RULES = Operation(LICENSE, "AddLicenseDiscoveryRules", Retry.NEVER)  # a repeat is a duplicate
ACTIVATE_LICENSE_TASK = Operation(LICENSE, "ActivateLicenseTask", Retry.IDEMPOTENT)
DEACTIVATE_LICENSE_TASK = Operation(LICENSE, "DeactivateLicenseTask", Retry.IDEMPOTENT)
DELETE_LICENSE_TASK = Operation(LICENSE, "DeleteLicenseTask", Retry.DELETE)
