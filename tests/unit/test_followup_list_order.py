"""A limited follow-up list (read a status at a time in index order, then merged) holds exactly
the first rows of the whole list in its order: open first, by due date with none last, then id."""

from __future__ import annotations

from pathlib import Path

from psm_tui.core import followups, users
from psm_tui.core.followups import FollowUpFilter
from psm_tui.core.labels import FOLLOWUP_OPEN
from psm_tui.store.models import FollowUp
from tests.conftest import make_user

FILTERS = [
    FollowUpFilter(),
    FollowUpFilter(open_only=True),
    FollowUpFilter(overdue=True),
    FollowUpFilter(status=("selesai", "dikirim")),
    FollowUpFilter(opd="dinkes"),
    FollowUpFilter(search="a"),
]


def test_limited_lists_are_the_head_of_the_whole_list(demo_db: Path) -> None:
    # Some follow-ups without a due date, open and closed, and many sharing one date.
    ids = [f.id for f in FollowUp.select(FollowUp.id).order_by(FollowUp.id)]
    FollowUp.update(due_on=None).where(FollowUp.id.in_(ids[::7])).execute()
    shared = FollowUp.select(FollowUp.due_on).where(FollowUp.due_on.is_null(False)).first()
    FollowUp.update(due_on=shared.due_on).where(FollowUp.id.in_(ids[3::5])).execute()
    admin = users.actor_for("tester")
    scoped = make_user(admin, "op_periuk", "operator", kecamatan="Periuk")
    statuses = {f.status for f in followups.list_followups(limit=None)}
    assert statuses > set(FOLLOWUP_OPEN)  # closed ones too, so both groups are merged
    for actor in (admin, scoped):
        for filters in FILTERS:
            whole = [f.id for f in followups.list_followups(filters, limit=None, actor=actor)]
            assert whole, filters
            for limit in (1, 7, len(whole) // 2, len(whole), len(whole) + 5):
                head = followups.list_followups(filters, limit=limit, actor=actor)
                assert [f.id for f in head] == whole[:limit], (actor.username, filters, limit)
    # The whole list is ordered as promised: open first, by due date (none last), then id.
    rows = followups.list_followups(limit=None)
    keys = [(f.status not in FOLLOWUP_OPEN, f.due_on is None, f.due_on, f.id) for f in rows]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], k[2] or 0, k[3]))
