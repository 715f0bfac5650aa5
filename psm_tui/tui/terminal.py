"""Send the terminal only the cells that changed, as curses does.

Textual repaints whole regions: every line of the screen when a dialog opens or closes, a view
is switched or a table is refilled, and it writes every styled segment with its full SGR
sequence and a reset. Over SSH that was 10-50 KB for a keystroke that changed a few cells.
:class:`ScreenDiff` keeps a copy of what the terminal shows, cell by cell, and rewrites each
frame Textual writes into only the cells that differ, changing the style only where it changes.

It reads the small language Textual's frames are written in (cursor moves, SGR, OSC 8 links,
``\\n`` and text; autowrap is off). Anything else written (mode switches, the alternate screen)
goes through untouched; what may change the screen's content makes it forget its copy, so the
next frames are sent whole: a wrong guess costs bytes, never a wrong screen.
"""

from __future__ import annotations

import os
import re

from rich.cells import get_character_cell_size
from textual.drivers.linux_driver import LinuxDriver

TOKEN = re.compile(
    r"\x1b\[(\d+);(\d+)H"  # 1, 2: cursor move
    r"|\x1b\[([0-9;]*)m"  # 3: SGR
    r"|(\x1b\]8;[^\x1b\x07]*\x1b\\)"  # 4: OSC 8 hyperlink start or end
    r"|(\n)"  # 5: next line
    r"|([^\x00-\x1f\x7f-\x9f]+)"  # 6: printable text
    r"|(.)",  # 7: anything else: not a frame
    re.S,
)
# Writes that change modes, never what the screen shows (the alternate screen is excluded).
HARMLESS = re.compile(
    r"(?:\x1b\[\?(?!(?:1049|1047|47)\D)[0-9;]*(?:[hl]|\$p)"  # private modes, mode queries
    r"|\x1b\](?:22|52);[^\x07\x1b]*\x07"  # pointer shape, clipboard
    r"|\x07"  # bell
    r"|\x1b\[[<>][0-9;]*u)+"  # keyboard protocol
)
LINK_END = "\x1b]8;;\x1b\\"
GAP = 4  # unchanged cells rewritten rather than moving the cursor over them (a move is ~8 bytes)

Cell = tuple[str, str, str]  # text ("" for the right half of a wide character), SGR, link


class ScreenDiff:
    """What the terminal shows (a missing cell: unknown) and the rewriting of frames against it."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.cursor = ""  # the cursor move that ended the last frame sent

    def invalidate(self) -> None:
        """Forget the screen: the next frames are sent whole."""
        self.cells.clear()
        self.cursor = ""

    def frame(self, data: str) -> str:
        """``data`` as it should be sent: only the changed cells of a frame, or unchanged."""
        if HARMLESS.fullmatch(data):
            return data
        desired = self._parse(data)
        if desired is None:
            self.invalidate()
            return data
        cells, final_move = desired
        if not cells:
            return data
        changes = self._emit(cells)
        if changes:
            self.cursor = final_move
            return changes + final_move
        if final_move == self.cursor:
            return ""  # a repaint that changes nothing
        self.cursor = final_move
        return final_move

    def _parse(self, data: str) -> tuple[dict[tuple[int, int], Cell], str] | None:
        """The cells ``data`` paints and the cursor move it ends with; ``None`` if it is not a
        frame."""
        cells: dict[tuple[int, int], Cell] = {}
        y = x = 0
        sgr = link = final_move = ""
        for match in TOKEN.finditer(data):
            kind = match.lastindex
            if kind == 2:
                y, x = int(match[1]) - 1, int(match[2]) - 1
                final_move = match[0]
            elif kind == 3:
                sgr = "" if match[3] in ("", "0") else match[3]
            elif kind == 4:
                link = "" if match[4] == LINK_END else match[4]
            elif kind == 5:
                y, x = y + 1, 0
            elif kind == 6:
                final_move = ""
                for char in match[6]:
                    width = get_character_cell_size(char)
                    if width == 0:  # a combining mark joins the cell before it
                        before = cells.get((y, x - 1))
                        if before is None:
                            return None
                        cells[(y, x - 1)] = (before[0] + char, before[1], before[2])
                        continue
                    cells[(y, x)] = (char, sgr, link)
                    if width == 2:
                        cells[(y, x + 1)] = ("", sgr, link)
                    x += width
            else:
                return None
        return cells, final_move

    def _emit(self, desired: dict[tuple[int, int], Cell]) -> str:
        shown = self.cells
        rows: dict[int, list[int]] = {}
        for y, x in desired:
            rows.setdefault(y, []).append(x)
        out: list[str] = []
        sgr = link = ""
        for y in sorted(rows):
            columns = sorted(rows[y])
            runs: list[list[int]] = []
            for x in columns:
                if shown.get((y, x)) == desired[(y, x)]:
                    continue
                if desired[(y, x)][0] == "" and (y, x - 1) in desired:
                    x -= 1  # the right half of a wide character: rewrite the character
                if (
                    runs
                    and x - runs[-1][1] <= GAP + 1
                    and all((y, i) in desired for i in range(runs[-1][1] + 1, x))
                ):
                    runs[-1][1] = max(runs[-1][1], x)
                else:
                    runs.append([x, x])
            for start, end in runs:
                out.append(f"\x1b[{y + 1};{start + 1}H")
                for x in range(start, end + 1):
                    text, cell_sgr, cell_link = desired[(y, x)]
                    if not text:
                        continue
                    if cell_link != link:
                        out.append(cell_link or LINK_END)
                        link = cell_link
                    if cell_sgr != sgr:  # SGR codes are absolute: reset, then set
                        reset = "0;" if sgr and cell_sgr else "0" if sgr else ""
                        out.append(f"\x1b[{reset}{cell_sgr}m")
                        sgr = cell_sgr
                    out.append(text)
            for x in columns:
                self._store(y, x, desired[(y, x)])
        if link:
            out.append(LINK_END)
        if sgr:
            out.append("\x1b[0m")
        return "".join(out)

    def _store(self, y: int, x: int, cell: Cell) -> None:
        """Record ``cell``; a wide character it half overwrote is gone on the terminal."""
        shown = self.cells
        old = shown.get((y, x))
        if old is not None and old != cell:
            if old[0] == "":
                shown.pop((y, x - 1), None)
            elif shown.get((y, x + 1), ("x",))[0] == "" and cell[0] != "":
                shown.pop((y, x + 1), None)
        shown[(y, x)] = cell


class DiffDriver(LinuxDriver):
    """The Linux driver, writing frames through a :class:`ScreenDiff`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.diff = ScreenDiff()
        self._shown_size: os.terminal_size | None = None

    def write(self, data: str) -> None:
        try:
            size = os.get_terminal_size(self._file.fileno())
        except (OSError, ValueError):
            size = None
        if size != self._shown_size or size is None:  # a resize may have cleared or cut cells
            self._shown_size = size
            self.diff.invalidate()
        out = self.diff.frame(data)
        if out:
            super().write(out)
