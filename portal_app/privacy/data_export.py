"""'Download my data': a zip of everything the portal and each app hold about the account.

The person asks on /security (at most `MAX_REQUESTS_PER_DAY` times a day; one at a time). A background
task (`prepare_waiting`, every worker, each export claimed in the database so one worker builds it) writes
the zip under PORTAL_DATA_DIR/exports/ and emails a link to the account's address. The link works for a
week and only for someone signed in as that account: the email proves the mailbox, the session proves
the sign-in, so a forwarded or leaked link alone downloads nothing.

Inside: `data.json` (portal_app/export.py: the account, profile, apps, timeline, and each app's part from
its export hook; never a password hash, code or token), one CSV per list of records in it (`timeline.csv`,
`app_data/affiliates/commissions.csv`...), and a README.txt saying what is where.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, update
from sqlmodel import col, select

from portal_app import export
from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings
from portal_app.privacy.models import DataExport

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=7)
CLAIM = timedelta(minutes=10)
MAX_REQUESTS_PER_DAY = 3
TEMPLATE = "data_export_ready"
DOWNLOAD_PATH = "/my-data/download"
README = """Your data from {business}, prepared on {when}.

data.json      everything in one file: your account, profile, apps, timeline, and each app's records
*.csv          the same lists as spreadsheets, one file per list (folders follow data.json's structure)

Passwords, codes and sign-in tokens are never included: the portal keeps only one-way hashes of them.
"""


@dataclass(frozen=True)
class ExportStatus:
    status: str  # "waiting", "preparing", "ready", "failed", "" (none asked for)
    asked_at: datetime | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None


def folder() -> Path:
    return get_settings().data_dir / "exports"


def latest(signed_in: sessions.SessionInfo | None) -> ExportStatus:
    """The account's newest download not yet expired. PermissionError without a live session."""
    info, _ = sessions.signed_in_account(signed_in)
    with db.read_session() as session:
        row = session.exec(
            select(DataExport)
            .where(DataExport.account_id == info.account_id, DataExport.expires_at > clock.now())
            .order_by(col(DataExport.id).desc())
        ).first()
    if row is None:
        return ExportStatus("")
    return ExportStatus(row.status, row.created_at, row.ready_at, row.expires_at)


def request_download(signed_in: sessions.SessionInfo | None) -> str:
    """Ask for a download: "asked", "busy" (one is being prepared) or "limit" (three today already).
    PermissionError without a live session."""
    info, _ = sessions.signed_in_account(signed_in)
    now = clock.now()
    with db.write_session() as session:
        # The account row is the lock: two clicks at once ask once.
        session.exec(select(Account.id).where(Account.id == info.account_id).with_for_update()).first()
        rows = session.exec(
            select(DataExport).where(
                DataExport.account_id == info.account_id, DataExport.created_at > now - timedelta(days=1)
            )
        ).all()
        if any(row.status in ("waiting", "preparing") for row in rows):
            return "busy"
        if len(rows) >= MAX_REQUESTS_PER_DAY:
            return "limit"
        session.add(DataExport(account_id=info.account_id, created_at=now, expires_at=now + LIFETIME))
    return "asked"


def _claim() -> int | None:
    """Claim the oldest waiting export (or one whose worker died mid-way) for this worker: its id, or None."""
    now = clock.now()
    with db.write_session() as session:
        row = session.exec(
            select(DataExport)
            .where(
                or_(
                    DataExport.status == "waiting",
                    (DataExport.status == "preparing") & (col(DataExport.claimed_until) < now),
                )
            )
            .order_by(col(DataExport.id))
        ).first()
        if row is None:
            return None
        claimed = session.exec(
            update(DataExport)
            .where(DataExport.id == row.id, DataExport.status == row.status)
            .values(status="preparing", claimed_until=now + CLAIM)
        )
        return row.id if claimed.rowcount == 1 else None


def prepare_waiting(limit: int = 5) -> dict[str, int]:
    """The background task: build up to `limit` waiting exports and email their links."""
    done = failed = 0
    for _ in range(limit):
        export_id = _claim()
        if export_id is None:
            break
        try:
            _prepare(export_id)
            done += 1
        except Exception:
            log.exception("data export %s failed", export_id)
            with db.write_session() as session:
                session.exec(update(DataExport).where(DataExport.id == export_id).values(status="failed"))
            failed += 1
    return {"prepared": done, "failed": failed}


def _prepare(export_id: int) -> None:
    with db.read_session() as session:
        row = session.get(DataExport, export_id)
        account = session.get(Account, row.account_id) if row is not None else None
    if row is None or account is None:
        return
    data = export.export_account(account.id)
    name = f"{secrets.token_hex(16)}.zip"
    folder().mkdir(parents=True, exist_ok=True)
    path = folder() / name
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business_name = business.name if business is not None else "Client Portal"
    write_zip(path, data, README.format(business=business_name, when=f"{clock.now():%-d %B %Y, %H:%M} UTC"))
    token = tokens.new_token()
    now = clock.now()
    with db.write_session() as session:
        session.exec(
            update(DataExport)
            .where(DataExport.id == export_id)
            .values(
                status="ready",
                file_name=name,
                size_bytes=path.stat().st_size,
                token_hash=tokens.hash_token(token),
                ready_at=now,
                expires_at=now + LIFETIME,
            )
        )
        outbox.enqueue(
            session,
            to=account.email,
            template=TEMPLATE,
            context={
                "link": f"{get_settings().public_url}{DOWNLOAD_PATH}?t={token}",
                "expires": f"{(now + LIFETIME):%-d %B %Y}",
                "size": _human(path.stat().st_size),
            },
        )


def _human(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, round(size / 1024))} KB"


def write_zip(path: Path, data: dict, readme: str) -> None:
    """The zip: README.txt, data.json, and a CSV for every list of records in the data."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str, sort_keys=True))
        for name, records in _record_lists(data, ""):
            archive.writestr(f"{name}.csv", _csv(records))


def _record_lists(value: object, path: str):
    """(path, records) for every list of dicts in the data, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _record_lists(inner, f"{path}/{key}" if path else str(key))
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        yield path, value


def _csv(records: list[dict]) -> str:
    columns: list[str] = []
    for record in records:
        columns += [key for key in record if key not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                key: json.dumps(value, default=str) if isinstance(value, (dict, list)) else _cell(value)
                for key, value in record.items()
            }
        )
    return out.getvalue()


def _cell(value: object) -> object:
    # A cell starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def download_path(token: object, account_id: int | None) -> Path | None:
    """The zip for a link's token when `account_id` (the signed-in account) owns it and it is ready and not
    expired (each download counted); None otherwise."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None or account_id is None:
        return None
    with db.write_session() as session:
        row = session.exec(select(DataExport).where(DataExport.token_hash == token_hash)).first()
        if row is None or row.account_id != account_id or row.status != "ready" or row.expires_at <= clock.now():
            return None
        row.downloads += 1
        session.add(row)
        name = row.file_name
    path = folder() / name
    return path if path.is_file() else None


def purge_expired() -> dict[str, int]:
    """Delete expired exports and their files (the maintenance task)."""
    now = clock.now()
    with db.write_session() as session:
        rows = session.exec(select(DataExport).where(DataExport.expires_at <= now)).all()
        for row in rows:
            if row.file_name:
                (folder() / row.file_name).unlink(missing_ok=True)
            session.delete(row)
    return {"exports_purged": len(rows)}
