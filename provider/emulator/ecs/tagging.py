"""Tags of ECS resources: validation shared by every operation that takes `Tag.N`, and TagResources /
UntagResources / ListTagResources for the resource types the emulator keeps (commands, instances,
invocations).
"""

from __future__ import annotations

from typing import Any

from ecsops.emulator.ecs.errors import CODES
from ecsops.emulator.ecs.models import instances as model
from ecsops.emulator.ecs.models.instances import replace_tags
from ecsops.emulator.ecs.product import PRODUCT
from ecsops.emulator.service import Context, tags_of

TAG_LIMIT = 20
KEY_LIMIT = 64
VALUE_LIMIT = 128
_RESERVED_PREFIXES = ("aliyun", "acs:")

#: ResourceType of the tag API -> the table holding that resource.
TAGGABLE = model.TAGGABLE_TABLES


def validate_tags(objects: list[dict[str, Any]]) -> dict[str, str]:
    """`Tag.N.Key/Value` as a dict, or the documented error for a bad key, value, duplicate or count."""
    if len(objects) > TAG_LIMIT:
        raise CODES.error("InvalidTagCount", limit=TAG_LIMIT)
    tags: dict[str, str] = {}
    for tag in objects:
        key = str(tag.get("Key", ""))
        value = str(tag.get("Value", ""))
        if not key or len(key) > KEY_LIMIT or key.lower().startswith(_RESERVED_PREFIXES):
            raise CODES.error("InvalidTagKey.Malformed", key=key)
        if len(value) > VALUE_LIMIT or value.lower().startswith(_RESERVED_PREFIXES):
            raise CODES.error("InvalidTagValue.Malformed", key=key)
        if key in tags:
            raise CODES.error("InvalidTagKey.Duplicate", key=key)
        tags[key] = value
    return tags


def _resources(ctx: Context, region: str) -> tuple[str, list[str]]:
    resource_type = ctx.params.text("ResourceType", required=True) or ""
    if resource_type.lower() not in TAGGABLE:
        raise CODES.error("InvalidResourceType.NotFound", type=resource_type)
    ids = ctx.params.strings("ResourceId")
    if not 1 <= len(ids) <= 50:
        raise CODES.error("InvalidParameter", name="ResourceId", reason="give 1 to 50 resource ids")
    for resource_id in ids:
        if not model.taggable_exists(ctx.tx, resource_type.lower(), resource_id, region):
            raise CODES.error("InvalidResourceId.NotFound", id=resource_id, type=resource_type)
    return resource_type.lower(), ids


@PRODUCT.operation("TagResources", writes=True)
def tag_resources(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    resource_type, ids = _resources(ctx, region)
    added = validate_tags(ctx.params.objects("Tag"))
    if not added:
        raise CODES.error("MissingParameter", name="Tag")
    for resource_id in ids:
        merged = {**tags_of(ctx.tx, resource_type, resource_id), **added}
        if len(merged) > TAG_LIMIT:
            raise CODES.error("InvalidTagCount", limit=TAG_LIMIT)
        replace_tags(ctx.tx, resource_type, resource_id, merged)
    return {}


@PRODUCT.operation("UntagResources", writes=True)
def untag_resources(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    resource_type, ids = _resources(ctx, region)
    keys = ctx.params.strings("TagKey")
    remove_all = bool(ctx.params.boolean("All")) and not keys
    for resource_id in ids:
        kept = {} if remove_all else {
            key: value for key, value in tags_of(ctx.tx, resource_type, resource_id).items() if key not in keys}
        replace_tags(ctx.tx, resource_type, resource_id, kept)
    return {}


@PRODUCT.operation("ListTagResources", writes=False)
def list_tag_resources(ctx: Context) -> dict[str, Any]:
    region = ctx.region()
    resource_type, ids = _resources(ctx, region)
    resources = [
        {"ResourceType": resource_type, "ResourceId": resource_id, "TagKey": key, "TagValue": value}
        for resource_id in ids
        for key, value in tags_of(ctx.tx, resource_type, resource_id).items()
    ]
    return {"TagResources": {"TagResource": resources}, "NextToken": ""}
