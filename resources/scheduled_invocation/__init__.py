"""`ecsops:ScheduledInvocation` — a Cloud Assistant command run on a schedule (InvokeCommand, docs/wire.md §2 and 4).

Identity: InvokeId. A task cannot be changed once made, so every field but `tags` replaces it: the new task
is made before the old one is stopped. Delete is StopInvocation. A task stopped outside ecsops is defunct:
drift reports it and apply makes a new one.

Schedules are checked with `ecsops.schedule` at plan time: syntax and field ranges always; the interval
rules against the task's timeout (or, when the command is in the same stack, the command's); rules relative
to the current time (years, `at` instants) only when a task is about to be made.
"""

from __future__ import annotations

from contextlib import suppress
import json
import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Mapping, Union

from pydantic import (Field, ValidationError, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator,
                      field_validator, model_validator)

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import (FieldError, Kind, Neighbour, Observed, Outputs, Problem, Spec, partly_made,
                                 read_back, register)
from ecsops.engine.listing import ListingCache, answered, fetched
from ecsops.engine.policy import in_place, replace
from ecsops.engine.refs import whole_reference
from ecsops.engine.scalars import STRICT_NUMBER
from ecsops.engine.values import SecretValue, is_unknown, reveal
from ecsops.resources.command import KIND as COMMAND, check_tags, parameter_names, retag, tag_list
from ecsops.schedule import ScheduleError, parse_frequency, validate_frequency

KIND_TYPE = "ecsops:ScheduledInvocation"
MAX_INSTANCES = 100
MAX_PARAMETERS = 10
NEXT_RUNS = 3
COMMAND_DEFAULT_TIMEOUT = 60
REPLACE_REASON = "a Cloud Assistant task cannot be changed once made: a new task is made, then the old one stopped"
INSTANCE_ID = re.compile(r"^i-[A-Za-z0-9-]+\Z")


def _one_parameter_value(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """One problem per parameter, named `parameters.<name>`: pydantic would report each alternative of the
    union under its internal name (`parameters.token.str`, `parameters.token.SecretValue.secret`)."""
    try:
        return handler(value)
    except ValidationError:
        raise ValueError("a parameter value is text, or {secret: TEXT} for a secret (quote numbers and "
                         "booleans: \"8080\")") from None


ParameterValue = Annotated[Union[str, SecretValue], WrapValidator(_one_parameter_value)]


class ScheduledInvocationSpec(Spec):
    """A command run by Cloud Assistant on a schedule, on instances chosen by id or by tag."""

    command_id: Annotated[str, replace(wire="CommandId", reason=REPLACE_REASON), Field(
        min_length=1, description="The command to run, usually ${command.commandId}.")]
    instance_ids: Annotated[list[str] | None, replace(wire="InstanceId", reason=REPLACE_REASON, normalise=sorted),
                            Field(min_length=1, max_length=MAX_INSTANCES)] = None
    resource_tags: Annotated[dict[str, str] | None, replace(wire="ResourceTag", reason=REPLACE_REASON, observed=False),
                             Field(min_length=1, max_length=20,
                                   description="Run on the instances carrying all these tags (chosen when made).")] = None
    repeat_mode: Annotated[Literal["Period", "EveryReboot", "NextRebootOnly"] | None,
                           replace(wire="RepeatMode", reason=REPLACE_REASON)] = None
    timeout: Annotated[int | None, replace(wire="Timeout", reason=REPLACE_REASON, observed=False),
                       Field(ge=1, le=86_400, description="Seconds per run (default: the command's)."),
                       STRICT_NUMBER] = None
    frequency: Annotated[str | None, replace(wire="Frequency", reason=REPLACE_REASON), Field(
        description="rate(5m), at(2026-12-01 02:00:00 Asia/Shanghai), or cron: 0 0 2 * * ? Asia/Shanghai.")] = None
    parameters: Annotated[dict[str, ParameterValue], replace(wire="Parameters", reason=REPLACE_REASON), Field(
        description="Values of the command's {{parameters}}; write {secret: VALUE} for a secret.")] = {}
    username: Annotated[str | None, replace(wire="Username", reason=REPLACE_REASON, observed=False),
                        Field(max_length=255)] = None
    working_dir: Annotated[str | None, replace(wire="WorkingDir", reason=REPLACE_REASON, observed=False),
                           Field(max_length=200)] = None
    tags: Annotated[dict[str, str], in_place(wire="Tag")] = {}

    @model_validator(mode="before")
    @classmethod
    def _period_when_scheduled(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("frequency") and not values.get("repeatMode", values.get("repeat_mode")):
            return {**values, "repeatMode": "Period"}
        return values

    @field_validator("frequency")
    @classmethod
    def _frequency_valid(cls, frequency: str | None, info: ValidationInfo) -> str | None:
        if frequency and not is_unknown(frequency):
            now = (info.context or {}).get("now") or datetime.now(timezone.utc)
            problem = schedule_problem(frequency, now=now, timeout=info.data.get("timeout"), deferred_time_rules=True)
            if problem:
                raise ValueError(problem)
        return frequency

    @field_validator("instance_ids")
    @classmethod
    def _instance_ids_valid(cls, ids: list[str] | None) -> list[str] | None:
        for id_ in ids or []:
            if not is_unknown(id_) and not INSTANCE_ID.match(id_):
                raise ValueError(f"{id_!r} is not an instance id (i-...)")
        if ids and len(set(ids)) != len(ids):
            raise ValueError("an instance is listed twice")
        return ids

    @field_validator("resource_tags", "tags")
    @classmethod
    def _tags_valid(cls, tags: dict[str, str] | None) -> dict[str, str] | None:
        return None if tags is None else check_tags(tags)

    @field_validator("parameters")
    @classmethod
    def _parameters_valid(cls, parameters: dict[str, ParameterValue]) -> dict[str, ParameterValue]:
        if len(parameters) > MAX_PARAMETERS:
            raise ValueError(f"{len(parameters)} parameters given; a task takes at most {MAX_PARAMETERS}")
        seen: set[str] = set()
        for key in parameters:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", key):
                raise ValueError(f"{key!r} is not a parameter name (letters, digits, '_' and '-')")
            if key.lower() in seen:
                raise ValueError(f"{key!r} is given twice (names are case-insensitive)")
            seen.add(key.lower())
        return parameters

    @model_validator(mode="after")
    def _one_way_to_run(self) -> "ScheduledInvocationSpec":
        if (self.instance_ids is None) == (self.resource_tags is None):
            raise FieldError("instanceIds", "give exactly one of instanceIds and resourceTags")
        if self.repeat_mode == "Period" and not self.frequency:
            raise FieldError("frequency", "a Period task needs a frequency")
        if self.repeat_mode in ("EveryReboot", "NextRebootOnly") and self.frequency:
            raise FieldError("frequency", f"repeatMode {self.repeat_mode} runs the task on restarts: it takes no "
                                          "frequency")
        if self.repeat_mode is None:
            raise FieldError("repeatMode", "give a frequency (Period), or EveryReboot or NextRebootOnly")
        return self


def schedule_problem(frequency: str, *, now: datetime, timeout: int | None, deferred_time_rules: bool) -> str | None:
    """What is wrong with `frequency` for a task that may run `timeout` seconds ("<part>: <why>")."""
    try:
        validate_frequency(frequency, now=now, timeout=timeout)
    except ScheduleError as error:
        if deferred_time_rules and error.relative_to_now:  # judged only for new tasks (creation_checks)
            return None
        return str(error)
    return None


class ScheduledInvocationOutputs(Outputs):
    invoke_id: str
    status: str = ""
    next_runs: list[str] = []


def next_runs(frequency: str | None, *, created: datetime, now: datetime) -> list[str]:
    """The next few run times (UTC, ISO) after `now` of a task made at `created`; [] when none are left."""
    if not frequency:
        return []
    try:
        schedule = parse_frequency(frequency, now=min(created, now))
    except ScheduleError:
        return []
    runs = schedule.next_runs(now, NEXT_RUNS, anchor=created)
    return [run.strftime("%Y-%m-%dT%H:%M:%SZ") for run in runs]


def preview(values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {"nextRuns": next_runs(values.get("frequency"), created=now, now=now)}


def creation_checks(spec: ScheduledInvocationSpec, now: datetime) -> list[Problem]:
    if not spec.frequency or is_unknown(spec.frequency):
        return []
    problem = schedule_problem(spec.frequency, now=now, timeout=spec.timeout, deferred_time_rules=False)
    return [("frequency", problem)] if problem else []


def stack_checks(properties: Mapping[str, Any], values: Mapping[str, Any], neighbours: Mapping[str, Neighbour], *,
                 region: str | None = None) -> list[Problem]:
    """A command id taken from the stack must be a command's. When the command is declared in the same
    stack: the parameters must be its parameters, every one of them needs a value, and the schedule must
    fit the command's timeout."""
    misdirected = command_reference_problem(properties.get("commandId"), neighbours)
    if misdirected:
        return [("commandId", misdirected)]
    command = referenced_command(properties.get("commandId"), neighbours)
    if command is None:
        return []
    problems: list[Problem] = []
    given = {key.lower(): key for key in values.get("parameters") or {}}
    declared = parameter_names(command.values["content"]) if command.values.get("enableParameter") else []
    if given and not command.values.get("enableParameter"):
        problems.append(("parameters", f"command {command.name!r} does not enable parameters"))
    else:
        unknown = sorted(key for lower, key in given.items() if lower not in {n.lower() for n in declared})
        missing = [name for name in declared if name.lower() not in given]
        if unknown:
            problems.append(("parameters", f"{', '.join(unknown)}: not parameters of command {command.name!r} "
                                           f"(it declares: {', '.join(declared) or 'none'})"))
        if missing:
            problems.append(("parameters", f"command {command.name!r} needs a value for "
                                           + ", ".join(f"{{{{{name}}}}}" for name in missing)))
    if values.get("frequency") and values.get("timeout") is None:
        timeout = command.values.get("timeout", COMMAND_DEFAULT_TIMEOUT)
        problem = schedule_problem(values["frequency"], now=datetime.now(timezone.utc), timeout=timeout,
                                   deferred_time_rules=True)
        if problem:
            problems.append(("frequency", f"{problem} (the command's timeout is {timeout} s)"))
    return problems


def command_reference_problem(value: Any, neighbours: Mapping[str, Neighbour]) -> str | None:
    """What is wrong with a commandId that is exactly a reference to a resource of the stack: it must be a
    command's `commandId`. (Before apply such a value is unknown, so validation alone cannot tell.)"""
    reference = whole_reference(value)
    target = neighbours.get(reference.resource) if reference else None
    if reference is None or target is None or (target.type == COMMAND.type_name and reference.attribute == "commandId"):
        return None
    if target.type == COMMAND.type_name:
        return f"{reference} is the command's {reference.attribute}, not its id: write ${{{target.name}.commandId}}"
    return f"{reference} is not a command id: {target.name!r} is an {target.type}, not an {COMMAND.type_name}"


def referenced_command(value: Any, neighbours: Mapping[str, Neighbour]) -> Neighbour | None:
    reference = whole_reference(value)
    neighbour = neighbours.get(reference.resource) if reference and reference.attribute == "commandId" else None
    return neighbour if neighbour is not None and neighbour.type == COMMAND.type_name else None


def cloud_checks(cloud: Cloud, spec: ScheduledInvocationSpec, *, cache: ListingCache | None = None) -> list[Problem]:
    """Every instance named must exist in the stack's region (InvokeCommand would refuse the task with
    InvalidInstance.NotFound). Ids known only after apply are not asked about. With a cache, the region's
    instances are listed once for every task checked; ids the listing lacks are asked about alone."""
    ids = [id_ for id_ in spec.instance_ids or [] if not is_unknown(id_)]
    if cache is not None:
        listed = fetched(cache, ("instances", cloud.region), lambda: {
            item["InstanceId"] for item in cloud.fetch_all(ops.DESCRIBE_INSTANCES, {}, ("Instances", "Instance"),
                                                           page_size=MAX_INSTANCES)})
        ids = [id_ for id_ in ids if id_ not in listed]
    if not ids:
        return []
    body = cloud.call(ops.DESCRIBE_INSTANCES, {"InstanceIds": json.dumps(ids), "MaxResults": MAX_INSTANCES})
    found = {item["InstanceId"] for item in body.get("Instances", {}).get("Instance", [])}
    missing = [id_ for id_ in ids if id_ not in found]
    if not missing:
        return []
    return [("instanceIds", f"{', '.join(missing)}: no such instance in {cloud.region}")]


class ScheduledInvocationLifecycle:
    """Tasks through ECS: InvokeCommand / DescribeInvocations / Tag-UntagResources / StopInvocation."""

    def create(self, cloud: Cloud, spec: ScheduledInvocationSpec, *, token: str) -> Observed:
        request: dict[str, Any] = {
            "CommandId": spec.command_id, "RepeatMode": spec.repeat_mode, "ClientToken": token,
            # sorted, like tags: a replay with the ClientToken must be the identical request
            "Parameters": dict(sorted(reveal(spec.values()["parameters"]).items())) or None,
            "Tag": tag_list(spec.tags),
        }
        if spec.instance_ids is not None:
            request["InstanceId"] = spec.instance_ids
        else:
            request["ResourceTag"] = tag_list(spec.resource_tags or {})
        optional = {"Frequency": spec.frequency, "Username": spec.username, "Timeout": spec.timeout,
                    "WorkingDir": spec.working_dir}
        request.update({key: value for key, value in optional.items() if value is not None})
        body = cloud.call(ops.INVOKE_COMMAND, {key: value for key, value in request.items() if value is not None})
        with partly_made(body["InvokeId"]):
            return read_back(self, cloud, body["InvokeId"], prior=spec.values(), what="task")

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        body = cloud.call(ops.DESCRIBE_INVOCATIONS, {"InvokeId": id_, "ContentEncoding": "PlainText"})
        found = [task for task in body.get("Invocations", {}).get("Invocation", []) if task.get("InvokeId") == id_]
        return observed_task(found[0], prior) if found else None

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """One listing of the region's tasks (50 per call) answers them all."""
        listing = fetched(cache, (KIND_TYPE, cloud.region), lambda: {
            task["InvokeId"]: task for task in cloud.fetch_all(
                ops.DESCRIBE_INVOCATIONS, {"ContentEncoding": "PlainText"}, ("Invocations", "Invocation"))})
        read_one = (lambda id_, prior: self.read(cloud, id_, prior=prior)) if cache is not None else None
        return answered(priors, listing, observed_task, read_one)

    def update(self, cloud: Cloud, id_: str, spec: ScheduledInvocationSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        if "tags" in changed:
            retag(cloud, "invocation", id_, dict(prior.get("tags") or {}), spec.tags)
        return read_back(self, cloud, id_, prior=spec.values(), what="task")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        with suppress(NotFound):  # already gone: done
            cloud.call(ops.STOP_INVOCATION, {"InvokeId": id_})


def observed_task(task: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
    """A task as DescribeInvocations reports it, in spec terms. Instances chosen by tag are not reported as
    instance ids (the selection stays the tags); a stopped task is defunct."""
    instances = sorted(item["InstanceId"] for item in task.get("InvokeInstances", {}).get("InvokeInstance", []))
    by_tags = bool(prior and prior.get("resourceTags"))
    values = {
        "commandId": task.get("CommandId"),
        "instanceIds": None if by_tags else instances,
        "repeatMode": task.get("RepeatMode"),
        "frequency": task.get("Frequency") or None,
        "parameters": json.loads(task.get("Parameters") or "{}"),
        "tags": {tag["TagKey"]: tag.get("TagValue", "") for tag in task.get("Tags", {}).get("Tag", [])},
    }
    created = datetime.fromisoformat(task["CreationTime"].replace("Z", "+00:00"))
    status = task.get("InvocationStatus", "")
    outputs = {"invokeId": task["InvokeId"], "status": status,
               "nextRuns": [] if status == "Stopped" else next_runs(values["frequency"], created=created,
                                                                   now=datetime.now(timezone.utc))}
    defunct = f"{task['InvokeId']} was stopped outside ecsops" if status in ("Stopped", "Stopping") else None
    return Observed(id=task["InvokeId"], values=values, outputs=outputs, defunct=defunct)


KIND = register(Kind(
    type_name=KIND_TYPE,
    spec=ScheduledInvocationSpec,
    outputs=ScheduledInvocationOutputs,
    lifecycle=ScheduledInvocationLifecycle(),
    id_output="invokeId",
    summary="A Cloud Assistant command run on a schedule (rate, at or cron) or at instance restarts.",
    creation_checks=creation_checks,
    stack_checks=stack_checks,
    cloud_checks=cloud_checks,
    preview=preview,
))
