"""The shared cache: keyed by scope, moved on by committed writes, on files and on Redis."""

from __future__ import annotations

import os
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, update

from data import cache, kept
from data.engine import connect, transaction
from data.models import CreditApplication
from data.queries import home, overview
from data.seed import seed_database
from tests.conftest import AS_OF, SEED

END = pd.Timestamp(AS_OF, tz="UTC")


@pytest.fixture(params=["files", pytest.param("redis", marks=pytest.mark.redis)])
def cache_backend(request, seeded_engine):  # type: ignore[no-untyped-def]
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    cache.changed(*cache.AREAS)  # nothing from an earlier test of this database
    return request.param


def applications(region_ids: list[int] | None) -> pd.DataFrame:
    """The home page's credit section, through the cache."""
    with connect() as conn:
        frames = home.section_frames(conn=conn, section="credit", end=END, region_ids=region_ids)
    return frames["daily"]


def straight_from_database(region_ids: list[int] | None) -> pd.DataFrame:
    with connect() as conn:
        return overview.daily_applications(
            conn=conn,
            since=END - timedelta(weeks=26),
            until=END + timedelta(days=1),
            region_ids=region_ids,
        )


def test_each_scope_gets_its_own_rows(cache_backend):
    everyone = applications(None)  # cached first: the wider scope
    north = applications([1])
    south = applications([2])
    hits = cache.stats["hit"]
    assert applications([1]).equals(north) and cache.stats["hit"] == hits + 1
    pd.testing.assert_frame_equal(north, straight_from_database([1]))
    pd.testing.assert_frame_equal(south, straight_from_database([2]))
    pd.testing.assert_frame_equal(everyone, straight_from_database(None))
    assert north["applications"].sum() < everyone["applications"].sum()
    assert (
        north["applications"].sum() + south["applications"].sum() < everyone["applications"].sum()
    )


@pytest.fixture(params=["files", pytest.param("redis", marks=pytest.mark.redis)])
def writable(request, sqlite_url, use_database):  # type: ignore[no-untyped-def]
    """A database of its own (this test writes), seeded like the shared one."""
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    seed_database(create_engine(sqlite_url), scale="small", seed=SEED, as_of=AS_OF)
    use_database(sqlite_url)


def test_a_committed_write_moves_its_area_on(writable):
    before = applications(None)
    with transaction() as conn:
        first = conn.execute(select(func.min(CreditApplication.id))).scalar_one()
        conn.execute(
            update(CreditApplication)
            .where(CreditApplication.id == first)
            .values(status="approved", applied_at=END - timedelta(hours=1))
        )
        kept.follow(  # as the app's own writes do
            conn=conn, change=kept.Change(tables=frozenset({"credit_applications"}))
        )
        cache.mark_changed(conn, "credit")
    after = applications(None)
    assert not after.equals(before)
    pd.testing.assert_frame_equal(after, straight_from_database(None))


def test_a_rolled_back_write_leaves_the_cache_alone(cache_backend):
    applications(None)
    generation = cache.generation("credit")
    with pytest.raises(RuntimeError), transaction() as conn:
        cache.mark_changed(conn, "credit")
        raise RuntimeError("the write failed")
    assert cache.generation("credit") == generation
    with transaction() as conn:  # the failed write's mark is not carried into the next one
        pass
    assert cache.generation("credit") == generation


def test_other_areas_stay_cached_when_one_changes(cache_backend):
    def newest() -> pd.DataFrame:  # reads tutoring, PE and credit, not schedules
        with connect() as conn:
            return overview.data_as_of(conn=conn)

    newest()
    cache.changed("schedules")
    hits = cache.stats["hit"]
    newest()
    assert cache.stats["hit"] == hits + 1
    cache.changed("pe")
    newest()
    assert cache.stats["hit"] == hits + 1


def test_a_lost_generation_starts_a_new_one(cache_backend):
    old = cache.generation("pe")
    cache.backend().delete(cache._generation_key("pe"))
    assert cache.generation("pe") != old


@pytest.mark.redis
def test_on_redis_the_entries_live_in_redis(seeded_engine, redis_url):
    import redis

    applications([1])
    keys = redis.Redis.from_url(redis_url).keys("beacon:v:*")
    assert any(b"section_frames" in key for key in keys)


def test_a_cache_that_is_down_falls_back_to_the_database(seeded_engine, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    from settings import get_settings

    get_settings.cache_clear()
    try:
        pd.testing.assert_frame_equal(applications([1]), straight_from_database([1]))
    finally:
        monkeypatch.delenv("REDIS_URL")
        get_settings.cache_clear()


def test_an_upgrade_never_reads_what_an_older_release_kept(cache_backend, monkeypatch):
    """The app's source is part of every key: an answer drawn by old code is not served by
    new code (same database, same generation)."""
    computed = []

    def answer() -> str:
        computed.append(1)
        return "drawn"

    assert cache.through(("credit",), "test.release", {}, answer) == "drawn"
    assert cache.through(("credit",), "test.release", {}, answer) == "drawn"
    assert len(computed) == 1  # the same release reads it back
    monkeypatch.setattr(cache, "code_version", lambda: "a-newer-release")
    cache.through(("credit",), "test.release", {}, answer)
    assert len(computed) == 2


def test_the_file_cache_keeps_no_count_file_and_trims_itself_to_its_limit(tmp_path):
    """#26: no count file is read and rewritten on every set. Every `TRIM_EVERY` sets a
    directory over its limit is cut to 80% of it, the least recently written first, but never
    a kept key (an area's generation, which is written once and so is the oldest)."""
    from data.cache import FileCache

    store = FileCache(str(tmp_path), limit=10, default_timeout=300, kept=["gen:area"])
    store.TRIM_EVERY = 1_000  # by hand first
    store.set("gen:area", b"g", timeout=0)
    os.utime(store._get_filename("gen:area"), (1, 1))  # the oldest file of all
    for i in range(10):
        store.set(f"k{i}", b"x")
        os.utime(store._get_filename(f"k{i}"), (i + 1_000, i + 1_000))  # written in order
    assert store.trim() == 2  # 11 files: over 10, so cut to 8 besides the kept one
    assert store.get("gen:area") == b"g" and store.get("k0") is None and store.get("k1") is None
    assert [store.get(f"k{i}") for i in range(2, 10)] == [b"x"] * 8
    assert store.trim() == 0  # under the limit: nothing is even looked at
    store.TRIM_EVERY = 5
    for i in range(10, 40):
        store.set(f"k{i}", b"x")
    assert len(os.listdir(tmp_path)) <= 10 + store.TRIM_EVERY
    assert store.get("gen:area") == b"g" and store.get("k39") == b"x"
    assert not [name for name in os.listdir(tmp_path) if "count" in name]
