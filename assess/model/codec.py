"""Generic JSON codec for the frozen dataclasses of the model (used for evidence bundles).

A field may keep an older JSON name than its Python one (`field(metadata={JSON_NAME: "github"})`), so saved files
stay readable both ways after a rename."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")
JSON_NAME = "json_name"


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get(JSON_NAME, f.name))

# Field metadata: a field left out of the JSON when it is None (a key that older output did not always carry).
OMIT_NONE: typing.Mapping[str, Any] = types.MappingProxyType({"omit": "none"})


def omit_without(sibling: str) -> typing.Mapping[str, Any]:
    """Field metadata: the field is left out of the JSON when the sibling field is None (present with null else)."""
    return types.MappingProxyType({"omit": "without", "sibling": sibling})


def omitted(obj: Any, f: dataclasses.Field[Any]) -> bool:
    """Whether a field of a dataclass instance is left out of its JSON form."""
    how = f.metadata.get("omit")
    if how == "none":
        return getattr(obj, f.name) is None
    if how == "without":
        return getattr(obj, f.metadata["sibling"]) is None
    return False


def to_plain(value: Any) -> Any:
    """Turn dataclasses, enums and tuples into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_key(f): to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not omitted(value, f)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def from_plain(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass of type cls from what to_plain produced."""
    return typing.cast(T, _decode(cls, data))


def _decode(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any or tp is None:
        return data
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return _decode(args[0], data)
    if origin is tuple:
        items = typing.get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return tuple(_decode(items[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(items, data, strict=True))
    if origin is dict:
        _, vt = typing.get_args(tp)
        return {k: _decode(vt, v) for k, v in data.items()}
    if origin is list:
        (vt,) = typing.get_args(tp)
        return [_decode(vt, v) for v in data]
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        kwargs = {name: _decode(hint, data[key]) for name, key, hint in _field_types(tp) if key in data}
        return tp(**kwargs)
    return data


@functools.cache
def _field_types(tp: type) -> tuple[tuple[str, str, Any], ...]:
    """Each field of a dataclass with its JSON key and resolved type; resolving costs more than decoding a record,
    so once."""
    hints = typing.get_type_hints(tp)
    return tuple((f.name, _key(f), hints[f.name]) for f in dataclasses.fields(tp))
