"""Demo reference rows: regions and the product catalogue (roles come from a migration)."""

from __future__ import annotations

import pandas as pd

from data.seed.common import REGIONS, Scale

PRODUCTS = pd.DataFrame(
    [
        # code, name, purpose, min, max, min term, max term, worst band allowed, margin
        ("TUI-FLEX", "Tuition Flex", "tuition", 500, 6_000, 3, 12, "high", 0.035),
        ("TUI-PLUS", "Tuition Plus", "tuition", 2_000, 15_000, 12, 36, "medium", 0.030),
        ("EXAM-SPRINT", "Exam Sprint", "exam_prep", 300, 3_000, 3, 9, "high", 0.040),
        (
            "LANG-PLAN",
            "Language Course Plan",
            "language_course",
            400,
            5_000,
            6,
            18,
            "medium",
            0.032,
        ),
        (
            "CODE-CAMP",
            "Bootcamp Financing",
            "coding_bootcamp",
            3_000,
            20_000,
            12,
            48,
            "medium",
            0.028,
        ),
        (
            "UNI-PREP",
            "University Prep Loan",
            "university_prep",
            1_000,
            12_000,
            6,
            24,
            "high",
            0.033,
        ),
        ("MICRO", "Micro Course Credit", "tuition", 100, 1_200, 2, 6, "critical", 0.060),
    ],
    columns=[
        "code",
        "name",
        "purpose",
        "min_amount",
        "max_amount",
        "min_term_months",
        "max_term_months",
        "worst_band",
        "margin",
    ],
)


# Early-warning rules a new installation starts with; admins change them on the watchlist.
ALERT_RULES = pd.DataFrame(
    [
        ("30 days late", "days_past_due", 30, "high"),
        ("90 days late", "days_past_due", 90, "critical"),
        ("Two missed payments", "missed_payments", 2, "medium"),
        ("Score fell 40 points", "score_drop", 40, "medium"),
    ],
    columns=["name", "metric", "threshold", "severity"],
)


def reference_frames(scale: Scale) -> dict[str, pd.DataFrame]:
    regions = pd.DataFrame(REGIONS[: scale.regions], columns=["code", "name"])
    regions.insert(0, "id", range(1, len(regions) + 1))
    products = PRODUCTS.copy()
    products.insert(0, "id", range(1, len(products) + 1))
    products["is_active"] = True
    rules = ALERT_RULES.copy()
    rules.insert(0, "id", range(1, len(rules) + 1))
    rules["is_active"] = True
    return {"regions": regions, "credit_products": products, "credit_alert_rules": rules}
