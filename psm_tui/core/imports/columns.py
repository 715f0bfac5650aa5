"""Column names and cell values as offices write them, mapped to the fields psm stores.

Headers may be Indonesian or English, in any case and order (``No. KK``, ``Jenis Kelamin``,
``Tgl Lahir``, ``Phone``); values too (``Laki-laki``/``P``/``F``, ``12/03/1980``, Excel serials).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from psm_tui.core.errors import ValidationError
from psm_tui.i18n import _

# field -> header spellings, folded (lower case ASCII letters and digits only), space-separated.
_COMMON = {
    "name": "nama namalengkap name fullname namaklien namappks namapenerima namapenerimamanfaat "
    "namapsm namatksk namapetugas namapekerja",
    "nik": "nik noktp nomorktp nonik nomornik nikktp noinduk nomorindukkependudukan nationalid "
    "idnumber nikklien nikpsm",
    "kelurahan": "kelurahan kel desakelurahan kelurahandesa desa village namakelurahan "
    "kodekelurahan",
    "kecamatan": "kecamatan kec namakecamatan kodekecamatan district subdistrict",
    "phone": "nohp nohandphone nomorhp hp notelp notelepon telepon telp nomortelepon notlp nowa "
    "nomorwa whatsapp kontak phone phonenumber mobile telephone",
    "sex": "jeniskelamin jk kelamin lp sex gender",
    "birth_date": "tanggallahir tgllahir tgllhr tanggallhr lahir birthdate dateofbirth dob",
    "birth_place_date": "ttl tempattanggallahir tempattgllahir tempatlahirtanggallahir",
}
_CASES = {
    "kk": "nokk nomorkk kk nokartukeluarga nomorkartukeluarga familycard familycardnumber kknumber",
    "address": "alamat alamatlengkap alamatrumah alamatdomisili domisili address",
    "rt": "rt",
    "rw": "rw",
    "rt_rw": "rtrw",
    "category": "kategorippks kategori ppks jenisppks kategoripmks pmks jenispmks kategorikasus "
    "category ppkscategory",
    "priority": "prioritas priority urgensi",
    "source": "sumber sumberlaporan sumberkasus asallaporan source",
    "description": "keterangan deskripsi uraian permasalahan masalah uraianmasalah kronologi "
    "description problem",
    "reported_at": "tanggallapor tanggallaporan tgllapor tgllaporan tanggalpelaporan "
    "tanggalmasuk tanggalregistrasi tanggal tgl reportdate reportedat reportedon datereported "
    "date",
    "status": "status statuskasus casestatus",
    "outcome": "hasil hasilpenanganan penyelesaian outcome result",
    "closed_at": "tanggalselesai tglselesai tanggalditutup closedat closedon dateclosed",
    "dtsen": "dtsen dtks statusdtks statusdtsen terdaftardtks terdaftardtsen",
    "dtsen_desil": "desil desildtsen desildtks decile",
}
_WORKERS = {
    "kind": "jenis jabatan jenispetugas posisi tipe kind role type",
    "joined_on": "tanggalbergabung tglbergabung mulaitugas tmt tmttugas tanggalmulai joined "
    "joinedon joindate startdate",
    "active": "status statusaktif aktif keaktifan active",
    "bank_name": "bank namabank bankpenyalur bankname",
    "bank_account": "norekening norek rekening nomorrekening norekeningbank noakun "
    "accountnumber account bankaccount",
    "bank_holder": "namapemilikrekening pemilikrekening atasnama atasnamarekening "
    "namarekening accountholder holder",
}
CASE_COLUMNS = {f: tuple(v.split()) for f, v in {**_COMMON, **_CASES}.items()}
WORKER_COLUMNS = {f: tuple(v.split()) for f, v in {**_COMMON, **_WORKERS}.items()}
# Shown when a column is missing from the file: the usual Indonesian header.
FIELD_HEADERS = {
    "name": "Nama", "nik": "NIK", "kk": "No KK", "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan", "address": "Alamat", "rt": "RT", "rw": "RW", "rt_rw": "RT/RW",
    "phone": "No HP", "sex": "Jenis Kelamin", "birth_date": "Tanggal Lahir",
    "birth_place_date": "Tempat/Tgl Lahir", "category": "Kategori PPKS", "priority": "Prioritas",
    "source": "Sumber", "description": "Keterangan", "reported_at": "Tanggal Lapor",
    "status": "Status", "outcome": "Hasil", "closed_at": "Tanggal Selesai", "dtsen": "DTSEN",
    "dtsen_desil": "Desil", "kind": "Jabatan", "joined_on": "Tanggal Bergabung",
    "active": "Status", "bank_name": "Bank", "bank_account": "No Rekening",
    "bank_holder": "Atas Nama",
}  # fmt: skip


def fold_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class ColumnMap:
    """Which column index holds each field, and the header names nothing was taken from."""

    index: dict[str, int]
    headers: list[str]
    ignored: list[str]

    def header(self, field: str) -> str:
        """The column name as the file spells it (or the usual name if the file lacks it)."""
        return self.headers[self.index[field]] if field in self.index else FIELD_HEADERS[field]


def map_columns(headers: list[str], columns: dict[str, tuple[str, ...]]) -> ColumnMap:
    lookup = {spelling: field for field, spellings in columns.items() for spelling in spellings}
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        field = lookup.get(fold_header(header))
        if field is None or field in index:
            if header.strip():
                ignored.append(header.strip())
            continue
        index[field] = position
    return ColumnMap(index, headers, ignored)


def header_predicate(columns: dict[str, tuple[str, ...]]) -> Callable[[list[str]], bool]:
    """A row is the header if it names the ``name`` column and at least one other known one."""

    def is_header(values: list[str]) -> bool:
        found = map_columns(values, columns).index
        return "name" in found and len(found) >= 2

    return is_header


_MONTH_NAMES = (
    "jan januari january", "feb peb februari pebruari february", "mar maret march",
    "apr april", "mei may", "jun juni june", "jul juli july", "agu agt agus agustus aug august",
    "sep sept september", "okt oktober oct october", "nov nop nopember november",
    "des desember dec december",
)  # fmt: skip
MONTHS = {name: month for month, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_TIME = r"(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME + "$")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})" + _TIME + "$")
_NAMED = re.compile(r"(\d{1,2})[\s\-/.]+([a-z]+)\.?[\s\-/.,]+(\d{2,4})" + _TIME + "$")
_SERIAL = re.compile(r"\d{1,5}(?:[.,]\d+)?$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _bad_date(value: str, field: str) -> ValidationError:
    return ValidationError(
        _("{value} is not a date (use dd/mm/yyyy, yyyy-mm-dd or an Excel date)").format(
            value=value
        ),
        field,
    )


def parse_when(value: str, field: str) -> dt.datetime | None:
    """A date (and optional time) as offices write it: dd/mm/yyyy, dd-mm-yyyy, ISO, ``12 Maret
    1980``, yyyymmdd or an Excel serial. Day before month; a two-digit year is refused."""
    text = value.strip().lower()
    if not text:
        return None
    if _SERIAL.fullmatch(text):
        days = float(text.replace(",", "."))
        if not 3000 <= days < 73051:  # 1908 to 2099; a bare year such as 1980 is not a date
            raise _bad_date(value, field)
        return _EXCEL_EPOCH + dt.timedelta(days=round(days * 86400) / 86400)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if match := _ISO.fullmatch(text):
        year, month, day, *clock = match.groups()
    elif match := _DMY.fullmatch(text):
        day, month, year, *clock = match.groups()
    elif (match := _NAMED.fullmatch(text)) and match.group(2) in MONTHS:
        day, name, year, *clock = match.groups()
        month = str(MONTHS[name])
    else:
        raise _bad_date(value, field)
    if len(year) != 4:
        raise ValidationError(
            _("Date {value} has a two-digit year; write the year in full").format(value=value),
            field,
        )
    try:
        hour, minute, second = (int(c or 0) for c in clock)
        return dt.datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        raise ValidationError(
            _("Date {value} is impossible (day/month/year expected)").format(value=value), field
        ) from None


def parse_birth_place_date(value: str, field: str) -> dt.datetime | None:
    """``Tangerang, 12-03-1980``: the date after the birth place."""
    return parse_when(value.rsplit(",", 1)[-1], field)


def parse_sex(value: str, field: str = "sex") -> str | None:
    key = fold_header(value)
    if not key:
        return None
    if key not in _CHOICES["sex"]:
        raise ValidationError(
            _("Sex {value} is not L/P, Laki-laki/Perempuan or M/F").format(value=value), field
        )
    return _CHOICES["sex"][key]


# vocabulary -> value -> its spellings (folded); each value is also its own spelling.
_SPELLINGS: dict[str, dict[str, str]] = {
    "priority": {
        "darurat": "emergency urgent mendesak", "tinggi": "high penting",
        "normal": "sedang biasa medium", "rendah": "low",
    },
    "source": {
        "datang_langsung": "datanglangsung datang walkin langsung",
        "laporan_psm": "laporanpsm psm psmreport",
        "laporan_warga": "laporanwarga warga masyarakat citizenreport",
        "rujukan_opd": "rujukanopd rujukan opd opdreferral",
        "hotline": "telepon", "media_sosial": "mediasosial medsos socialmedia",
    },
    # In-progress statuses map to themselves here; the importer decides what they become.
    "status": {
        "baru": "new", "ditugaskan": "assigned",
        "ditangani": "proses dalamproses diproses inprogress",
        "selesai": "resolved done tuntas", "ditutup": "closed tutup",
    },
    "dtsen": {
        "terdaftar": "ya y yes 1 registered",
        "tidak_terdaftar": "tidak t n no 0 belum tidakterdaftar belumterdaftar notregistered",
    },
    "kind": {"psm": "pekerjasosialmasyarakat", "tksk": "tenagakesejahteraansosialkecamatan"},
    "active": {
        "1": "aktif active ya yes y",
        "0": "tidakaktif nonaktif inactive berhenti keluar tidak no n",
    },
    "sex": {"L": "l lk laki lakilaki lelaki pria m male man", "P": "p pr perempuan wanita w f "
            "female woman"},
}  # fmt: skip
_CHOICES = {
    vocabulary: {
        spelling: value
        for value, spellings in values.items()
        for spelling in (value, *spellings.split())
    }
    for vocabulary, values in _SPELLINGS.items()
}


def parse_choice(value: str, vocabulary: str, field: str, default: str | None) -> str | None:
    """A value of a fixed vocabulary in Indonesian or English, any case and punctuation."""
    key = fold_header(value)
    if not key:
        return default
    choices = _CHOICES[vocabulary]
    if key not in choices:
        options = sorted(set(choices.values()))
        raise ValidationError(
            _("{value} is not one of {choices}").format(
                value=value.strip(), choices=", ".join(options)
            ),
            field,
        )
    return choices[key]


_SEPARATORS = re.compile(r"[\s.\-]")
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")


def identifier_text(value: str, label: str, field: str) -> str:
    """A NIK or No. KK cell before validation: refuse what a spreadsheet destroyed.

    ``3.67101E+15`` lost its last digits for good; a leading apostrophe or ``="..."`` (the ways
    offices keep Excel from doing that) is only packaging and is removed.
    """
    text = value.strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'").strip()
    if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
        raise ValidationError(
            _(
                "{label} {value} was turned into a number by a spreadsheet and lost its last "
                "digits; format the column as Text and type it again"
            ).format(label=label, value=value.strip()),
            field,
        )
    digits = _SEPARATORS.sub("", text)
    if digits.isdigit() and len(digits) in (14, 15):
        raise ValidationError(
            _(
                "{label} {value} has {count} digits instead of 16: digits were lost (was the "
                "column a number?)"
            ).format(label=label, value=value.strip(), count=len(digits)),
            field,
        )
    return text


def parse_desil(value: str, field: str = "dtsen_desil") -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise ValidationError(
            _("Desil {value} must be a number from 1 to 10").format(value=text), field
        )
    return int(text)
