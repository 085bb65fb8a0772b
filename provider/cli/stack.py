"""`ecsops plan | apply | drift | destroy | import`: the commands that work on a YAML stack."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from contextlib import contextmanager
from typing import Iterator

import ecsops.resources  # noqa: F401  (registers every kind)
from ecsops.cli import render
from ecsops.cloud.backend import Backend, BackendError, Settings, select
from ecsops.cloud.client import Cloud, rate_from_environment
from ecsops.cloud.errors import CloudError
from ecsops.engine.apply import Outcome
from ecsops.engine.dag import DEFAULT_WORKERS
from ecsops.engine.drift import in_sync
from ecsops.engine.errors import EngineError
from ecsops.engine.plan import Action, Plan
from ecsops.engine.stack import Stack, load_stack
from ecsops.engine.state import StateError, Store
from ecsops.engine.state_location import Location, LocationError, chosen_location, open_store
from ecsops.engine.workspace import Workspace

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


@contextmanager
def reported_errors() -> Iterator[None]:
    """Every expected failure becomes `error: ...` lines on stderr and exit code 1 (raised as SystemExit)."""
    try:
        yield
    except EngineError as error:
        for diagnostic in error.diagnostics:
            print(f"error: {diagnostic}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None
    except (CloudError, StateError, BackendError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None


def workspace(arguments: argparse.Namespace) -> Workspace:
    stack = load_stack(arguments.stack)
    settings = Settings.from_environment(stack.region, stack.directory, endpoint=arguments.endpoint,
                                         backend=arguments.backend, stack_backend=stack.backend)
    rate = rate_from_environment() if arguments.rate is None else (arguments.rate or None)
    cloud = Cloud(select(settings), rate=rate)
    return Workspace.open(stack, cloud, store=state_store(arguments, stack, cloud.backend),
                          workers=getattr(arguments, "parallelism", DEFAULT_WORKERS))


def state_store(arguments: argparse.Namespace, stack: Stack, backend: Backend) -> Store:
    return open_store(state_location(arguments, stack), stack.name, backend, stack.region,
                      unlock_command=unlock_command(arguments))


def unlock_command(arguments: argparse.Namespace) -> str:
    """`ecsops state unlock STACK LOCK_ID` with the options this run was given, so that, run as printed, it
    reaches the same state (a --state or --endpoint left out would open another one)."""
    words = ["ecsops", "state", "unlock", shlex.quote(str(arguments.stack)), "LOCK_ID"]
    for option in ("backend", "endpoint", "state"):
        value = getattr(arguments, option, None)
        if value:
            words += [f"--{option}", shlex.quote(str(value))]
    return " ".join(words)


def state_location(arguments: argparse.Namespace, stack: Stack) -> Location:
    """Where the stack's state lives: --state, else ECSOPS_STATE, else the stack's state: key, else beside it."""
    try:
        return chosen_location(getattr(arguments, "state", None), os.environ.get("ECSOPS_STATE"), stack.state,
                               stack.directory)
    except LocationError as error:
        raise StateError(str(error)) from None


def run_plan(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        planned, basis = space.plan_to_save()
        if arguments.out is not None:
            from ecsops.cli.plan_file import write_plan_file

            write_plan_file(arguments.out, space, arguments, planned, basis)
    backend = space.cloud.backend.describe()
    if arguments.json:
        render.write_json(render.plan_document(planned, space.cloud.backend.document()), sys.stdout)
    else:
        print(render.plan_text(planned, backend, sys.stdout))
        if arguments.out is not None:
            print(f"\nSaved the plan to {arguments.out}: `ecsops apply {arguments.out}` makes exactly these changes "
                  "(or refuses if anything changes first).")
    return EXIT_CHANGES if arguments.detailed_exitcode and planned.has_changes else EXIT_OK


def run_drift(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        report = space.drift()
    backend = space.cloud.backend.describe()
    if arguments.json:
        render.write_json(render.drift_document(report, space.stack.name, space.cloud.backend.document()), sys.stdout)
    else:
        print(render.drift_text(report, space.stack.name, backend, sys.stdout))
    return EXIT_OK if in_sync(report) else EXIT_CHANGES


def run_apply(arguments: argparse.Namespace) -> int:
    from ecsops.cli.plan_file import is_plan_file, run_apply_plan

    if is_plan_file(arguments.stack):
        return run_apply_plan(arguments)
    with reported_errors():
        space = workspace(arguments)
        ui = Interaction(arguments, space, "apply")
        planned, outcome = space.apply(approve=ui.approve, on_event=ui.progress, command="apply")
    return finish(planned, outcome, "Apply")


def run_destroy(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        ui = Interaction(arguments, space, "destroy")
        planned, outcome = space.destroy(approve=ui.approve, on_event=ui.progress)
    return finish(planned, outcome, "Destroy")


def run_import(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        entry = space.import_resource(arguments.name, arguments.id)
    print(f"Imported {entry.id} as {arguments.name} ({entry.type}). Run `ecsops plan` to see how it differs "
          "from the stack.")
    return EXIT_OK


class Interaction:
    """Shows the plan, asks for approval (unless --yes), then reports progress sized by the plan."""

    def __init__(self, arguments: argparse.Namespace, space: Workspace, verb: str):
        self.yes = bool(arguments.yes)
        self.backend = space.cloud.backend.describe()
        self.verb = verb
        self.progress = render.Progress(total=0)

    def approve(self, planned: Plan) -> bool:
        print(render.plan_text(planned, self.backend, sys.stdout))
        if not self.yes:
            if not sys.stdin.isatty():
                print(f"error: not a terminal: run `ecsops {self.verb} --yes` to {self.verb} without asking",
                      file=sys.stderr)
                return False
            answer = input(f"\nDo you want to {self.verb}? Only 'yes' is accepted: ").strip()
            if answer != "yes":
                print(f"{self.verb.capitalize()} cancelled.")
                return False
        print()
        self.progress.total = sum(1 for resource in planned.resources if resource.action is not Action.NOOP)
        return True


def finish(planned: Plan, outcome: Outcome | None, verb: str) -> int:
    if outcome is None:
        return EXIT_ERROR
    if not planned.has_changes and outcome.ok and not outcome.done:
        print("No changes: the cloud matches the stack.")
        return EXIT_OK
    for failure in outcome.failures:
        print(f"error: {failure}", file=sys.stderr)
    for name in outcome.skipped:
        print(f"skipped: {name} (a resource it depends on failed)", file=sys.stderr)
    if outcome.ok:
        print(f"{verb} complete: {len(outcome.done)} changed.")
        return EXIT_OK
    print(f"{verb} incomplete: {len(outcome.done)} changed, {len(outcome.failures)} failed, "
          f"{len(outcome.skipped)} skipped. Fix the errors and run it again.", file=sys.stderr)
    return EXIT_ERROR
