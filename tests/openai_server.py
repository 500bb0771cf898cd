"""A local HTTP server that speaks the OpenAI chat-completions API, tool calls included.

Tests script its answers: `server.reply(text)`, `server.call_tool(name, arguments)`,
`server.fail(429)`, `server.stall(seconds)`. Every request it received is kept in
`server.requests` (the parsed JSON body), so a test can read what the app sent.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class OpenAIServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._script: deque[dict[str, Any]] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # What the next requests get, in order. With nothing scripted, a plain "OK." answer.
    def reply(self, text: str, *, prompt_tokens: int = 120, completion_tokens: int = 40) -> None:
        self._script.append(
            {"kind": "text", "text": text, "usage": (prompt_tokens, completion_tokens)}
        )

    def call_tool(self, name: str, arguments: dict[str, Any]) -> None:
        self._script.append({"kind": "tool", "name": name, "arguments": arguments})

    def fail(self, status: int, message: str = "scripted failure") -> None:
        self._script.append({"kind": "fail", "status": status, "message": message})

    def stall(self, seconds: float, text: str = "too late") -> None:
        self._script.append({"kind": "stall", "seconds": seconds, "text": text})

    def raw(self, body: bytes, content_type: str = "application/json") -> None:
        """A 200 whose body is exactly `body`: not JSON, or JSON of another shape."""
        self._script.append({"kind": "raw", "body": body, "type": content_type})

    def stall_then_tool(self, seconds: float, name: str, arguments: dict[str, Any]) -> None:
        self._script.append(
            {"kind": "tool", "name": name, "arguments": arguments, "seconds": seconds}
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if self.headers.get("Authorization", "") != "Bearer test-key":
                    return self._send(401, {"error": {"message": "bad key", "type": "auth"}})
                server.requests.append(body)
                step = server._script.popleft() if server._script else {"kind": "text"}
                if step["kind"] == "fail":
                    error = {"message": step["message"], "type": "scripted", "code": None}
                    return self._send(step["status"], {"error": error})
                if step["kind"] == "raw":
                    return self._send_bytes(200, step["body"], step["type"])
                if step.get("seconds"):
                    time.sleep(step["seconds"])
                message: dict[str, Any] = {"role": "assistant", "content": step.get("text", "OK.")}
                finish = "stop"
                if step["kind"] == "tool":
                    message = {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_{uuid.uuid4().hex[:8]}",
                                "type": "function",
                                "function": {
                                    "name": step["name"],
                                    "arguments": json.dumps(step["arguments"]),
                                },
                            }
                        ],
                    }
                    finish = "tool_calls"
                prompt, completion = step.get("usage", (100, 20))
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "test-model"),
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": {
                            "prompt_tokens": prompt,
                            "completion_tokens": completion,
                            "total_tokens": prompt + completion,
                        },
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._send_bytes(status, json.dumps(payload).encode(), "application/json")

            def _send_bytes(self, status: int, data: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

        return Handler
