"""Tasks through ECS: InvokeCommand / DescribeInvocations / Tag-UntagResources / StopInvocation.

A task cannot be changed once made: every field but `tags` replaces it (the new task is made before the old
one is stopped), and delete is StopInvocation. The request and the read-back are the spec's declarations
(engine/wire.py); what is left here is what the API does its own way: the instances a task runs on are
reported per instance, a task chosen by tag is not reported as instance ids, a stopped task is defunct, and
the outputs.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timezone
from typing import Any, Mapping

from ecsops.cloud import operations as ops
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import NotFound
from ecsops.engine.kind import Found, Observed, partly_made, read_back
from ecsops.engine.listing import ListingCache, answered, fetched
from ecsops.engine.wire import create_request, read_values
from ecsops.resources.command import retag
from ecsops.resources.scheduled_invocation.spec import ScheduledInvocationSpec, next_runs

KIND_TYPE = "ecsops:ScheduledInvocation"
STOPPED = ("Stopped", "Stopping")
#: the repeat modes of the tasks this kind makes (a frequency, or restarts); a one-off run ("Once") is not one
SCHEDULED = ("Period", "EveryReboot", "NextRebootOnly")


class ScheduledInvocationLifecycle:
    """Tasks through ECS: InvokeCommand / DescribeInvocations / Tag-UntagResources / StopInvocation."""

    def create(self, cloud: Cloud, spec: ScheduledInvocationSpec, *, token: str) -> Observed:
        body = cloud.call(ops.INVOKE_COMMAND, {**create_request(spec), "ClientToken": token})
        with partly_made(body["InvokeId"]):
            return read_back(self, cloud, body["InvokeId"], prior=spec.wire_values(), what="task")

    def read(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any] | None) -> Observed | None:
        body = cloud.call(ops.DESCRIBE_INVOCATIONS, {"InvokeId": id_, "ContentEncoding": "PlainText"})
        found = [task for task in body.get("Invocations", {}).get("Invocation", []) if task.get("InvokeId") == id_]
        return observed_task(found[0], prior) if found else None

    def read_many(self, cloud: Cloud, priors: Mapping[str, Mapping[str, Any] | None], *,
                  cache: ListingCache | None = None) -> dict[str, Observed | None]:
        """One listing of the region's tasks (50 per call) answers them all."""
        listing = region_tasks(cloud, cache)
        read_one = (lambda id_, prior: self.read(cloud, id_, prior=prior)) if cache is not None else None
        return answered(priors, listing, observed_task, read_one)

    def list_all(self, cloud: Cloud, *, cache: ListingCache | None = None) -> list[Found]:
        """The region's live scheduled tasks (the listing `read_many` shares): repeating or run at restarts, not
        stopped; one-off runs are not tasks of this kind. A task has no name of its own."""
        return [Found(id_, None) for id_, task in region_tasks(cloud, cache).items()
                if task.get("RepeatMode") in SCHEDULED and task.get("InvocationStatus") not in STOPPED]

    def update(self, cloud: Cloud, id_: str, spec: ScheduledInvocationSpec, *, prior: Mapping[str, Any],
               changed: frozenset[str]) -> Observed:
        if "tags" in changed:
            retag(cloud, "invocation", id_, dict(prior.get("tags") or {}), spec.tags)
        return read_back(self, cloud, id_, prior=spec.wire_values(), what="task")

    def delete(self, cloud: Cloud, id_: str, *, prior: Mapping[str, Any]) -> None:
        with suppress(NotFound):  # already gone: done
            cloud.call(ops.STOP_INVOCATION, {"InvokeId": id_})


def region_tasks(cloud: Cloud, cache: ListingCache | None) -> dict[str, dict[str, Any]]:
    """id -> DescribeInvocations item of every task of the region (50 per call), through `cache` when given."""
    return fetched(cache, (KIND_TYPE, cloud.region), lambda: {
        task["InvokeId"]: task for task in cloud.fetch_all(
            ops.DESCRIBE_INVOCATIONS, {"ContentEncoding": "PlainText"}, ("Invocations", "Invocation"))})


def observed_task(task: Mapping[str, Any], prior: Mapping[str, Any] | None) -> Observed:
    """A task as DescribeInvocations reports it, in spec terms: the declared fields as reported, and the
    instances from its per-instance entries — unless they were chosen by tag (the selection stays the
    tags). A stopped task is defunct."""
    values = read_values(ScheduledInvocationSpec, task)
    by_tags = bool(prior and prior.get("resourceTags"))
    values["instanceIds"] = None if by_tags else instance_ids(task)
    status = task.get("InvocationStatus", "")
    outputs = {"invokeId": task["InvokeId"], "status": status, "nextRuns": upcoming(task, values["frequency"])}
    defunct = f"{task['InvokeId']} was stopped outside ecsops" if status in STOPPED else None
    return Observed(id=task["InvokeId"], reported=values, outputs=outputs, defunct=defunct)


def instance_ids(task: Mapping[str, Any]) -> list[str]:
    """The task's instances (sorted), from its per-instance entries."""
    return sorted(item["InstanceId"] for item in task.get("InvokeInstances", {}).get("InvokeInstance", []))


def upcoming(task: Mapping[str, Any], frequency: str | None) -> list[str]:
    """The next runs of a task still scheduled; none for a stopped one."""
    if task.get("InvocationStatus") == "Stopped":
        return []
    created = datetime.fromisoformat(task["CreationTime"].replace("Z", "+00:00"))
    return next_runs(frequency, created=created, now=datetime.now(timezone.utc))
