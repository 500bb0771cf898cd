"""Exports of registered views, over HTTP as the browser sends them: a chart's file holds
exactly the rows its chart is drawn from under the same filters, a table's file every
filtered row, text that could run as a formula comes out neutralised, and each is audited."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from urllib.parse import quote

import pandas as pd
import pypdf
import pytest
from sqlalchemy import create_engine, select, update

import app as beacon  # noqa: F401  (pages register their views with the app)
from components.downloads import RISKY_START, file_name, neutralised
from components.formatting import column_label
from data import audit as audit_log
from data import tutor_risk
from data.engine import connect, transaction
from data.models import Tutor
from data.seed import seed_database
from jobs import tutor_risk as tutor_risk_job
from tests.conftest import AS_OF, SEED, pointed_at
from tests.sharing.client import export, report, sent_file, signed_in

ATTACKS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")),
    reason="charts are drawn by Chromium (apt-get install chromium)",
)


def test_risky_text_cells_are_neutralised_and_the_rest_left_alone():
    frame = pd.DataFrame({"text": [*ATTACKS, "plain", "a=b"], "n": [-1, 2, 3, 4, 5, 6, 7, 8]})
    safe = neutralised(frame)
    assert all(v.startswith("'") for v in safe["text"][: len(ATTACKS)])
    assert list(safe["text"][-2:]) == ["plain", "a=b"] and list(safe["n"]) == list(frame["n"])
    assert not any(v.startswith(RISKY_START) for v in safe["text"])


def test_file_names_are_made_on_the_server():
    name = file_name("../../etc/passwd; rm -rf", datetime(2026, 6, 1, 12, tzinfo=UTC), "csv")
    assert name == "beacon-etc-passwd-rm-rf-20260601-120000.csv"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> str:
    """Small demo data, scored, with one tutor's name a spreadsheet formula."""
    from tests.conftest import _migrated

    url = _migrated(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'beacon.db'}")
    seed_database(create_engine(url), scale="small", seed=SEED, as_of=AS_OF)
    with pointed_at(url):
        with transaction() as conn:
            first = conn.execute(select(Tutor.id).where(Tutor.region_id == 1)).scalars().first()
            conn.execute(update(Tutor).where(Tutor.id == first).values(name=ATTACKS[0]))
        tutor_risk_job.run(weeks=2)
    return url


@pytest.fixture
def scored(scored_url, use_database):  # type: ignore[no-untyped-def]
    use_database(scored_url)
    return scored_url


def read(name: str, raw: bytes) -> pd.DataFrame:
    if name.endswith(".xlsx"):
        return pd.read_excel(io.BytesIO(raw))
    return pd.read_csv(io.StringIO(raw.decode()))


def test_a_chart_export_holds_the_rows_its_chart_is_drawn_from(scored):
    """Risk scores for region 1 as CSV equal the score-count query for region 1."""
    client = signed_in("analyst")
    name, raw = sent_file(export(client, "tutor-risk", "scores", "csv", "?region=1"))
    exported = read(name, raw)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        latest = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"])
        expected = tutor_risk.score_counts(
            conn=conn, model_id=model["id"], as_of=latest, region_ids=[1]
        )
        everyone = tutor_risk.score_counts(conn=conn, model_id=model["id"], as_of=latest)
    assert name.startswith("beacon-tutor-risk-scores-") and name.endswith(".csv")
    assert exported.to_dict("records") == expected.rename(columns=column_label).to_dict("records")
    assert exported["Tutors"].sum() < everyone["tutors"].sum()  # the filter did apply


BY_NAME = "?grid=" + quote('{"sort":[["name","asc"]]}')  # the grid sorted by name


def expected_tutors(region_ids):  # type: ignore[no-untyped-def]
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        latest = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"])
        return tutor_risk.risk_table(
            conn=conn,
            model_id=model["id"],
            as_of=latest,
            region_ids=region_ids,
            sort=tutor_risk.RISK_SORTS["name"],
            limit=10_000,
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_table_export_holds_every_filtered_row_not_only_the_page_on_screen(scored, fmt):
    name, raw = sent_file(export(signed_in("analyst"), "tutor-risk", "tutors", fmt, BY_NAME))
    exported = read(name, raw)
    expected, total = expected_tutors(None)
    assert len(exported) == total > 0
    assert list(exported["Tutor ID"]) == list(expected["tutor_id"])


def test_a_managers_table_export_holds_their_regions_only(scored):
    client = signed_in("manager", regions=(1,))
    name, raw = sent_file(export(client, "tutor-risk", "tutors", "csv", BY_NAME))
    exported = read(name, raw)
    expected, total = expected_tutors([1])
    assert list(exported["Tutor ID"]) == list(expected["tutor_id"]) and len(exported) == total
    assert set(exported["Region"]) == {"N"}


def test_a_forged_region_in_the_address_exports_nothing(scored):
    client = signed_in("manager", regions=(1,))
    response = export(client, "tutor-risk", "tutors", "csv", "?region=2")
    assert response.status_code == 403 and "response" not in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_in_the_data_come_out_as_text_and_the_export_is_audited(
    hostile_url, use_database, fmt
):
    use_database(hostile_url)
    client = signed_in("manager", regions=(1,))
    name, raw = sent_file(export(client, "tutor-risk", "tutors", fmt, BY_NAME))
    names = read(name, raw)["Tutor"].astype(str)
    hostile = names[names.str.contains("HYPERLINK")].iloc[0]
    assert hostile == "'" + ATTACKS[0]
    assert not any(n.startswith(RISKY_START) for n in names)
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="export", limit=1)
    detail = str(rows.iloc[0]["detail"])
    assert "tutor-risk" in detail and fmt in detail and "grid=" in detail


@needs_chromium
@pytest.mark.browser
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_chart_exports_as_an_image_drawn_on_the_server(scored, fmt):
    client = signed_in("viewer")
    name, raw = sent_file(export(client, "tutor-risk", "at-risk", fmt))
    assert name.endswith(f".{fmt}")
    assert raw.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in raw[:500]


def test_a_table_offers_no_image_and_an_unknown_view_nothing(scored):
    client = signed_in("admin")
    assert export(client, "tutor-risk", "tutors", "png").status_code == 204
    assert export(client, "no-such-view", "tutors", "csv").status_code == 204


@needs_chromium
@pytest.mark.browser
def test_the_pdf_report_opens_and_its_text_holds_the_filters(scored):
    client = signed_in("manager", regions=(1,))
    name, raw = sent_file(report(client, "tutor-risk", "?region=1&band=high&tenure=long"))
    assert name.endswith(".pdf") and raw.startswith(b"%PDF")
    pdf = pypdf.PdfReader(io.BytesIO(raw))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for expected in (
        "Tutor risk overview",
        "North",
        "high",
        "Over 2 years",
        "Exported by",
        "Test manager",
        "Data as of",
        "Key figures",
        "Risk scores",
        "Tutors by risk",
    ):
        assert expected in text, expected
    # Under each chart's heading, what it measures (its card's subtitle, less the "click").
    flat = " ".join(text.split())
    assert "Tutors per score (the chance of leaving within 30 days, in %), coloured by band" in flat
    assert "Per week: the sum of the tutors' chances of leaving, by band" in flat
    assert "click a bar" not in flat
    assert sum(len(p.images) for p in pdf.pages) >= 1  # the charts are drawn
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="export", limit=1)
    assert "pdf" in str(rows.iloc[0]["detail"]) and "band=high" in str(rows.iloc[0]["detail"])


@needs_chromium
@pytest.mark.browser
def test_a_pe_widget_exports_the_rows_its_chart_is_drawn_from_under_the_saved_filters(scored):
    """The PE board is personal: its filters are the user's saved ones, not the address."""
    from datetime import date

    from analytics.pe import attendance_forecast
    from data.preferences import save_preference
    from data.queries import pe
    from tests.auth.helpers import login, new_client
    from tests.conftest import create_test_account

    account = create_test_account("analyst")
    board = {
        "widgets": [{"widget": "attendance", "size": "large", "options": {}}],
        "filters": {"grade": 3, "start": "2026-01-05", "end": "2026-05-31"},
    }
    with transaction() as conn:
        save_preference(conn=conn, user_id=account.id, name="pe_dashboard", value=board)
    client = new_client()
    assert login(client, account.email).status_code == 302
    name, raw = sent_file(export(client, "pe-dashboard", "attendance", "csv"))
    exported = read(name, raw)
    with connect() as conn:
        scope = pe.PEFilter(start=date(2026, 1, 5), end=date(2026, 5, 31), grade=3)
        expected = attendance_forecast(pe.attendance_daily(conn=conn, scope=scope), weeks=4)
    assert len(exported) == len(expected) > 0
    assert list(exported.columns) == [column_label(c) for c in expected.columns]
    _, png = sent_file(export(client, "pe-dashboard", "attendance", "png"))
    assert png.startswith(b"\x89PNG")
    _, pdf = sent_file(report(client, "pe-dashboard"))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Attendance and forecast" in text and "Active students" not in text


def test_a_customers_tables_export_every_row_and_stay_in_scope(scored):
    from data import credit
    from data.models import CreditCustomer, Loan
    from settings import business_today

    with connect() as conn:
        customer_id = conn.execute(
            select(CreditCustomer.id)
            .join(Loan, Loan.customer_id == CreditCustomer.id)
            .where(CreditCustomer.region_id == 2)
            .limit(1)
        ).scalar_one()
        expected = credit.customer_repayments(
            conn=conn, customer_id=customer_id, today=business_today()
        )
    search = f"?id={customer_id}"
    name, raw = sent_file(
        export(signed_in("analyst"), "credit-customer", "repayments", "csv", search)
    )
    assert len(read(name, raw)) == len(expected) > 0
    outsider = signed_in("manager", regions=(1,))  # the customer is in region 2
    response = export(outsider, "credit-customer", "repayments", "csv", search)
    assert response.status_code == 204 and "repayments" not in response.get_data(as_text=True)


def test_the_bands_are_one_call_list_in_the_table_its_export_and_the_counts(scored):
    """The bands people read are the stored ones everywhere: the tutors table's export, the
    score chart's export and the kept band counts agree tutor for tutor and band for band,
    and they are the call list at the model's capacity: the N most likely to leave critical,
    the next N high, the 2N after medium, nobody below the average tutor's chance above low."""
    from analytics.tutor_risk import bands_by_rank

    client = signed_in("analyst")
    table = read(*sent_file(export(client, "tutor-risk", "tutors", "csv", BY_NAME)))
    chart = read(*sent_file(export(client, "tutor-risk", "scores", "csv")))
    stored, _ = expected_tutors(None)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        counts = tutor_risk.band_history(conn=conn, model_id=model["id"])
    kept = counts[counts["as_of"] == counts["as_of"].max()].set_index("band")["tutors"]
    assert table["Band"].tolist() == stored["band"].tolist()
    assert table["Band"].value_counts().to_dict() == kept[kept > 0].to_dict()
    assert chart.groupby("Band")["Tutors"].sum().to_dict() == kept[kept > 0].to_dict()
    calls = int(model["metrics"]["calls_per_week"])
    floor = model["metrics"]["band_floor"]
    ranked = stored.sort_values("probability", ascending=False, kind="stable")
    expected = bands_by_rank(ranked["probability"], calls=calls, floor=floor)
    assert ranked["band"].tolist() == expected.tolist()
    assert (stored["band"] == "critical").sum() <= calls
    # Every score reads as a chance in % and a percentile among that date's tutors.
    chance = table["Chance of leaving in 30 days (%)"]
    assert (chance == (stored["probability"] * 100).round()).all()
    percentile = table["More likely to leave than (% of tutors)"]
    assert percentile.between(0, 99).all() and percentile.max() >= 90


def test_no_region_chosen_reads_as_the_readers_regions_in_a_report(scored):
    """A manager's report covers their regions only: with no region chosen its filters say
    which ones, not "All", which read as company-wide on a forwarded PDF (a manager's walk:
    2,423 sessions under "Region: All", against the company's 6,904)."""
    from sharing.views import VIEWS
    from tests.conftest import acting_as

    for view in ("home", "tutor-risk"):
        spec = VIEWS[view]
        with acting_as("manager", (2, 1)) as manager:
            whose = f"All of {manager.display_name}'s regions: North, South"
            assert ("Region", whose) in spec.described({})  # whose, for whoever reads it
            assert ("Region", "North") in spec.described(spec.state({"region": "1"}))
        with acting_as("manager") as nowhere:
            assert ("Region", f"None: {nowhere.display_name} has no region") in spec.described({})
        with acting_as("admin"):
            assert ("Region", "All regions") in spec.described({})
