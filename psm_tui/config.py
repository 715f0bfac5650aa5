"""Settings: CLI flag > PSM_* environment > config file > defaults.

The service account (who may use ``--as``) is read only from the system-wide file, never from the
environment or a user's file: otherwise any user could name themselves the service account.
``PSM_SYSTEM_CONFIG`` may name another system-wide file (a second instance, the SSH test), but it
is honoured only for a regular file owned by root that nobody else can write: only root could have
written the service account into it. Otherwise ``/etc/psm-tui/config.toml`` is read as usual.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

APP_NAME = "psm-tui"
SYSTEM_CONFIG = Path("/etc/psm-tui/config.toml")
SYSTEM_CONFIG_ENV = "PSM_SYSTEM_CONFIG"


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "psm.db"


def demo_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo.db"


@dataclass(frozen=True)
class Settings:
    database: str = ""
    lang: str = "id"
    followup_due_days: int = 14
    incentive_amount: int = 500_000
    service_account: str = ""
    service_group_mode: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    # Reports: a kelurahan with more open cases per active PSM than this is flagged overloaded.
    overload_threshold: int = 10
    # Dated changes of the monthly PSM incentive, ("YYYY-MM", rupiah). ``incentive_amount`` is the
    # rate in force since the last of these changes (so changing it alone moves that rate).
    incentive_rates: tuple[tuple[str, int], ...] = (("2017-01", 350_000), ("2020-01", 500_000))
    # The file boundary (core/files/boundary.py). Empty folders mean "beside the database".
    backup_dir: str = ""
    outbox_dir: str = ""
    outbox_quota_mib: int = 512  # per person
    outbox_days: int = 7  # files older than this leave the outbox
    import_max_mib: int = 64  # a file to import, checked while reading
    import_max_rows: int = 200_000
    # The TUI sends only the cells that changed (tui/terminal.py); off: Textual's frames as is.
    terminal_diff: bool = True

    @property
    def database_or_default(self) -> str:
        return self.database or str(default_database_path())


_ENV = {
    "database": "PSM_DATABASE",
    "lang": "PSM_LANG",
    "followup_due_days": "PSM_FOLLOWUP_DAYS",
    "terminal_diff": "PSM_TERMINAL_DIFF",
}


_INTEGERS = {
    "followup_due_days",
    "outbox_quota_mib",
    "outbox_days",
    "import_max_mib",
    "import_max_rows",
    "overload_threshold",
    "incentive_amount",
}
_BOOLEANS = {"service_group_mode", "terminal_diff"}  # true: 1, true, yes, on (any case)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _trusted_system_override(path: str) -> dict[str, object] | None:
    """The file ``PSM_SYSTEM_CONFIG`` names, if root owns it and only root can write it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not hang psm
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)  # of the file actually opened, not of whatever the path names later
        if not stat.S_ISREG(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
            return None
        try:
            return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            return {}


def system_settings() -> dict[str, object]:
    """The system-wide layer: ``PSM_SYSTEM_CONFIG`` if trusted, else ``SYSTEM_CONFIG``."""
    override = os.environ.get(SYSTEM_CONFIG_ENV)
    trusted = _trusted_system_override(override) if override else None
    return _read_toml(SYSTEM_CONFIG) if trusted is None else trusted


def load_settings(**overrides: object) -> Settings:
    """Merge the layers; ``overrides`` are CLI flags (``None`` means not given)."""
    known = {f.name for f in fields(Settings)} - {"extra", "service_account"}
    system = system_settings()
    values: dict[str, object] = {}
    for layer in (system, _read_toml(user_config_path())):
        values.update({k: v for k, v in layer.items() if k in known})
    for name, var in _ENV.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    values.update({k: v for k, v in overrides.items() if v is not None and k in known})
    for name in _INTEGERS & values.keys():
        values[name] = int(str(values[name]))
    for name in _BOOLEANS & values.keys():  # service_group_mode: files 0660 for a staff group
        values[name] = str(values[name]).lower() in ("1", "true", "yes", "on")
    settings = Settings(**values)  # type: ignore[arg-type]  # TOML, environment, flags: typed by key
    return replace(settings, service_account=str(system.get("service_account", "")))
