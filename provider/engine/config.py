"""A stack's configuration: typed values declared in `config:`, set per environment, used as `${config.NAME}`.

    config:
      instanceIds: {type: list, default: [i-demo-linux-1], description: where the check runs}
      timeout: {type: integer, default: 120}
      token: {type: string, secret: true, description: the monitoring endpoint's token}

Types: string, integer, number, boolean, list, map. `${config.NAME}` stands for the value anywhere a value
goes — resource properties, outputs: as the value itself when it is the whole string (a list stays a list),
as its text inside a longer one. `config` is therefore a reserved prefix: no resource may be named `config`.

Environments: `--env prod` (or ECSOPS_ENV) reads `<stem>.prod.yaml` beside the stack (`stack.yaml` ->
`stack.prod.yaml`, as Pulumi reads `Pulumi.<stack>.yaml`): a mapping `config: {NAME: VALUE}`, whose values win
over the declared defaults. Each environment has its own state, named `<name>.<env>` (engine.stack).

Secrets: a value declared `secret: true` becomes `{secret: VALUE}` (engine.values: never shown, stored as a
digest). It may be given as text, as `{secret: TEXT}`, or read from where it lives, `{secret: {env: NAME}}` or
`{secret: {file: PATH}}` (engine.secrets_source). Inside a longer text it would be copied in plain text, so it
may only be used as a whole value (or inside a text itself written `{secret: ...}`).

Every problem — a value not declared, of the wrong type, missing with no default, a bad declaration — is a
diagnostic naming the value (`field "config.NAME"`, or the resource and field that uses it), reported with the
stack's other problems and placed where it is written: in an environment file here, in the stack by
engine.source (`error: stack.prod.yaml:3:3: field "config.timeout": ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ecsops.engine import refs, secrets_source
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.source import SourceMap
from ecsops.engine.suggest import closest
from ecsops.engine.values import SECRET_KEY, UNKNOWN, is_secret

RESERVED = "config"
CONFIG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}\Z")   # what a reference's attribute may be
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")  # no '.': `<name>.<env>` stays readable
DECLARATION = ("type", "default", "description", "secret")
ENVIRONMENT_KEYS = ("config", "description")
TYPES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "string": ("text", lambda value: isinstance(value, str)),
    "integer": ("an integer", lambda value: isinstance(value, int) and not isinstance(value, bool)),
    "number": ("a number", lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)),
    "boolean": ("true or false", lambda value: isinstance(value, bool)),
    "list": ("a list", lambda value: isinstance(value, list)),
    "map": ("a mapping", lambda value: isinstance(value, dict) and not is_secret(value)),
}
NO_DEFAULT = object()

#: Parses YAML text as a stack is parsed: (document, duplicate keys). engine.stack.parse_yaml.
Parse = Callable[[str, str], tuple[Any, list[Any]]]


@dataclass(frozen=True)
class Declaration:
    name: str
    type: str
    secret: bool = False
    description: str = ""
    default: Any = NO_DEFAULT
    broken: bool = False    # a problem reported: the value is UNKNOWN, and nothing more is said about it


@dataclass(frozen=True)
class Environment:
    """An environment file as read: its values as written, its text (to place problems) and its own problems."""

    name: str
    path: Path
    values: Mapping[str, Any]
    text: str = ""
    problems: tuple[Diagnostic, ...] = ()

    def placed(self, message: str, *where: str | int, name: str | None = None) -> Diagnostic:
        """A problem written in this file at `where` (keys from its root), as `file:line:column`; `name`: the
        config value it is about."""
        problem = Diagnostic(message, field=f"config.{name}" if name is not None else None, where=where)
        return SourceMap.parse(str(self.path), self.text).locate(problem, ())


def chosen_environment(flag: str | None, variable: str | None) -> str | None:
    """`--env`, else ECSOPS_ENV, else None (no environment). Raises EngineError for a name that is not one."""
    for text, source in ((flag, "--env"), (variable, "ECSOPS_ENV")):
        if text:
            if not ENVIRONMENT_NAME.match(text):
                raise EngineError.single(f"{source}: {text!r} is not an environment name (letters, digits, '_' and "
                                         "'-', at most 64)")
            return text
    return None


def environment_names(stack_path: Path) -> list[str]:
    """The environments beside the stack: `<stem>.<env>.yaml` (or .yml) files."""
    stem = Path(stack_path).stem
    names = {path.name[len(stem) + 1:].rsplit(".", 1)[0] for path in Path(stack_path).parent.glob(f"{stem}.*.y*ml")
             if path.suffix in (".yaml", ".yml")}
    return sorted(name for name in names if ENVIRONMENT_NAME.match(name))


def environment_file(stack_path: Path, name: str) -> Path:
    """`<stem>.<name><suffix>` beside the stack (the stack's own suffix first). Raises EngineError when there
    is none, listing the environments there are."""
    stack_path = Path(stack_path)
    for suffix in dict.fromkeys((stack_path.suffix, ".yaml", ".yml")):
        candidate = stack_path.with_name(f"{stack_path.stem}.{name}{suffix}")
        if suffix in (".yaml", ".yml") and candidate.is_file():
            return candidate
    known = environment_names(stack_path)
    close = closest(name, known)
    hint = f"did you mean {close!r}? " if close else ""
    found = f"environments found: {', '.join(known)}" if known else "the stack has no environment files"
    expected = stack_path.with_name(f"{stack_path.stem}.{name}.yaml")
    raise EngineError.single(f"environment {name!r}: there is no {expected} beside the stack ({hint}{found})")


def read_environment(stack_path: Path, name: str, parse: Parse) -> Environment:
    """The environment file of `name` beside the stack. Raises EngineError when it is missing or not YAML;
    a file of the wrong shape is read as far as it goes, its problems kept in `problems`."""
    path = environment_file(stack_path, name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EngineError.single(f"cannot read environment file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EngineError.single(f"{path}: byte {error.start} is not UTF-8: save it as UTF-8") from None
    document, duplicates = parse(text, str(path))
    empty = Environment(name, path, {}, text)
    problems = [Diagnostic(f"duplicate key {duplicate.key!r} (first on line {duplicate.first_line}): a key may "
                           "appear once", file=str(path), line=duplicate.line,
                           column=getattr(duplicate, "column", None)) for duplicate in duplicates]
    if document is None:
        return Environment(name, path, {}, text, tuple(problems))
    if not isinstance(document, dict):
        problems.append(empty.placed("an environment file is a mapping: config: {NAME: VALUE}"))
        return Environment(name, path, {}, text, tuple(problems))
    unknown = sorted(set(document) - set(ENVIRONMENT_KEYS), key=str)
    problems += [empty.placed(f"unknown top-level key {key!r} (expected: {', '.join(ENVIRONMENT_KEYS)})", str(key))
                 for key in unknown]
    values = document.get("config") or {}
    if not isinstance(values, dict):
        problems.append(empty.placed("config must be a mapping of names to values", "config"))
        values = {}
    return Environment(name, path, dict(values), text, tuple(problems))


Report = Callable[[tuple[Any, ...], str], None]


@dataclass
class Configuration:
    """The declarations of a stack's `config:` and the value each takes (checked; secrets as `{secret: VALUE}`;
    UNKNOWN where a problem leaves none). `problems` lists every one found."""

    stack_path: Path
    declared: dict[str, Declaration] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    environment: Environment | None = None
    problems: list[Diagnostic] = field(default_factory=list)

    def applied(self, value: Any, loc: tuple[Any, ...], report: Report) -> Any:
        """`value` (a resource's properties, an output, at `loc`) with its `${config.NAME}` references replaced
        and its secrets read from where they live; `report(loc, message)` is told of each problem, `loc` where
        in `value` it is."""
        if is_secret(value):
            return self._secret(value[SECRET_KEY], loc, report)
        if isinstance(value, dict):
            return {key: self.applied(item, (*loc, key), report) for key, item in value.items()}
        if isinstance(value, list):
            return [self.applied(item, (*loc, index), report) for index, item in enumerate(value)]
        if isinstance(value, str):
            return refs.substitute(value, RESERVED, self._replacer(loc, report))
        return value

    def _secret(self, inner: Any, loc: tuple[Any, ...], report: Report) -> Any:
        if secrets_source.is_source(inner):
            try:
                return secrets_source.secret(inner, self.stack_path.parent)
            except secrets_source.SourceError as error:
                report(loc, str(error))
                return {SECRET_KEY: UNKNOWN}
        if not isinstance(inner, str):
            return {SECRET_KEY: inner}
        replaced = refs.substitute(inner, RESERVED, self._replacer(loc, report, inside_secret=True))
        return replaced if is_secret(replaced) else {SECRET_KEY: replaced}

    def _replacer(self, loc: tuple[Any, ...], report: Report, *,
                  inside_secret: bool = False) -> Callable[[refs.Reference, bool], Any]:
        def replace(reference: refs.Reference, whole: bool) -> Any:
            if reference.attribute not in self.declared:
                report(loc, f"{reference}: {self.undeclared(reference.attribute)}")
                return UNKNOWN
            value = self.values.get(reference.attribute, UNKNOWN)
            if is_secret(value) and not whole:
                if inside_secret:
                    return value[SECRET_KEY]
                report(loc, f"{reference} is a secret, which this text would copy in plain text (shown in plans, kept "
                            "in the state): use it as the whole value, or write the text {secret: ...}")
                return UNKNOWN
            return value
        return replace

    def undeclared(self, name: str) -> str:
        if not self.declared:
            return f"the stack declares no config value {name!r} (it has no config: block)"
        close = closest(name, self.declared)
        hint = f"did you mean {close!r}? " if close else ""
        return f"the stack declares no config value {name!r} ({hint}declared: {', '.join(self.declared)})"


def configuration(raw: Any, stack_path: Path, environment: Environment | None) -> Configuration:
    """The configuration `raw` (the stack's `config:`) declares, with the values `environment` sets (else the
    defaults). Never raises: problems are collected."""
    config = Configuration(Path(stack_path), environment=environment)
    config.declared = _declarations(raw, config)
    if environment is not None:
        config.problems.extend(environment.problems)
        config.problems.extend(
            environment.placed(config.undeclared(str(name)), "config", str(name), name=str(name))
            for name in environment.values if name not in config.declared)
    for name, declaration in config.declared.items():
        config.values[name] = _value(declaration, config)
    return config


def _declarations(raw: Any, config: Configuration) -> dict[str, Declaration]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        config.problems.append(Diagnostic("config must be a mapping of names to declarations ({type: ..., "
                                          "default: ..., description: ...})", field="config"))
        return {}
    declared = {}
    for name, entry in raw.items():
        declaration = _declaration(name, entry, config)
        if declaration is not None:
            declared[name] = declaration
    return declared


def _declaration(name: Any, entry: Any, config: Configuration) -> Declaration | None:
    def problem(message: str, *key: str) -> None:
        config.problems.append(Diagnostic(message, field=f"config.{name}", where=("config", name, *key)))

    if not isinstance(name, str) or not CONFIG_NAME.match(name):
        config.problems.append(Diagnostic(f"config name {name!r} is not valid: start with a letter; letters, digits "
                                          "and '_'", field="config", where=("config", str(name))))
        return None
    broken = Declaration(name, "string", broken=True)
    if not isinstance(entry, dict):
        problem(f"declare it as a mapping: {{type: {'|'.join(TYPES)}, default: ..., description: ...}}")
        return broken
    unknown = sorted(set(entry) - set(DECLARATION), key=str)
    for key in unknown:
        problem(f"unknown key {key!r} in its declaration (expected: {', '.join(DECLARATION)})", str(key))
    type_, secret, description = entry.get("type"), entry.get("secret", False), entry.get("description", "")
    if not isinstance(type_, str) or type_ not in TYPES:
        problem(f"type must be one of {', '.join(TYPES)}, not {type_!r}", "type")
        return broken
    if not isinstance(secret, bool) or (secret and type_ != "string"):
        problem("secret: true is for values of type string" if secret is True else "secret must be true or false",
                "secret")
        return broken
    if not isinstance(description, str):
        problem("description must be text", "description")
    declaration = Declaration(name, type_, secret, str(description), entry.get("default", NO_DEFAULT), bool(unknown))
    why = _wrong(declaration, declaration.default) if declaration.default is not NO_DEFAULT else None
    if why is not None:
        problem(f"its default {why}", "default")
        return broken
    return declaration


def _wrong(declaration: Declaration, value: Any) -> str | None:
    """Why `value` cannot be `declaration`'s value (a secret's never repeated), or None."""
    what, accepts = TYPES[declaration.type]
    if declaration.secret:
        inner = value[SECRET_KEY] if is_secret(value) else value
        if isinstance(inner, str) or (is_secret(value) and secrets_source.is_source(inner)):
            return None
        return f"must be text, or {secrets_source.FORMS} (it is a secret)"
    if is_secret(value):
        return "is written {secret: ...}, but the value is not declared secret: add `secret: true` to its declaration"
    if value is None or not accepts(value):
        return f"must be {what} (type: {declaration.type}), not {_shown(value)}"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _value(declaration: Declaration, config: Configuration) -> Any:
    """The declaration's value: the environment's, else its default; UNKNOWN (a problem recorded) when it has
    none or it is wrong. Secrets are read from where they live; text is made literal (see secrets_source)."""
    name, environment = declaration.name, config.environment
    if declaration.broken:
        return UNKNOWN
    if environment is not None and name in environment.values:
        value = environment.values[name]
        why = _wrong(declaration, value)
        if why is not None:
            config.problems.append(environment.placed(why, "config", name, name=name))
            return UNKNOWN
        return _read(declaration, value, environment.path,
                     lambda message: environment.placed(message, "config", name, name=name), config)
    if declaration.default is not NO_DEFAULT:
        return _read(declaration, declaration.default, config.stack_path,
                     lambda message: Diagnostic(message, field=f"config.{name}", where=("config", name, "default")),
                     config)
    where = (f"set it in {environment.path}" if environment is not None
             else "or choose an environment that sets it (--env ENV reads "
                  f"{config.stack_path.stem}.ENV.yaml beside the stack)")
    config.problems.append(Diagnostic(f"config value {name!r} has no value: give it a default, {where}",
                                      field=f"config.{name}", where=("config", name)))
    return UNKNOWN


def _read(declaration: Declaration, value: Any, path: Path, problem: Callable[[str], Diagnostic],
          config: Configuration) -> Any:
    """`value` as the declaration's: a secret read from where it lives (relative to `path`, the file giving it;
    `problem` places what goes wrong), other values made literal."""
    if not declaration.secret:
        return _literal(value)
    inner = value[SECRET_KEY] if is_secret(value) else value
    if not secrets_source.is_source(inner):
        return {SECRET_KEY: secrets_source.literal(inner)}
    try:
        return secrets_source.secret(inner, path.parent)
    except secrets_source.SourceError as error:
        config.problems.append(problem(str(error)))
        return {SECRET_KEY: UNKNOWN}


def _literal(value: Any) -> Any:
    """A value from outside the stack's references made literal: `${` in its text escaped (and the loader's
    line bookkeeping dropped)."""
    if isinstance(value, str):
        return secrets_source.literal(value)
    if isinstance(value, dict):
        return {key: _literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_literal(item) for item in value]
    return value
