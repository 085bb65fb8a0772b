"""The bad-input corpus (tests/bad_input/): every file is a stack with exactly one problem, and `plan` must
refuse it — exit 1, an `error: FILE:LINE:COLUMN: ...` line placing the problem in the file and naming the
expected resource and field with the expected message, and no write reaching the cloud. The expectation is
the file's first line (format: tests/bad_input/README.md)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import ecsops

CORPUS = Path(__file__).resolve().parent / "bad_input"
KINDS = ("command", "scheduledinvocation", "eventalertrule", "maintenanceattributes", "deliverysettings",
         "licensetask")
TOPICS = (*KINDS, "structure", "config", "outputs")
#: Environment files of the corpus's stacks: `environments/<stack's stem>.<env>.yaml`, copied beside the stack;
#: a stack whose second line is `# env: ENV` is planned with `--env ENV`.
ENVIRONMENTS = CORPUS / "environments"
ENV_LINE = re.compile(r"^# env: (?P<env>[A-Za-z0-9_-]+)$")
EXPECT = re.compile(
    r'^# expect: (?:syntax: (?P<syntax>.+)'
    r'|resource (?:"(?P<resource>[^"]+)"|(?P<no_resource>-)) field (?:"(?P<field>[^"]+)"|(?P<no_field>-)): '
    r"(?P<fragment>.+))$"
)
#: An error about the stack: `error: `, where it is written, then what is wrong.
REPORTED = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<text>.*)$")


@dataclass(frozen=True)
class Expectation:
    resource: str | None   # None: the message names no resource
    field: str | None      # None: the message names no field
    fragment: str
    syntax: bool = False

    def matches(self, line: str, stack: Path) -> bool:
        """Whether `line` reports this problem of `stack`, placed at a line and column the file has."""
        reported = REPORTED.match(line)
        written = {str(stack), *map(str, stack.parent.glob(f"{stack.stem}.*.yaml"))}  # or its environment's
        if reported is None or reported["file"] not in written or self.fragment not in reported["text"]:
            return False
        lines = Path(reported["file"]).read_text().count("\n") + 1
        if not (1 <= int(reported["line"]) <= lines and int(reported["column"]) >= 1):
            return False
        text = reported["text"]
        if self.syntax:
            return 'resource "' not in text
        named_resource = f'resource "{self.resource}"' in text if self.resource else 'resource "' not in text
        named_field = f'field "{self.field}"' in text if self.field else 'field "' not in text
        return named_resource and named_field


def expectation(path: Path) -> Expectation:
    first = next(iter(path.read_text().splitlines()), "")
    match = EXPECT.match(first)
    if match is None:
        raise AssertionError(f"{path.name}: the first line is not an expectation: {first!r}")
    if match["syntax"]:
        return Expectation(None, None, match["syntax"].strip(), syntax=True)
    return Expectation(match["resource"], match["field"], match["fragment"].strip())


FILES = sorted(CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_plan_refuses_the_bad_input_naming_it_and_writes_nothing(path, tmp_path, emulator, admin) -> None:
    expected = expectation(path)
    stack = tmp_path / path.name   # a copy: plan keeps its state beside the stack
    shutil.copyfile(path, stack)
    for environment in ENVIRONMENTS.glob(f"{path.stem}.*.yaml"):
        shutil.copyfile(environment, tmp_path / environment.name)
    chosen = ENV_LINE.match((path.read_text().splitlines() + ["", ""])[1])
    refused = ecsops("plan", stack, "--endpoint", emulator.endpoint, *(["--env", chosen["env"]] if chosen else []))
    errors = [line for line in refused.err.splitlines() if line.startswith("error: ")]
    assert refused.code == 1, (refused.out, refused.err)
    assert any(expected.matches(line, stack) for line in errors), (expected, errors)
    assert admin.writes() == []


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    topics = Counter(path.name.split("--", 1)[0] for path in FILES)
    assert len(FILES) >= 150, len(FILES)
    assert set(topics) <= set(TOPICS), sorted(set(topics) - set(TOPICS))
    assert all(topics[kind] >= 15 for kind in KINDS), topics
    assert topics["structure"] >= 15, topics


def test_every_file_is_named_by_topic_and_holds_an_expectation() -> None:
    for path in FILES:
        assert re.fullmatch(r"[a-z]+--[A-Za-z0-9.+-]+--[A-Za-z0-9-]+\.yaml", path.name), path.name
        expectation(path)
