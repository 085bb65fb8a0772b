"""Config values and environments: typed declarations with defaults, an environment file's values winning over
them, `${config.NAME}` anywhere a value goes, and each mistake one diagnostic naming the value, file and line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

import tests.engine.widgets  # noqa: F401  (registers test:Widget)
from ecsops.engine import refs
from ecsops.engine.config import chosen_environment
from ecsops.engine.errors import EngineError
from ecsops.engine.stack import load_stack
from ecsops.engine.stack_files import check_single_owner

STACK = """\
name: demo
region: cn-hangzhou
config:
  label: {type: string, default: plain, description: the widget's label}
  size: {type: integer, default: 2}
  members: {type: list, default: [a, b]}
  weight: {type: number, default: 0.5}
  shiny: {type: boolean, default: false}
  extras: {type: map, default: {colour: red}}
resources:
  w:
    type: test:Widget
    properties:
      label: ${config.label}
      size: ${config.size}
      members: ${config.members}
      note: "size ${config.size} of ${config.members}"
"""


def stack_in(tmp_path: Path, text: str = STACK, **environments: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(dedent(text))
    for name, body in environments.items():
        (tmp_path / f"stack.{name}.yaml").write_text(dedent(body))
    return path


def problems(path: Path, environment: str | None = None) -> list[str]:
    """Each problem as the command line reports it: `error: FILE:LINE:COLUMN: ...`."""
    with pytest.raises(EngineError) as raised:
        load_stack(path, environment).require_valid()
    return [diagnostic.report() for diagnostic in raised.value.diagnostics]


# -- values -----------------------------------------------------------------------------------------------


def test_without_an_environment_the_defaults_are_used_as_typed_values(tmp_path) -> None:
    stack = load_stack(stack_in(tmp_path))
    assert stack.problems == ()
    assert stack.resources["w"].properties == {"label": "plain", "size": 2, "members": ["a", "b"],
                                               "note": 'size 2 of ["a", "b"]'}
    assert stack.config == {"label": "plain", "size": 2, "members": ["a", "b"], "weight": 0.5, "shiny": False,
                            "extras": {"colour": "red"}}
    assert (stack.environment, stack.state_name) == (None, "demo")


def test_an_environment_file_s_values_win_over_the_defaults_and_name_the_state(tmp_path) -> None:
    path = stack_in(tmp_path, prod="""\
        # prod's values
        config:
          label: big
          members: [c]
        """)
    stack = load_stack(path, "prod")
    assert stack.problems == ()
    assert stack.resources["w"].properties == {"label": "big", "size": 2, "members": ["c"],
                                               "note": 'size 2 of ["c"]'}
    assert (stack.environment, stack.state_name) == ("prod", "demo.prod")
    assert load_stack(path).resources["w"].properties["label"] == "plain"   # the defaults stay the defaults


def test_a_config_value_is_literal_text_never_a_reference(tmp_path) -> None:
    path = stack_in(tmp_path, prod="config:\n  label: a${w.widgetId}\n")
    stack = load_stack(path, "prod")
    assert stack.problems == () and stack.resources["w"].dependencies == ()
    assert refs.resolve(stack.resources["w"].properties["label"], lambda ref: "REFERENCE") == "a${w.widgetId}"


def test_references_to_resources_and_escapes_beside_config_values_are_kept(tmp_path) -> None:
    path = stack_in(tmp_path, STACK + '  v:\n    type: test:Widget\n'
                              '    properties: {label: "${config.label}-${w.widgetId}-$${x.y}"}\n')
    stack = load_stack(path)
    assert stack.problems == ()
    assert stack.resources["v"].properties["label"] == "plain-${w.widgetId}-$${x.y}"
    assert stack.resources["v"].dependencies == ("w",)


SECRET_STACK = """\
name: demo
region: cn-hangzhou
config:
  token: {type: string, secret: true, default: placeholder}
resources:
  w:
    type: test:Widget
    properties:
      label: plain
      members: ["${config.token}"]
      note: {secret: "Bearer ${config.token}"}
"""


def test_a_secret_config_value_is_a_secret_wherever_it_is_used_whole_or_inside_a_secret_text(tmp_path,
                                                                                              monkeypatch) -> None:
    monkeypatch.setenv("ECSOPS_TEST_TOKEN", "from-the-variable")
    path = stack_in(tmp_path, SECRET_STACK, prod="config:\n  token: {secret: {env: ECSOPS_TEST_TOKEN}}\n")
    assert load_stack(path).resources["w"].properties["members"] == [{"secret": "placeholder"}]
    stack = load_stack(path, "prod")
    assert stack.problems == ()
    assert stack.config == {"token": {"secret": "from-the-variable"}}
    assert stack.resources["w"].properties["members"] == [{"secret": "from-the-variable"}]
    assert stack.resources["w"].properties["note"] == {"secret": "Bearer from-the-variable"}


# -- mistakes: one problem each, naming the value, the file and the line -----------------------------------

BAD_VALUES = {
    "wrong type in the environment file": (
        STACK, {"prod": "config:\n  size: big\n"}, "prod",
        "stack.prod.yaml:2", 'field "config.size": must be an integer (type: integer), not \'big\''),
    "a boolean where a number goes": (
        STACK, {"prod": "config:\n  weight: true\n"}, "prod",
        "stack.prod.yaml:2", 'field "config.weight": must be a number (type: number), not True'),
    "undeclared in the environment file": (
        STACK, {"prod": "config:\n  label: x\n  colour: red\n"}, "prod",
        "stack.prod.yaml:3", "field \"config.colour\": the stack declares no config value 'colour' (declared: label,"),
    "a reference with no declaration": (
        STACK.replace("label: ${config.label}", "label: ${config.lable}"), {}, None,
        "stack.yaml:14", "resource \"w\" (test:Widget), field \"label\": ${config.lable}: the stack declares no "
        "config value 'lable' (did you mean 'label'?"),
    "a reference in a stack with no config block": (
        "name: demo\nregion: cn-hangzhou\nresources:\n  w:\n    type: test:Widget\n"
        "    properties: {label: '${config.label}'}\n", {}, None,
        "stack.yaml:6", "field \"label\": ${config.label}: the stack declares no config value 'label' (it has no "
        "config: block)"),
    "missing with no default": (
        STACK.replace("{type: integer, default: 2}", "{type: integer}"), {"prod": "config: {}\n"}, "prod",
        "stack.yaml:5", "field \"config.size\": config value 'size' has no value: give it a default, set it in "),
    "a default of the wrong type": (
        STACK.replace("default: 2}", "default: two}"), {}, None,
        "stack.yaml:5", 'field "config.size": its default must be an integer (type: integer), not \'two\''),
    "an unknown type": (
        STACK.replace("{type: integer, default: 2}", "{type: int, default: 2}"), {}, None,
        "stack.yaml:5", 'field "config.size": type must be one of string, integer, number, boolean, list, map'),
    "a secret that is not text": (
        STACK.replace("{type: integer, default: 2}", "{type: integer, default: 2, secret: true}"), {}, None,
        "stack.yaml:5", 'field "config.size": secret: true is for values of type string'),
    "a misspelt declaration key": (
        STACK.replace("{type: integer, default: 2}", "{type: integer, defualt: 2}"), {}, None,
        "stack.yaml:5", "field \"config.size\": unknown key 'defualt' in its declaration"),
    "a secret given for a value not declared secret": (
        STACK, {"prod": "config:\n  label: {secret: x}\n"}, "prod",
        "stack.prod.yaml:2", 'field "config.label": is written {secret: ...}, but the value is not declared secret'),
    "a secret copied into a longer plain text": (
        SECRET_STACK.replace('members: ["${config.token}"]', 'members: ["Bearer ${config.token}"]'), {}, None,
        "stack.yaml:10", 'resource "w" (test:Widget), field "members[0]": ${config.token} is a secret, which this '
        "text would copy in plain text"),
    "a config name that cannot be referred to": (
        STACK.replace("  shiny:", "  is-shiny:"), {}, None,
        "stack.yaml:8", "field \"config\": config name 'is-shiny' is not valid"),
    "an environment file that is not config": (
        STACK, {"prod": "settings:\n  label: x\n"}, "prod",
        "stack.prod.yaml:1", "unknown top-level key 'settings' (expected: config, description)"),
}


@pytest.mark.parametrize("stack_text, environments, environment, where, expected", BAD_VALUES.values(),
                         ids=BAD_VALUES)
def test_each_mistake_is_one_error_naming_the_value_the_file_and_the_line(tmp_path, stack_text, environments,
                                                                           environment, where, expected) -> None:
    path = stack_in(tmp_path, stack_text, **environments)
    [problem] = problems(path, environment)
    assert problem.startswith(f"error: {tmp_path}/{where}:") and expected in problem, problem


def test_a_resource_named_config_is_refused_as_the_reserved_prefix(tmp_path) -> None:
    path = stack_in(tmp_path, "name: demo\nregion: cn-hangzhou\nresources:\n  config:\n    type: test:Widget\n"
                              "    properties: {label: x}\n")
    assert problems(path) == [f"error: {path}:4:3: resource name 'config' is reserved (${{config.NAME}} reads the "
                              "stack's config values): choose another"]


def test_an_environment_without_its_file_is_refused_naming_the_file_and_the_environments_there_are(tmp_path) -> None:
    path = stack_in(tmp_path, prod="config: {}\n", dev="config: {}\n")
    with pytest.raises(EngineError) as raised:
        load_stack(path, "prdo")
    assert str(raised.value) == (f"environment 'prdo': there is no {tmp_path}/stack.prdo.yaml beside the stack (did "
                                 "you mean 'prod'? environments found: dev, prod)")


@pytest.mark.parametrize("flag, variable, chosen", [("prod", "dev", "prod"), (None, "dev", "dev"), (None, None, None),
                                                    ("", "dev", "dev")],
                         ids=["the flag wins", "the variable", "none", "an empty flag is no flag"])
def test_the_environment_is_the_flag_else_ecsops_env(flag, variable, chosen) -> None:
    assert chosen_environment(flag, variable) == chosen


@pytest.mark.parametrize("flag, variable, source", [("pr.od", None, "--env"), (None, "../prod", "ECSOPS_ENV")],
                         ids=["a dot in the flag", "a path in the variable"])
def test_an_environment_name_that_is_not_one_is_refused_naming_where_it_came_from(flag, variable, source) -> None:
    with pytest.raises(EngineError, match=f"^{source}: .* is not an environment name"):
        chosen_environment(flag, variable)


# -- one state per stack file, environments included --------------------------------------------------------

SIBLINGS = {
    "a sibling named <name>.<env> shares the environment's state": ("demo.prod", "prod", {}, True),
    "a sibling named <name> with that environment shares it": ("demo", "prod", {"other.prod.yaml": ""}, True),
    "a sibling <base> run with --env <rest> shares a dotted name's": ("demo", None, {"other.prod.yaml": ""}, True),
    "a sibling <base> without that environment does not": ("demo", None, {}, False),
    "a sibling of another name does not": ("other", "prod", {"other.prod.yaml": ""}, False),
}


@pytest.mark.parametrize("sibling_name, environment, files, shared", SIBLINGS.values(), ids=SIBLINGS)
def test_sibling_stack_files_that_would_share_an_environment_s_state_are_refused(tmp_path, sibling_name, environment,
                                                                                 files, shared) -> None:
    name = "demo.prod" if environment is None else "demo"
    path = stack_in(tmp_path, f"name: {name}\nregion: cn-hangzhou\nresources: {{}}\n", prod="config: {}\n")
    (tmp_path / "other.yaml").write_text(f"name: {sibling_name}\nregion: cn-hangzhou\nresources: {{}}\n")
    for file_name, text in files.items():
        (tmp_path / file_name).write_text(text)
    stack = load_stack(path, environment)
    if not shared:
        check_single_owner(stack, None, "here")
        return
    with pytest.raises(EngineError, match="would share one state"):
        check_single_owner(stack, None, "here")
