"""The page of an office letter: letterhead, number block, paragraphs, tables, signature, footer.

A4 portrait, Times, margins of an Indonesian government letter (3 cm left for the binder, 2 cm
elsewhere). Imported only when a letter is made (fpdf2 is slow to import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date as babel_format_date
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from psm_tui.core.letters import LetterContent
from psm_tui.i18n import _, current_language, format_datetime
from psm_tui.presentation.letter_style import LetterStyle, latin1

FONT = "Times"
LINE = 5  # mm between two lines of 11-point text
LABEL_WIDTH = 45  # mm, the label column of a facts block
SIGNING_ROOM = 20  # mm between the signatory's title and name: the signature and the stamp


class LetterPdf(FPDF):
    """One document; the letterhead on the first page, the footer on every page."""

    def __init__(self, style: LetterStyle, content: LetterContent) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.style = style
        self.content = content
        self.set_margins(30, 20, 20)
        self.set_auto_page_break(True, margin=22)
        self.set_title(latin1(f"{content.number.number} - {content.case.number}"))
        self.set_author(latin1(content.author))
        self.set_creator("psm")
        self.add_page()
        self._letterhead()

    def long_date(self, day: dt.date) -> str:
        """``5 Desember 2026``: the month in words, as letters are dated."""
        return babel_format_date(day, format="d MMMM y", locale=current_language())

    def _letterhead(self) -> None:
        lines = self.style.letterhead or ("",)
        for index, line in enumerate(lines):
            size = 14 if index == 0 else 16 if index == 1 else 10
            self.set_font(FONT, "B" if index < 2 else "", size)
            self.cell(
                0, size * 0.45, latin1(line), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        y = self.get_y() + 2
        self.set_line_width(0.8)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.2)
        self.line(self.l_margin, y + 1.2, self.w - self.r_margin, y + 1.2)
        self.set_y(y + 6)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "I", 8)
        self.set_text_color(90)
        made = _("Made with psm by {author} on {when}; case {case}").format(
            author=self.content.author,
            when=format_datetime(self.content.number.made_at),
            case=self.content.case.number,
        )
        self.cell(0, 4, latin1(made), align=Align.L)
        self.set_x(self.l_margin)
        page = _("Page {page} of {pages}").format(page=self.page_no(), pages="{nb}")
        self.cell(0, 4, latin1(page), align=Align.R)
        self.set_text_color(0)

    def heading_block(self, facts: Sequence[tuple[str, str]], addressee: Sequence[str]) -> None:
        """Place and date on the right, then number, nature, attachment, subject, addressee."""
        self.set_font(FONT, "", 11)
        when = f"{self.style.place}, {self.long_date(self.content.number.made_at.date())}"
        self.cell(0, LINE, latin1(when), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        for label, value in facts:
            self.cell(24, LINE, latin1(label))
            self.cell(4, LINE, ":")
            self.set_font(FONT, "B" if label == _("Subject") else "", 11)
            self.multi_cell(0, LINE, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 11)
        self.ln(LINE)
        for line in addressee:
            self.multi_cell(100, LINE, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(LINE)

    def document_title(self, text: str, number: str) -> None:
        self.set_font(FONT, "BU", 13)
        self.cell(0, 7, latin1(text), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 11)
        label = _("Number: {number}").format(number=number)
        self.cell(0, LINE, latin1(label), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def section(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 11)
        self.cell(0, LINE + 1, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 11)

    def paragraph(
        self, text: str, *, bold: bool = False, indent: bool = False, after: float = 3
    ) -> None:
        self.set_font(FONT, "B" if bold else "", 11)
        if indent:
            self.set_x(self.l_margin + 8)
        self.multi_cell(0, LINE, latin1(text), align=Align.J, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 11)
        self.ln(after)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """``label : value`` lines, indented, values wrapping under themselves."""
        self.set_font(FONT, "", 11)
        for label, value in rows:
            self.set_x(self.l_margin + 8)
            self.cell(LABEL_WIDTH, LINE, latin1(label))
            self.cell(4, LINE, ":")
            self.multi_cell(0, LINE, latin1(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def grid(
        self,
        header: Sequence[str],
        widths: Sequence[int],
        rows: Sequence[Sequence[str]],
    ) -> None:
        """A bordered table whose header repeats on every page; "nihil" when it is empty."""
        self.set_font(FONT, "", 9)
        if not rows:
            self.cell(0, LINE, latin1(_("nil")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 11)
            return
        with self.table(
            col_widths=tuple(widths),
            align="LEFT",  # widths are proportions of the page width
            line_height=4.2,
            headings_style=_heading_style(),
            repeat_headings=1,
            text_align="LEFT",
        ) as table:
            table.row([latin1(text) for text in header])
            for values in rows:
                table.row([latin1(str(value)) for value in values])
        self.set_font(FONT, "", 11)

    def signature(self, content: LetterContent, closing: str) -> None:
        """The closing sentence, then title, room to sign, name and NIP, kept together on one
        page. A referral is signed by the configured signatory; a summary by who prepared it,
        with place and date."""
        style = self.style
        if content.kind == "referral":
            above = [style.signatory_title]
            name = style.signatory_name
            below = _("NIP. {nip}").format(nip=style.signatory_nip) if style.signatory_nip else ""
        else:
            when = f"{style.place}, {self.long_date(content.number.made_at.date())}"
            above, name, below = [when, _("Prepared by,")], content.author, ""
        self.set_font(FONT, "", 11)
        wrapped = self.multi_cell(0, LINE, latin1(closing), dry_run=True, output="LINES")
        closing_lines = len(wrapped) if isinstance(wrapped, list) else 1
        if self.will_page_break(
            3 + LINE * closing_lines + 6 + LINE * (len(above) + 2) + SIGNING_ROOM
        ):
            self.add_page()
        self.paragraph(closing)
        self.ln(3)
        x = self.w - self.r_margin - 80
        self.set_font(FONT, "", 11)
        for line in above:
            self.set_x(x)
            self.multi_cell(
                80, LINE, latin1(line), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.ln(SIGNING_ROOM)
        self.set_x(x)
        self.set_font(FONT, "BU" if name else "", 11)
        shown = name or "(" + "." * 45 + ")"
        self.cell(80, LINE, latin1(shown), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 11)
        if below:
            self.set_x(x)
            self.cell(80, LINE, latin1(below), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading_style() -> object:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
