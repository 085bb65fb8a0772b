"""What the emulated OSS answers with: the XML documents of listings and ACLs, and the headers of an object.

The element names and their order are those of the OSS API reference (`ListBucketResult`,
`AccessControlPolicy`); times in documents are ISO 8601 with milliseconds (`2026-11-21T02:00:00.000Z`), in
headers HTTP dates. With `encoding-type=url` the listing percent-encodes every key, prefix, marker and
delimiter (RFC 3986), which the SDK always asks for and decodes: XML cannot carry every character a key can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from ecsops.emulator.oss.objects import Page, StoredObject, Summary

DEFAULT_ACL = "private"


@dataclass(frozen=True)
class ListingEcho:
    """What a listing request asked for, repeated in its answer (V2 fields are None in a V1 answer)."""

    bucket: str
    prefix: str
    delimiter: str
    max_keys: int
    url_encoded: bool
    owner: str | None
    marker: str | None = None
    start_after: str | None = None
    continuation_token: str | None = None


def list_objects(echo: ListingEcho, page: Page) -> ET.Element:
    """ListObjects (V1): `Marker`, and `NextMarker` on a truncated page."""
    root = _listing_head(echo)
    _text(root, "Marker", _encoded(echo, echo.marker or ""))
    _tail(root, echo, page)
    if page.truncated and page.last is not None:
        _text(root, "NextMarker", _encoded(echo, page.last))
    _entries(root, echo, page)
    return root


def list_objects_v2(echo: ListingEcho, page: Page, next_token: str | None) -> ET.Element:
    """ListObjectsV2: `StartAfter` / `ContinuationToken` when given, `NextContinuationToken`, `KeyCount`."""
    root = _listing_head(echo)
    if echo.start_after:
        _text(root, "StartAfter", _encoded(echo, echo.start_after))
    if echo.continuation_token:
        _text(root, "ContinuationToken", echo.continuation_token)
    _tail(root, echo, page)
    if next_token is not None:
        _text(root, "NextContinuationToken", next_token)
    _text(root, "KeyCount", str(len(page.contents) + len(page.prefixes)))
    _entries(root, echo, page)
    return root


def access_control_policy(owner: str) -> ET.Element:
    root = ET.Element("AccessControlPolicy")
    _owner(root, owner)
    _text(ET.SubElement(root, "AccessControlList"), "Grant", DEFAULT_ACL)
    return root


def object_headers(stored: StoredObject) -> dict[str, str]:
    """The headers GetObject and HeadObject answer with (Content-Type and Content-Length set by the caller)."""
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.last_modified),
            "x-oss-hash-crc64ecma": stored.crc64, "x-oss-object-type": "Normal", "x-oss-storage-class": "Standard",
            "Accept-Ranges": "bytes"}


def http_date(instant: datetime) -> str:
    return format_datetime(instant.astimezone(timezone.utc), usegmt=True)


def iso_time(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _listing_head(echo: ListingEcho) -> ET.Element:
    root = ET.Element("ListBucketResult")
    _text(root, "Name", echo.bucket)
    _text(root, "Prefix", _encoded(echo, echo.prefix))
    return root


def _tail(root: ET.Element, echo: ListingEcho, page: Page) -> None:
    _text(root, "MaxKeys", str(echo.max_keys))
    _text(root, "Delimiter", _encoded(echo, echo.delimiter))
    if echo.url_encoded:
        _text(root, "EncodingType", "url")
    _text(root, "IsTruncated", "true" if page.truncated else "false")


def _entries(root: ET.Element, echo: ListingEcho, page: Page) -> None:
    for entry in page.contents:
        _content(root, echo, entry)
    for prefix in page.prefixes:
        _text(ET.SubElement(root, "CommonPrefixes"), "Prefix", _encoded(echo, prefix))


def _content(root: ET.Element, echo: ListingEcho, entry: Summary) -> None:
    element = ET.SubElement(root, "Contents")
    _text(element, "Key", _encoded(echo, entry.key))
    _text(element, "LastModified", iso_time(entry.last_modified))
    _text(element, "ETag", entry.etag)
    _text(element, "Type", "Normal")
    _text(element, "Size", str(entry.size))
    _text(element, "StorageClass", "Standard")
    if echo.owner is not None:
        _owner(element, echo.owner)


def _owner(parent: ET.Element, owner: str) -> None:
    element = ET.SubElement(parent, "Owner")
    _text(element, "ID", owner)
    _text(element, "DisplayName", owner)


def _text(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, name).text = value


def _encoded(echo: ListingEcho, text: str) -> str:
    return quote(text, safe="") if echo.url_encoded else text
