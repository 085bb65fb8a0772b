"""The switch to verify against a real account keeps the account's key pair for every test process — xdist's
workers included — though the suite strips credentials to stay hermetic; without the switch nothing is kept."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import os
def test_the_key_pair_is_kept():
    assert os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID") is None  # still hermetic
    kept = (os.environ.get("ECSOPS_VERIFY_ACCESS_KEY_ID"), os.environ.get("ECSOPS_VERIFY_REGION"))
    assert kept == tuple(os.environ["PROBE_EXPECT"].split(",")) if os.environ["PROBE_EXPECT"] else (None, None)
"""


def probe(tmp_path, verify: str, expect: str) -> str:
    test = ROOT / "tests" / "emulator" / f"test_probe_{os.getpid()}.py"
    test.write_text(PROBE)
    try:
        environment = {**os.environ, "ECSOPS_VERIFY_CLOUD": verify, "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-probe",
                       "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "probe-secret", "ALIBABA_CLOUD_REGION_ID": "cn-beijing",
                       "PYTHONDONTWRITEBYTECODE": "1", "PROBE_EXPECT": expect}
        for name in ("ECSOPS_VERIFY_ACCESS_KEY_ID", "ECSOPS_VERIFY_ACCESS_KEY_SECRET", "ECSOPS_VERIFY_REGION"):
            environment.pop(name, None)
        finished = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-n", "1", "-p", "no:cacheprovider",
                                   str(test)], capture_output=True, text=True, cwd=ROOT, env=environment, timeout=120)
    finally:
        test.unlink()
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    return finished.stdout


def test_the_switch_keeps_the_key_pair_for_xdist_workers(tmp_path) -> None:
    assert "1 passed" in probe(tmp_path, "1", "LTAI-probe,cn-beijing")


def test_without_the_switch_nothing_is_kept(tmp_path) -> None:
    assert "1 passed" in probe(tmp_path, "", "")
