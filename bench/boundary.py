"""``python -m bench boundary``: what the import caps cost, measured on the largest files allowed.

The file boundary (``psm_tui/core/files/boundary.py``) lets an import read at most 64 MiB and
200,000 rows, and an XLSX at most 512 MiB unpacked (100:1) with a 64 MiB shared-strings part.
This builds the largest files those caps admit (a CSV and an XLSX of 200,000 valid case rows
padded to the byte caps) and two that they refuse (``/dev/zero`` on standard input, a 2.4 GB
XLSX bomb), runs ``psm import cases`` on each in a process of its own, and prints wall time and
the process's own peak RSS (``VmHWM``, :mod:`bench.rss`, so the fork of a large parent is never
counted). Target: peak RSS ≤ 400 MiB for every file.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from bench.pools import Niks
from bench.rss import CHILD, ENV, read_kib

CACHE = Path(__file__).parent / ".cache" / "boundary"
ROWS = 200_000
CSV_BYTES = 64 * 1024 * 1024 - 64 * 1024  # just under the 64 MiB cap
TARGET_MIB = 400
HEADER = ["Nama", "NIK", "Kelurahan", "Kategori", "Keterangan"]
KELURAHAN = ["Poris Plawad", "Cipondoh", "Ketapang", "Sudimara Jaya", "Karawaci", "Cibodas"]


def _rows(width: int) -> list[list[str]]:
    """200,000 valid case rows whose description pads each line to about ``width`` bytes."""
    rng = random.Random(12)
    niks = Niks()
    rows = []
    for n in range(ROWS):
        sex = "P" if n % 2 else "L"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
        head = [f"Warga Uji {n:06d}", niks("367105", born, sex), rng.choice(KELURAHAN),
                str(rng.randint(1, 26))]  # fmt: skip
        filler = f"kasus {n} " + "membutuhkan pendampingan sosial dan rujukan ke OPD " * 8
        room = max(width - sum(len(v) + 1 for v in head) - 2, 10)
        rows.append([*head, filler[:room]])
    return rows


def largest_csv() -> Path:
    path = CACHE / "cases-at-cap.csv"
    if not path.exists():
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows([HEADER, *_rows(CSV_BYTES // ROWS)])
    return path


def largest_xlsx() -> Path:
    """Every cell a shared string, as Excel writes them, filling the shared-strings part (the
    one a reader must hold whole) close to its 64 MiB cap."""
    path = CACHE / "cases-at-cap.xlsx"
    if path.exists():
        return path
    rng = random.Random(7)
    words = [
        "bantuan",
        "sosial",
        "rujukan",
        "pendampingan",
        "lansia",
        "anak",
        "warga",
        "rumah",
        "sakit",
        "kelurahan",
    ]
    strings: list[str] = []
    sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + _MAIN + '"><sheetData>']
    for number, row in enumerate([HEADER, *_rows(40)], start=1):
        if number > 1:
            row[4] = " ".join(rng.choice(words) for _ in range(28))[:200]
        cells = []
        for column, value in zip("ABCDE", row, strict=True):
            cells.append(f'<c r="{column}{number}" t="s"><v>{len(strings)}</v></c>')
            strings.append(value)
        sheet.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet.append("</sheetData></worksheet>")
    shared = "".join(f"<si><t>{escape(value)}</t></si>" for value in strings)
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": "".join(sheet),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    f'ContentType="{_SHEET_TYPE}.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Kasus" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def bomb() -> Path:
    """An XLSX of 15 MB whose one sheet unpacks to 2.4 GB (the attack of 2026-12)."""
    path = CACHE / "bomb-2400mib.xlsx"
    if not path.exists():
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                chunk = b" " * (1024 * 1024)
                for _ in range(2400):
                    part.write(chunk)
    return path


def _run(
    db: Path, args: list[str], stdin: Path | None, env: dict[str, str]
) -> tuple[int, float, float]:
    rss_file = db.parent / "rss"
    started = time.perf_counter()
    with (stdin or Path(os.devnull)).open("rb") as source:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, "--db", str(db), *args],
            stdin=source,
            capture_output=True,
            env={**env, ENV: str(rss_file)},
        )
    seconds = time.perf_counter() - started
    rss_mib = read_kib(rss_file) / 1024
    return done.returncode, seconds, rss_mib


def run_boundary() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    print("building the files (cached in bench/.cache/boundary) ...", flush=True)
    files = {"csv": largest_csv(), "xlsx": largest_xlsx(), "bomb": bomb()}
    for name, path in files.items():
        print(f"  {name}: {path.stat().st_size / 2**20:,.1f} MiB on disk")
    cases = [
        ("CSV at the caps, --dry-run", ["import", "cases", str(files["csv"]), "--dry-run"], None),
        ("CSV at the caps, import", ["import", "cases", str(files["csv"])], None),
        ("XLSX at the caps, --dry-run", ["import", "cases", str(files["xlsx"]), "--dry-run"], None),
        ("XLSX at the caps, import", ["import", "cases", str(files["xlsx"])], None),
        ("XLSX bomb 2.4 GB (refused)", ["import", "cases", str(files["bomb"]), "--dry-run"], None),
        ("/dev/zero on stdin (refused)", ["import", "cases", "-", "--dry-run"], Path("/dev/zero")),
    ]
    print(f"\n{'file':32} {'exit':>4} {'seconds':>8} {'peak RSS MiB':>13} {'target':>7} result")
    worst = 0.0
    for label, args, stdin in cases:
        with tempfile.TemporaryDirectory(prefix="psm-bench-") as folder:
            env = {
                **os.environ,
                "HOME": folder,
                "XDG_CONFIG_HOME": f"{folder}/.config",
                "XDG_DATA_HOME": f"{folder}/.local/share",
                "XDG_STATE_HOME": f"{folder}/.local/state",
            }
            env.pop("PSM_DATABASE", None)
            db = Path(folder) / "data" / "psm.db"
            code, _s, _r = _run(db, ["init"], None, env)
            assert code == 0, "psm init failed"
            code, seconds, rss = _run(db, args, stdin, env)
        worst = max(worst, rss)
        verdict = "PASS" if rss <= TARGET_MIB else "MISS"
        print(f"{label:32} {code:>4} {seconds:>8.1f} {rss:>13.1f} {TARGET_MIB:>7} {verdict}")
    return 0 if worst <= TARGET_MIB else 1
