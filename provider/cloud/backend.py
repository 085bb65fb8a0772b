"""Which cloud to talk to: one selection rule for the CLI, the Pulumi provider and tests.

The backend is chosen (`--backend`, else `ECSOPS_BACKEND`, else the stack's `backend:` key; Pulumi:
`ecsops:backend`) or inferred, and it is never a surprise:

- `emulator`: a running emulator at the explicit endpoint (`--endpoint`, `ECSOPS_ENDPOINT`,
  `ecsops:endpoint`), with the explicit key pair or else the emulator's default one; without an endpoint,
  the embedded emulator, started in this process on a free loopback port over `<directory>/.ecsops/emulator.db`.
- `cloud`: Alibaba Cloud (at the explicit endpoint, if one is given) with the explicit key pair
  (`ECSOPS_ACCESS_KEY_ID` / `ECSOPS_ACCESS_KEY_SECRET`) or the official default credential chain. It never
  falls back: credentials missing or unusable raise BackendError saying what was looked for and what failed.
- not chosen: an explicit endpoint, as `emulator` (its keys may be any); else, when any credential variable
  or profile file is present, `cloud` (so a typo in one is an error, not a green run on a throwaway
  emulator); else credentials the chain finds elsewhere (an instance role); else the embedded emulator —
  except under CI (`CI` set), where nothing starts the embedded emulator unless it is asked for.

Every path goes through the same official SDK clients over HTTP.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Mapping

EMULATOR_ACCESS_KEY_ID = "ecsops-local"
EMULATOR_ACCESS_KEY_SECRET = "ecsops-local-secret"
EMULATOR_DATABASE = Path(".ecsops") / "emulator.db"


@dataclass(frozen=True)
class KeyPair:
    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)  # STS credentials carry one

    def __repr__(self) -> str:
        return f"KeyPair(access_key_id={self.access_key_id!r}, access_key_secret='****')"


NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"  # an environment variable's name


@dataclass(frozen=True)
class NamedCredentials:
    """The credentials a stack names for itself (`credentials:`), so that one run spans several accounts: a
    profile of the official credential files (`profile`), or the environment variables that hold a key pair
    (their names, never the values: a stack file is committed). Named credentials win over ECSOPS_ACCESS_KEY_*
    and the default chain for that stack; the embedded emulator, which has its own key pair, ignores them."""

    profile: str | None = None
    access_key_id_variable: str | None = None
    access_key_secret_variable: str | None = None
    security_token_variable: str | None = None

    @property
    def account(self) -> str:
        """How reports name the account these credentials reach (never a key): `profile NAME` or `env VAR`."""
        return f"profile {self.profile}" if self.profile else f"env {self.access_key_id_variable}"

    def keys(self, environ: Mapping[str, str]) -> KeyPair | None:
        """The key pair the named variables hold (None for a profile); BackendError naming a variable unset."""
        if self.profile:
            return None
        values = {}
        for what, name in (("accessKeyId", self.access_key_id_variable),
                           ("accessKeySecret", self.access_key_secret_variable)):
            if not name or not environ.get(name):
                raise BackendError(f"credentials.variables.{what} names {name}, which is not set")
            values[what] = environ[name]
        token = environ.get(self.security_token_variable) if self.security_token_variable else None
        if self.security_token_variable and not token:
            raise BackendError(f"credentials.variables.securityToken names {self.security_token_variable}, "
                               "which is not set")
        return KeyPair(values["accessKeyId"], values["accessKeySecret"], token)


@dataclass(frozen=True)
class Backend:
    """Where API calls go. `keys=None` with kind "cloud" means: ask the official credential chain."""

    kind: Literal["endpoint", "cloud", "embedded"]
    region: str
    endpoint: str | None = None
    keys: KeyPair | None = None
    database: Path | None = None
    emulated: bool = False  # an emulator (embedded, or at the endpoint): it serves OSS at the same endpoint
    account: str = "default"  # whose credentials: "default", or a stack's named ones (NamedCredentials.account)
    #: A credentials provider of the official library for a named profile (None: `keys`, else the default chain).
    provider: Any = field(default=None, compare=False, repr=False)

    @property
    def account_key(self) -> tuple[str, str]:
        """What tells two accounts apart in one run: reads, listings and the rate limit are shared only within
        one (the same backend, in any region, reached with the same credentials)."""
        return ("alibaba-cloud" if self.kind == "cloud" else self.identity), self.account

    @property
    def identity(self) -> str:
        """A stable name for the world this backend holds (recorded in stack state)."""
        if self.kind == "embedded":
            return f"embedded:{self.database}"
        if self.kind == "endpoint":
            return f"endpoint:{self.endpoint}"
        return f"alibaba-cloud:{self.region}"

    def document(self) -> dict[str, Any]:
        """The backend for machine-readable output: which one and where, never the embedded emulator's port
        (it changes every run, so a report could not be compared with the last one)."""
        if self.kind == "embedded":
            return {"kind": "emulator", "embedded": True, "database": str(self.database), "region": self.region}
        if self.kind == "endpoint":
            return {"kind": "endpoint", "endpoint": self.endpoint, "region": self.region}
        return {"kind": "cloud", "region": self.region}

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"embedded emulator over {self.database} ({self.endpoint})"
        if self.kind == "endpoint":
            return f"endpoint {self.endpoint}"
        return f"Alibaba Cloud, region {self.region}"


BACKENDS = ("emulator", "cloud")

#: Environment variables that configure credentials, for ecsops or for the official credential chain. When one
#: is set, the user meant the cloud: an unusable value is an error, never the emulator.
CREDENTIAL_VARIABLES = (
    "ECSOPS_ACCESS_KEY_ID", "ECSOPS_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_ECS_METADATA",
)

#: The profile files the official chain reads, relative to the home folder.
PROFILE_FILES = (Path(".aliyun") / "config.json", Path(".alibabacloud") / "credentials.ini")


class BackendError(RuntimeError):
    """The backend asked for (or implied by the credentials present) cannot be used; the message says why."""


@dataclass(frozen=True)
class Settings:
    """What the user configured; every field optional (see the module docstring for the rule).

    `chosen` is where `backend` came from ("--backend", "ECSOPS_BACKEND", "the stack's backend: key"), for
    messages; `credential_sources` the credential variables and profile files present; `ci` whether `CI` is
    set."""

    region: str
    directory: Path
    backend: str | None = None
    chosen: str = ""
    endpoint: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)
    credential_sources: tuple[str, ...] = ()
    ci: bool = False
    named: NamedCredentials | None = None   # the stack's own `credentials:`
    named_keys: KeyPair | None = field(default=None, repr=False)  # what its variables hold
    named_problem: str | None = None        # why they hold none (raised only if a backend needs them)

    @classmethod
    def from_environment(cls, region: str, directory: Path, *, endpoint: str | None = None,
                         backend: str | None = None, stack_backend: str | None = None,
                         credentials: NamedCredentials | None = None,
                         environ: Mapping[str, str] = os.environ, home: Path | None = None) -> "Settings":
        """Settings from the command line (`endpoint`, `backend`), the environment and the stack file
        (`stack_backend`, `credentials`), in that order of precedence. Raises BackendError for an unknown
        ECSOPS_BACKEND, or a variable the stack's credentials name that is not set."""
        chosen, source = chosen_backend(backend, environ.get("ECSOPS_BACKEND") or None, stack_backend)
        return cls(region=region, directory=directory, backend=chosen, chosen=source,
                   endpoint=endpoint or environ.get("ECSOPS_ENDPOINT") or None,
                   access_key_id=environ.get("ECSOPS_ACCESS_KEY_ID") or None,
                   access_key_secret=environ.get("ECSOPS_ACCESS_KEY_SECRET") or None,
                   credential_sources=credential_sources(environ, home),
                   ci=bool(environ.get("CI")), named=credentials, **_named_keys(credentials, environ))

    def explicit_keys(self) -> KeyPair | None:
        """The explicit key pair (the stack's named one first); BackendError when only half of ECSOPS_ACCESS_KEY_*
        is set (never a silent fallback)."""
        if self.named_problem is not None:
            raise BackendError(self.named_problem)
        if self.named_keys is not None:
            return self.named_keys
        if self.access_key_id and self.access_key_secret:
            return KeyPair(self.access_key_id, self.access_key_secret)
        if self.access_key_id or self.access_key_secret:
            missing = "ECSOPS_ACCESS_KEY_SECRET" if self.access_key_id else "ECSOPS_ACCESS_KEY_ID"
            present = "ECSOPS_ACCESS_KEY_ID" if self.access_key_id else "ECSOPS_ACCESS_KEY_SECRET"
            raise BackendError(f"{present} is set but {missing} is not: set both (or neither)")
        return None


def _named_keys(credentials: NamedCredentials | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings' `named_keys`, or the `named_problem` of variables that hold none (the embedded emulator does not
    need them, so it is not an error yet)."""
    if credentials is None:
        return {}
    try:
        return {"named_keys": credentials.keys(environ)}
    except BackendError as error:
        return {"named_problem": str(error)}


def chosen_backend(flag: str | None, variable: str | None, stack_key: str | None) -> tuple[str | None, str]:
    """The backend asked for, and where: the command line wins over the environment over the stack file."""
    for value, source in ((flag, "--backend"), (variable, "ECSOPS_BACKEND"), (stack_key, "the stack's backend: key")):
        if value is None:
            continue
        if value not in BACKENDS:
            raise BackendError(f"{source} is {value!r}: expected one of {', '.join(BACKENDS)}")
        return value, source
    return None, ""


def credential_sources(environ: Mapping[str, str], home: Path | None = None) -> tuple[str, ...]:
    """The credential variables set (names only) and the profile files present."""
    found = [name for name in CREDENTIAL_VARIABLES if environ.get(name)]
    folder = home if home is not None else Path(environ.get("HOME") or Path.home())
    found.extend(f"~/{profile}" for profile in PROFILE_FILES if (folder / profile).is_file())
    return tuple(found)


def select(settings: Settings) -> Backend:
    """Applies the selection rule; starts the embedded emulator when it comes to that. Raises BackendError
    when the backend asked for, or implied by the credentials present, cannot be used. A stack's named
    credentials go with whatever backend is chosen (the embedded emulator excepted: it has its own pair)."""
    chosen = _selected(settings)
    named = settings.named
    if named is None or chosen.kind == "embedded":
        return chosen
    provider = _profile_provider(named.profile) if named.profile else None
    return replace(chosen, account=named.account, provider=provider)


def _selected(settings: Settings) -> Backend:
    named = _named_backend(settings)
    if named is not None:
        return named
    keys = settings.explicit_keys()
    if settings.backend == "emulator":
        return _emulator(settings, keys)
    if settings.backend == "cloud":
        return _cloud(settings, keys)
    if settings.endpoint:
        return _emulator(settings, keys)
    if keys is not None or settings.credential_sources:
        return _cloud(settings, keys)
    if _credential_chain_problem() is None:
        return Backend("cloud", settings.region)
    if settings.ci:
        raise BackendError(
            "CI is set and no backend was chosen: the embedded emulator starts in CI only when asked for "
            "(--backend emulator, or ECSOPS_BACKEND=emulator); for the cloud, give credentials "
            f"({_LOOKED_FOR}) and --backend cloud")
    return _embedded(settings)


def _named_backend(settings: Settings) -> Backend | None:
    """The backend a stack's named credentials decide: the embedded emulator (asked for without an endpoint: it
    has its own key pair, the named credentials are not read), or, for a named profile, the cloud or endpoint
    (neither the default chain nor an emulator's default pair applies). None: the usual rule decides."""
    named = settings.named
    if named is None:
        return None
    if settings.backend == "emulator" and not settings.endpoint:
        return _embedded(settings)
    if named.profile and settings.backend != "emulator":
        endpoint = normalise_endpoint(settings.endpoint) if settings.endpoint else None
        return Backend("endpoint" if endpoint else "cloud", settings.region, endpoint=endpoint)
    return None


def _profile_provider(profile: str) -> Any:
    """The official library's provider of a named profile: from ~/.aliyun/config.json (the CLI's profiles) when
    it has that profile, else from ~/.alibabacloud/credentials.ini. BackendError, naming the profile and the
    files, when neither yields credentials (checked now, before any call)."""
    from alibabacloud_credentials.provider.cli_profile import CLIProfileCredentialsProvider
    from alibabacloud_credentials.provider.profile import ProfileCredentialsProvider

    home = Path(os.environ.get("HOME") or Path.home())  # now, not when the library was imported
    ini = os.environ.get("ALIBABA_CLOUD_CREDENTIALS_FILE") or str(home / PROFILE_FILES[1])
    reasons = []
    for provider in (CLIProfileCredentialsProvider(profile_name=profile, profile_file=str(home / PROFILE_FILES[0])),
                     ProfileCredentialsProvider(profile_name=profile, profile_file=ini)):
        chain_logger = logging.getLogger("credentials")
        level, chain_logger.level = chain_logger.level, logging.CRITICAL + 1
        try:
            provider.get_credentials()
            return provider
        except Exception as error:  # the library raises one of several types for a missing profile or file
            reasons.append(str(error))
        finally:
            chain_logger.setLevel(level)
    raise BackendError(f"credentials.profile {profile!r}: no usable profile of that name in ~/.aliyun/config.json "
                       f"or ~/.alibabacloud/credentials.ini ({'; '.join(reasons)})")


def _emulator(settings: Settings, keys: KeyPair | None) -> Backend:
    """A running emulator at the explicit endpoint, else the embedded one."""
    if not settings.endpoint:
        return _embedded(settings)
    return Backend("endpoint", settings.region, endpoint=normalise_endpoint(settings.endpoint),
                   keys=keys or KeyPair(EMULATOR_ACCESS_KEY_ID, EMULATOR_ACCESS_KEY_SECRET), emulated=True)


def _cloud(settings: Settings, keys: KeyPair | None) -> Backend:
    """Alibaba Cloud with the explicit keys or the credential chain's; BackendError when the chain has none."""
    endpoint = normalise_endpoint(settings.endpoint) if settings.endpoint else None
    kind: Literal["endpoint", "cloud"] = "endpoint" if endpoint else "cloud"
    if keys is not None:
        return Backend(kind, settings.region, endpoint=endpoint, keys=keys)
    problem = _credential_chain_problem()
    if problem is not None:
        why = settings.chosen or (f"credentials are configured ({', '.join(settings.credential_sources)})"
                                  if settings.credential_sources else "the backend is the cloud")
        raise BackendError(f"no usable Alibaba Cloud credentials ({why}): looked for {_LOOKED_FOR}; the "
                           f"credential chain said: {problem}")
    return Backend(kind, settings.region, endpoint=endpoint)


_LOOKED_FOR = ("ECSOPS_ACCESS_KEY_ID and ECSOPS_ACCESS_KEY_SECRET, ALIBABA_CLOUD_ACCESS_KEY_ID and "
               "ALIBABA_CLOUD_ACCESS_KEY_SECRET, an OIDC role (ALIBABA_CLOUD_ROLE_ARN, "
               "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), the profiles in ~/.aliyun/config.json "
               "and ~/.alibabacloud/credentials.ini (ALIBABA_CLOUD_PROFILE), the ECS instance role, "
               "ALIBABA_CLOUD_CREDENTIALS_URI")


def _embedded(settings: Settings) -> Backend:
    database = (settings.directory / EMULATOR_DATABASE).resolve()
    endpoint = embedded_emulator(database)
    return Backend("embedded", settings.region, endpoint=endpoint,
                   keys=KeyPair(EMULATOR_ACCESS_KEY_ID, EMULATOR_ACCESS_KEY_SECRET), database=database, emulated=True)


def normalise_endpoint(endpoint: str) -> str:
    """`127.0.0.1:8080` -> `http://127.0.0.1:8080` for loopback; an https URL stays as it is."""
    endpoint = endpoint.rstrip("/")
    if "://" in endpoint:
        return endpoint
    host = endpoint.split(":", 1)[0]
    scheme = "http" if host in ("127.0.0.1", "localhost", "::1") else "https"
    return f"{scheme}://{endpoint}"


def _credential_chain_problem() -> str | None:
    """None when the official default credential chain yields credentials, else what each source said
    (the chain's own words: names of variables and files, never a secret). Silenced: the chain logs."""
    from alibabacloud_credentials.provider.default import DefaultCredentialsProvider

    chain_logger = logging.getLogger("credentials")
    level, chain_logger.level = chain_logger.level, logging.CRITICAL + 1
    try:
        DefaultCredentialsProvider().get_credentials()
    except Exception as error:  # the chain raises one of several types when nothing is configured
        return _chain_reasons(str(error))
    finally:
        chain_logger.setLevel(level)
    return None


def _chain_reasons(message: str) -> str:
    """The chain's message ("unable to load ... chain: ['A: why', 'B: why']") as "A: why; B: why"."""
    _, _, listed = message.partition(": [")
    if not listed:
        return message
    return "; ".join(part.strip(" '\"") for part in listed.rstrip("]").split("', '"))


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
