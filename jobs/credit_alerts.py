"""Raise early-warning alerts: evaluate the active rules on every active loan, store alerts
that are new (one per rule and loan), and tell the region's managers.

`python -m jobs.credit_alerts`; the credit scoring job runs it too.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import cast

from actions import webhooks
from analytics.early_warning import lowest_thresholds, triggered
from data import activity, credit, loans
from data.engine import connect, transaction
from settings import load_settings_or_exit


def run(*, actor_id: int | None = None) -> int:
    """The number of new alerts raised."""
    with connect() as conn:
        newest = credit.newest_application(conn=conn)
        model = credit.active_model(conn=conn)
        rules = credit.alert_rules(conn=conn, active_only=True)
        as_of = newest or datetime.now(UTC)
        behaviour = loans.loan_behaviour(
            conn=conn,
            model_id=model["id"] if model else None,
            region_ids=None,
            as_of=as_of,
            catching=lowest_thresholds(rules),
        )
        seen = credit.raised_alert_keys(conn=conn)
    hits = triggered(behaviour, rules)
    if hits.empty:  # also a new deployment: no loans or no rules yet
        return 0
    fresh = hits[
        [(r, loan) not in seen for r, loan in zip(hits["rule_id"], hits["loan_id"], strict=True)]
    ]
    now = datetime.now(UTC)
    with transaction() as conn:
        raised = credit.raise_alerts(conn=conn, alerts=fresh, now=now)
        for (key, severity), group in fresh.groupby(["region_id", "severity"]):
            region_id = int(cast(int, key))
            activity.record_event(
                conn=conn,
                actor_id=actor_id,
                area="credit",
                verb="alert",
                entity_type="region",
                entity_id=region_id,
                region_id=region_id,
                now=now,
                summary=f"{len(group)} new {severity} credit alert{'s' if len(group) > 1 else ''}: "
                + ", ".join(sorted(set(group["rule"]))),
                notify=activity.region_managers(conn=conn, region_id=region_id),
            )
            webhooks.emit(
                conn,
                event="watchlist.alert_raised",
                region_id=region_id,
                now=now,
                data={
                    "region_id": region_id,
                    "severity": severity,
                    "alerts": [
                        {"loan_id": int(loan), "rule": rule, "value": float(value)}
                        for loan, rule, value in zip(
                            group["loan_id"], group["rule"], group["value"], strict=True
                        )
                    ],
                },
            )
    return raised


def main() -> int:
    load_settings_or_exit()
    print(f"{run():,} new credit alerts raised.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
