"""Which cloud to talk to: one selection rule for the CLI, the Pulumi provider and tests.

1. An explicit endpoint (`--endpoint`, `ECSOPS_ENDPOINT`, or Pulumi config `ecsops:endpoint`), typically a
   running emulator. Its key pair is the explicit one (`ECSOPS_ACCESS_KEY_ID` / `ECSOPS_ACCESS_KEY_SECRET`,
   `ecsops:accessKeyId` / `ecsops:accessKeySecret`) or else the emulator's default pair.
2. Else Alibaba Cloud credentials: the explicit key pair, or the official default credential chain
   (environment variables, profile files, instance role) -> the real APIs, endpoints chosen by the SDK.
3. Else the embedded emulator, started in this process on a free loopback port over
   `<directory>/.ecsops/emulator.db`, so every process working on the same stack sees the same world.

Every path goes through the same official SDK clients over HTTP.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

EMULATOR_ACCESS_KEY_ID = "ecsops-local"
EMULATOR_ACCESS_KEY_SECRET = "ecsops-local-secret"
EMULATOR_DATABASE = Path(".ecsops") / "emulator.db"


@dataclass(frozen=True)
class KeyPair:
    access_key_id: str
    access_key_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"KeyPair(access_key_id={self.access_key_id!r}, access_key_secret='****')"


@dataclass(frozen=True)
class Backend:
    """Where API calls go. `keys=None` with kind "cloud" means: ask the official credential chain."""

    kind: Literal["endpoint", "cloud", "embedded"]
    region: str
    endpoint: str | None = None
    keys: KeyPair | None = None
    database: Path | None = None

    @property
    def identity(self) -> str:
        """A stable name for the world this backend holds (recorded in stack state)."""
        if self.kind == "embedded":
            return f"embedded:{self.database}"
        if self.kind == "endpoint":
            return f"endpoint:{self.endpoint}"
        return f"alibaba-cloud:{self.region}"

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"embedded emulator over {self.database} ({self.endpoint})"
        if self.kind == "endpoint":
            return f"endpoint {self.endpoint}"
        return f"Alibaba Cloud, region {self.region}"


@dataclass(frozen=True)
class Settings:
    """What the user configured; every field optional (see the module docstring for precedence)."""

    region: str
    directory: Path
    endpoint: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, region: str, directory: Path, *, endpoint: str | None = None,
                         environ: Mapping[str, str] = os.environ) -> "Settings":
        return cls(region=region, directory=directory,
                   endpoint=endpoint or environ.get("ECSOPS_ENDPOINT") or None,
                   access_key_id=environ.get("ECSOPS_ACCESS_KEY_ID") or None,
                   access_key_secret=environ.get("ECSOPS_ACCESS_KEY_SECRET") or None)

    def explicit_keys(self) -> KeyPair | None:
        if self.access_key_id and self.access_key_secret:
            return KeyPair(self.access_key_id, self.access_key_secret)
        return None


def select(settings: Settings) -> Backend:
    """Applies the selection rule; starts the embedded emulator when it comes to that."""
    if settings.endpoint:
        keys = settings.explicit_keys() or KeyPair(EMULATOR_ACCESS_KEY_ID, EMULATOR_ACCESS_KEY_SECRET)
        return Backend("endpoint", settings.region, endpoint=normalise_endpoint(settings.endpoint), keys=keys)
    if settings.explicit_keys() is not None:
        return Backend("cloud", settings.region, keys=settings.explicit_keys())
    if credential_chain_available():
        return Backend("cloud", settings.region)
    database = (settings.directory / EMULATOR_DATABASE).resolve()
    endpoint = embedded_emulator(database)
    return Backend("embedded", settings.region, endpoint=endpoint,
                   keys=KeyPair(EMULATOR_ACCESS_KEY_ID, EMULATOR_ACCESS_KEY_SECRET), database=database)


def normalise_endpoint(endpoint: str) -> str:
    """`127.0.0.1:8080` -> `http://127.0.0.1:8080` for loopback; an https URL stays as it is."""
    endpoint = endpoint.rstrip("/")
    if "://" in endpoint:
        return endpoint
    host = endpoint.split(":", 1)[0]
    scheme = "http" if host in ("127.0.0.1", "localhost", "::1") else "https"
    return f"{scheme}://{endpoint}"


def credential_chain_available() -> bool:
    """True when the official default credential chain yields credentials (silenced: it logs failures)."""
    from alibabacloud_credentials.provider.default import DefaultCredentialsProvider

    chain_logger = logging.getLogger("credentials")
    level, chain_logger.level = chain_logger.level, logging.CRITICAL + 1
    try:
        DefaultCredentialsProvider().get_credentials()
    except Exception:  # the chain raises one of several types when nothing is configured
        return False
    finally:
        chain_logger.setLevel(level)
    return True


_EMBEDDED: dict[Path, str] = {}
_EMBEDDED_LOCK = threading.Lock()


def embedded_emulator(database: Path) -> str:
    """The endpoint of this process's emulator over `database`, started on first use (one per file)."""
    from ecsops.emulator.server import EmulatorServer

    with _EMBEDDED_LOCK:
        if database not in _EMBEDDED:
            server = EmulatorServer(database).start()
            _EMBEDDED[database] = server.endpoint
        return _EMBEDDED[database]
