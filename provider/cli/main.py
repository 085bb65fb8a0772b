"""The `ecsops` command line.

| command | exit code |
|---|---|
| `ecsops plan PATH... [--json] [--detailed-exitcode]` | 0; with --detailed-exitcode 0 no changes, 2 changes; 1 error |
| `ecsops apply STACK [--yes]` | 0 converged, 1 error |
| `ecsops drift PATH... [--json] [--unmanaged] [--fail-on C]` | 0 in sync, 2 drift (a cause --fail-on names), 1 error |
| `ecsops report merge REPORT.json...` | the merged report's: 0 / 2 / 1, as drift and plan |
| `ecsops destroy STACK [--yes]` | 0 / 1 |
| `ecsops import STACK NAME ID` | 0 / 1 |
| `ecsops state list/show/rm/mv STACK ...` (no API call) | 0 / 1 |
| `ecsops output STACK [NAME] [--json] [--show-secrets]` (no API call) | 0 / 1 |
| `ecsops emulator serve ...` and admin subcommands | see `ecsops emulator --help` |
| `ecsops schema [--out DIR] [--check]` | 0; with --check 1 when stale |
| `ecsops completion SHELL` (bash or zsh) | 0 |

PATH: a stack file, a folder of stacks or a glob; more than one stack makes one fleet report (docs/drift.md).
Every command takes `--no-color` (see ecsops.cli.terminal for how colour is decided).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
import traceback
from typing import Any, Callable, Sequence

from ecsops.cli.arguments import parser
from ecsops.cli.terminal import set_no_color

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def handler_of(arguments: argparse.Namespace) -> Handler:
    """The function that runs the chosen subcommand, from the one module of ecsops.cli that holds it —
    imported only now, so each subcommand loads what it uses and nothing else (see `arguments`)."""
    module, _, function = str(arguments.handler).partition(":")
    handler: Handler = getattr(importlib.import_module(f"ecsops.cli.{module}"), function)
    return handler


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


def stop_on_terminate() -> Any:
    """SIGTERM (a cancelled CI job, a pod being stopped) ends ecsops as Ctrl-C does: the steps in flight finish
    and are recorded, the state is saved and the lock released — not left for `state unlock`. Returns the
    handler it replaced (None off the main thread, where signals cannot be handled)."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    set_no_color(bool(getattr(arguments, "no_color", False)))
    configure_logging()
    previous = stop_on_terminate()
    try:
        return handler_of(arguments)(arguments)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (`ecsops plan ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as error:  # a bug: one line for the user; the traceback only for whoever debugs it
        if os.environ.get("ECSOPS_LOG", "").lower() == "debug":
            traceback.print_exc(file=sys.stderr)
        print(f"error: internal error ({type(error).__name__}: {error}) — please report it "
              "(ECSOPS_LOG=debug shows where it happened)", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
