"""Where psm may write a file a user named (exports, reports, backups).

psm runs as whoever started it; over SSH that is the shared service account. A file written into
an SSH folder could replace ``authorized_keys`` (a free-text field holding a key line would then
open a shell), and a file written over the database would destroy it: both are refused.
"""

from __future__ import annotations

from pathlib import Path

from psm_tui import backend
from psm_tui.database import db
from psm_tui.i18n import _
from psm_tui.services.errors import ValidationError


def _refuse_ssh_files(target: Path, field: str) -> None:
    if ".ssh" in target.parts or target.name.startswith("authorized_keys"):
        raise ValidationError(
            _("{path} is an SSH file; psm does not touch it").format(path=target), field
        )


def check_input_path(path: str | Path) -> Path:
    """A file to import: anything readable except SSH files (an import echoes refused rows)."""
    target = Path(path).expanduser().resolve()
    _refuse_ssh_files(target, "file")
    return target


def check_output_path(path: str | Path) -> Path:
    """The resolved target, or a refusal saying why it may not be written."""
    target = Path(path).expanduser().resolve()
    _refuse_ssh_files(target, "output")
    live = getattr(db.obj, "database", None) if db.obj is not None else None
    if live and backend.is_sqlite(db.obj):
        sidecars = {p.resolve() for p in backend.sidecar_files(Path(live))}
        if target in sidecars:
            raise ValidationError(
                _("{path} is the live database itself; give another file").format(path=target),
                "output",
            )
    return target
