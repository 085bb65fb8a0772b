"""Shell completion: `ecsops completion bash|zsh` prints a script made from the command line's own tree, so it
knows every command, subcommand, option and choice; the bash script is run in bash to complete real words."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ecsops.cli.completion import commands
from tests.support.cli import ecsops


def script(shell: str) -> str:
    done = ecsops("completion", shell)
    assert done.code == 0, done.err
    return done.out


def test_the_tree_has_every_command() -> None:
    tree = {command.path: command for command in commands()}
    assert set(tree[""].subcommands) >= {"plan", "apply", "drift", "destroy", "show", "import", "state", "emulator",
                                         "schema", "completion"}
    assert set(tree["state"].subcommands) == {"list", "show", "rm", "mv", "unlock"}
    assert tree["plan"].values["--backend"] == "choices emulator cloud"
    assert tree["plan"].positionals == ["file"]
    assert "--no-color" in tree["emulator faults"].options


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_each_script_holds_every_command_and_its_options(shell) -> None:
    text = script(shell)
    for command in commands():
        for name in command.subcommands:
            assert name in text, name
        for option in command.options:
            assert option in text, (command.path, option)
    assert ("complete -F _ecsops ecsops" in text) if shell == "bash" else text.startswith("#compdef ecsops\n")


def test_an_unknown_shell_is_refused() -> None:
    refused = ecsops("completion", "fish")
    assert refused.code == 2 and "invalid choice: 'fish'" in refused.err


BASH_CASES = [
    pytest.param(["ecsops", "st"], ["state"], id="a-command"),
    pytest.param(["ecsops", "state", ""], ["list", "show", "rm", "mv", "unlock"], id="subcommands"),
    pytest.param(["ecsops", "emulator", "fa"], ["faults"], id="a-subcommand"),
    pytest.param(["ecsops", "plan", "--det"], ["--detailed-exitcode"], id="an-option"),
    pytest.param(["ecsops", "plan", "stack.yaml", "--backend", ""], ["emulator", "cloud"], id="an-options-choices"),
    pytest.param(["ecsops", "plan", "--backend", "=", "em"], ["emulator"], id="choices-after-an-equals-sign"),
    pytest.param(["ecsops", "completion", ""], ["bash", "zsh"], id="a-positionals-choices"),
    pytest.param(["ecsops", "plan", "--backend", "cloud", "st"], ["stack.yaml"], id="a-stack-file"),
    pytest.param(["ecsops", "apply", "--parallelism", "4", "--yes", ""], ["notes.txt", "stack.yaml"],
                 id="files-after-options-and-their-values"),
    pytest.param(["ecsops", "--no-color", "dr"], ["drift"], id="after-a-global-option"),
    pytest.param(["ecsops", "state", "show", "stack.yaml", ""], [], id="a-free-value-offers-nothing"),
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize(("words", "offered"), BASH_CASES)
def test_bash_completes(tmp_path, words, offered) -> None:
    (tmp_path / "completion.bash").write_text(script("bash"))
    work = tmp_path / "work"  # where the user is: the files a file name completes from
    work.mkdir()
    (work / "stack.yaml").touch()
    (work / "notes.txt").touch()
    probe = ('source ../completion.bash; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ecsops; '
             'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "--norc", "-c", probe, "bash", *words], cwd=work, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert sorted(line for line in done.stdout.splitlines() if line) == sorted(offered)


ZSH_PROBE = """
compdef() { print -r -- "compdef $*" }
_describe() { local -a shown; shown=(${(P)4}); print -r -- "$2: ${(j:|:)${(@)shown%%:*}}" }
compadd() { shift; print -r -- "values: $*" }
_files() { print -r -- "files" }
source ./completion.zsh
words=("$@"); CURRENT=${#words}; _ecsops
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="no zsh on this machine (CI has none): the script's text is "
                                                         "checked above")
@pytest.mark.parametrize(("words", "offered"), [
    pytest.param(["ecsops", ""], "commands: plan|apply|drift|destroy|show|import", id="commands"),
    pytest.param(["ecsops", "state", ""], "commands: list|show|rm|mv|unlock", id="subcommands"),
    pytest.param(["ecsops", "plan", "--backend", ""], "values: emulator cloud", id="choices"),
    pytest.param(["ecsops", "plan", ""], "files", id="a-stack-file"),
    pytest.param(["ecsops", "plan", "--"], "options: --help|--backend|--endpoint", id="options"),
])
def test_zsh_completes(tmp_path, words, offered) -> None:
    (tmp_path / "completion.zsh").write_text(script("zsh"))
    syntax = subprocess.run(["zsh", "-n", "completion.zsh"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr
    done = subprocess.run(["zsh", "-f", "-c", ZSH_PROBE, "zsh", *words], cwd=tmp_path, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "compdef _ecsops ecsops"
    assert done.stdout.splitlines()[1].startswith(offered), done.stdout
