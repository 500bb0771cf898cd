"""AI features against a local server speaking the OpenAI chat-completions API (the real
openai client, over HTTP): narratives keep to the page's numbers, tool calls are validated
and scoped, time-outs and rate limits give a message and a retry, and without a key every
feature answers from its template."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from ai import ask as asking
from ai import insights
from analytics.narrative import Fact
from data import ai as ai_log
from data.engine import connect
from data.models import AICall
from tests.conftest import create_test_account

FACTS = [
    Fact("Sessions completed, 30 days", "1,204", "+3.1% vs previous 30 days"),
    Fact("Completion rate", "91.2%", "−0.8% vs previous 30 days", wrong_way=True),
    Fact("Active tutors", "58 (3 left in the last 90 days)"),
]


def someone(regions: list[int] | None = None) -> asking.Scope:
    """A real account asking, with a region scope (None: every region)."""
    return asking.Scope(create_test_account("analyst").id, regions)


def outcomes() -> list[str]:
    with connect() as conn:
        return list(conn.execute(select(AICall.outcome).order_by(AICall.id)).scalars())


def test_the_narrative_carries_the_numbers_it_was_given(ai_on):
    ai_on.reply("Sessions completed rose 3.1% to 1,204, while the completion rate fell to 91.2%.")
    result = insights.explain(page=f"Home {uuid.uuid4().hex}", facts=FACTS, user_id=None)
    assert result.source == "ai" and "1,204" in result.text
    prompt = ai_on.requests[0]["messages"][-1]["content"]
    assert all(f.value.split(" ")[0] in prompt for f in FACTS)
    assert ai_on.requests[0]["model"] == "test-model"


def test_a_narrative_with_an_invented_number_is_replaced_by_the_template(ai_on):
    ai_on.reply("Sessions completed rose 12% to 1,350.")
    result = insights.explain(page="Home, invented", facts=FACTS, user_id=None)
    assert result.source == "template" and "1,350" in (result.note or "")
    assert "1,204" in result.text and "1,350" not in result.text
    assert "completion rate" in result.text.lower()  # the one that moved the wrong way


def test_answers_are_cached(ai_on):
    ai_on.reply("Completion rate is 91.2%.")
    first = insights.explain(page="Home, cached", facts=FACTS[1:], user_id=None)
    second = insights.explain(page="Home, cached", facts=FACTS[1:], user_id=None)
    assert first.text == second.text and len(ai_on.requests) == 1


def test_a_time_out_gives_a_message_a_retry_and_the_template(ai_on):
    ai_on.stall(2.5)
    result = insights.explain(page="Tutor risk", facts=FACTS[:1], user_id=None)
    assert result.source == "template" and result.retry
    assert "did not answer within 1 seconds" in (result.note or "")
    assert outcomes()[-1] == "timeout"


def test_a_rate_limit_gives_a_message_and_a_retry(ai_on):
    ai_on.fail(429, "Rate limit reached for requests")
    result = insights.explain(page="Credit", facts=FACTS[:2], user_id=None)
    assert result.retry and "rate limit" in (result.note or "")
    assert outcomes()[-1] == "rate_limited"
    ai_on.reply("Sessions completed: 1,204.")
    again = insights.explain(page="Credit", facts=FACTS[:2], user_id=None)  # the retry works
    assert again.source == "ai"


def test_a_server_error_is_a_clear_message(ai_on):
    ai_on.fail(500)
    result = insights.explain(page="PE", facts=FACTS, user_id=None)
    assert result.retry and "HTTP 500" in (result.note or "")


def test_without_a_key_every_feature_answers_from_its_template(server, seeded_engine):
    server.requests.clear()
    narrative = insights.explain(page="Home", facts=FACTS, user_id=None)
    message = insights.tutor_message(
        tutor="Ana Ortiz",
        factors=["No-shows up to 4 in 4 weeks"],
        interventions=[],
        manager="Maya Manager",
        user_id=1,
    )
    plan = insights.lesson_plan(
        class_name="7B",
        gaps=[("balance", "4.2 points below the benchmark")],
        activities=["Gymnastics: trains balance"],
        equipment=["Mats"],
        user_id=1,
    )
    answer = asking.ask("Which regions have the most critical tutors?", someone())
    for result in (narrative, message, plan, answer):
        assert result.source == "template" and "OPENAI_API_KEY" in (result.note or "")
    assert "Hi Ana" in message.text and "No-shows up to 4" in message.text
    assert "balance" in plan.text and "Mats" in plan.text
    assert answer.runs[0].name == "tutors_at_risk_by_region"
    assert server.requests == []


def test_a_question_is_answered_through_a_tool_call(with_scores):
    server = with_scores
    server.call_tool("tutors_at_risk_by_region", {})
    expected = asking.run_tool("tutors_at_risk_by_region", {}, someone())
    top = expected.rows.iloc[0]
    server.reply(f"{top['region']} has the most critical tutors: {top['critical']}.")
    answer = asking.ask("Which regions have the most critical tutors this month?", someone())
    assert answer.source == "ai" and answer.text.startswith(str(top["region"]))
    assert [run.name for run in answer.runs] == ["tutors_at_risk_by_region"]
    tool_message = server.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert json.loads(tool_message["content"])["rows"] == json.loads(expected.result())["rows"]
    assert {t["function"]["name"] for t in server.requests[0]["tools"]} == set(asking.TOOLS)


def test_a_forged_region_argument_is_refused_and_its_data_never_sent(with_scores):
    server = with_scores
    north = someone([1])  # a manager of region 1 (North)
    server.call_tool("credit_applications_by_region", {"region": "South", "days": 90})
    server.reply("I cannot see South.")
    answer = asking.ask("How many applications did South get?", north)
    run = answer.runs[0]
    assert run.refused == "South is outside your regions" and run.rows.empty
    sent = json.dumps(server.requests)
    assert "outside your regions" in sent
    south = asking.run_tool("credit_applications_by_region", {"days": 90}, someone([2]))
    assert (
        not south.rows.empty and f'"applications": {south.rows.iloc[0]["applications"]}' not in sent
    )


@pytest.mark.parametrize(
    ("name", "arguments", "reason"),
    [
        ("credit_applications_by_region", {"days": 5000}, "invalid arguments"),
        ("credit_applications_by_region", {"region": "Atlantis"}, "no region called"),
        ("credit_applications_by_region", {"sql": "DROP TABLE users"}, "invalid arguments"),
        ("run_sql", {"query": "SELECT * FROM users"}, "no tool called"),
        ("pe_attendance_by_region", None, "not valid JSON"),
    ],
)
def test_bad_tool_calls_are_refused_not_run(with_scores, name, arguments, reason):
    run = asking.run_tool(name, arguments, someone())
    assert run.refused and reason in run.refused and run.rows.empty


def test_an_answer_quoting_numbers_no_tool_returned_falls_back(with_scores):
    with_scores.call_tool("pe_attendance_by_region", {"days": 14})
    with_scores.reply("Attendance was 99.9% everywhere.")
    answer = asking.ask("PE attendance by region?", someone())
    assert answer.source == "template" and "99.9" in (answer.note or "")
    assert "attendance" in answer.text.lower()


def test_calls_and_tokens_are_logged_for_admins(ai_on):
    ai_on.reply("Completion rate is 91.2%.", prompt_tokens=321, completion_tokens=12)
    insights.explain(page="Schedules", facts=FACTS[1:2], user_id=None)
    with connect() as conn:
        latest = ai_log.recent_calls(conn=conn, limit=1).iloc[0]
        usage = ai_log.usage_by_feature(conn=conn, since=latest["created_at"].to_pydatetime())
    assert (latest["feature"], latest["outcome"], latest["prompt_tokens"]) == ("explain", "ok", 321)
    assert usage.set_index("feature").loc["explain", "completion_tokens"] >= 12


def test_a_lesson_plan_draft_may_use_lesson_durations_but_no_invented_counts(ai_on):
    material = dict(
        class_name="7B",
        gaps=[("balance", "4.2 points below the benchmark")],
        activities=["Gymnastics: trains balance"],
        equipment=["Mats"],
        user_id=None,
    )
    ai_on.reply("Warm-up 10 minutes. Main 30 minutes of gymnastics on mats (balance is 4.2 below).")
    assert insights.lesson_plan(**material).source == "ai"
    ai_on.reply("Warm-up 10 minutes, then 12 laps.")
    invented = insights.lesson_plan(**{**material, "class_name": "7C"})
    assert invented.source == "template" and "12" in (invented.note or "")
