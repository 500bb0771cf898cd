"""The benchmarks measure callbacks the app has (#26): each scenario of `bench.scenarios`
builds a request that the running app answers, so a page part renamed or rebuilt (the
tables that became data grids) cannot leave a benchmark failing or measuring nothing."""

from bench.callbacks import payload
from bench.scenarios import SCENARIOS
from tests.auth.helpers import login, new_client
from tests.conftest import create_test_account


def test_every_benchmark_scenario_names_one_callback_that_the_app_answers(credit_scored):
    from jobs import tutor_risk

    tutor_risk.run(weeks=1)  # the credit data is scored; the tutors are scored here
    admin = create_test_account("admin")
    client = new_client()
    login(client, admin.email)
    callbacks = client.get("/_dash-dependencies").get_json()
    for scenario in SCENARIOS:
        found = [c for c in callbacks if scenario.output in c["output"]]
        assert len(found) == 1, (scenario.page, len(found))
        answer = client.post("/_dash-update-component", json=payload(found[0], scenario))
        assert answer.status_code == 200, (scenario.page, answer.status_code)
        assert answer.get_json()["response"], scenario.page
    grids = [s for s in SCENARIOS if "getRowsResponse" in s.output]
    assert len(grids) == 3
    for scenario in grids:
        answer = client.post(
            "/_dash-update-component",
            json=payload(next(c for c in callbacks if scenario.output in c["output"]), scenario),
        ).get_json()
        block = next(v for v in answer["response"].values() if "getRowsResponse" in v)
        rows = block["getRowsResponse"]
        assert 0 < len(rows["rowData"]) == min(100, rows["rowCount"]), scenario.page
    # `bench.ratio` replays the SQL a cold call issues straight through the driver, on each
    # backend (it once passed SQLite a None where sqlite3 wants no values).
    from bench.ratio import raw_runner, recorded_statements
    from data import cache
    from data.engine import get_engine

    run, close = raw_runner(credit_scored)
    try:
        for scenario in SCENARIOS:
            body = payload(next(c for c in callbacks if scenario.output in c["output"]), scenario)
            cache.backend().clear()
            statements, checkouts = recorded_statements(
                get_engine(), lambda body=body: client.post("/_dash-update-component", json=body)
            )
            assert len(statements) > 1 and checkouts, scenario.page  # the user, then the page
            run(statements)
            run(statements)  # and again, as the benchmark alternates
    finally:
        close()
