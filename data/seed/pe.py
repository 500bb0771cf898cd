"""Physical education: a school year and a bit of classes, attendance, skills and safety.

Causes built in: a student's attendance drives their skill and fitness progress;
outdoor activities give way to indoor ones in winter; incidents follow the
activity (contact sports and gymnastics more), class size and the wet season;
equipment use follows the activity taught.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data.models.pe import SKILLS
from data.seed.common import Scale, per_region, rng_for, school_term_mask

GRADES = range(1, 9)
CLASS_CAP = 26
OUTDOOR = ["football", "athletics", "rounders"]
INDOOR = ["basketball", "gymnastics", "dance", "volleyball"]
INCIDENT_RATE = {  # expected incidents per class session
    "football": 0.030,
    "athletics": 0.015,
    "rounders": 0.010,
    "basketball": 0.025,
    "gymnastics": 0.030,
    "dance": 0.006,
    "volleyball": 0.012,
}
INJURIES = {
    "minor": ["Grazed knee", "Bruised arm", "Nosebleed", "Blister"],
    "moderate": ["Sprained ankle", "Twisted wrist", "Bump to the head, monitored"],
    "serious": ["Suspected fracture, sent to hospital", "Dislocated finger"],
}
EQUIPMENT = pd.DataFrame(
    [
        ("Footballs", "balls", ["football"]),
        ("Basketballs", "balls", ["basketball"]),
        ("Volleyballs", "balls", ["volleyball"]),
        ("Rounders bats", "bats", ["rounders"]),
        ("Cones", "markers", ["football", "athletics", "rounders", "basketball"]),
        ("Gym mats", "mats", ["gymnastics", "dance"]),
        ("Hurdles", "athletics", ["athletics"]),
        ("Bibs", "kit", ["football", "basketball", "volleyball"]),
        ("Skipping ropes", "kit", ["athletics", "dance"]),
        ("Stopwatches", "timing", ["athletics"]),
    ],
    columns=["name", "category", "activities"],
)
SKILL_FOCUS = {
    "locomotor": "running and jumping circuits",
    "ball_handling": "passing and dribbling drills",
    "balance": "balance beam and stillness games",
    "endurance": "interval runs and skipping",
    "teamwork": "small-sided team games",
}


def pe_frames(
    scale: Scale, seed: int, as_of: date, students: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    rng = rng_for(seed, "pe")
    schools = per_region(scale.regions, scale.schools_per_region)
    schools["name"] = [
        f"{n} School"
        for n in rng.choice(
            [
                "Oakfield",
                "Riverside",
                "Hillcrest",
                "Meadow",
                "Kingsway",
                "Harbour",
                "St Anne's",
                "Northgate",
                "Elmwood",
                "Parkside",
                "Brookvale",
                "Fairview",
            ],
            len(schools),
        )
    ]
    schools["name"] = schools["name"] + " " + schools["id"].astype(str)

    classes = schools.rename(columns={"id": "school_id"})[["school_id", "region_id"]].merge(
        pd.DataFrame({"grade": list(GRADES)}), how="cross"
    )
    classes.insert(0, "class_id", np.arange(1, len(classes) + 1))
    classes["name"] = "Grade " + classes["grade"].astype(str) + " PE"

    enrollments = _enroll(rng, classes, students)
    days = pd.date_range(as_of - timedelta(days=364), as_of, freq="D", tz="UTC")
    days = days[school_term_mask(days)]
    meetings = _class_meetings(rng, classes, days)
    attendance, propensity = _attendance(rng, meetings, enrollments)
    frames = {
        "schools": schools[["id", "name", "region_id"]],
        "pe_classes": classes.rename(columns={"class_id": "id"})[
            ["id", "school_id", "name", "grade"]
        ],
        "pe_enrollments": enrollments.assign(enrolled_on=days[0].date())[
            ["class_id", "student_id", "enrolled_on"]
        ],
        "pe_attendance": attendance,
    }
    frames["skill_assessments"] = _skills(rng, enrollments, propensity, classes, days)
    frames["pe_measurements"] = _measurements(rng, enrollments, propensity, classes, days)
    frames["safety_incidents"] = _incidents(rng, meetings, enrollments)
    frames["equipment"], frames["equipment_usage"] = _equipment(rng, schools, meetings, classes)
    frames["lesson_plans"] = _lesson_plans(rng, classes, as_of)
    return frames


def _enroll(
    rng: np.random.Generator, classes: pd.DataFrame, students: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for (region, grade), group in classes.groupby(["region_id", "grade"]):
        in_cohort = (students.region_id == region) & (students.grade == grade)
        pool = rng.permutation(students.loc[in_cohort, "id"].to_numpy())
        for i, class_id in enumerate(group["class_id"]):
            chunk = pool[i * CLASS_CAP : (i + 1) * CLASS_CAP]
            rows.append(pd.DataFrame({"class_id": class_id, "student_id": chunk}))
    return pd.concat(rows, ignore_index=True)


def _class_meetings(
    rng: np.random.Generator, classes: pd.DataFrame, days: pd.DatetimeIndex
) -> pd.DataFrame:
    """Each class meets on two fixed weekdays; the activity follows the season."""
    weekday = days.day_of_week.to_numpy()
    month = days.month.to_numpy()
    winter = np.isin(month, [11, 12, 1, 2, 3])
    out = []
    for class_id in classes["class_id"]:
        first = class_id % 5
        on = (weekday == first) | (weekday == (first + 2) % 5)
        d = days[on]
        w = winter[on]
        activity = np.where(w, rng.choice(INDOOR, len(d)), rng.choice(OUTDOOR + INDOOR[:1], len(d)))
        out.append(
            pd.DataFrame({"class_id": class_id, "day": d, "winter": w, "activity": activity})
        )
    return pd.concat(out, ignore_index=True)


def _attendance(
    rng: np.random.Generator, meetings: pd.DataFrame, enrollments: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    propensity = pd.Series(
        rng.beta(12, 1.4, len(enrollments)), index=enrollments["student_id"].to_numpy()
    )
    rows = meetings.merge(enrollments, on="class_id")
    p = propensity.reindex(rows["student_id"]).to_numpy()
    p = p - 0.06 * rows["winter"].to_numpy() - 0.03 * (rows["day"].dt.day_of_week == 4).to_numpy()
    attendance = pd.DataFrame(
        {
            "class_id": rows["class_id"],
            "student_id": rows["student_id"],
            "session_date": rows["day"].dt.date,
            "present": rng.random(len(rows)) < p,
        }
    )
    attendance.insert(0, "id", np.arange(1, len(attendance) + 1))
    return attendance, propensity


def _skills(rng, enrollments, propensity, classes, days) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Every six school weeks each student is assessed in each skill; growth follows attendance."""
    dates = days[::30]
    grade = classes.set_index("class_id")["grade"].reindex(enrollments["class_id"]).to_numpy()
    attend = propensity.reindex(enrollments["student_id"]).to_numpy()
    frames = []
    for k, skill in enumerate(SKILLS):
        base = 30 + 4 * grade + rng.normal(0, 8, len(enrollments)) - 3 * k
        growth = 28 * (attend - 0.6)  # points a year: low attenders stall
        for d in dates:
            years = (d - days[0]).days / 365
            score = np.clip(base + growth * years + rng.normal(0, 3, len(enrollments)), 0, 100)
            frames.append(
                pd.DataFrame(
                    {
                        "student_id": enrollments["student_id"],
                        "class_id": enrollments["class_id"],
                        "skill": skill,
                        "score": score.round(1),
                        "assessed_on": d.date(),
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def _measurements(rng, enrollments, propensity, classes, days) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    grade = classes.set_index("class_id")["grade"].reindex(enrollments["class_id"]).to_numpy()
    attend = propensity.reindex(enrollments["student_id"]).to_numpy()
    fit = rng.normal(0, 1, len(enrollments))
    n = len(enrollments)
    frames = []
    for d in days[::60]:
        years = (d - days[0]).days / 365
        gain = (attend - 0.6) * years
        readings = {
            ("fitness", "shuttle_run", "laps"): 15 + 3.5 * grade + 6 * fit + 20 * gain,
            ("fitness", "push_ups", "reps"): 5 + 1.8 * grade + 3 * fit + 8 * gain,
            ("fitness", "sit_and_reach", "cm"): 22 + 0.4 * grade + 4 * fit + 3 * gain,
            ("health", "bmi", "kg/m2"): 16 + 0.45 * grade - 1.2 * fit + rng.normal(0, 2.5, n),
            ("health", "resting_hr", "bpm"): 92 - 1.6 * grade - 5 * fit + rng.normal(0, 6, n),
        }
        for (category, metric, unit), value in readings.items():
            value = np.maximum(value + rng.normal(0, 1.5, n), 1).round(1)
            flagged = (
                (value > 30)
                if metric == "bmi"
                else (value > 100)
                if metric == "resting_hr"
                else False
            )
            frames.append(
                pd.DataFrame(
                    {
                        "student_id": enrollments["student_id"],
                        "category": category,
                        "metric": metric,
                        "value": value,
                        "unit": unit,
                        "measured_on": d.date(),
                        "flagged": flagged,
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def _incidents(rng, meetings, enrollments) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    size = enrollments.groupby("class_id").size()
    rate = meetings["activity"].map(INCIDENT_RATE).to_numpy()
    rate = (
        rate
        * size.reindex(meetings["class_id"]).to_numpy()
        / 22
        * np.where(meetings["winter"], 1.3, 1.0)
    )
    count = rng.poisson(rate)
    hit = meetings.loc[np.repeat(np.arange(len(meetings)), count)].reset_index(drop=True)
    severity = rng.choice(["minor", "moderate", "serious"], len(hit), p=[0.72, 0.24, 0.04])
    roster = enrollments.groupby("class_id")["student_id"].apply(np.array)
    student = [rng.choice(roster[c]) for c in hit["class_id"]]
    description = [
        f"{rng.choice(INJURIES[s])} during {a}"
        for s, a in zip(severity, hit["activity"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "class_id": hit["class_id"],
            "student_id": student,
            "occurred_on": hit["day"].dt.date,
            "activity": hit["activity"],
            "severity": severity,
            "description": description,
        }
    )
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def _equipment(rng, schools, meetings, classes) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    items = schools[["id"]].rename(columns={"id": "school_id"}).merge(EQUIPMENT, how="cross")
    items["id"] = np.arange(1, len(items) + 1)
    items["quantity"] = rng.integers(6, 40, len(items))
    items["condition"] = rng.choice(
        ["new", "good", "worn", "broken"], len(items), p=[0.2, 0.5, 0.25, 0.05]
    )
    items["purchased_on"] = (
        pd.Timestamp(meetings["day"].max().date())
        - pd.to_timedelta(rng.integers(30, 2000, len(items)), unit="D")
    ).date
    school_of = classes.set_index("class_id")["school_id"]
    used = meetings.assign(school_id=school_of.reindex(meetings["class_id"]).to_numpy())
    kit = items.explode("activities").rename(
        columns={"activities": "activity", "id": "equipment_id"}
    )
    usage = used.merge(
        kit[["school_id", "activity", "equipment_id", "quantity"]], on=["school_id", "activity"]
    )
    usage = pd.DataFrame(
        {
            "equipment_id": usage["equipment_id"],
            "class_id": usage["class_id"],
            "used_on": usage["day"].dt.date,
            "quantity_used": np.minimum(usage["quantity"], rng.integers(4, 26, len(usage))),
            "minutes": rng.integers(7, 11, len(usage)) * 5,
        }
    )
    usage.insert(0, "id", np.arange(1, len(usage) + 1))
    return items.drop(columns=["activities"])[
        ["id", "school_id", "name", "category", "quantity", "condition", "purchased_on"]
    ], usage


def _lesson_plans(rng, classes, as_of: date) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = []
    for class_id, grade in classes[["class_id", "grade"]].itertuples(index=False):
        for week in range(-6, 3):
            skill = SKILLS[(class_id + week) % len(SKILLS)]
            rows.append(
                {
                    "class_id": class_id,
                    "title": f"Grade {grade}: {skill.replace('_', ' ')}",
                    "planned_on": as_of + timedelta(weeks=week, days=-as_of.weekday()),
                    "focus_skill": skill,
                    "activities": f"Warm-up; {SKILL_FOCUS[skill]}; cool-down and reflection",
                    "equipment_needed": "Cones, bibs"
                    if skill in ("teamwork", "locomotor")
                    else "Mats, balls",
                }
            )
    out = pd.DataFrame(rows)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    # Written 3-14 days before the lesson, and never after yesterday: next fortnight's plans
    # were dated up to 11 days ahead.
    written = (
        pd.to_datetime(out["planned_on"]) - pd.to_timedelta(rng.integers(3, 15, len(out)), unit="D")
    ).clip(upper=pd.Timestamp(as_of) - pd.Timedelta(days=1))
    out["created_at"] = written.dt.tz_localize("UTC") + pd.Timedelta(hours=16)
    return out
