"""The instances of the world and the account's quotas: DescribeInstances, DescribeAccountAttributes.

An instance is answered with every field of the SDK's DescribeInstances model. What the world document gives or
derives of it (placement, type, image, OS names, addresses, VPC, security groups, billing: world.Instance.details)
is stored with it; the rest is what a plain pay-as-you-go VPC instance answers (no GPU, no dedicated host,
deployment set, spot price, lock or IPv6). Times are to the minute, as DescribeInstances gives them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ecsops.emulator import world
from ecsops.emulator.ecs.errors import CODES, paged
from ecsops.emulator.ecs.models.instances import Instance, region_instances
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context, matches_tags, tag_list, tags_of

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
INSTANCE_IDS_LIMIT = 100
ACCOUNT_ATTRIBUTES = ("max-axt-command-count", "max-axt-invocation-daily")
#: The local disk of an instance with local disks (`localDisk`), in GiB.
LOCAL_DISK_GIB = 1788


@PRODUCT.operation("DescribeInstances", writes=False)
def describe_instances(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    wanted_ids = _instance_ids(ctx)
    status = ctx.params.text("Status")
    if status and status not in INSTANCE_STATUSES:
        raise CODES.error("InvalidStatus.ValueNotSupported", status=status)
    tags = ctx.params.objects("Tag")
    found = [
        instance for instance in region_instances(ctx.tx, region)
        if (wanted_ids is None or instance.id in wanted_ids)
        and (not status or instance.status == status)
        and matches_tags(ctx.tx, "instance", instance.id, tags)
    ]
    chunk, paging = paged(ctx, found, max_size=100)
    return {"Instances": {"Instance": [instance_view(ctx.tx, instance) for instance in chunk]}, **paging}


def _instance_ids(ctx: Context) -> set[str] | None:
    ids = ctx.params.json("InstanceIds")
    if ids is None:
        return None
    if not isinstance(ids, list) or len(ids) > INSTANCE_IDS_LIMIT or not all(isinstance(i, str) for i in ids):
        raise CODES.error("InvalidInstanceIds.Malformed", limit=INSTANCE_IDS_LIMIT)
    return set(ids)


def instance_view(tx: sqlite3.Connection, instance: Instance) -> dict[str, Any]:
    details = instance.details()
    instance_type = details["instanceType"]
    return {
        "InstanceId": instance.id, "InstanceName": instance.name, "Description": details["description"],
        "HostName": details["hostName"], "Status": instance.status, "StoppedMode": _stopped_mode(instance.status),
        "RegionId": instance.region, "ZoneId": details["zoneId"],
        "InstanceType": instance_type, "InstanceTypeFamily": instance_type.rsplit(".", 1)[0],
        "Cpu": instance.cpu, "Memory": instance.memory, "CpuOptions": _cpu_options(instance.cpu), "GPUAmount": 0,
        "GPUSpec": "", "ImageId": details["imageId"], "OSType": instance.os_type, "OSName": details["osName"],
        "OSNameEn": details["osNameEn"], "LocalStorageAmount": 1 if instance.local_disk else 0,
        "LocalStorageCapacity": LOCAL_DISK_GIB if instance.local_disk else 0,
        "CreationTime": _minutes(instance.creation_time),
        "StartTime": _minutes(instance.start_time or instance.creation_time),
        "ExpiredTime": details["expiredTime"], "AutoReleaseTime": "", "KeyPairName": details["keyPairName"],
        "SerialNumber": details["serialNumber"], **_billing(details), **_network(details), **_defaults(),
        "Tags": tag_list(tags_of(tx, "instance", instance.id)),
    }


def _minutes(timestamp: str) -> str:
    """`2026-11-21T02:00:00Z` as DescribeInstances writes it: `2026-11-21T02:00Z`."""
    return f"{timestamp[:16]}Z" if timestamp else ""


def _stopped_mode(status: str) -> str:
    """A stopped pay-as-you-go instance keeps charging unless economical mode is asked for (StopInstances'
    default); an instance that is not stopped has no stopped mode."""
    return "KeepCharging" if status == "Stopped" else "Not-applicable"


def _cpu_options(cpu: int) -> dict[str, Any]:
    """Two threads per core, as the cloud's instance families have (one for a single vCPU)."""
    threads = 2 if cpu > 1 else 1
    return {"CoreCount": cpu // threads, "ThreadsPerCore": threads, "Numa": "", "NestedVirtualization": "",
            "EnableVISST": False, "EnableVRDT": False, "TopologyType": "", "TurboMode": ""}


def _billing(details: dict[str, Any]) -> dict[str, Any]:
    """Charge type, and the public bandwidth: 100 Mbit/s in and 5 out with a public IP, none without."""
    public = bool(details["publicIp"])
    return {"InstanceChargeType": details["instanceChargeType"], "SaleCycle": "", "SpotStrategy": "NoSpot",
            "SpotPriceLimit": 0.0, "SpotDuration": 0, "SpotInterruptionBehavior": "Terminate",
            "InternetChargeType": "PayByTraffic", "InternetMaxBandwidthIn": 100 if public else 0,
            "InternetMaxBandwidthOut": 5 if public else 0}


def _network(details: dict[str, Any]) -> dict[str, Any]:
    """The instance in its VPC: one primary network interface with the private IP; the public IP and EIP if any."""
    private, public, eip = details["privateIp"], details["publicIp"], details["eipAddress"]
    interface = {
        "NetworkInterfaceId": details["networkInterfaceId"], "MacAddress": details["macAddress"],
        "PrimaryIpAddress": private, "Type": "Primary",
        "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": private, "Primary": True, "PrivateDnsName": ""}]},
        "Ipv6Sets": {"Ipv6Set": []}, "Ipv4PrefixSets": {"Ipv4PrefixSet": []}, "Ipv6PrefixSets": {"Ipv6PrefixSet": []},
    }
    return {
        "InstanceNetworkType": "vpc",
        "VpcAttributes": {"VpcId": details["vpcId"], "VSwitchId": details["vSwitchId"],
                          "PrivateIpAddress": {"IpAddress": [private]}, "NatIpAddress": ""},
        "InnerIpAddress": {"IpAddress": []}, "PublicIpAddress": {"IpAddress": [public] if public else []},
        "RdmaIpAddress": {"IpAddress": []},
        "EipAddress": {"AllocationId": f"eip-{details['networkInterfaceId'][4:]}" if eip else "", "IpAddress": eip,
                       "Bandwidth": 5 if eip else 0, "InternetChargeType": "PayByTraffic" if eip else "",
                       "IsSupportUnassociate": bool(eip)},
        "NetworkInterfaces": {"NetworkInterface": [interface]},
        "SecurityGroupIds": {"SecurityGroupId": list(details["securityGroupIds"])},
        "PrivateDnsNameOptions": {"EnableInstanceIdDnsAAAARecord": False, "EnableInstanceIdDnsARecord": False,
                                  "EnableIpDnsARecord": False, "EnableIpDnsPtrRecord": False, "HostnameType": "Custom"},
    }


def _defaults() -> dict[str, Any]:
    """What an instance the world describes answers for the features the emulator does not model."""
    return {
        "AdditionalInfo": {"EnableHighDensityMode": False, "ManagedHostId": "", "NodeSerialNumber": ""},
        "ClockOptions": {"PtpStatus": "disabled"}, "ClusterId": "", "CreditSpecification": "",
        "DedicatedHostAttribute": {"DedicatedHostClusterId": "", "DedicatedHostId": "", "DedicatedHostName": ""},
        "DedicatedInstanceAttribute": {"Affinity": "default", "Tenancy": "default"}, "DeletionProtection": False,
        "DeploymentSetGroupNo": 0, "DeploymentSetId": "", "DeviceAvailable": True,
        "EcsCapacityReservationAttr": {"CapacityReservationId": "", "CapacityReservationPreference": ""},
        "EnableNVS": False, "HibernationOptions": {"Configured": False}, "HpcClusterId": "", "ISP": "",
        "ImageOptions": {"CurrentOSNVMeSupported": True, "LoginAsNonRoot": False}, "IoOptimized": True,
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "HttpTokens": "optional",
                            "InstanceMetadataTags": "disabled"},
        "OperationLocks": {"LockReason": []}, "Recyclable": False, "ResourceGroupId": "",
        "SecurityOptions": {"EnableSecureBoot": False}, "VlanId": "",
    }


@PRODUCT.operation("DescribeAccountAttributes", writes=False)
def describe_account_attributes(ctx: Context) -> dict[str, Any]:
    """The Cloud Assistant quotas; other attribute names are not emulated and answer nothing."""
    ctx.region()
    asked = ctx.params.strings("AttributeName") or list(ACCOUNT_ATTRIBUTES)
    items = [
        {"AttributeName": name,
         "AttributeValues": {"ValueItem": [{"Value": str(world.quota(ctx.tx, name)), "Count": 1}]}}
        for name in asked
        if name in ACCOUNT_ATTRIBUTES
    ]
    return {"AccountAttributeItems": {"AccountAttributeItem": items}}
