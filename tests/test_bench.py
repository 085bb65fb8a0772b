"""`bench/run.py` itself: a small run prints the README's table and counts calls from the emulator's log —
batched reads take a call per page or per kind, the naive baseline a call per resource."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.fleet import mix

ROOT = Path(__file__).resolve().parent.parent
N = 30


def test_a_small_run_measures_every_operation_batched_and_naive(tmp_path) -> None:
    report = tmp_path / "bench.json"
    finished = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", str(N), "--latencies", "0", "--skip-target",
         "--startup-runs", "2", "--state-size", "16", "--json", str(report)], capture_output=True, text=True,
        timeout=300, cwd=ROOT)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "| N | latency | operation |" in finished.stdout and "| start-up (whole process) |" in finished.stdout

    startup = {row["startup"]: row for row in json.loads(report.read_text())["startup"]}
    assert set(startup) == {"ecsops drift, one resource, running emulator", "ecsops --version"}
    assert all(row["runs"] == 2 and 0 < row["min_seconds"] <= row["median_seconds"] for row in startup.values())

    rows = {row["operation"]: row for row in json.loads(report.read_text())["rows"]}
    assert set(rows) == {"apply", "plan", "plan (naive)", "drift", "drift (naive)"}
    assert all(row["n"] == N and row["peak_mb"] > 0 and row["seconds"] > 0 for row in rows.values())
    counts = mix(N)
    assert rows["apply"]["detail"] == f"{N} done"
    # naive: one read per resource (an event rule's read is its rule and its targets) ...
    assert rows["drift (naive)"]["calls"] >= N
    # ... batched: a page per kind, plus the per-rule target listings no API batches
    assert rows["drift"]["calls"] <= len(counts) + counts["event"] + 1
    assert rows["plan"]["calls"] == rows["drift"]["calls"]

    # state on OSS: the lock, the snapshots at the start and end, and about one journal object per phase
    # (intent, result) of each wave of 8 creates in flight — not one per step (16 x 2 journal writes)
    states = {row["state"].rsplit("state in the ", 1)[1]: row for row in json.loads(report.read_text())["states"]}
    assert set(states) == {"local folder", "OSS"}
    assert all(row["detail"] == "16 done" for row in states.values())
    assert states["OSS"]["state_writes"] <= 3 + 2 * (16 // 8) + 2
    assert states["local folder"]["state_writes"] == 0
