"""What the benchmark generator draws from: name and street pools computed once (faker's
``id_ID`` lists, never a faker call per row), case details, and fast timestamp, phone and NIK
makers. Times are seconds after :data:`EPOCH`, ten years before :data:`ANCHOR`."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from faker.providers.address.id_ID import Provider as AddressPool
from faker.providers.person.id_ID import Provider as PersonPool

from psm_tui.ops.demo import PHONE_PREFIXES

ANCHOR = dt.datetime(2026, 11, 27, 16, 0, 0)
SPAN_DAYS = 3650  # ten years of intake
EPOCH = ANCHOR - dt.timedelta(days=SPAN_DAYS)
NOW_S = SPAN_DAYS * 86400
_DAYS = [str((EPOCH + dt.timedelta(days=d)).date()) for d in range(SPAN_DAYS + 1)]

FIRST_MALE = tuple(PersonPool.first_names_male)
FIRST_FEMALE = tuple(PersonPool.first_names_female)
LAST = tuple(sorted(set(PersonPool.last_names_male) | set(PersonPool.last_names_female)))
STREETS = tuple(AddressPool.streets)
DETAILS = (
    "Klien berusia lanjut dan sering sakit.",
    "Pasca covid-19 penghasilan keluarga menurun drastis.",
    "Anak-anak belum bersekolah.",
    "Suami meninggal dunia tahun lalu.",
    "Tinggal menumpang di rumah kerabat.",
    "Mengontrak satu kamar bersama lima anggota keluarga.",
    "Penghasilan harian sebagai pemulung tidak menentu.",
    "Memiliki riwayat gangguan jiwa, pernah dirawat di RSJ.",
    "Tidak memiliki BPJS Kesehatan.",
    "Korban PHK dari pabrik di Jatiuwung.",
    "Butuh alat bantu dengar.",
    "Ibu hamil tanpa pendamping.",
    "Rumah terancam penggusuran.",
    "Diduga korban perdagangan orang.",
    "Lapor melalui hotline 112 oleh warga.",
    "Terlantar di terminal Poris Plawad.",
    "Pengurus RT meminta kunjungan segera.",
    "Sudah pernah menerima PKH pada tahun sebelumnya.",
    "Kondisi lantai tanah dan sanitasi buruk.",
    "Klien penyandang disabilitas netra.",
)


def cum(weights: dict) -> tuple[list, list[float]]:  # type: ignore[type-arg]
    """Keys and cumulative weights, for ``random.choices(..., cum_weights=...)``."""
    keys = list(weights)
    return keys, list(itertools.accumulate(weights.values()))


def ts(seconds: int) -> str:
    """Seconds after EPOCH as peewee stores a DateTimeField (no datetime arithmetic per row)."""
    day, rest = divmod(seconds + EPOCH.hour * 3600, 86400)
    hour, rest = divmod(rest, 3600)
    return f"{_DAYS[day]} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}"


def phone(rng: random.Random) -> str:
    digits = rng.choice((7, 8))
    return f"0{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**digits):0{digits}d}"


class Niks:
    """Valid, unique NIKs: region + birth date (day + 40 for women) + a per-prefix serial."""

    def __init__(self) -> None:
        self.serials: dict[str, int] = {}

    def __call__(self, region: str, born: dt.date, sex: str) -> str:
        prefix = f"{region}{born.day + (40 if sex == 'P' else 0):02d}{born:%m%y}"
        serial = self.serials.get(prefix, 0) + 1
        if serial > 9999:
            raise RuntimeError(f"NIK serials exhausted for {prefix}")
        self.serials[prefix] = serial
        return f"{prefix}{serial:04d}"
