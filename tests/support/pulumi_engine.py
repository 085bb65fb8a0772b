"""An engine-like client of Pulumi's dynamic provider server, for protocol tests without the Pulumi CLI.

`ProviderServer` starts `python -u -m pulumi.dynamic` the way the engine does (cwd = the project,
PULUMI_PROJECT set; the first stdout line is the port) and replays the engine's gRPC calls: Configure,
Check, Diff, Create, Read, Update, Delete. Properties travel as protobuf Structs, so numbers come back as
floats, exactly as from the engine. `provider_inputs` builds a resource with the real Resource class
under Pulumi's mocks and returns the inputs the engine would receive, `__provider` included.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROJECT = "ecsops-tests"


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::{PROJECT}::{type_}::{name}"


@dataclass(frozen=True)
class DiffAnswer:
    changes: int
    replaces: list[str]
    delete_before_replace: bool

    @property
    def has_changes(self) -> bool:
        return self.changes == provider_pb2.DiffResponse.DIFF_SOME


class ProviderServer:
    """One provider process; stop() sends SIGINT like the engine."""

    def __init__(self, project_dir: Path, env: Mapping[str, str] | None = None):
        environment = {**os.environ, "PULUMI_PROJECT": PROJECT, **(env or {})}
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:0"],
                                        cwd=project_dir, env=environment, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        port = self.process.stdout.readline().strip()  # type: ignore[union-attr]
        if not port.isdigit():
            self.process.kill()
            _, err = self.process.communicate()  # reaped, pipes closed
            raise RuntimeError(f"provider server did not start: {port!r} {err}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stop(self) -> str:
        """Stops the server like the engine; returns what it wrote (stdout after the port, and stderr)."""
        self.channel.close()
        self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return (out or "") + (err or "")

    def handshake_code(self) -> grpc.StatusCode:
        try:
            self.stub.Handshake(provider_pb2.ProviderHandshakeRequest())
        except grpc.RpcError as error:
            return error.code()
        return grpc.StatusCode.OK

    def configure(self, config: Mapping[str, Any]) -> bool:
        answer = self.stub.Configure(provider_pb2.ConfigureRequest(
            args=to_struct(config), acceptSecrets=True, acceptResources=True, sends_old_inputs=True,
            sends_old_inputs_to_delete=True))
        return answer.acceptSecrets

    def check(self, type_: str, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[dict, list]:
        answer = self.stub.Check(provider_pb2.CheckRequest(urn=urn(type_, name), olds=to_struct(olds),
                                                           news=to_struct(news), name=name, type=type_))
        return from_struct(answer.inputs), [(f.property, f.reason) for f in answer.failures]

    def diff(self, type_: str, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffAnswer:
        answer = self.stub.Diff(provider_pb2.DiffRequest(id=id_, urn=urn(type_, name), olds=to_struct(olds),
                                                         news=to_struct(news), old_inputs=to_struct(olds),
                                                         name=name, type=type_))
        return DiffAnswer(answer.changes, list(answer.replaces), answer.deleteBeforeReplace)

    def create(self, type_: str, name: str, properties: Mapping[str, Any]) -> tuple[str, dict]:
        answer = self.stub.Create(provider_pb2.CreateRequest(urn=urn(type_, name), properties=to_struct(properties),
                                                             name=name, type=type_))
        return answer.id, from_struct(answer.properties)

    def read(self, type_: str, name: str, id_: str, properties: Mapping[str, Any],
             inputs: Mapping[str, Any] | None = None) -> tuple[str, dict]:
        answer = self.stub.Read(provider_pb2.ReadRequest(id=id_, urn=urn(type_, name),
                                                         properties=to_struct(properties),
                                                         inputs=to_struct(inputs or properties), name=name, type=type_))
        return answer.id, from_struct(answer.properties)

    def update(self, type_: str, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict:
        answer = self.stub.Update(provider_pb2.UpdateRequest(id=id_, urn=urn(type_, name), olds=to_struct(olds),
                                                             news=to_struct(news), old_inputs=to_struct(olds),
                                                             name=name, type=type_))
        return from_struct(answer.properties)

    def delete(self, type_: str, name: str, id_: str, properties: Mapping[str, Any]) -> None:
        self.stub.Delete(provider_pb2.DeleteRequest(id=id_, urn=urn(type_, name), properties=to_struct(properties),
                                                    old_inputs=to_struct(properties), name=name, type=type_))


SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def unwrap_secrets(value: Any) -> Any:
    """What the engine does before calling a provider that answered acceptSecrets=False."""
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return unwrap_secrets(value.get("value"))
        return {key: unwrap_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(item) for item in value]
    return value


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def holds_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(holds_secret(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_secret(item) for item in value)
    return False


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]
    #: Top-level inputs holding a secret: the engine re-marks outputs of these names secret (docs/pulumi.md).
    secret_inputs: frozenset[str] = frozenset()


def registrations(program: Callable[[], None], *, forward: Callable[[Registration], tuple[str, dict]] | None = None
                  ) -> list[Registration]:
    """Runs a Pulumi program under the SDK's mocks; returns what it registered, inputs as the engine gets them.

    With `forward`, each registration is handed to it (for example, to create the resource through a real
    provider server) and its (id, outputs) answer the program, so whole programs run against real providers.
    """
    import pulumi.runtime
    from pulumi.runtime.settings import SETTINGS
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    seen: list[Registration] = []

    class Recorder(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
            registration = Registration(args.typ, args.name, unwrap_secrets(args.inputs),
                                        frozenset(key for key, value in args.inputs.items() if holds_secret(value)))
            seen.append(registration)
            if forward is not None:
                return forward(registration)
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
            return {}, None

    pulumi.runtime.set_mocks(Recorder(), project=PROJECT, stack="test", preview=False)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    _sync_await(run_pulumi_func(program))
    return seen
