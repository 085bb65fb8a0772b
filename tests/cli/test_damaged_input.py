"""Whatever is wrong with what ecsops reads — a stack in another encoding, a state or journal it did not write,
a bug of its own — the user gets one `error:` line naming the file, and exit 1: never a traceback (that only
with ECSOPS_LOG=debug)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, write_stack

STACK = "  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}\n"


def one_error(result, *fragments: str) -> str:
    """The one `error:` line of a refused command, holding every fragment; no traceback anywhere."""
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err + result.out
    [line] = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert all(fragment in line for fragment in fragments), line
    return line


@pytest.mark.parametrize(("content", "fragment"), [
    pytest.param("name: café\nregion: cn-hangzhou\nresources: {}\n".encode("latin-1"), "byte 9 is not UTF-8",
                 id="latin-1"),
    pytest.param("name: demo\nregion: cn-hangzhou\nresources: {}\n".encode("utf-16"), "byte 0 is not UTF-8",
                 id="utf-16"),
    pytest.param(bytes(range(256)), "is not UTF-8", id="binary"),
])
def test_a_stack_that_is_not_utf8_is_refused_naming_the_file(tmp_path, emulator, content: bytes, fragment) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_bytes(content)
    one_error(ecsops("plan", stack, "--endpoint", emulator.endpoint), str(stack), fragment)


STATES = [
    pytest.param(bytes(range(256)), "is not readable", id="binary"),
    pytest.param(b"[1, 2]", "a state is a JSON object, not a list", id="json-list"),
    pytest.param(b'"state"', "a state is a JSON object, not a str", id="json-string"),
    pytest.param(b'{"version": 1, "stack": "demo", "salt": "s", "resources": []}', "is not readable",
                 id="resources-list"),
    pytest.param(b'{"version": 1, "stack": "demo", "salt": "s", "resources": {"x": {"type": "ecsops:Gadget", "id": "g",'
                 b' "values": {}, "outputs": {}}}}', "resource 'x': unknown resource type 'ecsops:Gadget'",
                 id="unknown-kind"),
]


@pytest.mark.parametrize(("content", "fragment"), STATES)
@pytest.mark.parametrize("command", ["plan", "drift", "apply"])
def test_a_state_file_ecsops_did_not_write_is_refused_naming_it(tmp_path, emulator, admin, content, fragment,
                                                               command) -> None:
    stack = write_stack(tmp_path, STACK)
    state = StateStore(tmp_path, "demo")
    state.directory.mkdir()
    state.path.write_bytes(content)
    arguments = [command, stack, "--endpoint", emulator.endpoint] + (["--yes"] if command == "apply" else [])
    one_error(ecsops(*arguments), str(state.path), fragment)
    assert admin.writes() == []


@pytest.mark.parametrize("line", [
    pytest.param(b"[1]", id="not-an-object"),
    pytest.param(b'{"resources": {}}', id="no-serial"),
    pytest.param(b'{"serial": "2"}', id="serial-not-a-number"),
    pytest.param('{"serial": 2, "x": "é"}'.encode("latin-1"), id="not-utf8"),
])
def test_a_journal_line_ecsops_did_not_write_is_refused_naming_the_line(tmp_path, emulator, line: bytes) -> None:
    stack = write_stack(tmp_path, STACK)
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    store = StateStore(tmp_path, "demo")
    store.journal_path.write_bytes(b'{"serial": 999}\n' + line + b"\n")
    one_error(ecsops("plan", stack, "--endpoint", emulator.endpoint), str(store.journal_path),
              "line 2 is not readable")


def test_a_bug_is_one_line_asking_for_a_report_and_the_traceback_is_for_debugging(tmp_path, emulator,
                                                                                  monkeypatch) -> None:
    from ecsops.engine import workspace

    def broken(self):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(workspace.Workspace, "plan_to_save", broken)
    stack = write_stack(tmp_path, STACK)
    line = one_error(ecsops("plan", stack, "--endpoint", emulator.endpoint), "internal error", "please report it")
    assert "ZeroDivisionError: a bug" in line
    monkeypatch.setenv("ECSOPS_LOG", "debug")
    debugged = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert debugged.code == 1 and "Traceback" in debugged.err and "ZeroDivisionError" in debugged.err


def test_another_stacks_state_or_journal_is_refused_naming_both(tmp_path, emulator, admin) -> None:
    """Beta's state copied over alpha's, or beta's journal lines in alpha's journal, are never replayed: they
    would rename alpha's objects after beta's and orphan the rest."""
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    for directory, name in ((alpha, "alpha"), (beta, "beta")):
        directory.mkdir()
        write_stack(directory, STACK.replace("name: check", f"name: {name}-check"), name=name)
        assert ecsops("apply", "--yes", directory / "stack.yaml", "--endpoint", emulator.endpoint).code == 0
    alpha_store, beta_store = StateStore(alpha, "alpha"), StateStore(beta, "beta")
    original = alpha_store.path.read_bytes()
    alpha_store.path.write_bytes(beta_store.path.read_bytes())
    writes = len(admin.writes())
    one_error(ecsops("apply", "--yes", alpha / "stack.yaml", "--endpoint", emulator.endpoint), str(alpha_store.path),
              "belongs to stack 'beta', not to stack 'alpha'")
    alpha_store.path.write_bytes(original)
    beta_state = beta_store.load()
    beta_state.touched.add(("resources", "check"))  # beta's resource `check`, as beta's apply journals it
    alpha_store.journal_path.write_text(json.dumps({**beta_state.journal_record(), "serial": 999}) + "\n")
    one_error(ecsops("plan", alpha / "stack.yaml", "--endpoint", emulator.endpoint),
              f"{alpha_store.journal_path} line 1", "belongs to stack 'beta', not to stack 'alpha'")
    assert len(admin.writes()) == writes


def test_every_file_ecsops_writes_is_its_owners_alone(tmp_path) -> None:
    """State, journal, lock and the embedded emulator's world hold ids, digests, key pairs: mode 0600."""
    stack = write_stack(tmp_path, STACK)
    assert ecsops("apply", "--yes", stack).code == 0  # the embedded emulator, beside the stack
    files = sorted(path for path in (tmp_path / ".ecsops").iterdir() if path.is_file())
    assert {path.name for path in files} >= {"demo.state.json", "demo.lock", "emulator.db"}
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in files} == {path.name: "0o600" for path in files}


def test_a_secret_is_never_shown_through_a_reference(tmp_path, emulator, admin) -> None:
    """The issue's case: another resource's description interpolating a task's secret parameters. plan, plan
    --json and apply refuse it, naming the field, without showing the secret, and write nothing."""
    stack = tmp_path / "stack.yaml"
    source = Path(__file__).resolve().parent.parent / "bad_input" / "structure--reference--to-a-secret.yaml"
    stack.write_text(source.read_text())
    for argv in (["plan"], ["plan", "--json"], ["apply", "--yes"], ["drift"]):
        result = ecsops(*argv, stack, "--endpoint", emulator.endpoint)
        assert "TOPSECRET" not in result.out + result.err
        one_error(result, 'resource "other"', 'field "description"', "${inv.parameters} holds a secret")
    assert admin.writes() == []


def test_digests_of_the_old_scheme_show_no_change_and_apply_rewrites_them(tmp_path, emulator) -> None:
    """States written before scrypt hold HMAC digests: plan still finds the secret unchanged (no replace, no
    update), and the next apply rewrites the digests as scrypt."""
    from ecsops.engine.values import DIGEST_PREFIX, LEGACY_DIGEST_PREFIX, canonical, legacy_digest

    url = "https://hooks.example.com/ecs?token=OLD-SCHEME"
    stack = write_stack(tmp_path, f"""\
  rule:
    type: ecsops:EventAlertRule
    properties:
      name: legacy
      eventPattern: {{eventTypes: [Maintenance]}}
      targets: {{webhooks: [{{id: chat, url: {{secret: "{url}"}}}}]}}
""")
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    store = StateStore(tmp_path, "demo")
    state = store.load()
    [webhook] = state.resources["rule"].values["targets"]["webhooks"]
    assert webhook["url"]["secret"].startswith(DIGEST_PREFIX)
    webhook["url"] = {"secret": legacy_digest(canonical(url), state.salt)}  # as an older ecsops wrote it
    store.save(state)

    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
    applied = ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint)
    assert applied.code == 0 and "No changes" in applied.out
    text = store.path.read_text()
    assert LEGACY_DIGEST_PREFIX not in text and DIGEST_PREFIX in text and "OLD-SCHEME" not in text
