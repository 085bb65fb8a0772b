"""Secrets from where they live: `{secret: {env: NAME}}` and `{secret: {file: PATH}}` become `{secret: VALUE}`
when the stack is loaded — anywhere a secret goes — and a variable or file that is not there is one error
naming it, never a byte of what it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.engine.widgets  # noqa: F401  (registers test:Widget)
from ecsops.engine import refs
from ecsops.engine.errors import EngineError
from ecsops.engine.stack import load_stack
from ecsops.engine.values import protect

CANARY = "canary-secret-3e8d1f-not-to-be-seen"


def stack_with(tmp_path: Path, secret: str, *, folder: str = ".") -> Path:
    directory = tmp_path / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "stack.yaml"
    path.write_text("name: demo\nregion: cn-hangzhou\nresources:\n  w:\n    type: test:Widget\n    properties:\n"
                    f"      label: plain\n      members: [{secret}]\n")
    return path


def member(path: Path) -> object:
    stack = load_stack(path)
    assert stack.problems == ()
    return stack.resources["w"].properties["members"][0]


def test_a_secret_from_an_environment_variable_is_read_when_the_stack_is_loaded(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_TEST_SECRET", CANARY)
    assert member(stack_with(tmp_path, "{secret: {env: ECSOPS_TEST_SECRET}}")) == {"secret": CANARY}


@pytest.mark.parametrize("content", [f"{CANARY}\n", f"{CANARY}\r\n", CANARY],
                         ids=["a trailing line break", "a Windows line break", "no line break"])
def test_a_secret_from_a_file_relative_to_the_stack_drops_one_trailing_line_break(tmp_path, monkeypatch,
                                                                                  content) -> None:
    path = stack_with(tmp_path, "{secret: {file: secrets/token.txt}}", folder="stacks")
    (path.parent / "secrets").mkdir()
    (path.parent / "secrets" / "token.txt").write_bytes(content.encode())
    monkeypatch.chdir(tmp_path)  # elsewhere than the stack: the path is the stack's
    assert member(Path("stacks/stack.yaml")) == {"secret": CANARY}


def test_a_secret_read_is_literal_text_its_dollar_braces_never_a_reference(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_TEST_SECRET", "p@ss${w.widgetId}")
    path = stack_with(tmp_path, "{secret: {env: ECSOPS_TEST_SECRET}}")
    stack = load_stack(path)
    assert stack.problems == () and stack.resources["w"].dependencies == ()
    assert refs.resolve(stack.resources["w"].properties, lambda ref: "REFERENCE")["members"] == [
        {"secret": "p@ss${w.widgetId}"}]


def test_what_is_read_is_kept_as_every_secret_is_a_digest_in_the_state(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_TEST_SECRET", CANARY)
    protected = protect(member(stack_with(tmp_path, "{secret: {env: ECSOPS_TEST_SECRET}}")), "salt")
    assert CANARY not in str(protected) and protected["secret"].startswith("scrypt:")


UNREADABLE = {
    "a variable not set": ("{secret: {env: ECSOPS_TEST_NEVER_SET}}", None,
                           "{secret: {env: ECSOPS_TEST_NEVER_SET}}: the environment variable ECSOPS_TEST_NEVER_SET "
                           "is not set"),
    "an empty variable": ("{secret: {env: ECSOPS_TEST_EMPTY}}", None,
                          "the environment variable ECSOPS_TEST_EMPTY is empty"),
    "a name no variable has": ("{secret: {env: 'not a name'}}", None, "'not a name' is not an environment variable"),
    "a missing file": ("{secret: {file: nowhere.txt}}", None,
                       "{secret: {file: nowhere.txt}}: cannot read {dir}/nowhere.txt: No such file or directory"),
    "a folder": ("{secret: {file: .}}", None, "cannot read {dir}: Is a directory"),
    "a file that is not text": ("{secret: {file: token.bin}}", b"\xff\xfe" + CANARY.encode(),
                                "{dir}/token.bin is not UTF-8 text"),
    "a file far too large": ("{secret: {file: token.bin}}", CANARY.encode() * 5000,
                             "{dir}/token.bin is larger than 64 KiB: is it the right file?"),
    "an empty file": ("{secret: {file: token.bin}}", b"\n", "{dir}/token.bin is empty"),
    "two places at once": ("{secret: {env: A, file: b}}", None,
                           "a secret is written {secret: TEXT}, {secret: {env: NAME}} or {secret: {file: PATH}}, not "
                           "{secret: {env, file: ...}}"),
    "a place it cannot be": ("{secret: {vault: x}}", None, "not {secret: {vault: ...}}"),
}


@pytest.mark.parametrize("secret, file_content, expected", UNREADABLE.values(), ids=UNREADABLE)
def test_a_secret_that_cannot_be_read_is_one_error_naming_where_it_was_looked_for_not_what_it_holds(
        tmp_path, monkeypatch, secret, file_content, expected) -> None:
    monkeypatch.setenv("ECSOPS_TEST_EMPTY", "")
    monkeypatch.delenv("ECSOPS_TEST_NEVER_SET", raising=False)
    path = stack_with(tmp_path, secret)
    if file_content is not None:
        (tmp_path / "token.bin").write_bytes(file_content)
    with pytest.raises(EngineError) as raised:
        load_stack(path).require_valid()
    [problem] = [diagnostic.report() for diagnostic in raised.value.diagnostics]
    assert problem.startswith(f"error: {path}:8:") and 'resource "w" (test:Widget), field "members[0]": ' in problem
    assert expected.replace("{dir}", str(tmp_path)) in problem and CANARY not in problem, problem
