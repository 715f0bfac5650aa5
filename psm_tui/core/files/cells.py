"""Text made safe for a spreadsheet cell: what any file psm writes (an export, an import's
rejected rows) must not turn into a formula or break the XML of an XLSX."""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so XLSX) cannot hold; a note may carry an escape sequence.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` where it would start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return ILLEGAL_CHARACTERS.sub("", text)
