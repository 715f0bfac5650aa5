"""Peewee models: tables only. Every rule lives in :mod:`psm_tui.core`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from psm_tui.store.database import db

if TYPE_CHECKING:
    from typing import Any, Generic, TypeVar, overload

    _V = TypeVar("_V")

    class KeyOf(Generic[_V]):
        """The raw key peewee sets beside a foreign key (``worker_id``, or its ``column_name``):
        the field on the class, the key on a row. Peewee's stubs do not declare it, so the
        models name it in annotations only (peewee itself makes the attribute)."""

        @overload
        def __get__(self, instance: None, owner: Any) -> ForeignKeyField[Any]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> _V: ...
        def __get__(self, instance: object, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: _V) -> None: ...


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about this database (e.g. whether it holds demo data)."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class Kecamatan(BaseModel):
    code = CharField(primary_key=True, max_length=8)
    name = CharField(max_length=64)


class Kelurahan(BaseModel):
    code = CharField(primary_key=True, max_length=13)
    name = CharField(max_length=64)
    kecamatan = ForeignKeyField(Kecamatan, backref="kelurahan", column_name="kecamatan_code")
    aliases = TextField(default="")


class Category(BaseModel):
    """A PPKS category (1-26)."""

    code = IntegerField(primary_key=True)
    name = CharField(max_length=120)
    abbrev = CharField(max_length=16)


class Opd(BaseModel):
    code = CharField(primary_key=True, max_length=16)
    abbrev = CharField(max_length=32)
    name = CharField(max_length=160)
    scope = TextField(default="")


class StaffUser(BaseModel):
    kecamatan_code: KeyOf[str | None]

    id = AutoField()
    username = CharField(unique=True, max_length=64)
    full_name = CharField(max_length=120)
    role = CharField(max_length=16)
    kecamatan = ForeignKeyField(Kecamatan, null=True, column_name="kecamatan_code")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=dt.datetime.now)


class Worker(BaseModel):
    """A PSM (kelurahan set) or a TKSK (kecamatan only)."""

    kelurahan_code: KeyOf[str | None]
    kecamatan_code: KeyOf[str]

    id = AutoField()
    kind = CharField(max_length=4, index=True)
    name = CharField(max_length=120)
    nik = CharField(max_length=16, null=True, index=True)
    phone = CharField(max_length=20, null=True)
    kelurahan = ForeignKeyField(Kelurahan, null=True, column_name="kelurahan_code", index=True)
    kecamatan = ForeignKeyField(Kecamatan, column_name="kecamatan_code", index=True)
    active = BooleanField(default=True)
    joined_on = DateField(null=True)
    inactive_reason = TextField(null=True)
    inactive_on = DateField(null=True)
    created_at = DateTimeField(default=dt.datetime.now)
    # migration 0012: where the PSM incentive is transferred to
    bank_name = CharField(max_length=60, null=True)
    bank_account = CharField(max_length=30, null=True)
    bank_holder = CharField(max_length=120, null=True)


class Client(BaseModel):
    kelurahan_code: KeyOf[str]

    id = AutoField()
    name = CharField(max_length=120, index=True)
    nik = CharField(max_length=16, null=True, unique=True)
    kk = CharField(max_length=16, null=True, index=True)
    sex = CharField(max_length=1, null=True)
    birth_date = DateField(null=True)
    address = TextField(default="")
    rt = CharField(max_length=3, default="")
    rw = CharField(max_length=3, default="")
    kelurahan = ForeignKeyField(Kelurahan, column_name="kelurahan_code", index=True)
    phone = CharField(max_length=20, null=True)
    dtsen = CharField(max_length=16, default="tidak_diketahui")
    dtsen_desil = IntegerField(null=True)
    created_at = DateTimeField(default=dt.datetime.now)
    updated_at = DateTimeField(default=dt.datetime.now)
    # migration 0014: optimistic locking of client edits; where the DTSEN status came from
    version = IntegerField(default=1)
    dtsen_source = CharField(max_length=32, null=True)
    dtsen_on = DateField(null=True)


class Case(BaseModel):
    client_id: KeyOf[int]
    kelurahan_code: KeyOf[str]
    worker_id: KeyOf[int | None]
    updated_by_id: KeyOf[int | None]

    id = AutoField()
    number = CharField(unique=True, max_length=11)
    client = ForeignKeyField(Client, backref="cases", index=True)
    category = ForeignKeyField(Category, column_name="category_code", index=True)
    priority = CharField(max_length=8, index=True)
    status = CharField(max_length=12, index=True)
    kelurahan = ForeignKeyField(Kelurahan, column_name="kelurahan_code", index=True)
    worker = ForeignKeyField(Worker, null=True, backref="cases", index=True)
    description = TextField(default="")
    source = CharField(max_length=20)
    outcome = TextField(null=True)
    reported_at = DateTimeField(index=True)
    updated_at = DateTimeField()
    closed_at = DateTimeField(null=True)
    created_by = ForeignKeyField(StaffUser, column_name="created_by_id", null=True)
    updated_by = ForeignKeyField(StaffUser, column_name="updated_by_id", null=True)
    version = IntegerField(default=1)
    sensitive = BooleanField(default=False)  # migration 0015: kasus terbatas (core/sensitive.py)

    class Meta:
        indexes = (
            (("status", "reported_at"), False),
            (("kelurahan", "status"), False),
            (("worker", "status"), False),
            # migration 0004: covering indexes for the dashboard and reports
            (("kelurahan", "status", "worker"), False),
            (("created_by", "status", "priority", "reported_at"), False),
            (("status", "kelurahan", "worker", "category"), False),
        )


class CaseCounter(BaseModel):
    """Per-year case-number sequence; incremented inside the registering transaction."""

    year = IntegerField(primary_key=True)
    last = IntegerField(default=0)


class Assignment(BaseModel):
    id = AutoField()
    case = ForeignKeyField(Case, backref="assignments", index=True)
    worker = ForeignKeyField(Worker, index=True)
    assigned_by = ForeignKeyField(StaffUser, column_name="assigned_by_id", null=True)
    assigned_at = DateTimeField()
    reason = TextField(default="")
    ended_at = DateTimeField(null=True)


class FollowUp(BaseModel):
    case_id: KeyOf[int]
    opd_code: KeyOf[str]

    id = AutoField()
    case = ForeignKeyField(Case, backref="followups", index=True)
    opd = ForeignKeyField(Opd, column_name="opd_code", index=True)
    action = TextField()
    due_on = DateField(null=True, index=True)
    status = CharField(max_length=12, index=True)
    response = TextField(null=True)
    responded_at = DateTimeField(null=True)
    reason = TextField(null=True)
    created_by = ForeignKeyField(StaffUser, column_name="created_by_id", null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    # Its case's kelurahan, kept equal by triggers (migration 0018): a kecamatan's follow-ups
    # through one index, without the list of its cases.
    kelurahan_code = CharField(max_length=13, null=True)

    class Meta:
        indexes = (
            (("status", "due_on"), False),
            # migration 0004: open follow-ups of a page of cases; per-OPD figures
            (("case", "status"), False),
            (("opd", "status", "due_on", "created_at", "responded_at"), False),
        )


class Activity(BaseModel):
    """The case timeline: notes, visits, calls and every event."""

    id = AutoField()
    case = ForeignKeyField(Case, backref="activities", index=True)
    kind = CharField(max_length=12)
    # A timeline fact as JSON (core/timeline.py), worded when read (migration 0010).
    data = TextField()
    author = ForeignKeyField(StaffUser, column_name="author_id", null=True)
    at = DateTimeField(index=True)
    worker = ForeignKeyField(Worker, null=True, column_name="worker_id")


class AuditLog(BaseModel):
    """Append-only and hash-chained. ``username`` is text so the record outlives the user row."""

    id = AutoField()
    at = DateTimeField(index=True)
    username = CharField(max_length=64, index=True)
    action = CharField(max_length=48)
    entity = CharField(max_length=24)
    entity_id = CharField(max_length=32, null=True, index=True)
    case_number = CharField(max_length=11, null=True, index=True)
    changes = TextField(default="{}")
    detail = TextField(default="")
    # migration 0008: sha256 of the previous row's hash + this row (core/audit_chain.py)
    row_hash = CharField(max_length=64, null=True)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Meta,
    Kecamatan,
    Kelurahan,
    Category,
    Opd,
    StaffUser,
    Worker,
    Client,
    Case,
    CaseCounter,
    Assignment,
    FollowUp,
    Activity,
    AuditLog,
)


# --- PSM administration (migration 0003): training records and IPSM positions ---------------


class TrainingSession(BaseModel):
    """One pelatihan: a training day or course, attended by many workers."""

    id = AutoField()
    held_on = DateField(index=True)
    topic = CharField(max_length=200)
    organiser = CharField(max_length=120)
    hours = FloatField()
    created_by = ForeignKeyField(StaffUser, column_name="created_by_id", null=True)
    created_at = DateTimeField(default=dt.datetime.now)


class TrainingAttendance(BaseModel):
    worker_id: KeyOf[int]

    id = AutoField()
    session = ForeignKeyField(TrainingSession, backref="attendance", on_delete="CASCADE")
    worker = ForeignKeyField(Worker, backref="trainings", index=True)

    class Meta:
        indexes = ((("session", "worker"), True),)


class IpsmPosition(BaseModel):
    """A term in the PSM association: ``unit_code`` is the city, kecamatan or kelurahan code."""

    worker_id: KeyOf[int]

    id = AutoField()
    worker = ForeignKeyField(Worker, backref="ipsm_positions", index=True)
    position = CharField(max_length=12)
    level = CharField(max_length=10)
    unit_code = CharField(max_length=13)
    start_on = DateField()
    end_on = DateField(null=True)
    created_by = ForeignKeyField(StaffUser, column_name="created_by_id", null=True)
    created_at = DateTimeField(default=dt.datetime.now)

    class Meta:
        indexes = ((("level", "unit_code", "position"), False),)


ALL_MODELS += (TrainingSession, TrainingAttendance, IpsmPosition)


# --- Imports (migration 0005): idempotency keys of imported rows -----------------------------


class ImportRecord(BaseModel):
    """One imported source row. ``key`` is a hash of the row's normalised content, so a re-run of
    the same file (or a corrected copy) recognises what is already in and adds nothing twice."""

    id = AutoField()
    kind = CharField(max_length=8)
    key = CharField(unique=True, max_length=64)
    entity_id = IntegerField()
    source = CharField(max_length=255)
    row = IntegerField()
    username = CharField(max_length=64)
    at = DateTimeField(default=dt.datetime.now)

    class Meta:
        indexes = ((("kind", "entity_id"), False),)


ALL_MODELS += (ImportRecord,)


# --- Read scope (migration 0009): emergency access to a case outside one's kecamatan ---------


class EmergencyAccess(BaseModel):
    """Akses darurat: one user may open one case outside their scope until ``expires_at``."""

    id = AutoField()
    user = ForeignKeyField(StaffUser, column_name="user_id")
    case = ForeignKeyField(Case, column_name="case_id")
    reason = TextField()
    granted_at = DateTimeField(index=True)
    expires_at = DateTimeField()

    class Meta:
        table_name = "emergency_access"
        indexes = ((("user", "case", "expires_at"), False),)


ALL_MODELS += (EmergencyAccess,)


# --- PSM incentive (migration 0012): one payout record per month -----------------------------


class IncentivePayout(BaseModel):
    """A month's incentive: prepared (list and totals frozen), then disalurkan (paid) once."""

    paid_by_id: KeyOf[int | None]

    id = AutoField()
    month = DateField(unique=True)  # its first day
    rule = CharField(max_length=16)  # the eligibility rule the list was made with
    rate = IntegerField()
    psm = IntegerField()
    amount = BigIntegerField()
    status = CharField(max_length=12)  # prepared, paid
    prepared_at = DateTimeField()
    prepared_by = ForeignKeyField(StaffUser, column_name="prepared_by_id")
    paid_on = DateField(null=True)
    paid_by = ForeignKeyField(StaffUser, column_name="paid_by_id", null=True)

    class Meta:
        table_name = "incentive_payout"


ALL_MODELS += (IncentivePayout,)


# --- Letters (migration 0013): the register of referral letters and case summaries ----------


class LetterCounter(BaseModel):
    """The last letter sequence number of each year, drawn inside the letter's transaction."""

    year = IntegerField(primary_key=True)
    last = IntegerField(default=0)

    class Meta:
        table_name = "letter_counter"


class Letter(BaseModel):
    """One numbered document psm made (buku agenda surat keluar); ``number`` never repeats."""

    id = AutoField()
    kind = CharField(max_length=12)  # "referral" or "summary"
    year = IntegerField()
    seq = IntegerField()
    number = CharField(max_length=64, unique=True)
    case = ForeignKeyField(Case, column_name="case_id", index=True)
    followup_id = IntegerField(null=True)
    username = CharField(max_length=64)
    made_at = DateTimeField()

    class Meta:
        table_name = "letter"
        indexes = ((("year", "seq"), True),)


ALL_MODELS += (LetterCounter, Letter)


# --- Programmes (migration 0014): social-protection programmes and a client's enrolments -----


class Programme(BaseModel):
    """A programme of the reference list (db/reference/programmes.csv): PBI-JK, PKH, BPNT, ..."""

    code = CharField(primary_key=True, max_length=16)
    name = CharField(max_length=160)
    active = BooleanField(default=True)


class Enrolment(BaseModel):
    """A client's place in a programme: proposed (diusulkan), active (aktif) or ended (berhenti)."""

    client_id: KeyOf[int]
    programme_code: KeyOf[str]
    followup_id: KeyOf[int | None]

    id = AutoField()
    client = ForeignKeyField(Client, backref="enrolments", column_name="client_id", index=True)
    programme = ForeignKeyField(Programme, column_name="programme_code", index=True)
    status = CharField(max_length=12)
    start_on = DateField(null=True)
    end_on = DateField(null=True)
    source = CharField(max_length=120, default="")
    followup = ForeignKeyField(FollowUp, column_name="followup_id", null=True)
    created_by = ForeignKeyField(StaffUser, column_name="created_by_id", null=True)
    created_at = DateTimeField()

    class Meta:
        indexes = ((("programme", "status", "client"), False),)


ALL_MODELS += (Programme, Enrolment)


# --- Sensitive cases (migration 0015): the users named on a kasus terbatas -------------------


class CaseAccess(BaseModel):
    """A user named on a sensitive case: they read it in full, as its supervisors do."""

    case_id: KeyOf[int]
    user_id: KeyOf[int]

    id = AutoField()
    case = ForeignKeyField(Case, column_name="case_id")
    user = ForeignKeyField(StaffUser, column_name="user_id", index=True)
    added_by = ForeignKeyField(StaffUser, column_name="added_by_id", null=True)
    added_at = DateTimeField()

    class Meta:
        table_name = "case_access"
        indexes = ((("case", "user"), True),)


ALL_MODELS += (CaseAccess,)


# --- Batched imports (migration 0016): the unfinished import and the rows it wrote so far -----


class ImportRun(BaseModel):
    """One import's write phase. ``pending`` while its batches go in; ``host`` and ``pid`` say
    whose process it is (``heartbeat_at`` where that cannot be checked), so only a dead one is
    rolled back."""

    id = AutoField()
    kind = CharField(max_length=8)
    username = CharField(max_length=64)
    source = CharField(max_length=255)
    state = CharField(max_length=10, index=True)
    planned = IntegerField()
    written = IntegerField()
    host = CharField(max_length=255)
    pid = IntegerField()
    started_at = DateTimeField()
    heartbeat_at = DateTimeField()
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "import_run"


class ImportPending(BaseModel):
    """The id of a row the unfinished import wrote: hidden from every reader until the run is
    done (one table per kind of row, below)."""

    id = IntegerField(primary_key=True)


class ImportPendingCase(ImportPending):
    class Meta:
        table_name = "import_pending_case"


class ImportPendingClient(ImportPending):
    class Meta:
        table_name = "import_pending_client"


class ImportPendingWorker(ImportPending):
    class Meta:
        table_name = "import_pending_worker"


ALL_MODELS += (ImportRun, ImportPendingCase, ImportPendingClient, ImportPendingWorker)
