"""ecsops benchmarks: plan, drift and apply at fleet scale, batched and naive, against a real emulator.

    python bench/run.py                      # the README's table: N = 100, 1000, 5000 x latency 0, 20 ms
    python bench/run.py --sizes 100 --latencies 0 --skip-target   # a quick look

What runs: an emulator (`ecsops emulator serve`, its own process and database, on a frozen virtual clock
so no scheduled run is simulated mid-measurement) and, for every measured operation, a fresh Python
process running it through the same code as the CLI (`Workspace`), so its peak memory (ru_maxrss from
wait4) is that operation's alone. API calls are counted by the emulator's request log, not by the client.

Per N and latency, a mixed stack (see `mix`) is applied, then planned and drifted (nothing to change), each
batched and naive (the same code with batched reads switched off). Then the point-10 targets: drift of
1,000 resources with 20 ms latency (calls and time), and apply of 1,000 creates under a client rate limit of
R calls/s against an emulator admitting R calls/s (`maxRate`), counting throttled calls.

Start-up: the whole `ecsops` process as a user runs it (the installed command, interpreter start to exit),
repeated: `ecsops drift` of a one-resource stack against a running emulator, and `ecsops --version`.

State: an apply of N creates (commands) at parallelism 8 and 20 ms per API call, its state in the local
folder and then on OSS (the emulator's, through the official SDK): time, and the object writes the state
cost (PutObject, counted by the emulator's log) — batched per group of steps in flight.

Fleet (`--fleet`; `python bench/run.py --sizes '' --skip-target --fleet` for these rows alone): the mixed stack
of 5,000 resources dealt into 100 stacks of 50 in one folder (`fleet.partition`: each scheduled invocation with
its command), at 20 ms per call, each drifted as the installed `ecsops` runs it (the whole process: wall time,
API calls, peak memory from wait4): the one stack of 5,000 (the baseline calls), `ecsops drift FOLDER` (all 100
in one process), and `ecsops drift STACK` once per stack, one process after another. The one stack and the
fleet each have an emulator of their own holding only their objects, so a listing costs the same in both.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.fleet import mix, partition, stack_document, world_document  # noqa: E402

KEYS = ("ecsops-local", "ecsops-local-secret")
FROZEN_AT = "2030-01-01T00:00:00+00:00"


# -- the emulator ---------------------------------------------------------------------------------------


class Emulator:
    """`ecsops emulator serve` in its own process, on its own database."""

    def __init__(self, directory: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ecsops.cli.main", "emulator", "serve", "--db", str(directory / "emulator.db")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if not first.startswith("endpoint: "):
            raise RuntimeError(f"the emulator did not start: {first!r}")
        self.endpoint = first.split(" ", 1)[1].strip()

    def admin(self, method: str, route: str, body: Any = None) -> Any:
        token = base64.b64encode(":".join(KEYS).encode()).decode()
        request = urllib.request.Request(f"{self.endpoint}/_emulator/{route}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def calls(self) -> tuple[int, int]:
        """(API calls logged, of them throttled) since the log was last cleared."""
        logged = self.admin("GET", "requests")["requests"]
        return len(logged), sum(1 for entry in logged if str(entry.get("code") or "").startswith("Throttling"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- one measured operation, in a child process ---------------------------------------------------------


@dataclass
class Measurement:
    operation: str
    seconds: float          # the operation, in the process (what `ecsops` spends after starting)
    process_seconds: float  # the whole process: interpreter start, imports, the operation
    calls: int
    throttled: int
    peak_mb: float
    detail: str


def measure(emulator: Emulator, stack: Path, operation: str, *, batch: bool = True, workers: int = 8,
            rate: float | None = None, state: str | None = None) -> Measurement:
    emulator.admin("DELETE", "requests")
    command = [sys.executable, __file__, "--child", operation, str(stack), "--endpoint", emulator.endpoint,
               "--workers", str(workers), "--client-rate", str(rate or 0)] + ([] if batch else ["--naive"]) + (
               ["--state", state] if state else [])
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    process_seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"{operation} failed:\n{finished.stderr[-3000:]}")
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    calls, throttled = emulator.calls()
    return Measurement(operation, report["seconds"], process_seconds, calls, throttled, report["peak_mb"],
                       report["detail"])


def child(arguments: argparse.Namespace) -> None:
    """Runs one operation and prints {"seconds", "peak_mb", "detail"} as the last line. Given a folder, runs it
    on each of the folder's stacks (`*.yaml`) in turn, in this one process (how the fleet rows apply theirs)."""
    import ecsops.resources  # noqa: F401  (registers every kind)
    from ecsops.cloud.backend import Backend, KeyPair
    from ecsops.cloud.client import Cloud
    from ecsops.engine.drift import in_sync
    from ecsops.engine.stack import load_stack
    from ecsops.engine.workspace import Workspace

    paths = sorted(arguments.stack.glob("*.yaml")) if arguments.stack.is_dir() else [arguments.stack]
    seconds, counted = 0.0, 0   # changes (plan) or steps done (apply), over every stack
    for path in paths:
        stack = load_stack(path)
        cloud = Cloud(Backend("endpoint", stack.region, endpoint=arguments.endpoint, keys=KeyPair(*KEYS),
                              emulated=True), rate=arguments.client_rate or None)
        store = None
        if arguments.state:
            from ecsops.engine.state_location import open_store, parse_location

            store = open_store(parse_location(arguments.state, Path.cwd()), stack.name, cloud.backend, stack.region)
        space = Workspace.open(stack, cloud, store=store, workers=arguments.workers, batch=not arguments.naive)
        started = time.perf_counter()
        if arguments.child == "plan":
            planned = space.plan()
            counted += sum(1 for item in planned.resources if item.action.value != "no-op")
            if planned.has_changes:  # the bench plans only after a complete apply
                raise SystemExit(f"plan after apply: {counted} changes")
        elif arguments.child == "drift":
            report = space.drift()
            if not in_sync(report):
                raise SystemExit(f"drift after apply: {[item for item in report if item.status != 'in-sync'][:3]}")
        else:
            _, outcome = space.apply()
            assert outcome is not None
            if not outcome.ok:
                raise SystemExit(f"apply failed: {[str(failure) for failure in outcome.failures[:5]]}")
            counted += len(outcome.done)
        seconds += time.perf_counter() - started
    detail = {"plan": f"{counted} changes", "drift": "in sync"}.get(arguments.child, f"{counted} done")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "detail": detail}))


# -- the runs -------------------------------------------------------------------------------------------


def scale_rows(directory: Path, sizes: list[int], latencies: list[float]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        counts = mix(n)
        for latency in latencies:
            workdir = directory / f"n{n}-l{int(latency)}"
            workdir.mkdir()
            emulator = Emulator(workdir)
            try:
                emulator.admin("POST", "world", world_document(counts))
                emulator.admin("POST", "clock", {"set": FROZEN_AT})
                emulator.admin("POST", "faults", {"latencyMs": latency})
                stack = workdir / "stack.yaml"
                stack.write_text(yaml.safe_dump(stack_document(f"bench-{n}", counts), sort_keys=False))
                progress(f"N={n} latency={latency:g} ms: apply")
                results = {"apply": measure(emulator, stack, "apply")}
                for operation in ("plan", "drift"):
                    progress(f"N={n} latency={latency:g} ms: {operation}, batched and naive")
                    results[operation] = measure(emulator, stack, operation)
                    results[f"{operation} (naive)"] = measure(emulator, stack, operation, batch=False)
            finally:
                emulator.stop()
            for operation, result in results.items():
                rows.append({"n": n, "latency_ms": latency, "operation": operation, "seconds": round(result.seconds, 2),
                             "process_seconds": round(result.process_seconds, 2),
                             "calls": result.calls, "throttled": result.throttled, "peak_mb": round(result.peak_mb),
                             "detail": result.detail, "mix": counts})
    return rows


def target_rows(directory: Path, rate: float) -> list[dict[str, Any]]:
    """Point 10: drift of 1,000 at 20 ms; apply of 1,000 creates at R calls/s, parallel and serial."""
    rows = []
    counts = mix(1000)
    workdir = directory / "targets"
    workdir.mkdir()
    emulator = Emulator(workdir)
    try:
        emulator.admin("POST", "world", world_document(counts))
        emulator.admin("POST", "clock", {"set": FROZEN_AT})
        stack = workdir / "stack.yaml"
        stack.write_text(yaml.safe_dump(stack_document("target-drift", counts), sort_keys=False))
        progress("target: drift of 1,000 at 20 ms")
        measure(emulator, stack, "apply")
        emulator.admin("POST", "faults", {"latencyMs": 20})
        drifted = measure(emulator, stack, "drift")
        rows.append({"target": "drift 1,000 @ 20 ms", "seconds": round(drifted.seconds, 2),
                     "process_seconds": round(drifted.process_seconds, 2), "calls": drifted.calls,
                     "resources_per_call": round(1000 / max(drifted.calls, 1), 1), "detail": drifted.detail})
        creates = {"command": 1000, "invocation": 0, "maintenance": 0, "delivery": 0, "event": 0, "license": 0}
        for workers in (8, 1):
            progress(f"target: apply of 1,000 creates at {rate:g} calls/s, parallelism {workers}")
            stack = workdir / f"creates-{workers}.yaml"
            document = stack_document(f"target-creates-{workers}", creates)
            for entry in document["resources"].values():
                entry["properties"]["name"] += f"-w{workers}"
            stack.write_text(yaml.safe_dump(document, sort_keys=False))
            emulator.admin("POST", "world", {"quotas": {"max-axt-command-count": 3000}})
            emulator.admin("POST", "faults", {"latencyMs": 20, "maxRate": rate})
            applied = measure(emulator, stack, "apply", workers=workers, rate=rate)
            ideal = 1000 / rate
            rows.append({"target": f"apply 1,000 creates @ {rate:g}/s, 20 ms, parallelism {workers}",
                         "seconds": round(applied.seconds, 2), "process_seconds": round(applied.process_seconds, 2),
                         "ideal_seconds": ideal,
                         "over_ideal_pct": round(100 * (applied.seconds - ideal) / ideal, 1), "calls": applied.calls,
                         "throttled": applied.throttled, "detail": applied.detail})
    finally:
        emulator.stop()
    return rows


def state_rows(directory: Path, n: int) -> list[dict[str, Any]]:
    """Apply of `n` creates, 8 in flight, 20 ms a call: the state local, then on OSS. Object writes counted."""
    import alibabacloud_oss_v2 as oss

    workdir = directory / "state"
    workdir.mkdir()
    emulator = Emulator(workdir)
    rows = []
    try:
        config = oss.config.load_default()
        config.credentials_provider = oss.credentials.StaticCredentialsProvider(*KEYS)
        config.region, config.endpoint = "cn-hangzhou", emulator.endpoint
        oss.Client(config).put_bucket(oss.PutBucketRequest(bucket="bench-state"))
        emulator.admin("POST", "world", {"quotas": {"max-axt-command-count": 3 * n}})
        emulator.admin("POST", "faults", {"latencyMs": 20})
        creates = {"command": n, "invocation": 0, "maintenance": 0, "delivery": 0, "event": 0, "license": 0}
        for where, state in (("local folder", None), ("OSS", "oss://bench-state/stacks")):
            progress(f"state: apply of {n:,} creates, state in the {where}")
            stack = workdir / f"{where.split()[0].lower()}.yaml"
            document = stack_document(f"state-{where.split()[0].lower()}", creates)
            for entry in document["resources"].values():
                entry["properties"]["name"] += f"-{where.split()[0].lower()}"
            stack.write_text(yaml.safe_dump(document, sort_keys=False))
            applied = measure(emulator, stack, "apply", state=state)
            logged = emulator.admin("GET", "requests")["requests"]
            writes = sum(1 for entry in logged if entry.get("action") == "PutObject")
            rows.append({"state": f"apply {n:,} creates, parallelism 8, 20 ms, state in the {where}",
                         "seconds": round(applied.seconds, 2), "state_writes": writes,
                         "api_calls": sum(1 for entry in logged if entry.get("action") != "PutObject"),
                         "detail": applied.detail})
    finally:
        emulator.stop()
    return rows


def state_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| state | operation s | state object writes | API calls |", "|---|---:|---:|---:|"]
    for row in rows:
        writes = f"{row['state_writes']:,}" if "OSS" in row["state"] else "- (fsynced journal lines)"
        lines.append(f"| {row['state']} | {row['seconds']:.2f} | {writes} | {row['api_calls']:,} |")
    return "\n".join(lines)


STARTUP_TARGETS = {"drift": 0.8, "version": 0.15}  # seconds, whole process (issue 11)
ONE_COMMAND = ("  check: {type: ecsops:Command, properties: {name: startup-check, type: RunShellScript, "
               "content: uptime}}\n")


def ecsops_command() -> list[str]:
    """The installed `ecsops` script beside this interpreter (what users run), else the module."""
    script = Path(sys.executable).with_name("ecsops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecsops.cli.main"]


def timed(command: list[str], repeats: int) -> list[float]:
    """Wall seconds of each of `repeats` runs of `command` (each must succeed), after one run not counted.

    As a user's every run but the first: Python may cache byte code (PYTHONDONTWRITEBYTECODE, which some
    sandboxes set, is dropped), and the uncounted first run has written it."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    seconds = []
    for run in range(repeats + 1):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=environment)
        if run:
            seconds.append(time.perf_counter() - started)
    return seconds


def startup_rows(directory: Path, repeats: int) -> list[dict[str, Any]]:
    workdir = directory / "startup"
    workdir.mkdir()
    emulator = Emulator(workdir)
    try:
        stack = workdir / "stack.yaml"
        stack.write_text(f"name: startup\nregion: cn-hangzhou\nresources:\n{ONE_COMMAND}")
        ecsops = ecsops_command()
        subprocess.run([*ecsops, "apply", "--yes", str(stack), "--endpoint", emulator.endpoint], check=True,
                       capture_output=True)
        progress(f"start-up: ecsops drift of one resource and ecsops --version, {repeats} runs each")
        runs = {"drift": timed([*ecsops, "drift", str(stack), "--endpoint", emulator.endpoint], repeats),
                "version": timed([*ecsops, "--version"], repeats)}
    finally:
        emulator.stop()
    labels = {"drift": "ecsops drift, one resource, running emulator", "version": "ecsops --version"}
    return [{"startup": labels[name], "median_seconds": round(sorted(seconds)[len(seconds) // 2], 3),
             "min_seconds": round(min(seconds), 3), "max_seconds": round(max(seconds), 3), "runs": len(seconds),
             "target_seconds": STARTUP_TARGETS[name]} for name, seconds in runs.items()]


def startup_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| start-up (whole process) | median s | min s | max s | runs | target s |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['startup']} | {row['median_seconds']:.2f} | {row['min_seconds']:.2f} | "
                     f"{row['max_seconds']:.2f} | {row['runs']} | ≤ {row['target_seconds']:g} |")
    return "\n".join(lines)


FLEET_LATENCY_MS = 20
FLEET_TARGETS = {"calls_over_pct": 10.0, "seconds": 5.0, "peak_mb": 250}   # the fleet issue's targets


@dataclass
class Process:
    """One `ecsops` process, as a user runs it."""
    code: int
    seconds: float   # wall time, interpreter start to exit
    peak_mb: float   # its peak resident memory (ru_maxrss from wait4)
    out: str
    err: str


def ecsops_process(argv: list[str], directory: Path) -> Process:
    """Runs the installed `ecsops` with `argv` (as `timed`, byte code may be cached) and waits for it with wait4,
    whose resource usage is that process's alone."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile("w+", dir=directory) as out, tempfile.TemporaryFile("w+", dir=directory) as err:
        started = time.perf_counter()
        process = subprocess.Popen([*ecsops_command(), *argv], stdout=out, stderr=err, env=environment,
                                   stdin=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Process(process.returncode, seconds, usage.ru_maxrss / 1024, out.read(), err.read())


def in_sync_process(argv: list[str], directory: Path) -> Process:
    """`ecsops ARGV`, which must find every stack in sync (exit 0)."""
    finished = ecsops_process(argv, directory)
    if finished.code != 0:
        raise RuntimeError(f"ecsops {' '.join(argv)}: exit {finished.code}, expected 0 (in sync)\n"
                           f"{finished.err[-3000:]}{finished.out[-2000:]}")
    return finished


def unlimited(emulator: Emulator) -> list[str]:
    """The options of every measured `ecsops` run: this emulator, and no client-side rate limit (as the table
    rows: they measure ecsops and the emulator, not the limiter)."""
    return ["--endpoint", emulator.endpoint, "--rate", "0"]


def fleet_summary(output: str) -> str:
    """What the fleet report (`--json`, docs/drift.md) says of the stacks, if it parses."""
    try:
        summary = json.loads(output)["summary"]
        return f"{summary['stacks']} stacks, {summary['in_sync']} in sync"
    except (ValueError, KeyError, TypeError):
        return "exit 0 (in sync)"


def fleet_rows(directory: Path, stacks: int, size: int) -> list[dict[str, Any]]:
    """One stack of `stacks` x `size` resources, and the same resources as `stacks` stacks of `size` in one folder,
    drifted at FLEET_LATENCY_MS per call: the one stack; the folder in one process; each stack in a process."""
    n = stacks * size
    counts = mix(n)
    document = stack_document(f"fleet-one-{n}", counts)
    workdir = directory / "fleet"
    one, many = workdir / "one", workdir / "many"
    folder = many / "stacks"
    folder.mkdir(parents=True)
    one.mkdir()
    big = one / "stack.yaml"
    big.write_text(yaml.safe_dump(document, sort_keys=False))
    paths = []
    for part in partition(document, stacks):
        paths.append(folder / f"{part['name']}.yaml")
        paths[-1].write_text(yaml.safe_dump(part, sort_keys=False))
    latency = f"{FLEET_LATENCY_MS} ms"
    emulator = Emulator(one)
    try:
        emulator.admin("POST", "world", world_document(counts))
        emulator.admin("POST", "clock", {"set": FROZEN_AT})
        # not counted: each code path's byte code written, as in a user's every run but the first (the stacks are
        # not applied yet, so these find drift: their exit codes do not matter)
        for warm_up in (folder, paths[0]):
            ecsops_process(["drift", str(warm_up), *unlimited(emulator)], workdir)
        progress(f"fleet: apply of one stack of {n:,}")
        measure(emulator, big, "apply")
        emulator.admin("POST", "faults", {"latencyMs": FLEET_LATENCY_MS})
        progress(f"fleet: ecsops drift of one stack of {n:,} at {latency} per call")
        emulator.admin("DELETE", "requests")
        baseline = in_sync_process(["drift", str(big), *unlimited(emulator)], workdir)
        baseline_calls = emulator.calls()[0]
    finally:
        emulator.stop()
    emulator = Emulator(many)
    try:
        emulator.admin("POST", "world", world_document(counts))
        emulator.admin("POST", "clock", {"set": FROZEN_AT})
        progress(f"fleet: apply of {stacks} stacks of {size} (one process)")
        measure(emulator, folder, "apply")
        emulator.admin("POST", "faults", {"latencyMs": FLEET_LATENCY_MS})
        progress(f"fleet: ecsops drift of the folder of {stacks} stacks, one process, at {latency} per call")
        emulator.admin("DELETE", "requests")
        fleet = in_sync_process(["drift", str(folder), "--json", *unlimited(emulator)], workdir)
        fleet_calls = emulator.calls()[0]
        progress(f"fleet: ecsops drift of each of the {stacks} stacks, a process each, at {latency} per call")
        emulator.admin("DELETE", "requests")
        each = [in_sync_process(["drift", str(path), *unlimited(emulator)], workdir) for path in paths]
        each_calls = emulator.calls()[0]
    finally:
        emulator.stop()

    def row(label: str, count: int, seconds: float, calls: int, peak_mb: float, detail: str) -> dict[str, Any]:
        return {"fleet": label, "stacks": count, "resources": n, "latency_ms": FLEET_LATENCY_MS,
                "seconds": round(seconds, 2), "calls": calls,
                "calls_over_baseline_pct": round(100 * (calls - baseline_calls) / max(baseline_calls, 1), 1),
                "peak_mb": round(peak_mb), "detail": detail}

    rows = [row(f"ecsops drift STACK: one stack of {n:,} (baseline)", 1, baseline.seconds, baseline_calls,
                baseline.peak_mb, "in sync"),
            row(f"ecsops drift FOLDER: {stacks} stacks of {size}, one process", stacks, fleet.seconds, fleet_calls,
                fleet.peak_mb, fleet_summary(fleet.out)),
            row(f"ecsops drift STACK: {stacks} stacks of {size}, a process each, one after another", stacks,
                sum(item.seconds for item in each), each_calls, max(item.peak_mb for item in each),
                f"{stacks} in sync; peak MB: the largest process")]
    targets = FLEET_TARGETS
    met = (rows[1]["calls_over_baseline_pct"] <= targets["calls_over_pct"] and rows[1]["seconds"] <= targets["seconds"]
           and rows[1]["peak_mb"] <= targets["peak_mb"])
    rows[1]["detail"] += (f"; targets (calls ≤ +{targets['calls_over_pct']:g} %, ≤ {targets['seconds']:g} s, "
                          f"≤ {targets['peak_mb']} MB): {'met' if met else 'NOT met'}")
    return rows


def fleet_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| fleet drift | stacks | resources | latency | process s | API calls | vs one stack | peak MB | detail |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        lines.append(f"| {row['fleet']} | {row['stacks']} | {row['resources']:,} | {row['latency_ms']:g} ms | "
                     f"{row['seconds']:.2f} | {row['calls']:,} | {row['calls_over_baseline_pct']:+.1f} % | "
                     f"{row['peak_mb']} | {row['detail']} |")
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| N | latency | operation | operation s | process s | API calls | resources/call | peak MB |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        per_call = f"{row['n'] / row['calls']:.1f}" if row["calls"] else "-"
        lines.append(f"| {row['n']:,} | {row['latency_ms']:g} ms | {row['operation']} | {row['seconds']:.2f} | "
                     f"{row['process_seconds']:.2f} | "
                     f"{row['calls']:,} | {per_call} | {row['peak_mb']} |")
    return "\n".join(lines)


def target_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| target | operation s | process s | API calls | detail |", "|---|---:|---:|---:|---|"]
    for row in rows:
        # "0 failed": a measured apply that fails a resource stops the bench (see child)
        extra = (f"{row['resources_per_call']} resources/call" if "resources_per_call" in row else
                 f"N/R = {row['ideal_seconds']:g} s, {row['over_ideal_pct']:+.1f} %; {row['throttled']} calls "
                 "throttled, all retried; 0 failed")
        lines.append(f"| {row['target']} | {row['seconds']:.2f} | {row['process_seconds']:.2f} | {row['calls']:,} | "
                     f"{extra} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000", help="stack sizes (default: %(default)s)")
    parser.add_argument("--latencies", default="0,20", help="emulator latency per call, ms (default: %(default)s)")
    parser.add_argument("--rate", type=float, default=100, help="R, calls/s, for the apply target (default: %(default)s)")
    parser.add_argument("--skip-target", action="store_true", help="skip the point-10 target runs")
    parser.add_argument("--startup-runs", type=int,
                        help="runs of each start-up row (default: 20, or 0 with --fleet; 0 skips them)")
    parser.add_argument("--state-size", type=int,
                        help="creates in the state rows, local vs OSS (default: 1000, or 0 with --fleet; 0 skips "
                             "them)")
    parser.add_argument("--fleet", action="store_true",
                        help="the fleet rows: one stack of S x R resources against S stacks of R (see above)")
    parser.add_argument("--fleet-stacks", type=int, default=100, help="S, stacks in the fleet (default: %(default)s)")
    parser.add_argument("--fleet-size", type=int, default=50, help="R, resources per stack (default: %(default)s)")
    parser.add_argument("--state", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    parser.add_argument("--child", choices=["plan", "drift", "apply"], help=argparse.SUPPRESS)
    parser.add_argument("stack", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client-rate", type=float, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments)
        return
    sizes = [int(size) for size in arguments.sizes.split(",") if size]
    latencies = [float(latency) for latency in arguments.latencies.split(",")]
    # --fleet alone runs only the fleet rows: the start-up and state rows then run only when asked for
    startup_runs = arguments.startup_runs if arguments.startup_runs is not None else 0 if arguments.fleet else 20
    state_size = arguments.state_size if arguments.state_size is not None else 0 if arguments.fleet else 1000
    with tempfile.TemporaryDirectory(prefix="ecsops-bench-") as directory:
        startup = startup_rows(Path(directory), startup_runs) if startup_runs else []
        rows = scale_rows(Path(directory), sizes, latencies) if sizes else []
        targets = [] if arguments.skip_target else target_rows(Path(directory), arguments.rate)
        states = state_rows(Path(directory), state_size) if state_size else []
        fleet = fleet_rows(Path(directory), arguments.fleet_stacks, arguments.fleet_size) if arguments.fleet else []
    print(f"machine: {machine()}")
    if startup:
        print()
        print(startup_table(startup))
    if rows:
        print()
        print(table(rows))
    if targets:
        print()
        print(target_table(targets))
    if states:
        print()
        print(state_table(states))
    if fleet:
        print()
        print(fleet_table(fleet))
    if arguments.json:
        arguments.json.write_text(json.dumps({"machine": machine(), "startup": startup, "rows": rows,
                                              "targets": targets, "states": states, "fleet": fleet}, indent=1))


if __name__ == "__main__":
    main()
