"""What the CLI says about the files it wrote."""

from __future__ import annotations

from psm_tui.core.files.output import Output
from psm_tui.core.outbox import OutboxOutput, fetch_hint
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number


def written_text(rows: int, output: Output) -> str:
    """``12 rows written to FILE``, and for the outbox how to fetch it."""
    text = _("{rows} rows written to {file}").format(
        rows=format_number(rows), file=safe_display(output.label)
    )
    if isinstance(output, OutboxOutput):
        text += ". " + fetch_hint(output.name)
    return text


def refused_written_text(count: int, output: Output) -> str:
    text = _("{count} refused row(s) written to {path}").format(
        count=format_number(count), path=safe_display(output.label)
    )
    if isinstance(output, OutboxOutput):
        text += ". " + fetch_hint(output.name)
    return text
