"""Fixtures of the command-line tests."""

from __future__ import annotations

import pytest

from tests.support.cli import ecsops


@pytest.fixture
def cli(emulator):
    """`ecsops ARGV` in-process against the session's emulator."""
    def run(*argv):
        return ecsops(*argv, "--endpoint", emulator.endpoint)
    return run
