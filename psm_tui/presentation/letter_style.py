"""What the office puts on every letter, and the one font rule of the PDFs.

Apart from :mod:`letters` so that the page (:mod:`letter_pdf`) and the documents share it
without importing each other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from psm_tui.config import Settings

_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


@dataclass(frozen=True)
class LetterStyle:
    """The office's part of every letter (psm_tui/config.py)."""

    letterhead: tuple[str, ...]
    place: str
    signatory_title: str
    signatory_name: str
    signatory_nip: str
    pattern: str

    @classmethod
    def of(cls, settings: Settings) -> LetterStyle:
        return cls(
            tuple(settings.letterhead),
            settings.letter_place,
            settings.signatory_title,
            settings.signatory_name,
            settings.signatory_nip,
            settings.letter_number_pattern,
        )


def latin1(text: str) -> str:
    """``text`` as the PDF's standard font can show it."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    out = []
    for ch in folded:
        if ord(ch) < 256 and (ch.isprintable() or ch == "\n"):
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base if base.isprintable() else "?")
    return "".join(out)
