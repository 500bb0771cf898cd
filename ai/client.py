"""One chat-completions call through the openai client: configured from settings, logged
(feature, tokens, outcome) for the admins, and failing with a message a user can act on.

openai (17 MB of a worker's memory) is imported when a deployment configures the service
(`warm_up`, in the background as a gunicorn worker starts) or at the latest before a call's
clock starts."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from data import ai as ai_log
from data.engine import transaction
from settings import get_settings

if TYPE_CHECKING:
    import openai

log = logging.getLogger("beacon.ai")


class AIUnavailable(RuntimeError):
    """The service did not give a usable answer; `message` says what to do."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] | None  # None: the arguments were not valid JSON
    raw: str


@dataclass
class Reply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    message: dict[str, Any] = field(default_factory=dict)  # to send back in the conversation


def configured() -> bool:
    return get_settings().openai_api_key is not None


def warm_up() -> None:
    """Import openai in the background when the service is configured: the first question
    does not wait for it, and a worker of a deployment without AI never loads it."""
    if configured():
        threading.Thread(target=_openai, name="openai-import", daemon=True).start()


def _openai() -> Any:
    import openai

    return openai


def model_name() -> str:
    return get_settings().ai_model


def _client(seconds: float) -> openai.OpenAI:
    openai = _openai()
    settings = get_settings()
    key = settings.openai_api_key
    return openai.OpenAI(
        api_key=key.get_secret_value() if key else "",
        base_url=settings.openai_base_url,
        timeout=seconds,
        max_retries=0,  # the user retries, with a message saying why
    )


def deadline() -> float:
    """When a whole conversation (every round of tool calls) must have ended."""
    _openai()  # imported before the clock starts
    return time.perf_counter() + get_settings().ai_timeout_seconds


MALFORMED = "The AI service sent an answer Beacon could not read."


def _log(user_id: int | None, feature: str, outcome: str, started: float, usage: Any) -> None:
    with transaction() as conn:
        ai_log.record_call(
            conn=conn,
            user_id=user_id,
            feature=feature,
            model=model_name(),
            outcome=outcome,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            latency_ms=int((time.perf_counter() - started) * 1000),
            now=datetime.now(UTC),
        )


def chat(
    *,
    feature: str,
    user_id: int | None,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    until: float | None = None,
) -> Reply:
    """One call, ended by `until` (a `deadline()`) or the configured timeout, whichever
    comes first. Any answer not of the usual shape is AIUnavailable("malformed")."""
    openai = _openai()  # imported before the clock starts
    started = time.perf_counter()
    seconds = get_settings().ai_timeout_seconds
    left = min(seconds, (until or started + seconds) - started)
    if left <= 0.05:
        _log(user_id, feature, "timeout", started, None)
        raise AIUnavailable(
            "timeout", f"The AI service did not answer within {seconds:g} seconds. Try again."
        )
    try:
        options: dict[str, Any] = {"model": model_name(), "messages": messages, "temperature": 0.2}
        if tools:
            options["tools"] = tools
        response = _client(left).chat.completions.create(**options)
        reply = _reply(response)
    except openai.APITimeoutError as error:
        _log(user_id, feature, "timeout", started, None)
        raise AIUnavailable(
            "timeout", f"The AI service did not answer within {seconds:g} seconds. Try again."
        ) from error
    except openai.RateLimitError as error:
        _log(user_id, feature, "rate_limited", started, None)
        raise AIUnavailable(
            "rate_limited", "The AI service is busy (rate limit reached). Try again in a minute."
        ) from error
    except openai.APIResponseValidationError as error:
        _malformed(user_id, feature, started, error)
    except openai.OpenAIError as error:
        _log(user_id, feature, "unavailable", started, None)
        status = getattr(error, "status_code", None)
        detail = f" (HTTP {status})" if status else ""
        raise AIUnavailable(
            "unavailable", f"The AI service could not answer{detail}. Try again later."
        ) from error
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        _malformed(user_id, feature, started, error)
    _log(user_id, feature, "ok", started, getattr(response, "usage", None))
    return reply


def _malformed(user_id: int | None, feature: str, started: float, error: Exception) -> None:
    log.warning("AI reply of an unusual shape (%s: %s)", type(error).__name__, str(error)[:200])
    _log(user_id, feature, "unavailable", started, None)  # the usage record keeps its four outcomes
    raise AIUnavailable("malformed", MALFORMED) from error


def _reply(response: Any) -> Reply:
    """The answer's text and tool calls; anything else raises (the caller names it)."""
    message = response.choices[0].message
    if not isinstance(message.content, str | None):
        raise TypeError(f"content is {type(message.content).__name__}")
    calls = []
    for call in message.tool_calls or []:
        raw = call.function.arguments or "{}"
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        calls.append(
            ToolCall(
                call.id,
                call.function.name,
                parsed if isinstance(parsed, dict) else None,
                raw,
            )
        )
    return Reply(
        text=message.content or "",
        tool_calls=calls,
        message=message.model_dump(exclude_none=True),
    )
