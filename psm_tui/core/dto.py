"""Plain dataclasses the services return; the CLI and the TUI render them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import DataclassInstance  # exists for type checkers only


@dataclass(frozen=True)
class Ref:
    code: str
    name: str


@dataclass(frozen=True)
class KelurahanRef:
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str

    @property
    def label(self) -> str:
        return f"Kel. {self.name}, Kec. {self.kecamatan_name}"


@dataclass(frozen=True)
class Actor:
    """The staff user acting now."""

    id: int
    username: str
    full_name: str
    role: str
    kecamatan_code: str | None = None
    # Acting through an SSH forced command (``psm --as NAME``): trusted with the role's data,
    # never with the server's files (see core/files/boundary.py).
    remote: bool = False


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: str
    kecamatan_code: str | None
    active: bool
    kecamatan_label: str | None = None  # "Kec. Cipondoh": what people call the scope


@dataclass(frozen=True)
class WorkerInfo:
    id: int
    name: str
    kind: str
    nik: str | None
    phone: str | None
    kelurahan_code: str | None
    kelurahan_name: str | None
    kecamatan_code: str
    kecamatan_name: str
    active: bool
    joined_on: dt.date | None
    open_cases: int
    inactive_reason: str | None = None


@dataclass(frozen=True)
class WorkerRef:
    """The worker as a case row shows it (no caseload: that would cost a query per row)."""

    id: int
    name: str
    kind: str
    kelurahan_code: str | None


@dataclass(frozen=True)
class ClientInfo:
    id: int
    name: str
    nik: str | None
    kk: str | None
    sex: str | None
    birth_date: dt.date | None
    address: str
    rt: str
    rw: str
    phone: str | None
    dtsen: str
    dtsen_desil: int | None
    age: int | None = None  # full years today; birth_date is None below the full-NIK right
    kelurahan: KelurahanRef | None = None
    version: int = 1  # the client record's own version, for optimistic locking of its edits
    dtsen_source: str | None = None  # where the DTSEN status came from: import, a worker, ...
    dtsen_on: dt.date | None = None


@dataclass(frozen=True)
class FollowUpInfo:
    id: int
    case_number: str
    opd_code: str
    opd_name: str
    action: str
    due_on: dt.date | None
    status: str
    response: str | None
    responded_at: dt.datetime | None
    reason: str | None
    created_at: dt.datetime
    overdue: bool
    due_soon: bool


@dataclass(frozen=True)
class ActivityInfo:
    kind: str
    text: str
    author: str
    at: dt.datetime


@dataclass(frozen=True)
class AssignmentInfo:
    worker_id: int
    worker_name: str
    assigned_by: str
    assigned_at: dt.datetime
    reason: str
    ended_at: dt.datetime | None


@dataclass(slots=True)
class CaseSummary:
    """One row of a case list. Not frozen: a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``, six times slower, which cost more than the query on a page
    of 200 rows. Treat it as read-only all the same."""

    id: int
    number: str
    status: str
    priority: str
    category: Ref
    kelurahan: KelurahanRef
    client_name: str
    client_nik: str | None
    worker: WorkerRef | None
    reported_at: dt.datetime
    updated_at: dt.datetime
    open_followups: int
    overdue_followups: int
    version: int
    restricted: bool = False  # a sensitive case shown without who or what (core/sensitive.py)


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    client: ClientInfo
    description: str
    source: str
    outcome: str | None
    closed_at: dt.datetime | None
    created_by: str
    updated_by: str
    followups: list[FollowUpInfo]
    activities: list[ActivityInfo]
    assignments: list[AssignmentInfo]

    @property
    def number(self) -> str:
        return self.summary.number

    @property
    def version(self) -> int:
        return self.summary.version


@dataclass(frozen=True)
class DuplicateHint:
    client_id: int
    name: str
    nik: str | None
    kelurahan: str
    reason: str
    hidden: bool = False  # outside the user's scope: only ``reason`` may be shown


@dataclass(frozen=True)
class RegisterResult:
    case: CaseDetail
    client_created: bool
    duplicates: list[DuplicateHint] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    worker: WorkerInfo
    tier: str
    reason: str
    basis: dict[str, object] = field(default_factory=dict)  # ``reason`` as a timeline fact


@dataclass(frozen=True)
class AssignResult:
    case: CaseDetail
    worker: WorkerInfo
    reason: str


@dataclass(frozen=True)
class EnrolmentInfo:
    """A client's place in a social-protection programme."""

    id: int
    client_id: int
    programme: Ref
    status: str
    start_on: dt.date | None
    end_on: dt.date | None
    source: str
    followup_id: int | None


@dataclass(frozen=True)
class ClientRecord:
    """The client page: the person, every case of theirs the reader may see, their programmes.

    ``hidden_cases`` counts the cases outside the reader's scope: they exist, nothing more."""

    client: ClientInfo
    cases: list[CaseSummary]
    hidden_cases: int
    enrolments: list[EnrolmentInfo]


@dataclass(frozen=True)
class HouseholdMember:
    """One person of a No. KK; ``hidden``: outside the reader's scope, only that they exist."""

    client: ClientInfo | None
    cases: list[CaseSummary]
    enrolments: list[EnrolmentInfo]
    hidden: bool = False


@dataclass(frozen=True)
class Household:
    kk: str
    members: list[HouseholdMember]


@dataclass(frozen=True)
class MergeResult:
    """The surviving record, the cases moved to it, and which record each field was kept from."""

    client: ClientRecord
    merged_id: int
    moved_cases: list[str]
    kept_from: dict[str, int]


def to_plain(obj: DataclassInstance) -> object:
    """A JSON-friendly copy of a dataclass tree (dates as ISO strings)."""

    def convert(value: object) -> object:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return value

    return convert(asdict(obj))
