"""Test-wide setup: an isolated instance folder, the two databases, Chromium, and the CI rule.

Settings are read lazily (get_settings is cached), so a test points the app at a
database by setting DATABASE_URL and clearing that cache: see `use_database`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest

# Before anything imports the app: never touch the developer's instance/ folder or .env values.
os.environ["BEACON_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="beacon-instance-")
for _name in ("DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "BEACON_DEMO"):
    os.environ.pop(_name, None)
os.environ["SECRET_KEY"] = "test-only-secret-key-" + "x" * 32
os.environ["BEACON_PUBLIC_URL"] = "http://beacon.test"  # browser tests point it at their server
os.environ["BEACON_SCHEDULER"] = "off"  # tests start the schedulers they test themselves

# The app imports these where a request first needs them (a web worker keeps 50 MB less).
# dash.testing stops its threaded server by raising SystemExit in every thread the server
# started; a thread stopped in the middle of an import or a log line can leave a lock held
# that the next test then waits on forever (a CI run hung so). Tests import them once, here,
# in the main thread, before any server starts.
import icalendar  # noqa: E402, F401
import kaleido  # noqa: E402, F401
import openai  # noqa: E402, F401
import zxcvbn  # noqa: E402, F401
from dash.testing import application_runners  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

import sharing.report  # noqa: E402, F401
from data.engine import engine_for  # noqa: E402
from data.migrate import upgrade_head  # noqa: E402
from data.seed import seed_database  # noqa: E402
from settings import get_settings  # noqa: E402
from tests import postgres  # noqa: E402


def _stop_only_the_server_thread(self) -> None:  # type: ignore[no-untyped-def]
    """dash.testing stops its threaded server by raising SystemExit in *every* thread started
    after it: request threads, and the threads libraries start (kaleido's, its Chromium's log
    readers). One stopped while logging leaves the logging handler's lock held, and the next
    test's server then waits on it forever (two CI runs hung so in test_drill_down). Only the
    server's own thread is stopped here (it leaves serve_forever within its 0.5 s poll); request
    threads are daemons that finish their request, as they would in a real server."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_long(self.ident), ctypes.py_object(SystemExit)
    )


application_runners.KillerThread.kill = _stop_only_the_server_thread

AS_OF = date(2026, 6, 15)
SEED = 11
REQUIRED_MARKERS = ("db", "browser", "redis")


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Under pytest-xdist each worker is its own process: give each worker's dash_duo servers
    their own run of ports (dash counts up from 58050 in every process)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        from dash.testing.application_runners import BaseDashRunner

        BaseDashRunner._next_port = 58050 + 1000 * int(worker[2:])


def pytest_setup_options():  # type: ignore[no-untyped-def]
    """Chromium for dash_duo: headless as root, with no network chatter on a closed machine."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    return options


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """In CI (BEACON_REQUIRE_SERVICES=1) a db or browser test that skips has failed."""
    report = yield
    required = os.environ.get("BEACON_REQUIRE_SERVICES") == "1"
    if required and report.skipped and any(item.get_closest_marker(m) for m in REQUIRED_MARKERS):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but CI requires PostgreSQL and Chromium: {reason}"
    return report


def use(url: str | None) -> None:
    if url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()


@contextmanager
def pointed_at(url: str) -> Iterator[str]:
    before = os.environ.get("DATABASE_URL")
    use(url)
    try:
        yield url
    finally:
        use(before)


@pytest.fixture
def use_database() -> Iterator[Callable[[str], None]]:
    """Point settings (and so the app) at a database for one test."""
    before = os.environ.get("DATABASE_URL")
    yield use
    use(before)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    try:
        yield from postgres.server_url()
    except postgres.Unavailable as exc:
        pytest.skip(f"PostgreSQL not available ({exc}); set TEST_DATABASE_URL to run db tests")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    from tests import services

    try:
        yield from services.redis_url()
    except postgres.Unavailable as exc:
        pytest.skip(f"Redis not available ({exc}); set TEST_REDIS_URL to run redis tests")


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """Settings point at a real, empty Redis for one test (cache, limits, Celery)."""
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    os.environ["REDIS_URL"] = redis_server
    get_settings.cache_clear()
    yield redis_server
    os.environ.pop("REDIS_URL", None)
    get_settings.cache_clear()


def _migrated(url: str) -> str:
    with pointed_at(url):
        upgrade_head()
    return url


def new_database(backend: str, tmp_dir: str, server: Callable[[], str]) -> str:
    if backend == "sqlite":
        return _migrated(f"sqlite:///{tempfile.mkstemp(suffix='.db', dir=tmp_dir)[1]}")
    return _migrated(postgres.create_database(server()))


def copy_database(url: str, tmp_dir: str, server: Callable[[], str]) -> str:
    """A new database holding what `url` holds: a file copy on SQLite, a copy from a
    template on PostgreSQL (cheaper than seeding and training again)."""
    from sqlalchemy import make_url

    from data.engine import close_idle_connections

    close_idle_connections()  # SQLite folds its WAL in; PostgreSQL frees the template
    if url.startswith("sqlite"):
        copy = tempfile.mkstemp(suffix=".db", dir=tmp_dir)[1]
        shutil.copyfile(str(make_url(url).database), copy)
        return f"sqlite:///{copy}"
    return postgres.create_database(server(), template=make_url(url).database)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.db)]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A migrated, empty database on each backend, new for every test."""
    return new_database(
        request.param, str(tmp_path), lambda: request.getfixturevalue("postgres_server")
    )


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A migrated, empty PostgreSQL database for PostgreSQL-only tests (mark them `db`)."""
    return _migrated(postgres.create_database(postgres_server))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated, empty SQLite database for SQLite-only tests."""
    return _migrated(f"sqlite:///{tmp_path / 'beacon.db'}")


@pytest.fixture(scope="session")
def seeded_url(request, seeded_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """A migrated database with the small demo data (fixed seed and as-of), once per backend,
    shared by the tests that only read."""
    return copy_database(
        seeded_template,
        str(tmp_path_factory.mktemp("seeded")),
        lambda: request.getfixturevalue("postgres_server"),
    )


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_template(request, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """The small demo data once per backend, never used by a test itself: tests that write
    get a copy of it (`seeded_copy`)."""
    url = new_database(
        request.param,
        str(tmp_path_factory.mktemp("template")),
        lambda: request.getfixturevalue("postgres_server"),
    )
    engine = create_engine(url)
    seed_database(engine, scale="small", seed=SEED, as_of=AS_OF)
    engine.dispose()
    return url


@pytest.fixture
def seeded_copy(request, seeded_template, tmp_path, use_database) -> str:  # type: ignore[no-untyped-def]
    """A writable copy of the seeded data for one test (bookings, scoring, ...)."""
    url = copy_database(
        seeded_template, str(tmp_path), lambda: request.getfixturevalue("postgres_server")
    )
    use_database(url)
    return url


@pytest.fixture
def seeded_engine(seeded_url, use_database):  # type: ignore[no-untyped-def]
    use_database(seeded_url)
    return engine_for(seeded_url)


PASSWORD = "violet tractor mango 42"  # passes the policy; test accounts only


def create_test_account(role: str, regions: tuple[int, ...] = (), *, email: str | None = None):
    """A real account (argon2 hash and all) in the database settings point at now."""
    import uuid

    from auth.passwords import hash_password
    from data import accounts
    from data.engine import transaction

    email = email or f"{role}-{uuid.uuid4().hex[:10]}@test.example"
    with transaction() as conn:
        user_id = accounts.create_account(
            conn=conn,
            email=email,
            display_name=f"Test {role}",
            role=role,
            region_ids=regions,
            password_hash=hash_password(PASSWORD),
        )
        return accounts.account_by_id(conn=conn, user_id=user_id)


@contextmanager
def acting_as(role: str, regions: tuple[int, ...] = ()):
    """Inside a request on the real server, signed in through the real sign-in code."""
    import app as beacon
    from auth.sessions import sign_in

    account = create_test_account(role, regions)
    with beacon.server.test_request_context("/"):
        sign_in(account, method="test")
        yield account


@pytest.fixture(scope="session", autouse=True)
def _themes_unchanged():
    """Every themed figure holds its theme's one template (`components.theme.themed`): when
    the tests are done, no code path may have changed it."""
    yield
    from components.theme import THEMES, figure_template, template_data

    changed = [t for t in THEMES if template_data(t) != figure_template(t).to_plotly_json()]
    assert not changed, f"a figure changed the shared template of {changed}"


@pytest.fixture(autouse=True)
def _no_idle_connections_left():
    """A test's pooled database connections close when it ends: hundreds of test databases
    must not hold PostgreSQL's connection slots."""
    yield
    from data.engine import close_idle_connections

    close_idle_connections()


@pytest.fixture(autouse=True)
def _public_url_kept():
    """Browser tests point BEACON_PUBLIC_URL at their own server: no later test inherits it."""
    before = os.environ.get("BEACON_PUBLIC_URL")
    yield
    if os.environ.get("BEACON_PUBLIC_URL") != before:
        os.environ.pop("BEACON_PUBLIC_URL", None)
        if before is not None:
            os.environ["BEACON_PUBLIC_URL"] = before
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in memory per process: no test inherits another's attempts."""
    from auth.ratelimit import reset_counts

    yield
    try:
        reset_counts()
    except Exception:  # noqa: BLE001 - nothing to reset before the limiter is initialised
        pass


@pytest.fixture(scope="session")
def scored_url(seeded_url) -> str:
    """The seeded database after one tutor-risk scoring run (two weeks of weekly scores)."""
    from jobs import tutor_risk

    with pointed_at(seeded_url):
        tutor_risk.run(weeks=2)
    return seeded_url


@pytest.fixture(scope="session")
def credit_scored_template(request, seeded_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """The seeded data with the credit scorecard trained and every application scored, once
    per backend; never used by a test itself (see `credit_scored`)."""
    from jobs import credit_scoring

    url = copy_database(
        seeded_template,
        str(tmp_path_factory.mktemp("credit-scored")),
        lambda: request.getfixturevalue("postgres_server"),
    )
    with pointed_at(url):
        credit_scoring.run()
    return url


@pytest.fixture
def credit_scored(request, credit_scored_template, tmp_path, use_database) -> str:  # type: ignore[no-untyped-def]
    """A writable copy of the credit-scored data for one test."""
    url = copy_database(
        credit_scored_template, str(tmp_path), lambda: request.getfixturevalue("postgres_server")
    )
    use_database(url)
    return url


def on_page(page: object, component_id: object) -> object:
    """The one component of this id in a layout, however deep."""
    found = [c for c in page._traverse() if getattr(c, "id", None) == component_id]  # type: ignore[attr-defined]
    assert len(found) == 1, component_id
    return found[0]


def graph_of(component: object) -> object:
    """The dcc.Graph a chart component draws (charts come wrapped with their text
    alternative: a figure element with a caption and a data table)."""
    from dash import dcc

    if isinstance(component, dcc.Graph):
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = graph_of(child)
            if found is not None:
                return found
    return None


def nothing_open(tutor_id: int) -> None:
    """Dismiss the tutor's open interventions: tests that plan one share the scored data, and
    the database keeps one open intervention of each kind per tutor."""
    from sqlalchemy import update

    from data.engine import transaction
    from data.models import Intervention

    with transaction() as conn:
        conn.execute(
            update(Intervention)
            .where(
                Intervention.tutor_id == tutor_id,
                Intervention.status.in_(("planned", "in_progress")),
            )
            .values(status="dismissed")
        )
