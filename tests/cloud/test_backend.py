"""Backend selection: chosen (emulator or cloud), else an explicit endpoint, then credentials (explicit or the
official chain), then the embedded emulator over .ecsops/emulator.db beside the stack — never a silent fallback
from credentials that are present but unusable, and never the embedded emulator in CI unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecsops.cloud import backend
from ecsops.cloud.backend import KeyPair, Settings, normalise_endpoint, select


def settings(tmp_path: Path, **overrides: str) -> Settings:
    return Settings(region="cn-hangzhou", directory=tmp_path, **overrides)


def test_an_explicit_endpoint_wins_and_uses_the_emulator_key_pair(tmp_path) -> None:
    chosen = select(settings(tmp_path, endpoint="127.0.0.1:8765"))
    assert (chosen.kind, chosen.endpoint) == ("endpoint", "http://127.0.0.1:8765")
    assert chosen.keys == KeyPair("ecsops-local", "ecsops-local-secret")


def test_an_explicit_endpoint_takes_an_explicit_key_pair(tmp_path) -> None:
    chosen = select(settings(tmp_path, endpoint="http://127.0.0.1:1", access_key_id="AK", access_key_secret="SK"))
    assert chosen.keys == KeyPair("AK", "SK")


def test_an_explicit_key_pair_without_endpoint_means_the_real_cloud(tmp_path) -> None:
    chosen = select(settings(tmp_path, access_key_id="AK", access_key_secret="SK"))
    assert (chosen.kind, chosen.endpoint, chosen.keys) == ("cloud", None, KeyPair("AK", "SK"))


SELECT_IN_FRESH_PROCESS = """
import sys
from pathlib import Path
from ecsops.cloud.backend import Settings, select
chosen = select(Settings(region="cn-hangzhou", directory=Path(sys.argv[1])))
print(chosen.kind, chosen.keys, chosen.describe(), sep="|")
"""


def test_credentials_from_the_official_chain_mean_the_real_cloud(tmp_path) -> None:
    # The official credential library reads its environment when imported: ask a fresh process.
    environment = {**os.environ, "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample",
                   "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "example-secret"}
    answer = subprocess.run([sys.executable, "-c", SELECT_IN_FRESH_PROCESS, str(tmp_path)], env=environment,
                            capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "cloud|None|Alibaba Cloud, region cn-hangzhou"
    assert not (tmp_path / ".ecsops").exists()


def test_without_endpoint_or_credentials_the_embedded_emulator_starts_beside_the_stack(tmp_path) -> None:
    chosen = select(settings(tmp_path))
    assert chosen.kind == "embedded"
    assert chosen.database == (tmp_path / ".ecsops" / "emulator.db").resolve()
    assert chosen.database.exists()
    assert chosen.endpoint and chosen.endpoint.startswith("http://127.0.0.1:")
    assert select(settings(tmp_path)).endpoint == chosen.endpoint  # one emulator per database per process


def test_settings_come_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("ECSOPS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("ECSOPS_ACCESS_KEY_SECRET", "secret")
    read = Settings.from_environment("cn-beijing", tmp_path)
    assert (read.endpoint, read.access_key_id, read.access_key_secret) == ("http://127.0.0.1:9", "id", "secret")
    assert Settings.from_environment("cn-beijing", tmp_path, endpoint="http://x:1").endpoint == "http://x:1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("127.0.0.1:8080", "http://127.0.0.1:8080", id="loopback-gets-http"),
        pytest.param("localhost:8080/", "http://localhost:8080", id="trailing-slash"),
        pytest.param("ecs.example.com", "https://ecs.example.com", id="remote-gets-https"),
        pytest.param("http://10.0.0.1:1", "http://10.0.0.1:1", id="scheme-kept"),
    ],
)
def test_endpoints_are_normalised(given, expected) -> None:
    assert normalise_endpoint(given) == expected


def test_key_pairs_never_show_their_secret() -> None:
    assert "SK" not in repr(KeyPair("AK", "SK")) and "SK" not in str(KeyPair("AK", "SK"))
    assert "secret-value" not in repr(Settings("r", Path("."), access_key_secret="secret-value"))


def test_the_identity_of_a_backend_names_its_world(tmp_path) -> None:
    assert select(settings(tmp_path, endpoint="127.0.0.1:1")).identity == "endpoint:http://127.0.0.1:1"
    assert backend.Backend("cloud", "cn-beijing").identity == "alibaba-cloud:cn-beijing"


CHOOSE_IN_FRESH_PROCESS = """
import sys
from pathlib import Path
from ecsops.cloud.backend import BackendError, Settings, select
try:
    chosen = select(Settings.from_environment("cn-hangzhou", Path(sys.argv[1]), backend=sys.argv[2] or None,
                                              stack_backend=sys.argv[3] or None))
except BackendError as error:
    print("error", error, sep="|")
else:
    print(chosen.kind, chosen.keys is not None, sep="|")
"""


def chosen_in_fresh_process(tmp_path: Path, environment: dict[str, str], *, flag: str = "",
                            stack_key: str = "") -> tuple[str, str]:
    """What a fresh process selects (the credential library reads its environment when imported), with a
    home folder of its own and nothing of this shell's credentials."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    answer = subprocess.run([sys.executable, "-c", CHOOSE_IN_FRESH_PROCESS, str(tmp_path), flag, stack_key],
                            env={**os.environ, "HOME": str(home), **environment}, capture_output=True, text=True,
                            check=True)
    kind, _, detail = answer.stdout.strip().partition("|")
    return kind, detail


@pytest.mark.parametrize(
    ("environment", "flag", "stack_key", "expected"),
    [
        pytest.param({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-typo"}, "", "",
                     ["credentials are configured (ALIBABA_CLOUD_ACCESS_KEY_ID)", "accessKeySecret cannot be empty"],
                     id="half-set-alibaba-cloud-pair"),
        pytest.param({"ECSOPS_ACCESS_KEY_ID": "AK"}, "", "",
                     ["ECSOPS_ACCESS_KEY_ID is set but ECSOPS_ACCESS_KEY_SECRET is not"], id="half-set-ecsops-pair"),
        pytest.param({"ECSOPS_ACCESS_KEY_SECRET": "SK"}, "", "",
                     ["ECSOPS_ACCESS_KEY_SECRET is set but ECSOPS_ACCESS_KEY_ID is not"], id="half-set-ecsops-secret"),
        pytest.param({"ALIBABA_CLOUD_PROFILE": "prod"}, "", "",
                     ["credentials are configured (ALIBABA_CLOUD_PROFILE)", "looked for ECSOPS_ACCESS_KEY_ID"],
                     id="profile-named-but-absent"),
        pytest.param({}, "cloud", "", ["no usable Alibaba Cloud credentials (--backend)"], id="cloud-asked-none-given"),
        pytest.param({"ECSOPS_BACKEND": "cloud"}, "", "", ["(ECSOPS_BACKEND)"], id="cloud-from-environment"),
        pytest.param({}, "", "cloud", ["(the stack's backend: key)"], id="cloud-from-stack-key"),
        pytest.param({"CI": "true"}, "", "", ["CI is set and no backend was chosen", "--backend emulator"],
                     id="ci-never-starts-the-emulator-unasked"),
        pytest.param({"ECSOPS_BACKEND": "emulater"}, "", "", ["ECSOPS_BACKEND is 'emulater': expected one of"],
                     id="unknown-backend-name"),
    ],
)
def test_unusable_or_missing_credentials_are_an_error_never_the_emulator(tmp_path, environment, flag, stack_key,
                                                                         expected) -> None:
    kind, message = chosen_in_fresh_process(tmp_path, environment, flag=flag, stack_key=stack_key)
    assert kind == "error", message
    for part in expected:
        assert part in message
    assert not (tmp_path / ".ecsops").exists()  # no emulator was started


@pytest.mark.parametrize(
    ("environment", "flag", "stack_key", "expected"),
    [
        pytest.param({"CI": "true"}, "emulator", "", "embedded", id="ci-with-emulator-asked"),
        pytest.param({"CI": "1", "ECSOPS_BACKEND": "emulator"}, "", "", "embedded", id="ci-with-emulator-in-env"),
        pytest.param({"CI": "true"}, "", "emulator", "embedded", id="ci-with-emulator-in-stack"),
        pytest.param({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-typo"}, "emulator", "", "embedded",
                     id="emulator-asked-despite-credentials"),
        pytest.param({"ECSOPS_BACKEND": "cloud"}, "emulator", "", "embedded", id="flag-wins-over-environment"),
        pytest.param({"ECSOPS_BACKEND": "emulator"}, "", "cloud", "embedded", id="environment-wins-over-stack"),
        pytest.param({"CI": "true", "ECSOPS_ENDPOINT": "127.0.0.1:9"}, "", "", "endpoint", id="ci-with-endpoint"),
        pytest.param({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "x"},
                     "cloud", "", "cloud", id="cloud-through-the-chain"),
    ],
)
def test_a_chosen_backend_is_the_one_used(tmp_path, environment, flag, stack_key, expected) -> None:
    assert chosen_in_fresh_process(tmp_path, environment, flag=flag, stack_key=stack_key)[0] == expected


def test_a_broken_profile_file_means_the_cloud_was_meant(tmp_path) -> None:
    (tmp_path / "home" / ".aliyun").mkdir(parents=True)
    (tmp_path / "home" / ".aliyun" / "config.json").write_text("{not json")
    kind, message = chosen_in_fresh_process(tmp_path, {})
    assert kind == "error"
    assert "credentials are configured (~/.aliyun/config.json)" in message


def test_the_cloud_with_an_endpoint_never_takes_the_emulator_key_pair(tmp_path) -> None:
    chosen = select(settings(tmp_path, backend="cloud", endpoint="ecs.example.com", access_key_id="AK",
                             access_key_secret="SK"))
    assert (chosen.kind, chosen.endpoint, chosen.keys) == ("endpoint", "https://ecs.example.com", KeyPair("AK", "SK"))


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        pytest.param(backend.Backend("cloud", "cn-beijing"), {"kind": "cloud", "region": "cn-beijing"}, id="cloud"),
        pytest.param(backend.Backend("endpoint", "cn-hangzhou", endpoint="http://10.0.0.1:80"),
                     {"kind": "endpoint", "endpoint": "http://10.0.0.1:80", "region": "cn-hangzhou"}, id="endpoint"),
        pytest.param(backend.Backend("embedded", "cn-hangzhou", endpoint="http://127.0.0.1:43123",
                                     database=Path("/s/.ecsops/emulator.db")),
                     {"kind": "emulator", "embedded": True, "database": "/s/.ecsops/emulator.db",
                      "region": "cn-hangzhou"}, id="embedded-without-its-port"),
    ],
)
def test_machine_readable_output_names_the_backend_without_an_ephemeral_port(chosen, expected) -> None:
    assert chosen.document() == expected


@pytest.mark.parametrize(
    ("chosen", "endpoint"),
    [
        pytest.param(dict(backend="cloud", endpoint="ecs-vpc.cn-hangzhou.aliyuncs.com", access_key_id="AK",
                          access_key_secret="SK"), None, id="cloud-at-an-ecs-endpoint-uses-oss-own"),
        pytest.param(dict(endpoint="127.0.0.1:8765"), "http://127.0.0.1:8765", id="running-emulator-serves-oss"),
        pytest.param(dict(backend="cloud", access_key_id="AK", access_key_secret="SK"), None, id="cloud"),
    ],
)
def test_remote_state_goes_to_the_backends_endpoint_only_on_an_emulator(tmp_path, chosen, endpoint) -> None:
    from ecsops.engine.state_location import open_store, parse_location

    store = open_store(parse_location("oss://states/prod", tmp_path), "web", select(settings(tmp_path, **chosen)),
                       "cn-hangzhou")
    assert store.objects.bucket.endpoint == endpoint  # type: ignore[attr-defined]
