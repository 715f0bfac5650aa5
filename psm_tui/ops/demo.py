"""Realistic, deterministic demo data: 987 PSM over 104 kelurahan, 13 TKSK, staff, cases.

Written with bulk inserts (one transaction) so 5,000 cases take a second or two. Names and streets
come from faker's ``id_ID``; every NIK is valid and agrees with the client's sex and birth date.
Clients are Kota Tangerang residents (NIK 3671…); a fifth hold a KTP from elsewhere, and their
case says so. Descriptions fit the case's PPKS category.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from faker import Faker
from peewee import chunked

from psm_tui.core import audit, clock, programmes, reference
from psm_tui.core.dto import KelurahanRef
from psm_tui.core.sensitive import SENSITIVE_CATEGORIES
from psm_tui.core.setup import set_meta
from psm_tui.store import backend
from psm_tui.store.database import db
from psm_tui.store.models import (
    Activity,
    Assignment,
    Case,
    CaseCounter,
    Client,
    Enrolment,
    FollowUp,
    StaffUser,
    Worker,
)

Row = dict[str, Any]  # a row to insert, by column
T = TypeVar("T")

PSM_TOTAL = 987
# Indonesian mobile prefixes after the leading 0 (Telkomsel, Indosat, XL, Tri, Smartfren, Axis).
PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857", "877", "878", "895",
                  "896", "897", "898", "838", "831")  # fmt: skip

# Relative frequency of each PPKS code in intake (fakir miskin, lansia, disabilitas common;
# komunitas adat terpencil rare).
# fmt: off
CATEGORY_WEIGHTS = {
    1: 2, 2: 5, 3: 2, 4: 3, 5: 4, 6: 4, 7: 2, 8: 16, 9: 12, 10: 1, 11: 3, 12: 3, 13: 3,
    14: 0.5, 15: 1, 16: 1.5, 17: 1.5, 18: 0.5, 19: 5, 20: 1.5, 21: 3, 22: 1, 23: 6, 24: 22,
    25: 3, 26: 0.1,
}
CHILD_CATEGORIES = {1, 2, 3, 4, 5, 6, 7}
# OPD a case of each category is usually referred to.
CATEGORY_OPDS = {
    1: ["DINKES", "DISDUKCAPIL"], 2: ["DISDUKCAPIL", "DINDIK", "DINSOS"], 3: ["DP3AP2KB"],
    4: ["SATPOLPP", "DINDIK", "DINSOS"], 5: ["DINKES", "DINDIK"], 6: ["DP3AP2KB", "DINKES"],
    7: ["DP3AP2KB"], 8: ["DINKES", "BPJSKES", "DINSOS"], 9: ["DINKES", "BPJSKES", "DINSOS"],
    11: ["SATPOLPP", "DINSOS"], 12: ["SATPOLPP", "DINSOS"], 16: ["DINKES"], 17: ["DINKES"],
    18: ["DP3AP2KB"], 19: ["DP3AP2KB", "DINKES"], 20: ["DISNAKER"], 21: ["BPBD", "DINSOS"],
    22: ["BPBD"], 23: ["DISNAKER", "BAZNAS"], 24: ["DISPERKIMTAN", "BAZNAS", "BPJSKES", "DINSOS"],
}
# fmt: on
PRIORITY_WEIGHTS = {"darurat": 4, "tinggi": 16, "normal": 65, "rendah": 15}
SOURCE_WEIGHTS = {
    "datang_langsung": 30,
    "laporan_psm": 30,
    "laporan_warga": 15,
    "rujukan_opd": 10,
    "hotline": 10,
    "media_sosial": 5,
}
# Where the KTP of a client from outside the city was issued (a fifth of clients: people move
# to Kota Tangerang, NIK 3671…, without changing their KTP); their case description says so.
OTHER_REGIONS = {
    "360301": "Kabupaten Tangerang",
    "360302": "Kabupaten Tangerang",
    "317401": "Jakarta Selatan",
    "317306": "Jakarta Barat",
    "320101": "Kabupaten Bogor",
    "327501": "Kota Bekasi",
    "330101": "Kabupaten Cilacap",
    "367401": "Kota Tangerang Selatan",
}
FROM_ELSEWHERE = 0.2
# The description is drawn as one of 12, as when one list served every category: the generator's
# sequence stays the same, and with it every other demo value (and the screenshots made of them).
DESCRIPTION_DRAW = 12
CITY_NIK_PREFIX = "3671"
# What an intake officer writes, by PPKS category, plus what can be said of any case.
CATEGORY_DESCRIPTIONS: dict[int, list[str]] = {
    1: [
        "Balita ditinggal orang tua, diasuh tetangga.",
        "Balita gizi kurang, orang tua tidak mampu.",
    ],
    2: ["Anak yatim piatu, tidak ada keluarga yang mengasuh.", "Putus sekolah karena biaya."],
    3: ["Anak diproses polisi karena pencurian, perlu pendampingan hukum."],
    4: ["Anak mengamen di lampu merah setiap hari.", "Anak tidak pulang, tidur di terminal."],
    5: ["Anak dengan disabilitas membutuhkan kursi roda.", "Anak belum mendapat terapi."],
    6: ["Anak mengalami kekerasan di rumah, perlu pendampingan."],
    7: ["Anak korban perundungan, perlu perlindungan khusus."],
    8: [
        "Tinggal sendiri, tidak ada keluarga yang merawat.",
        "Lansia sakit-sakitan, tidak mampu membayar biaya berobat.",
    ],
    9: ["Membutuhkan kursi roda dan pendampingan.", "Disabilitas netra, belum menerima bantuan."],
    10: ["Terjaring razia, perlu rehabilitasi sosial."],
    11: [
        "Ditemukan di jalan, tanpa identitas.",
        "Tidur di emperan toko, tidak punya tempat tinggal.",
    ],
    12: ["Mengemis di persimpangan jalan setiap hari."],
    13: ["Memulung untuk makan sehari-hari, tinggal di gubuk."],
    14: ["Mengalami diskriminasi di lingkungan, perlu pendampingan."],
    15: ["Baru bebas dari lapas, belum punya pekerjaan dan tempat tinggal."],
    16: ["Perlu pendampingan berobat rutin dan dukungan keluarga."],
    17: ["Keluarga meminta rehabilitasi karena penyalahgunaan NAPZA."],
    18: ["Dipulangkan setelah menjadi korban perdagangan orang."],
    19: ["Mengalami kekerasan dalam rumah tangga, perlu pendampingan."],
    20: ["Pekerja migran dipulangkan, tidak punya biaya kembali ke daerah asal."],
    21: ["Terkena banjir, rumah terendam.", "Rumah rusak diterjang angin puting beliung."],
    22: ["Rumah terbakar, keluarga mengungsi ke kerabat."],
    23: ["Ibu tunggal, penghasilan tidak cukup untuk kebutuhan anak."],
    24: [
        "Kehilangan pekerjaan, keluarga kesulitan makan.",
        "Rumah tidak layak huni, atap bocor dan dinding rusak.",
        "Tidak terdaftar di DTSEN, perlu pengusulan.",
        "Keluarga tidak mampu membayar biaya berobat.",
    ],
    25: ["Konflik keluarga berkepanjangan, anak tertekan."],
    26: ["Permukiman terpencil, belum terjangkau layanan dasar."],
}
ANY_CASE_DESCRIPTIONS = [
    "Dilaporkan tetangga, kondisi memprihatinkan.",
    "Belum memiliki dokumen kependudukan (KK/akta).",
]
NOTES = {
    "catatan": [
        "Berkas diverifikasi, menunggu kelengkapan dokumen.",
        "Diusulkan masuk DTSEN melalui kelurahan.",
        "Koordinasi dengan RT/RW setempat.",
        "Keluarga bersedia mendampingi.",
    ],
    "kunjungan": [
        "Kunjungan rumah: kondisi klien stabil.",
        "Kunjungan rumah: asesmen awal dilakukan.",
        "Kunjungan rumah: klien membutuhkan bantuan sembako.",
        "Kunjungan rumah: klien sudah mendapat layanan.",
    ],
    "telepon": [
        "Telepon keluarga klien, dijadwalkan kunjungan.",
        "Telepon kelurahan untuk konfirmasi alamat.",
    ],
}
OUTCOMES = [
    "Klien terdaftar PBI-JK dan sudah berobat.",
    "Bantuan sembako dan sandang telah disalurkan.",
    "Klien dirujuk ke panti dan diterima.",
    "Dokumen kependudukan sudah terbit.",
    "Klien kembali ke keluarga.",
    "Rumah diperbaiki melalui program RTLH.",
]
REJECTIONS = ["Kuota tahun ini habis.", "Klien tidak memenuhi syarat.", "Data tidak lengkap."]
STAFF = [
    ("admin", "dinsos_admin", "Rina Marlina", None),
    ("supervisor", "kabid_rehsos", "Hendra Gunawan", None),
    ("supervisor", "kasi_pfm", "Yuliani Puspita", None),
    ("operator", "operator1", "Agus Setiawan", None),
    ("operator", "operator2", "Dewi Anggraini", None),
    ("operator", "op_cipondoh", "Fajar Nugroho", "36.71.05"),
    ("operator", "op_karawaci", "Lestari Wulandari", "36.71.07"),
    ("viewer", "kadis", "Bambang Sutrisno", None),
    ("viewer", "sekdis", "Ratna Sari", None),
]


@dataclass
class _Ids:
    next_client: int
    next_case: int
    next_followup: int


def _weighted(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(PHONE_PREFIXES)
    return "0" + prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 8))))


def _nik(rng: random.Random, region: str, born: dt.date, sex: str, used: set[str]) -> str:
    day = born.day + (40 if sex == "P" else 0)
    while True:
        nik = f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 9999):04d}"
        if nik not in used:
            used.add(nik)
            return nik


def _birth_date(rng: random.Random, category: int, today: dt.date) -> dt.date:
    if category in CHILD_CATEGORIES:
        age = rng.randint(0 if category == 1 else 5, 5 if category == 1 else 17)
    elif category == 8:
        age = rng.randint(60, 92)
    else:
        age = rng.randint(18, 75)
    return today - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def _workers(
    rng: random.Random, fake: Faker, kelurahan: list[KelurahanRef], today: dt.date, used: set[str]
) -> list[Row]:
    weights = [rng.lognormvariate(0, 0.5) for _ in kelurahan]
    counts = [1] * len(kelurahan)
    for index in rng.choices(range(len(kelurahan)), weights=weights, k=PSM_TOTAL - len(kelurahan)):
        counts[index] += 1
    rows = []
    for kel, count in zip(kelurahan, counts, strict=True):
        for _ in range(count):
            rows.append(_worker_row(rng, fake, "psm", kel.kecamatan_code, kel.code, today, used))
    for kec in reference.all_kecamatan():
        rows.append(_worker_row(rng, fake, "tksk", kec.code, None, today, used))
    return rows


def _worker_row(
    rng: random.Random,
    fake: Faker,
    kind: str,
    kec: str,
    kel: str | None,
    today: dt.date,
    used: set[str],
) -> Row:
    sex = rng.choice("LP")
    name = (
        (fake.first_name_female() if sex == "P" else fake.first_name_male())
        + " "
        + fake.last_name()
    )
    born = today - dt.timedelta(days=rng.randint(25, 60) * 365 + rng.randint(0, 364))
    joined = dt.date(rng.randint(2012, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
    nik = _nik(rng, kec.replace(".", ""), born, sex, used)
    return {
        "kind": kind,
        "name": name,
        "nik": nik,
        "phone": _phone(rng),
        "kelurahan": kel,
        "kecamatan": kec,
        "active": True,
        "joined_on": joined,
        "created_at": dt.datetime.combine(today, dt.time()),
        **_bank(nik, name),
    }


DEMO_BANKS = ("Bank BJB", "Bank Banten", "BRI", "BNI", "Bank Mandiri")


def _bank(nik: str, holder: str) -> dict[str, str]:
    """Bank details of a made-up PSM, from their own generator seeded by the NIK: drawing them
    from the shared one would change every case and count generated after them."""
    own = random.Random(nik)
    return {
        "bank_name": own.choice(DEMO_BANKS),
        "bank_account": "".join(own.choice("0123456789") for _ in range(own.choice((10, 13, 15)))),
        "bank_holder": holder,
    }


def generate(
    seed: int = 1, cases: int = 5000, progress: Callable[[float], None] | None = None
) -> dict[str, int]:
    """Fill an initialised, empty database. Same seed (and day) gives the same data."""
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    # The start of today, not this second: otherwise every timestamp moves with the clock.
    now = dt.datetime.combine(clock.today(), dt.time())
    today = now.date()
    kelurahan = reference.all_kelurahan()
    used_niks: set[str] = set()
    report = progress or (lambda _done: None)
    with db.atomic():
        for role, username, full_name, kec in STAFF:
            StaffUser.insert(
                username=username, full_name=full_name, role=role, kecamatan=kec, created_at=now
            ).on_conflict_ignore().execute()
        staff_ids = [
            u.id
            for u in StaffUser.select().where(
                StaffUser.role.in_(("operator", "supervisor", "admin"))
            )
        ]
        for batch in chunked(_workers(rng, fake, kelurahan, today, used_niks), 200):
            Worker.insert_many(batch).execute()
        psm_by_kel: dict[str, list[int]] = {}
        for worker in Worker.select(Worker.id, Worker.kelurahan).where(Worker.kind == "psm"):
            psm_by_kel.setdefault(worker.kelurahan_code or "", []).append(worker.id)
        report(0.1)
        counts = _cases(rng, fake, kelurahan, psm_by_kel, staff_ids, cases, now, used_niks, report)
        counts.update(_households(seed, now, used_niks))
        set_meta("demo_seed", str(seed))
        audit.record("psm-demo", "demo.generate", "database", None, detail=f"seed={seed}")
    report(1.0)
    return {
        "psm": Worker.select().where(Worker.kind == "psm").count(),
        "tksk": Worker.select().where(Worker.kind == "tksk").count(),
        **counts,
    }


def _cases(
    rng: random.Random,
    fake: Faker,
    kelurahan: list[KelurahanRef],
    psm_by_kel: dict[str, list[int]],
    staff_ids: list[int],
    total: int,
    now: dt.datetime,
    used_niks: set[str],
    report: Callable[[float], None],
) -> dict[str, int]:
    today = now.date()
    span = 730 * 24 * 3600
    moments = sorted(now - dt.timedelta(seconds=rng.randint(3600, span)) for _ in range(total))
    clients: list[Row] = []
    case_rows: list[Row] = []
    activities: list[Row] = []
    assignments: list[Row] = []
    followups: list[Row] = []
    sequence: dict[int, int] = {}
    for index, reported in enumerate(moments, start=1):
        category = int(_weighted(rng, CATEGORY_WEIGHTS))
        kel = rng.choice(kelurahan)
        if clients and rng.random() < 0.08:
            client_id = rng.randint(1, len(clients))
            kel_code = clients[client_id - 1]["kelurahan"]
        else:
            client = _client(rng, fake, category, kel, today, now, used_niks)
            client_id, kel_code = len(clients) + 1, kel.code
            clients.append({"id": client_id, **client})
        sequence[reported.year] = sequence.get(reported.year, 0) + 1
        author = rng.choice(staff_ids)
        status = _status_for_age((now - reported).days, rng)
        case = {
            "id": index,
            "number": f"{reported.year}-{sequence[reported.year]:06d}",
            "client": client_id,
            "category": category,
            "priority": _weighted(rng, PRIORITY_WEIGHTS),
            "status": status,
            "kelurahan": kel_code,
            "worker": None,
            "description": _description(rng, category, clients[client_id - 1]),
            "source": _weighted(rng, SOURCE_WEIGHTS),
            "outcome": None,
            "reported_at": reported,
            "updated_at": reported,
            "closed_at": None,
            "created_by": author,
            "updated_by": author,
            "version": 1,
            "sensitive": category in SENSITIVE_CATEGORIES,
        }
        activities.append(
            {
                "case": index,
                "kind": "status",
                "data": "baru",
                "author": author,
                "at": reported,
                "worker": None,
            }
        )
        if status != "baru":
            _handle(
                rng, case, psm_by_kel[kel_code], author, now, activities, assignments, followups
            )
        case_rows.append(case)
        if index % 500 == 0:
            report(0.1 + 0.6 * index / max(total, 1))
    for name, model, rows in (
        ("clients", Client, clients),
        ("cases", Case, case_rows),
        ("assignments", Assignment, assignments),
        ("activities", Activity, activities),
        ("followups", FollowUp, followups),
    ):
        for batch in chunked(rows, 500):
            model.insert_many(batch).execute()
        report(
            {"clients": 0.75, "cases": 0.8, "assignments": 0.85, "activities": 0.95}.get(name, 0.98)
        )
    for model in (Client, Case):  # their ids were given explicitly
        backend.sync_id_sequence(db.obj, model._meta.table_name)
    for year, last in sequence.items():
        CaseCounter.insert(year=year, last=last).on_conflict(
            conflict_target=[CaseCounter.year], update={CaseCounter.last: last}
        ).execute()
    return {"cases": len(case_rows), "clients": len(clients), "followups": len(followups)}


HOUSEHOLD_SHARE = 0.15  # clients with a No. KK whose family members are on record too
# (programme, status, the highest desil it goes to, the share of those clients it reaches)
DEMO_PROGRAMMES = (
    ("PBI-JK", "aktif", 2, 0.6),
    ("PKH", "aktif", 3, 0.25),
    ("BPNT", "aktif", 4, 0.3),
    ("ATENSI", "diusulkan", 5, 0.05),
)


def _households(seed: int, now: dt.datetime, used: set[str]) -> dict[str, int]:
    """Family members (without cases of their own) on the No. KK of some clients, and the
    programmes the poorest receive. They come from a random stream of their own, so the cases
    and their clients are the same as before households existed."""
    rng = random.Random(seed * 7919 + 17)
    fake = Faker("id_ID")
    fake.seed_instance(seed + 17)
    today = now.date()
    programmes.load_programmes(reference.read_reference("programmes.csv"))
    members: list[Row] = []
    for head in Client.select().where(Client.kk.is_null(False)).order_by(Client.id):
        if rng.random() >= HOUSEHOLD_SHARE:
            continue
        for _ in range(rng.randint(1, 3)):
            sex = rng.choice("LP")
            born = today - dt.timedelta(days=rng.randint(365, 60 * 365))
            first = fake.first_name_female() if sex == "P" else fake.first_name_male()
            members.append(
                {
                    "name": f"{first} {head.name.split()[-1]}",
                    "nik": _nik(rng, (head.kk or "")[:6], born, sex, used)
                    if rng.random() < 0.8
                    else None,
                    "kk": head.kk,
                    "sex": sex,
                    "birth_date": born,
                    "address": head.address,
                    "rt": head.rt,
                    "rw": head.rw,
                    "kelurahan": head.kelurahan_code,
                    "dtsen": head.dtsen,
                    "dtsen_desil": head.dtsen_desil,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for batch in chunked(members, 500):
        Client.insert_many(batch).execute()
    enrolments: list[Row] = []
    poor = Client.select(Client.id, Client.dtsen_desil).where(Client.dtsen_desil.is_null(False))
    for client in poor.order_by(Client.id):
        for code, status, top_desil, share in DEMO_PROGRAMMES:
            desil = client.dtsen_desil
            if desil is not None and desil <= top_desil and rng.random() < share:
                start = today - dt.timedelta(days=rng.randint(30, 1500))
                enrolments.append(
                    {
                        "client": client.id,
                        "programme": code,
                        "status": status,
                        "start_on": start if status == "aktif" else None,
                        "source": "DTSEN",
                        "created_at": now,
                    }
                )
    for batch in chunked(enrolments, 500):
        Enrolment.insert_many(batch).execute()
    return {"family_members": len(members), "enrolments": len(enrolments)}


def _description(rng: random.Random, category: int, client: Row) -> str:
    """A description that fits the category; a KTP from outside the city is said."""
    options = CATEGORY_DESCRIPTIONS[category] + ANY_CASE_DESCRIPTIONS
    text = options[rng.randrange(DESCRIPTION_DRAW) % len(options)]
    nik = client["nik"] or ""
    if nik and not nik.startswith(CITY_NIK_PREFIX):
        text += f" KTP {OTHER_REGIONS[nik[:6]]}, tinggal di Kota Tangerang."
    return text


def _client(
    rng: random.Random,
    fake: Faker,
    category: int,
    kel: KelurahanRef,
    today: dt.date,
    now: dt.datetime,
    used: set[str],
) -> Row:
    sex = "P" if category in (10, 23) else rng.choice("LP")
    born = _birth_date(rng, category, today)
    first = fake.first_name_female() if sex == "P" else fake.first_name_male()
    has_nik = rng.random() > (0.5 if category in (4, 11, 12, 13) else 0.1)
    region = (
        kel.kecamatan_code.replace(".", "")
        if rng.random() < 1 - FROM_ELSEWHERE
        else rng.choice(list(OTHER_REGIONS))
    )
    issued = today - dt.timedelta(days=rng.randint(100, 5000))
    kk = f"{region}{issued:%d%m%y}{rng.randint(1, 9999):04d}" if has_nik else None
    desil = rng.choice([None, None, 1, 1, 2, 2, 3, 4, 5])
    return {
        "name": f"{first} {fake.last_name()}",
        "nik": _nik(rng, region, born, sex, used) if has_nik else None,
        "kk": kk,
        "sex": sex,
        "birth_date": born,
        "address": fake.street_address(),
        "rt": f"{rng.randint(1, 15):03d}",
        "rw": f"{rng.randint(1, 12):03d}",
        "kelurahan": kel.code,
        "phone": _phone(rng) if rng.random() < 0.7 else None,
        "dtsen": "terdaftar" if desil else rng.choice(["tidak_terdaftar", "tidak_diketahui"]),
        "dtsen_desil": desil,
        "created_at": now,
        "updated_at": now,
    }


def _status_for_age(days: int, rng: random.Random) -> str:
    if days < 14:
        weights = {"baru": 35, "ditugaskan": 40, "ditangani": 25}
    elif days < 90:
        weights = {"baru": 4, "ditugaskan": 16, "ditangani": 45, "selesai": 30, "ditutup": 5}
    else:
        weights = {"ditugaskan": 2, "ditangani": 10, "selesai": 38, "ditutup": 50}
    return str(_weighted(rng, weights))


def _handle(
    rng: random.Random,
    case: Row,
    psm: list[int],
    author: int,
    now: dt.datetime,
    activities: list[Row],
    assignments: list[Row],
    followups: list[Row],
) -> None:
    """Give a non-new case its worker, timeline, follow-ups and (if finished) outcome."""
    reported: dt.datetime = case["reported_at"]
    first_activity = len(activities) - 1  # the case's "baru" entry
    age = now - reported
    at = reported + age * rng.uniform(0.01, 0.1)
    worker = rng.choice(psm)
    case["worker"] = worker
    assignments.append(
        {
            "case": case["id"],
            "worker": worker,
            "assigned_by": author,
            "assigned_at": at,
            "reason": "PSM kelurahan dengan beban paling ringan",
            "ended_at": None,
        }
    )
    activities.append(
        {
            "case": case["id"],
            "kind": "penugasan",
            "data": "ditugaskan ke PSM",
            "author": author,
            "at": at,
            "worker": worker,
        }
    )
    version = 2
    if case["status"] != "ditugaskan":
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["kunjungan", "kunjungan", "catatan", "telepon"])
            at = min(now, at + age * rng.uniform(0.02, 0.2))
            activities.append(
                {
                    "case": case["id"],
                    "kind": kind,
                    "data": rng.choice(NOTES[kind]),
                    "author": author,
                    "at": at,
                    "worker": worker,
                }
            )
        version += 1
    opds = CATEGORY_OPDS.get(case["category"], ["DINSOS"])
    if rng.random() < 0.45:
        _followups(rng, case, opds, author, now, at, activities, followups)
    if case["status"] in ("selesai", "ditutup"):
        closed = min(now, at + dt.timedelta(days=rng.randint(3, 60)))
        case.update(outcome=rng.choice(OUTCOMES), closed_at=closed)
        activities.append(
            {
                "case": case["id"],
                "kind": "status",
                "data": case["status"],
                "author": author,
                "at": closed,
                "worker": worker,
            }
        )
        version += 1 if case["status"] == "selesai" else 2
    case.update(version=version, updated_at=max(a["at"] for a in activities[first_activity:]))


def _followups(
    rng: random.Random,
    case: Row,
    opds: list[str],
    author: int,
    now: dt.datetime,
    at: dt.datetime,
    activities: list[Row],
    rows: list[Row],
) -> None:
    finished = case["status"] in ("selesai", "ditutup")
    for opd in rng.sample(opds, k=min(len(opds), rng.randint(1, 2))):
        sent = min(now, at + dt.timedelta(days=rng.randint(0, 5)))
        due = sent.date() + dt.timedelta(days=14)
        if finished:
            status = str(_weighted(rng, {"selesai": 80, "ditolak": 12, "dibatalkan": 8}))
        else:
            status = str(
                _weighted(rng, {"dikirim": 45, "diterima": 35, "selesai": 12, "ditolak": 8})
            )
            if status in ("dikirim", "diterima"):
                due = now.date() + dt.timedelta(days=rng.randint(-30, 20))
        answered = status in ("diterima", "selesai", "ditolak")
        responded = min(now, sent + dt.timedelta(days=rng.randint(1, 20))) if answered else None
        rows.append(
            {
                "case": case["id"],
                "opd": opd,
                "action": f"Mohon tindak lanjut: {case['description']}",
                "due_on": due,
                "status": status,
                "response": "Sudah ditindaklanjuti." if status == "selesai" else None,
                "responded_at": responded,
                "reason": rng.choice(REJECTIONS) if status == "ditolak" else None,
                "created_by": author,
                "created_at": sent,
                "updated_at": responded or sent,
            }
        )
        activities.append(
            {
                "case": case["id"],
                "kind": "rujukan",
                "data": f"ke {opd}",
                "author": author,
                "at": sent,
                "worker": None,
            }
        )
