"""Settings: CLI flag > PSM_* environment > config file > defaults.

The service account (who may use ``--as``) is read only from the system-wide file, never from the
environment or a user's file: otherwise any user could name themselves the service account.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

APP_NAME = "psm-tui"
SYSTEM_CONFIG = Path("/etc/psm-tui/config.toml")


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

    @property
    def database_or_default(self) -> str:
        return self.database or str(default_database_path())


_ENV = {"database": "PSM_DATABASE", "lang": "PSM_LANG", "followup_due_days": "PSM_FOLLOWUP_DAYS"}


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def load_settings(**overrides: object) -> Settings:
    """Merge the layers; ``overrides`` are CLI flags (``None`` means not given)."""
    known = {f.name for f in fields(Settings)} - {"extra", "service_account"}
    system = _read_toml(SYSTEM_CONFIG)
    values: dict[str, object] = {}
    for layer in (system, _read_toml(user_config_path())):
        values.update({k: v for k, v in layer.items() if k in known})
    for name, var in _ENV.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    values.update({k: v for k, v in overrides.items() if v is not None and k in known})
    if "followup_due_days" in values:
        values["followup_due_days"] = int(str(values["followup_due_days"]))
    if "service_group_mode" in values:  # files 0660 for a staff group instead of 0600
        flag = str(values["service_group_mode"]).lower()
        values["service_group_mode"] = flag in ("1", "true", "yes", "on")
    settings = Settings(**values)  # type: ignore[arg-type]
    return replace(settings, service_account=str(system.get("service_account", "")))
