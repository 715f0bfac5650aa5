"""Import files for the bench: a CSV and an XLSX of N new case rows as offices write them.

The rows are what ``psm import cases`` accepts without a refusal: Indonesian headers, names and
streets from the bench pools, kelurahan and categories from the shipped reference files, and
valid NIKs whose serials (from :data:`NIK_SERIAL_START`) no generated bench database uses (the
generator numbers each NIK prefix from 1), so every row is a new client. The same ``rows`` and
``seed`` always give the same file. ``python -m bench import-file --rows N PATH`` writes one.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from bench.pools import ANCHOR, DETAILS, FIRST_FEMALE, FIRST_MALE, LAST, STREETS, cum, phone
from psm_tui.core.reference import read_reference
from psm_tui.ops import demo

HEADERS = [
    "Nama", "NIK", "No KK", "Jenis Kelamin", "Tanggal Lahir", "Alamat", "RT", "RW", "Kelurahan",
    "Kecamatan", "No HP", "Kategori PPKS", "Prioritas", "Sumber", "Keterangan", "Tanggal Lapor",
    "Status", "Tanggal Selesai", "Hasil", "DTSEN", "Desil",
]  # fmt: skip
NIK_SERIAL_START = 5001  # bench databases use serials 1.. per prefix (10 at most at 1M)
SOURCES = {
    "datang_langsung": "Datang Langsung", "laporan_psm": "Laporan PSM",
    "laporan_warga": "Laporan Warga", "rujukan_opd": "Rujukan OPD", "hotline": "Hotline",
    "media_sosial": "Media Sosial",
}  # fmt: skip
PRIORITIES = {"darurat": "Darurat", "tinggi": "Tinggi", "normal": "Normal", "rendah": "Rendah"}
STATUSES = {"Baru": 80, "Ditangani": 8, "Selesai": 10, "Ditutup": 2}
REPORT_DAYS = 3 * 365  # report dates spread over the three years before ANCHOR


class _Niks:
    """Valid NIKs unique within the file and absent from every bench database."""

    def __init__(self) -> None:
        self.serials: dict[str, int] = {}

    def __call__(self, region: str, born: dt.date, sex: str) -> str:
        prefix = f"{region}{born.day + (40 if sex == 'P' else 0):02d}{born:%m%y}"
        serial = self.serials.get(prefix, NIK_SERIAL_START - 1) + 1
        if serial > 9999:
            raise RuntimeError(f"NIK serials exhausted for {prefix}")
        self.serials[prefix] = serial
        return f"{prefix}{serial:04d}"


def case_rows(rows: int, seed: int = 1) -> Iterator[list[object]]:
    """``rows`` case rows in :data:`HEADERS` order; dates are ``datetime.date`` (a CSV writes
    them dd/mm/yyyy, an XLSX as date cells), everything else text."""
    rng = random.Random(seed)
    niks = _Niks()
    kelurahan = read_reference("kelurahan.csv")
    categories = {int(r["kode"]): r["nama"] for r in read_reference("ppks_kategori.csv")}
    cat_keys, cat_cum = cum(demo.CATEGORY_WEIGHTS)
    pri_keys, pri_cum = cum(demo.PRIORITY_WEIGHTS)
    src_keys, src_cum = cum(demo.SOURCE_WEIGHTS)
    status_keys, status_cum = cum(STATUSES)
    today = ANCHOR.date()
    seen: set[tuple[object, ...]] = set()  # rows without a NIK must still differ
    for _ in range(rows):
        category = rng.choices(cat_keys, cum_weights=cat_cum)[0]
        kel = rng.choice(kelurahan)
        sex = "P" if category in (10, 23) else rng.choice("LP")
        born = demo._birth_date(rng, category, today)
        first = rng.choice(FIRST_FEMALE if sex == "P" else FIRST_MALE)
        name = f"{first} {rng.choice(LAST)}"
        if rng.random() < 0.2:
            second = rng.choice(FIRST_FEMALE if sex == "P" else FIRST_MALE)
            name = f"{first} {second} {rng.choice(LAST)}"
        reported = today - dt.timedelta(days=rng.randrange(1, REPORT_DAYS))
        description = rng.choice(demo.CATEGORY_DESCRIPTIONS[category] + demo.ANY_CASE_DESCRIPTIONS)
        if rng.random() < 0.6:
            description += " " + rng.choice(DETAILS)
        has_nik = rng.random() > (0.5 if category in (4, 11, 12, 13) else 0.1)
        identity = (name, born, kel["kode"], category, reported, description)
        if identity in seen:
            has_nik = True
        seen.add(identity)
        region = kel["kode_kecamatan"].replace(".", "")
        nik = niks(region, born, sex) if has_nik else ""
        issued = today - dt.timedelta(days=rng.randint(100, 5000))
        kk = f"{region}{issued:%d%m%y}{rng.randint(1, 9999):04d}" if has_nik else ""
        status = rng.choices(status_keys, cum_weights=status_cum)[0]
        finished = status in ("Selesai", "Ditutup")
        closed = reported + dt.timedelta(days=rng.randint(0, 60)) if finished else None
        desil = rng.choice(("", "", "1", "2", "3", "4", "5"))
        yield [
            name,
            nik,
            kk,
            rng.choice(("L", "Laki-laki")) if sex == "L" else rng.choice(("P", "Perempuan")),
            born,
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 250)}",
            f"{rng.randint(1, 15):03d}",
            f"{rng.randint(1, 12):03d}",
            kel["nama"],
            kel["kecamatan"],
            phone(rng) if rng.random() < 0.7 else "",
            categories[category],
            PRIORITIES[rng.choices(pri_keys, cum_weights=pri_cum)[0]],
            SOURCES[rng.choices(src_keys, cum_weights=src_cum)[0]],
            description,
            reported,
            status,
            min(closed, today) if closed else None,
            rng.choice(demo.OUTCOMES) if finished and rng.random() < 0.8 else "",
            "Ya" if desil else rng.choice(("Tidak", "")),
            desil,
        ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def write_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """A ``;``-separated UTF-8 CSV, as Excel saves one in an Indonesian locale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows([_text(v) for v in row] for row in case_rows(rows, seed))
    return path


def write_xlsx(path: Path, rows: int, seed: int = 1) -> Path:
    """An XLSX written by openpyxl in write-only mode: identifiers as text, dates as dates."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Kasus")
    sheet.append(HEADERS)
    for row in case_rows(rows, seed):
        sheet.append([None if v == "" else v for v in row])
    book.save(path)
    return path


def write(path: Path, rows: int, seed: int = 1) -> Path:
    """A CSV or an XLSX by the suffix of ``path``."""
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, rows, seed)
    return write_csv(path, rows, seed)
