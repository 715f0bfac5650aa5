"""The screen diff (psm_tui/tui/terminal.py): what it sends leaves the terminal showing exactly
what Textual's whole frames would have, and a keystroke sends only the cells it changed.

A small terminal model (below, independent of the diff's own parser) replays both streams.
"""

from __future__ import annotations

import asyncio
import re

from rich.cells import get_character_cell_size

from psm_tui.tui.compat_textual import full_frame
from psm_tui.tui.terminal import LINK_END, ScreenDiff
from tests.ui.pilot_helpers import SIZE, press, settle

SEQUENCE = re.compile(
    r"\x1b\[(\d+);(\d+)H|\x1b\[([0-9;]*)m|(\x1b\]8;[^\x1b]*\x1b\\)|(\n)|(\x1b[^a-zA-Z]*[a-zA-Z])|(.)",
    re.S,
)


class Terminal:
    """Cells (text, attributes) after a stream: cursor moves, SGR, text; autowrap off."""

    def __init__(self, width: int = 80) -> None:
        self.width = width
        self.cells: dict[tuple[int, int], tuple[str, tuple[str, ...]]] = {}
        self.y = self.x = 0
        self.attributes: tuple[str, ...] = ()

    def feed(self, data: str) -> None:
        for match in SEQUENCE.finditer(data):
            if match[1]:
                self.y, self.x = int(match[1]) - 1, int(match[2]) - 1
            elif match[3] is not None:
                attributes = list(self.attributes)
                for code in (match[3] or "0").split(";"):
                    attributes = [] if code == "0" else [*attributes, code]
                self.attributes = tuple(attributes)
            elif match[5]:
                self.y += 1
            elif match[7]:
                char = match[7]
                width = get_character_cell_size(char)
                if width == 0:
                    text, attributes = self.cells[(self.y, self.x - 1)]
                    self.cells[(self.y, self.x - 1)] = (text + char, attributes)
                    continue
                self.cells[(self.y, self.x)] = (char, self.attributes)
                if width == 2:
                    self.cells[(self.y, self.x + 1)] = ("", self.attributes)
                self.x = min(self.x + width, self.width - 1)

    def rows(self) -> set[int]:
        return {y for y, _x in self.cells}


def replay(frames: list[str]) -> tuple[Terminal, Terminal, list[str]]:
    """Both terminals after ``frames``, and what the diff sent for each."""
    whole, diffed, diff = Terminal(), Terminal(), ScreenDiff()
    sent = []
    for frame in frames:
        whole.feed(frame)
        out = diff.frame(frame)
        diffed.feed(out)
        sent.append(out)
    return whole, diffed, sent


BLUE = "\x1b[38;5;253;48;5;17m"
BOLD = "\x1b[1;38;5;253;48;5;17m"


def line(y: int, *parts: tuple[str, str]) -> str:
    """A line as Textual writes it: a move, then every segment styled and reset."""
    return f"\x1b[{y};1H" + "".join(f"{sgr}{text}\x1b[0m" if sgr else text for sgr, text in parts)


def test_an_unchanged_repaint_sends_nothing() -> None:
    cells = [(BOLD, "Kasus")] + [(BLUE, " "), (BLUE, "1,000,000"), (BLUE, " ")] * 3
    frame = line(1, *cells) + "\n" + line(2, ("", "baris dua")) + "\x1b[1;1H"
    whole, diffed, sent = replay([frame, frame])
    assert sent[0] == (
        "\x1b[1;1H\x1b[1;38;5;253;48;5;17mKasus"
        "\x1b[0;38;5;253;48;5;17m 1,000,000  1,000,000  1,000,000 "
        "\x1b[2;1H\x1b[0mbaris dua\x1b[1;1H"
    )  # one SGR per change of style, not a set and a reset per segment
    assert sent[1] == ""
    assert diffed.cells == whole.cells


def test_a_changed_cell_is_sent_alone_with_its_style() -> None:
    before = line(1, (BLUE, "Kasus 2026-000001 Siti"))
    after = line(1, (BLUE, "Kasus 2026-000002 Siti"))
    whole, diffed, sent = replay([before, after])
    assert sent[1] == "\x1b[1;17H\x1b[38;5;253;48;5;17m2\x1b[0m"
    assert diffed.cells == whole.cells


def test_a_style_change_alone_is_sent() -> None:
    whole, diffed, sent = replay([line(3, (BLUE, "abc")), line(3, (BOLD, "abc"))])
    assert sent[1] == "\x1b[3;1H\x1b[1;38;5;253;48;5;17mabc\x1b[0m"
    assert diffed.cells == whole.cells


def test_wide_characters_and_combining_marks_land_where_textual_put_them() -> None:
    frames = [
        line(1, (BLUE, "Nama: 李小龙 Jos\u0301e ok")),
        line(1, (BLUE, "Nama: 李大龙 Jos\u0301e ok")),
        line(1, (BLUE, "Nama: abcdef Jos\u0301e ok")),
        line(1, (BLUE, "Nama: abcdef Jose ok")),
    ]
    whole, diffed, sent = replay(frames)
    assert "大" in sent[1] and "Jos" not in sent[1]
    assert diffed.cells == whole.cells


def test_other_writes_pass_through_and_unknown_ones_make_it_forget_the_screen() -> None:
    diff = ScreenDiff()
    frame = line(1, (BLUE, "tetap"))
    diff.frame(frame)
    for mode in (
        "\x1b[?25l",
        "\x1b[?1000h\x1b[?1003h",
        "\x1b]22;default\x07",
        "\x1b[?2026h",
        "\x07",
    ):
        assert diff.frame(mode) == mode
    assert diff.frame(frame) == ""  # modes do not change what the screen shows
    for screen_switch in ("\x1b[?1049h", "\x1b[?47l"):  # another screen: its cells unknown
        assert diff.frame(screen_switch) == screen_switch
        assert "tetap" in diff.frame(frame)
    assert diff.frame("\x1b[2J") == "\x1b[2J"  # not understood: passed on, screen forgotten
    assert "tetap" in diff.frame(frame)


FRAME = (
    line(1, (BOLD, "Kasus"), (BLUE, " 2026-000001 "), ("", "Siti"))
    + "\n"
    + line(2, (BLUE, "baris dua"), ("", " akhir"))
    + line(3, ("", "Nama: 李小龙 ok"))
    + "\x1b[2;4H"
)
BEFORE = line(1, (BLUE, "lain")) + line(2, (BOLD, "berbeda sama sekali")) + "\x1b[1;1H"


def boundaries(frame: str) -> list[int]:
    """Where a write may end: between sequences and inside text, never inside a sequence."""
    cuts = []
    for match in SEQUENCE.finditer(frame):
        cuts.append(match.start())
        if match[7]:
            cuts.append(match.end())
    return sorted(set(cuts) - {0, len(frame)})


def test_a_frame_split_across_two_writes_lands_where_textual_put_it() -> None:
    """Once diffed as a frame of its own, the second half was drawn at the top-left."""
    for cut in boundaries(FRAME):
        first, rest = FRAME[:cut], FRAME[cut:]
        whole, diffed, sent = replay([BEFORE, first, rest, FRAME])
        assert diffed.cells == whole.cells, (cut, first, rest)
        if not rest.startswith("\x1b[") or rest.startswith("\x1b[0m"):
            assert rest in sent[2], cut  # a continuation is sent as is
        assert sent[3] == ""  # and its cells are known: the same frame again sends nothing


def test_a_continuation_split_three_ways_keeps_its_style_and_link() -> None:
    link = "\x1b]8;id=1;https://x\x1b\\"
    parts = [
        line(1, (BLUE, "lain")) + f"\x1b[1;8H{BOLD}{link}ta",
        "ut",
        "an" + LINK_END + "\x1b[0m",
    ]
    whole, diffed, sent = replay([BEFORE, *parts])
    assert diffed.cells == whole.cells
    assert sent[2].endswith("ut" + LINK_END + "\x1b[0m")  # the diff's next output starts unstyled


def test_text_before_any_move_with_nothing_known_goes_out_as_is() -> None:
    diff = ScreenDiff()
    assert diff.frame("halo") == "halo"
    assert diff.frame("\nhalo") == "\nhalo"
    assert "tetap" in diff.frame(line(1, (BLUE, "tetap")))


def test_a_cursor_move_in_the_case_list_sends_two_rows_and_the_preview(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            before = full_frame(app)
            await press(pilot, "j")
            after = full_frame(app)
            whole, diffed, sent = replay([before, after])
            assert diffed.cells == whole.cells
            changed = Terminal()
            changed.feed(sent[1])
            # rows 4 and 5 (the old and new cursor rows) and row 23, the preview of the case
            assert changed.rows() == {3, 4, 22}
            assert len(sent[1].encode()) < 1024

    asyncio.run(run())


def test_a_dialog_leaves_the_screen_behind_it_as_it_was(demo_app) -> None:
    """No dimmed backdrop: opening the note dialog sends the dialog, not the whole screen."""

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            before = full_frame(app)
            await press(pilot, "c")
            await settle(pilot)
            after = full_frame(app)
            whole, diffed, sent = replay([before, after])
            assert diffed.cells == whole.cells
            assert "Note on case" in sent[1]
            opened = Terminal()
            opened.feed(sent[1])
            untouched = [y for y in range(24) if y not in opened.rows()]
            assert 0 in untouched  # the view tabs stay as they were
            assert len(sent[1].encode()) < 8 * 1024

    asyncio.run(run())
