"""The `ecsops` command line.

| command | exit code |
|---|---|
| `ecsops plan STACK [--json] [--detailed-exitcode]` | 0; with --detailed-exitcode 0 no changes, 2 changes; 1 error |
| `ecsops apply STACK [--yes]` | 0 converged, 1 error |
| `ecsops drift STACK [--json]` | 0 in sync, 2 drift, 1 error |
| `ecsops destroy STACK [--yes]` | 0 / 1 |
| `ecsops import STACK NAME ID` | 0 / 1 |
| `ecsops emulator serve ...` and admin subcommands | see `ecsops emulator --help` |
| `ecsops schema [--out DIR] [--check]` | 0; with --check 1 when stale |
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable, Sequence

import ecsops
from ecsops.cli import emulator as emulator_commands
from ecsops.cli import schema as schema_commands
from ecsops.cli import stack as stack_commands

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="ecsops", description="O&M settings of an ECS fleet, declared as code and kept converged.")
    root.add_argument("--version", action="version", version=f"ecsops {ecsops.__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stack_commands.add_parsers(commands)
    emulator_commands.add_parser(commands)
    schema_commands.add_parser(commands)
    return root


def configure_logging() -> None:
    """`ECSOPS_LOG=debug` (or info) logs every API call — action, region, outcome, time — to stderr.
    Parameter values are never logged (some are secrets), only their names."""
    level = os.environ.get("ECSOPS_LOG", "").upper()
    if level in ("DEBUG", "INFO"):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger = logging.getLogger("ecsops")
        logger.addHandler(handler)
        logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    configure_logging()
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (`ecsops plan ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
