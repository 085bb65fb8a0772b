"""Backend selection: explicit endpoint, then credentials (explicit or the official chain), then the
embedded emulator over .ecsops/emulator.db beside the stack."""

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
