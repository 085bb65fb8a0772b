"""`ecsops output STACK [NAME] [--json] [--show-secrets]`, and the outputs shown at the end of an apply.

Outputs are computed from the stack's state (engine.outputs): no backend is started for a local state and no
API is called (a state on OSS is read through the object store alone). Text is one `name = value` line each
(text as it is, other values as JSON); NAME prints that value alone, for scripts; `--json` an object (or the
one value). A value that refers to a resource the state does not hold yet is `(known after apply)` (`null` in
JSON); asked for by NAME, it is an error.

Secrets print as `(secret)`. `--show-secrets` shows those ecsops can read in clear: secret config values, read
again from where they live (an environment variable, a file, the environment file) when the stack is loaded.
A secret the state holds — a field written `{secret: ...}`, or a text built from one — is kept there only as
a salted digest, so it is `(secret)` always: there is nothing in clear to show.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import ecsops.resources  # noqa: F401  (registers every kind: the attributes outputs may refer to)
from ecsops.cli.stack import EXIT_OK, environment, reported_errors
from ecsops.cli.state_commands import store_of
from ecsops.engine import refs
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.outputs import evaluate
from ecsops.engine.source import located
from ecsops.engine.stack import Stack, load_stack
from ecsops.engine.state import StackState
from ecsops.engine.values import SECRET_KEY, contains_secret, is_digest, is_secret, is_unknown, reveal
from ecsops.engine.workspace import Workspace

SECRET = "(secret)"                        # as cli.render.SECRET
KNOWN_AFTER_APPLY = "(known after apply)"  # as cli.render.KNOWN_AFTER_APPLY


def run_output(arguments: argparse.Namespace) -> int:
    with reported_errors(as_json=arguments.json):
        stack = load_stack(arguments.stack, environment(arguments))
        _refuse_problems(stack)
        state = store_of(arguments, stack).load()
        values = evaluate(stack.outputs, state)
        if arguments.name is not None:
            value = _one(stack, state, values, arguments.name)
    if arguments.name is not None:
        return _print_one(arguments, value)
    shown = {name: _shown(value, arguments.show_secrets) for name, value in values.items()}
    if arguments.json:
        json.dump({name: None if value == KNOWN_AFTER_APPLY else value for name, value in shown.items()}, sys.stdout,
                  indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not shown:
        print(f"Stack {stack.state_name} declares no outputs.")
    else:
        print("\n".join(lines(shown)))
    _note_sealed(arguments, values.values())
    return EXIT_OK


def after_apply(space: Workspace, code: int) -> int:
    """After an apply that ended with `code`: when it converged and the stack declares outputs, prints them
    (masked) from the state just written. Returns `code`."""
    if code != EXIT_OK or not space.stack.outputs:
        return code
    with reported_errors():
        values = evaluate(space.stack.outputs, space.store.load())
    print("\nOutputs:")
    print("\n".join(f"  {line}" for line in lines({name: _shown(value, False) for name, value in values.items()})))
    return code


def lines(shown: dict[str, Any]) -> list[str]:
    """`name = value` for each output: text as it is (quoted as JSON when it spans lines), others as JSON."""
    return [f"{name} = {_text(value)}" for name, value in shown.items()]


def _text(value: Any) -> str:
    if isinstance(value, str) and "\n" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _refuse_problems(stack: Stack) -> None:
    """Raises EngineError for the stack's problems that make its outputs unknowable: its name (which names its
    state), its outputs, and — when an output takes a config value that has none — its config. Problems of
    resources do not stop `output` (a secret of a task parameter need not be at hand to read the outputs)."""
    taken = any(_has_unknown(value) for value in stack.outputs.values())
    relevant = [problem for problem in stack.problems if problem.resource is None and _relevant(problem, taken)]
    if relevant:
        raise EngineError(located(stack, relevant))


def _relevant(problem: Diagnostic, config_taken: bool) -> bool:
    field = problem.field or ""
    return field == "name" or field.startswith("outputs") or (config_taken and field.startswith("config"))


def _has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    return is_unknown(value)


def _one(stack: Stack, state: StackState, values: dict[str, Any], name: str) -> Any:
    """The value of output `name`; EngineError when the stack declares none so named, or its value is not
    known yet (naming the resources the state lacks)."""
    if name not in values:
        declared = ", ".join(values) or "none"
        raise EngineError.single(f"the stack declares no output {name!r} (outputs: {declared})")
    value = values[name]
    if _has_unknown(value) and not _sealed(value):
        missing = sorted({ref.resource for ref in refs.references(stack.outputs[name])} - set(state.resources))
        raise EngineError.single(f"output {name!r} is not known yet: the state of stack {stack.state_name} holds no "
                                 f"{', '.join(repr(m) for m in missing) or 'value for it'} (apply the stack first)")
    return value


def _print_one(arguments: argparse.Namespace, value: Any) -> int:
    shown = _shown(value, arguments.show_secrets)
    if arguments.json:
        json.dump(shown, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False))
    _note_sealed(arguments, [value])
    return EXIT_OK


def _shown(value: Any, show_secrets: bool) -> Any:
    """`value` as it may be printed: secrets masked (unless `show_secrets` and held in clear), digests never
    shown, unknown parts named."""
    if is_secret(value):
        inner = value[SECRET_KEY]
        return reveal(inner) if show_secrets and not _sealed(value) else SECRET
    if isinstance(value, dict):
        return {key: _shown(item, show_secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item, show_secrets) for item in value]
    if is_digest(value):
        return SECRET
    if is_unknown(value):
        return KNOWN_AFTER_APPLY
    return value


def _sealed(value: Any) -> bool:
    """Whether `value` holds a secret that cannot be shown: kept only as a digest (or not known)."""
    if is_secret(value):
        inner = value[SECRET_KEY]
        return is_digest(inner) or _has_unknown(inner) or (contains_secret(inner) and _sealed(inner))
    if isinstance(value, dict):
        return any(_sealed(item) for item in value.values())
    if isinstance(value, list):
        return any(_sealed(item) for item in value)
    return is_digest(value)


def _note_sealed(arguments: argparse.Namespace, values: Any) -> None:
    if arguments.show_secrets and any(_sealed(value) for value in values):
        print("note: a secret the state keeps only as a digest cannot be shown: it stays (secret)", file=sys.stderr)
