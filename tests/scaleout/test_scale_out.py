"""The scale-out deployment, for real: `scripts/scale_out.sh` (nginx in front of gunicorn
with two web workers, a Celery worker and Celery beat, all under supervisord, from the files
in deploy/) plus a second gunicorn, on PostgreSQL and a Redis of the stack's own.

Sessions, cache and rate limits are shared by every worker; beat and the worker refresh the
data; a background callback reports progress through Celery; scopes never mix in the cache.
Then the faults it must survive: slow clients, a killed worker, a crashed server, Redis down.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
import redis
import requests
from sqlalchemy import create_engine, func, insert, select, text

from data.kept import recount_loaded
from data.migrate import upgrade_head
from data.models import CreditApplication, CreditScore, JobRun
from data.seed import seed_database
from jobs import refresh
from tests import postgres
from tests.auth.helpers import payload
from tests.conftest import AS_OF, PASSWORD, SEED, create_test_account, pointed_at
from tests.ops.helpers import wait_until as _wait_until
from tests.postgres import _free_port

pytestmark = [pytest.mark.redis, pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
REFRESH_SECONDS = 10


def scheduled_success_since(stack: Stack, since: datetime) -> bool:
    """Whether a scheduled run has succeeded since `since`."""
    engine = create_engine(stack.database)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    select(func.count()).where(
                        JobRun.trigger == "schedule",
                        JobRun.status == "succeeded",
                        JobRun.started_at > since,
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


class Redis:
    """A redis-server of the stack's own, so that a test may stop it and start it again."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = _free_port(), workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(lambda: _pings(self.url), 10, "redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.RedisError:
        return False


class Stack:
    def __init__(self, database: str, redis_url: str, workdir: Path) -> None:
        self.database, self.redis_url = database, redis_url
        self.a, self.b, self.proxy = _free_port(), _free_port(), _free_port()
        self.workdir = workdir
        self.redis: Redis | None = None
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "scale-out-test-secret-" + "y" * 32,
            "BEACON_SCHEDULER": "auto",
            "BEACON_REFRESH_SECONDS": str(REFRESH_SECONDS),
            "BEACON_LOGIN_ACCOUNT_LIMIT": "3 per 15 minutes",
            "BEACON_INSTANCE_DIR": str(workdir),
            "WEB_WORKERS": "2",
            "WEB_THREADS": "4",
            "BEACON_STATE": str(workdir),
            "BEACON_PROXY_PORT": str(self.proxy),
        }

    def start(self) -> None:
        log = open(self.workdir / "stack.log", "wb")  # noqa: SIM115 - closed with the processes
        self.processes.append(
            subprocess.Popen(
                ["scripts/scale_out.sh"],
                cwd=ROOT,
                env={**self.env, "BEACON_PORT": str(self.a)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.prefix + "/bin/gunicorn",
                    "app:server",
                    "--workers=1",
                    f"--bind=127.0.0.1:{self.b}",
                    "--no-control-socket",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        for port in (self.a, self.b, self.proxy):
            _wait_until(
                lambda port=port: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok,
                90,
                f"the web server on port {port} (see {self.workdir})",
            )

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def url(self, which: str, path: str) -> str:
        port = {"a": self.a, "b": self.b, "proxy": self.proxy}[which]
        return f"http://127.0.0.1:{port}{path}"

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.workdir.glob("*.log")))


@pytest.fixture(scope="module")
def stack(postgres_server, tmp_path_factory) -> Iterator[Stack]:
    if shutil.which("redis-server") is None or shutil.which("nginx") is None:
        pytest.skip("the scale-out stack needs redis-server and nginx (apt-get install)")
    database = postgres.create_database(postgres_server)
    with pointed_at(database):
        upgrade_head()
        seed_database(create_engine(database), scale="small", seed=SEED, as_of=AS_OF)
        refresh.run(job="retrain")  # models to score with
    workdir = tmp_path_factory.mktemp("scale-out")
    own_redis = Redis(workdir)
    own_redis.start()
    running = Stack(database, own_redis.url, workdir)
    running.redis = own_redis
    try:
        running.start()
        yield running
    finally:
        running.stop()
        own_redis.stop()


@pytest.fixture
def on_stack(stack, use_database):  # type: ignore[no-untyped-def]
    use_database(stack.database)
    return stack


def signed_in(stack: Stack, which: str, email: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    response = post_login(session, stack, which, email, password)
    assert response.status_code == 302, response.text[:300]
    return session


def post_login(session, stack: Stack, which: str, email: str, password: str):  # type: ignore[no-untyped-def]
    page = session.get(stack.url(which, "/login")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return session.post(
        stack.url(which, "/login"),
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
    )


def home_credit(session: requests.Session, stack: Stack, which: str) -> str:
    """The home page's credit KPIs, as the browser asks for them."""
    callbacks = session.get(stack.url(which, "/_dash-dependencies")).json()
    section = next(c for c in callbacks if "home-kpis" in c["output"])
    body = payload(section, {"data": "credit"})
    response = session.post(stack.url(which, "/_dash-update-component"), json=body)
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_a_session_started_on_one_server_works_on_the_other(on_stack):
    account = create_test_account("analyst")
    session = signed_in(on_stack, "a", account.email)
    assert session.get(on_stack.url("b", "/_dash-layout")).status_code == 200
    assert requests.get(on_stack.url("b", "/_dash-layout")).status_code == 401


def test_both_servers_read_one_cache(on_stack):
    session = signed_in(on_stack, "a", create_test_account("analyst").email)
    home_credit(session, on_stack, "a")
    assert redis.Redis.from_url(on_stack.redis_url).keys("beacon:v:*")
    # A change made behind the app's back is not seen until the cache moves on: server B
    # answers from the entry server A stored.
    engine = create_engine(on_stack.database)
    with engine.begin() as conn:
        conn.execute(text("UPDATE credit_applications SET status = 'withdrawn'"))
        recount_loaded(conn=conn)  # the kept daily counts follow; the cache is not told
    try:
        for _attempt in range(3):  # a scheduled refresh in between moves the cache on: retry
            runs = scheduled_runs(on_stack)
            first = home_credit(session, on_stack, "a")
            second = home_credit(session, on_stack, "b")
            if scheduled_runs(on_stack) == runs:
                break
        assert second == first
        redis.Redis.from_url(on_stack.redis_url).flushdb()
        assert home_credit(session, on_stack, "b") != first
    finally:
        engine.dispose()


def scheduled_runs(stack: Stack) -> int:
    with create_engine(stack.database).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(JobRun)).scalar_one())


def test_two_scopes_never_share_cached_rows(on_stack):
    analyst = signed_in(on_stack, "a", create_test_account("analyst").email)
    north = signed_in(on_stack, "b", create_test_account("manager", (1,)).email)
    everyone = home_credit(analyst, on_stack, "a")  # cached first, for every region
    mine = home_credit(north, on_stack, "b")
    assert mine != everyone
    redis.Redis.from_url(on_stack.redis_url).flushdb()
    assert home_credit(north, on_stack, "a") == mine  # computed afresh for region 1: the same


def test_rate_limits_count_across_servers(on_stack):
    email = create_test_account("viewer").email
    codes = [
        post_login(requests.Session(), on_stack, which, email, "wrong password").status_code
        for which in ("a", "b", "a", "b")
    ]
    assert codes == [401, 401, 401, 429]  # refused, refused, refused, then limited


def test_a_password_link_is_made_and_mailed_by_the_celery_worker(on_stack):
    from sqlalchemy import func, select

    from data.engine import connect
    from data.models import PasswordToken

    account = create_test_account("viewer")
    session = requests.Session()
    page = session.get(on_stack.url("a", "/forgot-password")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(
        on_stack.url("a", "/forgot-password"), data={"csrf_token": token, "email": account.email}
    )
    assert answer.status_code == 200 and "on its way" in answer.text

    def made() -> int:
        with connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(PasswordToken)
                .where(PasswordToken.user_id == account.id)
            ).scalar_one()

    _wait_until(lambda: made() == 1, 30, "the worker to make the password link")
    _wait_until(lambda: f"Mail to {account.email}" in on_stack.logs(), 30, "the mail in the log")
    assert "unregistered task" not in on_stack.logs()


def test_beat_and_the_worker_refresh_the_data(on_stack):
    with create_engine(on_stack.database).begin() as conn:
        template = conn.execute(select(CreditApplication).limit(1)).mappings().one()
        fields = {k: v for k, v in template.items() if k not in ("id", "external_id", "applied_at")}
        new_id = conn.execute(
            insert(CreditApplication)
            .values(**fields, applied_at=datetime.now(UTC))
            .returning(CreditApplication.id)
        ).scalar_one()
        since = datetime.now(UTC)

    _wait_until(
        lambda: scheduled_success_since(on_stack, since),
        6 * REFRESH_SECONDS + 30,
        "a scheduled refresh",
    )
    with create_engine(on_stack.database).connect() as conn:
        scored = conn.execute(
            select(func.count()).where(CreditScore.application_id == new_id)
        ).scalar_one()
        runners = set(
            conn.execute(select(JobRun.runner).where(JobRun.trigger == "schedule")).scalars()
        )
    assert scored == 1
    assert runners and all(":" in r for r in runners)


@pytest.mark.browser
def test_refresh_now_reports_progress_through_celery(on_stack):
    from selenium import webdriver
    from selenium.webdriver.support.ui import WebDriverWait

    account = create_test_account("admin")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        driver.get(on_stack.url("a", "/login"))
        driver.find_element("id", "email").send_keys(account.email)
        driver.find_element("id", "password").send_keys(PASSWORD)
        driver.find_element("css selector", "button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements("id", "shell-title"))
        driver.get(on_stack.url("a", "/admin/jobs"))
        WebDriverWait(driver, 20).until(
            lambda d: d.find_elements("css selector", "#jobs-history table")
        )
        seen: set[str] = set()
        engine = create_engine(on_stack.database)

        def retrain_since(since: datetime) -> str | None:
            with engine.connect() as conn:
                return conn.execute(
                    select(JobRun.status)
                    .where(JobRun.job == "retrain", JobRun.started_at >= since)
                    .order_by(JobRun.id.desc())
                ).scalar()

        def idle() -> bool:
            with engine.connect() as conn:
                running = select(func.count()).where(JobRun.status == "running")
                return not conn.execute(running).scalar_one()

        # The beat starts a refresh every 10 s, and one run works at a time: a click during
        # a scheduled refresh is told that another run was working, and does nothing. So the
        # click waits for no run to be working, and is made again if a refresh still won.
        for _ in range(8):
            _wait_until(idle, 60, "no run in progress")
            since = datetime.now(UTC)
            WebDriverWait(driver, 20).until(
                lambda d: d.find_element("id", "jobs-retrain-now").is_enabled()
            )
            driver.find_element("id", "jobs-retrain-now").click()

            def ended(d, since: datetime = since) -> bool:  # type: ignore[no-untyped-def]
                text = d.find_element("id", "jobs-progress-text").text
                if text:
                    seen.add(text)
                return (retrain_since(since) or "running") != "running"

            WebDriverWait(driver, 120, poll_frequency=0.2).until(ended)
            if retrain_since(since) == "succeeded":
                break
        engine.dispose()
        result = WebDriverWait(driver, 30).until(
            lambda d: (
                (text := d.find_element("id", "jobs-result").text)
                and "Another" not in text
                and text
            )
        )
        assert "Finished" in result, result
        assert any("Retraining" in step for step in seen), seen
        assert driver.find_element("id", "jobs-retrain-now").is_enabled()
    finally:
        driver.quit()


# Through nginx, as browsers reach a deployment.


def test_sign_in_through_nginx_and_load_a_page(on_stack):
    session = signed_in(on_stack, "proxy", create_test_account("analyst").email)
    layout = session.get(on_stack.url("proxy", "/_dash-layout"))
    assert layout.status_code == 200 and layout.headers["Server"] == "nginx"
    assert re.fullmatch(r"[0-9a-f]{32}", layout.headers["X-Request-ID"])  # nginx's id, kept
    assert '"response"' in home_credit(session, on_stack, "proxy")  # the KPIs answered
    assert requests.get(on_stack.url("proxy", "/metrics")).status_code == 404


def test_slow_clients_do_not_hold_up_anyone_else(on_stack):
    """More half-sent requests than gunicorn has threads (2 workers x 4): nginx holds them,
    and a normal request still gets its answer at once."""
    slow = []
    try:
        for n in range(24):
            conn = socket.create_connection(("127.0.0.1", on_stack.proxy), timeout=5)
            if n % 2:
                conn.sendall(
                    b"GET /login HTTP/1.1\r\nHost: beacon\r\nX-Slow: "
                )  # headers never end
            else:
                conn.sendall(
                    b"POST /login HTTP/1.1\r\nHost: beacon\r\nContent-Length: 900\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n\r\nemail=a"
                )  # the body never comes
            slow.append(conn)
        started = time.monotonic()
        answer = requests.get(on_stack.url("proxy", "/login"), timeout=10)
        waited = time.monotonic() - started
        assert answer.status_code == 200
        assert waited < 5, f"a normal request waited {waited:.1f} s behind slow clients"
        direct = requests.get(on_stack.url("a", "/healthz"), timeout=10)
        assert direct.ok  # the workers themselves are free
    finally:
        for conn in slow:
            conn.close()


def _gunicorn_master(stack: Stack) -> psutil.Process | None:
    """The gunicorn master that supervisord runs for this stack (None while there is none)."""
    for process in psutil.process_iter(["cmdline"]):
        try:
            parent = process.parent()
            if (
                "beacon.gunicorn_conf" in " ".join(process.info["cmdline"] or [])
                and parent is not None
                and "supervisord" in " ".join(parent.cmdline())
                and process.environ().get("BEACON_PORT") == str(stack.a)
            ):
                return process
        except psutil.Error:
            continue
    return None


def test_a_killed_web_worker_costs_only_its_requests_in_flight(on_stack):
    master = _gunicorn_master(on_stack)
    assert master is not None
    workers = master.children()
    assert len(workers) == 2
    outcomes: list[str] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                code = requests.get(on_stack.url("proxy", "/login"), timeout=10).status_code
                outcomes.append("ok" if code == 200 else f"http {code}")
            except requests.RequestException as error:
                outcomes.append(type(error).__name__)

    clients = [threading.Thread(target=load) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(1.5)
    before = len(outcomes)
    workers[0].kill()
    time.sleep(3)
    stop.set()
    for client in clients:
        client.join(15)
    failed = [o for o in outcomes if o != "ok"]
    assert len(failed) <= 4, failed  # at most one request per client was in flight
    assert outcomes[before:].count("ok") > 10  # the other worker went on serving
    _wait_until(lambda: len(master.children()) == 2, 30, "gunicorn to replace the worker")


def test_supervisord_restarts_a_web_server_that_died(on_stack):
    master = _gunicorn_master(on_stack)
    assert master is not None
    master.kill()
    _wait_until(
        lambda: (
            getattr(_gunicorn_master(on_stack), "pid", master.pid) != master.pid
            and requests.get(on_stack.url("proxy", "/healthz"), timeout=2).ok
        ),
        60,
        "supervisord to start gunicorn again",
    )


def test_redis_down_sign_in_goes_on_jobs_say_why_missed_runs_are_recorded_then_all_recovers(
    on_stack,
):
    admin = create_test_account("admin")
    assert on_stack.redis is not None
    on_stack.redis.stop()
    try:
        since = datetime.now(UTC)
        session = signed_in(on_stack, "proxy", admin.email)  # rate limits fall back to memory
        assert session.get(on_stack.url("proxy", "/_dash-layout")).status_code == 200
        ready = requests.get(on_stack.url("proxy", "/readyz"))
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"]["ok"] is False

        callbacks = session.get(on_stack.url("proxy", "/_dash-dependencies")).json()
        run_now = next(c for c in callbacks if c["output"].startswith("jobs-result."))
        body = payload(run_now, {"n_clicks": 1, "data": admin.id})
        refused = session.post(on_stack.url("proxy", "/_dash-update-component"), json=body)
        assert refused.status_code == 503
        assert "The job queue (Redis) is not reachable" in refused.json()["error"]

        def missed() -> bool:
            with create_engine(on_stack.database).connect() as conn:
                return bool(
                    conn.execute(
                        select(func.count()).where(
                            JobRun.detail.like("missed:%"), JobRun.started_at > since
                        )
                    ).scalar_one()
                )

        _wait_until(missed, 4 * REFRESH_SECONDS + 30, "beat to record the missed refresh")
    finally:
        on_stack.redis.start()
    _wait_until(
        lambda: requests.get(on_stack.url("proxy", "/readyz"), timeout=5).status_code == 200,
        90,
        "readiness once Redis is back",
    )
    back = datetime.now(UTC)
    _wait_until(
        lambda: scheduled_success_since(on_stack, back),
        6 * REFRESH_SECONDS + 30,
        "a scheduled refresh after Redis is back",
    )
