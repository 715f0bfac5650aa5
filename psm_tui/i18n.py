"""The one translation layer: gettext catalogs (Bahasa Indonesia by default) and babel formatting.

Message ids are English, so English needs no catalog; ``locale/id`` holds the Indonesian one.
Regenerate with ``pybabel extract -o psm_tui/locale/psm.pot psm_tui`` then
``pybabel update -i psm_tui/locale/psm.pot -d psm_tui/locale -D psm`` and
``pybabel compile -d psm_tui/locale -D psm``.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")

_state: dict[str, object] = {"lang": "id", "t": None}


def set_language(lang: str) -> str:
    """Switch the process language; unknown codes fall back to Indonesian."""
    lang = lang if lang in LANGUAGES else "id"
    if lang == "en":
        translation: _gettext.NullTranslations = _gettext.NullTranslations()
    else:
        translation = _gettext.translation(
            "psm", localedir=LOCALE_DIR, languages=[lang], fallback=True
        )
    _state.update(lang=lang, t=translation)
    return lang


def current_language() -> str:
    return str(_state["lang"])


def _translations() -> _gettext.NullTranslations:
    """The current language's catalogue (Indonesian until a language is set)."""
    if _state["t"] is None:
        set_language("id")
    translation = _state["t"]
    assert isinstance(translation, _gettext.NullTranslations)
    return translation


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations().gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it cannot be translated yet (class attributes
    built at import, before the reader's language is known); ``_`` translates it later."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def format_date(value: dt.date | None) -> str:
    """``27 Nov 2026`` in Indonesian, ``27 Nov 2026`` in English, ``-`` for nothing."""
    if value is None:
        return "-"
    from babel.dates import format_date as babel_format_date

    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_format_date(value, format="d MMM y", locale=current_language())


def format_month(value: dt.date) -> str:
    """``November 2026``: a month in words, as a document's title names it."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="MMMM y", locale=current_language())


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return f"{format_date(value)} {value:%H:%M}"


def format_rupiah(amount: int) -> str:
    """``Rp500.000`` (Indonesian grouping in both languages: it is the currency's own style)."""
    from babel.numbers import format_decimal

    return "Rp" + format_decimal(amount, format="#,##0", locale="id")


def format_number(value: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0", locale=current_language())


def format_tenths(value: float) -> str:
    """One decimal in the user's style: ``2,5`` in Indonesian, ``2.5`` in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.0", locale=current_language())
