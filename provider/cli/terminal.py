"""What the terminal gets: colour or not, and how durations read.

Colour, first rule that applies wins (as CPython's own `_colorize` decides):

1. `--no-color` (any command): no colour;
2. `NO_COLOR` set to any non-empty value (no-color.org; `0` and `false` included): no colour;
3. `FORCE_COLOR` set to any non-empty value (force-color.org): colour, even into a pipe or a file — CI logs
   that render ANSI colour;
4. `TERM=dumb`: no colour;
5. otherwise colour exactly when the stream is a terminal.

Imports nothing of ecsops: `--no-color` is applied before any command runs.
"""

from __future__ import annotations

import argparse
import os
from typing import TextIO

_no_color_option = False


def set_no_color(off: bool) -> None:
    """`--no-color` as given on this run's command line (ecsops.cli.main calls it before the command runs)."""
    global _no_color_option
    _no_color_option = off


def colour(stream: TextIO) -> bool:
    """Whether text written to `stream` may carry ANSI colour (see the module's rules)."""
    if _no_color_option or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def add_no_color(parser: argparse.ArgumentParser) -> None:
    """`--no-color` on `parser` and on every command and subcommand under it, so it may be written anywhere on
    the line (`ecsops --no-color plan ...`, `ecsops plan ... --no-color`)."""
    parser.add_argument("--no-color", action="store_true", default=False, help=NO_COLOR_HELP)
    _add_below(parser)


NO_COLOR_HELP = "no colour in the output, whatever FORCE_COLOR says (as NO_COLOR=1)"


def _add_below(parser: argparse.ArgumentParser) -> None:
    for command in _subcommands(parser):
        # SUPPRESS: left out here, the value the main parser set stands (argparse would reset it to the default)
        command.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS, help=NO_COLOR_HELP)
        _add_below(command)


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [command for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for command in dict.fromkeys(action.choices.values())]


def seconds(elapsed: float) -> str:
    """A duration as people read it: `0.4 s`, `3.4 s`, `42 s`, `12 min 5 s`."""
    if elapsed < 10:
        return f"{elapsed:.1f} s"
    if elapsed < 600:
        return f"{elapsed:.0f} s"
    minutes, rest = divmod(round(elapsed), 60)
    return f"{minutes} min {rest} s"
