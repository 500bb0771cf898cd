"""The PDF report of a view, made with reportlab: a cover (title, filters, data as of, who
exported it and when), the KPIs, every chart as an image and every table, split over pages
with its header repeated."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from components.formatting import local_datetime
from components.table import cell_text

MAX_TABLE_ROWS = 2_000  # more would make a book; the CSV export has every row
WIDTH = A4[0] - 3 * cm


@dataclass
class Report:
    title: str
    filters: list[tuple[str, str]]
    data_as_of: str
    exported_by: str
    exported_at: datetime
    kpis: list[tuple[str, str]] = field(default_factory=list)
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # title, PNG
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
    """A cell as printed: fractions to three decimals, long text cut with an ellipsis."""
    if isinstance(value, float) and value == value and not value.is_integer():
        text = f"{value:,.3f}"
    else:
        text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_rows(frame: pd.DataFrame, limit: int = 60) -> list[list[str]]:
    return [[shown(v, limit) for v in row] for row in frame.itertuples(index=False)]


def _table(frame: pd.DataFrame) -> list[Flowable]:
    head = frame.head(MAX_TABLE_ROWS)
    rows = [[str(c) for c in head.columns], *shown_rows(head)]
    table = LongTable(rows, repeatRows=1, hAlign="LEFT")
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
        canvas.drawRightString(A4[0] - 1.5 * cm, 1 * cm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def pdf_bytes(report: Report) -> bytes:
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        Spacer(1, 3 * cm),
        Paragraph("Beacon report", styles["Heading3"]),
        Paragraph(escape(report.title), styles["Title"]),
        Spacer(1, 0.6 * cm),
    ]
    cover = [["Filters", ""], *[[label, value] for label, value in report.filters]]
    if len(cover) == 1:
        cover.append(["(none)", "the whole view"])
    cover += [
        ["Data as of", report.data_as_of],
        ["Exported by", report.exported_by],
        ["Exported at", local_datetime(report.exported_at)],
    ]
    table = Table([[shown(a, 40), shown(b, 80)] for a, b in cover], colWidths=[5 * cm, 11 * cm])
    table.setStyle(GRID)
    story += [table, PageBreak()]
    if report.kpis:
        story.append(Paragraph("Key figures", styles["Heading2"]))
        kpis = Table([["Measure", "Value"], *report.kpis], colWidths=[10 * cm, 6 * cm])
        kpis.setStyle(GRID)
        story += [kpis, Spacer(1, 0.5 * cm)]
    for title, png in report.charts:
        image = Image(io.BytesIO(png), width=WIDTH, height=WIDTH / 2)
        story.append(KeepTogether([Paragraph(escape(title), styles["Heading2"]), image]))
    for title, frame in report.tables:
        story.append(Paragraph(escape(title), styles["Heading2"]))
        if frame.empty:
            story.append(Paragraph("No rows for these filters.", styles["Italic"]))
        else:
            story += _table(frame)
        story.append(Spacer(1, 0.5 * cm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Beacon – {report.title}",
        author=report.exported_by,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.8 * cm,
    )
    footer = _footer(report)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
