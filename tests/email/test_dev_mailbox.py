"""The dev mailbox answers only on this machine, only without a real backend, and escapes everything."""

from __future__ import annotations

import html

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.dev_mailbox import routes
from portal_app.kernel.db import write_session
from tests.support.mail import add_signup_email

PATHS = ["/dev/mailbox", "/dev/mailbox.json", "/dev/mailbox/1"]
HOSTILE_NAME = '<script>alert("x")</script> & Sons'


def client(host: str = "127.0.0.1") -> TestClient:
    return TestClient(Starlette(routes=routes()), client=(host, 5000))


@pytest.fixture
def mailbox(database):
    add_signup_email(to="ada@example.com", code="482913")
    return client()


def test_list_shows_the_email(mailbox):
    response = mailbox.get("/dev/mailbox")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert '<html lang="en">' in page and "<title>Dev mailbox</title>" in page
    assert "ada@example.com" in page
    assert '<a href="/dev/mailbox/1">482913 is your Test Business verification code</a>' in page
    assert "pending" in page


def test_list_is_newest_first(frozen_clock, mailbox):
    frozen_clock.advance(minutes=1)
    add_signup_email(to="second@example.com")
    page = mailbox.get("/dev/mailbox").text
    assert page.index("second@example.com") < page.index("ada@example.com")
    assert [item["to"] for item in mailbox.get("/dev/mailbox.json").json()] == ["second@example.com", "ada@example.com"]


def test_message_shows_both_parts(mailbox):
    response = mailbox.get("/dev/mailbox/1")
    assert response.status_code == 200
    page = response.text
    assert "<title>482913 is your Test Business verification code - Dev mailbox</title>" in page
    assert "Enter this code to verify your email" in page
    assert '<iframe sandbox title="HTML part" srcdoc="&lt;!doctype html&gt;' in page
    assert mailbox.get("/dev/mailbox/99").status_code == 404


def test_json_lists_what_a_person_would_read(mailbox):
    add_signup_email(to="grace@example.com", code="777888")
    [item] = mailbox.get("/dev/mailbox.json", params={"to": " Grace@Example.com"}).json()
    assert set(item) == {"id", "to", "subject", "text_body", "created_at"}
    assert item["to"] == "grace@example.com"
    assert "777888" in item["text_body"]
    assert len(mailbox.get("/dev/mailbox.json").json()) == 2


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_addresses_are_local(database, host):
    add_signup_email()
    for path in PATHS:
        assert client(host).get(path).status_code == 200, path


@pytest.mark.parametrize(
    "host", ["10.0.0.5", "192.168.1.20", "2001:db8::1", "::ffff:10.0.0.5", "testclient", "localhost.evil.example"]
)
def test_other_hosts_get_404(database, host):
    add_signup_email()
    for path in PATHS:
        response = client(host).get(path)
        assert response.status_code == 404, path
        assert "ada@example.com" not in response.text


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7"},
        {"X-Real-IP": "203.0.113.7"},
        {"X-Forwarded-For": "127.0.0.1"},
    ],
)
def test_requests_through_a_proxy_get_404(mailbox, header):
    for path in PATHS:
        assert mailbox.get(path, headers=header).status_code == 404, path


def test_closed_when_sendgrid_is_configured(mailbox, settings_env):
    settings_env(SENDGRID_API_KEY="SG.real-key")
    for path in PATHS:
        assert mailbox.get(path).status_code == 404, path


def test_html_in_a_subject_is_escaped(database):
    with write_session() as session:
        session.get(Business, BUSINESS_ID).name = HOSTILE_NAME
    add_signup_email(code="482913")
    local = client()
    subject = f"482913 is your {HOSTILE_NAME} verification code"
    for path in ("/dev/mailbox", "/dev/mailbox/1"):
        page = local.get(path).text
        assert "<script>" not in page, path
        assert html.escape(subject) in page, path
    # The HTML part was escaped once by the template and once more for the srcdoc attribute.
    assert "&amp;lt;script&amp;gt;" in local.get("/dev/mailbox/1").text
    assert local.get("/dev/mailbox.json").json()[0]["subject"] == subject
