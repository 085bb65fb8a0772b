"""What a run does on an instance, simulated deterministically (pure: no database, no clock).

`render` fills a command's placeholders as the agent would; `simulate` "runs" the rendered script
line by line, understanding just enough shell to make tests expressive:

- `echo TEXT` appends `TEXT` and a newline to the output (one level of matching quotes is removed);
- `sleep N` lets N seconds pass;
- `exit N` (or `exit /b N`) ends the script with exit code N; without it the exit code is 0.

Every other line does nothing and takes no time. The same script always gives the same result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ecsops.emulator.ecs.commands import BUILT_IN_PARAMETERS

OUTPUT_LIMIT = 24 * 1024
MIN_DURATION = 1.0
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Execution:
    """The outcome of a simulated script: output (at most 24 KB), bytes dropped, exit code, seconds taken.

    A script that outlives its timeout is cut off: `timed_out`, exit code -1, `duration` equal to the
    timeout, and only the output written before the cut.
    """

    output: str
    dropped: int
    exit_code: int
    duration: float
    timed_out: bool


def render(content: str, values: Mapping[str, str], built_ins: Mapping[str, str]) -> str:
    """`content` with `{{name}}` replaced: custom parameters by `values` (keys lower-case, names matched
    case-insensitively, spaces inside the braces ignored), `{{ACS::...}}` by `built_ins`.

    Parameter Store references (`{{oos:...}}`, `{{oos-secret:...}}`) and unknown names stay as written:
    the agent resolves the former on the instance.
    """

    def replace(match: re.Match[str]) -> str:
        name = "".join(match.group(1).split())
        if name in BUILT_IN_PARAMETERS:
            return built_ins.get(name, match.group(0))
        return values.get(name.lower(), match.group(0))

    return _PLACEHOLDER.sub(replace, content)


def simulate(script: str, timeout: int) -> Execution:
    """Runs `script` as described in the module docstring, cutting it off after `timeout` seconds."""
    output: list[str] = []
    elapsed = 0.0
    exit_code = 0
    for line in script.splitlines():
        word, _, rest = line.strip().partition(" ")
        word = word.lower()
        if word == "echo":
            output.append(_unquoted(rest.strip()) + "\n")
        elif word == "sleep":
            elapsed += _number(rest)
            if elapsed > timeout:
                return _finished(output, -1, float(timeout), timed_out=True)
        elif word == "exit":
            exit_code = _exit_code(rest)
            break
    return _finished(output, exit_code, max(elapsed, MIN_DURATION), timed_out=False)


def _finished(output: list[str], exit_code: int, duration: float, *, timed_out: bool) -> Execution:
    text, dropped = truncate("".join(output))
    return Execution(text, dropped, exit_code, duration, timed_out)


def truncate(text: str, limit: int = OUTPUT_LIMIT) -> tuple[str, int]:
    """The first `limit` bytes of `text` (UTF-8, never splitting a character) and how many were dropped."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text, 0
    kept = encoded[:limit].decode(errors="ignore")
    return kept, len(encoded) - len(kept.encode())


def _unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _number(text: str) -> float:
    try:
        return max(0.0, float(text.strip()))
    except ValueError:
        return 0.0


def _exit_code(text: str) -> int:
    words = [word for word in text.split() if word.lower() != "/b"]
    try:
        return int(words[0]) if words else 0
    except ValueError:
        return 0
