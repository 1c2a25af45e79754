"""Helpers for the email tests: a local SendGrid v3 stand-in and outbox shortcuts."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portal_app.email.models import OutboxEmail
from portal_app.email.outbox import enqueue
from portal_app.kernel.db import read_session, write_session

API_KEY = "SG.test-key"
FROM_EMAIL = "portal@business.example"


@dataclass
class Answer:
    status: int = 202
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: dict
    # When it arrived (time.time()): the email latency benchmark's end mark.
    at: float = field(default_factory=time.time)


class FakeSendGrid:
    """A v3 mail/send endpoint on 127.0.0.1 that records requests and answers as told.

    Queued answers are used in order; when none is queued it accepts the message (202 with a
    fresh X-Message-Id), or gives `default` when a test sets one.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.answers: deque[Answer] = deque()
        self.default: Answer | None = None
        self.delay = 0.0
        self.lock = threading.Lock()
        self.message_ids = itertools.count(1)
        self.release = threading.Event()  # ends every pending delay at teardown
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(
        self, status: int, body: dict | bytes = b"", headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.answers.append(Answer(status, raw, headers or {}, delay))

    def always(self, status: int, body: dict | bytes = b"") -> None:
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.default = Answer(status, raw)

    def _next_answer(self) -> Answer:
        with self.lock:
            if self.answers:
                return self.answers.popleft()
            if self.default is not None:
                return self.default
            return Answer(202, headers={"X-Message-Id": f"msg-{next(self.message_ids)}"}, delay=self.delay)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append(RecordedRequest("POST", self.path, dict(self.headers.items()), payload))
                answer = fake._next_answer()
                if answer.delay:
                    fake.release.wait(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def add_signup_email(to: str = "ada@example.com", code: str = "123456") -> int:
    """One committed signup-code email in the outbox; returns its id."""
    with write_session() as session:
        email = enqueue(
            session,
            to=to,
            template="signup_code",
            context={"full_name": "Ada Lovelace", "code": code, "expires_minutes": 15},
        )
        session.flush()
        return email.id


def load(email_id: int) -> OutboxEmail:
    with read_session() as session:
        return session.get(OutboxEmail, email_id)
