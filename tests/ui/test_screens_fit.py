"""Every screen and dialog at 80x24 and 60x20, in both languages (issue 15, acceptance 1).

Fails on a footer hint that is not whole (each hint must read as one of the screen's keys with
its description: "? Bantua" is not), a last footer cell that is not blank, a table header or a
heading cut without an ellipsis ("Pe" for "Permintaan", "Siti Aminah (operator"), and, in the
Indonesian UI, on any of Textual's own English texts.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from textual.widgets import DataTable, Label

from psm_tui.i18n import set_language
from psm_tui.tui.application import PsmApp
from psm_tui.tui.compat_textual import TEXTUAL_TEXTS, textual_text
from psm_tui.tui.widgets.case_table import CaseTable, headers
from psm_tui.tui.widgets.key_footer import KeyFooter
from psm_tui.tui.widgets.view_tabs import ViewTabs
from tests.ui.pilot_helpers import press, screen_text, settle, type_text

# (name, keys from the dashboard); "text:..." types into the focused field.
STEPS = (
    ("dashboard", ()),
    ("help", ("question_mark",)),
    ("cases", ("2",)),
    ("filters", ("2", "F")),
    ("new case", ("2", "n")),
    ("assign", ("2", "a")),
    ("status", ("2", "s")),
    ("follow-up", ("2", "f")),
    ("OPD dropdown", ("2", "f", "enter")),
    ("note", ("2", "c")),
    ("priority", ("2", "p")),
    ("case detail", ("2", "enter")),
    ("detail help", ("2", "enter", "question_mark")),
    ("letter", ("2", "enter", "l")),
    ("client", ("2", "enter", "o")),
    ("household", ("2", "enter", "o", "h")),
    ("follow-ups", ("3",)),
    ("workers", ("4",)),
    ("new worker", ("4", "n")),
    ("worker profile", ("4", "o")),
    ("bank details", ("4", "o", "b")),
    ("reports", ("5",)),
    ("report scope", ("5", "p")),
    ("export", ("5", "e")),
    ("incentive", ("5", "i")),
    ("palette", ("ctrl+p", "text:zzqqxx7")),
)
# Textual's own words, whole: none may show in the Indonesian UI.
ENGLISH = [re.compile(rf"\b{re.escape(text)}") for text in sorted(TEXTUAL_TEXTS)] + [
    re.compile(r"\bSelect\b"),
    re.compile(r"\bDismiss\b"),
]


def footer_problem(app: PsmApp, line: str) -> str | None:
    """Why the footer ``line`` is not made of whole hints of the screen's keys (or None)."""
    hints = {
        f"{app.get_key_display(a.binding)} {textual_text(a.binding.description)}"
        for a in app.screen.active_bindings.values()
        if a.binding.description
    }
    if line and line[-1] != " ":
        return f"the last cell is {line[-1]!r}"
    rest = line.rstrip()
    while rest:
        whole = [h for h in hints if rest.startswith(h) and rest[len(h) : len(h) + 1] in ("", " ")]
        if not whole:
            return f"cut or unknown hint at {rest!r}"
        rest = rest[len(max(whole, key=len)) :].lstrip()
    return None


def cut(shown: str, full: str) -> bool:
    """``shown`` is ``full`` cut short without an ellipsis."""
    shown = shown.strip()
    return shown != full.strip() and not shown.endswith("…")


def problems(app: PsmApp, name: str) -> list[str]:
    lines = screen_text(app).splitlines()
    found = []
    screen = app.screen
    if screen.query(KeyFooter):
        why = footer_problem(app, lines[-1])
        if why:
            found.append(f"{name}: footer {lines[-1]!r}: {why}")
    for table in screen.query(DataTable):
        region = table.region
        if not table.show_header or region.height == 0 or not table.display:
            continue
        header = lines[region.y][region.x : region.right]
        shown = [part for part in re.split(r"\s{2,}", header.strip()) if part]
        for column in table.ordered_columns:
            label = column.label.plain
            if any(part != label and label.startswith(part) for part in shown):
                found.append(f"{name}: header {label!r} cut in {header.strip()!r}")
    for table in screen.query(CaseTable):
        region = table.region
        shown = lines[region.y][region.x : region.right].split() if region.height else []
        for title in headers().values():
            if any(part != title and title.startswith(part) for part in shown):
                found.append(f"{name}: case list header {title!r} cut in {shown}")
    for heading in screen.query(Label).filter(".section"):
        region = heading.region
        if region.height and cut(lines[region.y][region.x : region.right], str(heading.content)):
            found.append(f"{name}: heading {str(heading.content)!r} cut")
    top = lines[0].rstrip()
    if screen.query(ViewTabs) and "(" in top and not top.endswith((")", "…")):
        found.append(f"{name}: top line {top!r} cut")
    return found


async def walk(app: PsmApp, size: tuple[int, int], lang: str) -> list[str]:
    found: list[str] = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name, keys in STEPS:
            for key in keys:
                if key.startswith("text:"):
                    await type_text(pilot, key[5:])
                    await pilot.pause(0.6)  # the palette says "no matches" after half a second
                else:
                    await press(pilot, key)
            await settle(pilot)
            found += problems(app, f"{name} {size} {lang}")
            if lang == "id":
                text = screen_text(app)
                found += [f"{name}: English {p.pattern!r}" for p in ENGLISH if p.search(text)]
            app.back_to_main()
            await press(pilot, "1")
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_every_screen_fits_and_speaks_the_users_language(demo_app, size, lang) -> None:
    set_language(lang)
    assert asyncio.run(walk(demo_app(), size, lang)) == []
