"""The emulated world: account, regions, quotas, instances, buckets, Log Service projects, contact groups,
and where the emulated OSS keeps delivered objects (`oss`: its own table, or an S3-compatible endpoint).

A world document (YAML or JSON, camelCase keys as in `data/default_world.yaml`) is validated here and
merged into the database: objects are upserted by id or name, lists given replace lists, nothing absent
from the document is removed. A new database is seeded with the default world exactly once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sqlite3
import uuid
from dataclasses import dataclass
from importlib import resources
from ipaddress import IPv4Address
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecsops.emulator import clock
from ecsops.emulator.store import Migration, get_meta, set_meta


#: The world's tables (its part of each version of the schema: store.Migration, assembled by ecsops.emulator.schema):
#: instances and their hosts and tags, buckets, Log Service projects and logstores, contact groups. Append-only.
TABLES: tuple[Migration, ...] = (
    Migration(1, """
        CREATE TABLE instances (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
            name TEXT NOT NULL, os_type TEXT NOT NULL, status TEXT NOT NULL, cpu INTEGER NOT NULL,
            memory INTEGER NOT NULL, local_disk INTEGER NOT NULL, agent INTEGER NOT NULL,
            agent_version TEXT NOT NULL, products TEXT NOT NULL, creation_time TEXT NOT NULL
        );
        CREATE TABLE buckets (name TEXT PRIMARY KEY, region TEXT NOT NULL);
        CREATE TABLE log_projects (name TEXT PRIMARY KEY, region TEXT NOT NULL);
        CREATE TABLE logstores (project TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (project, name));
        CREATE TABLE contact_groups (name TEXT PRIMARY KEY, description TEXT NOT NULL);
        CREATE TABLE tags (
            resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (resource_type, resource_id, key)
        );
    """),
    Migration(4, """
        CREATE TABLE instance_hosts (
            instance_id TEXT PRIMARY KEY, host_id TEXT NOT NULL, local_data_lost INTEGER NOT NULL
        );
    """),
    # DescribeInstances' fuller answer: an instance's placement, image, network and billing (`details`, JSON
    # resolved from the world document, Instance.details) and when it last started.
    Migration(9, """
        ALTER TABLE instances ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE instances ADD COLUMN start_time TEXT NOT NULL DEFAULT '';
    """),
)


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Product(_Doc):
    name: str = Field(min_length=1)
    version: str = ""


class Instance(_Doc):
    id: str = Field(pattern=r"^i-[A-Za-z0-9-]+$")
    region: str
    name: str | None = None
    os_type: Literal["linux", "windows"] = Field("linux", alias="osType")
    status: Literal["Running", "Stopped", "Starting", "Stopping", "Pending"] = "Running"
    cpu: int = Field(2, ge=1)
    memory: int = Field(4096, ge=512)
    local_disk: bool = Field(False, alias="localDisk")
    agent: bool = True
    agent_version: str = Field("2.2.3.398", alias="agentVersion")
    products: list[Product] = []
    tags: dict[str, str] = {}
    #: Set by the emulator when maintenance redeploys the instance; given here only to seed or reset them.
    host_id: str | None = Field(None, alias="hostId", min_length=1)
    local_data_lost: bool | None = Field(None, alias="localDataLost")
    #: What DescribeInstances answers of placement, image, network and billing. Each one not given is derived
    #: from the id, region, OS type, size and disks (`details`): the same document always answers the same.
    zone_id: str | None = Field(None, alias="zoneId", pattern=r"^[a-z0-9-]+$")
    instance_type: str | None = Field(None, alias="instanceType", pattern=r"^ecs\.[A-Za-z0-9-]+\.[A-Za-z0-9-]+$")
    image_id: str | None = Field(None, alias="imageId", min_length=1)
    os_name: str | None = Field(None, alias="osName", min_length=1)
    os_name_en: str | None = Field(None, alias="osNameEn", min_length=1)
    host_name: str | None = Field(None, alias="hostName", min_length=1, max_length=64)
    description: str = Field("", max_length=256)
    private_ip: IPv4Address | None = Field(None, alias="privateIp")
    public_ip: IPv4Address | None = Field(None, alias="publicIp")
    eip_address: IPv4Address | None = Field(None, alias="eipAddress")
    vpc_id: str | None = Field(None, alias="vpcId", pattern=r"^vpc-[a-z0-9]+$")
    v_switch_id: str | None = Field(None, alias="vSwitchId", pattern=r"^vsw-[a-z0-9]+$")
    security_group_ids: list[str] | None = Field(None, alias="securityGroupIds", min_length=1, max_length=5)
    key_pair_name: str = Field("", alias="keyPairName")
    instance_charge_type: Literal["PostPaid", "PrePaid"] = Field("PostPaid", alias="instanceChargeType")
    #: When a PrePaid instance expires (`2027-01-01T00:00Z`); a PostPaid one never does (the cloud's 2099-12-31).
    expired_time: str | None = Field(None, alias="expiredTime", pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")

    @model_validator(mode="after")
    def _prepaid_expires(self) -> "Instance":
        if self.instance_charge_type == "PrePaid" and self.expired_time is None:
            raise ValueError("a PrePaid instance needs expiredTime")
        return self

    def details(self) -> dict[str, Any]:
        """The DescribeInstances fields the document may give: each given one as given, the others derived (a
        hash of the id or the region where the cloud would pick, e.g. the private IP in 172.16.0.0/12)."""
        digest = hashlib.sha256(self.id.encode()).digest()
        zone = self.zone_id or f"{self.region}-a"
        vpc = self.vpc_id or f"vpc-{self._digest(self.region, 'vpc')}"
        os_name, os_name_en = self._os_names()
        return {
            "zoneId": zone, "instanceType": self.instance_type or self._instance_type(),
            "imageId": self.image_id or self._image_id(), "osName": os_name, "osNameEn": os_name_en,
            "hostName": self.host_name or self._host_name(), "description": self.description,
            "privateIp": str(self.private_ip or f"172.{16 + digest[0] % 16}.{digest[1]}.{1 + digest[2] % 253}"),
            "publicIp": str(self.public_ip or ""), "eipAddress": str(self.eip_address or ""),
            "vpcId": vpc, "vSwitchId": self.v_switch_id or f"vsw-{self._digest(vpc, zone)}",
            "securityGroupIds": self.security_group_ids or [f"sg-{self._digest(vpc, 'sg')}"],
            "keyPairName": self.key_pair_name, "instanceChargeType": self.instance_charge_type,
            "expiredTime": self.expired_time or "2099-12-31T15:59Z",
            "networkInterfaceId": f"eni-{digest.hex()[:20]}", "macAddress": "00:16:3e:" + digest[3:6].hex(":"),
            "serialNumber": str(uuid.UUID(bytes=digest[:16])),
        }

    def _instance_type(self) -> str:
        """A type of the size: family by memory per vCPU (c7 2 GiB, g7 4 GiB, r7 more; i4 with local disks), size
        by vCPUs (large 2, xlarge 4, Nxlarge 4N)."""
        per_cpu = self.memory / 1024 / self.cpu
        family = "i4" if self.local_disk else "c7" if per_cpu <= 2 else "g7" if per_cpu <= 4 else "r7"
        sizes = {1: "small", 2: "large", 4: "xlarge"}
        size = sizes.get(self.cpu) or (f"{self.cpu // 4}xlarge" if self.cpu % 4 == 0 else f"c{self.cpu}")
        return f"ecs.{family}.{size}"

    def _windows_version(self) -> str:
        """The version of the document's Windows Server product (2022 when it names none)."""
        return next((p.version for p in self.products if p.name == "Windows Server" and p.version), "2022")

    def _image_id(self) -> str:
        if self.os_type == "windows":
            return f"win{self._windows_version()}_x64_dtc_en-us_40G_alibase_20240815.vhd"
        return "aliyun_3_x64_20G_alibase_20240819.vhd"

    def _os_names(self) -> tuple[str, str]:
        """(OSName, OSNameEn): the given name serves for both when only one is given."""
        if self.os_name or self.os_name_en:
            return self.os_name or self.os_name_en or "", self.os_name_en or self.os_name or ""
        if self.os_type == "windows":
            version = self._windows_version()
            return (f"Windows Server {version} 数据中心版 64位英文版",
                    f"Windows Server {version} Data Center Edition 64bit English Edition")
        return "Alibaba Cloud Linux 3.2104 LTS 64位", "Alibaba Cloud Linux 3.2104 LTS 64 bit"

    def _host_name(self) -> str:
        """The cloud's default: iZ, the id without `i-`, Z (Windows: its first 15 characters)."""
        name = f"iZ{self.id[2:]}Z"
        return name[:15] if self.os_type == "windows" else name

    @staticmethod
    def _digest(*parts: str) -> str:
        """21 hexadecimal digits naming `parts` (ids of the default VPC, vSwitch and security group)."""
        return hashlib.sha256("/".join(parts).encode()).hexdigest()[:21]


class Bucket(_Doc):
    name: str = Field(min_length=3, max_length=63)
    region: str


class LogProject(_Doc):
    name: str = Field(min_length=3, max_length=63)
    region: str
    logstores: list[str] = []


class Oss(_Doc):
    """Where the emulated OSS writes objects: its own table (no endpoint), or an S3-compatible endpoint
    through boto3 (`pip install 'ecsops[s3]'`), where each bucket must already exist."""

    endpoint: str | None = Field(None, pattern=r"^https?://\S+$")
    access_key_id: str | None = Field(None, alias="accessKeyId", min_length=1)
    access_key_secret: str | None = Field(None, alias="accessKeySecret", min_length=1)
    region: str = Field("us-east-1", min_length=1, description="the region requests are signed for")

    @model_validator(mode="after")
    def _keys_with_an_endpoint(self) -> "Oss":
        if self.endpoint and not (self.access_key_id and self.access_key_secret):
            raise ValueError("an endpoint needs accessKeyId and accessKeySecret")
        return self


class ContactGroup(_Doc):
    name: str = Field(min_length=1)
    description: str = ""


class AccessKey(_Doc):
    id: str = Field(min_length=1)
    secret: str = Field(min_length=1)


class Account(_Doc):
    user_id: str | None = Field(None, alias="userId")
    access_keys: list[AccessKey] | None = Field(None, alias="accessKeys")


class World(_Doc):
    account: Account | None = None
    regions: list[str] | None = None
    quotas: dict[str, int] | None = None
    instances: list[Instance] = []
    buckets: list[Bucket] = []
    log_projects: list[LogProject] = Field([], alias="logProjects")
    contact_groups: list[ContactGroup] = Field([], alias="contactGroups")
    oss: Oss | None = None


class WorldError(ValueError):
    """A world document that cannot be applied; the message names the offending entry."""


def parse(document: Any) -> World:
    try:
        return World.model_validate(document or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise WorldError(f"world document: {where}: {first['msg']}") from None


def default_document() -> dict[str, Any]:
    text = resources.files("ecsops.emulator").joinpath("data/default_world.yaml").read_text()
    return yaml.safe_load(text)


def seed_if_new(tx: sqlite3.Connection) -> None:
    """Seeds the default world into a database that has never been seeded; idempotent."""
    if get_meta(tx, "seeded"):
        return
    merge(tx, parse(default_document()))
    set_meta(tx, "seeded", True)


@dataclass(frozen=True)
class StatusChange:
    """An existing instance whose status a merge changed: `before` is its row as it was. The merge only records
    it; whoever merges announces it (the admin route, through ecsops.emulator.events), so this module, which the
    events package builds on, never reaches up into it."""

    before: sqlite3.Row
    status: str


def merge(tx: sqlite3.Connection, world: World) -> list[StatusChange]:
    """Upserts everything the document names; rejects references to unknown regions. Returns the status changes of
    instances that existed (a new instance has no change to announce)."""
    if world.account is not None:
        _merge_account(tx, world.account)
    if world.regions is not None:
        set_meta(tx, "regions", sorted(set(world.regions)))
    if world.quotas is not None:
        set_meta(tx, "quotas", {**get_meta(tx, "quotas", {}), **world.quotas})
    if world.oss is not None:
        _merge_oss(tx, world.oss)
    known = set(regions(tx))
    located: list[Instance | Bucket | LogProject] = [*world.instances, *world.buckets, *world.log_projects]
    for entry in located:
        if entry.region not in known:
            label = entry.name or (entry.id if isinstance(entry, Instance) else "")
            raise WorldError(f"world document: {label}: unknown region {entry.region!r}")
    changes = _merge_instances(tx, world.instances)
    for bucket in world.buckets:
        tx.execute("INSERT OR REPLACE INTO buckets (name, region) VALUES (?, ?)", (bucket.name, bucket.region))
    for project in world.log_projects:
        tx.execute("INSERT OR REPLACE INTO log_projects (name, region) VALUES (?, ?)", (project.name, project.region))
        for logstore in project.logstores:
            tx.execute("INSERT OR IGNORE INTO logstores (project, name) VALUES (?, ?)", (project.name, logstore))
    for group in world.contact_groups:
        tx.execute("INSERT OR REPLACE INTO contact_groups (name, description) VALUES (?, ?)",
                   (group.name, group.description))
    return changes


def _merge_instances(tx: sqlite3.Connection, instances: list[Instance]) -> list[StatusChange]:
    """Upserts the instances; returns the status changes of those that existed."""
    now = clock.iso(clock.now(tx))
    changes: list[StatusChange] = []
    for instance in instances:
        before = tx.execute("SELECT * FROM instances WHERE id = ?", (instance.id,)).fetchone()
        if before is not None and before["status"] != instance.status:
            changes.append(StatusChange(before, instance.status))
        _upsert_instance(tx, instance, now)
    return changes


def _merge_oss(tx: sqlite3.Connection, oss: Oss) -> None:
    if oss.endpoint and importlib.util.find_spec("boto3") is None:
        raise WorldError("world document: oss.endpoint: writing to an S3-compatible endpoint needs boto3: "
                         "pip install 'ecsops[s3]'")
    set_meta(tx, "oss", oss.model_dump(by_alias=True) if oss.endpoint else None)


def oss_endpoint(tx: sqlite3.Connection) -> dict[str, str] | None:
    """The S3-compatible endpoint OSS objects go to, with its keys; None when the emulator keeps them."""
    return get_meta(tx, "oss")


def _merge_account(tx: sqlite3.Connection, account: Account) -> None:
    current = get_meta(tx, "account", {"userId": "1234567890123456", "accessKeys": []})
    if account.user_id is not None:
        current["userId"] = account.user_id
    if account.access_keys is not None:
        current["accessKeys"] = [key.model_dump() for key in account.access_keys]
    set_meta(tx, "account", current)


def _upsert_instance(tx: sqlite3.Connection, instance: Instance, now: str) -> None:
    """Inserts or replaces the instance. Its creation time is set once; its start time when it is inserted and
    whenever the document turns it Running."""
    products = json.dumps([product.model_dump() for product in instance.products])
    tx.execute(
        """INSERT INTO instances (id, region, name, os_type, status, cpu, memory, local_disk, agent,
                                  agent_version, products, creation_time, details, start_time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET region = excluded.region, name = excluded.name,
               os_type = excluded.os_type, status = excluded.status, cpu = excluded.cpu,
               memory = excluded.memory, local_disk = excluded.local_disk, agent = excluded.agent,
               agent_version = excluded.agent_version, products = excluded.products, details = excluded.details,
               start_time = CASE WHEN excluded.status = 'Running' AND instances.status <> 'Running'
                                 THEN excluded.start_time ELSE instances.start_time END""",
        (instance.id, instance.region, instance.name or instance.id, instance.os_type, instance.status,
         instance.cpu, instance.memory, int(instance.local_disk), int(instance.agent), instance.agent_version,
         products, now, json.dumps(instance.details()), now),
    )
    if instance.host_id is not None or instance.local_data_lost is not None:
        _merge_host(tx, instance)
    tx.execute("DELETE FROM tags WHERE resource_type = 'instance' AND resource_id = ?", (instance.id,))
    tx.executemany(
        "INSERT INTO tags (resource_type, resource_id, key, value) VALUES ('instance', ?, ?, ?)",
        [(instance.id, key, value) for key, value in instance.tags.items()],
    )


def _merge_host(tx: sqlite3.Connection, instance: Instance) -> None:
    """Sets the host and the data-lost flag the document gives, keeping the one it does not."""
    lost = None if instance.local_data_lost is None else int(instance.local_data_lost)
    tx.execute(
        """INSERT INTO instance_hosts (instance_id, host_id, local_data_lost)
           VALUES (?, COALESCE(?, ''), COALESCE(?, 0))
           ON CONFLICT (instance_id) DO UPDATE SET host_id = COALESCE(?, host_id),
               local_data_lost = COALESCE(?, local_data_lost)""",
        (instance.id, instance.host_id, lost, instance.host_id, lost))


def regions(tx: sqlite3.Connection) -> list[str]:
    return get_meta(tx, "regions", [])


def quota(tx: sqlite3.Connection, name: str) -> int:
    return int(get_meta(tx, "quotas", {})[name])


def account(tx: sqlite3.Connection) -> dict[str, Any]:
    return get_meta(tx, "account", {"userId": "1234567890123456", "accessKeys": []})


def dump(tx: sqlite3.Connection) -> dict[str, Any]:
    """The world as a document `merge` accepts (secrets of access keys and of the OSS endpoint left out)."""
    instances = [_instance_document(tx, row) for row in tx.execute("SELECT * FROM instances ORDER BY seq")]
    projects = [
        {"name": row["name"], "region": row["region"],
         "logstores": [r["name"] for r in tx.execute(
             "SELECT name FROM logstores WHERE project = ? ORDER BY name", (row["name"],))]}
        for row in tx.execute("SELECT * FROM log_projects ORDER BY name")
    ]
    oss: Mapping[str, str | None] = oss_endpoint(tx) or {"endpoint": None}
    return {
        "account": {"userId": account(tx)["userId"],
                    "accessKeys": [{"id": key["id"]} for key in account(tx)["accessKeys"]]},
        "regions": regions(tx),
        "quotas": get_meta(tx, "quotas", {}),
        "instances": instances,
        "buckets": [dict(row) for row in tx.execute("SELECT name, region FROM buckets ORDER BY name")],
        "logProjects": projects,
        "contactGroups": [dict(row) for row in tx.execute("SELECT * FROM contact_groups ORDER BY name")],
        "oss": {key: value for key, value in oss.items() if key != "accessKeySecret"},
    }


def _instance_document(tx: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    tags = {r["key"]: r["value"] for r in tx.execute(
        "SELECT key, value FROM tags WHERE resource_type = 'instance' AND resource_id = ?", (row["id"],))}
    host = tx.execute("SELECT * FROM instance_hosts WHERE instance_id = ?", (row["id"],)).fetchone()
    return {
        "id": row["id"], "region": row["region"], "name": row["name"], "osType": row["os_type"],
        "status": row["status"], "cpu": row["cpu"], "memory": row["memory"], "localDisk": bool(row["local_disk"]),
        "agent": bool(row["agent"]), "agentVersion": row["agent_version"],
        "products": json.loads(row["products"]), "tags": tags,
        "hostId": (host["host_id"] or None) if host else None,
        "localDataLost": bool(host and host["local_data_lost"]),
        **_given_details(row),
    }


#: The DescribeInstances fields a world document may give (Instance.details): a dump carries them, derived or
#: given, so merging the dump back answers the same.
DOCUMENT_DETAILS = ("zoneId", "instanceType", "imageId", "osName", "osNameEn", "hostName", "description",
                    "privateIp", "publicIp", "eipAddress", "vpcId", "vSwitchId", "securityGroupIds", "keyPairName",
                    "instanceChargeType", "expiredTime")


def _given_details(row: sqlite3.Row) -> dict[str, Any]:
    details = json.loads(row["details"] or "{}")
    return {name: details[name] for name in DOCUMENT_DETAILS if details.get(name) not in (None, "")}
