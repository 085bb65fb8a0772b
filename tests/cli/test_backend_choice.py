"""The backend is never a surprise, as a user meets it: `ecsops` as a real process in a fresh environment.
Half-set credentials are exit 1 (never a green run on a throwaway emulator), CI never starts the embedded
emulator unasked, and the first line (and --json) name the backend."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.cli import running, write_stack

STACK = """\
  probe:
    type: ecsops:Command
    properties: {name: probe, type: RunShellScript, content: uptime}
"""


def run(tmp_path, *argv, **environment):
    """`ecsops ARGV` in `tmp_path` with a home of its own and only the given credentials."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), **environment}
    with running(*argv, cwd=tmp_path, env=env) as process:
        out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@pytest.mark.parametrize(
    ("environment", "fragment"),
    [
        pytest.param({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-typo"},
                     "accessKeySecret cannot be empty", id="alibaba-cloud-id-without-secret"),
        pytest.param({"ECSOPS_ACCESS_KEY_ID": "LTAI-typo"},
                     "ECSOPS_ACCESS_KEY_ID is set but ECSOPS_ACCESS_KEY_SECRET is not", id="ecsops-id-without-secret"),
        pytest.param({"ALIBABA_CLOUD_PROFILE": "prod"}, "credentials are configured (ALIBABA_CLOUD_PROFILE)",
                     id="profile-that-does-not-exist"),
        pytest.param({"CI": "true"}, "CI is set and no backend was chosen", id="ci-without-a-chosen-backend"),
        pytest.param({"ECSOPS_BACKEND": "cloud"}, "no usable Alibaba Cloud credentials (ECSOPS_BACKEND)",
                     id="cloud-without-credentials"),
    ],
)
def test_apply_with_unusable_credentials_exits_1_and_deploys_nowhere(tmp_path, environment, fragment) -> None:
    stack = write_stack(tmp_path, STACK)
    code, out, err = run(tmp_path, "apply", "--yes", stack, **environment)
    assert code == 1
    assert "Apply complete" not in out and "embedded emulator" not in out
    [line] = err.splitlines()
    assert line.startswith("error: ") and fragment in line and "Traceback" not in err
    assert not (tmp_path / ".ecsops").exists()  # no emulator was started, no state written


def test_in_ci_the_embedded_emulator_runs_when_asked_for_and_json_names_it_without_a_port(tmp_path) -> None:
    stack = write_stack(tmp_path, STACK)
    code, out, err = run(tmp_path, "apply", "--yes", "--backend", "emulator", stack, CI="true")
    assert code == 0, err
    assert out.splitlines()[0].startswith("Stack demo on embedded emulator over ")
    code, out, err = run(tmp_path, "plan", "--json", stack, CI="true", ECSOPS_BACKEND="emulator")
    assert code == 0, err
    backend = json.loads(out)["backend"]
    assert backend == {"kind": "emulator", "embedded": True, "region": "cn-hangzhou",
                       "database": str((tmp_path / ".ecsops" / "emulator.db").resolve())}
