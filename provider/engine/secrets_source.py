"""Secrets read from where they live: `{secret: {env: NAME}}` and `{secret: {file: PATH}}`.

Anywhere a secret goes — a task parameter, a webhook URL, a secret config value (its default in the stack, or
its value in an environment file) — it may be read from an environment variable or a file instead of being
written in the stack, so that no secret is committed. It is read when the stack is loaded and becomes
`{secret: VALUE}`, the form the engine already keeps out of plans, logs and the state (engine.values: the
state holds a salted scrypt digest, plans show `(secret)`).

- `env`: the variable must be set and not empty.
- `file`: the path is relative to the folder of the file that names it (the stack and its environment files
  sit side by side); the file must be UTF-8 text of at most MAX_FILE_BYTES; one trailing line break is dropped
  (editors and `echo` end files with one).

A variable that is not set, or a file that cannot be read, is an error naming the variable or the file,
never a byte of its content. The value read is literal text: a `${` in it is escaped, so it is never taken
for a reference (see engine.refs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ecsops.engine.values import SECRET_KEY

SOURCES = ("env", "file")
MAX_FILE_BYTES = 64 * 1024
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
FORMS = "{secret: TEXT}, {secret: {env: NAME}} or {secret: {file: PATH}}"


class SourceError(ValueError):
    """A secret that cannot be read; the message names where it was looked for, never its content."""


def is_source(inner: Any) -> bool:
    """Whether the inside of a `{secret: ...}` says where to read the secret (a mapping) rather than being it."""
    return isinstance(inner, dict)


def read(inner: dict[Any, Any], base: Path) -> str:
    """The secret `inner` (`{env: NAME}` or `{file: PATH}`) points at, escaped for the stack (see `literal`);
    PATH is taken from `base`. Raises SourceError."""
    keys = sorted(map(str, inner))
    if len(inner) != 1 or keys[0] not in SOURCES:
        raise SourceError(f"a secret is written {FORMS}, not {{secret: {{{', '.join(keys)}: ...}}}}")
    source, where = next(iter(inner.items()))
    if not isinstance(where, str) or not where.strip():
        what = "an environment variable's name" if source == "env" else "a file's path"
        raise SourceError(f"{{secret: {{{source}: ...}}}} takes {what}, not {where!r}")
    text = _variable(where) if source == "env" else _file(where, base)
    return literal(text)


def literal(text: str) -> str:
    """`text` as a literal in a stack: `${` escaped as `$${`, which reference resolution turns back into `${`."""
    return text.replace("${", "$${")


def _variable(name: str) -> str:
    if not VARIABLE.match(name):
        raise SourceError(f"{{secret: {{env: {name}}}}}: {name!r} is not an environment variable's name "
                          "(letters, digits and '_', not starting with a digit)")
    value = os.environ.get(name)
    if value is None:
        raise SourceError(f"{{secret: {{env: {name}}}}}: the environment variable {name} is not set")
    if value == "":
        raise SourceError(f"{{secret: {{env: {name}}}}}: the environment variable {name} is empty")
    return value


def _file(path_text: str, base: Path) -> str:
    path = base / path_text
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SourceError(f"{{secret: {{file: {path_text}}}}}: cannot read {path}: {error.strerror}") from None
    except ValueError:  # a NUL in the path
        raise SourceError(f"{{secret: {{file: {path_text!r}}}}}: not a file name (it holds a NUL character)") from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{{secret: {{file: {path_text}}}}}: {path} is larger than {MAX_FILE_BYTES // 1024} KiB: "
                          "is it the right file?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"{{secret: {{file: {path_text}}}}}: {path} is not UTF-8 text") from None
    text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if text == "":
        raise SourceError(f"{{secret: {{file: {path_text}}}}}: {path} is empty")
    return text


def secret(inner: dict[Any, Any], base: Path) -> dict[str, str]:
    """`{secret: VALUE}` read from `inner`'s source. Raises SourceError."""
    return {SECRET_KEY: read(inner, base)}
