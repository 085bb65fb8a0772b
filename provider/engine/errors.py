"""Diagnostics: errors and warnings that point at a resource and a field, collected rather than raised one
at a time, so one plan reports every problem of a stack at once (terraform-plugin-framework style).

A diagnostic about the stack file also says where in it the problem is written — `file`, `line`, `column`,
filled in by `engine.source.located` — and the command line reports it as
`error: stack.yaml:12:7: resource "x" (type), field "y": ...` (`warning: ...` for a warning): the severity
first, as Terraform and rustc put it, then the place in the form compilers and editors read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal


@dataclass(frozen=True)
class Diagnostic:
    message: str
    resource: str | None = None
    field: str | None = None
    type: str | None = None
    severity: Literal["error", "warning"] = "error"
    file: str | None = None     # the stack file (as given), when the problem is written in it
    line: int | None = None     # 1-based, as editors count
    column: int | None = None   # 1-based
    #: Where in the document a problem that names no resource field is written, as the keys from its root (an
    #: unknown top-level key: `("runtime",)`); `engine.source.located` turns it into a line and column.
    where: tuple[str | int, ...] | None = None

    @property
    def location(self) -> str | None:
        """`file:line:column` (or less, as far as it is known); None when the problem is not in a file."""
        if self.file is None:
            return None
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)

    def report(self) -> str:
        """The line the command line prints: `error: stack.yaml:12:7: resource "x", field "y": message`."""
        return f"{self.severity}: {self.location}: {self}" if self.location else f"{self.severity}: {self}"

    def __str__(self) -> str:
        parts = []
        if self.resource is not None:
            parts.append(f'resource "{self.resource}"' + (f" ({self.type})" if self.type else ""))
        if self.field is not None:
            parts.append(f'field "{self.field}"')
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, str | int | None]:
        return {"severity": self.severity, "resource": self.resource, "type": self.type, "field": self.field,
                "message": self.message, "file": self.file, "line": self.line, "column": self.column}


class EngineError(Exception):
    """One or more errors found before (or while) touching the cloud; str() lists them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(f"{d.location}: {d}" if d.location else str(d) for d in self.diagnostics))

    @classmethod
    def single(cls, message: str, *, resource: str | None = None, field: str | None = None,
               type: str | None = None) -> "EngineError":
        return cls([Diagnostic(message, resource=resource, field=field, type=type)])


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]
