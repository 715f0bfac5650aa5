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

A write that is not a whole frame (text before any cursor move: the rest of a frame split across
writes) is sent as is, after a move and a style that put the terminal where the unchanged stream
would have left it; the diff's own output moves the cursor and resets the style.
It is on by default and off with ``terminal_diff = false`` (or ``PSM_TERMINAL_DIFF=0``);
:func:`forget_screen` (``ctrl+l``, a resize) makes the next frame go out whole.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from rich.cells import get_character_cell_size
from textual.app import App
from textual.driver import Driver

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
Pen = tuple[int, int, str, str]  # where the unchanged stream leaves the terminal: y, x, SGR, link


def _unstyle(pen: Pen | None) -> str:
    """What ends the style and link ``pen`` leaves on: the diff's output starts from none."""
    if pen is None:
        return ""
    return (LINK_END if pen[3] else "") + ("\x1b[0m" if pen[2] else "")


class ScreenDiff:
    """What the terminal shows (a missing cell: unknown) and the rewriting of frames against it."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.cursor = ""  # the cursor move that ended the last frame sent
        self.pen: Pen | None = None  # None: unknown (nothing parsed yet, or a write not understood)

    def invalidate(self) -> None:
        """Forget the screen: the next frames are sent whole."""
        self.cells.clear()
        self.cursor = ""

    def frame(self, data: str) -> str:
        """``data`` as it should be sent: only the changed cells of a frame, or unchanged."""
        if HARMLESS.fullmatch(data):
            return data
        pen = self.pen
        parsed = self._parse(data, pen)
        if parsed is None:
            self.invalidate()
            self.pen = None
            return data
        cells, final_move, continues, self.pen = parsed
        if continues and pen is not None:
            self.cursor = final_move  # the resets after it do not move the cursor
            return self._as_is(data, cells, pen)
        if not cells:
            self.cursor = final_move or self.cursor
            return data + _unstyle(self.pen)
        changes = self._emit(cells)
        if changes:
            self.cursor = final_move
            return changes + final_move
        if final_move == self.cursor:
            return ""  # a repaint that changes nothing
        self.cursor = final_move
        return final_move

    def _as_is(self, data: str, cells: dict[tuple[int, int], Cell], pen: Pen) -> str:
        """The rest of a frame: sent unchanged where the unchanged stream would have drawn it."""
        y, x, sgr, link = pen
        for (cy, cx), cell in sorted(cells.items()):
            self._store(cy, cx, cell)
        restore = f"\x1b[{y + 1};{x + 1}H" + (f"\x1b[0;{sgr}m" if sgr else "\x1b[0m") + link
        return restore + data + _unstyle(self.pen)

    def _parse(
        self, data: str, pen: Pen | None
    ) -> tuple[dict[tuple[int, int], Cell], str, bool, Pen] | None:
        """The cells ``data`` paints, the cursor move it ends with, whether it continues the
        previous write (text before any move), and the pen after it; ``None`` if it is not
        understood."""
        cells: dict[tuple[int, int], Cell] = {}
        y, x, sgr, link = pen or (0, 0, "", "")
        final_move = ""
        placed = continues = False
        for match in TOKEN.finditer(data):
            kind = match.lastindex
            if kind == 2:
                y, x = int(match[1]) - 1, int(match[2]) - 1
                final_move = match[0]
                placed = True
            elif kind == 3:
                sgr = "" if match[3] in ("", "0") else match[3]
            elif kind == 4:
                link = "" if match[4] == LINK_END else match[4]
            elif kind == 5:
                if not placed:
                    if pen is None:
                        return None  # a line at a place not known
                    continues = True
                y, x = y + 1, 0
            elif kind == 6:
                if not placed:
                    if pen is None:
                        return None  # text at a place not known
                    continues = True
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
        return cells, final_move, continues, (y, x, sgr, link)

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


_DIFFS: weakref.WeakKeyDictionary[object, ScreenDiff] = weakref.WeakKeyDictionary()


def forget_screen(app: object) -> None:
    """Make the next frame of ``app`` go out whole (the terminal may show something else)."""
    diff = _DIFFS.get(app)
    if diff is not None:
        diff.invalidate()


class DiffWriter(Driver):
    """A driver mixin writing frames through a :class:`ScreenDiff` (only public Driver API)."""

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.diff = ScreenDiff()
        _DIFFS[app] = self.diff

    def write(self, data: str) -> None:
        out = self.diff.frame(data)
        if out:
            super().write(out)  # type: ignore[safe-super]  # a mixin: the driver after it writes


def diff_driver(base: type[Driver]) -> type[Driver]:
    """``base`` writing through a screen diff."""
    return type(f"Diff{base.__name__}", (DiffWriter, base), {"__doc__": DiffWriter.__doc__})
