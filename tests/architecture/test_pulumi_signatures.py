"""Every kind's Pulumi class takes exactly its spec's fields, with the spec's types, and hands each on.

`KindResource` fills every spec field with `args.get(name)`: a field the class forgot is silently always None,
and nothing else would notice. So, for every kind registered by `ecsops.resources` (the engine's registry,
provider/engine/kind.py), the class `ecsops.resources.<Name>` of type `ecsops:<Name>` is compared with the
kind's spec:

- names: one keyword-only parameter per spec field, named as the field in Python (snake_case, never the
  camelCase wire name), and no other parameter than `resource_name`, `adopt_id` and `opts`;
- required or not: a required field is a parameter without default; a field with a default is a parameter
  whose default is None (Pulumi then leaves it out and the spec's default applies);
- types: the parameter's annotation, read with `typing.get_type_hints`, against the field's annotation;
- and, separately, that each parameter reaches `KindResource` under its own field (a class with the right
  signature can still pass `description=name`, or drop an argument).

How types are compared. Both sides are reduced to a shape, and the shapes must be equal except where a rule
below says otherwise:

- unwrapped on both sides: `Annotated[X, ...]` (the field policies, `Field(...)`, `Strict`, validators: so
  `Flag` is `bool`), `None` in a union (`X | None`, `Optional[X]`: whether a value may be left out is the
  required-or-not check above, not the type) and, on the Pulumi side, `pulumi.Input[X]`, i.e. the union's
  `Awaitable[X]` and `Output[X]` members, at any depth (`Mapping[str, pulumi.Input[str]]` is `dict[str, str]`);
- every field parameter must be a `pulumi.Input[...]` at its top, so that outputs of other resources can be
  passed; what is inside may be plain;
- `str`, `int`, `bool`, `float` and `Any` are themselves; `int` is not `float`, `bool` is not `int`, and `Any`
  stands for nothing but `Any` (it is allowed only as the values of a nested model, below);
- `Literal[...]` is the set of its values, and the class must take the same set: a `str` for a
  `Literal[...]` field is a mismatch, because the class is the program's typed interface and mypy should
  reject a misspelt value before `check` does;
- `list[X]`, `List[X]` and `Sequence[X]` are a list of X; `dict[K, V]`, `Dict[K, V]` and `Mapping[K, V]` a
  dict from K to V;
- a nested pydantic model (an `OssDelivery`, a `MaintenanceWindow`) is given as a plain dict in the YAML
  shape, so the class takes `Mapping[str, V]`, where V is `Any`, or V is exactly the type of every one of
  the model's fields (a `MaintenanceWindow` of two `str` fields may be `Mapping[str, str]`);
- `SecretValue` is the YAML spelling of a secret (`{secret: VALUE}`); a Pulumi program marks the value itself
  secret (`pulumi.Output.secret(VALUE)`), so on the spec side `SecretValue` is the type of its value (`str`);
- unions: the same members, member by member under these rules;
- anything else (a bare `list`, a class the rules do not name) is reported as outside these rules, so that a
  new kind of type is mapped on purpose here rather than passing unnoticed.

`test_the_comparison_finds_every_kind_of_drift` keeps the comparison itself honest: a small spec and a class
that drifts from it in every way must yield one message per difference.
"""

from __future__ import annotations

import collections.abc
import inspect
import re
import types
import typing
from typing import Annotated, Any, Literal, Mapping, Union, get_args, get_origin

import pulumi
import pytest
from pydantic import BaseModel, Field

import ecsops.resources
from ecsops.engine.kind import Kind, Spec, registered
from ecsops.engine.values import SecretValue
from ecsops.pulumi.resource import KindResource

#: Parameters every class has besides the spec's fields (see `KindResource`); `region` is a spec field of the
#: kinds whose spec has one (delivery settings, license tasks), and checked as such there.
COMMON = ("resource_name", "adopt_id", "region", "opts")

#: The kinds of ecsops itself (other tests register kinds of their own, typed `test:...`).
KINDS = [kind for kind in registered() if kind.module.startswith("ecsops.resources.")]

Shape = tuple[Any, ...]
SCALARS = {str: "str", int: "int", bool: "bool", float: "float"}
LISTS = (list, collections.abc.Sequence)
DICTS = (dict, collections.abc.Mapping)
INPUT_PARTS = (collections.abc.Awaitable, pulumi.Output)


class Unsupported(TypeError):
    """An annotation outside the rules of the module's docstring."""


def class_name(kind: Kind) -> str:
    return kind.type_name.partition(":")[2]


def pulumi_class(kind: Kind) -> type:
    return typing.cast(type, getattr(ecsops.resources, class_name(kind)))


def hints(function: Any) -> dict[str, Any]:
    """The evaluated annotations of `function`. `pulumi.Input[X]` is `X | Awaitable[X] | "Output[T]"`, a
    forward reference the SDK leaves unresolved: it resolves here to `Output[Any]`, which `shape` drops."""
    return typing.get_type_hints(function, localns={"Output": pulumi.Output, "T": Any}, include_extras=True)


def is_input(hint: Any) -> bool:
    """Whether the annotation is a `pulumi.Input[...]` (optionally `| None`) at its top."""
    return get_origin(hint) in (Union, types.UnionType) and any(
        get_origin(member) is pulumi.Output for member in get_args(hint))


def shape(hint: Any) -> Shape:
    """The annotation reduced to what the comparison looks at (see the module's docstring)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return shape(args[0])
    if hint is Any:
        return ("Any",)
    if hint in SCALARS:
        return (SCALARS[hint],)
    if hint is SecretValue:
        return shape(SecretValue.model_fields["secret"].annotation)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return ("model", hint)
    return generic_shape(hint, origin, args)


def generic_shape(hint: Any, origin: Any, args: tuple[Any, ...]) -> Shape:
    """`shape` of a `Literal`, list, dict or union."""
    if origin is Literal:
        return ("Literal", frozenset((type(value), value) for value in args))
    if origin in LISTS and len(args) == 1:
        return ("list", shape(args[0]))
    if origin in DICTS and len(args) == 2:
        return ("dict", shape(args[0]), shape(args[1]))
    if origin in (Union, types.UnionType):
        return union([shape(member) for member in args
                      if member is not type(None) and get_origin(member) not in INPUT_PARTS])
    raise Unsupported(f"{hint!r} is outside the types this test maps (see its docstring)")


def union(members: list[Shape]) -> Shape:
    """One shape for a union's members: Literals merged, duplicates (`X` of `pulumi.Input[X]`) dropped."""
    values = frozenset().union(*(member[1] for member in members if member[0] == "Literal"))
    others = frozenset(member for member in members if member[0] != "Literal")
    merged = others | ({("Literal", values)} if values else set())
    if not merged:
        raise Unsupported("a union of nothing but pulumi.Output or None")
    return next(iter(merged)) if len(merged) == 1 else ("Union", merged)


def render(form: Shape) -> str:
    if form[0] == "Literal":
        return "Literal[" + ", ".join(sorted(repr(value) for _, value in form[1])) + "]"
    if form[0] == "list":
        return f"list[{render(form[1])}]"
    if form[0] == "dict":
        return f"dict[{render(form[1])}, {render(form[2])}]"
    if form[0] == "model":
        fields = ", ".join(f"{name}: {render(shape(info.annotation))}" for name, info in form[1].model_fields.items())
        return f"the model {form[1].__name__} ({fields}), given as Mapping[str, Any] or Mapping[str, <their type>]"
    if form[0] == "Union":
        return " | ".join(sorted(render(member) for member in form[1]))
    return str(form[0])


def described(hint: Any) -> str:
    """The annotation as the comparison sees it, or as written when it is outside the rules."""
    try:
        return render(shape(hint))
    except Unsupported:
        return repr(hint)


def fits(field: Shape, given: Shape) -> bool:
    """Whether a parameter of shape `given` takes exactly what a field of shape `field` holds."""
    if field == given:
        return True
    if field[0] == "model":
        return model_fits(field[1], given)
    if field[0] != given[0]:
        return False
    if field[0] == "list":
        return fits(field[1], given[1])
    if field[0] == "dict":
        return fits(field[1], given[1]) and fits(field[2], given[2])
    if field[0] == "Union":
        return (all(any(fits(member, taken) for taken in given[1]) for member in field[1])
                and all(any(fits(member, taken) for member in field[1]) for taken in given[1]))
    return False


def model_fits(model: type[BaseModel], given: Shape) -> bool:
    """A nested model is taken as `Mapping[str, Any]`, or `Mapping[str, V]` with every field of type V."""
    if given[0] != "dict" or given[1] != ("str",):
        return False
    return given[2] == ("Any",) or all(fits(shape(info.annotation), given[2]) for info in model.model_fields.values())


def wire_hint(name: str, spec: type[Spec]) -> str:
    """For a parameter named like a field's camelCase wire name, which field it means."""
    for field, info in spec.model_fields.items():
        if name == info.alias and name != field:
            return f" ({name!r} is the wire name of field {field!r}: the parameter is named in snake_case)"
    return ""


def parameter_problems(name: str, parameter: inspect.Parameter, hint: Any, info: Any) -> list[str]:
    """What differs between one field (pydantic's FieldInfo) and the parameter meant to carry it."""
    problems = []
    if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
        problems.append(f"parameter {name!r} is {parameter.kind.description}: fields are keyword-only")
    if info.is_required() and parameter.default is not inspect.Parameter.empty:
        problems.append(f"parameter {name!r} has a default ({parameter.default!r}), but the field is required")
    if not info.is_required() and parameter.default is not None:
        default = "no default" if parameter.default is inspect.Parameter.empty else f"{parameter.default!r}"
        problems.append(f"parameter {name!r} must default to None (the spec's default, "
                        f"{info.get_default(call_default_factory=True)!r}, then applies), not {default}")
    if not is_input(hint):
        problems.append(f"parameter {name!r} is not a pulumi.Input[...] (it is {hint!r})")
    try:
        field, given = shape(info.annotation), shape(hint)
    except Unsupported as problem:
        return [*problems, f"parameter {name!r}: {problem}"]
    if not fits(field, given):
        problems.append(f"parameter {name!r} has type {render(given)}, but the spec field is {render(field)}")
    return problems


def signature_problems(type_name: str, spec: type[Spec], resource_class: type) -> list[str]:
    """Every difference between `resource_class.__init__` and `spec`, each message naming the kind."""
    signature = inspect.signature(resource_class.__init__)
    parameters = {name: p for name, p in signature.parameters.items() if name != "self"}
    annotations = hints(resource_class.__init__)
    problems = common_problems(parameters, annotations, spec)
    for name, info in spec.model_fields.items():
        if name not in parameters:
            problems.append(f"parameter {name!r} is missing: the spec has the field "
                            f"{name}: {described(info.annotation)}")
        else:
            problems += parameter_problems(name, parameters[name], annotations.get(name), info)
    problems += [f"parameter {name!r} is extra: the spec has no field {name!r}{wire_hint(name, spec)}"
                 for name in parameters if name not in spec.model_fields and name not in COMMON]
    return [f"{type_name} ({resource_class.__name__}): {problem}" for problem in problems]


def common_problems(parameters: Mapping[str, inspect.Parameter], annotations: Mapping[str, Any],
                    spec: type[Spec]) -> list[str]:
    """What is wrong with the parameters every class has besides the fields (`COMMON`)."""
    problems = [f"parameter {name!r} is missing: the class must take every kind's `{name}`"
                for name in COMMON if name not in parameters and name not in spec.model_fields]
    for name in ("adopt_id", "region"):
        hint, parameter = annotations.get(name), parameters.get(name)
        if name in spec.model_fields or parameter is None:
            continue
        if not is_input(hint) or described(hint) != "str" or parameter.default is not None:
            problems.append(f"parameter {name!r} must be pulumi.Input[str] | None = None, not {hint!r}")
    if "opts" in parameters and annotations.get("opts") != typing.Optional[pulumi.ResourceOptions]:
        problems.append(f"parameter 'opts' must be pulumi.ResourceOptions | None, not {annotations.get('opts')!r}")
    return problems


def test_every_kind_has_a_pulumi_class_and_every_class_a_kind() -> None:
    assert {class_name(kind) for kind in KINDS} == set(ecsops.resources.PULUMI_CLASSES)
    for kind in KINDS:
        package = ".".join(kind.module.split(".")[:3])
        assert pulumi_class(kind).__module__ == f"{package}.resource", kind.type_name
        assert issubclass(pulumi_class(kind), KindResource), kind.type_name


@pytest.mark.parametrize("kind", KINDS, ids=[kind.type_name for kind in KINDS])
def test_the_pulumi_class_takes_the_spec_fields(kind: Kind) -> None:
    problems = signature_problems(kind.type_name, kind.spec, pulumi_class(kind))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def shown(value: Any) -> str:
    return value.type_name if isinstance(value, Kind) else repr(value)


@pytest.mark.parametrize("kind", KINDS, ids=[kind.type_name for kind in KINDS])
def test_every_parameter_reaches_its_field(kind: Kind, monkeypatch: pytest.MonkeyPatch) -> None:
    """The class hands `KindResource` each argument under its own name (KindResource is stubbed: nothing
    is registered with Pulumi). Other keys in `args` (a class may pass its `locals()`) are never read."""
    resource_class = pulumi_class(kind)
    received: dict[str, Any] = {}
    base = inspect.signature(KindResource.__init__)

    def receive(*args: Any, **kwargs: Any) -> None:
        received.update(base.bind(*args, **kwargs).arguments)

    monkeypatch.setattr(KindResource, "__init__", receive)
    names = [name for name in inspect.signature(resource_class.__init__).parameters if name != "self"]
    given = {name: f"<{name}>" for name in names if name != "resource_name"}
    resource_class("probe", **given)
    passed = dict(received["args"])
    problems = [f"parameter {name!r} reaches field {name!r} as {passed.get(name)!r}, not as given"
                for name in kind.spec.model_fields if name in given and passed.get(name) != given[name]]
    common = ("adopt_id", "opts") if "region" in kind.spec.model_fields else ("adopt_id", "region", "opts")
    expected = {"kind": kind, "resource_name": "probe", **{name: given[name] for name in common}}
    problems += [f"KindResource receives {name} {shown(received.get(name))}, not {shown(value)}"
                 for name, value in expected.items() if received.get(name) != value]
    if problems:
        pytest.fail("\n".join(f"{kind.type_name} ({resource_class.__name__}): {p}" for p in problems), pytrace=False)


# -- the comparison itself ------------------------------------------------------------------------------------


class Window(BaseModel):
    start: str
    end: str


class ProbeSpec(Spec):
    name: str
    mode: Literal["a", "b"] = "a"
    count: Annotated[int, Field(ge=1)] = 1
    zones: list[str] = []
    window: Window | None = None
    labels: dict[str, str] = {}
    forgotten: str = ""


class Drifted:
    """Drifts from ProbeSpec in every way the test looks for; `labels` alone is right."""

    def __init__(self, resource_name: str, *, name: pulumi.Input[str] | None = None,
                 mode: pulumi.Input[str] | None = None, count: pulumi.Input[float] | None = None,
                 zones: pulumi.Input[str] | None = None, window: pulumi.Input[Mapping[str, int]] | None = None,
                 labels: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
                 extra: pulumi.Input[str] | None = None, adopt_id: pulumi.Input[str] | None = None,
                 region: pulumi.Input[str] | None = None, opts: pulumi.ResourceOptions | None = None):
        pass


class Faithful:
    def __init__(self, resource_name: str, *, name: pulumi.Input[str],
                 mode: pulumi.Input[Literal["b", "a"]] | None = None, count: pulumi.Input[int] | None = None,
                 zones: pulumi.Input[typing.Sequence[pulumi.Input[str]]] | None = None,
                 window: pulumi.Input[Mapping[str, str]] | None = None,
                 labels: pulumi.Input[Mapping[str, str]] | None = None, forgotten: pulumi.Input[str] | None = None,
                 adopt_id: pulumi.Input[str] | None = None, region: pulumi.Input[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        pass


def test_the_comparison_finds_every_kind_of_drift() -> None:
    assert signature_problems("test:Probe", ProbeSpec, Faithful) == []
    problems = signature_problems("test:Probe", ProbeSpec, Drifted)
    expected = {
        "name": "has a default (None), but the field is required",
        "mode": "has type str, but the spec field is Literal['a', 'b']",
        "count": "has type float, but the spec field is int",
        "zones": "has type str, but the spec field is list[str]",
        "window": "has type dict[str, int], but the spec field is the model Window",
        "forgotten": "is missing: the spec has the field forgotten: str",
        "extra": "is extra: the spec has no field 'extra'",
    }
    assert len(problems) == len(expected), "\n".join(problems)
    for name, message in expected.items():
        assert any(re.match(rf"test:Probe \(Drifted\): parameter '{name}' {re.escape(message)}", problem)
                   for problem in problems), (name, problems)


def test_a_plain_annotation_and_a_wire_name_are_reported() -> None:
    class Plain:
        def __init__(self, resource_name: str, *, name: str, workingDir: pulumi.Input[str] | None = None,
                     adopt_id: pulumi.Input[str] | None = None, region: pulumi.Input[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
            pass

    class WithDir(Spec):
        name: str
        working_dir: str = ""

    problems = signature_problems("test:Plain", WithDir, Plain)
    assert any("parameter 'name' is not a pulumi.Input" in problem for problem in problems), problems
    assert any("'workingDir' is the wire name of field 'working_dir'" in problem for problem in problems), problems
    assert any("parameter 'working_dir' is missing" in problem for problem in problems), problems
