"""Where a stack's state lives (--state, ECSOPS_STATE, the stack's state: key, beside the stack), and one state
per stack file: two stack files that would share a state are an error naming both."""

from __future__ import annotations

import pytest

from ecsops.engine.state import StateStore

COMMAND = """\
  probe:
    type: ecsops:Command
    properties:
      name: {name}
      type: RunShellScript
      content: uptime
"""


def stack_file(path, *, name: str = "web", state: str | None = None, command: str = "probe"):
    path.parent.mkdir(parents=True, exist_ok=True)
    state_line = f"state: {state}\n" if state else ""
    path.write_text(f"name: {name}\nregion: cn-hangzhou\n{state_line}resources:\n" + COMMAND.format(name=command))
    return path


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_two_stack_files_of_one_name_in_one_folder_are_refused_naming_both(cli, tmp_path, admin, command) -> None:
    first = stack_file(tmp_path / "web.yaml")
    second = stack_file(tmp_path / "web-copy.yaml", command="other")
    mark = admin.requests()[-1]["seq"] if admin.requests() else 0
    refused = cli(command, *(["--yes"] if command == "apply" else []), second)
    assert refused.code == 1
    assert f"error: stack files {second} and {first} both declare stack 'web'" in refused.err
    assert admin.requests(since=mark, kind="write") == []


def test_the_same_name_in_two_folders_has_two_states(cli, tmp_path) -> None:
    for folder in ("prod", "dev"):
        assert cli("apply", "--yes", stack_file(tmp_path / folder / "web.yaml", command=f"probe-{folder}")).code == 0
        assert StateStore(tmp_path / folder, "web").load().resources["probe"]
    assert StateStore(tmp_path / "prod", "web").load().resources["probe"].id != \
        StateStore(tmp_path / "dev", "web").load().resources["probe"].id


def test_a_shared_state_folder_remembers_which_file_owns_each_state(cli, tmp_path) -> None:
    owner = stack_file(tmp_path / "a" / "web.yaml", state="../states")
    other = stack_file(tmp_path / "b" / "web.yaml", state="../states", command="other")
    assert cli("apply", "--yes", owner).code == 0
    refused = cli("plan", other)
    assert refused.code == 1
    assert f"both declare stack 'web' with its state at {tmp_path / 'states' / 'web.state.json'}" in refused.err


def test_a_moved_stack_file_keeps_its_state(cli, tmp_path) -> None:
    (tmp_path / ".git").mkdir()  # a clone: the state records the file's path from the repository root
    before = stack_file(tmp_path / "stacks" / "web.yaml", state="../states")
    assert cli("apply", "--yes", before).code == 0
    after = tmp_path / "stacks" / "frontend.yaml"
    before.rename(after)
    moved = cli("plan", "--detailed-exitcode", after)
    assert moved.code == 0, moved.err + moved.out
    assert cli("apply", "--yes", after).code == 0
    assert StateStore.in_folder(tmp_path / "states", "web").load().source == "stacks/frontend.yaml"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        pytest.param("flag", "flag-states", id="command-line"),
        pytest.param("environment", "env-states", id="environment"),
        pytest.param("stack-key", "stack/key-states", id="stack-key-relative-to-the-stack"),
    ],
)
def test_the_state_lives_where_it_is_told(cli, tmp_path, monkeypatch, how, expected) -> None:
    monkeypatch.chdir(tmp_path)
    stack = stack_file(tmp_path / "stack" / "web.yaml", state="key-states" if how == "stack-key" else None)
    argv = ["--state", "flag-states"] if how == "flag" else []
    if how == "environment":
        monkeypatch.setenv("ECSOPS_STATE", "env-states")
    assert cli("apply", "--yes", stack, *argv).code == 0
    assert (tmp_path / expected / "web.state.json").is_file()
    assert not (tmp_path / "stack" / ".ecsops" / "web.state.json").exists()
    assert cli("plan", "--detailed-exitcode", stack, *argv).code == 0


def test_a_bad_state_location_is_one_error_naming_where_it_came_from(cli, tmp_path) -> None:
    refused = cli("plan", stack_file(tmp_path / "web.yaml"), "--state", "gs://bucket/x")
    assert refused.code == 1
    assert refused.err.startswith("error: --state: 'gs://bucket/x': state is kept in a folder, on OSS (oss://")
