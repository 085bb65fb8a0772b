"""Diagnostics: errors and warnings that point at a resource and a field, collected rather than raised one
at a time, so one plan reports every problem of a stack at once (terraform-plugin-framework style).
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

    def __str__(self) -> str:
        where = []
        if self.resource is not None:
            where.append(f'resource "{self.resource}"' + (f" ({self.type})" if self.type else ""))
        if self.field is not None:
            where.append(f'field "{self.field}"')
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, str | None]:
        return {"severity": self.severity, "resource": self.resource, "type": self.type, "field": self.field,
                "message": self.message}


class EngineError(Exception):
    """One or more errors found before (or while) touching the cloud; str() lists them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def single(cls, message: str, *, resource: str | None = None, field: str | None = None,
               type: str | None = None) -> "EngineError":
        return cls([Diagnostic(message, resource=resource, field=field, type=type)])


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]
