"""Every PE widget's data function, on SQLite and PostgreSQL, equals the same numbers computed
in pandas from the generated rows, under a region scope and the dashboard filters."""

from datetime import timedelta

import pandas as pd
import pytest

from data.engine import connect
from data.queries import pe
from data.seed import generate
from tests.conftest import AS_OF, SEED

START = AS_OF - timedelta(days=120)


@pytest.fixture(scope="module")
def frames():
    f = generate("small", SEED, AS_OF)
    classes = f["pe_classes"].merge(
        f["schools"].rename(columns={"id": "school_id", "name": "school_name"}), on="school_id"
    )
    f["classes"] = classes.rename(columns={"id": "class_id", "name": "class_name"})
    return f


FILTERS = {
    "everything": {},
    "region 2": {"region_ids": [2]},
    "grade 4 in regions 1 and 3": {"region_ids": [1, 3], "grade": 4},
}


def classes_in(frames, **criteria) -> set[int]:
    c = frames["classes"]
    if criteria.get("region_ids") is not None:
        c = c[c["region_id"].isin(criteria["region_ids"])]
    for key in ("school_id", "grade", "class_id"):
        if criteria.get(key) is not None:
            c = c[c[key] == criteria[key]]
    return set(c["class_id"])


def between(values: pd.Series, start=START, end=AS_OF) -> pd.Series:
    days = pd.to_datetime(values)
    return (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))


@pytest.fixture(params=list(FILTERS), ids=list(FILTERS))
def criteria(request):
    return FILTERS[request.param]


@pytest.fixture
def scope(criteria):
    return pe.PEFilter(START, AS_OF, **criteria)


def test_filter_options_and_date_bounds(seeded_engine, frames):
    with connect() as conn:
        options = pe.filter_options(conn=conn, region_ids=[2])
        bounds = pe.date_bounds(conn=conn)
    assert set(options["class_id"]) == classes_in(frames, region_ids=[2])
    assert set(options["region_id"]) == {2}
    days = pd.to_datetime(frames["pe_attendance"]["session_date"])
    assert bounds == (days.min().date(), days.max().date())


def test_attendance_daily(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.attendance_daily(conn=conn, scope=scope)
    a = frames["pe_attendance"]
    a = a[a["class_id"].isin(classes_in(frames, **criteria)) & between(a["session_date"])]
    assert result["expected"].sum() == len(a) > 0
    assert result["present"].sum() == a["present"].sum()
    assert result["day"].nunique() == a["session_date"].nunique()


def test_active_students(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.active_students(conn=conn, scope=scope)
    chosen = classes_in(frames, **criteria)
    e = frames["pe_enrollments"]
    assert result["enrolled"].sum() == e[e["class_id"].isin(chosen)]["student_id"].nunique()
    a = frames["pe_attendance"]
    recent = a[a["class_id"].isin(chosen) & between(a["session_date"], AS_OF - timedelta(days=29))]
    rate = recent.groupby("student_id")["present"].mean()
    assert result["active_recent"].sum() == (rate >= 0.75).sum()
    assert 0 < result["active_recent"].sum() < result["enrolled"].sum()


def test_lesson_plans(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.lesson_plans(conn=conn, scope=scope)
    p = frames["lesson_plans"]
    p = p[
        p["class_id"].isin(classes_in(frames, **criteria))
        & between(p["planned_on"], START, AS_OF + timedelta(days=28))
    ]
    assert sorted(result["id"]) == sorted(p["id"]) and len(p) > 0


def _measurement_means(frames, criteria, category):
    m = frames["pe_measurements"]
    m = m[(m["category"] == category) & between(m["measured_on"])]
    m = m.merge(frames["pe_enrollments"], on="student_id")
    return m[m["class_id"].isin(classes_in(frames, **criteria))]


@pytest.mark.parametrize(
    "function,category", [(pe.fitness_by_grade, "fitness"), (pe.health_readings, "health")]
)
def test_measurements(seeded_engine, frames, scope, criteria, function, category):
    with connect() as conn:
        result = function(conn=conn, scope=scope)
    expected = _measurement_means(frames, criteria, category)
    assert result["n"].sum() == len(expected) > 0
    assert result["flagged"].sum() == expected["flagged"].sum()
    total = (result["mean"] * result["n"]).sum()
    assert total == pytest.approx(expected["value"].sum())


def _assessments(frames, criteria):
    s = frames["skill_assessments"]
    return s[s["class_id"].isin(classes_in(frames, **criteria)) & between(s["assessed_on"])]


def test_class_skill_means(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.class_skill_means(conn=conn, scope=scope)
    s = _assessments(frames, criteria)
    assert result["n"].sum() == len(s) > 0
    assert (result["mean"] * result["n"]).sum() == pytest.approx(s["score"].sum())
    # Every row, in order (day, class, skill), against pandas on the generated rows.
    expected = (
        s.merge(frames["classes"][["class_id", "class_name", "grade", "school_name"]])
        .assign(assessed_on=lambda f: pd.to_datetime(f["assessed_on"]))
        .groupby(["assessed_on", "class_id", "skill"], as_index=False)
        .agg(
            class_name=("class_name", "first"),
            grade=("grade", "first"),
            school_name=("school_name", "first"),
            mean=("score", "mean"),
            n=("score", "size"),
        )
    )
    columns = ["class_id", "class_name", "grade", "school_name", "skill", "assessed_on", "n"]
    pd.testing.assert_frame_equal(
        result[columns].reset_index(drop=True),
        expected[columns].reset_index(drop=True),
        check_dtype=False,
    )
    assert result["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy())


def test_student_progress(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.student_progress(conn=conn, scope=scope)
    s = _assessments(frames, criteria)
    days = pd.to_datetime(s["assessed_on"])
    last = s[days == days.max()].groupby("student_id")["score"].mean()
    first = s[days == days.min()].groupby("student_id")["score"].mean()
    got = result.set_index("student_id")
    assert got["last_score"].sort_index().to_numpy() == pytest.approx(last.sort_index().to_numpy())
    assert got["first_score"].reindex(first.index).to_numpy() == pytest.approx(first.to_numpy())


def test_skill_distribution(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.skill_distribution(conn=conn, scope=scope)
    s = _assessments(frames, criteria)
    latest = s[pd.to_datetime(s["assessed_on"]) == pd.to_datetime(s["assessed_on"]).max()]
    expected = latest.assign(bin=(latest["score"] // 5).astype(int))
    counts = expected.groupby(["skill", "bin"]).size()
    got = result.groupby(["skill", "bin"])["n"].sum()
    pd.testing.assert_series_equal(got.sort_index(), counts.sort_index(), check_names=False)
    assert result["total"].sum() == pytest.approx(latest["score"].sum())


def test_class_exposure_and_incidents(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        exposure = pe.class_exposure(conn=conn, scope=scope)
        counts = pe.incident_counts(conn=conn, scope=scope)
    chosen = classes_in(frames, **criteria)
    assert set(exposure["class_id"]) == chosen
    a = frames["pe_attendance"]
    a = a[a["class_id"].isin(chosen) & between(a["session_date"])]
    assert exposure["sessions"].sum() == a.groupby("class_id")["session_date"].nunique().sum()
    i = frames["safety_incidents"]
    i = i[i["class_id"].isin(chosen) & between(i["occurred_on"])]
    assert counts["n"].sum() == len(i)


def test_incident_log_pages_newest_first_with_the_total(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        first = pe.incident_log(conn=conn, scope=scope, offset=0, limit=5)
        second = pe.incident_log(conn=conn, scope=scope, offset=5, limit=5)
    i = frames["safety_incidents"]
    i = i[i["class_id"].isin(classes_in(frames, **criteria)) & between(i["occurred_on"])]
    if i.empty:
        assert first.empty
        return
    assert first["total"].iloc[0] == len(i)
    days = pd.concat([first, second])["occurred_on"]
    assert days.is_monotonic_decreasing
    assert "student_id" not in first.columns


def test_class_roster_skills_needs_a_class_in_scope(seeded_engine, frames):
    class_id = sorted(classes_in(frames, region_ids=[1]))[0]
    with connect() as conn:
        roster = pe.class_roster_skills(
            conn=conn, scope=pe.PEFilter(START, AS_OF, region_ids=[1], class_id=class_id)
        )
        forged = pe.class_roster_skills(
            conn=conn, scope=pe.PEFilter(START, AS_OF, region_ids=[2], class_id=class_id)
        )
        none = pe.class_roster_skills(conn=conn, scope=pe.PEFilter(START, AS_OF))
    e = frames["pe_enrollments"]
    assert set(roster["student_id"]) == set(e[e["class_id"] == class_id]["student_id"])
    assert roster.groupby("student_id").size().eq(5).all()
    assert forged.empty and none.empty


def test_equipment_use(seeded_engine, frames, scope, criteria):
    with connect() as conn:
        result = pe.equipment_use(conn=conn, scope=scope)
    chosen = classes_in(frames, **criteria)
    schools = set(frames["classes"][frames["classes"]["class_id"].isin(chosen)]["school_id"])
    items = frames["equipment"][frames["equipment"]["school_id"].isin(schools)]
    assert sorted(result["equipment_id"]) == sorted(items["id"])
    u = frames["equipment_usage"]
    u = u[u["class_id"].isin(chosen) & between(u["used_on"])]
    assert result["sessions_used"].sum() == len(u)
    quantity = u["equipment_id"].map(frames["equipment"].set_index("id")["quantity"])
    assert result["full_sessions"].sum() == (u["quantity_used"] * 10 >= quantity * 9).sum()
    assert result["minutes"].sum() == u["minutes"].sum()
