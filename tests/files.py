"""Reading and writing test files through the file boundary, as the CLI does."""

from __future__ import annotations

from pathlib import Path

from psm_tui.core.dto import Actor
from psm_tui.core.files.boundary import DEFAULT_LIMITS
from psm_tui.core.files.input import open_path
from psm_tui.core.files.output import FileOutput, Output, StdoutOutput
from psm_tui.core.imports import run as importing
from psm_tui.core.imports.run import ImportResult
from psm_tui.presentation.exports import ExportRequest, ExportResult, run_export


def output(path: str | Path) -> Output:
    """``-`` is standard output; anything else a file replaced if it exists."""
    if str(path) == "-":
        return StdoutOutput()
    path = Path(path)
    return FileOutput(path.parent, path.name, force=True)


def export(
    actor: Actor, request: ExportRequest, path: str | Path, **options: object
) -> ExportResult:
    return run_export(actor, request, output(path), **options)  # type: ignore[arg-type]


def import_path(actor: Actor, kind: str, path: Path, **options: object) -> ImportResult:
    with open_path(Path(path), DEFAULT_LIMITS.max_bytes) as source:
        return importing.import_file(actor, kind, source, **options)  # type: ignore[arg-type]


def report(result: ImportResult, source: Path, target: Path) -> int:
    with open_path(source, DEFAULT_LIMITS.max_bytes) as file:
        return importing.write_report(
            result, file, output(target), xlsx=target.suffix.lower() == ".xlsx"
        )
