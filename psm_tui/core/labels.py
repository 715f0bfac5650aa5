"""The domain's fixed vocabularies and their labels in the user's language."""

from __future__ import annotations

from psm_tui.i18n import _

STATUSES = ("baru", "ditugaskan", "ditangani", "selesai", "ditutup")
OPEN_STATUSES = ("baru", "ditugaskan", "ditangani")
HELD_STATUSES = ("ditugaskan", "ditangani")  # counted in a worker's open caseload
PRIORITIES = ("darurat", "tinggi", "normal", "rendah")
SOURCES = (
    "datang_langsung",
    "laporan_psm",
    "laporan_warga",
    "rujukan_opd",
    "hotline",
    "media_sosial",
)
NOTE_KINDS = ("catatan", "kunjungan", "telepon")
FOLLOWUP_STATUSES = ("dikirim", "diterima", "selesai", "ditolak", "dibatalkan")
FOLLOWUP_OPEN = ("dikirim", "diterima")
WORKER_KINDS = ("psm", "tksk")
DTSEN_STATUSES = ("tidak_diketahui", "terdaftar", "tidak_terdaftar")


def status_label(status: str) -> str:
    return {
        "baru": _("new"),
        "ditugaskan": _("assigned"),
        "ditangani": _("in progress"),
        "selesai": _("resolved"),
        "ditutup": _("closed"),
    }.get(status, status)


def priority_label(priority: str) -> str:
    return {
        "darurat": _("emergency"),
        "tinggi": _("high"),
        "normal": _("normal"),
        "rendah": _("low"),
    }.get(priority, priority)


def source_label(source: str) -> str:
    return {
        "datang_langsung": _("walk-in"),
        "laporan_psm": _("PSM report"),
        "laporan_warga": _("citizen report"),
        "rujukan_opd": _("OPD referral"),
        "hotline": _("hotline"),
        "media_sosial": _("social media"),
    }.get(source, source)


def dtsen_label(status: str) -> str:
    """Whether the client is in DTSEN (the national welfare register), in words."""
    return {
        "tidak_diketahui": _("unknown"),
        "terdaftar": _("registered"),
        "tidak_terdaftar": _("not registered"),
    }.get(status, status)


def followup_status_label(status: str) -> str:
    return {
        "dikirim": _("sent"),
        "diterima": _("accepted"),
        "selesai": _("done"),
        "ditolak": _("rejected"),
        "dibatalkan": _("cancelled"),
    }.get(status, status)


def activity_label(kind: str) -> str:
    return {
        "catatan": _("note"),
        "kunjungan": _("home visit"),
        "telepon": _("call"),
        "status": _("status"),
        "penugasan": _("assignment"),
        "rujukan": _("follow-up"),
        "triase": _("triage"),
    }.get(kind, kind)


def normalise_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """Accept ``Datang Langsung``, ``datang-langsung`` or ``datang_langsung``."""
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in choices else None
