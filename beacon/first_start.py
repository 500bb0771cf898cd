"""What the demo's first start and `beacon init` prepare: schema, data, accounts, models."""

from __future__ import annotations

from collections.abc import Callable

from data import credit
from data.engine import connect
from data.queries.overview import data_as_of
from data.tutor_risk import active_model

Say = Callable[[str], None]


def has_data() -> dict[str, bool]:
    """Whether there is anything to train each model on."""
    with connect() as conn:
        newest = data_as_of(conn=conn).set_index("source")["newest"]
    return {
        "tutor": bool(newest.notna().get("tutoring_sessions", False)),
        "credit": bool(newest.notna().get("credit_applications", False)),
    }


def trained() -> dict[str, bool]:
    with connect() as conn:
        return {
            "tutor": active_model(conn=conn) is not None,
            "credit": credit.active_model(conn=conn) is not None,
        }


def ensure_models(say: Say) -> dict[str, str]:
    """Train and score each model that has data and no active model yet; what happened to each."""
    from jobs import credit_scoring, tutor_risk

    outcome: dict[str, str] = {}
    data, models = has_data(), trained()
    if models["tutor"]:
        outcome["tutor"] = "already trained"
    elif not data["tutor"]:
        outcome["tutor"] = "no tutoring sessions yet"
    else:
        say("Training the tutor-risk model and scoring tutors ...")
        try:
            report = tutor_risk.run()
            outcome["tutor"] = (
                f"trained: held-out ROC AUC {report.card.roc_auc}, "
                f"{report.scored_rows:,} scores in {report.seconds:.0f} s"
            )
        except tutor_risk.NotEnoughHistory as reason:
            outcome["tutor"] = f"not trained: {reason}"
    if models["credit"]:
        outcome["credit"] = "already trained"
    elif not data["credit"]:
        outcome["credit"] = "no credit applications yet"
    else:
        say("Training the credit scorecard and scoring applications ...")
        try:
            run = credit_scoring.run()
            outcome["credit"] = (
                f"trained: time-split ROC AUC {run.metrics['scorecard']['roc_auc']:.3f}, "
                f"{run.scored:,} applications in {run.seconds:.0f} s"
            )
        except credit_scoring.NotEnoughOutcomes as reason:
            outcome["credit"] = f"not trained: {reason}"
        else:
            measure_drift(say)
    return outcome


def measure_drift(say: Say) -> None:
    """The new scorecard's drift, measured now rather than at the first refresh (its badge
    said "not measured yet" on every credit page until then). A failure here leaves the
    trained model in place: the scheduled refresh measures it again."""
    from jobs.refresh import keep_monitoring_report

    try:
        keep_monitoring_report()
    except Exception as error:  # noqa: BLE001 - said, and the refresh tries again
        say(f"  Drift not measured yet ({type(error).__name__}: {error}); the refresh will.")


def prepare_demo(say: Say) -> str:
    """Demo mode's first start: schema and demo data, one account per role, both models.
    Returns the accounts text to print."""
    from auth.demo import ensure_demo_accounts
    from data.seed import ensure_demo_data
    from settings import get_settings

    settings = get_settings()
    ensure_demo_data(scale=settings.demo_scale, seed=settings.demo_seed)
    accounts = ensure_demo_accounts(settings)
    for model, outcome in ensure_models(say).items():
        if outcome != "already trained":
            say(f"  {model} model: {outcome}")
    return accounts
