"""Safety risk per class: severity-weighted incident rate per lesson, shrunk toward the
overall rate for classes with few lessons, and raised by the share of health flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vocabulary import BANDS, SEVERITY_WEIGHTS

SAFETY_BANDS = BANDS
# Risk index edges: 1.0 is a class exactly as risky as the average class.
SAFETY_EDGES = (1.25, 2.0, 3.5)


def safety_risk(
    exposure: pd.DataFrame, incidents: pd.DataFrame, *, prior_sessions: float = 40.0
) -> pd.DataFrame:
    """Score every class of `exposure` (class_id, class_name, grade, school_name, sessions,
    students, flagged_students) with `incidents` (class_id, activity, severity, n).

    rate = (weighted incidents + prior_sessions * overall rate) / (sessions + prior_sessions);
    index = rate / overall rate * (1 + share of students with a health flag).
    Returns the exposure columns plus incidents, weighted, rate_per_100 (the class's own
    weighted incidents per 100 lessons, unshrunk: 0 with none), flag_share, index (from the
    shrunk rate; 1 is the average class), band, top_activity; highest index first.
    """
    if prior_sessions < 0:
        raise ValueError(f"prior_sessions must be >= 0; got {prior_sessions}")
    if exposure.empty:
        return exposure.assign(
            incidents=0,
            weighted=0.0,
            rate_per_100=0.0,
            flag_share=0.0,
            index=0.0,
            band="low",
            top_activity="",
        )
    w = incidents.assign(weighted=incidents["severity"].map(SEVERITY_WEIGHTS) * incidents["n"])
    per_class = w.groupby("class_id")[["n", "weighted"]].sum()
    by_activity = w.groupby(["class_id", "activity"])["weighted"].sum().reset_index()
    ranked = by_activity.sort_values(
        ["class_id", "weighted", "activity"], ascending=[True, False, True]
    )
    top = ranked.drop_duplicates("class_id").set_index("class_id")["activity"]
    out = exposure.copy()
    out["incidents"] = out["class_id"].map(per_class["n"]).fillna(0).astype(int)
    out["weighted"] = out["class_id"].map(per_class["weighted"]).fillna(0.0)
    sessions = out["sessions"].sum()
    overall = out["weighted"].sum() / sessions if sessions else 0.0
    rate = (out["weighted"] + prior_sessions * overall) / (out["sessions"] + prior_sessions)
    out["rate_per_100"] = np.where(
        out["sessions"] > 0, 100 * out["weighted"] / out["sessions"].clip(lower=1), 0.0
    )
    out["flag_share"] = np.where(
        out["students"] > 0, out["flagged_students"] / out["students"].clip(lower=1), 0.0
    )
    out["index"] = (rate / overall if overall else rate * 0) * (1 + out["flag_share"])
    out["band"] = pd.cut(
        out["index"], [-np.inf, *SAFETY_EDGES, np.inf], labels=SAFETY_BANDS, right=False
    ).astype(str)
    out["top_activity"] = [top.get(c, "") for c in out["class_id"]]
    return out.sort_values("index", ascending=False, ignore_index=True)
