"""What a scheduled invocation declares: the command, where it runs (instances by id or by tag), when (a
frequency, or restarts), with what (parameters, overrides of the command's settings) — and how each field
travels. Every field's declaration is all there is of it: InvokeCommand's request and the read-back of
DescribeInvocations are built from them (engine/wire.py).

Fields DescribeInvocations does not report (resourceTags, timeout, username, workingDir, windowsPasswordName,
resourceGroupId) are `observed=False`: compared with the last applied value. Fields whose unset value is the
cloud's choice (the command's launcher, the service's termination mode, the default resource group) are
`computed`: left out, whatever the cloud reports stands.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import (Field, ValidationError, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator,
                      field_validator, model_validator)

from ecsops.engine.kind import FieldError, Spec
from ecsops.engine.policy import in_place, replace
from ecsops.engine.scalars import STRICT_NUMBER
from ecsops.engine.values import SecretValue, is_unknown
from ecsops.engine.wire import JSON_PARAM, OPTIONAL_TEXT, TAGS
from ecsops.resources.command import check_tags
from ecsops.schedule import ScheduleError, parse_frequency, validate_frequency

MAX_INSTANCES = 100
MAX_PARAMETERS = 10
NEXT_RUNS = 3
LAUNCHER_LIMIT_BYTES = 1024
NAME_LIMIT = 255  # Username and WindowsPasswordName (InvokeCommand)
REPLACE_REASON = "a Cloud Assistant task cannot be changed once made: a new task is made, then the old one stopped"
INSTANCE_ID = re.compile(r"^i-[A-Za-z0-9-]+\Z")
# pydantic's (Rust) regex: $ is the very end. A container id is 64 hexadecimal digits, optionally after the
# runtime's prefix (InvokeCommand's ContainerId); a name is Docker's (a letter or digit, then letters, digits,
# '_', '.', '-'), at most 255 characters.
CONTAINER_ID = r"^((docker|containerd|cri-o)://)?[0-9a-fA-F]{64}$"
CONTAINER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$"
RESOURCE_GROUP_ID = r"^rg-[a-z0-9]{1,64}$"


def _one_parameter_value(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """One problem per parameter, named `parameters.<name>`: pydantic would report each alternative of the
    union under its internal name (`parameters.token.str`, `parameters.token.SecretValue.secret`)."""
    try:
        return handler(value)
    except ValidationError:
        raise ValueError("a parameter value is text, or {secret: TEXT} for a secret (quote numbers and "
                         "booleans: \"8080\")") from None


ParameterValue = Annotated[Union[str, SecretValue], WrapValidator(_one_parameter_value)]
RepeatMode = Literal["Period", "EveryReboot", "NextRebootOnly"]


def _replaces(wire: str, **options: Any) -> Any:
    """Every field but `tags`: the task cannot be changed once made."""
    return replace(wire=wire, reason=REPLACE_REASON, **options)


class ScheduledInvocationSpec(Spec):
    """A command run by Cloud Assistant on a schedule, on instances chosen by id or by tag."""

    command_id: Annotated[str, _replaces("CommandId"), Field(
        min_length=1, description="The command to run, usually ${command.commandId}.")]
    instance_ids: Annotated[list[str] | None, _replaces("InstanceId", normalise=sorted),
                            Field(min_length=1, max_length=MAX_INSTANCES)] = None
    resource_tags: Annotated[dict[str, str] | None, _replaces("ResourceTag", codec=TAGS, observed=False), Field(
        min_length=1, max_length=20,
        description="Run on the instances carrying all these tags (chosen when made).")] = None
    repeat_mode: Annotated[RepeatMode | None, _replaces("RepeatMode")] = None
    timeout: Annotated[int | None, _replaces("Timeout", observed=False),
                       Field(ge=1, le=86_400, description="Seconds per run (default: the command's)."),
                       STRICT_NUMBER] = None
    frequency: Annotated[str | None, _replaces("Frequency", codec=OPTIONAL_TEXT), Field(
        description="rate(5m), at(2026-12-01 02:00:00 Asia/Shanghai), or cron: 0 0 2 * * ? Asia/Shanghai.")] = None
    parameters: Annotated[dict[str, ParameterValue], _replaces("Parameters", codec=JSON_PARAM), Field(
        description="Values of the command's {{parameters}}; write {secret: VALUE} for a secret.")] = {}
    username: Annotated[str | None, _replaces("Username", observed=False), Field(max_length=NAME_LIMIT)] = None
    working_dir: Annotated[str | None, _replaces("WorkingDir", observed=False), Field(max_length=200)] = None
    launcher: Annotated[str | None, _replaces("Launcher", codec=OPTIONAL_TEXT, computed=True), Field(
        description="How the script is started, at most 1 KB (default: the command's launcher).")] = None
    windows_password_name: Annotated[str | None, _replaces("WindowsPasswordName", observed=False), Field(
        max_length=NAME_LIMIT, description="The Parameter Store name of `username`'s password (Windows).")] = None
    container_id: Annotated[str | None, _replaces("ContainerId", codec=OPTIONAL_TEXT), Field(
        pattern=CONTAINER_ID, description="Run in this container (64 hex digits, optionally after docker://, "
                                          "containerd:// or cri-o://); Linux and shell scripts only.")] = None
    container_name: Annotated[str | None, _replaces("ContainerName", codec=OPTIONAL_TEXT), Field(
        pattern=CONTAINER_NAME, description="Run in the container of this name; Linux and shell scripts only.")] = None
    termination_mode: Annotated[Literal["Process", "ProcessTree"] | None, _replaces(
        "TerminationMode", codec=OPTIONAL_TEXT, computed=True), Field(
        description="What a stop or a timeout ends: the script's process, or its whole process tree "
                    "(default: the service's, Process).")] = None
    resource_group_id: Annotated[str | None, _replaces(
        "ResourceGroupId", codec=OPTIONAL_TEXT, computed=True, observed=False), Field(
        pattern=RESOURCE_GROUP_ID,
        description="The resource group (rg-...) of the task; unset: the account's default group.")] = None
    tags: Annotated[dict[str, str], in_place(wire="Tag", codec=TAGS, read="Tags")] = {}

    @model_validator(mode="before")
    @classmethod
    def _period_when_scheduled(cls, values: Any) -> Any:
        if not isinstance(values, dict) or not values.get("frequency"):
            return values
        if not values.get("repeatMode", values.get("repeat_mode")):
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

    @field_validator("launcher")
    @classmethod
    def _launcher_fits(cls, launcher: str | None) -> str | None:
        if launcher is not None and len(launcher.encode()) > LAUNCHER_LIMIT_BYTES:
            raise ValueError(f"must be at most 1 KB ({LAUNCHER_LIMIT_BYTES} bytes); it is "
                             f"{len(launcher.encode())} bytes")
        return launcher

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

    @model_validator(mode="after")
    def _password_for_a_user(self) -> "ScheduledInvocationSpec":
        """A password name is the password of `username` (InvokeCommand: give both to run as another user
        than System on Windows); alone it names no one's."""
        if self.windows_password_name and not self.username:
            raise FieldError("windowsPasswordName", "is the password of `username`: give the username too")
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
