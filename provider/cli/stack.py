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
from ecsops.cli.progress import Progress, summary
from ecsops.cloud.backend import Backend, BackendError, Settings, select
from ecsops.cloud.client import Cloud, rate_from_environment
from ecsops.cloud.errors import CloudError
from ecsops.engine.apply import Outcome
from ecsops.engine.config import chosen_environment
from ecsops.engine.dag import DEFAULT_WORKERS
from ecsops.cli.fleet_document import failing
from ecsops.engine.drift import causes
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.plan import Plan
from ecsops.engine.stack import Stack, load_stack
from ecsops.engine.state import StateError, Store
from ecsops.engine.state_location import Location, LocationError, chosen_location, open_store
from ecsops.engine.workspace import Workspace

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


@contextmanager
def reported_errors(*, as_json: bool = False) -> Iterator[None]:
    """Every expected failure becomes `error: ...` lines on stderr and exit code 1 (raised as SystemExit);
    `as_json` (`--json`) also writes them on stdout as `{"errors": [...]}`, so stdout always parses."""
    try:
        yield
    except EngineError as error:
        if as_json:
            render.write_json(render.errors_document(error.diagnostics), sys.stdout)
        for diagnostic in error.diagnostics:
            print(diagnostic.report(), file=sys.stderr)  # `error: stack.yaml:12:7: ...` (or `warning: ...`)
        raise SystemExit(EXIT_ERROR) from None
    except (CloudError, StateError, BackendError) as error:
        if as_json:
            render.write_json(render.errors_document([Diagnostic(str(error))]), sys.stdout)
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None
    except Exception as error:  # a bug: main reports it (one line, traceback under debug); stdout still parses
        if as_json:
            message = f"internal error ({type(error).__name__}: {error}) — please report it"
            render.write_json(render.errors_document([Diagnostic(message)]), sys.stdout)
        raise


def workspace(arguments: argparse.Namespace) -> Workspace:
    stack = load_stack(arguments.stack, environment(arguments))
    rate = rate_from_environment() if arguments.rate is None else (arguments.rate or None)
    cloud = Cloud(select(settings_of(arguments, stack)), rate=rate)
    return Workspace.open(stack, cloud, store=state_store(arguments, stack, cloud.backend),
                          workers=getattr(arguments, "parallelism", DEFAULT_WORKERS))


def settings_of(arguments: argparse.Namespace, stack: Stack) -> Settings:
    """The backend settings of a command on `stack`: its --backend and --endpoint, the environment, the stack's
    backend: and credentials: keys (cloud.backend's rule). A problem in `credentials:` is reported first: the
    run must not go on with other credentials than the stack names."""
    if any(problem.where[:1] == ("credentials",) for problem in stack.problems if problem.where):
        stack.require_valid()
    return Settings.from_environment(stack.region, stack.directory, endpoint=arguments.endpoint,
                                     backend=arguments.backend, stack_backend=stack.backend,
                                     credentials=stack.credentials)


def environment(arguments: argparse.Namespace) -> str | None:
    """--env, else ECSOPS_ENV: the environment whose config values (and state) the stack takes."""
    return chosen_environment(getattr(arguments, "env", None), os.environ.get("ECSOPS_ENV"))


def state_store(arguments: argparse.Namespace, stack: Stack, backend: Backend) -> Store:
    return open_store(state_location(arguments, stack), stack.state_name, backend, stack.region,
                      unlock_command=unlock_command(arguments))


def unlock_command(arguments: argparse.Namespace) -> str:
    """`ecsops state unlock STACK LOCK_ID` with the options this run was given, so that, run as printed, it
    reaches the same state (a --state or --endpoint left out would open another one)."""
    words = ["ecsops", "state", "unlock", shlex.quote(str(arguments.stack)), "LOCK_ID"]
    for option in ("backend", "endpoint", "state", "env"):
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


def single_stack(arguments: argparse.Namespace, command: str) -> int | None:
    """For plan and drift: the exit code of the run over many stacks (cli/fleet.py) when the arguments ask for
    one; None when they name one stack file (then `arguments.stack` is set, and the single-stack command runs)."""
    from ecsops.cli.fleet import is_fleet_run, run_fleet

    if is_fleet_run(arguments):
        return run_fleet(arguments, command)
    arguments.stack = arguments.stacks[0]
    return None


def run_plan(arguments: argparse.Namespace) -> int:
    fleet_exit = single_stack(arguments, "plan")
    if fleet_exit is not None:
        return fleet_exit
    with reported_errors(as_json=arguments.format == "json"):
        space = workspace(arguments)
        planned, basis = space.plan_to_save()
        if arguments.out is not None:
            from ecsops.cli.plan_file import write_plan_file

            write_plan_file(arguments.out, space, arguments, planned, basis)
    backend = space.cloud.backend.describe()
    if arguments.format == "json":
        render.write_json(render.plan_document(planned, space.cloud.backend.document()), sys.stdout)
    elif arguments.format == "markdown":
        from ecsops.cli.markdown import plan_markdown  # only this output needs it

        print(plan_markdown(render.plan_document(planned, space.cloud.backend.document())))
        if arguments.out is not None:  # stdout is the comment; the job's log still says where the plan is
            print(f"Saved the plan to {arguments.out}.", file=sys.stderr)
    else:
        print(render.plan_text(planned, backend, sys.stdout))
        if arguments.out is not None:
            print(f"\nSaved the plan to {arguments.out}: `ecsops apply {arguments.out}` makes exactly these changes "
                  "(or refuses if anything changes first).")
    return EXIT_CHANGES if arguments.detailed_exitcode and planned.has_changes else EXIT_OK


def run_drift(arguments: argparse.Namespace) -> int:
    fleet_exit = single_stack(arguments, "drift")
    if fleet_exit is not None:
        return fleet_exit
    with reported_errors(as_json=arguments.format == "json"):
        space = workspace(arguments)
        report = space.drift()
    backend = space.cloud.backend.describe()
    if arguments.format == "json":
        render.write_json(render.drift_document(report, space.stack.state_name, space.cloud.backend.document()),
                          sys.stdout)
    elif arguments.format == "markdown":
        from ecsops.cli.markdown import drift_markdown  # only this output needs it

        print(drift_markdown(render.drift_document(report, space.stack.state_name,
                                                   space.cloud.backend.document())))
    else:
        print(render.drift_text(report, space.stack.state_name, backend, sys.stdout))
    found = causes(report)
    return EXIT_CHANGES if failing("outside" in found, "unapplied" in found, arguments.fail_on) else EXIT_OK


def run_apply(arguments: argparse.Namespace) -> int:
    from ecsops.cli.plan_file import is_plan_file, run_apply_plan

    if is_plan_file(arguments.stack):
        return run_apply_plan(arguments)
    with reported_errors():
        space = workspace(arguments)
        ui = Interaction(arguments, space, "apply")
        with ui.progress:
            planned, outcome = space.apply(approve=ui.approve, on_event=ui.progress, command="apply")
    from ecsops.cli.output import after_apply

    return after_apply(space, finish(planned, outcome, "Apply", ui.progress))


def run_destroy(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        ui = Interaction(arguments, space, "destroy")
        with ui.progress:
            planned, outcome = space.destroy(approve=ui.approve, on_event=ui.progress)
    return finish(planned, outcome, "Destroy", ui.progress)


def run_import(arguments: argparse.Namespace) -> int:
    with reported_errors():
        space = workspace(arguments)
        entry = space.import_resource(arguments.name, arguments.id)
    print(f"Imported {entry.id} as {arguments.name} ({entry.type}). Run `ecsops plan` to see how it differs "
          "from the stack.")
    return EXIT_OK


class Interaction:
    """Shows the plan, asks for approval (unless --yes), then reports progress counted against the plan's
    steps (ecsops.cli.progress)."""

    def __init__(self, arguments: argparse.Namespace, space: Workspace, verb: str):
        self.yes = bool(arguments.yes)
        self.backend = space.cloud.backend.describe()
        self.verb = verb
        self.progress = Progress()

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
        self.progress.start(planned)
        return True


def finish(planned: Plan, outcome: Outcome | None, verb: str, progress: Progress | None = None) -> int:
    """Reports how the apply (or destroy) ended — the failures on stderr, then the summary, with the time the
    steps took (from `progress`) — and returns the exit code."""
    if outcome is None:
        return EXIT_ERROR
    if not planned.has_changes and outcome.ok and not outcome.done:
        print("No changes: the cloud matches the stack.")
        return EXIT_OK
    for failure in outcome.failures:
        print(failure.report(), file=sys.stderr)
    for name in outcome.skipped:
        print(f"skipped: {name} (a resource it depends on failed)", file=sys.stderr)
    line = summary(planned, outcome, verb, progress.elapsed() if progress else None)
    print(line, file=sys.stdout if outcome.ok else sys.stderr)
    return EXIT_OK if outcome.ok else EXIT_ERROR
