"""The translation layer: Indonesian by default, every message translated, dates and money."""

from __future__ import annotations

import datetime as dt

from psm_tui import locale_tools
from psm_tui.core.labels import status_label
from psm_tui.i18n import format_date, format_rupiah, format_tenths, set_language


def test_every_message_has_an_indonesian_translation() -> None:
    missing = locale_tools.untranslated(locale_tools.read_catalog(), locale_tools.extract())
    assert missing == []


def test_compiled_catalog_matches_the_po_file() -> None:
    expected = locale_tools.compiled_bytes(locale_tools.read_catalog())
    assert locale_tools.MO_FILE.read_bytes() == expected


def test_indonesian_is_the_default_and_english_is_available() -> None:
    set_language("id")
    assert status_label("ditangani") == "ditangani"
    assert status_label("selesai") == "selesai"
    set_language("en")
    assert status_label("ditangani") == "in progress"


def test_dates_and_rupiah_in_the_users_language() -> None:
    set_language("id")
    assert format_date(dt.date(2026, 11, 27)) == "27 Nov 2026"
    assert format_date(dt.date(2026, 12, 3)) == "3 Des 2026"
    assert format_rupiah(500_000) == "Rp500.000"
    set_language("en")
    assert format_date(dt.date(2026, 12, 3)) == "3 Dec 2026"


def test_decimals_in_the_users_language() -> None:
    set_language("id")
    assert format_tenths(2.5) == "2,5"
    assert format_tenths(1234.25) == "1.234,2"
    set_language("en")
    assert format_tenths(2.5) == "2.5"
