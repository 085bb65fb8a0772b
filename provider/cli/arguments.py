"""The command line's arguments: every subcommand, its options and help, and the handler that runs it.

This module imports nothing heavy — argparse and a few constants — so `ecsops --version`, `--help` and
a mistyped option answer at once. A subcommand's handler is named, not imported (`"stack:run_plan"`, a
function of a module of `ecsops.cli`); `ecsops.cli.main` imports that one module when the subcommand
runs, so `plan` never loads the emulator, `emulator reset` never loads the engine, and no stack command
loads Pulumi.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Callable

import ecsops
from ecsops.cloud.backend import BACKENDS, EMULATOR_ACCESS_KEY_ID, EMULATOR_DATABASE
from ecsops.cli.terminal import add_no_color
from ecsops.cloud.ratelimit import DEFAULT_RATE, parsed_rate
from ecsops.engine.dag import DEFAULT_WORKERS

LOOPBACK = "127.0.0.1"  # as ecsops.emulator.server, which is imported only to serve


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="ecsops", description="O&M settings of an ECS fleet, declared as code and kept converged.")
    root.add_argument("--version", action="version", version=f"ecsops {ecsops.__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_stack_commands(commands)
    add_state_commands(commands)
    add_emulator_commands(commands)
    add_schema_command(commands)
    add_report_command(commands)
    add_completion_command(commands)
    add_no_color(root)  # last: on every command declared above
    return root


def handled_by(command: argparse.ArgumentParser, handler: str) -> argparse.ArgumentParser:
    """Names the function that runs `command`: "module:function" within ecsops.cli."""
    command.set_defaults(handler=handler)
    return command


# -- plan, apply, drift, destroy, import --------------------------------------------------------------


def add_stack_commands(commands: Any) -> None:
    def stack_command(name: str, handler: str, help_: str, *, many: bool = False) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_, description=help_)
        if many:
            command.add_argument("stacks", nargs="+", type=Path, metavar="PATH",
                                 help="stack files, folders (searched for stacks) or globs: one run, one report")
        else:
            command.add_argument("stack", type=Path, help="the stack file (YAML)")
        add_backend_options(command)
        command.add_argument("--rate", type=rate_limit, default=None, metavar="R",
                             help=f"at most R API calls per second from this process (default: $ECSOPS_RATE, "
                                  f"else {DEFAULT_RATE:g}; 0: no limit)")
        return handled_by(command, f"stack:{handler}")

    plan = stack_command("plan", "run_plan", "show what apply would do", many=True)
    add_format_options(plan, "a pull request's comment", REPORT_FORMATS)
    plan.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes, 0 when none")
    add_fleet_options(plan)
    plan.add_argument("--out", type=Path, metavar="PLAN", help="also save the plan to this file, for `ecsops apply "
                                                               "PLAN` (exactly these changes, or refused)")
    apply = stack_command("apply", "run_apply", "converge the cloud on the stack, or apply a saved plan "
                                                "(`ecsops apply PLAN`: no prompt, exactly the reviewed changes)")
    add_writer_options(apply, "apply", f"at most N writes in flight at once (default {DEFAULT_WORKERS}; "
                                       "1 applies in stack order)")
    drift = stack_command("drift", "run_drift", "compare the cloud with the stacks (exit 2 on drift)", many=True)
    add_format_options(drift, "an issue's or a chat's message", REPORT_FORMATS)
    add_fleet_options(drift)
    drift.add_argument("--unmanaged", action="store_true",
                       help="also list the objects of managed kinds, in the regions the run covers, that no stack of "
                            "the run manages (.ecsopsignore in a folder searched: rules to leave some out)")
    drift.add_argument("--fail-on", choices=("outside", "unapplied", "any"), default="any",
                       help="what makes the exit code 2: drift made outside ecsops (and unmanaged objects), stack "
                            "changes not applied yet, or either (default)")
    destroy = stack_command("destroy", "run_destroy", "delete everything the stack manages")
    add_writer_options(destroy, "destroy", f"at most N deletes in flight at once (default {DEFAULT_WORKERS})")
    show = handled_by(commands.add_parser("show", help="print a saved plan", description="print a saved plan"),
                      "plan_file:run_show")
    show.add_argument("plan", type=Path, help="a plan file written by `ecsops plan --out`")
    add_format_options(show, "a pull request's comment")
    adopt = stack_command("import", "run_import", "adopt an existing cloud object as a declared resource")
    adopt.add_argument("name", help="the resource's name in the stack")
    adopt.add_argument("id", help="the cloud object's id (e.g. c-hz01...)")
    add_output_command(commands)


def add_fleet_options(command: argparse.ArgumentParser) -> None:
    """What a run over many stacks takes (docs/drift.md)."""
    command.add_argument("--shard", metavar="I/N",
                         help="run only the I-th of N shares of the stacks (I from 1), by a hash of each stack "
                              "file's path: spread a fleet over a CI matrix or an Indexed Job")
    command.add_argument("--report", type=Path, metavar="FILE",
                         help="also write the JSON report of the run to FILE (for `ecsops report merge`)")


def add_output_command(commands: Any) -> None:
    help_ = "print the stack's outputs, from its state (no API call)"
    output = handled_by(commands.add_parser("output", help=help_, description=help_), "output:run_output")
    output.add_argument("stack", type=Path, help="the stack file (YAML)")
    output.add_argument("name", nargs="?", help="print only this output's value")
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument("--show-secrets", action="store_true",
                        help="show secrets read from where they live (secret config values); a secret the state "
                             "keeps only as a digest is always (secret)")
    add_backend_options(output)


FORMATS = ("text", "json", "markdown")
REPORT_FORMATS = (*FORMATS, "junit")  # what a report may also be: JUnit XML, for CI systems' test reports


def add_format_options(command: argparse.ArgumentParser, markdown_for: str,
                       choices: tuple[str, ...] = FORMATS) -> None:
    """`--format` among `choices` (arguments.format), and `--json`, the same as `--format json`."""
    formats = command.add_mutually_exclusive_group()
    junit = "; junit: JUnit XML, for CI test reports (GitLab, Jenkins, GitHub)" if "junit" in choices else ""
    formats.add_argument("--format", choices=choices, default="text",
                         help=f"text (default); json: machine-readable (errors too, as {{\"errors\": [...]}}); "
                              f"markdown: for {markdown_for}, within GitHub's 65,536 characters{junit}")
    formats.add_argument("--json", dest="format", action="store_const", const="json", default="text",
                         help="the same as --format json")


def add_backend_options(command: argparse.ArgumentParser) -> None:
    """Where calls go and where the state lives: the options every command on a stack takes."""
    command.add_argument("--backend", choices=BACKENDS,
                         help="emulator or cloud (default: $ECSOPS_BACKEND, else the stack's backend: key, else "
                              "inferred: an endpoint, credentials present, else the embedded emulator — never in CI)")
    command.add_argument("--endpoint", help="API endpoint, e.g. a running emulator (default: $ECSOPS_ENDPOINT)")
    command.add_argument("--state", metavar="URL", help="where the stack's state lives: a folder or "
                                                         "oss://BUCKET/PREFIX (default: $ECSOPS_STATE, else the "
                                                         "stack's state: key, else .ecsops/ beside the stack)")
    command.add_argument("--env", metavar="ENV", help="the environment: its config values from <stem>.ENV.yaml "
                                                      "beside the stack, its own state <name>.ENV (default: "
                                                      "$ECSOPS_ENV, else none)")


def add_writer_options(command: argparse.ArgumentParser, verb: str, parallelism_help: str) -> None:
    command.add_argument("--yes", "-y", action="store_true", help=f"{verb} without asking")
    command.add_argument("--parallelism", type=positive, default=DEFAULT_WORKERS, metavar="N", help=parallelism_help)


def rate_limit(text: str) -> float:
    """`--rate`: calls per second, 0 for no limit."""
    value = parsed_rate(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (calls per second, 0 for no limit)")
    return value


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


# -- state list, show, rm, mv ---------------------------------------------------------------------------
#
# Each action is one function, marked @state_action, that declares itself with `action(name, help)`: a
# parser that already takes the stack file and the backend options, run by `state_commands:run_<name>`.

StateAction = Callable[..., argparse.ArgumentParser]
STATE_ACTIONS: list[Callable[[StateAction], None]] = []


def state_action(declare: Callable[[StateAction], None]) -> Callable[[StateAction], None]:
    STATE_ACTIONS.append(declare)
    return declare


def add_state_commands(commands: Any) -> None:
    help_ = "list, show, forget or rename what a stack's state manages (the cloud is not touched)"
    group = commands.add_parser("state", help=help_, description=help_)
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help_: str, handler: str | None = None) -> argparse.ArgumentParser:
        command = actions.add_parser(name, help=help_, description=help_)
        command.add_argument("stack", type=Path, help="the stack file (YAML)")
        add_backend_options(command)
        return handled_by(command, handler or f"state_commands:run_{name}")

    for declare in STATE_ACTIONS:
        declare(action)


@state_action
def state_list(action: StateAction) -> None:
    command = action("list", "every resource the state manages: name, type, id (pending creates and deposed "
                             "objects marked)")
    command.add_argument("--json", action="store_true", help="machine-readable output")


@state_action
def state_show(action: StateAction) -> None:
    command = action("show", "one resource as the state holds it: type, id, values and outputs (secrets masked)")
    command.add_argument("name", help="the resource's name")
    command.add_argument("--json", action="store_true", help="machine-readable output")


@state_action
def state_rm(action: StateAction) -> None:
    command = action("rm", "forget resources: the state stops managing them; their objects stay in the cloud")
    command.add_argument("names", nargs="+", metavar="NAME", help="a resource's name")


@state_action
def state_mv(action: StateAction) -> None:
    command = action("mv", "rename a resource in the state; its object in the cloud is not touched")
    command.add_argument("old", help="the name the state knows it by")
    command.add_argument("new", help="its new name, as the stack declares it")


@state_action
def state_unlock(action: StateAction) -> None:
    command = action("unlock", "break the lock of a run that died (the run it blocked printed this command)")
    command.add_argument("lock_id", metavar="LOCK_ID", help="the lock's id, as the blocked run printed it")


# -- emulator -------------------------------------------------------------------------------------------


def add_emulator_commands(commands: Any) -> None:
    emulator = commands.add_parser("emulator", help="the local emulator of the ECS O&M APIs")
    actions = emulator.add_subparsers(dest="action", required=True, metavar="ACTION")

    serve = handled_by(actions.add_parser("serve", help="run the emulator; prints its endpoint on the first line"),
                       "emulator:run_serve")
    serve.add_argument("--host", help=f"address to bind (default: {LOOPBACK}); another than loopback serves "
                                      "everyone who can reach it")
    serve.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    serve.add_argument("--db", type=Path, default=EMULATOR_DATABASE, help="database file (default: %(default)s)")
    serve.add_argument("--world", type=Path, help="a world document (YAML) to merge at start")
    serve.add_argument("--access-key-id", help="the accepted AccessKeyId (default: ecsops-local)")
    serve.add_argument("--access-key-secret", help="its secret (default: ecsops-local-secret)")

    def admin(name: str, help_: str) -> argparse.ArgumentParser:
        command = actions.add_parser(name, help=help_, description=help_)
        command.add_argument("--endpoint", default=os.environ.get("ECSOPS_ENDPOINT"),
                             help="the emulator (default: $ECSOPS_ENDPOINT)")
        command.add_argument("--access-key-id", default=os.environ.get("ECSOPS_ACCESS_KEY_ID"),
                             help="a key pair of its world, for the admin API "
                                  f"(default: $ECSOPS_ACCESS_KEY_ID, else {EMULATOR_ACCESS_KEY_ID})")
        command.add_argument("--access-key-secret", default=os.environ.get("ECSOPS_ACCESS_KEY_SECRET"),
                             help="its secret (default: $ECSOPS_ACCESS_KEY_SECRET, else the default pair's)")
        return handled_by(command, f"emulator:run_{name}")

    admin("reset", "wipe the world and reseed the default one")
    world = admin("world", "show the world, or merge a world document into it")
    world.add_argument("file", nargs="?", type=Path, help="a world document (YAML or JSON)")
    clock = admin("clock", "show or move the emulator's clock")
    moves = clock.add_mutually_exclusive_group()
    moves.add_argument("--set", help="switch to a virtual clock at this ISO time")
    moves.add_argument("--advance", help="move the clock forward: seconds, or 90m, 2h, 1d")
    moves.add_argument("--real", action="store_true", help="back to real time")
    requests = admin("requests", "the log of API calls (secrets masked)")
    requests.add_argument("--since", type=int, default=0, help="only calls after this sequence number")
    requests.add_argument("--writes", action="store_true", help="only calls that write")
    faults = admin("faults", "show or set fault injection")
    faults.add_argument("--seed", type=int, default=0)
    faults.add_argument("--latency-ms", type=float, default=0)
    faults.add_argument("--throttle-rate", type=float, default=0)
    faults.add_argument("--error-rate", type=float, default=0)
    faults.add_argument("--drop-rate", type=float, default=0)
    faults.add_argument("--max-rate", type=float, default=0, help="calls per second admitted (0: no limit)")
    faults.add_argument("--hold-writes", action="store_true",
                        help="write calls wait until the faults are set again without it (or --clear)")
    faults.add_argument("--clear", action="store_true", help="no faults")
    faults.add_argument("--show", action="store_true", help="only print the current settings")


# -- schema ---------------------------------------------------------------------------------------------


def add_schema_command(commands: Any) -> None:
    command = handled_by(commands.add_parser(
        "schema", help="write the JSON Schemas of the stack format and of each kind"), "schema:run_schema")
    command.add_argument("--out", type=Path, default=Path("schema"), help="folder (default: %(default)s)")
    command.add_argument("--check", action="store_true", help="only check the folder is up to date (exit 1 if not)")


# -- report ---------------------------------------------------------------------------------------------


def add_report_command(commands: Any) -> None:
    help_ = "combine fleet reports (`ecsops drift PATH... --json`), e.g. one per shard"
    report = commands.add_parser("report", help=help_, description=help_)
    actions = report.add_subparsers(dest="action", required=True, metavar="ACTION")
    merge_help = ("merge the reports of a run's shards into one, as a single run would have written it (summary "
                  "and exit code computed again)")
    merge = handled_by(actions.add_parser("merge", help=merge_help, description=merge_help),
                       "report:run_report_merge")
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="a fleet report (JSON)")
    add_format_options(merge, "a pull request's or an issue's comment", REPORT_FORMATS)
    merge.add_argument("--fail-on", choices=("outside", "unapplied", "any"), default=None,
                       help="drift: what makes the exit code 2 (default: the reports' own, which must agree)")
    merge.add_argument("--out", type=Path, metavar="FILE", help="write the merged report to FILE, not stdout")
    merge.add_argument("--partial", action="store_true",
                       help="merge the shards given even when some of the run's are missing")


# -- completion -----------------------------------------------------------------------------------------


def add_completion_command(commands: Any) -> None:
    help_ = "print a shell completion script (bash or zsh) for every command and option"
    command = handled_by(commands.add_parser(
        "completion", help=help_, description=f"{help_}: `source <(ecsops completion bash)` in ~/.bashrc; "
                                              "`ecsops completion zsh > \"${fpath[1]}/_ecsops\"` for zsh"),
        "completion:run_completion")
    command.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")
