"""Loading YAML stacks: structure, duplicate names, types, references and cycles, all reported at once."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

import tests.engine.widgets  # noqa: F401  (registers test:Widget)
from ecsops.engine.errors import Diagnostic, EngineError
from ecsops.engine.stack import load_stack


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(dedent(text))
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    return [str(diagnostic) for diagnostic in diagnostics(tmp_path, text)]


def diagnostics(tmp_path: Path, text: str) -> tuple[Diagnostic, ...]:
    stack = load_stack(write(tmp_path, text))
    with pytest.raises(EngineError) as raised:
        stack.require_valid()
    return raised.value.diagnostics


def test_a_valid_stack_loads_in_dependency_order(tmp_path) -> None:
    stack = load_stack(write(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          second:
            type: test:Widget
            properties: {label: "${first.widgetId}"}
          first:
            type: test:Widget
            properties: {label: one}
          third:
            type: test:Widget
            properties: {label: three}
            options: {dependsOn: [second]}
    """))
    assert (stack.name, stack.region) == ("demo", "cn-hangzhou")
    assert list(stack.resources) == ["first", "second", "third"]
    assert stack.resources["second"].dependencies == ("first",)
    assert stack.resources["third"].dependencies == ("second",)
    assert type(stack.resources["first"].properties) is dict


def test_duplicate_resource_names_are_refused_with_lines(tmp_path) -> None:
    [duplicate] = diagnostics(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          twice: {type: test:Widget, properties: {label: a}}
          twice: {type: test:Widget, properties: {label: b}}
    """)
    assert str(duplicate) == ('resource "twice": duplicate key \'twice\' (first on line 5): resource names must be '
                              'unique in a stack')
    assert duplicate.location == f"{tmp_path / 'stack.yaml'}:6:3"  # the second one, where it is written


def test_duplicate_keys_inside_properties_are_refused_too(tmp_path) -> None:
    [message] = problems(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          a: {type: test:Widget, properties: {label: a, label: b}}
    """)
    assert "duplicate key 'label' (first on line 5): a key may appear once" in message


def test_a_duplicate_key_names_the_resource_and_field_it_repeats(tmp_path) -> None:
    found = problems(tmp_path, """
        name: demo
        region: cn-hangzhou
        name: again
        resources:
          a:
            type: test:Widget
            properties:
              label: a
              zones: [{x: 1, x: 2}]
            options: {dependsOn: [b], dependsOn: [b]}
          b: {type: test:Widget, type: test:Widget, properties: {label: b}}
    """)
    assert sorted(message.split(": duplicate key")[0] for message in found) == [
        'field "name"', 'resource "a", field "options.dependsOn"', 'resource "a", field "zones[0].x"',
        'resource "b", field "type"']


MERGES = [
    pytest.param("{<<: *base, label: two}", {"label": "two", "size": 2, "zones": ["b", "a"]},
                 id="own-keys-win-over-a-merged-mapping"),
    pytest.param("{<<: [{label: x, note: first}, {label: y, note: second, size: 3}], label: three}",
                 {"label": "three", "note": "first", "size": 3}, id="earlier-mapping-in-a-list-wins"),
    pytest.param("{<<: [{note: one}, *base], size: 9}", {"note": "one", "label": "one", "size": 9, "zones": ["b", "a"]},
                 id="an-anchor-in-a-list"),
    pytest.param("{<<: [{<<: {size: 5, note: deep}, size: 4}, {size: 3, note: later}], label: x}",
                 {"size": 4, "note": "deep", "label": "x"}, id="a-merged-mapping-own-keys-win-over-what-it-merges"),
    pytest.param("{<<: {note: a}, <<: {note: b, size: 1}, label: x}", {"note": "a", "size": 1, "label": "x"},
                 id="two-merge-keys-earlier-wins"),
]


@pytest.mark.parametrize(("properties", "expected"), MERGES)
def test_merge_keys_resolve_as_the_merge_key_spec_says(tmp_path, properties: str, expected: dict) -> None:
    stack = load_stack(write(tmp_path, f"""
        name: demo
        region: cn-hangzhou
        resources:
          first:
            type: test:Widget
            properties: &base {{label: one, size: 2, zones: [b, a]}}
          second:
            type: test:Widget
            properties: {properties}
    """))
    assert stack.resources["second"].properties == expected
    assert stack.resources["first"].properties == {"label": "one", "size": 2, "zones": ["b", "a"]}, \
        "merging changed the merged mapping"


def test_merge_keys_never_depend_on_the_yaml_library(tmp_path, monkeypatch) -> None:
    """PyYAML 6.0.4 changed which mapping of a `<<` list wins: ecsops resolves merges itself, so the
    library's own merging (for both parsers) is never asked."""
    def refuse(*args: object) -> None:
        raise AssertionError("PyYAML's flatten_mapping was used")

    import yaml

    for loader in {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}:
        monkeypatch.setattr(loader, "flatten_mapping", refuse)
    stack = load_stack(write(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          a: {type: test:Widget, properties: {<<: [{label: x}, {label: y, size: 1}], size: 2}}
    """))
    assert stack.resources["a"].properties == {"label": "x", "size": 2}


@pytest.mark.parametrize(("properties", "message"), [
    pytest.param("&loop {label: a, <<: *loop}", "<< merges a mapping into itself", id="itself"),
    pytest.param("&loop {label: a, more: {<<: *loop}}", "recursive", id="its-own-parent"),
])
def test_a_mapping_merged_into_itself_is_an_error(tmp_path, properties: str, message: str) -> None:
    with pytest.raises(EngineError, match=rf"stack\.yaml:\d+:\d+: .*{message}"):
        load_stack(write(tmp_path, f"""
            name: demo
            region: cn-hangzhou
            resources:
              a: {{type: test:Widget, properties: {properties}}}
        """))


def test_a_key_repeated_beside_a_merge_key_is_still_a_duplicate(tmp_path) -> None:
    [message] = problems(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          a: {type: test:Widget, properties: {label: base}}
          b:
            type: test:Widget
            properties: {<<: {size: 2}, label: x, label: y}
    """)
    assert message.startswith('resource "b", field "label": ') and "duplicate key 'label'" in message


def test_merging_something_not_a_mapping_is_a_syntax_error(tmp_path) -> None:
    with pytest.raises(EngineError, match=r"stack\.yaml:\d+:\d+: .*mapping"):
        load_stack(write(tmp_path, """
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {<<: 5, label: a}}
        """))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Nothing}
         """, ['resource "a", field "type": unknown resource type \'test:Nothing\''], id="unknown-type"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {label: "${ghost.widgetId}"}}
         """, ['resource "a" (test:Widget): dangling reference ${ghost.widgetId}'], id="dangling-reference"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {label: x}}
              b: {type: test:Widget, properties: {label: "${a.colour}"}}
         """, ["has no attribute 'colour'"], id="unknown-attribute"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {label: "${a.widgetId}"}}
         """, ["points at the resource itself"], id="self-reference"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {label: x}, options: {dependsOn: [ghost]}}
         """, ["depends on 'ghost', which the stack does not declare"], id="unknown-depends-on"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              1bad: {type: test:Widget}
         """, ["resource name '1bad' is not valid"], id="bad-resource-name"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: {label: x}, options: {dependsOn: 5}}
              b: {type: test:Widget, properties: {label: x}, options: {dependsOn: a}}
              c: {type: test:Widget, properties: {label: x}, options: {dependsOn: [a, 7]}}
         """, ['resource "a", field "options.dependsOn": must be a list of resource names',
               'resource "b", field "options.dependsOn": must be a list of resource names, e.g. [other-resource], '
               "not 'a'",
               'resource "c", field "options.dependsOn": must be a list'], id="depends-on-not-a-list"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {properties: {label: x}}
         """, ['resource "a", field "type": is required (one of: '], id="missing-type"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            description: [1, 2]
            resources: {}
         """, ['field "description": must be text, not [1, 2]'], id="description-not-text"),
        pytest.param("""
            region: cn-hangzhou
            colour: blue
            resources: {}
         """, ["unknown top-level key 'colour'", "the stack needs a top-level 'name'"], id="top-level"),
        pytest.param("""
            name: demo
            region: Hangzhou
         """, ["'Hangzhou' is not valid: use a region id"], id="bad-region"),
        pytest.param("""
            name: demo
            region: cn-hangzhou
            resources:
              a: {type: test:Widget, properties: [1, 2]}
              b: {type: test:Widget, extra: 1}
         """, ["properties must be a mapping", "unknown key 'extra'"], id="bad-entries"),
    ],
)
def test_structural_problems_are_all_reported_naming_the_resource(tmp_path, text, fragments) -> None:
    found = problems(tmp_path, text)
    for fragment in fragments:
        assert any(fragment in message for message in found), (fragment, found)


def test_a_reference_cycle_is_refused(tmp_path) -> None:
    [message] = problems(tmp_path, """
        name: demo
        region: cn-hangzhou
        resources:
          a: {type: test:Widget, properties: {label: "${b.widgetId}"}}
          b: {type: test:Widget, properties: {label: "${a.widgetId}"}}
    """)
    assert "references form a cycle" in message


def test_yaml_syntax_errors_name_the_line(tmp_path) -> None:
    with pytest.raises(EngineError) as raised:
        load_stack(write(tmp_path, "name: demo\nregion: [cn-hangzhou\n"))
    assert "stack.yaml:3:1" in str(raised.value)


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(EngineError, match="cannot read stack"):
        load_stack(tmp_path / "absent.yaml")


def alias_bomb(levels: int) -> str:
    """A few hundred bytes of aliases, each level nine of the one below: 9**levels values once expanded."""
    lines = ["name: demo", "region: cn-hangzhou", "resources:",
             "  a:", "    type: test:Widget", "    properties:", "      label: x",
             "      note: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"      n{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]" for level in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path) -> None:
    text = alias_bomb(9)  # 387 million values from some 500 bytes
    assert len(text) < 800
    with pytest.raises(EngineError, match=r"stack\.yaml:\d+:\d+: its aliases expand it to more than 500,000 values"):
        load_stack(write(tmp_path, text))


def test_shared_aliases_within_the_bound_still_load(tmp_path) -> None:
    stack = load_stack(write(tmp_path, alias_bomb(4)))  # 6,561 values
    assert len(stack.resources["a"].properties["n3"]) == 9


@pytest.mark.parametrize("depth", [101, 5_000])
def test_nesting_too_deep_is_an_error_line_not_a_recursion_error(tmp_path, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    with pytest.raises(EngineError, match="nested more than 100 levels deep"):
        load_stack(write(tmp_path, f"name: demo\nregion: cn-hangzhou\nresources:\n  a: {{type: test:Widget, "
                                   f"properties: {{label: x, zones: {nested}}}}}\n"))
