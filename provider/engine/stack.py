"""YAML stacks: loading, structural checks, and the resource graph.

A stack follows Pulumi YAML's shape:

    name: ops-baseline
    region: cn-hangzhou
    resources:
      disk-check:
        type: ecsops:Command
        properties: {...}
        options: {dependsOn: [other-resource]}

`load_stack` raises only when the file is not YAML at all; every other structural problem (duplicate keys,
unknown types and keys, dangling or cyclic references) becomes a diagnostic in `Stack.problems`, so that
`plan` reports them together with the field errors the kinds' specs find (`validate`), all in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import yaml

from ecsops.engine import kind as kinds
from ecsops.engine.config import RESERVED, Configuration, Environment, configuration, read_environment
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.cloud.backend import NamedCredentials
from ecsops.engine.credentials import named_credentials
from ecsops.engine.outputs import declared_outputs
from ecsops.engine.refs import CycleError, Reference, references, topological
from ecsops.engine.state_location import location_problem
from ecsops.engine.suggest import did_you_mean
from ecsops.engine.validate import field_path
from ecsops.engine.values import contains_secret

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}\Z")
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")
TOP_LEVEL = frozenset({"name", "region", "description", "backend", "credentials", "state", "config", "resources",
                       "outputs"})
BACKENDS = ("emulator", "cloud")  # as ecsops.cloud.backend.BACKENDS
ENTRY = frozenset({"type", "properties", "options"})
OPTIONS = frozenset({"dependsOn", "region"})
REGION = re.compile(r"^[a-z]{2}-[a-z0-9-]+\Z")
REGION_EXPECTED = "a region id such as cn-hangzhou"


@dataclass(frozen=True)
class DeclaredResource:
    name: str
    kind: kinds.Kind
    properties: dict[str, Any]
    dependencies: tuple[str, ...]
    line: int | None = None
    #: where the object lives: `options.region`, else the spec's own `region` (a kind that has one), else the
    #: stack's region; its lifecycle's calls go there (engine: `Cloud.in_region`)
    region: str = ""

    @property
    def type(self) -> str:
        return self.kind.type_name


@dataclass(frozen=True)
class Stack:
    name: str
    region: str
    path: Path
    resources: dict[str, DeclaredResource]   # in dependency order: each after what it refers to
    problems: tuple[Diagnostic, ...] = ()    # structural problems; nothing may be planned while there are any
    backend: str | None = None               # `backend:` — emulator or cloud (the command line may override it)
    state: str | None = None                 # `state:` — where the state lives (see engine.state_location)
    credentials: NamedCredentials | None = None  # `credentials:` — the stack's own (engine.credentials)
    environment: str | None = None           # `--env`: whose values `config` holds (engine.config)
    config: dict[str, Any] = field(default_factory=dict)   # `config:` values; secrets {secret: VALUE}
    outputs: dict[str, Any] = field(default_factory=dict)  # `outputs:`, config values in place (engine.outputs)

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def state_name(self) -> str:
        """The name of the stack's state: `<name>.<env>` with an environment (each has its own), else the name."""
        return f"{self.name}.{self.environment}" if self.environment else self.name

    def require_valid(self) -> None:
        """Raises EngineError listing the structural problems, if any, each placed in the file (engine.source)."""
        if self.problems:
            from ecsops.engine.source import located  # imports this module

            raise EngineError(located(self, self.problems))


@dataclass(frozen=True)
class Duplicate:
    key: Any
    first_line: int
    line: int
    column: int = 1


class _Loader(yaml.SafeLoader):
    """SafeLoader that notices duplicate keys (PyYAML silently keeps the last one): the first one wins
    and every repeat is recorded, so all of them can be reported with the rest of a stack's problems.
    Merge keys (`<<`) are resolved here, by `_inherited_pairs`, not by PyYAML, whose precedence changed
    between releases."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[Duplicate] = []


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml (about ten times faster: a 5,000-resource stack loads in a fraction of a second).
    Its syntax errors say less, so a document it refuses is parsed again by `_Loader` for the message."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[Duplicate] = []


MERGE_TAG = "tag:yaml.org,2002:merge"
Pair = tuple[yaml.Node, yaml.Node]


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    for key_node, value_node in _inherited_pairs(node):  # the first source of a key wins (merge-key spec)
        key = _key(loader, node, key_node)
        if key not in mapping:
            mapping[key] = loader.construct_object(value_node, deep=True)
            lines[key] = key_node.start_mark.line + 1
    own: set[Any] = set()
    repeated: list[Duplicate] = []
    for key_node, value_node in _own_pairs(node):  # the mapping's own keys win over everything merged
        key = _key(loader, node, key_node)
        line = key_node.start_mark.line + 1
        if key in own:
            repeated.append(Duplicate(key, lines[key], line, key_node.start_mark.column + 1))
            continue
        own.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[key] = line
    loader.duplicates.extend(repeated)
    return _LineMapping(mapping, lines, repeated)


def _key(loader: _Loader, node: yaml.MappingNode, key_node: yaml.Node) -> Any:
    """A mapping's key; a list or mapping as a key (`{[a]: b}`) is refused where it stands."""
    key = loader.construct_object(key_node, deep=True)
    try:
        hash(key)
    except TypeError:
        raise yaml.constructor.ConstructorError(
            "while constructing a mapping", node.start_mark,
            f"a key must be a name or a number, not a {type(key).__name__}", key_node.start_mark) from None
    return key


def _integer(loader: _Loader, node: yaml.ScalarNode) -> int:
    """YAML's integer, refused where it stands when Python will not convert it (more than 4,300 digits)."""
    try:
        value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of {len(str(node.value))} characters is too long", node.start_mark) from None
    return value


def _own_pairs(node: yaml.MappingNode) -> list[Pair]:
    return [(key, value) for key, value in node.value if key.tag != MERGE_TAG]


def _inherited_pairs(node: yaml.MappingNode, within: tuple[int, ...] = ()) -> list[Pair]:
    """The pairs `node` inherits through its merge keys, in precedence order: as the YAML merge-key spec
    says, the mappings of a `<<` list are merged in turn, and a key of an earlier one wins over the same key
    of a later one; a merged mapping's own keys come before what it inherits in turn. Reads the nodes,
    never changes them (PyYAML's `flatten_mapping` rewrites them, and its precedence changed in 6.0.4)."""
    pairs: list[Pair] = []
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"<< merges a mapping or a list of mappings, not a {source.id}", source.start_mark)
            if id(source) in within or source is node:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "<< merges a mapping into itself", source.start_mark)
            pairs.extend(_own_pairs(source))
            pairs.extend(_inherited_pairs(source, (*within, id(node))))
    return pairs


class _LineMapping(dict):  # type: ignore[type-arg]
    """A dict that remembers the line of each key (for messages) and the keys repeated in it."""

    def __init__(self, mapping: Mapping[Any, Any], lines: Mapping[Any, int], repeated: Iterable[Duplicate] = ()):
        super().__init__(mapping)
        self.lines = dict(lines)
        self.repeated = list(repeated)


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor("tag:yaml.org,2002:int", _integer)


#: The most nodes a stack may hold once its aliases are expanded (the 5,000-resource bench stack holds 110,000),
#: and the deepest it may nest: beyond either it is a mistake or an alias bomb, refused before it is built.
MAX_EXPANDED_NODES = 500_000
MAX_DEPTH = 100


def parse_yaml(text: str, source: str = "<stack>") -> tuple[Any, list[Duplicate]]:
    """Parses YAML; raises EngineError with line and column for a syntax error. Returns the document and
    its duplicate keys (the first occurrence of each is kept). A document that would expand past
    MAX_EXPANDED_NODES or nest deeper than MAX_DEPTH is refused before anything is built from it."""
    try:
        return _parsed(_FastLoader, text)
    except (yaml.YAMLError, RecursionError):
        pass
    try:  # the pure-Python parser words the error better (it names the alias, the character)
        return _parsed(_Loader, text)
    except yaml.YAMLError as error:
        raise EngineError([_where(error, source)]) from None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise EngineError([Diagnostic(f"nested more than {MAX_DEPTH} levels deep", file=source)]) from None


def _parsed(loader_type: type, text: str) -> tuple[Any, list[Duplicate]]:
    loader = loader_type(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, loader.duplicates
        _check_expansion(node)
        return loader.construct_document(node), loader.duplicates
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuses a document that nests deeper than MAX_DEPTH, or whose aliases expand it past
    MAX_EXPANDED_NODES (a few hundred bytes of nested aliases can stand for billions of nodes). Each distinct
    node is visited once, so the check costs the size of the text, not of its expansion. Most stacks use no
    alias: a plain tree within both limits passes a quicker walk (`_plain_tree`) and needs nothing more."""
    if _plain_tree(root):
        return
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # A node met again while it is being visited is a recursive alias: left to the constructor, which
    # refuses it saying where it is.
    visiting: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if id(node) in sizes or (not children_done and id(node) in visiting):
            continue
        children = _children(node)
        if not children_done:
            visiting.add(id(node))
            pending.append((node, True))
            pending.extend((child, False) for child in children if id(child) not in sizes)
            continue
        visiting.discard(id(node))
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
        depths[id(node)] = 1 + max((depths.get(id(child), 1) for child in children), default=0)
        if depths[id(node)] > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        if sizes[id(node)] > MAX_EXPANDED_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"its aliases expand it to more than {MAX_EXPANDED_NODES:,} values (an alias bomb?)",
                node.start_mark)


def _plain_tree(root: yaml.Node) -> bool:
    """Whether the document is a tree (no node reached twice: no alias) of at most MAX_EXPANDED_NODES nodes, none
    deeper than MAX_DEPTH. False means: let the full check decide (and say where it fails)."""
    seen: set[int] = set()
    pending: list[tuple[yaml.Node, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if id(node) in seen or depth > MAX_DEPTH or len(seen) >= MAX_EXPANDED_NODES:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                pending.append((key, depth + 1))
                pending.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((child, depth + 1) for child in node.value)
    return True


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _where(error: yaml.YAMLError, source: str) -> Diagnostic:
    """The syntax error, placed where the parser found it (`source:line:column`)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return Diagnostic(str(error.problem or error), file=source, line=line, column=column)
    return Diagnostic(str(error), file=source)


def load_stack(path: str | Path, environment: str | None = None) -> Stack:
    """Reads and checks a stack file — with the config values of `environment`, read from `<stem>.<env>.yaml`
    beside it — raising EngineError only when it (or that file) cannot be read or is not YAML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EngineError.single(f"cannot read stack {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EngineError.single(f"{path}: byte {error.start} is not UTF-8: a stack is YAML text in UTF-8 "
                                 "(save it as UTF-8)") from None
    document, duplicates = parse_yaml(text, str(path))
    values = read_environment(path, environment, parse_yaml) if environment else None
    return stack_from_document(document, path, duplicates, environment=values)


def stack_from_document(document: Any, path: Path, duplicates: list[Duplicate] | None = None, *,
                        environment: Environment | None = None) -> Stack:
    """The stack a parsed document declares, with every structural problem found in `problems`.

    Every part is checked even when an earlier one is wrong, so one run reports all the problems; they are
    listed in the order of the checks: top-level keys and settings, then resources, then references.
    """
    if not isinstance(document, dict):
        raise EngineError([Diagnostic("a stack is a mapping with name, region and resources", file=str(path), line=1,
                                      column=1)])
    problems = _unknown_top_level(document)
    name = _text(document, "name", STACK_NAME, "letters, digits, '.', '_' and '-'", problems)
    region = _text(document, "region", REGION, REGION_EXPECTED, problems)
    _check_description(document, problems)
    backend = _backend(document, problems)
    state = _state_location(document, problems)
    credentials = named_credentials(document.get("credentials"), problems)
    config = configuration(document.get("config"), path, environment)
    problems.extend(config.problems)
    entries = _entries(document, problems)
    problems.extend(_duplicate_problems(duplicates or [], document, entries, path))
    resources = _resources(entries, problems, config, str(region or "invalid"))
    problems.extend(_reference_problems(resources))
    attributes = {n: (*r.kind.output_names, *r.kind.fields) for n, r in resources.items()}
    outputs = declared_outputs(document.get("outputs"), attributes, config.applied, problems)
    order = _dependency_order(resources, problems)
    return Stack(name=str(name or "invalid"), region=str(region or "invalid"), path=path,
                 resources={n: resources[n] for n in order}, problems=tuple(problems), backend=backend, state=state,
                 credentials=credentials, environment=environment.name if environment else None, config=config.values,
                 outputs=outputs)


def _unknown_top_level(document: Mapping[Any, Any]) -> list[Diagnostic]:
    """A problem for each top-level key a stack does not have, sorted by name so the report is stable."""
    return [Diagnostic(f"unknown top-level key {key!r} (expected: {', '.join(sorted(TOP_LEVEL))})"
                       f"{did_you_mean(key, TOP_LEVEL)}", where=(key,))
            for key in sorted(set(document) - TOP_LEVEL, key=str)]


def _check_description(document: Mapping[str, Any], problems: list[Diagnostic]) -> None:
    """`description:` is optional, and text when given."""
    if not isinstance(document.get("description", ""), str):
        problems.append(Diagnostic(f"must be text, not {document['description']!r}", field="description"))


def _backend(document: Mapping[str, Any], problems: list[Diagnostic]) -> str | None:
    """`backend:` when it names a backend; None when it is absent or (a problem recorded) names none, so the
    stack still loads and the command line may choose."""
    backend: str | None = document.get("backend")
    if backend is not None and backend not in BACKENDS:
        problems.append(Diagnostic(f"{backend!r} is not a backend: use one of {', '.join(BACKENDS)}", field="backend"))
        return None
    return backend


def _state_location(document: Mapping[str, Any], problems: list[Diagnostic]) -> str | None:
    """`state:` when it is a location state may live at (engine.state_location); None when it is absent or
    (a problem recorded) is not one."""
    state: str | None = document.get("state")
    problem = location_problem(state) if state is not None else None
    if problem is not None:
        problems.append(Diagnostic(problem, field="state"))
        return None
    return state


def _entries(document: Mapping[str, Any], problems: list[Diagnostic]) -> Mapping[Any, Any]:
    """The `resources:` mapping as written (with its line bookkeeping); empty when absent or (a problem
    recorded) not a mapping."""
    entries: Mapping[Any, Any] = document.get("resources") or {}
    if not isinstance(entries, dict):
        problems.append(Diagnostic("resources must be a mapping of resource names to resources", where=("resources",)))
        return {}
    return entries


def _resources(entries: Mapping[Any, Any], problems: list[Diagnostic], config: Configuration,
               region: str) -> dict[str, DeclaredResource]:
    """The resources that are well formed, in the order written, their config values in place and secrets read
    (`config`); each one that is not adds its problems and is left out (so references to it are reported as
    dangling, never followed)."""
    lines = getattr(entries, "lines", {})
    declared = [_declared(name, entry, lines.get(name), problems, config, region) for name, entry in entries.items()]
    return {resource.name: resource for resource in declared if resource is not None}


def _dependency_order(resources: Mapping[str, DeclaredResource], problems: list[Diagnostic]) -> list[str]:
    """The resources' names, each after those it depends on (ties in the order written). When they form a
    cycle, the cycle is a problem and the order written stands, so the stack still loads and reports it."""
    try:
        return topological({n: r.dependencies for n, r in resources.items()})
    except CycleError as cycle:
        problems.append(Diagnostic(str(cycle), resource=cycle.cycle[0]))
        return list(resources)


def _duplicate_problems(duplicates: list[Duplicate], document: Mapping[Any, Any], entries: Mapping[Any, Any],
                        path: Path) -> list[Diagnostic]:
    """Each repeated key, named by where it is: a top-level key, a resource name, or the resource and field
    it repeats."""
    located: dict[int, tuple[str | None, str | None]] = {
        id(duplicate): (None, str(duplicate.key)) for duplicate in getattr(document, "repeated", [])}
    located.update({id(duplicate): where for where, duplicate in _repeats_in_resources(entries)})
    problems = []
    for duplicate in duplicates:
        resource, field = located.get(id(duplicate), (None, None))
        is_resource = resource is not None and field is None
        what = "resource names must be unique in a stack" if is_resource else "a key may appear once"
        problems.append(Diagnostic(f"duplicate key {duplicate.key!r} (first on line {duplicate.first_line}): {what}",
                                   resource=resource, field=field, file=str(path), line=duplicate.line,
                                   column=duplicate.column))
    return problems


def _repeats_in_resources(entries: Mapping[Any, Any]) -> Iterator[tuple[tuple[str | None, str | None], Duplicate]]:
    """(resource, field) of every key repeated within `resources`: a repeated resource name has no field;
    a key repeated in properties is the field at that path (`targets.webhooks[0].url`)."""
    for duplicate in getattr(entries, "repeated", []):
        yield (str(duplicate.key), None), duplicate
    for name, entry in entries.items() if isinstance(entries, dict) else ():
        if not isinstance(entry, dict):
            continue
        for key, value in entry.items():
            prefix = () if key == "properties" else (key,)
            for loc, duplicate in _repeats(value, prefix):
                yield (str(name), field_path((*loc, duplicate.key))), duplicate
        for duplicate in getattr(entry, "repeated", []):
            yield (str(name), str(duplicate.key)), duplicate


def _repeats(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Duplicate]]:
    """Every key repeated inside `value`, with the location of the mapping that repeats it."""
    if isinstance(value, dict):
        for duplicate in getattr(value, "repeated", []):
            yield loc, duplicate
        for key, item in value.items():
            yield from _repeats(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _repeats(item, (*loc, index))


def _text(document: Mapping[str, Any], key: str, pattern: re.Pattern[str], expected: str,
          problems: list[Diagnostic]) -> str | None:
    value = document.get(key)
    if value is None:
        problems.append(Diagnostic(f"the stack needs a top-level {key!r}", field=key))
    elif not isinstance(value, str) or not pattern.match(value):
        problems.append(Diagnostic(f"{value!r} is not valid: use {expected}", field=key))
    else:
        return value
    return None


def _declared(name: Any, entry: Any, line: int | None, problems: list[Diagnostic], config: Configuration,
              stack_region: str) -> DeclaredResource | None:
    if not isinstance(name, str) or not NAME.match(name) or name == RESERVED:
        problems.append(Diagnostic(_bad_name(name), where=("resources", name)))
        return None
    if not isinstance(entry, dict):
        problems.append(Diagnostic("a resource is a mapping with type and properties", resource=name))
        return None
    for key in sorted(set(entry) - ENTRY, key=str):
        problems.append(Diagnostic(f"unknown key {key!r} (expected: type, properties, options)"
                                   f"{did_you_mean(key, ENTRY)}", resource=name, where=("resources", name, key)))
    if entry.get("type") is None:
        known = ", ".join(kind.type_name for kind in kinds.registered())
        problems.append(Diagnostic(f"is required (one of: {known})", resource=name, field="type"))
        return None
    try:
        kind = kinds.get(str(entry.get("type")))
    except kinds.UnknownKind as error:
        problems.append(Diagnostic(str(error), resource=name, field="type"))
        return None
    properties = entry.get("properties") or {}
    options = entry.get("options") or {}
    if not isinstance(properties, dict):
        problems.append(Diagnostic("properties must be a mapping", resource=name, type=kind.type_name,
                                   where=("resources", name, "properties")))
        return None
    if not isinstance(options, dict) or set(options) - OPTIONS:
        problems.append(Diagnostic("options takes only dependsOn (a list of resource names) and region (a region id)",
                                   resource=name, where=("resources", name, "options")))
        options = {}
    explicit = _depends_on(options.get("dependsOn"), name, problems)
    properties = config.applied(properties, (), lambda loc, message: problems.append(
        Diagnostic(message, resource=name, field=field_path(loc), type=kind.type_name)))
    properties, region = _placed(kind, _plain(properties), options.get("region"), stack_region,
                                 lambda message, field: problems.append(
                                     Diagnostic(message, resource=name, field=field, type=kind.type_name)))
    referenced = sorted({ref.resource for ref in references(properties)})
    return DeclaredResource(name=name, kind=kind, properties=properties,
                            dependencies=tuple(dict.fromkeys([*referenced, *explicit])), line=line, region=region)


def _placed(kind: kinds.Kind, properties: dict[str, Any], option: Any, stack_region: str,
            report: Callable[[str, str], None]) -> tuple[dict[str, Any], str]:
    """The properties and the region of a resource. `options.region` is checked as the stack's `region:` is;
    a kind whose spec has a `region` field of its own (delivery settings, license tasks) takes it from there,
    from `options.region` when the properties leave it out, and refuses the two when they differ."""
    if option is not None and (not isinstance(option, str) or not REGION.match(option)):
        report(f"{option!r} is not valid: use {REGION_EXPECTED}", "options.region")
        option = None
    own = properties.get("region") if "region" in kind.fields else None
    if isinstance(own, str) and not references(own):
        if option is not None and option != own:
            report(f"the resource is placed in {option} (options.region) but declares region {own}: "
                   "give the region once", "options.region")
        return properties, own
    if option is not None and "region" in kind.fields and own is None:
        properties = {**properties, "region": option}
    return properties, option or stack_region


def _bad_name(name: Any) -> str:
    if name == RESERVED:
        return (f"resource name {name!r} is reserved (${{{RESERVED}.NAME}} reads the stack's config values): "
                "choose another")
    return f"resource name {name!r} is not valid: start with a letter; letters, digits, '_' and '-'"


def _depends_on(value: Any, resource: str, problems: list[Diagnostic]) -> list[str]:
    """The names in `dependsOn`, which must be a list of names. A single name is refused rather than
    guessed at: a string is itself a sequence, and would read as one dependency per character."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(Diagnostic(f"must be a list of resource names, e.g. [other-resource], not {value!r}",
                                   resource=resource, field="options.dependsOn"))
        return []
    return value


def _plain(value: Any) -> Any:
    """Drops the line bookkeeping: properties are plain dicts from here on."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _reference_problems(resources: Mapping[str, DeclaredResource]) -> list[Diagnostic]:
    problems = []
    for resource in resources.values():
        referenced = {ref.resource for ref in references(resource.properties)}
        for dependency in resource.dependencies:
            if dependency not in resources and dependency not in referenced:
                problems.append(Diagnostic(f"depends on {dependency!r}, which the stack does not declare"
                                           f"{did_you_mean(dependency, resources)}", resource=resource.name,
                                           type=resource.type))
        for ref in sorted(references(resource.properties)):
            problem = _reference_problem(ref, resource, resources)
            if problem:
                problems.append(Diagnostic(problem, resource=resource.name, type=resource.type))
    return problems + _secret_reference_problems(resources)


def _secret_reference_problems(resources: Mapping[str, DeclaredResource]) -> list[Diagnostic]:
    """A reference to a field that holds a secret is refused: the secret would be copied, through the
    reference or into a longer text, into a field that keeps it in plain text — shown in plans, stored in
    the state. A secret is written only where it is declared `{secret: ...}`."""
    holding = _fields_holding_secrets(resources)
    problems = []
    for resource in resources.values():
        for field, value in resource.properties.items():
            for ref in sorted(references(value)):
                if (ref.resource, ref.attribute) in holding:
                    problems.append(Diagnostic(
                        f"{ref} holds a secret, which this reference would copy in plain text (shown in plans, "
                        "kept in the state): a secret is written only where it is declared {secret: ...}",
                        resource=resource.name, field=field, type=resource.type))
    return problems


def _fields_holding_secrets(resources: Mapping[str, DeclaredResource]) -> set[tuple[str, str]]:
    """(resource, field) pairs whose value holds a secret: written {secret: ...} in it, or taken from such a
    field by a reference (however many references away)."""
    holding = {(resource.name, field) for resource in resources.values()
               for field, value in resource.properties.items() if contains_secret(value)}
    grown = True
    while grown:
        grown = False
        for resource in resources.values():
            for field, value in resource.properties.items():
                if (resource.name, field) not in holding and any(
                        (ref.resource, ref.attribute) in holding for ref in references(value)):
                    holding.add((resource.name, field))
                    grown = True
    return holding


def _reference_problem(ref: Reference, owner: DeclaredResource,
                       resources: Mapping[str, DeclaredResource]) -> str | None:
    target = resources.get(ref.resource)
    if target is None:
        return (f"dangling reference {ref}: the stack declares no resource {ref.resource!r}"
                f"{did_you_mean(ref.resource, resources)}")
    if target.name == owner.name:
        return f"reference {ref} points at the resource itself"
    attributes = (*target.kind.output_names, *target.kind.fields)
    if ref.attribute not in attributes:
        return (f"reference {ref}: {target.type} has no attribute {ref.attribute!r} (has: {', '.join(attributes)})"
                f"{did_you_mean(ref.attribute, attributes)}")
    return None
