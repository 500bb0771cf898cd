"""The PDF report, rendered to images page by page and looked at: the first page carries the
cover and the key figures, tables are headed for people and nothing runs off a page."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pypdf
import pypdfium2 as pdfium

from sharing.report import MARGIN, Report, pdf_bytes

LONG = "An intervention note that goes on for quite a while, as managers' notes do"


def pages_of(raw: bytes) -> list[np.ndarray]:
    """Every page as a grey-scale image, 1 pixel per point."""
    document = pdfium.PdfDocument(raw)
    return [np.asarray(page.render(scale=1).to_pil().convert("L")) for page in document]


def a_report() -> Report:
    wide = pd.DataFrame(
        {
            "tutor_id": range(1, 121),
            "tutor_name": [f"Tutor number {i} with a long name" for i in range(1, 121)],
            "region": "North",
            "risk_before": 61.5,
            "risk_after": 40.25,
            "risk_change": -21.25,
            "sessions_before": 12,
            "sessions_after": 17,
            "activity_change": 5,
            "note": LONG,
            "scores_as_of": pd.Timestamp("2026-06-15", tz="UTC"),
        }
    )
    narrow = pd.DataFrame({"band": ["low", "medium", "high"], "tutors": [400, 120, 30]})
    return Report(
        title="Tutor risk overview",
        filters=[("Region", "North"), ("Band", "high")],
        data_as_of="2026-06-15 18:00",
        exported_by="Test manager (manager@example.org)",
        exported_at=datetime(2026, 6, 16, 9, tzinfo=UTC),
        kpis=[("Tutors scored", "550"), ("At high or critical risk", "38")],
        tables=[("Tutors by band", narrow), ("Tutors by risk", wide), ("Bands again", narrow)],
    )


def test_tables_fit_their_pages_and_wide_ones_turn_landscape():
    raw = pdf_bytes(a_report())
    pages = pages_of(raw)
    assert len(pages) >= 4  # the wide table runs over landscape pages of its own
    margin = int(MARGIN) - 4  # a little inside the page's right margin: must stay blank
    for number, page in enumerate(pages, start=1):
        assert (page[:, -margin:] > 250).all(), f"page {number} runs into its right margin"
    landscape = [page.shape[1] > page.shape[0] for page in pages]
    assert not landscape[0] and any(landscape) and not landscape[-1]
    text = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(raw)).pages]
    turned = [t for t, wide in zip(text, landscape, strict=True) if wide]
    assert all("Tutor ID" in t and "Risk before" in t for t in turned)  # header on each page
    assert "risk_before" not in "".join(text) and "tutor_id" not in "".join(text)
    assert "Bands again" in text[-1]  # back to portrait after the wide table


def test_the_first_page_is_not_a_nearly_empty_cover():
    raw = pdf_bytes(a_report())
    first = pages_of(raw)[0]
    inked = (first < 200).any(axis=1)  # rows of the page with something printed
    assert inked[: len(inked) // 2].sum() > 150  # the cover and key figures fill the top half
    text = pypdf.PdfReader(io.BytesIO(raw)).pages[0].extract_text()
    for expected in ("Tutor risk overview", "Exported by", "Key figures", "Tutors by band"):
        assert expected in text, expected


def test_cells_print_as_people_write_numbers():
    from sharing.report import shown

    assert [shown(v) for v in (61.5, -21.25, 0.123456, 25500.0, 125000, 2026, True)] == [
        "61.5",
        "-21.25",
        "0.123",
        "25,500",
        "125,000",
        "2026",
        "yes",
    ]


def test_a_table_of_many_short_columns_splits_no_number():
    """Fourteen columns of short values: every value fits its column whole."""
    frame = pd.DataFrame(
        {f"measure_{k}": [512, 25500.0, 100000, "declined"] for k in range(13)}
        | {"customer_id": [100000, 100001, 100002, 100003]}
    )
    report = a_report()
    report.tables = [("Many columns", frame)]
    raw = pdf_bytes(report)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(raw)).pages)
    for whole in ("512", "25,500", "100,000", "declined", "100001"):
        assert whole in text.split(), whole
    assert "100,001" not in text  # an id is printed as recorded
