"""Types: mypy over the package as it is installed — strict for the engine, the schedules and the cloud
client, standard elsewhere (pyproject.toml, [tool.mypy]) — finds no error.

provider/ and resources/ become one package `ecsops` only when installed, and mypy does not follow the
installer's import hook, so the test lays the package out as symbolic links to the sources (mypy reads
the files themselves, and its cache in .mypy_cache/ stays valid from run to run) and maps the paths in
its messages back to the sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CACHE = ROOT / ".mypy_cache"


def linked_layout() -> Path:
    """A folder holding `ecsops/`: provider/'s entries and resources/, linked."""
    root = CACHE / "layout"
    shutil.rmtree(root, ignore_errors=True)
    package = root / "ecsops"
    package.mkdir(parents=True)
    for entry in (ROOT / "provider").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    (package / "resources").symlink_to(ROOT / "resources")
    return root


def source_paths(report: str) -> str:
    """mypy's messages with `ecsops/...` paths turned back into provider/... and resources/..."""
    report = re.sub(r"^ecsops/resources/", "resources/", report, flags=re.MULTILINE)
    return re.sub(r"^ecsops/", "provider/", report, flags=re.MULTILINE)


def test_mypy_finds_no_error() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(CACHE),
         "-p", "ecsops"], cwd=linked_layout(), capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, source_paths(checked.stdout + checked.stderr)
    assert checked.stdout.startswith("Success: no issues found")
