"""IPSM positions: terms per unit, overlapping terms refused with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest

from psm_tui.core import ipsm, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, PermissionDenied, ValidationError
from psm_tui.store.models import AuditLog, IpsmPosition
from tests.conftest import make_user


@pytest.fixture
def people(admin: Actor) -> dict[str, int]:
    add = workers.add_worker
    return {
        "ani": add(admin, kind="psm", name="Ani Lestari", kelurahan="Poris Plawad").id,
        "budi": add(admin, kind="psm", name="Budi Santoso", kelurahan="Poris Plawad").id,
        "citra": add(admin, kind="psm", name="Citra Dewi", kelurahan="Kenanga").id,
        "karawaci": add(admin, kind="psm", name="Dodi Pratama", kelurahan="Nusa Jaya").id,
    }


def test_overlapping_terms_for_the_same_position_are_refused(
    admin: Actor, people: dict[str, int]
) -> None:
    ipsm.set_position(
        admin,
        people["ani"],
        position="ketua",
        level="kecamatan",
        start_on="2023-01-01",
        end_on="2025-12-31",
    )
    with pytest.raises(ConflictError) as refused:
        ipsm.set_position(
            admin, people["citra"], position="ketua", level="kecamatan", start_on="2025-06-01"
        )
    assert str(refused.value) == (
        "chair of Kec. Cipondoh is held by Ani Lestari (1 Jan 2023 to 31 Dec 2025); "
        "the terms overlap"
    )
    # The last day is inclusive: the successor starts the next day.
    with pytest.raises(ConflictError, match="the terms overlap"):
        ipsm.set_position(
            admin, people["citra"], position="ketua", level="kecamatan", start_on="2025-12-31"
        )
    ipsm.set_position(
        admin, people["citra"], position="ketua", level="kecamatan", start_on="2026-01-01"
    )
    # An open-ended term overlaps everything after its start.
    with pytest.raises(ConflictError, match="held by Citra Dewi"):
        ipsm.set_position(
            admin,
            people["budi"],
            position="ketua",
            level="kecamatan",
            start_on="2030-01-01",
            end_on="2030-12-31",
        )
    # Earlier terms that end before the first one starts are fine.
    ipsm.set_position(
        admin,
        people["budi"],
        position="ketua",
        level="kecamatan",
        start_on="2020-01-01",
        end_on="2022-12-31",
    )
    assert IpsmPosition.select().count() == 3


def test_same_position_at_other_units_and_many_members(
    admin: Actor, people: dict[str, int]
) -> None:
    ipsm.set_position(
        admin, people["ani"], position="ketua", level="kelurahan", start_on="2024-01-01"
    )
    ipsm.set_position(
        admin, people["citra"], position="ketua", level="kelurahan", start_on="2024-01-01"
    )  # Kenanga, another unit
    ipsm.set_position(
        admin, people["ani"], position="anggota", level="kecamatan", start_on="2024-01-01"
    )
    ipsm.set_position(
        admin, people["budi"], position="anggota", level="kecamatan", start_on="2024-01-01"
    )
    with pytest.raises(ConflictError, match=r"Budi Santoso already holds member at Kec\. Cipondoh"):
        ipsm.set_position(
            admin, people["budi"], position="bendahara", level="kecamatan", start_on="2024-06-01"
        )
    assert IpsmPosition.select().count() == 4


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"position": "wakil"}, ValidationError, "Position must be one of"),
        ({"level": "provinsi"}, ValidationError, "Level must be city"),
        ({"end_on": "2023-12-31"}, ValidationError, "cannot end before it starts"),
        ({"level": "kelurahan", "unit": "Kenanga"}, ConflictError, "does not work in Kel. Kenanga"),
        (
            {"level": "kecamatan", "unit": "Karawaci"},
            ConflictError,
            "does not work in Kec. Karawaci",
        ),
    ],
)
def test_invalid_positions_are_refused(
    admin: Actor, people: dict[str, int], values: dict, error: type[Exception], message: str
) -> None:
    arguments = {"position": "ketua", "level": "kecamatan", "start_on": "2024-01-01", **values}
    with pytest.raises(error, match=message):
        ipsm.set_position(admin, people["ani"], **arguments)
    assert IpsmPosition.select().count() == 0


def test_past_terms_of_workers_who_moved_or_left_can_be_recorded(
    admin: Actor, people: dict[str, int]
) -> None:
    workers.deactivate_worker(admin, people["karawaci"], "Berhenti")
    with pytest.raises(ConflictError, match="Dodi Pratama is inactive"):
        ipsm.set_position(
            admin, people["karawaci"], position="ketua", level="city", start_on="2024-01-01"
        )
    ipsm.set_position(
        admin,
        people["karawaci"],
        position="ketua",
        level="city",
        start_on="2019-01-01",
        end_on="2021-12-31",
    )


def test_board_shows_current_terms_in_order(admin: Actor, people: dict[str, int]) -> None:
    set_position = ipsm.set_position
    set_position(
        admin, people["citra"], position="anggota", level="kelurahan", start_on="2024-01-01"
    )
    set_position(
        admin, people["ani"], position="bendahara", level="kecamatan", start_on="2024-01-01"
    )
    set_position(admin, people["budi"], position="ketua", level="kecamatan", start_on="2024-01-01")
    set_position(admin, people["karawaci"], position="ketua", level="city", start_on="2024-01-01")
    set_position(
        admin,
        people["ani"],
        position="ketua",
        level="city",
        start_on="2020-01-01",
        end_on="2023-12-31",
    )

    today = [(p.unit_name, p.position, p.worker_name) for p in ipsm.board()]
    assert today == [
        ("Kota Tangerang", "ketua", "Dodi Pratama"),
        ("Kec. Cipondoh", "ketua", "Budi Santoso"),
        ("Kec. Cipondoh", "bendahara", "Ani Lestari"),
        ("Kel. Kenanga, Kec. Cipondoh", "anggota", "Citra Dewi"),
    ]
    assert [p.worker_name for p in ipsm.board("2022-05-01")] == ["Ani Lestari"]
    assert [p.worker_name for p in ipsm.board(kecamatan="Cipondoh")] == [
        "Budi Santoso",
        "Ani Lestari",
        "Citra Dewi",
    ]
    assert ipsm.board(kecamatan="Karawaci") == []


def test_end_position_shortens_only(admin: Actor, people: dict[str, int]) -> None:
    term = ipsm.set_position(
        admin, people["ani"], position="ketua", level="kecamatan", start_on="2024-01-01"
    )
    ended = ipsm.end_position(admin, term.id, "2024-12-31")
    assert ended.end_on == dt.date(2024, 12, 31)
    with pytest.raises(ConflictError, match="already ended on 31 Dec 2024"):
        ipsm.end_position(admin, term.id, "2025-06-30")
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        ipsm.end_position(admin, term.id, "2023-06-30")
    assert [a.action for a in AuditLog.select().where(AuditLog.entity == "ipsm_position")] == [
        "ipsm.set",
        "ipsm.end",
    ]


def test_positions_need_admin(admin: Actor, people: dict[str, int]) -> None:
    viewer = make_user(admin, "kadis", "viewer")
    with pytest.raises(PermissionDenied):
        ipsm.set_position(
            viewer, people["ani"], position="ketua", level="city", start_on="2024-01-01"
        )
