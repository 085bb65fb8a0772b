"""Where a stack's state lives: the local folder beside the stack (the default), another folder, or OSS.

Written as the stack's `state:` key, `--state` or `ECSOPS_STATE` (the command line wins over the environment
over the stack file):

- `oss://BUCKET/PREFIX` — objects under PREFIX in an OSS bucket, shared by every runner. Options as a query:
  `?region=cn-shanghai` (the bucket's region; default the stack's) and `&endpoint=URL` (default: the
  backend's endpoint when it is an emulator, else the region's public OSS endpoint).
- `s3://BUCKET/PREFIX` — the same in an S3-compatible store (AWS S3, MinIO, ...), through boto3 (the `s3`
  extra) with its own credential chain (`AWS_*`); `?region=` and `&endpoint=` as for OSS, no defaults but
  boto3's. Its create-only writes are `If-None-Match: *` (412 when the key exists).
- any other text — a local folder (relative: to the stack file's folder for the `state:` key, to the working
  folder on the command line and in the environment). Default: `.ecsops/` beside the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from ecsops.cloud.backend import Backend
    from ecsops.engine.state import Store

DEFAULT_FOLDER = ".ecsops"
BUCKETS = {"oss": re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z"),
           "s3": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")}
OPTIONS = ("region", "endpoint")


@dataclass(frozen=True)
class Location:
    """A parsed state location. `folder` for local state; `bucket`, `prefix` ("" or ending in "/"), and the
    optional `region` and `endpoint` for OSS."""

    scheme: Literal["local", "oss", "s3"]
    folder: Path | None = None
    bucket: str = ""
    prefix: str = ""
    region: str | None = None
    endpoint: str | None = None

    def describe(self) -> str:
        if self.scheme != "local":
            return f"{self.scheme}://{self.bucket}/{self.prefix}"
        return str(self.folder)


class LocationError(ValueError):
    """A state location that cannot be used; the message says why."""


def location_problem(text: object) -> str | None:
    """Why `text` is not a state location, or None when it is one (for the stack's `state:` key)."""
    try:
        parse_location(text, Path("."))
    except LocationError as error:
        return str(error)
    return None


def parse_location(text: object, base: Path) -> Location:
    """The location `text` names; a relative folder is taken from `base`. Raises LocationError."""
    if not isinstance(text, str) or not text.strip():
        raise LocationError(f"{text!r} is not a state location: use a folder, oss://BUCKET/PREFIX or "
                            "s3://BUCKET/PREFIX")
    if "://" not in text:
        return Location("local", folder=(base / text).resolve())
    parts = urlsplit(text)
    if parts.scheme not in ("oss", "s3"):
        raise LocationError(f"{text!r}: state is kept in a folder, on OSS (oss://BUCKET/PREFIX) or in an "
                            f"S3-compatible store (s3://BUCKET/PREFIX), not {parts.scheme}://")
    scheme: Literal["oss", "s3"] = "oss" if parts.scheme == "oss" else "s3"
    if not BUCKETS[scheme].match(parts.netloc):
        dots = "" if scheme == "oss" else ", '.'"
        raise LocationError(f"{text!r}: {parts.netloc!r} is not an {scheme.upper()} bucket name (3-63 lowercase "
                            f"letters, digits{dots} and '-', starting and ending with a letter or digit)")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise LocationError(f"{text!r}: unknown option {unknown[0]!r} (expected: {', '.join(OPTIONS)})")
    prefix = parts.path.strip("/")
    return Location(scheme, bucket=parts.netloc, prefix=f"{prefix}/" if prefix else "",
                    region=_option(options, "region"), endpoint=_option(options, "endpoint"))


def _option(options: dict[str, list[str]], name: str) -> str | None:
    values = options.get(name)
    return values[-1] if values else None


def default_location(stack_directory: Path) -> Location:
    return Location("local", folder=(stack_directory / DEFAULT_FOLDER).resolve())


def chosen_location(flag: str | None, variable: str | None, stack_key: str | None, stack_directory: Path) -> Location:
    """The state location: `--state` wins over ECSOPS_STATE over the stack's `state:` key over the default.
    Raises LocationError naming where a bad one came from."""
    for text, source, base in ((flag, "--state", Path.cwd()), (variable, "ECSOPS_STATE", Path.cwd()),
                               (stack_key, "the stack's state: key", stack_directory)):
        if text:
            try:
                return parse_location(text, base)
            except LocationError as error:
                raise LocationError(f"{source}: {error}") from None
    return default_location(stack_directory)


def open_store(location: Location, stack: str, backend: "Backend", region: str, *,
               unlock_command: str = "ecsops state unlock STACK LOCK_ID") -> "Store":
    """The store of `stack`'s state at `location`. OSS is reached with the backend's credentials: at the
    location's endpoint, else the backend's when it is an emulator (which serves OSS too), else the public
    endpoint of the location's region (default: the stack's). `unlock_command` is the command a run blocked by
    the lock is told to run to break a dead holder's lock (LOCK_ID replaced by the holder's id)."""
    from ecsops.cloud.objects import Bucket, OssObjects, S3Objects
    from ecsops.engine.remote_state import RemoteStateStore
    from ecsops.engine.state import StateStore

    if location.scheme == "local":
        assert location.folder is not None
        return StateStore.in_folder(location.folder, stack)
    if location.scheme == "s3":
        s3 = S3Objects(Bucket(location.bucket, location.region or "", location.endpoint))
        return RemoteStateStore(s3, location.prefix, stack, unlock_command=unlock_command)
    endpoint = location.endpoint or (backend.endpoint if backend.emulated else None)
    bucket = Bucket(location.bucket, location.region or region, endpoint)
    return RemoteStateStore(OssObjects(bucket, backend), location.prefix, stack, unlock_command=unlock_command)
