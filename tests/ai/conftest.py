"""The AI tests' local server speaking the OpenAI API, the app pointed at it, and the data
they ask about."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from settings import get_settings
from tests.conftest import copy_database, pointed_at
from tests.openai_server import OpenAIServer


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIServer]:
    running = OpenAIServer().start()
    yield running
    running.stop()


@pytest.fixture
def ai_on(server, seeded_engine, monkeypatch):  # type: ignore[no-untyped-def]
    """The app pointed at the local server, with a fresh cache for its answers."""
    from data import cache

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("BEACON_AI_MODEL", "test-model")
    monkeypatch.setenv("BEACON_AI_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    cache.changed(*cache.AREAS)
    server.requests.clear()
    yield server
    get_settings.cache_clear()


@pytest.fixture
def with_scores(scored_url, use_database, ai_on):  # type: ignore[no-untyped-def]
    use_database(scored_url)
    return ai_on


@pytest.fixture(scope="session")
def ask_template(request, credit_scored_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """Both models trained: tutors scored (two weekly scores) and every application scored."""
    from jobs import tutor_risk

    url = copy_database(
        credit_scored_template,
        str(tmp_path_factory.mktemp("ask")),
        lambda: request.getfixturevalue("postgres_server"),
    )
    with pointed_at(url):
        tutor_risk.run(weeks=2)
    return url


@pytest.fixture
def ask_data(ask_template, use_database):  # type: ignore[no-untyped-def]
    use_database(ask_template)


@pytest.fixture
def ask_data_with_ai(ask_template, use_database, ai_on):  # type: ignore[no-untyped-def]
    use_database(ask_template)
    return ai_on
