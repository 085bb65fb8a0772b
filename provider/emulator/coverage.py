"""What each emulated operation covers, as data, and the generator of docs/emulator-coverage.md from it.

For every operation the products register (`Product.operations`, the registries `app.PRODUCTS` holds): the
request parameters its handler honours, those it accepts and ignores (with the reason), those it reads only
to refuse them, those it honours although the official SDK's request model has no such field, and each known
difference of its answers from the SDK's response model, with the reason. Out-of-scope products say why.

The tables are checked, so they stay true (the emulator itself imports no SDK; the tests do):
- tests/emulator/test_coverage_doc.py: every registered operation has an entry and no other does; for ECS
  and CloudMonitor every field of the SDK's request model is honoured, ignored or refused, and no name is
  listed that the model lacks (except `unmodelled` ones); the committed document is what `render()` writes.
- tests/emulator/test_shapes.py: every parameter a handler reads while its scenario runs is listed as
  honoured (or refused, or unmodelled); every difference of an answer from the response model is listed
  here, and every difference listed here still occurs.

`python -m ecsops.emulator.coverage` rewrites docs/emulator-coverage.md (`--check`: exit 1 when it is stale;
`--output FILE`: write elsewhere).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

EXTRA, MISSING, TYPE = "extra", "missing", "type"
KINDS = {
    EXTRA: "answered, but the SDK model has no such field",
    MISSING: "a field of the SDK model the emulator never answers",
    TYPE: "answered with another JSON type than the SDK model's",
}
#: Paths of answers: `Commands.Command[].Tags` (`[]`: each element of a list); `@error.` starts the paths of
#: error answers, whose shape is the envelope every RPC error has (test_shapes.ERROR_ENVELOPE).
ERROR_PREFIX = "@error."

#: The account parameters of ECS requests (RAM delegation, resource owners): the emulator has one account.
OWNER_PARAMETERS = ("OwnerId", "OwnerAccount", "ResourceOwnerId", "ResourceOwnerAccount")
OWNER_REASON = "the caller's account and the RAM delegation of resource owners: the emulator has one account"

PAGING = ("MaxResults", "NextToken", "PageNumber", "PageSize")


@dataclass(frozen=True)
class Difference:
    """A known way the emulator's answers differ from the SDK's response model: `kind` at each of `paths`."""

    kind: str
    reason: str
    paths: tuple[str, ...]


def differ(kind: str, reason: str, *paths: str) -> Difference:
    return Difference(kind, reason, paths)


@dataclass(frozen=True)
class Coverage:
    """One operation: the request parameters its handler honours, ignores (name -> why), reads only to refuse
    (name -> why) and honours without a field in the SDK's request model (name -> why); its answers'
    differences from the SDK's response model; a note for the document."""

    honoured: tuple[str, ...]
    ignored: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, str] = field(default_factory=dict)
    unmodelled: Mapping[str, str] = field(default_factory=dict)
    differences: tuple[Difference, ...] = ()
    #: Shown in the document; `{name}` stands for a fact read from the emulator's code (`facts()`).
    note: str = ""

    def listed(self) -> set[tuple[str, str]]:
        """(path, kind) of every listed difference."""
        return {(path, difference.kind) for difference in self.differences for path in difference.paths}


def _ignore(reason: str, *names: str) -> dict[str, str]:
    return {name: reason for name in names}


# -- ECS ------------------------------------------------------------------------------------------------------

_NO_VERSIONS = "the emulator keeps one version of a command, which is always the latest"
_OSS_OUTPUT = ("not emulated: output goes to OSS only through the region's InvocationDelivery setting "
               "(ModifyCloudAssistantSettings)")
_NOT_KEPT = "the emulated instances have no such attribute: the filter is accepted and not applied"
_INSTANCE_FILTERS = (
    "AdditionalAttributes", "DeviceAvailable", "DryRun", "EipAddresses", "Filter", "HpcClusterId", "HttpEndpoint",
    "HttpPutResponseHopLimit", "HttpTokens", "ImageId", "InnerIpAddresses", "InstanceChargeType", "InstanceName",
    "InstanceNetworkType", "InstanceType", "InstanceTypeFamily", "InternetChargeType", "IoOptimized", "Ipv6Address",
    "KeyPairName", "LockReason", "NeedSaleCycle", "PrivateIpAddresses", "PublicIpAddresses", "RdmaIpAddresses",
    "ResourceGroupId", "SecurityGroupId", "VSwitchId", "VpcId", "ZoneId",
)

ECS: dict[str, Coverage] = {
    "CreateCommand": Coverage(
        honoured=("RegionId", "ClientToken", "Name", "Type", "CommandContent", "ContentEncoding", "Description",
                  "WorkingDir", "Timeout", "Launcher", "ResourceGroupId", "EnableParameter", "Tag"),
    ),
    "ModifyCommand": Coverage(
        honoured=("RegionId", "CommandId", "Name", "Description", "WorkingDir", "Timeout", "Launcher"),
        ignored={"CommandContent": "accepted and not applied: a command keeps the content it was created with"},
    ),
    "DescribeCommands": Coverage(
        honoured=("RegionId", "CommandId", "Name", "Description", "Type", "ResourceGroupId", "Tag", "Provider",
                  "ContentEncoding", *PAGING),
        ignored={"Latest": _NO_VERSIONS},
        note="`Provider` (public commands) answers an empty list: the emulator ships no public commands. A "
             "MaxResults outside 1-50 is `InvalidParameter` (the current API reference names "
             "`InvalidParameter.MaxResults`); a bad NextToken is `InvalidNextToken` (it names "
             "`InvalidParameter.NextToken`); PageSize and PageNumber are `InvalidParam.PageSize` / "
             "`InvalidParam.PageNumber`, as the Cloud Assistant documentation lists them.",
    ),
    "DeleteCommand": Coverage(honoured=("RegionId", "CommandId")),
    "InvokeCommand": Coverage(
        honoured=("RegionId", "ClientToken", "CommandId", "RepeatMode", "Frequency", "InstanceId", "ResourceTag",
                  "Parameters", "Timeout", "WorkingDir", "Launcher", "Username", "WindowsPasswordName",
                  "ContainerId", "ContainerName", "TerminationMode", "ResourceGroupId", "Tag"),
        ignored={"Timed": "deprecated by the API: RepeatMode and Frequency decide whether a task is timed",
                 "OssOutputDelivery": _OSS_OUTPUT},
    ),
    "DescribeInvocations": Coverage(
        honoured=("RegionId", "InvokeId", "CommandId", "CommandName", "CommandType", "RepeatMode", "ResourceGroupId",
                  "InstanceId", "Tag", "InvokeStatus", "Timed", "IncludeOutput", "ContentEncoding", *PAGING),
    ),
    "DescribeInvocationResults": Coverage(
        honoured=("RegionId", "InvokeId", "InstanceId", "CommandId", "IncludeHistory", "InvokeRecordStatus", "Tag",
                  "ContentEncoding", *PAGING),
        ignored={"ResourceGroupId": "not applied: run records are not filtered by their task's resource group"},
    ),
    "StopInvocation": Coverage(honoured=("RegionId", "InvokeId", "InstanceId")),
    "DescribeCloudAssistantStatus": Coverage(honoured=("RegionId", "InstanceId", "OSType", *PAGING)),
    "TagResources": Coverage(
        honoured=("RegionId", "ResourceType", "ResourceId", "Tag"),
        note="Resource types: {taggable} (others: InvalidResourceType.NotFound).",
    ),
    "UntagResources": Coverage(honoured=("RegionId", "ResourceType", "ResourceId", "TagKey", "All")),
    "ListTagResources": Coverage(
        honoured=("RegionId", "ResourceType", "ResourceId"),
        ignored={"Tag": "not applied: resources are listed by ResourceId.N (required), not found by their tags",
                 "TagFilter": "not applied: resources are listed by ResourceId.N (required), not found by tags",
                 "NextToken": "one page: every tag of the (at most 50) resources asked for is answered at once"},
    ),
    "DescribeInstances": Coverage(
        honoured=("RegionId", "InstanceIds", "Status", "Tag", *PAGING),
        ignored=_ignore(_NOT_KEPT, *_INSTANCE_FILTERS),
        differences=(
            differ(MISSING, "emulated instances have no IPv6 addresses or prefixes and no operation locks: these "
                            "lists are always empty",
                   "Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv4PrefixSets.Ipv4PrefixSet[]",
                   "Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv6PrefixSets.Ipv6PrefixSet[]",
                   "Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv6Sets.Ipv6Set[]",
                   "Instances.Instance[].OperationLocks.LockReason[]"),
        ),
    ),
    "DescribeAccountAttributes": Coverage(
        honoured=("RegionId", "AttributeName"),
        ignored={"ZoneId": "the quotas answered are per region"},
        differences=(
            differ(MISSING, "the Cloud Assistant quotas, the only attributes emulated, are per region: a value "
                            "carries Value and Count, not the zone, instance type, charge type, disk category or "
                            "expiry other attributes qualify theirs with",
                   *(f"AccountAttributeItems.AccountAttributeItem[].AttributeValues.ValueItem[].{name}"
                     for name in ("DiskCategory", "ExpiredTime", "InstanceChargeType", "InstanceType", "ZoneId"))),
        ),
        note="Only {attributes} are answered; other attribute names answer nothing.",
    ),
    "ModifyInstanceMaintenanceAttributes": Coverage(
        honoured=("RegionId", "InstanceId", "ActionOnMaintenance", "NotifyOnMaintenance", "MaintenanceWindow"),
    ),
    "DescribeInstanceMaintenanceAttributes": Coverage(
        honoured=("RegionId", "InstanceId", "PageNumber", "PageSize"),
    ),
    "ModifyCloudAssistantSettings": Coverage(
        honoured=("RegionId", "SettingType", "OssDeliveryConfig", "SlsDeliveryConfig"),
        ignored=_ignore("a setting of a type the emulator does not emulate (its SettingType is refused)",
                        "AgentUpgradeConfig", "SessionManagerConfig", "ResourceUsageConfig"),
    ),
    "DescribeCloudAssistantSettings": Coverage(
        honoured=("RegionId", "SettingType"),
        differences=(
            differ(MISSING, "the setting types AgentUpgradeConfig, SessionManagerConfig and ResourceUsageConfig are "
                            "not emulated (refused as SettingType), so their parts are never answered",
                   "AgentUpgradeConfig", "SessionManagerConfig", "ResourceUsageConfig"),
        ),
        note="Setting types: {setting_types} (others: InvalidParameter.SettingType).",
    ),
    "DescribeInstanceHistoryEvents": Coverage(
        honoured=("RegionId", "EventId", "ResourceType", "InstanceEventCycleStatus", "EventCycleStatus",
                  "InstanceEventType", "EventType", "ResourceId", "InstanceId", "EventPublishTime", "NotBefore",
                  *PAGING),
        ignored={"ImpactLevel": "not applied: emulated events have no impact level",
                 "ResourceGroupId": "not applied: emulated instances belong to no resource group",
                 "Tag": "not applied: events are not selected by the tags of their instances"},
        differences=(
            differ(MISSING, "emulated events have no extended attributes (disk, device, host, rack, metric, "
                            "migration options, punishment)",
                   "InstanceSystemEventSet.InstanceSystemEventType[].ExtendedAttribute"),
        ),
    ),
}

# -- CloudMonitor ---------------------------------------------------------------------------------------------

_SCOPE = ("the call's scope: the rules of that region (the SDK never sends it, so its calls work on the "
          "account-wide rules)")

CMS: dict[str, Coverage] = {
    "PutEventRule": Coverage(
        honoured=("RuleName", "EventPattern", "EventType", "State", "SilenceTime", "GroupId", "Description",
                  "RegionId"),
        note="A pattern's `CustomFilters` keyword matches an event when a value of its notification contains it "
             "(case-sensitive; field names do not count): the documentation says only that the event's content "
             "contains the keyword. `KeywordFilter` cannot be set through this API and is always answered empty.",
    ),
    "DescribeEventRuleList": Coverage(
        honoured=("NamePrefix", "GroupId", "IsEnable", "PageNumber", "PageSize", "RegionId"),
    ),
    "DeleteEventRules": Coverage(
        honoured=("RuleNames",),
        unmodelled={"RegionId": _SCOPE},
    ),
    "EnableEventRules": Coverage(honoured=("RuleNames", "RegionId")),
    "DisableEventRules": Coverage(honoured=("RuleNames", "RegionId")),
    "PutEventRuleTargets": Coverage(
        honoured=("RuleName", "ContactParameters", "WebhookParameters", "MnsParameters", "FcParameters",
                  "SlsParameters", "RegionId"),
        refused={"OpenApiParameters": "API callback targets are not emulated: ParameterInvalid"},
        differences=(
            differ(MISSING, "targets are put all or none (a bad one refuses the call): no target is ever reported "
                            "failed, so these lists are always empty",
                   "FailedContactParameters.ContactParameter[]", "FailedFcParameters.FcParameter[]",
                   "FailedMnsParameters.MnsParameter[]"),
        ),
    ),
    "DescribeEventRuleTargetList": Coverage(
        honoured=("RuleName", "RegionId"),
        differences=(
            differ(MISSING, "API callback targets are not emulated (PutEventRuleTargets refuses them): the list is "
                            "always empty",
                   "OpenApiParameters.OpenApiParameters[]"),
            differ(EXTRA, "a refusal still carries the CloudMonitor envelope's `Success: false` (a success does "
                          "not): the model has no Success, and the real refusal's shape is unconfirmed; ecsops's "
                          "client detects CloudMonitor refusals answered with HTTP 200 by it",
                   "Success"),
        ),
    ),
    "DeleteEventRuleTargets": Coverage(honoured=("RuleName", "Ids", "RegionId")),
}

# -- License Manager ------------------------------------------------------------------------------------------

LICENSE: dict[str, Coverage] = {
    "CreateLicenseTask": Coverage(
        honoured=("RegionId", "ClientToken", "Name", "Description", "LicenseType", "LicenseLimit", "DiscoveryRule")),
    "DescribeLicenseTasks": Coverage(honoured=("RegionId", "LicenseTaskId", *PAGING)),
    "ModifyLicenseTask": Coverage(honoured=("RegionId", "LicenseTaskId", "Description", "LicenseLimit")),
    "AddLicenseDiscoveryRules": Coverage(honoured=("RegionId", "LicenseTaskId", "DiscoveryRule")),
    "ActivateLicenseTask": Coverage(honoured=("RegionId", "LicenseTaskId")),
    "DeactivateLicenseTask": Coverage(honoured=("RegionId", "LicenseTaskId")),
    "DescribeLicenseTaskResources": Coverage(honoured=("RegionId", "LicenseTaskId", "Kind", *PAGING)),
    "DeleteLicenseTask": Coverage(honoured=("RegionId", "LicenseTaskId")),
}

# -- OSS (object API) -----------------------------------------------------------------------------------------

_PAYER = {"x-oss-request-payer": "requester-pays buckets are not emulated: the bucket's owner pays"}
_NO_VERSIONS_OSS = "versioning is not emulated: a versionId is NotImplemented (501)"
_CONDITIONS = "conditional requests are not emulated: the object is answered whatever the condition"
_OBJECT_OPTIONS = ("not kept: an object keeps its bytes, its Content-Type, ETag, CRC-64 and time, nothing else "
                   "(no ACL, storage class, user metadata, HTTP headers, encryption, tags or retention)")
_PUT_OPTIONS = ("x-oss-object-acl", "x-oss-storage-class", "x-oss-meta-", "Cache-Control", "Content-Disposition",
                "Content-Encoding", "Expires", "x-oss-server-side-encryption", "x-oss-server-side-data-encryption",
                "x-oss-server-side-encryption-key-id", "x-oss-tagging", "x-oss-object-worm-retain-until-date",
                "x-oss-object-worm-mode", "x-oss-object-worm-legal-hold")
_LISTING = ("bucket", "prefix", "delimiter", "max-keys", "encoding-type")

_ERROR = (
    differ(MISSING, "the emulator's error documents carry Code, Message, RequestId and HostId: OSS's EC (error "
                    "code detail) and RecommendDoc (a documentation link) are not emulated",
           "@error.Error.EC", "@error.Error.RecommendDoc"),
)
_NAMED = "the error document names what it is about, as OSS's do ({what}): the SDK keeps every element"
_VERSIONED = "versioning is not emulated: no version id or delete marker is answered"
_NOT_KEPT_HEADERS = ("the object keeps no such attribute (HTTP headers, user metadata, encryption, tags, "
                     "retention, restore, lifecycle, appendable position, image processing), so none is answered")
_OBJECT_HEADERS = ("Cache-Control", "Content-Disposition", "Content-Encoding", "Content-MD5", "Expires",
                   "x-oss-expiration", "x-oss-meta-", "x-oss-next-append-position", "x-oss-object-worm-legal-hold",
                   "x-oss-object-worm-mode", "x-oss-object-worm-retain-until-date", "x-oss-process-status",
                   "x-oss-restore", "x-oss-sealed-time", "x-oss-server-side-data-encryption",
                   "x-oss-server-side-encryption", "x-oss-server-side-encryption-key-id", "x-oss-tagging-count")
_RANGES = differ(EXTRA, "answered like OSS (`Accept-Ranges: bytes`), though ranges are not emulated; the result "
                        "model has no such field", "header:Accept-Ranges")


def _named(what: str, element: str) -> Difference:
    return differ(EXTRA, _NAMED.format(what=what), f"@error.Error.{element}")


def _headers(*names: str) -> tuple[str, ...]:
    return tuple(f"header:{name}" for name in names)


_LIST_DIFFERENCES = (
    *_ERROR, _named("NoSuchBucket", "BucketName"),
    differ(MISSING, "no object is archived or moved by lifecycle rules: no restore state or transition time",
           "ListBucketResult.Contents[].RestoreInfo", "ListBucketResult.Contents[].TransitionTime"),
)
_GET_IGNORED = {**_ignore(_CONDITIONS, "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"),
                **_PAYER}

OSS: dict[str, Coverage] = {
    "PutBucket": Coverage(
        honoured=("bucket",),
        ignored={**_ignore("not kept: a bucket is a name in a region, private, with no tags, resource group or "
                           "configuration (storage class, redundancy)", "x-oss-acl", "x-oss-resource-group-id",
                           "x-oss-bucket-tagging", "x-oss-agentic-bucket", "CreateBucketConfiguration")},
        differences=(*_ERROR, _named("BucketAlreadyExists", "BucketName"),
                     differ(EXTRA, "answered like OSS (`Location: /bucket`); the result model has no such field",
                            "header:Location")),
        note="The bucket is made in the region the request is signed for (V1 signatures name none: the world's "
             "first region).",
    ),
    "GetBucketAcl": Coverage(honoured=("bucket",), differences=(*_ERROR, _named("NoSuchBucket", "BucketName")),
                             note="Every bucket is private."),
    "ListObjects": Coverage(honoured=(*_LISTING, "marker"), ignored=_PAYER, differences=_LIST_DIFFERENCES),
    "ListObjectsV2": Coverage(honoured=(*_LISTING, "start-after", "continuation-token", "fetch-owner"),
                              ignored=_PAYER, differences=_LIST_DIFFERENCES),
    "PutObject": Coverage(
        honoured=("bucket", "key", "body", "Content-Type", "Content-MD5", "Content-Length",
                  "x-oss-forbid-overwrite"),
        ignored={**_ignore(_OBJECT_OPTIONS, *_PUT_OPTIONS), **_PAYER,
                 **_ignore("upload callbacks and traffic limits are not emulated", "x-oss-callback",
                           "x-oss-callback-var", "x-oss-traffic-limit")},
        differences=(*_ERROR, differ(MISSING, _VERSIONED, "header:x-oss-version-id")),
    ),
    "GetObject": Coverage(
        honoured=("bucket", "key"),
        ignored={**_GET_IGNORED,
                 **_ignore("not emulated: the whole object is answered, with its own headers", "Range",
                           "x-oss-range-behavior", "Accept-Encoding", "response-cache-control",
                           "response-content-disposition", "response-content-encoding",
                           "response-content-language", "response-content-type", "response-expires",
                           "x-oss-process", "x-oss-traffic-limit")},
        refused={"versionId": _NO_VERSIONS_OSS},
        differences=(*_ERROR, _named("NoSuchKey", "Key"), _RANGES,
                     differ(MISSING, _NOT_KEPT_HEADERS, *_headers(*_OBJECT_HEADERS)),
                     differ(MISSING, "ranges are not emulated: the whole object is answered", "header:Content-Range"),
                     differ(MISSING, _VERSIONED, *_headers("x-oss-version-id", "x-oss-delete-marker"))),
    ),
    "HeadObject": Coverage(
        honoured=("bucket", "key"), ignored=_GET_IGNORED, refused={"versionId": _NO_VERSIONS_OSS},
        differences=(*_ERROR, _named("NoSuchKey", "Key"), _RANGES,
                     differ(MISSING, _NOT_KEPT_HEADERS, *_headers(*_OBJECT_HEADERS, "x-oss-transition-time")),
                     differ(MISSING, "CORS and requester-pays are not emulated", *_headers(
                         "Access-Control-Allow-Age", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods",
                         "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "x-oss-request-charged")),
                     differ(MISSING, _VERSIONED, "header:x-oss-version-id")),
    ),
    "GetObjectMeta": Coverage(
        honoured=("bucket", "key"), ignored=_PAYER, refused={"versionId": _NO_VERSIONS_OSS},
        differences=(*_ERROR, _named("NoSuchKey", "Key"),
                     differ(MISSING, "access tracking and lifecycle transitions are not emulated",
                            "header:x-oss-last-access-time", "header:x-oss-transition-time"),
                     differ(MISSING, _VERSIONED, "header:x-oss-version-id")),
    ),
    "DeleteObject": Coverage(
        honoured=("bucket", "key"),
        ignored={**_PAYER, "x-oss-bypass-governance-retention": "retention is not emulated"},
        refused={"versionId": _NO_VERSIONS_OSS},
        differences=(*_ERROR, _named("NoSuchBucket", "BucketName"),
                     differ(MISSING, _VERSIONED, "header:x-oss-version-id", "header:x-oss-delete-marker")),
    ),
}

#: Product name (`Product.name`) -> action -> coverage.
COVERAGE: dict[str, dict[str, Coverage]] = {"ecs": ECS, "cms": CMS, "license": LICENSE, "oss": OSS}

#: Products whose answers are not compared with an SDK's response models, and why.
OUT_OF_SCOPE: dict[str, str] = {
    "license": "no public SDK or API reference exists (docs/wire.md §5): ecsops defines the API in the emulator, "
               "so there is no response model to compare with",
}

TITLES = {"ecs": "ECS (2014-05-26)", "cms": "CloudMonitor (2019-01-01)", "license": "License Manager (2022-07-07)",
          "oss": "OSS (object API)"}


# -- The document ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registered:
    """What the registries say about one operation."""

    product: str
    action: str
    writes: bool


def registered() -> list[Registered]:
    """Every operation of every product, as the products register them (RPC products, then OSS)."""
    from ecsops.emulator.app import PRODUCTS
    from ecsops.emulator.oss.api import HANDLERS

    found = [Registered(product.name, action, operation.writes)
             for product in PRODUCTS.values() for action, operation in product.operations.items()]
    return found + [Registered("oss", action, action in ("PutBucket", "PutObject", "DeleteObject"))
                    for action in HANDLERS]


def facts() -> dict[str, str]:
    """What notes quote from the emulator's code, so that they follow it."""
    from ecsops.emulator.ecs import assistant_settings, instances, tagging

    return {"taggable": _names(tagging.TAGGABLE), "attributes": _names(instances.ACCOUNT_ATTRIBUTES),
            "setting_types": _names(assistant_settings.DELIVERY_TYPES)}


def _names(names: Iterable[str]) -> str:
    listed = sorted(names)
    return ", ".join(f"`{name}`" for name in listed) if listed else "—"


WIDTH = 116


def _item(text: str, level: int = 0) -> str:
    """A list item of the document, wrapped at WIDTH."""
    indent = "  " * level
    return textwrap.fill(text, WIDTH, initial_indent=f"{indent}- ", subsequent_indent=f"{indent}  ",
                         break_on_hyphens=False, break_long_words=False)


def _reasons(reasons: Mapping[str, str]) -> list[str]:
    """One item per reason, naming its parameters."""
    grouped: dict[str, list[str]] = {}
    for name, reason in reasons.items():
        grouped.setdefault(reason, []).append(name)
    return [_item(f"{_names(names)}: {reason}", 1) for reason, names in grouped.items()]


def _operation_section(operation: Registered, coverage: Coverage | None, known: Mapping[str, str]) -> list[str]:
    kind = "write" if operation.writes else "read"
    lines = [f"### {operation.action} ({kind})", ""]
    if coverage is None:
        return lines + ["Not described in provider/emulator/coverage.py.", ""]
    lines.append(_item(f"Honoured: {_names(coverage.honoured)}"))
    for title, reasons in (("Ignored", coverage.ignored), ("Refused", coverage.refused),
                           ("Honoured without a field in the SDK's request model", coverage.unmodelled)):
        if reasons:
            lines += [f"- {title}:", *_reasons(reasons)]
    if coverage.note:
        lines.append(_item(f"Note: {coverage.note.format(**known)}"))
    if coverage.differences:
        lines += ["", "| answer field | difference | why |", "|---|---|---|"]
        lines += [f"| {'<br>'.join(f'`{path}`' for path in difference.paths)} | {difference.kind} | "
                  f"{difference.reason} |" for difference in coverage.differences]
    return lines + [""]


def _summary(operations: Sequence[Registered]) -> list[str]:
    lines = ["| product | operations | compared with the SDK | known differences (fields) |", "|---|---|---|---|"]
    for product in dict.fromkeys(operation.product for operation in operations):
        actions = [operation.action for operation in operations if operation.product == product]
        table = COVERAGE.get(product, {})
        fields = sum(len(table[action].listed()) for action in actions if action in table)
        compared = "no (see below)" if product in OUT_OF_SCOPE else "yes"
        lines.append(f"| {TITLES.get(product, product)} | {len(actions)} | {compared} | {fields} |")
    return lines + [""]


HEADER = """# Emulator coverage

<!-- Generated by `python -m ecsops.emulator.coverage` from provider/emulator/coverage.py and the products'
registries. Do not edit: change coverage.py and regenerate (tests/emulator/test_coverage_doc.py fails when
this file is stale). -->

Every operation the emulator serves, the request parameters it honours, those it accepts and ignores, and
each known difference of its answers from the official SDK's response models (`alibabacloud_ecs20140526`,
`alibabacloud_cms20190101`, and for OSS `alibabacloud_oss_v2`, whose result models declare headers and XML
elements), with the reason. The differences are found by tests/emulator/test_shapes.py,
which calls every operation through the SDK and compares each raw answer with the response model: a field
the model lacks (**extra**), a field of the model never answered (**missing**), another JSON type
(**type**). It fails on a difference not listed here, and on a listed one that no longer occurs. With
`ECSOPS_VERIFY_CLOUD=1` the same scenarios run against a real account (`make verify-cloud`,
tests/support/verify.py). ECS requests also take the account parameters (`OwnerId`, `OwnerAccount`,
`ResourceOwnerId`, `ResourceOwnerAccount`); every operation ignores them: {owner}.

"""


def _header() -> str:
    """The title, then the introduction with its paragraphs wrapped at WIDTH."""
    parts = HEADER.format(owner=OWNER_REASON).strip("\n").split("\n\n")
    return "\n\n".join(part if part.startswith("#") else textwrap.fill(" ".join(part.split()), WIDTH,
                                                                       break_on_hyphens=False) for part in parts)


def _product_section(product: str, operations: Sequence[Registered], known: Mapping[str, str]) -> list[str]:
    """A product's title, why its answers are not compared (when they are not), then each of its operations."""
    lines = [f"## {TITLES.get(product, product)}", ""]
    if product in OUT_OF_SCOPE:
        lines += [textwrap.fill(f"Answers not compared with an SDK: {OUT_OF_SCOPE[product]}.", WIDTH), ""]
    if product not in COVERAGE:
        actions = ", ".join(operation.action for operation in operations)
        return lines + [textwrap.fill(f"Operations: {actions} (docs/emulator.md, *The OSS object API*, gives the "
                                      "parameters and headers each takes).", WIDTH), ""]
    for operation in sorted(operations, key=lambda operation: operation.action):
        lines += _operation_section(operation, COVERAGE[product].get(operation.action), known)
    return lines


def render() -> str:
    """The whole document."""
    operations, known = registered(), facts()
    lines = [_header(), "", *_summary(operations)]
    for product in dict.fromkeys(operation.product for operation in operations):
        lines += _product_section(product, [operation for operation in operations if operation.product == product],
                                  known)
    return "\n".join(lines).rstrip("\n") + "\n"


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "emulator-coverage.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecsops.emulator.coverage",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--output", type=Path, default=DOCUMENT, help="where to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the file is stale")
    arguments = parser.parse_args(argv)
    text = render()
    if arguments.check:
        current = arguments.output.read_text(encoding="utf-8") if arguments.output.exists() else ""
        if current != text:
            print(f"{arguments.output} is stale: run python -m ecsops.emulator.coverage", file=sys.stderr)
            return 1
        return 0
    arguments.output.write_text(text, encoding="utf-8")
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
