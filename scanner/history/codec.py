"""Dataclasses to JSON and back, for checkpoints of a running scan (resume after a crash).

`dumps` writes any of the frozen dataclasses in scanner.models (enums as their values,
datetimes as ISO 8601); `loads(cls, text)` rebuilds one from its type hints. Only the shapes
those dataclasses use are supported: nested dataclasses, tuple[X, ...], X | None,
Mapping[str, str], StrEnum, datetime, str, int, float, bool.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")


def dumps(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def loads(cls: type[T], text: str) -> T:
    result: T = _build(cls, json.loads(text))
    return result


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _build(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if data is None else _build(options[0], data)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_build(item, v) for v in data)
    if origin in (Mapping, dict, typing.Mapping):
        return {str(k): str(v) for k, v in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = {f.name for f in dataclasses.fields(hint) if f.init}
        return hint(**{k: _build(hints[k], v) for k, v in data.items() if k in fields})
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    if hint is datetime:
        return datetime.fromisoformat(data)
    if hint is float:
        return float(data)
    return data
