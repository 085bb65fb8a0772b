"""Every API operation ecsops calls, with whether it is safe to repeat: declared once, read by the client.

Retries happen only where repeating cannot do harm (API.md section 1):

| Retry | meaning |
|---|---|
| READ | no side effect |
| IDEMPOTENT | sets a state (modify, upsert): a repeat converges to the same state |
| TOKEN | a create carrying a ClientToken: the repeat returns the first object |
| DELETE | a repeat answers not-found, which the caller treats as done |
| NEVER | anything else |
"""

from __future__ import annotations

import re
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
    #: False for a product no official SDK knows (called through the SDK's generic client).
    has_sdk: bool = True
    #: False for a product only the ecsops emulator has (License Manager has no public API).
    public: bool = True


ECS = Product("ecs", "2014-05-26")


@dataclass(frozen=True)
class Operation:
    product: Product
    action: str
    retry: Retry

    @property
    def method(self) -> str:
        """The SDK client's method: `CreateCommand` -> `create_command_with_options`."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.action).lower() + "_with_options"

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
DESCRIBE_ACCOUNT_ATTRIBUTES = Operation(ECS, "DescribeAccountAttributes", Retry.READ)
INVOKE_COMMAND = Operation(ECS, "InvokeCommand", Retry.TOKEN)
DESCRIBE_INVOCATIONS = Operation(ECS, "DescribeInvocations", Retry.READ)
DESCRIBE_INVOCATION_RESULTS = Operation(ECS, "DescribeInvocationResults", Retry.READ)
STOP_INVOCATION = Operation(ECS, "StopInvocation", Retry.DELETE)
DESCRIBE_CLOUD_ASSISTANT_STATUS = Operation(ECS, "DescribeCloudAssistantStatus", Retry.READ)
MODIFY_INSTANCE_MAINTENANCE_ATTRIBUTES = Operation(ECS, "ModifyInstanceMaintenanceAttributes", Retry.IDEMPOTENT)
DESCRIBE_INSTANCE_MAINTENANCE_ATTRIBUTES = Operation(ECS, "DescribeInstanceMaintenanceAttributes", Retry.READ)
MODIFY_CLOUD_ASSISTANT_SETTINGS = Operation(ECS, "ModifyCloudAssistantSettings", Retry.IDEMPOTENT)
DESCRIBE_CLOUD_ASSISTANT_SETTINGS = Operation(ECS, "DescribeCloudAssistantSettings", Retry.READ)

CMS = Product("cms", "2019-01-01")

PUT_EVENT_RULE = Operation(CMS, "PutEventRule", Retry.IDEMPOTENT)               # upsert by rule name
PUT_EVENT_RULE_TARGETS = Operation(CMS, "PutEventRuleTargets", Retry.IDEMPOTENT)  # upsert by target id
DESCRIBE_EVENT_RULE_LIST = Operation(CMS, "DescribeEventRuleList", Retry.READ)
DESCRIBE_EVENT_RULE_TARGET_LIST = Operation(CMS, "DescribeEventRuleTargetList", Retry.READ)
DELETE_EVENT_RULE_TARGETS = Operation(CMS, "DeleteEventRuleTargets", Retry.DELETE)
DELETE_EVENT_RULES = Operation(CMS, "DeleteEventRules", Retry.DELETE)
ENABLE_EVENT_RULES = Operation(CMS, "EnableEventRules", Retry.IDEMPOTENT)
DISABLE_EVENT_RULES = Operation(CMS, "DisableEventRules", Retry.IDEMPOTENT)

#: License Manager has no public API anywhere: ecsops defines it in its emulator only (API.md 5).
LICENSE = Product("license", "2022-07-07", has_sdk=False, public=False)

CREATE_LICENSE_TASK = Operation(LICENSE, "CreateLicenseTask", Retry.TOKEN)
DESCRIBE_LICENSE_TASKS = Operation(LICENSE, "DescribeLicenseTasks", Retry.READ)
MODIFY_LICENSE_TASK = Operation(LICENSE, "ModifyLicenseTask", Retry.IDEMPOTENT)
ADD_LICENSE_DISCOVERY_RULES = Operation(LICENSE, "AddLicenseDiscoveryRules", Retry.NEVER)  # a repeat is a duplicate
ACTIVATE_LICENSE_TASK = Operation(LICENSE, "ActivateLicenseTask", Retry.IDEMPOTENT)
DEACTIVATE_LICENSE_TASK = Operation(LICENSE, "DeactivateLicenseTask", Retry.IDEMPOTENT)
DESCRIBE_LICENSE_TASK_RESOURCES = Operation(LICENSE, "DescribeLicenseTaskResources", Retry.READ)
DELETE_LICENSE_TASK = Operation(LICENSE, "DeleteLicenseTask", Retry.DELETE)
