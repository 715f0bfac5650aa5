"""The Follow-ups view: `/` searches, and the line says when only the first rows are shown."""

from __future__ import annotations

import asyncio

from psm_tui.store.models import Case, Client, FollowUp
from psm_tui.tui.views.followups import LIMIT, FollowupsView
from tests.ui.pilot_helpers import SIZE, press, screen_text, type_text


def test_all_follow_ups_say_only_the_first_are_shown(demo_app) -> None:
    assert FollowUp.select().count() > LIMIT

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "3", "F")  # overdue: fewer than the limit, all shown
            overdue = len(app.screen.query_one(FollowupsView).rows)
            assert overdue < LIMIT
            assert f"{overdue} follow-ups · all partners · overdue" in screen_text(app)
            await press(pilot, "F", "F")  # due soon → all
            assert app.screen.query_one(FollowupsView).scope == "all"
            assert f"first {LIMIT} follow-ups · narrow with / or an OPD" in screen_text(app)

    asyncio.run(run())


def test_slash_searches_by_client_name(demo_app) -> None:
    row = FollowUp.select(FollowUp, Case, Client).join(Case).join(Client).first()
    name = row.case.client.name
    expected = FollowUp.select().join(Case).join(Client).where(Client.name.contains(name)).count()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "3", "F", "F", "F")
            await press(pilot, "slash")
            await type_text(pilot, name)
            await press(pilot, "enter")
            view = app.screen.query_one(FollowupsView)
            assert len(view.rows) == expected
            assert {f.case_number for f in view.rows} >= {row.case.number}
            assert f"{expected} follow-ups · all partners" in screen_text(app)
            await press(pilot, "slash", "escape")  # escape clears the search
            assert len(view.rows) > expected

    asyncio.run(run())
