"""Plan files: `ecsops plan STACK --out PLAN`, `ecsops apply PLAN`, `ecsops show PLAN`.

A plan file is JSON: what the plan was made from (the stack file's path and digest, the backend, the state's
location and version, fingerprints of the cloud values read — see engine.saved_plan) and the plan itself,
masked, as text and as the `plan --json` document. `apply PLAN` takes the stack, backend and state from it (the
command line may still name them) and applies exactly that plan or refuses; it never prompts: the review was the
approval, as with Terraform's saved plans. The file holds no secret in clear; it is written 0600 all the same.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ecsops
from ecsops.cli import render
from ecsops.cli.stack import EXIT_OK, Interaction, finish, reported_errors, workspace
from ecsops.engine.errors import EngineError
from ecsops.engine.plan import Plan
from ecsops.engine.saved_plan import Basis, file_digest
from ecsops.engine.stack_files import repository_root, source_name
from ecsops.engine.workspace import Workspace

FORMAT = "ecsops-plan/1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: The options a plan records as given (flag, else its environment variable) and `apply PLAN` reuses when
#: neither is given then: the stack file's own `backend:` and `state:` are covered by its digest.
OPTIONS = (("backend", "ECSOPS_BACKEND"), ("endpoint", "ECSOPS_ENDPOINT"), ("state", "ECSOPS_STATE"),
           ("env", "ECSOPS_ENV"))


@dataclass(frozen=True)
class PlanFile:
    path: Path
    document: dict[str, Any]

    @property
    def basis(self) -> Basis:
        return Basis.from_document(self.document["basis"])


def is_plan_file(path: Path) -> bool:
    """Whether `path` is a plan file (JSON naming our format) rather than a stack."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b'"format"' in head


def write_plan_file(path: Path, space: Workspace, arguments: argparse.Namespace, planned: Plan,
                    recorded: Basis) -> None:
    """Writes the plan file for `planned` (atomically, 0600). Raises EngineError if it cannot."""
    stack_path = Path(arguments.stack)
    text = io.StringIO()
    document = {
        "format": FORMAT,
        "ecsops": ecsops.__version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "stack": {"path": str(stack_path), "source": source_name(stack_path), "name": space.stack.name,
                  "environment": space.stack.environment, "digest": file_digest(stack_path.read_bytes())},
        "options": {option: getattr(arguments, option) or os.environ.get(variable) or None
                    for option, variable in OPTIONS},
        "backend": {"identity": space.cloud.backend.identity, **space.cloud.backend.document()},
        "state": {"location": space.store.describe(), "version": recorded.serial},
        "basis": recorded.to_document(),
        "plan": render.plan_document(planned, space.cloud.backend.document()),
        # uncoloured whatever FORCE_COLOR says: the file is read later, elsewhere, maybe as markdown
        "text": ANSI.sub("", render.plan_text(planned, space.cloud.backend.describe(), text)),
    }
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(temporary, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
            json.dump(document, handle, indent=1)  # "format" first: see is_plan_file
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise EngineError.single(f"cannot write the plan file {path}: {error.strerror}") from None


def read_plan_file(path: Path) -> PlanFile:
    """The plan file at `path`; EngineError when it is not one ecsops wrote (or of another format)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EngineError.single(f"cannot read the plan file {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EngineError.single(f"{path} is not a plan file: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise EngineError.single(f"{path} is not a plan file of this ecsops (format {found!r}, expected {FORMAT!r}): "
                                 "make the plan again with this version")
    missing = [".".join(key) for key in REQUIRED if not _has(document, key)]
    if missing:
        raise EngineError.single(f"{path} is not a whole plan file (it lacks {', '.join(missing)}): make the plan "
                                 "again")
    return PlanFile(Path(path), document)


#: What `apply PLAN` and `show PLAN` read; a file lacking any of it is refused as a whole.
REQUIRED = (("ecsops",), ("created",), ("stack", "path"), ("stack", "source"), ("stack", "name"), ("stack", "digest"),
            ("options",), ("backend", "identity"), ("state", "location"), ("state", "version"), ("basis", "serial"),
            ("basis", "shape"), ("basis", "fingerprints"), ("plan",), ("text",))


def _has(document: Any, key: tuple[str, ...]) -> bool:
    for part in key:
        if not isinstance(document, dict) or part not in document:
            return False
        document = document[part]
    return True


def stack_of(plan_file: PlanFile) -> Path:
    """The stack file the plan was made from: its path as given then (from this folder), else the same file in
    this clone (a merge job's checkout runs from anywhere in the repository)."""
    recorded = plan_file.document["stack"]
    given = Path(recorded["path"])
    if given.is_file():
        return given
    root = repository_root(Path.cwd() / "x")
    if root is not None and (root / recorded["source"]).is_file():
        return root / recorded["source"]
    raise EngineError.single(f"the plan {plan_file.path} was made from stack {given}, which is not here")


def run_apply_plan(arguments: argparse.Namespace) -> int:
    """`ecsops apply PLAN`: exactly the reviewed changes, or exit 1 naming what changed since."""
    with reported_errors():
        plan_file = read_plan_file(arguments.stack)
        recorded = plan_file.document
        arguments.stack = stack_of(plan_file)
        digest = file_digest(Path(arguments.stack).read_bytes())
        if digest != recorded["stack"]["digest"]:
            raise EngineError.single(f"the stack file {arguments.stack} changed since the plan {plan_file.path} was "
                                     "made: make a new plan and review it")
        for option, variable in OPTIONS:
            if getattr(arguments, option, None) is None and not os.environ.get(variable):
                setattr(arguments, option, recorded["options"].get(option))
        space = workspace(arguments)
        check_same_environment(plan_file, space.stack.environment)
        if space.cloud.backend.identity != recorded["backend"]["identity"]:
            raise EngineError.single(f"the plan {plan_file.path} was made against {recorded['backend']['identity']}, "
                                     f"this apply would go to {space.cloud.backend.identity}: refused")
        check_same_state(plan_file, space.store.describe())
        ui = Interaction(arguments, space, "apply")
        print(f"Applying the plan {plan_file.path} (made {recorded['created']}) to stack {space.stack.state_name} on "
              f"{space.cloud.backend.describe()}")
        with ui.progress:
            planned, outcome = space.apply_saved(plan_file.basis, on_event=ui.progress, on_plan=ui.progress.start)
    from ecsops.cli.output import after_apply

    return after_apply(space, finish(planned, outcome, "Apply", ui.progress))


def check_same_environment(plan_file: PlanFile, environment: str | None) -> None:
    """Refuses to apply a plan made for one environment (`--env`) to another: it would be another state."""
    recorded = plan_file.document["stack"].get("environment")
    if recorded != environment:
        def named(env: str | None) -> str:
            return f"environment {env!r}" if env else "no environment"

        raise EngineError.single(f"the plan {plan_file.path} was made for {named(recorded)}, this apply is for "
                                 f"{named(environment)} (--env or ECSOPS_ENV): refused")


def check_same_state(plan_file: PlanFile, location: str) -> None:
    """Refuses a state elsewhere than the plan's: a remote one must be the very same; a local one (a folder
    on the runner that planned, which no other runner has) may only be local again."""
    recorded = plan_file.document["state"]["location"]
    remote = "://" in recorded
    if (recorded != location) if remote else ("://" in location):
        raise EngineError.single(f"the plan {plan_file.path} was made with the state at {recorded}, this apply "
                                 f"would use {location}: refused (give the same --state or ECSOPS_STATE)")


def run_show(arguments: argparse.Namespace) -> int:
    """`ecsops show PLAN [--format text|json|markdown]`: the plan as it was reviewed."""
    with reported_errors(as_json=arguments.format == "json"):
        plan_file = read_plan_file(arguments.plan)
    document = plan_file.document
    if arguments.format == "json":
        render.write_json({key: document[key] for key in ("format", "ecsops", "created", "stack", "backend", "state",
                                                          "plan")}, sys.stdout)
        return EXIT_OK
    if arguments.format == "markdown":
        from ecsops.cli.markdown import saved_plan_markdown  # only this output needs it

        print(saved_plan_markdown(document, str(plan_file.path)))
        return EXIT_OK
    environment = document["stack"].get("environment")
    print(f"Plan {plan_file.path}, made {document['created']} by ecsops {document['ecsops']} from "
          f"{document['stack']['path']}{f' --env {environment}' if environment else ''} (state "
          f"{document['state']['location']}, version {document['state']['version']})")
    print(document["text"])
    return EXIT_OK


