"""Colour: `--no-color` on every command, NO_COLOR (any value) off, FORCE_COLOR on even into a pipe — in that
order of precedence — and otherwise colour only on a terminal. Checked on real processes whose stdout is a
pipe, as in a CI job."""

from __future__ import annotations

import argparse
import io

import pytest

from ecsops.cli import terminal
from ecsops.cli.arguments import parser
from tests.support.cli import running, write_stack

ESCAPE = "\x1b["
STACK = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"


def output(*argv: str, env: dict[str, str]) -> str:
    # NO_COLOR is "" unless the case sets it: the test session sets NO_COLOR=1, and an empty one is unset
    with running(*argv, env={"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm", **env}) as process:
        out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


@pytest.mark.parametrize(("env", "options", "coloured"), [
    pytest.param({}, (), False, id="a-pipe-gets-none"),
    pytest.param({"FORCE_COLOR": "1"}, (), True, id="FORCE_COLOR-colours-a-pipe"),
    pytest.param({"FORCE_COLOR": "1", "TERM": "dumb"}, (), True, id="FORCE_COLOR-beats-a-dumb-terminal"),
    pytest.param({"FORCE_COLOR": "1", "NO_COLOR": "0"}, (), False, id="NO_COLOR-any-value-beats-FORCE_COLOR"),
    pytest.param({"FORCE_COLOR": "1"}, ("--no-color",), False, id="no-color-after-the-command-beats-FORCE_COLOR"),
])
def test_plan_colours_as_the_environment_and_options_say(tmp_path, emulator, env, options, coloured) -> None:
    out = output("plan", str(write_stack(tmp_path, STACK)), "--endpoint", emulator.endpoint, *options, env=env)
    assert "+ check  ecsops:Command" in out
    assert (f"{ESCAPE}32m+ check  ecsops:Command" in out) is coloured, out
    assert (ESCAPE in out) is coloured


def test_apply_progress_is_coloured_too_and_no_color_goes_before_the_command_as_well(tmp_path, emulator) -> None:
    stack = str(write_stack(tmp_path, STACK))
    out = output("apply", "--yes", stack, "--endpoint", emulator.endpoint, env={"FORCE_COLOR": "1"})
    assert f"{ESCAPE}32m[1/1] + check (ecsops:Command): created " in out, out
    out = output("--no-color", "destroy", "--yes", stack, "--endpoint", emulator.endpoint, env={"FORCE_COLOR": "1"})
    assert "[1/1] - check (ecsops:Command): deleted " in out and ESCAPE not in out, out


def subcommands(command: argparse.ArgumentParser, path: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, command)]
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += subcommands(sub, f"{path} {name}".strip())
    return found


def test_every_command_takes_no_color() -> None:
    tree = subcommands(parser())
    assert len(tree) > 20
    missing = [path or "ecsops" for path, command in tree
               if not any("--no-color" in action.option_strings for action in command._actions)]
    assert missing == []
    assert parser().parse_args(["--no-color", "schema"]).no_color is True
    assert parser().parse_args(["schema", "--no-color"]).no_color is True
    assert parser().parse_args(["schema"]).no_color is False


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "env", "no_color_option", "coloured"), [
    pytest.param(True, {}, False, True, id="a-terminal"),
    pytest.param(False, {}, False, False, id="a-pipe"),
    pytest.param(True, {"NO_COLOR": "false"}, False, False, id="a-terminal-with-NO_COLOR"),
    pytest.param(True, {"NO_COLOR": ""}, False, True, id="an-empty-NO_COLOR-is-unset"),
    pytest.param(True, {"TERM": "dumb"}, False, False, id="a-dumb-terminal"),
    pytest.param(True, {}, True, False, id="a-terminal-with-no-color"),
    pytest.param(False, {"FORCE_COLOR": "1"}, True, False, id="no-color-beats-FORCE_COLOR"),
])
def test_the_colour_rule(monkeypatch, tty, env, no_color_option, coloured) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    terminal.set_no_color(no_color_option)
    try:
        assert terminal.colour(Stream(tty)) is coloured
    finally:
        terminal.set_no_color(False)
