"""``psm_tui/store/compat_peewee.py`` was written for one peewee (and psycopg) range: a new version
fails here, loudly, until the hidden-driver start-up has been re-checked against it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

from psm_tui.store import compat_peewee

RECHECK = (
    "psm_tui/store/compat_peewee.py sets peewee's psycopg globals by hand and was written for "
    "{what} {low} to {high} (exclusive); this is {found}. Re-check adopt_psycopg against "
    "peewee's `try: import psycopg` block and Psycopg3Adapter, then widen the range."
)


def release(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version(name).split(".")[:3])


@pytest.mark.parametrize(
    ("name", "supported"),
    [("peewee", compat_peewee.SUPPORTED), ("psycopg", compat_peewee.PSYCOPG_SUPPORTED)],
)
def test_the_library_is_the_version_the_compat_module_was_written_for(
    name: str, supported: tuple[tuple[int, ...], tuple[int, ...]]
) -> None:
    low, high = supported
    found = release(name)
    assert low <= found < high, RECHECK.format(what=name, low=low, high=high, found=found)


def test_the_names_it_sets_exist_in_peewee() -> None:
    from psm_tui.store import drivers

    drivers.load_psycopg()
    import peewee

    for name in compat_peewee.PRIVATE_GLOBALS:
        assert hasattr(peewee, name), f"peewee.{name} is gone: re-check compat_peewee"
    for name in compat_peewee.PRIVATE_ADAPTER:
        assert hasattr(peewee.Psycopg3Adapter, name), f"Psycopg3Adapter.{name} is gone"


PROBE = """
import json, sys
{setup}
import peewee
{after}
names = [n for n, v in vars(peewee).items() if not n.startswith('__')]
adapter = vars(peewee.Psycopg3Adapter)
print(json.dumps({{
    'names': sorted(names),
    'none': sorted(n for n in names if getattr(peewee, n) is None),
    'adapter_none': sorted(n for n, v in adapter.items() if v is None),
    'values': {{n: repr(adapter[n]) for n in {private}}},
}}))
"""


def probe(setup: str, after: str) -> dict[str, object]:
    code = PROBE.format(setup=setup, after=after, private=list(compat_peewee.PRIVATE_ADAPTER))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_peewee_with_psycopg_adopted_is_peewee_that_found_psycopg_itself() -> None:
    """Every global peewee's own import would set is set (none is left ``None``)."""
    found_itself = probe("", "")
    adopted = probe(
        "from psm_tui.store import drivers  # hides the drivers, as psm does",
        "assert peewee.psycopg is None\ndrivers.load_psycopg()",
    )
    assert adopted == found_itself, (
        "peewee set more from psycopg at import than compat_peewee.adopt_psycopg sets"
    )
