"""The one serializer of DTOs whose JSON keys are their fields: field order kept, dates as ISO
8601, Decimals as text, enums by value, nested DTOs and lists followed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

import pytest

from psm_tui.cli.output import dto_json


class Kind(Enum):
    PSM = "psm"


@dataclass(frozen=True)
class Inner:
    on: dt.date
    at: dt.datetime | None


@dataclass(frozen=True)
class Outer:
    name: str
    amount: Decimal
    kind: Kind
    inner: Inner
    history: tuple[Inner, ...]


def test_a_dto_becomes_plain_json_in_field_order() -> None:
    first = Inner(dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 9, 30, 5))
    document = dto_json(Outer("Siti", Decimal("500000.50"), Kind.PSM, first, (first,)))
    assert list(document) == ["name", "amount", "kind", "inner", "history"]
    inner = {"on": "2026-03-02", "at": "2026-03-02T09:30:05"}
    assert document == {
        "name": "Siti",
        "amount": "500000.50",
        "kind": "psm",
        "inner": inner,
        "history": [inner],
    }
    assert json.loads(json.dumps(document)) == document  # nothing left for a default to guess
    assert dto_json(Inner(dt.date(2026, 1, 1), None)) == {"on": "2026-01-01", "at": None}


def test_only_dataclass_instances_are_serialized() -> None:
    with pytest.raises(TypeError):
        dto_json(Inner)
    with pytest.raises(TypeError):
        dto_json({"on": "2026-01-01"})
