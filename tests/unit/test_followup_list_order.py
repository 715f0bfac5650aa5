"""Follow-up reads rewritten for speed give what they gave: a limited follow-up list (read a
status at a time in index order, then merged) is exactly the head of the whole list (open first,
by due date with none last, then id), and the dashboard's follow-up figures are the counts."""

from __future__ import annotations

from pathlib import Path

from psm_tui.core import dashboard, followups, users
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


def test_dashboard_follow_up_figures_equal_the_follow_up_counts(demo_db: Path) -> None:
    """The dashboard's one-pass counts (within a kecamatan) and its two indexed counts
    (citywide) give what the follow-ups list counts, row by row, in every scope."""
    admin = users.actor_for("tester")
    actors = [admin] + [
        make_user(admin, f"op_{code[-2:]}", "operator", kecamatan=code)
        for code in ("36.71.05", "36.71.08", "36.71.13")
    ]
    for actor in actors:
        figures = dashboard.figures(actor)
        overdue = followups.count_followups(FollowUpFilter(overdue=True), actor)
        soon = followups.count_followups(FollowUpFilter(due_soon=True), actor)
        assert overdue and soon, actor.username  # both counts are exercised
        assert (figures.overdue_followups, figures.due_soon_followups) == (overdue, soon)
