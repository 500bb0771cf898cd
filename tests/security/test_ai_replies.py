"""An AI service that answers with something other than a chat completion (a 200 with HTML,
JSON of another shape), or too slowly across several rounds: the user gets the template
answer with a note, the call is logged, and no worker is held past the time-out."""

from __future__ import annotations

import logging

import pytest

from ai import ask as asking
from ai import insights
from tests.ai.conftest import ai_on, server  # noqa: F401 (fixtures)
from tests.ai.test_ai import FACTS, outcomes, someone

ODD_REPLIES = [
    (b"<html><body>Bad gateway</body></html>", "text/html"),
    (b"not json at all", "application/json"),
    (b'{"id": "x", "object": "chat.completion"}', "application/json"),
    (b'{"choices": []}', "application/json"),
    (b'{"choices": [{"index": 0}]}', "application/json"),
    (b'{"choices": [{"message": {"role": "assistant", "content": 42}}]}', "application/json"),
]


@pytest.mark.parametrize(("body", "kind"), ODD_REPLIES)
def test_an_odd_reply_falls_back_to_the_template_with_a_note(ai_on, caplog, body, kind):  # noqa: F811
    caplog.set_level(logging.WARNING, logger="beacon.ai")
    ai_on.raw(body, kind)
    result = insights.explain(page="Tutor risk", facts=FACTS[:2], user_id=None)
    assert result.source == "template" and result.retry
    assert "could not" in (result.note or "")
    assert FACTS[0].value in result.text
    assert outcomes()[-1] == "unavailable"
    assert "AI reply" in caplog.text or "could not answer" in (result.note or "")


def test_ask_falls_back_on_an_odd_reply_too(ai_on):  # noqa: F811
    ai_on.raw(b"<html>oops</html>", "text/html")
    answer = asking.ask("How many sessions were completed in the last 30 days?", someone())
    assert answer.source == "template" and answer.retry and answer.text


def test_ask_holds_a_worker_no_longer_than_the_time_out_over_every_round(ai_on):  # noqa: F811
    # Each round answers within the 1 s time-out; the two together do not. Each waits
    # 0.55 s, so the second round still starts when the tool between them takes up to
    # 0.45 s on a busy machine (at 0.7 s a slow tool run left no second round to time out).
    ai_on.stall_then_tool(0.55, "tutors_at_risk_by_region", {})
    ai_on.stall_then_tool(0.55, "tutors_at_risk_by_region", {})
    answer = asking.ask("Which region has the most tutors at critical risk?", someone())
    assert answer.source == "template" and answer.retry
    assert "did not answer within 1 seconds" in (answer.note or "")
    assert len(ai_on.requests) == 2 and outcomes()[-1] == "timeout"
