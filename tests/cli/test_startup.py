"""Start-up: each command imports what it uses. The stack commands never load Pulumi or gRPC (only Pulumi
programs need them); with an endpoint they never load a product SDK's 1,700 model modules; `--version` and
`--help` load no SDK at all. Checked in a fresh interpreter per command (this one has everything loaded)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.cli import write_stack

PROBE = """
import json, sys
from ecsops.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""
PULUMI = {"pulumi", "grpc"}
SDK = {"alibabacloud_tea_openapi", "alibabacloud_credentials", "alibabacloud_ecs20140526", "alibabacloud_cms20190101",
       "Tea", "darabonba"}
PRODUCT_SDKS = {"alibabacloud_ecs20140526", "alibabacloud_cms20190101"}
STACK = """\
  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}
  rule:
    type: ecsops:EventAlertRule
    properties: {name: startup, eventPattern: {eventTypes: [Maintenance]}, targets: {contacts: [{group: ops-oncall}]}}
"""


def top_level_modules(*argv: str) -> set[str]:
    """The top-level packages a fresh `ecsops ARGV` process has imported when it is done."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [
    pytest.param(["--version"], id="version"),
    pytest.param(["--help"], id="help"),
    pytest.param(["plan", "--help"], id="plan-help"),
])
def test_version_and_help_load_neither_pulumi_nor_an_sdk(argv) -> None:
    assert top_level_modules(*argv) & (PULUMI | SDK) == set()


def test_stack_commands_load_neither_pulumi_nor_product_sdk_models(tmp_path, emulator) -> None:
    """A stack's whole life, each command in a process of its own, each making API calls."""
    stack = write_stack(tmp_path, STACK)
    for command in (["apply", "--yes"], ["plan"], ["drift"], ["import", "spare", "c-none"], ["destroy", "--yes"]):
        verb, *rest = command
        if verb == "import":  # a declared resource the stack does not manage yet
            stack = write_stack(tmp_path, STACK + "  spare: {type: ecsops:Command, properties: {name: spare, "
                                                  "type: RunShellScript, content: uptime}}\n")
        loaded = top_level_modules(verb, str(stack), *rest, "--endpoint", emulator.endpoint)
        assert "alibabacloud_tea_openapi" in loaded, f"{verb} made no API call: the test proves nothing"
        assert loaded & (PULUMI | PRODUCT_SDKS) == set(), verb


def test_a_pulumi_program_still_imports_its_classes_from_one_place() -> None:
    probe = ("import sys; from ecsops.resources import Command, EventAlertRule; import ecsops.resources as r; "
             "print(Command.__module__, EventAlertRule.__module__, 'pulumi' in sys.modules, sorted(r.__all__))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split(" ", 3) == [
        "ecsops.resources.command.resource", "ecsops.resources.event_alert_rule.resource", "True",
        "['Command', 'DeliverySettings', 'EventAlertRule', 'LicenseTask', 'MaintenanceAttributes', "
        "'ScheduledInvocation']\n"]
