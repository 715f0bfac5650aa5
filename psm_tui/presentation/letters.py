"""Referral letters (surat rujukan) and case summaries as A4 PDF, drawn with fpdf2.

The PDF uses the standard Times font, so it needs no font file on the server; text outside
Latin-1 is folded to its closest Latin-1 spelling (``Ş`` → ``S``). The number is drawn, the letter
registered and audited, and the file written in one transaction (:func:`write_letter`): a file that
could not be written leaves no letter in the register. fpdf2 is imported only when a letter is
made; ``psm`` commands that make none do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psm_tui.core.dto import Actor
from psm_tui.core.files.output import Output
from psm_tui.core.labels import (
    activity_label,
    followup_status_label,
    priority_label,
    source_label,
    status_label,
)
from psm_tui.core.letters import LetterContent, LetterNumber, make_letter
from psm_tui.core.masks import born_text
from psm_tui.core.validation import sex_label
from psm_tui.i18n import _, format_date, format_datetime
from psm_tui.presentation.letter_style import LetterStyle
from psm_tui.store.database import db

if TYPE_CHECKING:
    from psm_tui.presentation.letter_pdf import LetterPdf


def initial_capital(label: str) -> str:
    """A label as a form's value starts: ``perempuan`` becomes ``Perempuan``."""
    return label[:1].upper() + label[1:]


def write_letter(
    actor: Actor,
    kind: str,
    output: Output,
    style: LetterStyle,
    *,
    case_number: str = "",
    followup_id: int | None = None,
) -> LetterNumber:
    """Make one document into ``output``; returns its registered number."""
    with db.atomic():
        content = make_letter(
            actor, kind, case_number=case_number, followup_id=followup_id, pattern=style.pattern
        )
        data = render(content, style)
        with output.open(binary=True) as stream:
            stream.write(data)
    return content.number


def render(content: LetterContent, style: LetterStyle) -> bytes:
    """The PDF's bytes."""
    from psm_tui.presentation.letter_pdf import LetterPdf  # fpdf2 is slow to import

    pdf = LetterPdf(style, content)
    if content.kind == "referral":
        _referral(pdf, content)
    else:
        _summary(pdf, content)
    pdf.signature(content, _closing(content))
    return bytes(pdf.output())


def _closing(content: LetterContent) -> str:
    """The closing sentence, kept on the signature's page: a page never holds a signature alone."""
    if content.kind == "referral":
        return _("Thank you for your attention and cooperation.")
    return _("This summary was prepared truthfully, to be used as needed.")


def client_facts(content: LetterContent) -> list[tuple[str, str]]:
    """The client as the actor may see them (masked NIK, age only, below ``nik.full``)."""
    c, s = content.case.client, content.case.summary
    address = c.address + (f" RT {c.rt or '-'}/RW {c.rw or '-'}" if c.rt or c.rw else "")
    return [
        (_("Name"), c.name),
        ("NIK", c.nik or "-"),
        (_("Sex"), initial_capital(sex_label(c.sex))),
        (_("Date of birth / age"), born_text(c.birth_date, c.age)),
        (_("Address"), address),
        (
            _("Kelurahan"),
            _("Kel. {kelurahan}, Kec. {kecamatan}").format(
                kelurahan=content.kelurahan, kecamatan=content.kecamatan
            ),
        ),
        (_("Phone"), c.phone or "-"),
        (_("PPKS category"), f"{s.category.code}. {s.category.name}"),
        (_("Case number"), s.number),
        (_("Accompanying PSM"), s.worker.name if s.worker else "-"),
    ]


def _referral(pdf: LetterPdf, content: LetterContent) -> None:
    followup = content.followup
    assert followup is not None
    urgent = content.case.summary.priority in ("darurat", "tinggi")
    pdf.heading_block(
        [
            (_("Number"), content.number.number),
            (_("Nature"), _("Urgent") if urgent else _("Regular")),
            (_("Attachment"), "-"),
            (_("Subject"), _("Referral of a client for further handling")),
        ],
        [_("To the honourable"), _("Head of {opd}").format(opd=content.opd_name), _("in place")],
    )
    pdf.paragraph(_("Dear Sir or Madam,"))
    pdf.paragraph(
        _(
            "Dinas Sosial Kota Tangerang refers the following client to you for further "
            "handling within your authority:"
        )
    )
    pdf.facts(client_facts(content))
    pdf.paragraph(_("Requested action:"), bold=True, after=1)
    pdf.paragraph(followup.action, indent=True)
    if followup.due_on:
        pdf.paragraph(
            _(
                "We kindly ask for your reply on this referral by {date}, quoting the number above."
            ).format(date=pdf.long_date(followup.due_on))
        )


def _summary(pdf: LetterPdf, content: LetterContent) -> None:
    detail, s = content.case, content.case.summary
    pdf.document_title(_("CASE SUMMARY"), content.number.number)
    pdf.section(_("Case"))
    pdf.facts(
        [
            (_("Case number"), s.number),
            (_("Status"), initial_capital(status_label(s.status))),
            (_("Priority"), initial_capital(priority_label(s.priority))),
            (_("Source"), initial_capital(source_label(detail.source))),
            (_("Reported"), format_datetime(s.reported_at)),
        ]
        + ([(_("Finished"), format_datetime(detail.closed_at))] if detail.closed_at else [])
    )
    pdf.section(_("Client"))
    pdf.facts([fact for fact in client_facts(content)[:-2] if fact[1] != "-"])
    pdf.section(_("Description"))
    pdf.paragraph(detail.description or "-")
    if detail.outcome:
        pdf.section(_("Outcome"))
        pdf.paragraph(detail.outcome)
    pdf.section(_("Follow-ups"))
    pdf.grid(
        ("OPD", _("Requested action"), _("Due"), _("Status"), _("Response")),
        (14, 58, 24, 22, 52),
        [
            (
                f.opd_name,
                f.action,
                format_date(f.due_on),
                followup_status_label(f.status) + (" (!)" if f.overdue else ""),
                f.response or f.reason or "-",
            )
            for f in detail.followups
        ],
    )
    pdf.section(_("Assignments"))
    pdf.grid(
        (_("PSM"), _("Assigned"), _("Ended"), _("Reason")),
        (50, 30, 30, 60),
        [
            (a.worker_name, format_date(a.assigned_at), format_date(a.ended_at), a.reason or "-")
            for a in detail.assignments
        ],
    )
    pdf.section(_("Timeline"))
    pdf.grid(
        (_("Time"), _("Kind"), _("By"), _("Text")),
        (30, 22, 24, 94),
        [
            (format_datetime(a.at), activity_label(a.kind), a.author, a.text)
            for a in detail.activities
        ],
    )
