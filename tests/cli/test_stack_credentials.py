"""A stack's own credentials (`credentials:`): one run over stacks of several accounts, each stack read with
its own credentials, never with another account's client or listings; mistakes named before any call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import ecsops
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET

TEAM_KEY = ("team-b-key", "team-b-secret")
COMMAND = "  check: {{type: ecsops:Command, properties: {{name: {name}, type: RunShellScript, content: uptime}}}}\n"


def write(folder: Path, name: str, credentials: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nregion: cn-hangzhou\n{credentials}resources:\n" + COMMAND.format(name=name))
    return path


VARIABLES = "credentials:\n  variables: {accessKeyId: TEAM_B_ID, accessKeySecret: TEAM_B_SECRET}\n"


@pytest.fixture
def two_accounts(admin) -> None:
    """The emulator accepts the team's key pair too (one world: which account answers is not what is tested,
    which credentials sign each stack's calls is)."""
    admin.world({"account": {"accessKeys": [{"id": ACCESS_KEY_ID, "secret": ACCESS_KEY_SECRET},
                                            {"id": TEAM_KEY[0], "secret": TEAM_KEY[1]}]}})


def test_each_stack_runs_with_the_credentials_it_names(cli, tmp_path, two_accounts, monkeypatch) -> None:
    monkeypatch.setenv("TEAM_B_ID", TEAM_KEY[0])
    monkeypatch.setenv("TEAM_B_SECRET", TEAM_KEY[1])
    write(tmp_path, "team-a")
    write(tmp_path, "team-b", VARIABLES)
    for name in ("team-a", "team-b"):
        assert cli("apply", "--yes", tmp_path / f"{name}.yaml").code == 0
    result = cli("drift", tmp_path, "--json")
    accounts = {entry["stack"]: entry["account"] for entry in result.json()["stacks"]}
    assert result.code == 0 and accounts == {"team-a": "default", "team-b": "env TEAM_B_ID"}


def test_one_accounts_reads_never_serve_another(cli, tmp_path, two_accounts, monkeypatch) -> None:
    """Team B's secret is wrong: had its reads been answered from team A's client or listings, it would pass."""
    monkeypatch.setenv("TEAM_B_ID", TEAM_KEY[0])
    monkeypatch.setenv("TEAM_B_SECRET", TEAM_KEY[1])
    for index in range(12):  # enough commands for a listing
        write(tmp_path / "a", f"team-a-{index}")
        assert cli("apply", "--yes", tmp_path / "a" / f"team-a-{index}.yaml").code == 0
    write(tmp_path / "b", "team-b", VARIABLES)
    assert cli("apply", "--yes", tmp_path / "b" / "team-b.yaml").code == 0
    monkeypatch.setenv("TEAM_B_SECRET", "not-the-secret")
    result = cli("drift", tmp_path, "--json")
    stacks = {entry["stack"]: entry for entry in result.json()["stacks"]}
    assert result.code == 1 and stacks["team-b"]["status"] == "error"
    assert "team-b" not in "".join(str(stacks[f"team-a-{i}"]) for i in range(12))
    assert all(stacks[f"team-a-{index}"]["status"] == "in-sync" for index in range(12))


def test_a_named_profile_is_read_from_the_official_files(cli, tmp_path, two_accounts, monkeypatch) -> None:
    home = tmp_path / "home"
    (home / ".alibabacloud").mkdir(parents=True)
    (home / ".alibabacloud" / "credentials.ini").write_text(
        f"[team-b]\ntype = access_key\naccess_key_id = {TEAM_KEY[0]}\naccess_key_secret = {TEAM_KEY[1]}\n")
    monkeypatch.setenv("HOME", str(home))
    stack = write(tmp_path / "stacks", "team-b", "credentials: {profile: team-b}\n")
    assert cli("apply", "--yes", stack, "--backend", "emulator").code == 0
    result = cli("drift", stack.parent, "--json", "--backend", "emulator")
    assert result.code == 0 and result.json()["stacks"][0]["account"] == "profile team-b"


def test_a_profile_that_does_not_exist_is_named(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    stack = write(tmp_path, "team-c", "credentials: {profile: nowhere}\n")
    result = cli("plan", stack)
    assert result.code == 1 and result.err.startswith("error: credentials.profile 'nowhere': no usable profile")


def test_a_variable_that_is_not_set_is_named(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TEAM_B_ID", raising=False)
    stack = write(tmp_path, "team-b", VARIABLES)
    result = cli("plan", stack)
    assert result.code == 1
    assert result.err.strip() == "error: credentials.variables.accessKeyId names TEAM_B_ID, which is not set"


@pytest.mark.parametrize(("credentials", "line", "message"), [
    pytest.param("credentials: prod\n", 3, "credentials is {profile: NAME} or", id="not-a-mapping"),
    pytest.param("credentials: {profile: a, variables: {}}\n", 3, "credentials is {profile: NAME} or",
                 id="both-kinds"),
    pytest.param("credentials: {profile: 'a b'}\n", 3, "'a b' is not a profile name", id="bad-profile-name"),
    pytest.param("credentials:\n  variables: {accessKeyId: AK, accessKeySecret: my-secret}\n", 4,
                 "'my-secret' is not an environment variable's name", id="a-value-where-a-name-goes"),
    pytest.param("credentials:\n  variables: {accessKeyId: AK}\n", 4, "missing: the name of the variable holding "
                 "the accessKeySecret", id="half-a-pair"),
    pytest.param("credentials:\n  variables: {accessKeyId: AK, accessKeySecret: SK, token: T}\n", 4,
                 "unknown key 'token'", id="an-unknown-key"),
])
def test_bad_credentials_are_placed_in_the_file_before_any_call(cli, tmp_path, admin, credentials, line,
                                                                  message) -> None:
    stack = write(tmp_path, "team-b", credentials)
    result = cli("plan", stack)
    assert result.code == 1 and f"{stack}:{line}:" in result.err and message in result.err
    assert admin.requests() == []


def test_the_embedded_emulator_does_not_need_the_named_credentials(tmp_path, monkeypatch) -> None:
    """The stack names variables that are not set here: a local run on the embedded emulator still works."""
    from tests.support.cli import ecsops

    monkeypatch.delenv("TEAM_B_ID", raising=False)
    stack = write(tmp_path, "team-b", VARIABLES)
    result = ecsops("plan", stack, "--backend", "emulator")
    assert result.code == 0 and "1 to create" in result.out
