"""Running the `ecsops` command line in-process (or as a real process where it must die or be timed)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ecsops.cli.main import main


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def ecsops(*argv: str | Path) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


def ecsops_process(*argv: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
                   **options: Any) -> subprocess.Popen[str]:
    """`ecsops` as a real process. Start it with `running` unless the caller reaps it on every path."""
    executable = Path(sys.executable).with_name("ecsops")
    return subprocess.Popen([str(executable), *map(str, argv)], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


@contextmanager
def running(*argv: str | Path, **options: Any) -> Iterator[subprocess.Popen[str]]:
    """`ecsops` as a real process for as long as the block runs. However the block ends — an assertion
    failing included — the process is killed if it still runs, reaped, and its pipes are closed: no test
    leaves a process or an open pipe behind for a later test to trip over."""
    process = ecsops_process(*argv, **options)
    try:
        yield process
    finally:
        reap(process)


def reap(process: subprocess.Popen[str]) -> None:
    """Kills `process` if it still runs, waits for it and closes its pipes."""
    if process.poll() is None:
        process.kill()
    process.communicate()


#: The place an error or warning about the stack gives after its severity: `error: stack.yaml:12:7: ...`.
PLACE = re.compile(r"^(error|warning): [^\s\"']+:\d+:\d+: ", re.MULTILINE)


def unplaced(text: str) -> str:
    """`text` with the places taken out of its `error:` and `warning:` lines (`error: resource "x" ...`), for
    tests about what a message says rather than where it points."""
    return PLACE.sub(r"\1: ", text)


def wait_until(condition, what: str, timeout_s: float = 60) -> None:
    """Polls `condition` (a bound on a hang, not a measure of speed: it returns as soon as it holds)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def write_stack(directory: Path, resources: str, *, name: str = "demo", region: str = "cn-hangzhou") -> Path:
    path = directory / "stack.yaml"
    path.write_text(f"name: {name}\nregion: {region}\nresources:\n{resources}")
    return path
