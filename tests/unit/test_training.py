"""Training records: a training day for many workers is one action; who was never trained."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from psm_tui.core import training, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import NotFoundError, PermissionDenied, ValidationError
from psm_tui.store.models import AuditLog, TrainingAttendance, TrainingSession, Worker
from tests.conftest import make_user


@pytest.fixture
def thirty(admin: Actor) -> list[int]:
    """Thirty PSM spread over three kelurahan of Kec. Cipondoh."""
    places = ["Poris Plawad", "Kenanga", "Petir"]
    return [
        workers.add_worker(
            admin, kind="psm", name=f"Relawan {chr(65 + i % 26)}{i}", kelurahan=places[i % 3]
        ).id
        for i in range(30)
    ]


def test_training_day_for_thirty_workers_is_one_action(
    admin: Actor, thirty: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_before = AuditLog.select().count()
    detail = training.record_training(
        admin,
        held_on="2025-06-14",
        topic="Asesmen lansia",
        organiser="Dinsos Kota Tangerang",
        hours="6,5",
        worker_ids=thirty + thirty[:3],
    )
    session = TrainingSession.get()
    assert (session.held_on, session.topic, session.hours) == (
        dt.date(2025, 6, 14),
        "Asesmen lansia",
        6.5,
    )
    attended = [a.worker_id for a in TrainingAttendance.select().order_by(TrainingAttendance.id)]
    assert attended == thirty  # each once, in the order given
    assert detail.training.attendees == 30 and [w.id for w in detail.workers] == thirty
    entries = list(AuditLog.select().where(AuditLog.id > 0).offset(audit_before))
    assert [e.action for e in entries] == ["training.add"]
    assert json.loads(entries[0].changes)["workers"] == [None, thirty]


def test_a_failed_training_day_records_nobody(admin: Actor, thirty: list[int]) -> None:
    with pytest.raises(NotFoundError, match="Worker 9999 not found"):
        training.record_training(
            admin,
            held_on="2025-06-14",
            topic="Asesmen",
            organiser="Dinsos",
            hours=6,
            worker_ids=[*thirty, 9999],
        )
    assert TrainingSession.select().count() == TrainingAttendance.select().count() == 0


def test_training_by_kecamatan_takes_its_active_workers(admin: Actor, thirty: list[int]) -> None:
    workers.add_worker(admin, kind="psm", name="Orang Karawaci", kelurahan="Nusa Jaya")
    workers.deactivate_worker(admin, thirty[0], "Berhenti")
    detail = training.record_training(
        admin,
        held_on="2025-06-14",
        topic="Asesmen",
        organiser="Dinsos",
        hours=4,
        kecamatan="Cipondoh",
    )
    assert sorted(w.id for w in detail.workers) == sorted(thirty[1:])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"hours": 0}, "Hours must be more than 0"),
        ({"hours": "lama"}, "Hours must be a number"),
        ({"topic": "  "}, "Give the topic"),
        ({"organiser": ""}, "Give the organiser"),
        ({"held_on": "2099-01-01"}, "once it has taken place"),
        ({"held_on": "14/06/2025"}, "use YYYY-MM-DD"),
        ({"worker_ids": []}, "either the workers or a kecamatan"),
    ],
)
def test_training_input_is_validated(
    admin: Actor, thirty: list[int], values: dict, message: str
) -> None:
    arguments = {
        "held_on": "2025-06-14",
        "topic": "Asesmen",
        "organiser": "Dinsos",
        "hours": 6,
        "worker_ids": thirty[:2],
        **values,
    }
    with pytest.raises(ValidationError, match=message):
        training.record_training(admin, **arguments)
    assert TrainingSession.select().count() == 0


def test_inactive_worker_only_for_trainings_before_leaving(admin: Actor, thirty: list[int]) -> None:
    workers.deactivate_worker(admin, thirty[0], "Berhenti")
    left = dt.date.today() - dt.timedelta(days=10)
    Worker.update(inactive_on=left).where(Worker.id == thirty[0]).execute()
    with pytest.raises(ValidationError, match="was inactive on"):
        training.record_training(
            admin,
            held_on=left + dt.timedelta(days=1),
            topic="Asesmen",
            organiser="Dinsos",
            hours=2,
            worker_ids=[thirty[0]],
        )
    past = dt.date.today() - dt.timedelta(days=30)
    detail = training.record_training(
        admin, held_on=past, topic="Asesmen", organiser="Dinsos", hours=2, worker_ids=[thirty[0]]
    )
    assert [w.id for w in detail.workers] == [thirty[0]]


def test_only_admin_records_training(admin: Actor, thirty: list[int]) -> None:
    operator = make_user(admin, "op", "operator")
    with pytest.raises(PermissionDenied):
        training.record_training(
            operator,
            held_on="2025-06-14",
            topic="Asesmen",
            organiser="Dinsos",
            hours=2,
            worker_ids=thirty[:1],
        )


def test_untrained_and_lists(admin: Actor, thirty: list[int]) -> None:
    karawaci = workers.add_worker(admin, kind="psm", name="Orang Karawaci", kelurahan="Nusa Jaya")
    first = training.record_training(
        admin,
        held_on="2025-01-10",
        topic="Dasar PSM",
        organiser="Kemensos",
        hours=8,
        worker_ids=thirty[:10],
    )
    second = training.record_training(
        admin,
        held_on="2025-03-10",
        topic="Lanjutan",
        organiser="Dinsos",
        hours=4,
        worker_ids=thirty[5:20],
    )

    assert {w.id for w in training.untrained_workers()} == {*thirty[20:], karawaci.id}
    assert {w.id for w in training.untrained_workers("Cipondoh")} == set(thirty[20:])
    assert [w.id for w in training.untrained_workers("Karawaci")] == [karawaci.id]
    assert [(t.id, t.attendees) for t in training.list_trainings()] == [
        (second.training.id, 15),
        (first.training.id, 10),
    ]
    assert training.list_trainings("Karawaci") == []
    assert [t.topic for t in training.worker_trainings(thirty[7])] == ["Lanjutan", "Dasar PSM"]
