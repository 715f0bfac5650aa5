"""Settings: CLI flag > PSM_* environment > config file > defaults.

The service account (who may use ``--as``) is read only from the system-wide file, never from the
environment or a user's file: otherwise any user could name themselves the service account.
``PSM_SYSTEM_CONFIG`` may name another system-wide file (a second instance, the SSH test), but it
is honoured only for a regular file owned by root that nobody else can write: only root could have
written the service account into it. Otherwise ``/etc/psm-tui/config.toml`` is read as usual.
"""

from __future__ import annotations

import os
import re
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
    # Who is paid: "roster" (every PSM active on the roster that month) or "activity" (only a
    # PSM with a note, visit or call that month). Named on the daftar nominatif.
    incentive_rule: str = "roster"
    # The daftar nominatif's heading, legal basis, place and signature boxes (title, name, NIP).
    incentive_heading: tuple[str, ...] = ("PEMERINTAH KOTA TANGERANG", "DINAS SOSIAL")
    incentive_basis: str = (
        "Keputusan Wali Kota Tangerang tentang Pemberian Insentif Pekerja Sosial Masyarakat"
    )
    incentive_place: str = "Tangerang"
    incentive_signatories: tuple[tuple[str, str, str], ...] = (
        ("Mengetahui,\nKepala Dinas Sosial", "", ""),
        ("Pejabat Pelaksana Teknis Kegiatan", "", ""),
        ("Bendahara Pengeluaran", "", ""),
    )
    # The file boundary (core/files/boundary.py). Empty folders mean "beside the database".
    backup_dir: str = ""
    outbox_dir: str = ""
    outbox_quota_mib: int = 512  # per person
    outbox_days: int = 7  # files older than this leave the outbox
    import_max_mib: int = 64  # a file to import, checked while reading
    import_max_rows: int = 200_000
    # The TUI sends only the cells that changed (tui/terminal.py); off: Textual's frames as is.
    terminal_diff: bool = True
    # Letters (presentation/letters.py): the register's number pattern (fields n, year, month,
    # month_roman), the letterhead's lines, where letters are signed and who signs them.
    letter_number_pattern: str = "{n:03d}/Dinsos/{month_roman}/{year}"
    letterhead: tuple[str, ...] = ("PEMERINTAH KOTA TANGERANG", "DINAS SOSIAL")
    letter_place: str = "Tangerang"
    signatory_title: str = "Kepala Dinas Sosial Kota Tangerang"
    signatory_name: str = ""
    signatory_nip: str = ""

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


class ConfigError(Exception):
    """A settings file or variable psm cannot use: stopping beats running on silent defaults.

    Facts only (this foundation module has no translations): the CLI words them in the user's
    language. ``setting`` is None when the file itself is not valid TOML."""

    exit_code = 78  # EX_CONFIG (sysexits.h)

    def __init__(
        self, source: str, line: int | None, setting: str | None = None, value: str = ""
    ) -> None:
        super().__init__(source, line, setting, value)
        self.source, self.line, self.setting, self.value = source, line, setting, value


@dataclass(frozen=True)
class _Layer:
    """One source of settings: a file (with its text, to name a setting's line) or a variable."""

    source: str
    values: dict[str, object]
    text: str = ""

    def line_of(self, setting: str) -> int | None:
        pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(setting)}[\"']?[ \t]*=", re.MULTILINE)
        found = pattern.search(self.text)
        return self.text.count("\n", 0, found.start()) + 1 if found else None


_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _parse(data: bytes, source: str) -> _Layer:
    """A file's settings; a file that is not UTF-8 TOML raises :class:`ConfigError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(source, data.count(b"\n", 0, error.start) + 1) from None
    try:
        return _Layer(source, tomllib.loads(text), text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else text.count("\n") + 1  # "at end of document"
        raise ConfigError(source, line) from None


def _read_toml(path: Path) -> _Layer:
    """A file that is absent or not open to this user adds nothing (the system file may be
    readable by the staff group only)."""
    try:
        data = path.read_bytes()
    except OSError:
        return _Layer(str(path), {})
    return _parse(data, str(path))


def _trusted_system_override(path: str) -> _Layer | None:
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
            data = fh.read()
        except OSError:
            return _Layer(path, {})
    return _parse(data, path)


def _system_layer() -> _Layer:
    """``PSM_SYSTEM_CONFIG`` if trusted, else ``SYSTEM_CONFIG``."""
    override = os.environ.get(SYSTEM_CONFIG_ENV)
    trusted = _trusted_system_override(override) if override else None
    return _read_toml(SYSTEM_CONFIG) if trusted is None else trusted


def load_settings(**overrides: object) -> Settings:
    """Merge the layers; ``overrides`` are CLI flags (``None`` means not given).

    Raises :class:`ConfigError` for a file that is not valid TOML or a number that is not one."""
    known = {f.name for f in fields(Settings)} - {"extra", "service_account"}
    system = _system_layer()
    values: dict[str, object] = {}
    origin: dict[str, _Layer] = {}
    for layer in (system, _read_toml(user_config_path())):
        for name in known & layer.values.keys():
            values[name], origin[name] = layer.values[name], layer
    for name, var in _ENV.items():
        if os.environ.get(var):
            values[name], origin[name] = os.environ[var], _Layer(var, {})
    values.update({k: v for k, v in overrides.items() if v is not None and k in known})
    for name in _INTEGERS & values.keys():
        values[name] = _whole_number(name, values[name], origin.get(name))
    for name in _BOOLEANS & values.keys():  # service_group_mode: files 0660 for a staff group
        values[name] = str(values[name]).lower() in ("1", "true", "yes", "on")
    letterhead = values.get("letterhead")
    if isinstance(letterhead, list):  # TOML gives a list; settings are frozen
        values["letterhead"] = tuple(str(line) for line in letterhead)
    settings = Settings(**values)  # type: ignore[arg-type]  # TOML, environment, flags: typed by key
    return replace(settings, service_account=str(system.values.get("service_account", "")))


def _whole_number(name: str, value: object, layer: _Layer | None) -> int:
    if not isinstance(value, bool):  # TOML's true is no number, though int(True) would be 1
        try:
            return int(str(value))
        except ValueError:
            pass
    source = layer.source if layer else name
    raise ConfigError(source, layer.line_of(name) if layer else None, name, str(value))
