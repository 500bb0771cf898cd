"""Credit pages through their callbacks on a freshly seeded and scored database."""

import json
import re
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy import select, text

import app as beacon  # noqa: F401  (pages register with the app)
from auth.access import AccessDenied
from data import cache, credit, pricing
from data.engine import connect, transaction
from data.models import CreditApplication, CreditLatestScore, CreditScore, ScoreSum
from data.queries.sql import kept_for
from pages import credit_customer, credit_portfolio, credit_score, credit_watchlist
from sharing.views import VIEWS
from tests.conftest import (
    AS_OF,
    acting_as,
    graph_of,
)
from tests.unit.dash_context import triggered


@pytest.fixture
def scored(credit_scored):  # type: ignore[no-untyped-def]
    return credit_scored


def text_of(component) -> str:
    return re.sub(r"\s+", " ", str(component.to_plotly_json()))


def a_customer(region_id: int) -> dict:
    with connect() as conn:
        found = credit.find_customers(conn=conn, region_ids=[region_id], text="", limit=1)
        return credit.customer(conn=conn, customer_id=int(found["id"].iloc[0]))


def product(code: str):
    with connect() as conn:
        products = credit.products(conn=conn)
    return products[products["code"] == code].iloc[0]


def form(customer_id, product_id, **changes):
    values = {
        "amount": 2000,
        "term": 12,
        "channel": "web",
        "dti": 0.3,
        "history": 60,
        "delinquencies": 0,
        "open_loans": 1,
    } | changes
    return credit_score.score(
        _clicks=1,
        customer_id=customer_id,
        product_id=product_id,
        amount=values["amount"],
        term=values["term"],
        channel=values["channel"],
        dti=values["dti"],
        history=values["history"],
        delinquencies=values["delinquencies"],
        open_loans=values["open_loans"],
    )


def test_bad_input_is_named_and_nothing_is_stored(scored):
    customer, flex = a_customer(1), product("TUI-FLEX")
    with connect() as conn:
        before = conn.execute(select(CreditApplication.id)).all()
    with acting_as("analyst"):
        assert "Customer:" in text_of(form(None, int(flex["id"])))
        assert "Debt to income:" in text_of(form(customer["id"], int(flex["id"]), dti=9))
        assert "Amount: Tuition Flex lends 500 to 6,000" in text_of(
            form(customer["id"], int(flex["id"]), amount=90_000)
        )
        assert "Term:" in text_of(form(customer["id"], int(flex["id"]), term=48))
        assert "Channel:" in text_of(form(customer["id"], int(flex["id"]), channel="<script>"))
    with connect() as conn:
        assert conn.execute(select(CreditApplication.id)).all() == before


def test_a_scored_application_is_stored_with_its_model_and_a_consistent_decision(scored):
    customer, flex = a_customer(1), product("TUI-FLEX")
    with acting_as("analyst"):
        result = text_of(form(customer["id"], int(flex["id"]), dti=0.2))
        risky = text_of(
            form(
                customer["id"], int(flex["id"]), dti=2.8, delinquencies=9, history=2, open_loans=12
            )
        )
    assert "points" in result and "Approved at" in result and "approved by the scorecard" in result
    assert "Declined: " in risky and "accepts up to the high band" in risky
    assert "declined by the scorecard" in risky
    with connect() as conn:
        model = credit.active_model(conn=conn)
        stored = credit.customer_applications(
            conn=conn, customer_id=customer["id"], model_id=model["id"]
        )
        versions = (
            conn.execute(
                select(CreditScore.model_version_id).where(
                    CreditScore.application_id.in_(stored["id"].head(2).tolist())
                )
            )
            .scalars()
            .all()
        )
    newest = stored.head(2)
    assert set(newest["status"]) == {"approved", "declined"}
    assert set(versions) == {model["id"]}
    assert newest.loc[newest["status"] == "declined", "band"].iloc[0] == "critical"
    points = int(re.search(r"(\d+) points", result).group(1))
    assert points in set(newest["score"])


def test_a_manager_cannot_score_or_open_a_customer_of_another_region(scored):
    other, flex = a_customer(2), product("TUI-FLEX")
    with acting_as("manager", (1,)):
        with pytest.raises(AccessDenied):
            form(other["id"], int(flex["id"]))
        page = text_of(credit_customer.layout(id=str(other["id"])))
        assert "No such customer" in page
        assert "No such customer" in text_of(credit_customer.layout(id="1 OR 1=1"))


def test_the_portfolio_is_scoped_searched_filtered_and_paged(scored):
    own = a_customer(1)
    first = {"startRow": 0, "endRow": 100}
    with acting_as("manager", (1,)):
        query = credit_portfolio.narrow(search=own["name"], band=None, channel=None)
        found, status = credit_portfolio.rows(request=first, query=query)
        assert own["name"] in [row["name"] for row in found["rowData"]]
        query = credit_portfolio.narrow(search=" ", band="critical", channel=None)
        found, status = credit_portfolio.rows(request=first, query=query)
        assert {row["band"] for row in found["rowData"]} == {"critical"}
        assert {row["region"] for row in found["rowData"]} == {own["region"]}
        view = VIEWS["credit-portfolio"]
        state = view.state({"band": "critical", "q": " "})
        assert view.query(state) == "?band=critical"
    with connect() as conn:
        model = credit.active_model(conn=conn)
        everyone, total = credit.customers(
            conn=conn, model_id=model["id"], region_ids=None, limit=5
        )
        north, north_total = credit.customers(
            conn=conn, model_id=model["id"], region_ids=[1], limit=500
        )
        critical, _ = credit.customers(
            conn=conn, model_id=model["id"], region_ids=[1], band="critical", limit=500
        )
    assert north_total < total and set(north["region"]) == {own["region"]}
    assert set(critical["band"]) <= {"critical"}
    # Paging by score walks the scored customers (lowest first, then by id) and then the
    # unscored ones, whichever way a page is read.
    expected = north.assign(unscored=north["score"].isna()).sort_values(["unscored", "score", "id"])
    assert north["id"].tolist() == expected["id"].tolist()
    with connect() as conn:
        pages = [
            credit.customers(
                conn=conn, model_id=model["id"], region_ids=[1], limit=7, offset=offset
            )[0]
            for offset in range(0, north_total, 7)
        ]
    walked = [i for page in pages for i in page["id"]]
    assert len(walked) == len(set(walked)) == north_total
    assert walked[: len(north)] == north["id"].tolist()
    assert status == f"{len(critical):,} customers match"
    assert found["rowCount"] == len(critical)
    assert len(everyone) == 5


def test_a_pd_equals_filter_finds_the_rows_that_show_that_pd(scored):
    """PD shows with one decimal ("12.3%"), so "equals 12.3" matches what is shown."""
    with acting_as("analyst"):
        every, _ = credit_portfolio.rows(request={"startRow": 0}, query={})
        shown_as = round(float(every["rowData"][0]["pd"]), 1)
        request = {"pd": {"filterType": "number", "type": "equals", "filter": shown_as}}
        found, _ = credit_portfolio.rows(request={"startRow": 0, "filterModel": request}, query={})
    assert found["rowCount"] >= 1
    assert {round(float(row["pd"]), 1) for row in found["rowData"]} == {shown_as}


def test_the_portfolio_grid_sorts_and_filters_on_the_server_and_exports_what_it_shows(scored):
    """The grid's sort and per-column filters (#24) become SQL: every row returned passes
    them, in their order; the export of the same address follows the sort, the filters and
    the columns shown; forged columns and operators are ignored, never run."""
    request = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "name", "sort": "desc"}, {"colId": "id; DROP", "sort": "asc"}],
        "filterModel": {
            "score": {"filterType": "number", "type": "lessThan", "filter": 560},
            "pd": {"filterType": "number", "type": "greaterThan", "filter": 5},
            "region": {
                "filterType": "text",
                "operator": "OR",
                "conditions": [
                    {"filterType": "text", "type": "equals", "filter": "north"},
                    {"filterType": "text", "type": "startsWith", "filter": "Sou"},
                ],
            },
            "last_applied": {
                "filterType": "date",
                "type": "inRange",
                "dateFrom": "2025-01-01 00:00:00",
                "dateTo": "2026-06-30 00:00:00",
            },
            "name": {"filterType": "text", "type": "evil", "filter": "'; DROP TABLE x"},
            "nowhere": {"filterType": "text", "type": "contains", "filter": "x"},
        },
    }
    with acting_as("analyst"):
        found, status = credit_portfolio.rows(request=request, query={})
        every, _ = credit_portfolio.rows(request={"startRow": 0}, query={})
    shown = pd.DataFrame(found["rowData"])
    assert 0 < found["rowCount"] < every["rowCount"] and status.endswith("customers match")
    assert (shown["score"] < 560).all() and (shown["pd"] > 5).all()
    assert set(shown["region"]) <= {"North", "South"}
    assert shown["last_applied"].between("2025-01-01", "2026-06-30").all()
    assert shown["name"].tolist() == sorted(shown["name"], reverse=True)
    grid = {
        "sort": [["name", "desc"]],
        "filter": request["filterModel"],
        "hide": ["channel", "applications"],
    }
    view = VIEWS["credit-portfolio"]
    state = view.state({"grid": json.dumps(grid)})
    assert view.state(view.query(state)) == state  # the address keeps it whole
    with acting_as("analyst"):
        exported = view.part_by_key["customers"].rows(state)
    assert len(exported) == found["rowCount"]
    columns = ["Customer", "Region", "Last applied", "Score", "Band", "PD (%)"]
    assert list(exported) == ["Customer number", *columns]
    assert exported["Customer"].tolist()[: len(shown)] == shown["name"].tolist()
    assert (exported["PD (%)"] > 5).all()  # in percent, as the grid shows it


def test_the_portfolio_counts_once_and_reads_the_same_page(scored):
    """The count alone reads no rows; a page read with that count is the page read with its
    own (#26: the portfolio counted every customer twice)."""
    with connect() as conn:
        model = credit.active_model(conn=conn)
        args = {"conn": conn, "model_id": model["id"], "region_ids": [1], "band": "high"}
        empty, total = credit.customers(**args, limit=0)
        counted, own_total = credit.customers(**args, limit=10, offset=10)
        given, given_total = credit.customers(**args, limit=10, offset=10, total=total)
        beyond, _ = credit.customers(**args, limit=10, offset=total, total=total)
    assert empty.empty and beyond.empty and list(empty.columns) == list(counted.columns)
    assert total == own_total == given_total > 20
    pd.testing.assert_frame_equal(counted, given)


def test_the_portfolio_count_is_every_customer_in_scope_whatever_the_sort(scored):
    """Sorting never changes how many match; the count reads the latest scores and regions
    only when a condition does (a score filter, a band, a region filter)."""
    from sqlalchemy import func

    from data.grid import ColumnFilter, Condition, SortKey
    from data.models import CreditCustomer, Region

    with connect() as conn:
        model = credit.active_model(conn=conn)
        args = {"conn": conn, "model_id": model["id"], "region_ids": [1, 2], "limit": 0}
        in_scope = conn.execute(
            select(func.count()).where(CreditCustomer.region_id.in_([1, 2]))
        ).scalar_one()
        totals = {
            column: credit.customers(**args, sort=[SortKey(column, True)])[1]
            for column in ("score", "region", "last_applied", "pd", "name")
        }
        low = [ColumnFilter("score", "number", (Condition("lessThan", 560),))]
        north = [ColumnFilter("region", "text", (Condition("equals", "north"),))]
        _, below = credit.customers(**args, filters=low, sort=[SortKey("name")])
        _, in_north = credit.customers(**args, filters=north)
        page, _ = credit.customers(**{**args, "limit": 5000}, filters=low)
        scored_below = conn.execute(
            select(func.count())
            .select_from(CreditLatestScore)
            .join(CreditCustomer, CreditCustomer.id == CreditLatestScore.customer_id)
            .where(
                CreditLatestScore.model_version_id == model["id"],
                CreditLatestScore.score < 560,
                CreditCustomer.region_id.in_([1, 2]),
            )
        ).scalar_one()
        north_id = conn.execute(select(Region.id).where(Region.name == "North")).scalar_one()
        north_count = conn.execute(
            select(func.count()).where(CreditCustomer.region_id == north_id)
        ).scalar_one()
    assert set(totals.values()) == {in_scope} and in_scope > 0
    assert below == scored_below == len(page) and 0 < below < in_scope
    assert in_north == (north_count if north_id in (1, 2) else 0)


def test_the_customer_page_ranks_the_products_the_latest_score_allows(scored):
    customer = a_customer(1)
    with acting_as("viewer"):
        page = text_of(credit_customer.layout(id=str(customer["id"])))
    assert "Products that fit" in page and customer["name"] in page
    assert "Loans" in page and "Repayments" in page and "Journey" in page
    assert "Open to the " in page or "No product fits this application" in page
    with connect() as conn:
        model = credit.active_model(conn=conn)
    # Every score is today's scorecard's, old applications' too: the page says whose.
    assert f"current scorecard's (version {model['version']}, trained" in page


def test_a_loan_shows_its_arrears_apart_from_its_balance(scored):
    """ "In arrears" is what fell due and is unpaid; "Balance" the principal still owed once
    the paid instalments (the amount the repayment rows ask) have paid each month's interest
    first. Held to the repayment rows and a month-by-month schedule."""
    today = datetime.now(UTC).date()
    with connect() as conn:
        late = conn.execute(
            text(
                "SELECT l.customer_id FROM loans l JOIN repayments r ON r.loan_id = l.id"
                " WHERE l.status = 'active' AND r.paid_on IS NULL GROUP BY l.customer_id"
                " ORDER BY l.customer_id LIMIT 1"
            )
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT l.id, l.principal, l.annual_rate, sum(r.amount_due - r.amount_paid),"
                " max(r.amount_due), sum(CASE WHEN r.paid_on IS NULL THEN 0 ELSE 1 END)"
                " FROM loans l JOIN repayments r ON r.loan_id = l.id WHERE l.customer_id = :c"
                " AND l.status = 'active' GROUP BY l.id, l.principal, l.annual_rate"
            ),
            {"c": late},
        ).all()
        loans = credit_customer.owed(
            credit.customer_loans(conn=conn, customer_id=late, today=today)
        ).set_index("id")
    assert rows
    for loan_id, principal, rate, unpaid, level, paid in rows:
        shown = loans.loc[loan_id]
        assert shown["in_arrears"] == pytest.approx(unpaid)  # every row the demo has is due
        left = principal
        for _ in range(int(paid)):
            left = left * (1 + rate / 12) - level
        assert shown["balance"] == pytest.approx(left, abs=0.05) and left <= principal
    with acting_as("viewer"):
        page = text_of(credit_customer.layout(id=str(late)))
    assert "In arrears (with interest)" in page and "Principal still owed" in page
    assert "Outstanding" not in page


def test_live_scoring_shows_a_new_score_in_the_counts_the_list_the_portfolio_and_journey(scored):
    from pages import credit_live

    customer, flex = a_customer(1), product("TUI-FLEX")

    def portfolio_rows() -> tuple[list[dict], int]:  # the grid's answer, and was it computed
        misses = cache.stats["miss"]
        query = credit_portfolio.narrow(search=customer["name"], band=None, channel=None)
        found, _ = credit_portfolio.rows(request={"startRow": 0, "endRow": 100}, query=query)
        return found["rowData"], cache.stats["miss"] - misses

    with acting_as("analyst"):
        before, _ = credit_live.refresh(_ticks=1)
        assert "No applications scored" in text_of(before)
        listed_before, computed = portfolio_rows()
        assert computed >= 1 and portfolio_rows() == (listed_before, 0)  # kept
        form(customer["id"], int(flex["id"]))
        counts, latest = credit_live.refresh(_ticks=2)
        listed_after, recomputed = portfolio_rows()  # the write moved the credit area on
    assert "Last hour: 1 score" in text_of(counts) and "Last 24 hours: 1 score" in text_of(counts)
    assert "Band" in text_of(counts)  # the bands' columns are named
    assert customer["name"] in text_of(latest) and "just now" in text_of(latest)
    with connect() as conn:  # the portfolio's latest score is the new one
        model = credit.active_model(conn=conn)
        newest = conn.execute(
            select(CreditApplication.id)
            .where(CreditApplication.customer_id == customer["id"])
            .order_by(CreditApplication.applied_at.desc())
        ).first()[0]
        listed, _ = credit.customers(
            conn=conn, model_id=model["id"], region_ids=None, search=str(customer["id"])
        )
        kept = conn.execute(
            select(CreditLatestScore.application_id).where(
                CreditLatestScore.customer_id == customer["id"],
                CreditLatestScore.model_version_id == model["id"],
            )
        ).scalar_one()
        new_score = conn.execute(
            select(CreditScore.score).where(CreditScore.application_id == newest)
        ).scalar_one()
    assert kept == newest
    assert listed.set_index("id").loc[customer["id"], "score"] == new_score
    row = next(r for r in listed_after if r["id"] == customer["id"])
    assert (
        recomputed >= 1
        and row["score"] == new_score
        and row["applications"]
        == next(r["applications"] + 1 for r in listed_before if r["id"] == customer["id"])
    )
    # The home page's kept daily application counts include it.
    from datetime import UTC, datetime, timedelta

    from data.queries.overview import daily_applications

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with connect() as conn:
        counted = daily_applications(
            conn=conn, since=today, until=today + timedelta(days=1), region_ids=[1]
        )
    assert counted["applications"].sum() == 1
    _kept_journey_days_count_every_event_and_the_live_application()


def test_pricing_moves_with_the_cutoff_refuses_forged_values_and_keeps_answers_per_scope(scored):
    from pages import credit_pricing

    with acting_as("viewer"):
        loose = text_of(credit_pricing.what_if(cutoff=440, margin=0.03, theme="dark")[0])
        strict = text_of(credit_pricing.what_if(cutoff=640, margin=0.03, theme="dark")[0])
        forged = text_of(credit_pricing.what_if(cutoff="1; DROP", margin=99, theme="dark")[0])
    rate = lambda text: float(re.search(r"Approval rate.*?([\d.]+)%", text).group(1))  # noqa: E731
    assert rate(loose) > rate(strict)
    assert "at 520 points" in forged  # the defaults stand in for values out of range
    _score_sums_equal_summing_every_scored_application()
    _answers_are_kept_per_role_and_scope_until_their_area_changes()


def _score_sums_equal_summing_every_scored_application() -> None:
    import pandas as pd

    from analytics.pricing import summed

    since = pd.Timestamp(AS_OF, tz="UTC").to_pydatetime() - pd.Timedelta(days=365)
    with connect() as conn:
        model_id = credit.active_model(conn=conn)["id"]
        for scope in (None, [1, 2]):
            sums = pricing.score_sums(conn=conn, model_id=model_id, region_ids=scope, since=since)
            rows = pd.read_sql(
                credit._scored_applications(model_id, scope).where(
                    CreditApplication.applied_at >= since
                ),
                conn,
            )
            key = ["score", "band"]
            expected = summed(rows).sort_values(key).reset_index(drop=True)
            assert len(sums) > 10
            pd.testing.assert_frame_equal(
                sums.sort_values(key).reset_index(drop=True), expected, check_dtype=False
            )


def test_journey_and_monitoring_pages_draw_from_the_data(scored):
    from pages import credit_journey, credit_monitoring

    with acting_as("analyst"):
        funnel, channels, months = credit_journey.show(period=730, theme="default")
        alert, drift, spread, bad, versions = credit_monitoring.show(theme="default")
    funnel, channels = graph_of(funnel), graph_of(channels)
    figure = go.Figure(funnel.figure)
    assert figure.data[0].type == "bar" and list(figure.data[0].y)[0] == "Visit"
    assert figure.data[0].text[1].endswith("%")  # its share of the visits
    assert figure.data[0].customdata[1].endswith("% of the visits before it")
    assert "repaid" in figure.layout.title.text and len(channels.figure["data"]) == 2
    assert set(channels.figure["data"][0]["x"]) <= {"Web", "Mobile", "Partner school", "Branch"}
    assert "drifted beyond PSI 0.25" in text_of(alert) or "Drift alert" in text_of(alert)
    assert "Score" in text_of(drift) and "scorecard-" in text_of(versions)
    # Bad rates only for quarters whose loans are all a year old, low band first.
    lines = graph_of(bad).figure["data"]
    names = [line["name"] for line in lines]
    assert len(names) >= 2 and names == [
        b for b in ("low", "medium", "high", "critical") if b in names
    ]
    shown = {pd.Timestamp(x) for line in lines for x in line["x"]}
    with connect() as conn:
        data = credit.applications_with_outcomes(conn=conn)
    cutoff = data["applied_at"].max().tz_localize(None) - pd.Timedelta(days=365)
    loans = data[data["loan_status"].notna()]
    quarter = loans["applied_at"].dt.tz_localize(None).dt.to_period("Q").dt.start_time
    last_out = loans.groupby(quarter)["disbursed_on"].max()
    assert shown == set(last_out.index[last_out <= cutoff])  # the oldest to the newest seasoned
    assert len(shown) >= 2
    # Months drawn are whole: none before the data's first day or after its last.
    months = [pd.Timestamp(m) for m in graph_of(spread).figure["data"][0]["x"]]
    first, last = data["applied_at"].min().tz_localize(None), cutoff + pd.Timedelta(days=365)
    assert months and min(months) >= first.normalize() and min(months).day == 1
    assert max(months) + pd.offsets.MonthEnd(1) <= last.normalize()
    with acting_as("manager", regions=(1,)):  # a regional manager is told the scope
        assert "cover all regions" in text_of(credit_monitoring.layout())


def test_drift_thresholds_are_settings_and_a_new_drift_reaches_the_notification_centre(
    scored, monkeypatch
):
    from sqlalchemy import delete

    from data import activity
    from data.engine import transaction
    from data.models import MonitoringReport
    from jobs import summaries
    from pages import credit_monitoring
    from settings import get_settings
    from tests.conftest import create_test_account

    analyst = create_test_account("analyst")
    manager = create_test_account("manager", (1,))
    with connect() as conn:
        model = credit.active_model(conn=conn)
    test_from = model["metrics"]["split"]["test_from"]
    with transaction() as conn:  # a model's first report: nothing was drifting before it
        conn.execute(
            delete(MonitoringReport).where(MonitoringReport.model_version_id == model["id"])
        )
    monkeypatch.setenv("BEACON_PSI_WATCH", "0.0005")
    monkeypatch.setenv("BEACON_PSI_ACT", "0.001")
    get_settings.cache_clear()
    try:
        frames, _ = summaries.keep_credit_monitoring(model_id=model["id"], test_from=test_from)
        summaries.keep_credit_monitoring(model_id=model["id"], test_from=test_from)  # told once
        with acting_as("analyst"):
            alert, drift, *_ = credit_monitoring.show(theme="light")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert "beyond PSI 0.001 since training" in text_of(alert)
    bars = graph_of(drift).figure["data"][0]
    assert list(bars["text"]) == [f"{v:.3f}" for v in frames["drift"]["psi"]]
    assert "debt_to_income" not in text_of(drift)  # characteristics named for people
    with connect() as conn:
        told = activity.notifications(conn=conn, user_id=analyst.id, region_ids=None)
        managers = activity.notifications(conn=conn, user_id=manager.id, region_ids=[1])
    drift_notes = told[told["summary"].str.startswith("Credit model drift:")]
    assert len(drift_notes) == 1 and "moved beyond PSI 0.001" in drift_notes["summary"].iloc[0]
    assert not managers["summary"].str.startswith("Credit model drift:").any()


def test_alerts_are_raised_once_per_rule_and_loan_and_reach_the_regions_managers(scored):
    from data import activity
    from jobs import credit_alerts
    from tests.conftest import create_test_account

    north = create_test_account("manager", (1,))
    with connect() as conn:
        raised_by_scoring, total = credit.alerts(conn=conn, region_ids=None, limit=1000)
    assert total > 0  # the scoring job raised them already
    assert credit_alerts.run() == 0  # nothing new the second time
    with connect() as conn:
        north_alerts, north_total = credit.alerts(conn=conn, region_ids=[1], limit=1000)
        assert set(north_alerts["region"]) <= {a_customer(1)["region"]} and north_total <= total
        assert activity.unread(conn=conn, user_id=north.id, region_ids=[1])[0] == 0  # joined late
    # A new, stricter rule catches loans again, and this time the manager hears of it.
    with acting_as("admin"):
        triggered(credit_watchlist.ids.add)
        credit_watchlist.change_rules(
            _add=1,
            toggles=[],
            name="Any lateness",
            metric="days_past_due",
            threshold=1,
            severity="low",
        )
        triggered(credit_watchlist.ids.raise_now)
        assert "new alerts" in credit_watchlist.raise_now(_clicks=1)
    with connect() as conn:
        told, _ = activity.unread(conn=conn, user_id=north.id, region_ids=[1])
    assert told >= 1


def test_watchlist_filters_and_rule_validation(scored):
    first = {"startRow": 0}
    with acting_as("analyst"):
        high = credit_watchlist.narrow(severity="high", rule=None)
        found, status = credit_watchlist.rows(request=first, query=high)
        every, everything = credit_watchlist.rows(request=first, query={})
        late = {"filterType": "number", "type": "greaterThanOrEqual", "filter": 30}
        by_principal = [{"colId": "principal", "sort": "desc"}]
        ask = {"startRow": 0, "filterModel": {"days_past_due": late}, "sortModel": by_principal}
        overdue, _ = credit_watchlist.rows(request=ask, query={})
    view = VIEWS["credit-watchlist"]
    assert view.query(view.state({"severity": "high", "rule": "x"})) == "?severity=high"
    count = lambda s: int(re.search(r"([\d,]+) loans", s).group(1).replace(",", ""))  # noqa: E731
    assert count(status) <= count(everything) and count(everything) > 0
    assert {row["severity"] for row in found["rowData"]} <= {"high", "critical"}
    principals = [row["principal"] for row in overdue["rowData"]]
    assert principals == sorted(principals, reverse=True)
    assert all(row["days_past_due"] >= 30 for row in overdue["rowData"])
    assert overdue["rowCount"] < every["rowCount"]
    with acting_as("admin"):
        triggered(credit_watchlist.ids.add)
        _, message = credit_watchlist.change_rules(
            _add=1, toggles=[], name="", metric="days_past_due", threshold=5, severity="high"
        )
        assert "Name: write a name of 1 to 80 characters." in text_of(message)
        _, message = credit_watchlist.change_rules(
            _add=1, toggles=[], name="x", metric="days_past_due", threshold=-5, severity="high"
        )
        assert "Threshold: enter a whole number from 1" in text_of(message)
        _, message = credit_watchlist.change_rules(  # 2.5 missed payments read as 2
            _add=1, toggles=[], name="x", metric="missed_payments", threshold=2.5, severity="low"
        )
        assert "Threshold: enter a whole number" in text_of(message)
        _, message = credit_watchlist.change_rules(
            _add=1, toggles=[], name="", metric="DROP TABLE", threshold=-5, severity="high"
        )
        shown = text_of(message)  # every problem at once
        assert "Name:" in shown and "Metric: choose days past due" in shown
        assert "Threshold:" in shown


def _answers_are_kept_per_role_and_scope_until_their_area_changes() -> None:
    from data import cache
    from pages import credit_pricing

    def pricing(role: str, regions: tuple[int, ...] = ()) -> tuple[str, int]:
        with acting_as(role, regions):
            misses = cache.stats["miss"]
            answer = text_of(credit_pricing.what_if(cutoff=520, margin=0.03, theme="light")[1])
            return answer, cache.stats["miss"] - misses

    first, computed = pricing("analyst")
    again, recomputed = pricing("viewer")  # another role: its own answer
    repeat, none = pricing("analyst")
    assert computed >= 1 and recomputed >= 1 and none == 0 and repeat == first == again
    north, _ = pricing("manager", (1,))
    assert north != first  # a manager's regions never get the wider answer
    with transaction() as conn:
        cache.mark_changed(conn, "credit")
    after, recomputed_after_write = pricing("analyst")
    assert recomputed_after_write >= 1 and after == first


def _kept_journey_days_count_every_event_and_the_live_application() -> None:
    import pandas as pd

    from data.models import CreditCustomer, JourneyEvent

    since = pd.Timestamp(AS_OF, tz="UTC").to_pydatetime() - pd.Timedelta(days=400)

    def kept_and_counted(scope):  # type: ignore[no-untyped-def]
        with connect() as conn:
            kept = credit.journey_counts.uncached(conn=conn, region_ids=scope, since=since)
            events = pd.read_sql(
                select(JourneyEvent.stage, JourneyEvent.channel, JourneyEvent.occurred_at)
                .add_columns(CreditCustomer.region_id)
                .outerjoin(CreditCustomer, CreditCustomer.id == JourneyEvent.customer_id),
                conn,
            )
        when = pd.to_datetime(events["occurred_at"], utc=True)
        events = events[(when >= since) & (events["region_id"].isin(scope) if scope else True)]
        counted = (
            events.assign(month=when.dt.strftime("%Y-%m"))
            .groupby(["stage", "channel", "month"])
            .size()
        )
        return kept.set_index(["stage", "channel", "month"])["events"].sort_index(), counted

    for scope in (None, [1, 2]):
        kept, counted = kept_and_counted(scope)
        assert len(kept) > 10
        assert kept.to_dict() == counted.sort_index().to_dict()
    month = pd.Timestamp.now(tz="UTC").strftime("%Y-%m")
    assert kept[("application", "web", month)] >= 1


def test_kept_loan_standings_equal_the_live_ones_and_follow_live_scoring(scored):
    import pandas as pd
    from sqlalchemy import delete, func

    from data import loans
    from data.models import Loan, LoanStanding

    with connect() as conn:  # the day the refresh keeps: the newest application's
        as_of = conn.execute(select(func.max(CreditApplication.applied_at))).scalar_one()

    def behaviour(**catching_kw):  # type: ignore[no-untyped-def]
        with connect() as conn:
            model_id = credit.active_model(conn=conn)["id"]
            assert kept_now == kept_for(
                conn,
                LoanStanding.as_of,
                LoanStanding.model_version_id,
                on=as_of.date(),
                model_id=model_id,
            )
            return loans.loan_behaviour.uncached(
                conn=conn, model_id=model_id, region_ids=None, as_of=as_of, **catching_kw
            )

    def forget_kept() -> None:
        with transaction() as conn:
            conn.execute(delete(LoanStanding))

    from jobs.refresh import keep_loan_standings

    kept_now = False
    live = behaviour()
    kept_rows, _ = keep_loan_standings()
    kept_now = True
    kept = behaviour()
    assert kept_rows == len(live) > 0
    pd.testing.assert_frame_equal(kept, live)
    # Asked only for what some rule can catch, it returns exactly those loans.
    caught = behaviour(catching={"days_past_due": 30.0, "score_drop": 1.0})
    expected = live[(live["days_past_due"] >= 30) | (live["score_drop"] >= 1)]
    assert 0 < len(caught) < len(live)
    assert caught["loan_id"].tolist() == expected["loan_id"].tolist()
    # Whole units: a rule at 29.5 days or 0.5 points catches what one at 30 and 1 does.
    halves = behaviour(catching={"days_past_due": 29.5, "score_drop": 0.5})
    assert halves["loan_id"].tolist() == caught["loan_id"].tolist()
    assert behaviour(catching={}).empty

    # Live scoring of a borrower moves the kept latest score of their loans.
    with connect() as conn:
        borrower = int(
            conn.execute(select(Loan.customer_id).where(Loan.status == "active")).first()[0]
        )
    with acting_as("analyst"):
        form(borrower, int(product("TUI-FLEX")["id"]), dti=0.9, delinquencies=6)
    kept_after = behaviour()  # still the kept day: the standings, updated
    forget_kept()
    kept_now = False
    live_after = behaviour()
    pd.testing.assert_frame_equal(kept_after, live_after)
    mine = kept_after[kept_after["customer_id"] == borrower]
    before = kept[kept["customer_id"] == borrower]
    assert mine["latest_score"].tolist() != before["latest_score"].tolist()


def test_the_watchlists_kept_order_pages_as_the_whole_list_does(scored):
    """Every page of the watchlist read from the kept order and count (#26) equals the same
    rows of the whole list, for each scope and severity, after a rule is added and switched
    off, and after live scoring moves a borrower's score."""
    from actions.base import Actor
    from actions.credit_watch import watched_loans, watched_page
    from data import loans
    from data.models import LoanStanding, WatchLoan
    from jobs.refresh import keep_loan_standings

    now = datetime.now(UTC)
    everyone = Actor(user_id=1, display_name="A", role="admin")
    one_region = Actor(user_id=1, display_name="M", role="manager", region_ids=(1,))

    def compare() -> int:
        pages = 0
        for actor in (everyone, one_region):
            for severity in (None, "medium", "high", "critical"):
                whole = watched_loans(actor=actor, severity=severity, rule_id=None, now=now)
                for offset in (0, 7, 21, len(whole)):
                    paged = watched_page(
                        actor=actor, severity=severity, now=now, offset=offset, limit=7
                    )
                    assert paged is not None
                    page, total = paged
                    assert total == len(whole)
                    expected = whole.iloc[offset : offset + 7].reset_index(drop=True)
                    if expected.empty:  # past the end: no rows (of any dtype)
                        assert page.empty
                        continue
                    pd.testing.assert_frame_equal(page.reset_index(drop=True), expected)
                    pages += len(page)
        return pages

    with connect() as conn:  # before the standings are kept, the page reads them live
        assert (
            credit.active_model(conn=conn) is not None
            and watched_page(actor=everyone, severity=None, now=now, offset=0, limit=7) is None
        )
    keep_loan_standings()
    assert compare() > 20
    with acting_as("analyst"):  # the grid's first block, read from the kept order
        block, status = credit_watchlist.rows(request={"startRow": 0}, query={})
    whole = watched_loans(actor=everyone, severity=None, rule_id=None, now=now)
    assert status == f"{len(whole):,} loans on the watchlist"
    shown = [(r["customer"], r["days_past_due"], r["principal"]) for r in block["rowData"]]
    head = whole.head(len(shown))
    columns = (head["customer"], head["days_past_due"], head["principal"])
    assert shown == list(zip(*columns, strict=True))
    assert len(shown) == min(len(whole), 100) > 20
    with transaction() as conn:
        rule = {"name": "Any missed", "metric": "missed_payments", "threshold": 0.5}
        rule_id = credit.add_alert_rule(
            conn=conn, rule=rule | {"severity": "critical"}, by=None, now=now
        )
    assert compare() > 20
    with transaction() as conn:
        credit.set_alert_rule_active(conn=conn, rule_id=rule_id, active=False)
    assert compare() > 20
    with connect() as conn:  # a borrower well scored at the loan, caught by no rule
        borrower = int(
            conn.execute(
                select(LoanStanding.customer_id)
                .where(LoanStanding.loan_id.not_in(select(WatchLoan.loan_id)))
                .order_by(LoanStanding.score_at_loan.desc().nulls_last(), LoanStanding.loan_id)
            ).first()[0]
        )
    with acting_as("analyst"):
        form(borrower, int(product("TUI-FLEX")["id"]), dti=0.9, delinquencies=6)
    # Its application is the newest (the page now reads the standings live until the next
    # refresh), and the kept order followed the borrower's new score: equal to a recount.
    with connect() as conn:
        kept_rows = set(conn.execute(select(WatchLoan.__table__)).all())
        assert kept_rows == set(conn.execute(loans._caught()).all())
        drops = conn.execute(
            select(LoanStanding.score_drop).where(LoanStanding.customer_id == borrower)
        ).scalars()
        assert max(drops) >= 40  # the score-drop rule catches it now
        assert any(row.loan_id in borrowers_loans(conn, borrower) for row in kept_rows)


def borrowers_loans(conn, customer_id: int) -> set[int]:
    from data.models import Loan

    return set(conn.execute(select(Loan.id).where(Loan.customer_id == customer_id)).scalars())


def test_kept_pricing_sums_equal_summing_live_and_follow_a_scored_application(scored):
    import pandas as pd

    from data.queries.sql import read_frame

    today = datetime.now(UTC).date()
    since = pricing.window_start(today)
    with connect() as conn:
        model_id = credit.active_model(conn=conn)["id"]
    with transaction() as conn:
        assert pricing.keep_score_sums(conn=conn, model_id=model_id, day=today) > 10

    def kept_and_live(scope):
        with connect() as conn:
            assert kept_for(
                conn, ScoreSum.day, ScoreSum.model_version_id, on=today, model_id=model_id
            )
            kept = pricing.score_sums.__wrapped__(
                conn=conn, model_id=model_id, region_ids=scope, since=since
            )
            live = read_frame(
                conn, pricing._live(model_id, since, region_ids=scope, per_region=False)
            )
        key = ["score", "band"]
        return (frame.sort_values(key).reset_index(drop=True) for frame in (kept, live))

    for scope in (None, [1, 2]):
        pd.testing.assert_frame_equal(*kept_and_live(scope), check_dtype=False)
    before, _ = kept_and_live([1])
    customer = a_customer(1)
    with acting_as("analyst"):  # live scoring recounts the region's kept sums
        form(customer["id"], int(product("TUI-FLEX")["id"]))
    kept, live = kept_and_live([1])
    pd.testing.assert_frame_equal(kept, live, check_dtype=False)
    assert kept["applications"].sum() == before["applications"].sum() + 1
    pd.testing.assert_frame_equal(*kept_and_live(None), check_dtype=False)


def test_every_page_with_scores_names_the_model_and_its_drift(scored):
    from actions.credit_model import active_model_status
    from analytics.monitoring import psi_status
    from jobs import summaries
    from pages import credit_live, credit_portfolio, credit_watchlist

    with connect() as conn:
        model = credit.active_model(conn=conn)
    frames, _ = summaries.keep_credit_monitoring(
        model_id=model["id"], test_from=model["metrics"]["split"]["test_from"]
    )
    status = active_model_status()
    assert status is not None and status.version == model["version"]
    assert status.worst_psi == pytest.approx(frames["drift"]["psi"].max(), abs=1e-9)  # kept as JSON
    assert status.drift == psi_status(status.worst_psi)
    with acting_as("analyst"):
        pages = [credit_portfolio.layout(), credit_watchlist.layout(), credit_live.layout()]
    for page in pages:
        text = text_of(page)
        assert f"Model {model['version']}" in text and "/credit/monitoring" in text
        assert {"stable": "Drift stable", "watch": "Drift: watch", "act": "Drift: act"}[
            status.drift
        ] in text


def test_highest_score_first_reads_the_same_pages_as_sorting_every_customer(scored):
    """#26: the page sorted highest score first comes off an index in that order; it is the
    page that sorting every customer (DESC NULLS LAST, then id) gives, ties included."""
    from sqlalchemy import text

    from data.grid import SortKey

    with connect() as conn:
        model = credit.active_model(conn=conn)
        args = {"conn": conn, "model_id": model["id"], "region_ids": None}
        everyone = (
            conn.execute(
                text(
                    "SELECT c.id FROM credit_customers c JOIN credit_latest_scores s"
                    " ON s.customer_id = c.id AND s.model_version_id = :m"
                    " ORDER BY s.score DESC NULLS LAST, c.id"
                ),
                {"m": model["id"]},
            )
            .scalars()
            .all()
        )
        pages = [
            credit.customers(**args, sort=[SortKey("score", True)], limit=25, offset=at)[0]
            for at in (0, 25, 50)
        ]
        on_postgres = conn.dialect.name == "postgresql"
        plan = (
            " ".join(
                conn.execute(
                    text(
                        "EXPLAIN SELECT customer_id FROM credit_latest_scores"
                        " WHERE model_version_id = :m ORDER BY score DESC, customer_id LIMIT 25"
                    ),
                    {"m": model["id"]},
                ).scalars()
            )
            if on_postgres
            else ""
        )
    assert [int(i) for page in pages for i in page["id"]] == everyone[:75]
    scores = [s for page in pages for s in page["score"]]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) < len(scores)  # ties
    if on_postgres:
        assert "ix_credit_latest_scores_model_score_desc" in plan


@pytest.mark.parametrize(
    "name", ["credit-watchlist", "credit-customer", "tutor-profile", "schedules", "audit-log"]
)
def test_an_id_in_an_address_beyond_the_databases_integers_is_no_filter(name):
    """A forged id of 40 digits was read as a number and sent to the database, which refused
    it: the watchlist answered 500 (found by the callback fuzzing). Ids are record ids now."""
    view = VIEWS[name]
    ids = [p.name for p in view.params if p.parse.__name__ == "record_id"]
    assert ids, f"{name} reads no record id"
    for param in ids:
        assert view.state({param: "9" * 40})[param] is None
        assert view.state({param: "0"})[param] is None
        assert view.state({param: "12"})[param] == 12


def test_an_unpaid_instalment_ages_with_the_day_and_never_drops_out(scored):
    """Stored days late are the day they were written: the watchlist, the loan book and the
    customer page count an unpaid instalment's days from its due day instead, and the
    watchlist's 90-day window no longer drops one still unpaid (91 days late read as 58)."""
    from datetime import timedelta

    from sqlalchemy import func

    from data import loans, rollups
    from data.models import Loan, Repayment
    from data.queries.overview import active_loan_arrears

    with connect() as conn:
        as_of = conn.execute(select(func.max(CreditApplication.applied_at))).scalar_one()
        model_id = credit.active_model(conn=conn)["id"]
        unpaid = conn.execute(
            select(Repayment.loan_id, func.min(Repayment.due_on), Loan.customer_id)
            .join(Loan, Loan.id == Repayment.loan_id)
            .where(Loan.status == "active", Repayment.paid_on.is_(None))
            .group_by(Repayment.loan_id, Loan.customer_id)
            .limit(1)
        ).one()

        def worst(day):  # type: ignore[no-untyped-def]
            frame = loans.loan_behaviour.uncached(
                conn=conn, model_id=model_id, region_ids=None, as_of=day
            )
            return int(frame.set_index("loan_id").loc[unpaid[0], "days_past_due"])

        later = as_of + timedelta(days=200)  # the first unpaid one is long out of 90 days
        # As stored on the data's day (written a day after it), counted from due 200 later.
        assert worst(as_of) >= (as_of.date() - unpaid[1]).days
        assert worst(later) == (later.date() - unpaid[1]).days > worst(as_of) + 190
        shown = credit.customer_repayments(
            conn=conn, customer_id=unpaid[2], today=later.date(), limit=500
        )
        mine = shown[(shown["loan_id"] == unpaid[0]) & shown["paid_on"].isna()]
        assert mine["days_past_due"].max() == (later.date() - unpaid[1]).days
    # The loan book counts a loan 30+ days late on the newest application's day: an
    # application 60 days on (in a transaction rolled back after) ages it.
    from sqlalchemy import insert

    from data.engine import get_engine

    def late_on_day(conn, day):  # type: ignore[no-untyped-def]
        return conn.execute(
            select(func.count(func.distinct(Repayment.loan_id)))
            .join(Loan, Loan.id == Repayment.loan_id)
            .where(
                Loan.status == "active",
                Repayment.paid_on.is_(None),
                (Repayment.due_on <= day - timedelta(days=30)) | (Repayment.days_past_due >= 30),
            )
        ).scalar_one()

    with get_engine().connect() as conn, conn.begin() as changes:
        rollups.rebuild_loan_book(conn=conn)
        now_late = active_loan_arrears(conn=conn)["in_arrears"].iloc[0]
        assert now_late == late_on_day(conn, as_of.date()) > 0
        newest = (
            conn.execute(
                select(CreditApplication).order_by(CreditApplication.applied_at.desc()).limit(1)
            )
            .one()
            ._asdict()
        )
        later = as_of + timedelta(days=60)
        row = {k: v for k, v in newest.items() if k not in ("id", "external_id")}
        conn.execute(insert(CreditApplication).values(**row | {"applied_at": later}))
        rollups.rebuild_loan_book(conn=conn)
        aged = active_loan_arrears(conn=conn)["in_arrears"].iloc[0]
        assert aged == late_on_day(conn, later.date()) > now_late
        changes.rollback()


def test_one_score_is_drawn_on_an_axis_of_40_points_not_of_two():
    """A customer scored once: the axis ran 510–512 in half points, and read as broken."""
    from pages.credit_customer import score_figure

    one = pd.DataFrame(
        {
            "applied_at": [pd.Timestamp("2026-11-02")],
            "score": [511],
            "band": ["high"],
            "reasons": ["Income"],
        }
    )
    low, high = score_figure(one, None).layout.yaxis.range
    assert high - low >= 40 and low < 511 < high
    many = pd.concat([one.assign(score=[600]), one.assign(score=[450])])
    assert score_figure(many, None).layout.yaxis.range is None  # their own span


def test_no_product_fitting_an_approved_application_says_whose_grade_that_is(seeded_engine):
    """The current scorecard grades every application again: an application approved and
    paid out under the scorecard of its day can now be in a band no product lends to. The
    empty list says so, rather than contradicting the approval beside it."""
    from pages.credit_customer import product_ideas

    with connect() as conn:
        products = credit.products(conn=conn)
    application = {"band": "critical", "pd": 0.4, "amount": 13030.0, "term_months": 26}
    applied = pd.DataFrame([application | {"purpose": "bootcamp", "status": "approved"}])
    shown = str(product_ideas(applied, products))
    assert "No product fits this application" in shown
    assert "the current scorecard's grade; the application was approved under" in shown
    assert "was submitted" not in str(product_ideas(applied.assign(status="submitted"), products))


def test_a_funnel_stage_after_an_empty_one_says_so_and_short_bars_have_room():
    """With no approvals, a payout's share is "with no approvals before it", not "every
    visit"; the axis runs a third past the widest bar, so a short bar's text fits beside it."""
    from pages.credit_journey import funnel_figure

    stages = pd.DataFrame(
        {
            "stage": ["visit", "application", "approval", "disbursement", "repaid", "defaulted"],
            "events": [900, 40, 0, 0, 0, 0],
        }
    )
    bar = funnel_figure(stages, None)["data"][0]
    assert bar["customdata"] == [
        "every visit",
        "4% of the visits before it",
        "0% of the applications before it",
        "with no approvals before it",
    ]
    assert bar["text"][1] == "40 · 4%" and bar["textposition"] == "auto"
    assert funnel_figure(stages, None)["layout"]["xaxis"]["range"] == [0, 900 * 1.35]


def test_a_twelve_month_window_counts_365_days_today_included():
    """The journey's and the pricing page's "Last 12 months" is 365 days ending today (it read
    366), and the pricing page asks for the very window the refresh keeps sums for."""
    from datetime import timedelta

    from auth.requests import last_days
    from pages.credit_journey import PERIODS

    today = datetime.now(UTC).date()
    first = last_days(365).date()
    assert PERIODS[365] == "Last 12 months"
    assert (today - first) + timedelta(days=1) == timedelta(days=365)
    assert last_days(1).date() == today  # "the last day" is today
    assert pricing.window_start(today) == last_days(pricing.WINDOW_DAYS)


def test_a_customer_without_a_loan_has_no_repayments_said_so(scored):
    """Not "No repayments due yet", as if one were coming (a walk)."""
    with connect() as conn:
        without = conn.execute(
            text(
                "SELECT c.id FROM credit_customers c WHERE NOT EXISTS"
                " (SELECT 1 FROM loans l WHERE l.customer_id = c.id) ORDER BY c.id LIMIT 1"
            )
        ).scalar_one()
    with acting_as("viewer"):
        page = text_of(credit_customer.layout(id=str(without)))
    assert "No loans, no repayments" in page and "No repayments due yet" not in page
