""""did you mean ...?" for a name that is almost one the stack format knows: a field, a kind, an enum value, a
key, an event name.

The closest known name is the one equal to the misspelt one but for case (`commandid` -> commandId), else the
nearest by difflib's ratio on lower case, if it reaches CUTOFF (`contnet` -> content, `enableParameters` ->
enableParameter, `ecsops:Comand` -> ecsops:Command); else there is no suggestion, rather than a wild guess.
"""

from __future__ import annotations

import difflib
import types
from enum import Enum
from typing import Annotated, Any, Iterable, Iterator, Literal, Mapping, Sequence, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

CUTOFF = 0.6
LISTS = (list, tuple, set, frozenset, Sequence)
MAPPINGS = (dict, Mapping)


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name `word` most probably stands for, or None (never `word` itself)."""
    by_fold: dict[str, str] = {}
    for name in known:
        if name != word:
            by_fold.setdefault(name.lower(), name)
    if word.lower() in by_fold:
        return by_fold[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(by_fold), n=1, cutoff=CUTOFF)
    return by_fold[close[0]] if close else None


def did_you_mean(word: Any, known: Iterable[str]) -> str:
    """`: did you mean 'X'?` to end a message with, or "" when nothing known is close to `word`."""
    match = closest(word, known) if isinstance(word, str) else None
    return f": did you mean {match!r}?" if match else ""


# -- a validation error of a kind's spec ------------------------------------------------------------------


def validation_hint(model: type[BaseModel], detail: ErrorDetails, where: tuple[int | str, ...]) -> str:
    """The suggestion for pydantic's error `detail` at `where` in `model`: for a field the model does not have,
    the closest field of the (nested) model it was written in; for a value outside a Literal or Enum, the
    closest allowed value. "" when there is none."""
    if detail["type"] == "extra_forbidden" and where and isinstance(where[-1], str):
        names = [name for found in _models(_annotations_at(model, where[:-1])) for name in field_names(found)]
        return did_you_mean(where[-1], names)
    if detail["type"] in ("literal_error", "enum"):
        return did_you_mean(detail.get("input"), _choices(_annotations_at(model, where)))
    return ""


def field_names(model: type[BaseModel]) -> list[str]:
    """The names a stack writes the model's fields with (camelCase aliases)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _annotations_at(model: type[BaseModel], path: tuple[int | str, ...]) -> list[Any]:
    """The types a value at `path` (field names and list indexes) inside `model` may have."""
    current: list[Any] = [model]
    for part in path:
        current = [child for annotation in current for child in _children(annotation, part)]
    return current


def _children(annotation: Any, part: int | str) -> Iterator[Any]:
    for option in _options(annotation):
        origin = get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(part, str):
            for name, info in option.model_fields.items():
                if part in (name, info.alias):
                    yield info.annotation
        elif origin in LISTS and isinstance(part, int) and get_args(option):
            yield get_args(option)[0]
        elif origin in MAPPINGS and len(get_args(option)) == 2:
            yield get_args(option)[1]


def _options(annotation: Any) -> Iterator[Any]:
    """`annotation` without Annotated's metadata, a union as each of its members."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _options(get_args(annotation)[0])
    elif origin is Union or origin is types.UnionType:
        for member in get_args(annotation):
            yield from _options(member)
    else:
        yield annotation


def _models(annotations: list[Any]) -> list[type[BaseModel]]:
    return [option for annotation in annotations for option in _options(annotation)
            if isinstance(option, type) and issubclass(option, BaseModel)]


def _choices(annotations: list[Any]) -> list[str]:
    """The text values a Literal or an Enum among `annotations` allows."""
    choices: list[str] = []
    for annotation in annotations:
        for option in _options(annotation):
            if get_origin(option) is Literal:
                choices += [value for value in get_args(option) if isinstance(value, str)]
            elif isinstance(option, type) and issubclass(option, Enum):
                choices += [member.value for member in option if isinstance(member.value, str)]
    return choices
