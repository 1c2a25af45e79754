"""The backends that deliver an outbox email: SendGrid, or the local dev mailbox.

A sender only talks to its provider and says what happened; the outbox loop in delivery.py
decides what to store and when to try again.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Literal, Protocol

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail

from portal_app.email.models import OutboxEmail
from portal_app.kernel.settings import Settings

DEV_MAILBOX = "dev-mailbox"
SENDGRID = "sendgrid"


@dataclass(frozen=True)
class SendResult:
    """What a provider said: delivered (with its message id), try again later, or never."""

    outcome: Literal["delivered", "retry", "permanent"]
    provider_message_id: str = ""
    error: str = ""

    @classmethod
    def delivered(cls, provider_message_id: str = "") -> SendResult:
        return cls("delivered", provider_message_id=provider_message_id)

    @classmethod
    def retry(cls, error: str) -> SendResult:
        return cls("retry", error=error)

    @classmethod
    def permanent(cls, error: str) -> SendResult:
        return cls("permanent", error=error)


class Sender(Protocol):
    name: str

    def send(self, email: OutboxEmail) -> SendResult: ...


class DevMailboxSender:
    """Delivers nothing: the email stays in the database and is read at /dev/mailbox."""

    name = DEV_MAILBOX

    def send(self, email: OutboxEmail) -> SendResult:
        return SendResult.delivered()


class SendGridSender:
    """SendGrid's v3 mail/send API through the official client."""

    name = SENDGRID

    def __init__(self, api_key: str, api_url: str, from_email: str, timeout_seconds: float) -> None:
        if not api_key:
            raise ValueError("SendGridSender needs an API key")
        self.api_key = api_key
        # The client adds "/v3" itself; accept a base URL given with it too.
        self.api_url = api_url.rstrip("/").removesuffix("/v3")
        self.from_email = from_email
        self.timeout_seconds = timeout_seconds

    def build_message(self, email: OutboxEmail) -> Mail:
        # Mail puts text/plain before text/html, as the API requires.
        return Mail(
            from_email=self.from_email,
            to_emails=email.to_email,
            subject=email.subject,
            plain_text_content=email.text_body,
            html_content=email.html_body,
        )

    def send(self, email: OutboxEmail) -> SendResult:
        try:
            message = self.build_message(email)
        except Exception as error:  # the helper rejects bad addresses and content with plain exceptions
            return SendResult.permanent(f"could not build the message: {error!r}")
        # A client per message: python_http_client mutates its shared header dict on every call,
        # so one client must not be used by two threads.
        client = SendGridAPIClient(api_key=self.api_key, host=self.api_url)
        # SendGridAPIClient.send() passes no timeout and urllib's default is to wait forever;
        # python_http_client hands this one to urlopen for the connect and for every socket read.
        client.client.timeout = self.timeout_seconds
        try:
            response = client.send(message)
        except HTTPError as error:
            return _result_for_status(error.status_code, _sendgrid_error_text(error.body) or str(error.reason))
        except (OSError, http.client.HTTPException) as error:
            # Timeouts, refused or reset connections, DNS failures (urllib wraps them in URLError,
            # an OSError) and malformed responses: all worth another try.
            return SendResult.retry(f"{type(error).__name__}: {error}")
        if response.status_code in (200, 202):
            return SendResult.delivered(response.headers.get("X-Message-Id", "") or "")
        return _result_for_status(response.status_code, _sendgrid_error_text(response.body))


def _result_for_status(status: int, error_text: str) -> SendResult:
    text = f"HTTP {status}: {error_text}" if error_text else f"HTTP {status}"
    if status == 429 or status >= 500:
        return SendResult.retry(text)
    if 400 <= status < 500:
        return SendResult.permanent(text)
    # Any other answer (a redirect, an unexpected 2xx) means the message may not have been taken.
    return SendResult.retry(f"unexpected answer: {text}")


def _sendgrid_error_text(body: bytes | str | None) -> str:
    """SendGrid's `errors[].message` texts, joined; the raw body (shortened) when it has none."""
    if not body:
        return ""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        errors = json.loads(raw).get("errors")
        messages = [str(item["message"]) for item in errors if isinstance(item, dict) and item.get("message")]
    except (ValueError, AttributeError, TypeError):
        messages = []
    return "; ".join(messages) if messages else raw.strip()[:500]


def sender_from_settings(settings: Settings) -> Sender:
    """SendGrid when SENDGRID_API_KEY is set, otherwise the dev mailbox."""
    if settings.email_backend == SENDGRID:
        return SendGridSender(
            api_key=settings.sendgrid_api_key,
            api_url=settings.sendgrid_api_url,
            from_email=settings.email_from,
            timeout_seconds=settings.email_timeout_seconds,
        )
    return DevMailboxSender()
