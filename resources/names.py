"""Names that several kinds write and the services check the same way: region ids, Log Service projects
and logstores. Checked at plan time so that a bad name is reported with its field, not by a failed write."""

from __future__ import annotations

import re

REGION_ID = re.compile(r"^[a-z]{2}-[a-z0-9-]+\Z")
LOG_PROJECT = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")       # Log Service: 3-63, no '_'
LOGSTORE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]\Z")


def region_id(region: str) -> str:
    """A region id such as cn-hangzhou (a city name or upper case is the usual mistake)."""
    if not REGION_ID.match(region):
        raise ValueError(f"{region!r} is not a region id: write one such as cn-hangzhou")
    return region


def log_project(name: str) -> str:
    if not LOG_PROJECT.match(name):
        raise ValueError(f"{name!r} is not a Log Service project name (3-63 lowercase letters, digits and '-', "
                         "starting and ending with a letter or digit)")
    return name


def logstore(name: str) -> str:
    if not LOGSTORE.match(name):
        raise ValueError(f"{name!r} is not a logstore name (3-63 lowercase letters, digits, '_' and '-', "
                         "starting and ending with a letter or digit)")
    return name
