"""Exports: case, follow-up and worker lists, the monthly report and the PSM incentive list.

Who may export what (UU PDP: exports of personal data are limited, minimal and logged):

* ``report`` holds only counts, no personal data: anyone who may read (the Kepala Dinas is a
  viewer) may export it.
* ``cases``, ``followups``, ``workers`` are lists about people. Operators may export them for
  their daily work, but NIK and No. KK are masked for them (full only with ``nik.full``) and a
  kecamatan-scoped operator gets only that kecamatan. Viewers may not.
* ``incentive`` is a finance document with the PSM's NIK and amounts: it needs the ``export``
  permission (supervisor).

Lists honour the filters of ``psm case list`` (:class:`CaseFilter`) and are streamed from the
database (``.tuples().iterator()``), never loaded whole. Every export, and every refusal, is
written to the audit log with who, what, which filter and how many rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO

from peewee import JOIN, ColumnBase, ModelSelect, fn
from peewee import Case as SqlCase

from psm_tui.config import Settings
from psm_tui.core import audit, clock, sensitive
from psm_tui.core.case_queries import (
    CaseFilter,
    count_cases,
    filtered,
    finds_by_who_or_what,
    mask_nik,
)
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.output import Output
from psm_tui.core.incentive import IncentiveList, incentive_list, rate_for, rule_label
from psm_tui.core.labels import (
    FOLLOWUP_OPEN,
    followup_status_label,
    priority_label,
    source_label,
    status_label,
)
from psm_tui.core.reference import find_kecamatan, find_opd, kelurahan_by_code
from psm_tui.core.users import read_scope, require
from psm_tui.core.workers import WorkerFilter, list_workers
from psm_tui.i18n import _, format_month, format_rupiah
from psm_tui.presentation.export_files import (
    CsvSink,
    LongCsvSink,
    TableSink,
    write_tables,
)
from psm_tui.presentation.incentive import (
    DocumentSettings,
    incentive_document,
    incentive_tables,
)
from psm_tui.presentation.monthly import monthly_report
from psm_tui.presentation.tables import Column, ReportTable, total_label
from psm_tui.store.models import Case, Category, Client, FollowUp, Kecamatan, Kelurahan, Opd, Worker

KINDS = ("cases", "followups", "workers", "incentive", "report")
FORMATS = ("csv", "xlsx", "pdf")  # PDF: the incentive list only
# The least permission (users.PERMISSIONS) each kind of export needs; see the module docstring.
EXPORT_PERMISSION = {
    "report": "export.report",
    "cases": "export.list",
    "followups": "export.list",
    "workers": "export.list",
    "incentive": "export",
}
Progress = Callable[[int], None]
PROGRESS_STEP = 500  # rows between two progress reports


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    fmt: str
    filters: CaseFilter = field(default_factory=CaseFilter)
    opd: str | None = None
    workers: WorkerFilter = field(default_factory=WorkerFilter)
    month: dt.date | None = None
    kecamatan: str | None = None  # report / incentive scope (Kemendagri code)
    plain: bool = False


@dataclass(frozen=True)
class ExportResult:
    kind: str
    fmt: str
    output: str
    rows: int


def format_for(output: str | None, fmt: str | None) -> str:
    """``--format`` if given, else from the file name (``.xlsx``), else CSV."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise ValidationError(
                _("Unknown format {format}; use csv, xlsx or pdf").format(format=fmt), "format"
            )
        return fmt
    suffix = Path(output or "").suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "csv"


def _scoped(actor: Actor, request: ExportRequest) -> ExportRequest:
    """Check the role; keep a kecamatan-scoped viewer or operator inside their kecamatan."""
    wanted = request.filters.kecamatan or request.workers.kecamatan or request.kecamatan
    wanted = find_kecamatan(wanted).code if wanted else None
    if not wanted and request.filters.kelurahan:
        wanted = kelurahan_by_code(request.filters.kelurahan).kecamatan_code
    require(actor, EXPORT_PERMISSION[request.kind], wanted)
    code = read_scope(actor)
    if code and not wanted:
        return replace(
            request,
            filters=replace(request.filters, kecamatan=code),
            workers=replace(request.workers, kecamatan=code),
            kecamatan=code,
        )
    return request


def run_export(
    actor: Actor,
    request: ExportRequest,
    output: Output,
    *,
    incentive_rates: tuple[tuple[str, int], ...] = Settings.incentive_rates,
    incentive_amount: int = Settings.incentive_amount,
    threshold: int = Settings.overload_threshold,
    incentive_rule: str = Settings.incentive_rule,
    document: DocumentSettings | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write one export to ``output`` (settings' defaults unless given).

    The audit row (who, what, which filter, where to) is committed before the first byte
    leaves; a second row says how many rows went out, or that the export broke off and after how
    many. The log stays append-only, and ``export -o - | head`` still leaves its trace.
    """
    if request.kind not in KINDS:
        raise ValidationError(
            _("Unknown export {kind}; use one of {kinds}").format(
                kind=request.kind, kinds=", ".join(KINDS)
            ),
            "kind",
        )
    if request.fmt == "pdf" and request.kind != "incentive":
        raise ValidationError(_("Only the incentive list is made as PDF"), "format")
    request = _scoped(actor, request)
    incentive = _Incentive(
        incentive_rates,
        incentive_amount,
        incentive_rule,
        document or DocumentSettings.from_settings(Settings()),
    )
    audit.record(
        actor,
        "export",
        "export",
        request.kind,
        {"format": request.fmt, "output": output.label, "filter": _filter_detail(request)},
    )
    tally = _Tally(progress)
    try:
        _write(actor, request, output, tally, incentive, threshold)
    except BaseException as error:
        audit.record(
            actor,
            "export.failed",
            "export",
            request.kind,
            {"rows": tally.rows, "error": type(error).__name__},
        )
        raise
    audit.record(actor, "export.done", "export", request.kind, {"rows": tally.rows})
    return ExportResult(request.kind, request.fmt, output.label, tally.rows)


@dataclass(frozen=True)
class _Incentive:
    """The settings the incentive list is made with."""

    rates: tuple[tuple[str, int], ...]
    amount: int
    rule: str
    document: DocumentSettings


@dataclass
class _Tally:
    """Rows written so far (what the audit log reports if the export breaks off)."""

    progress: Progress | None
    rows: int = 0
    reported: int = 0

    def add(self, count: int = 1) -> None:
        self.rows += count
        if self.progress and self.rows - self.reported >= PROGRESS_STEP:
            self.flush()

    def flush(self) -> None:
        if self.progress and self.rows > self.reported:
            self.progress(self.rows - self.reported)
        self.reported = self.rows


def _write(
    actor: Actor,
    request: ExportRequest,
    output: Output,
    tally: _Tally,
    incentive: _Incentive,
    threshold: int,
) -> None:
    if request.kind == "cases":
        _write_list(request, output, case_columns(), case_rows(actor, request.filters), tally)
    elif request.kind == "followups":
        opd = find_opd(request.opd).code if request.opd else None
        rows = followup_rows(request.filters, opd)
        _write_list(request, output, followup_columns(), rows, tally)
    elif request.kind == "workers":
        rows = worker_rows(actor, request.workers)
        _write_list(request, output, worker_columns(), rows, tally)
    else:
        tally.add(_write_document(actor, request, output, incentive, threshold))
        tally.flush()


def _filter_detail(request: ExportRequest) -> dict[str, object]:
    """The filters that were actually set, for the audit log."""

    def given(values: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in values.items() if v not in (None, False, (), "")}

    detail = given({"opd": request.opd, "month": request.month, "kecamatan": request.kecamatan})
    if request.kind in ("cases", "followups"):
        detail.update(given(asdict(request.filters)))
    elif request.kind == "workers":
        detail.update(given(asdict(request.workers)))
    return detail


def _write_list(
    request: ExportRequest,
    output: Output,
    columns: list[Column],
    rows: Iterator[tuple[object, ...]],
    tally: _Tally,
) -> None:
    binary = request.fmt == "xlsx"
    labels = {} if request.plain else _CODE_LABELS.get(request.kind, {})
    worded = [(i, labels[c.key]) for i, c in enumerate(columns) if c.key in labels]
    with output.open(binary=binary, bom=not request.plain) as stream:
        sink = _xlsx_sink(stream, False) if binary else CsvSink(stream, plain=request.plain)
        sink.begin(request.kind, _title(request.kind), columns)
        for values in rows:
            if worded:
                cells = list(values)
                for index, label in worded:
                    cells[index] = label(str(cells[index])) if cells[index] else cells[index]
                values = tuple(cells)
            sink.row(values)
            tally.add()
        sink.close()
    tally.flush()


# Codes worded for people (``datang_langsung`` is "walk-in"); --plain keeps the codes.
_CODE_LABELS: dict[str, dict[str, Callable[[str], str]]] = {
    "cases": {"status": status_label, "priority": priority_label, "source": source_label},
    "followups": {"status": followup_status_label},
}


def _xlsx_sink(stream: IO[bytes], document: bool) -> TableSink:
    from psm_tui.presentation.xlsx import XlsxSink  # openpyxl is slow to import

    return XlsxSink(stream, document=document)


def _title(kind: str) -> str:
    return {"cases": _("Cases"), "followups": _("Follow-ups"), "workers": _("Workers")}[kind]


def count_rows(request: ExportRequest, actor: Actor | None = None) -> int | None:
    """How many rows a list export will write (for a progress bar); None for documents."""
    if request.kind == "cases":
        return count_cases(request.filters, actor)
    if request.kind == "followups":
        opd = find_opd(request.opd).code if request.opd else None
        return int(_followup_query(request.filters, opd).count())
    return None


def case_columns() -> list[Column]:
    return [
        Column("number", _("Case number"), "text", 13),
        Column("reported_at", _("Reported"), "datetime", 17),
        Column("status", _("Status"), "text", 11),
        Column("priority", _("Priority"), "text", 9),
        Column("category_code", _("PPKS no."), "int", 6),
        Column("category", _("PPKS category"), "text", 30),
        Column("client", _("Client"), "text", 26),
        Column("nik", "NIK", "id", 18),
        Column("kk", _("KK number"), "id", 18),
        Column("sex", _("Sex"), "text", 5),
        Column("kelurahan_code", _("Kelurahan code"), "text", 14),
        Column("kelurahan", _("Kelurahan"), "text", 20),
        Column("kecamatan", _("Kecamatan"), "text", 15),
        Column("worker_id", _("PSM ID"), "int", 7),
        Column("worker", _("PSM"), "text", 24),
        Column("source", _("Source"), "text", 15),
        Column("open_followups", _("Open follow-ups"), "int", 9),
        Column("overdue_followups", _("Overdue follow-ups"), "int", 9),
        Column("closed_at", _("Finished"), "datetime", 17),
    ]


# What a restricted case's row leaves blank: who and what (core/sensitive.py).
RESTRICTED_COLUMNS = ("category_code", "category", "client", "nik", "kk", "sex")


def case_rows(actor: Actor, filters: CaseFilter) -> Iterator[tuple[object, ...]]:
    """Only what the office needs to act on a case (no address, phone or description); a
    sensitive case the reader may not read in full says only that it exists."""
    today = clock.today()
    late = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    counts = (
        FollowUp.select(
            FollowUp.case.alias("case_id"), fn.COUNT(FollowUp.id).alias("n"), late.alias("late")
        )
        .where(FollowUp.status.in_(FOLLOWUP_OPEN))
        .group_by(FollowUp.case)
        .alias("fu")
    )
    fields = {  # the value of each of case_columns(), by its key
        "number": Case.number,
        "reported_at": Case.reported_at,
        "status": Case.status,
        "priority": Case.priority,
        "category_code": Category.code,
        "category": Category.name,
        "client": Client.name,
        "nik": Client.nik,
        "kk": Client.kk,
        "sex": Client.sex,
        "kelurahan_code": Kelurahan.code,
        "kelurahan": Kelurahan.name,
        "kecamatan": Kecamatan.name,
        "worker_id": Worker.id,
        "worker": Worker.name,
        "source": Case.source,
        "open_followups": counts.c.n,
        "overdue_followups": counts.c.late,
        "closed_at": Case.closed_at,
    }
    secret = {"id": Case.id, "sensitive": Case.sensitive, "kecamatan_code": Kecamatan.code}
    query = (
        filtered(filters)
        .switch(Case)
        .join(counts, JOIN.LEFT_OUTER, on=(Case.id == counts.c.case_id))
        .select(*(value.alias(key) for key, value in {**fields, **secret}.items()))
        .order_by(Case.reported_at, Case.id)
    )
    full = sensitive.full_condition(actor)
    if full is not None and finds_by_who_or_what(filters):
        query = query.where(full)
    keys = [column.key for column in case_columns()]
    for row in query.dicts().iterator():
        row["nik"], row["kk"] = mask_nik(row["nik"], actor), mask_nik(row["kk"], actor)
        if row["sensitive"] and sensitive.hidden_ids(
            actor, [(row["id"], True, row["kecamatan_code"])]
        ):
            row.update(dict.fromkeys(RESTRICTED_COLUMNS), client=sensitive.restricted_label())
        row["open_followups"] = int(row["open_followups"] or 0)
        row["overdue_followups"] = int(row["overdue_followups"] or 0)
        yield tuple(row[key] for key in keys)


def followup_columns() -> list[Column]:
    return [
        Column("id", "ID", "int", 7),
        Column("case", _("Case number"), "text", 13),
        Column("kelurahan", _("Kelurahan"), "text", 20),
        Column("kecamatan", _("Kecamatan"), "text", 15),
        Column("opd", "OPD", "text", 14),
        Column("action", _("Requested action"), "text", 40),
        Column("status", _("Status"), "text", 11),
        Column("sent", _("Sent"), "datetime", 17),
        Column("due", _("Due"), "date", 11),
        Column("overdue", _("Overdue"), "bool", 8),
        Column("responded_at", _("Answered"), "datetime", 17),
        Column("response", _("Response"), "text", 30),
        Column("reason", _("Reason"), "text", 30),
    ]


def _followup_query(filters: CaseFilter, opd: str | None) -> ModelSelect[FollowUp]:
    query = FollowUp.select().join(Case).join(Kelurahan).join(Kecamatan).switch(FollowUp).join(Opd)
    if opd:
        query = query.where(FollowUp.opd == opd)
    if filters.overdue:
        query = query.where(FollowUp.status.in_(FOLLOWUP_OPEN), FollowUp.due_on < clock.today())
        filters = replace(filters, overdue=False)
    if filters != CaseFilter():
        query = query.where(FollowUp.case.in_(filtered(filters).select(Case.id)))
    return query


def followup_rows(filters: CaseFilter, opd: str | None) -> Iterator[tuple[object, ...]]:
    """Follow-ups of the cases matching ``filters``; ``overdue`` here means overdue follow-ups."""
    today = clock.today()
    fields: dict[str, ColumnBase] = {  # the stored value of each of followup_columns(), by key
        "id": FollowUp.id,
        "case": Case.number,
        "kelurahan": Kelurahan.name,
        "kecamatan": Kecamatan.name,
        "opd": Opd.abbrev,
        "action": FollowUp.action,
        "status": FollowUp.status,
        "sent": FollowUp.created_at,
        "due": FollowUp.due_on,
        "responded_at": FollowUp.responded_at,
        "response": FollowUp.response,
        "reason": FollowUp.reason,
    }
    query = (
        _followup_query(filters, opd)
        .select(*(value.alias(key) for key, value in fields.items()))
        .order_by(FollowUp.id)
    )
    keys = [column.key for column in followup_columns()]
    for row in query.dicts().iterator():
        due = row["due"]
        row["overdue"] = row["status"] in FOLLOWUP_OPEN and due is not None and due < today
        yield tuple(row[key] for key in keys)


def worker_columns() -> list[Column]:
    return [
        Column("id", "ID", "int", 7),
        Column("kind", _("Kind"), "text", 6),
        Column("name", _("Name"), "text", 26),
        Column("nik", "NIK", "id", 18),
        Column("phone", _("Phone"), "id", 15),
        Column("kelurahan_code", _("Kelurahan code"), "text", 14),
        Column("kelurahan", _("Kelurahan"), "text", 20),
        Column("kecamatan", _("Kecamatan"), "text", 15),
        Column("active", _("Active"), "bool", 7),
        Column("joined_on", _("Joined"), "date", 11),
        Column("open_cases", _("Open cases"), "int", 8),
    ]


def worker_rows(actor: Actor, filters: WorkerFilter) -> Iterator[tuple[object, ...]]:
    """The roster is bounded (about a thousand people), so the service's list is used as is."""
    for w in list_workers(filters):
        yield (
            w.id,
            w.kind,
            w.name,
            mask_nik(w.nik, actor),
            w.phone,
            w.kelurahan_code,
            w.kelurahan_name,
            w.kecamatan_name,
            w.active,
            w.joined_on,
            w.open_cases,
        )


def _checked_month(request: ExportRequest) -> dt.date:
    if request.month is None:
        raise ValidationError(_("Give the month: --month YYYY-MM"), "month")
    if request.month > clock.today():
        raise ValidationError(
            _("{month} has not started yet").format(month=f"{request.month:%Y-%m}"), "month"
        )
    return request.month


def _where(request: ExportRequest) -> str:
    return (
        _("Kec. {name}").format(name=find_kecamatan(request.kecamatan).name)
        if request.kecamatan
        else _("Kota Tangerang")
    )


def document_tables(
    actor: Actor, request: ExportRequest, incentive: _Incentive, threshold: int
) -> tuple[list[ReportTable], str]:
    """The tables of the monthly report or the incentive list, and the subtitle under titles."""
    month = _checked_month(request)
    where = _where(request)
    if request.kind == "report":
        period = format_month(month)
        subtitle = _("Dinas Sosial Kota Tangerang, {where}, {period}").format(
            where=where, period=period
        )
        return monthly_report(month, request.kecamatan, threshold=threshold), subtitle
    data = _incentive_list(actor, request, incentive)
    subtitle = _("{where}, {month}: {rate} per PSM paid ({rule})").format(
        where=where,
        month=format_month(month),
        rate=format_rupiah(data.rate),
        rule=rule_label(data.rule),
    )
    return incentive_tables(data, for_people=not request.plain), subtitle


def _incentive_list(actor: Actor, request: ExportRequest, incentive: _Incentive) -> IncentiveList:
    month = _checked_month(request)
    return incentive_list(
        actor,
        month,
        rate=rate_for(month, incentive.rates, incentive.amount),
        rule=incentive.rule,
        kecamatan=request.kecamatan,
        city_label=total_label(request.kecamatan),
    )


def _write_document(
    actor: Actor,
    request: ExportRequest,
    output: Output,
    incentive: _Incentive,
    threshold: int,
) -> int:
    if request.kind == "incentive" and request.fmt in ("xlsx", "pdf"):
        data = _incentive_list(actor, request, incentive)
        where = _where(request) if request.kecamatan else ""
        doc = incentive_document(data, incentive.document, clock.today(), where)
        with output.open(binary=True) as stream:
            if request.fmt == "pdf":
                from psm_tui.presentation.incentive_pdf import write_incentive_pdf

                return write_incentive_pdf(stream, doc)
            from psm_tui.presentation.incentive_xlsx import write_incentive_xlsx

            return write_incentive_xlsx(stream, doc)
    tables, subtitle = document_tables(actor, request, incentive, threshold)
    if request.fmt == "csv" and request.kind == "incentive":
        tables = tables[:1]  # the nominative list already carries every subtotal
    binary = request.fmt == "xlsx"
    with output.open(binary=binary, bom=not request.plain) as stream:
        sink: TableSink
        if binary:
            sink = _xlsx_sink(stream, True)
        elif len(tables) == 1:
            sink = CsvSink(stream, plain=request.plain)
        else:
            sink = LongCsvSink(stream, plain=request.plain)
        rows = write_tables(sink, tables, subtitle)
        sink.close()
    return rows


def default_filename(kind: str, fmt: str, month: dt.date | None = None) -> Path:
    stamp = f"{month:%Y-%m}" if month else f"{clock.today():%Y%m%d}"
    return Path(f"psm-{kind}-{stamp}.{fmt}")
