"""A disk that fills up during an apply: no create is sent unless its intent is completely on disk, the apply
ends with one `error:` line and exit 1, nothing torn or temporary is left behind, and once space is back the
next apply ends with exactly the declared objects — none made twice.

The disk is filled by a file-size limit (RLIMIT_FSIZE) on the `ecsops` process, at several sizes, so the
write that fails is the first snapshot, an early journal line, or a later one."""

from __future__ import annotations

import resource
from collections import Counter

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, running, write_stack
from tests.support.inventory import inventory, mismatches, sdk_cloud

DECLARED = 12
STACK = "".join(
    f"  c{n}: {{type: ecsops:Command, properties: {{name: c{n}, type: RunShellScript, content: 'echo {n}'}}}}\n"
    for n in range(DECLARED))


def capped(size: int):
    """A preexec function: files this process writes may not grow past `size` bytes (EFBIG, short writes)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize("cap", [150, 1_500, 3_000, 5_000], ids=lambda cap: f"{cap}-bytes")
def test_a_full_disk_ends_the_apply_cleanly_and_the_next_apply_makes_nothing_twice(tmp_path, emulator, cap) -> None:
    stack = write_stack(tmp_path, STACK)
    with running("apply", "--yes", "--parallelism", "4", stack, "--endpoint", emulator.endpoint,
                 preexec_fn=capped(cap)) as process:
        out, err = process.communicate(timeout=120)
    assert process.returncode == 1, out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "File too large" in errors[0], err
    assert "Traceback" not in err
    leftovers = sorted(path.name for path in (tmp_path / ".ecsops").iterdir()
                       if not path.name.endswith((".state.json", ".journal", ".lock")))
    assert leftovers == [], "temporary files were left behind"
    cloud = sdk_cloud(emulator.endpoint)
    interrupted = StateStore(tmp_path, "demo").load()
    known = {entry.id for entry in interrupted.resources.values()}
    made = inventory(cloud)["ecsops:Command"]
    assert len(made) - len(known) <= len(interrupted.pending), "a create was sent whose intent is not on disk"

    again = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert again.code == 0, again.err
    state = StateStore(tmp_path, "demo").load()
    assert len(state.resources) == DECLARED and state.pending == {}
    assert mismatches(cloud, state, Counter({"ecsops:Command": DECLARED})) == {}
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0


def test_a_read_only_state_folder_ends_the_apply_before_anything_is_sent(tmp_path, emulator, admin) -> None:
    """`.ecsops/` on a read-only file system (a tmpfs mounted read-only in a mount namespace of the process:
    permission bits would not stop root): one error line, exit 1, not a single write to the cloud."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to mount a read-only file system")
    stack = write_stack(tmp_path, STACK)
    folder = tmp_path / ".ecsops"
    folder.mkdir()
    script = f'mount -t tmpfs -o ro,size=1m tmpfs "{folder}" || exit 97; exec "$0" "$@"'
    executable = str(Path(sys.executable).with_name("ecsops"))
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, executable, "apply", "--yes", str(stack),
                           "--endpoint", emulator.endpoint], capture_output=True, text=True, timeout=120)
    if done.returncode == 97:
        pytest.skip(f"cannot mount a read-only file system here: {done.stderr.strip()}")
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "Read-only file system" in errors[0]
    assert "Traceback" not in done.stderr
    assert admin.writes() == []
