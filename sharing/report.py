"""The PDF report of a view, made with reportlab: the title, filters, data as of, who
exported it and when, then the KPIs, every chart as an image and every table (headed for
people, every cell wrapped to fit, the header repeated on each page; a table wider than six
columns on landscape pages of its own)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from components.formatting import column_label, local_datetime
from components.table import cell_text

MAX_TABLE_ROWS = 2_000  # more would make a book; the CSV export has every row
MARGIN = 1.5 * cm
WIDTH = A4[0] - 2 * MARGIN  # of a portrait page's text
WIDE = landscape(A4)[0] - 2 * MARGIN  # of a landscape page's text
PORTRAIT_COLUMNS = 6  # a table with more columns gets a landscape page of its own
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=7, leading=8.5)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")


@dataclass
class Report:
    title: str
    filters: list[tuple[str, str]]
    data_as_of: str
    exported_by: str
    exported_at: datetime
    kpis: list[tuple[str, str]] = field(default_factory=list)
    charts: list[tuple[str, str, bytes]] = field(default_factory=list)  # title, note, PNG
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef5")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def shown(value: object, limit: int = 60) -> str:
    """A cell as printed: fractions to at most three decimals (61.5, not 61.500), thousands
    separated, long text cut with an ellipsis."""
    if isinstance(value, float) and value == value and not value.is_integer():
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    elif isinstance(value, float) and value == value:
        text = f"{value:,.0f}"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        text = f"{value:,}"
    else:
        text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_rows(frame: pd.DataFrame, limit: int = 60) -> list[list[str]]:
    """Every cell as printed; an id or a number-like code (customer_number) as recorded."""
    plain = [str(c).endswith(("id", "number")) for c in frame.columns]
    return [
        [
            str(v) if keep and v == v and v is not None else shown(v, limit)
            for v, keep in zip(row, plain, strict=True)
        ]
        for row in frame.itertuples(index=False)
    ]


def _widths(rows: list[list[str]], width: float) -> list[float]:
    """Column widths filling `width`. Each column first gets room for its longest word
    (measured in the font it is printed in), so no number or word is split; what is left goes
    to the columns in proportion to their text, up to 40 characters."""
    padding = 12  # a cell's left and right padding, in points
    columns = range(len(rows[0]))
    fonts = [("Helvetica-Bold", 7)] + [("Helvetica", 7)] * (len(rows) - 1)
    least = [
        padding
        + max(
            stringWidth(word, *font)
            for row, font in zip(rows, fonts, strict=True)
            for word in (str(row[k]).split() or [""])
        )
        for k in columns
    ]
    if sum(least) >= width:  # more columns than fit: shrink all alike
        return [w * width / sum(least) for w in least]
    wants = [min(40, max(len(row[k]) for row in rows)) or 1 for k in columns]
    spare = width - sum(least)
    return [w + spare * want / sum(wants) for w, want in zip(least, wants, strict=True)]


def _table(frame: pd.DataFrame) -> list[Flowable]:
    """A table that fits its page: headers for people, every cell wrapped in its column,
    the header repeated on each page; wide tables on a landscape page of their own."""
    head = frame.head(MAX_TABLE_ROWS)
    text = [[column_label(c) for c in head.columns], *shown_rows(head, limit=200)]
    wide = len(head.columns) > PORTRAIT_COLUMNS
    cells = [
        [Paragraph(escape(value), HEAD if i == 0 else CELL) for value in row]
        for i, row in enumerate(text)
    ]
    table = LongTable(
        cells, colWidths=_widths(text, WIDE if wide else WIDTH), repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(GRID)
    parts: list[Flowable] = [table]
    if len(frame) > MAX_TABLE_ROWS:
        styles = getSampleStyleSheet()
        parts.append(
            Paragraph(
                f"The first {MAX_TABLE_ROWS:,} of {len(frame):,} rows; the CSV or Excel export "
                "of this table has them all.",
                styles["Italic"],
            )
        )
    return parts


def _footer(report: Report):  # type: ignore[no-untyped-def]
    def draw(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(1.5 * cm, 1 * cm, f"Beacon · {report.title} · {report.data_as_of}")
        width = (getattr(doc.pageTemplate, "pagesize", None) or doc.pagesize)[0]  # this page's
        canvas.drawRightString(width - MARGIN, 1 * cm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def pdf_bytes(report: Report) -> bytes:
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        Paragraph("Beacon report", styles["Heading3"]),
        Paragraph(escape(report.title), styles["Title"]),
        Spacer(1, 0.3 * cm),
    ]
    cover = [["Filters", ""], *[[label, value] for label, value in report.filters]]
    if len(cover) == 1:
        cover.append(["(none)", "the whole view"])
    cover += [
        ["Data as of", report.data_as_of],
        ["Exported by", report.exported_by],
        ["Exported at", local_datetime(report.exported_at)],
    ]
    table = Table([[shown(a, 40), shown(b, 80)] for a, b in cover], colWidths=[5 * cm, 13 * cm])
    table.setStyle(GRID)
    story += [table, Spacer(1, 0.6 * cm)]
    if report.kpis:
        story.append(Paragraph("Key figures", styles["Heading2"]))
        kpis = Table([["Measure", "Value"], *report.kpis], colWidths=[10 * cm, 8 * cm])
        kpis.setStyle(GRID)
        story += [kpis, Spacer(1, 0.5 * cm)]
    for title, note, png in report.charts:
        image = Image(io.BytesIO(png), width=WIDTH, height=WIDTH / 2)
        heading = [Paragraph(escape(title), styles["Heading2"])]
        if note:
            heading.append(Paragraph(escape(note), styles["Normal"]))
        story.append(KeepTogether([*heading, image]))
    turned = False  # on landscape pages now
    for title, frame in report.tables:
        wide = len(frame.columns) > PORTRAIT_COLUMNS and not frame.empty
        if wide != turned:  # a wide table starts landscape pages; what follows, portrait
            story += [NextPageTemplate("landscape" if wide else "portrait"), PageBreak()]
            turned = wide
        story.append(Paragraph(escape(title), styles["Heading2"]))
        if frame.empty:
            story.append(Paragraph("No rows for these filters.", styles["Italic"]))
        else:
            story += _table(frame)
        story.append(Spacer(1, 0.5 * cm))
    buffer = io.BytesIO()
    footer = _footer(report)
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Beacon – {report.title}",
        author=report.exported_by,
        pageTemplates=[
            _page("portrait", A4, footer),
            _page("landscape", landscape(A4), footer),
        ],
    )
    document.build(story)
    return buffer.getvalue()


def _page(name: str, size: tuple[float, float], footer) -> PageTemplate:  # type: ignore[no-untyped-def]
    frame = Frame(
        MARGIN,
        1.8 * cm,
        size[0] - 2 * MARGIN,
        size[1] - 1.8 * cm - MARGIN,
        leftPadding=0,
        rightPadding=0,
        id=name,
    )
    return PageTemplate(id=name, frames=[frame], pagesize=size, onPage=footer)
