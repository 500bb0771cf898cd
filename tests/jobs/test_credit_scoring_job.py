"""The credit scoring job on a real database: model card, stored scores and the exported card."""

import pandas as pd
import pytest
from sqlalchemy import func, select

from analytics.card import assess_with
from analytics.credit_features import credit_features
from data import credit
from data.engine import connect
from jobs import credit_scoring as job


@pytest.fixture(scope="module")
def run(seeded_url):
    from tests.conftest import pointed_at

    with pointed_at(seeded_url):
        return seeded_url, job.run()


def test_the_card_holds_time_split_metrics_and_the_german_validation(run, use_database):
    url, report = run
    use_database(url)
    m = report.metrics
    assert m["scorecard"]["roc_auc"] > 0.7 and m["scorecard"]["gini"] == pytest.approx(
        2 * m["scorecard"]["roc_auc"] - 1
    )
    assert m["german_credit_cv"]["roc_auc"] >= 0.77
    assert {"low", "medium"} <= {row["band"] for row in m["calibration"]}
    with connect() as conn:
        model = credit.active_model(conn=conn)
        versions = credit.model_versions(conn=conn)
    assert model["version"] == report.version and versions["is_active"].sum() == 1
    assert model["metrics"]["split"]["train"] > model["metrics"]["split"]["test"] > 0


def test_every_application_is_scored_and_the_stored_card_reproduces_the_scores(run, use_database):
    url, report = run
    use_database(url)
    with connect() as conn:
        applications = credit.applications_with_outcomes(conn=conn)
        model = credit.active_model(conn=conn)
        first = applications["customer_id"].iloc[0]
        stored = credit.customer_applications(
            conn=conn, customer_id=int(first), model_id=model["id"]
        )
    assert report.scored == len(applications)
    again = assess_with(model["metrics"]["card"], credit_features(applications))
    mine = again[applications["customer_id"] == first]
    assert sorted(mine["score"].tolist()) == sorted(stored["score"].tolist())
    assert all(isinstance(r, list) for r in stored["reason_codes"])
    assert pd.notna(stored["band"]).all()


def test_a_young_book_with_defaults_but_no_good_loan_is_refused_in_words(seeded_copy):
    """An organisation's first year: defaults already, no loan repaid or a year old. The
    nightly retrain had failed with "ValueError: y must hold both goods and bads"."""
    from sqlalchemy import update

    from data.engine import transaction
    from data.models import CreditApplication, Loan

    with transaction() as conn:
        newest = conn.execute(select(func.max(CreditApplication.applied_at))).scalar_one()
        conn.execute(
            update(Loan)
            .where(Loan.status != "defaulted")
            .values(status="active", disbursed_on=newest.date())
        )
    with pytest.raises(job.NotEnoughOutcomes, match=r"only 0 good loans \(repaid, or active"):
        job.run()


def test_a_book_whose_newest_outcomes_are_all_defaults_is_refused_in_words(seeded_copy):
    """Goods need a year to season, so a young book's newest outcomes are early defaults:
    the time split's test part held one class, and the retrain failed in roc_auc_score."""
    from sqlalchemy import update

    from data.engine import transaction
    from data.models import CreditApplication, Loan

    with transaction() as conn:
        days = sorted(
            conn.execute(
                select(CreditApplication.applied_at).join(
                    Loan, Loan.application_id == CreditApplication.id
                )
            ).scalars()
        )
        recent = select(CreditApplication.id).where(
            CreditApplication.applied_at >= days[int(len(days) * 0.6)]
        )
        conn.execute(update(Loan).where(Loan.application_id.in_(recent)).values(status="defaulted"))
    with pytest.raises(job.NotEnoughOutcomes, match=r"the newer quarter: 0 good, \d+ defaulted"):
        job.run()
