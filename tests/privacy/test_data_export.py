"""'Download my data': asked for on /security, prepared by the background task into a zip of JSON and CSV,
linked by email, downloadable only by the same account signed in, for a week."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts import sessions
from portal_app.kernel import db
from portal_app.privacy import data_export, routes
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY
from tests.support.accounts import latest_email
from tests.support.live_accounts import make_account, start_session

EMAIL = "ada@example.com"


@pytest.fixture
def ada(database, frozen_clock, tmp_path, settings_env) -> dict:
    settings_env(PORTAL_DATA_DIR=str(tmp_path / "data"))
    account = make_account(EMAIL)
    token = start_session(account)
    return {"id": account, "token": token, "info": sessions.current_session(token)}


def browser(session_token: str | None) -> TestClient:
    client = TestClient(Starlette(routes=routes.routes()), base_url="http://localhost:3000", follow_redirects=False)
    if session_token:
        client.cookies.set("portal_session", session_token)
    return client


def link_token() -> str:
    return re.search(r"/my-data/download\?t=([\w-]+)", latest_email(EMAIL).text_body).group(1)


def test_asked_prepared_emailed_and_downloaded_by_its_account(ada):
    with db.write_session() as session:
        activity.record(session, account_id=ada["id"], app_key=PORTAL_APP_KEY, kind="email_verified", summary=EMAIL)
    assert data_export.request_download(ada["info"]) == "asked"
    assert data_export.latest(ada["info"]).status == "waiting"
    assert data_export.prepare_waiting() == {"prepared": 1, "failed": 0}
    assert data_export.latest(ada["info"]).status == "ready"
    email = latest_email(EMAIL)
    assert email.template == "data_export_ready" and "only while you are signed in" in email.text_body
    answer = browser(ada["token"]).get("/my-data/download", params={"t": link_token()})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "timeline.csv"} <= names
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == EMAIL
    assert "email_verified" in archive.read("timeline.csv").decode()
    text = archive.read("data.json").decode()
    assert "password_hash" not in text and "token" not in text.lower().replace("tokens are never", "")


def test_the_link_alone_or_another_account_downloads_nothing(ada):
    data_export.request_download(ada["info"])
    data_export.prepare_waiting()
    token = link_token()
    signed_out = browser(None).get("/my-data/download", params={"t": token})
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login?next=")
    bob = start_session(make_account("bob@example.com"))
    assert browser(bob).get("/my-data/download", params={"t": token}).status_code == 404
    assert browser(ada["token"]).get("/my-data/download", params={"t": "x" * 43}).status_code == 404


def test_the_link_lasts_a_week_and_the_purge_removes_the_file(ada, frozen_clock):
    data_export.request_download(ada["info"])
    data_export.prepare_waiting()
    token = link_token()
    [zip_file] = list(data_export.folder().iterdir())
    frozen_clock.advance(days=7)
    assert browser(ada["token"]).get("/my-data/download", params={"t": token}).status_code in (303, 404)
    assert data_export.purge_expired() == {"exports_purged": 1}
    assert not zip_file.exists()


def test_one_at_a_time_and_three_a_day(ada, frozen_clock):
    assert data_export.request_download(ada["info"]) == "asked"
    assert data_export.request_download(ada["info"]) == "busy"
    data_export.prepare_waiting()
    assert data_export.request_download(ada["info"]) == "asked"
    data_export.prepare_waiting()
    assert data_export.request_download(ada["info"]) == "asked"
    data_export.prepare_waiting()
    assert data_export.request_download(ada["info"]) == "limit"
    frozen_clock.advance(days=1, minutes=1)
    assert data_export.request_download(ada["info"]) == "asked"


def test_without_a_session_nothing_is_asked(ada):
    with pytest.raises(PermissionError):
        data_export.request_download(None)


def test_spreadsheet_formulas_in_the_data_stay_text(tmp_path):
    path = tmp_path / "out.zip"
    data_export.write_zip(path, {"notes": [{"text": '=HYPERLINK("http://evil")', "n": 1}]}, "readme")
    csv_text = zipfile.ZipFile(path).read("notes.csv").decode()
    assert "'=HYPERLINK" in csv_text
