"""The one dynamic ResourceProvider of ecsops: generic, picklable, delegating to a kind.

What the Pulumi engine needs (docs/pulumi.md), and how this meets it:
- the provider holds only plain data (the kind's type and module), so dill pickles it by reference and an
  upgrade of ecsops changes nothing but code; `diff` ignores `__provider`, so an upgrade alone never
  shows a change;
- `check` validates with the kind's spec and reports every bad field (preview never calls create);
- `diff` always returns a full DiffResult computed from the field policy (never `changes=None`);
- `create` and `update` return the complete outputs; `read` returns the cloud's view for refresh, and an
  empty id when the object is gone or defunct (a task stopped outside Pulumi);
- `create` sends a ClientToken, so the SDK-level retries of a create never duplicate it; with the input
  `adoptId` it takes over an existing object instead (Pulumi's import cannot load Python dynamic
  resources, pulumi/pulumi#16175); with the input `region` a resource lives in another region than the
  provider's `ecsops:region` (a kind whose spec has a `region` field takes it from there), and a changed
  region replaces it;
- configuration comes from `configure()` (stack config `ecsops:*`), shared by every provider of the
  process; everything here is safe on the provider server's four threads.
"""

from __future__ import annotations

import importlib
import re
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from pulumi.output import Unknown
from pulumi.dynamic import (CheckFailure, CheckResult, ConfigureRequest, CreateResult, DiffResult, ReadResult,
                            ResourceProvider, UpdateResult)

from ecsops.cloud.backend import BackendError, Settings, select
from ecsops.cloud.client import Cloud, rate_from_environment
from ecsops.cloud.errors import CloudError
from ecsops.engine import kind as kinds
from ecsops.engine.apply import new_token
from ecsops.engine.diff import Effect, diff
from ecsops.engine.errors import Diagnostic
from ecsops.engine.kind import Kind, Observed, Spec
from ecsops.engine.listing import ListingCache
from ecsops.engine.plan import effective_values
from ecsops.engine.validate import creation_problems, validate
from ecsops.engine.values import UNKNOWN, is_unknown, mark_secrets

PROVIDER_KEY = "__provider"
ADOPT_KEY = "adoptId"
REGION_KEY = "region"  # the resource's region, for kinds whose spec has no region field of its own
REGION = re.compile(r"^[a-z]{2}-[a-z0-9-]+\Z")
DEFAULT_REGION = "cn-hangzhou"


class ProviderError(Exception):
    """An error whose message alone tells the user what to fix (Pulumi shows it with the traceback)."""


#: Stack config read by the provider, and the environment variable each stands for (config wins): the
#: backend is chosen by the same rule as on the command line (ecsops.cloud.backend).
CONFIG_VARIABLES = (("ecsops:region", "ECSOPS_REGION"), ("ecsops:backend", "ECSOPS_BACKEND"),
                    ("ecsops:endpoint", "ECSOPS_ENDPOINT"), ("ecsops:accessKeyId", "ECSOPS_ACCESS_KEY_ID"),
                    ("ecsops:accessKeySecret", "ECSOPS_ACCESS_KEY_SECRET"))


class Runtime:
    """Per-process settings and the cloud client, shared by every provider instance (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: Settings | None = None
        self._cloud: Cloud | None = None

    def configure(self, config: Any) -> None:
        environ = {**os.environ, **{variable: config.get(key) for key, variable in CONFIG_VARIABLES if config.get(key)}}
        try:
            settings = Settings.from_environment(environ.get("ECSOPS_REGION") or DEFAULT_REGION, Path.cwd(),
                                                 environ=environ)
        except BackendError as error:
            raise ProviderError(f"ecsops: {error} (stack config ecsops:backend)") from None
        with self._lock:
            if settings != self._settings:
                self._settings, self._cloud = settings, None

    def cloud(self) -> Cloud:
        with self._lock:
            if self._cloud is None:
                try:
                    settings = self._settings or Settings.from_environment(
                        os.environ.get("ECSOPS_REGION", DEFAULT_REGION), Path.cwd())
                    self._cloud = Cloud(select(settings), rate=rate_from_environment())
                except BackendError as error:
                    raise ProviderError(f"ecsops: {error}") from None
            return self._cloud


RUNTIME = Runtime()

#: Listings shared by the Read calls of one provider process (a refresh reads every resource, one call each,
#: on four threads): kept a few seconds, and dropped for a kind whenever this process writes one of its objects.
LISTINGS = ListingCache(ttl_s=5.0)


_IMPORTS = threading.Lock()


class KindProvider(ResourceProvider):
    """Delegates every call to the kind `kind_type`, registered by importing `module`."""

    def __init__(self, kind_type: str, module: str):
        super().__init__()
        self.kind_type = kind_type
        self.module = module

    def kind(self) -> Kind:
        # The server's threads may unpickle providers of two kinds at once; importing two modules of
        # one package from two threads while the package itself loads can deadlock: one at a time.
        with _IMPORTS:
            importlib.import_module(self.module)
        return kinds.get(self.kind_type)

    def configure(self, req: ConfigureRequest) -> None:
        RUNTIME.configure(req.config)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        kind = self.kind()
        news = engine_values(news)
        validated = validate(kind, declared(kind, news))
        problems = [*validated.diagnostics, *region_problems(kind, news)]
        if not olds:  # a new resource: the rules for objects about to be made apply too
            problems += creation_problems(kind, validated, resource=None, now=datetime.now(timezone.utc))
        unchanged = bool(olds) and validate(kind, declared(kind, engine_values(olds))).declared == validated.declared
        unchanged = unchanged and olds.get(REGION_KEY) == news.get(REGION_KEY)
        if kind.cloud_checks is not None and validated.spec is not None and not unchanged and not is_unknown(
                news.get(REGION_KEY)):
            # inputs as they were when the cloud accepted them ask nothing new of it (and a preview of a
            # large stack would otherwise cost a call per resource)
            with cloud_errors(kind, "check"):
                problems += [Diagnostic(message, field=field) for field, message
                             in kind.cloud_checks(cloud_for(kind, news), validated.spec)]
        failures = [CheckFailure(problem.field or "", problem.message)
                    for problem in problems if problem.severity == "error"]
        inputs = {**reserved(kind, news),
                  **(validated.declared if validated.spec is not None else declared(kind, news))}
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        kind = self.kind()
        olds, news = engine_values(olds), engine_values(news)
        validated = validate(kind, declared(kind, news))
        changes = diff(kind, mark_secrets(current(kind, olds), validated.declared), validated.declared)
        moved = [REGION_KEY] if own_region_key(kind) and region_of(kind, olds) != region_of(kind, news) else []
        return DiffResult(
            changes=bool(changes) or bool(moved),
            replaces=[change.field for change in changes if change.effect is Effect.REPLACE] + moved,
            stables=[kind.id_output],
            delete_before_replace=kind.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        kind = self.kind()
        LISTINGS.forget(kind.type_name)
        spec = require_spec(kind, props, creating=True)
        adopt = props.get(ADOPT_KEY)
        cloud = cloud_for(kind, props)
        with cloud_errors(kind, "create"):
            if adopt:
                seen = adopt_object(kind, cloud, str(adopt), spec)
            else:
                refuse_taken(kind, cloud, spec)
                seen = kind.lifecycle.create(cloud, spec, token=new_token())
        return CreateResult(seen.id, outputs(kind, seen, spec.wire_values(), props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        kind = self.kind()
        prior = current(kind, props)
        with cloud_errors(kind, "read"):
            reader = kind.batch_reader
            if reader is not None:  # the reads of a refresh share one listing (see LISTINGS)
                seen = reader.read_many(cloud_for(kind, props), {id_: prior}, cache=LISTINGS)[id_]
            else:
                seen = kind.lifecycle.read(cloud_for(kind, props), id_, prior=prior)
        if seen is None or seen.defunct:  # gone, or no longer doing its job: refresh drops it, up makes anew
            return ReadResult("", {})
        return ReadResult(seen.id, outputs(kind, seen, current(kind, props), props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kind = self.kind()
        LISTINGS.forget(kind.type_name)
        spec = require_spec(kind, news)
        prior = mark_secrets(current(kind, olds), spec.wire_values())
        changed = frozenset(change.field for change in diff(kind, prior, spec.wire_values()))
        with cloud_errors(kind, "update"):
            seen = kind.lifecycle.update(cloud_for(kind, olds), id_, spec, prior=prior, changed=changed)
        return UpdateResult(outputs(kind, seen, spec.wire_values(), news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        kind = self.kind()
        LISTINGS.forget(kind.type_name)
        with cloud_errors(kind, "delete"):
            kind.lifecycle.delete(cloud_for(kind, props), id_, prior=current(kind, props))


def engine_values(value: Any) -> Any:
    """Pulumi's `Unknown` placeholders (sent during preview) as the engine's UNKNOWN marker."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: engine_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [engine_values(item) for item in value]
    return value


def declared(kind: Kind, props: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's inputs among `props`: no reserved keys, no outputs, no unset (None) values."""
    skip = {PROVIDER_KEY, ADOPT_KEY, *kind.output_names, *own_region_key(kind)}
    return {key: value for key, value in props.items() if key not in skip and value is not None}


def own_region_key(kind: Kind) -> tuple[str, ...]:
    """The input naming the resource's region besides its fields: none for a kind whose spec has a region."""
    return () if REGION_KEY in kind.fields else (REGION_KEY,)


def reserved(kind: Kind, props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in (PROVIDER_KEY, ADOPT_KEY, *own_region_key(kind)) if props.get(key) is not None}


def region_of(kind: Kind, props: Mapping[str, Any]) -> str:
    """The region a resource lives in: its `region` input (or spec field), else the provider's `ecsops:region`."""
    region = props.get(REGION_KEY)
    return region if isinstance(region, str) and region else RUNTIME.cloud().region


def cloud_for(kind: Kind, props: Mapping[str, Any]) -> Cloud:
    """The provider's client with the resource's region as the default of its calls."""
    return RUNTIME.cloud().in_region(region_of(kind, props))


def region_problems(kind: Kind, props: Mapping[str, Any]) -> list[Diagnostic]:
    region = props.get(REGION_KEY) if own_region_key(kind) else None
    if region is None or region is UNKNOWN or (isinstance(region, str) and REGION.match(region)):
        return []
    return [Diagnostic(f"{region!r} is not valid: use a region id such as cn-hangzhou", field=REGION_KEY)]


def current(kind: Kind, props: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields of a previous output set (what the last create/update/read recorded)."""
    return {name: props[name] for name in kind.fields if name in props}


def require_spec(kind: Kind, props: Mapping[str, Any], *, creating: bool = False) -> Spec:
    """The complete spec, or a ProviderError listing every problem (with the creation rules if creating)."""
    validated = validate(kind, declared(kind, props))
    problems = list(validated.diagnostics)
    if creating:
        problems += creation_problems(kind, validated, resource=None, now=datetime.now(timezone.utc))
    if validated.spec is None or problems:
        problems = problems or [Diagnostic("some inputs are still unknown")]
        raise ProviderError(f"{kind.type_name}: " + "; ".join(str(problem) for problem in problems))
    return validated.spec


def outputs(kind: Kind, seen: Observed, desired: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """All outputs: the observed fields (unobservable ones from `desired`), the computed outputs, and the
    inputs that are not fields (adoptId, region) as `props` gives them."""
    result = {**effective_values(kind, seen.reported, desired), **seen.outputs}
    result.update({key: value for key, value in reserved(kind, props).items() if key != PROVIDER_KEY})
    return result


def refuse_taken(kind: Kind, cloud: Cloud, spec: Spec) -> None:
    """A kind whose identity the user chooses must not silently take over an object made elsewhere."""
    seen = kind.find_existing(cloud, spec) if kind.find_existing is not None else None
    if seen is not None:
        raise ProviderError(f"{kind.type_name}: {seen.id} already exists: adopt it with adopt_id={seen.id!r}, "
                            "or give the resource another identity")


def adopt_object(kind: Kind, cloud: Cloud, id_: str, spec: Spec) -> Observed:
    """Takes over an existing object: in-place differences are updated; a replace-only one is an error."""
    seen = kind.lifecycle.read(cloud, id_, prior=None)
    if seen is None:
        raise ProviderError(f"{kind.type_name}: cannot adopt {id_}: it does not exist")
    changes = diff(kind, seen.reported, spec.wire_values())
    blocking = [change.field for change in changes if change.effect is Effect.REPLACE]
    if blocking:
        raise ProviderError(f"{kind.type_name}: cannot adopt {id_}: it differs in {', '.join(blocking)}, which only a "
                            "replacement can change; make the program match the object, or drop adoptId")
    if not changes:
        return seen
    return kind.lifecycle.update(cloud, id_, spec, prior=seen.reported,
                                 changed=frozenset(change.field for change in changes))


class cloud_errors:
    """Turns a CloudError into a ProviderError naming the kind, the step and the field."""

    def __init__(self, kind: Kind, step: str):
        self.kind, self.step = kind, step

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, tb: Any) -> None:
        if isinstance(error, CloudError):
            field_name = self.kind.field_by_wire.get(error.parameter or "")
            where = f", field {field_name!r}" if field_name else ""
            raise ProviderError(f"{self.kind.type_name} {self.step} failed{where}: {error}") from error
