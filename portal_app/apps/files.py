"""Files an app keeps for people (a course cover, a lesson's attachments, a video): stored under the data
directory from settings (PORTAL_DATA_DIR), never under the web root, and served only by the app's own
routes after they check who is asking.

What a file is gets decided from its first bytes, not from its name or the browser's claim: an app
says which kinds it takes, and anything else (HTML, SVG, scripts, executables) is refused. Each file
is stored under a random name, so a name from a URL can never reach another path; the original name
is only ever shown, and sent back as the download's name.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from portal_app.kernel.errors import FieldError
from portal_app.kernel.settings import get_settings

CHUNK = 1024 * 1024
SNIFF_BYTES = 8192
_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{22}\.[a-z0-9]{2,4}")
MAX_SHOWN_NAME = 200

# Content type -> the extension it is stored with.
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "video/mp4": "mp4",
    "audio/mpeg": "mp3",
    "text/plain": "txt",
}
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DOCUMENTS = frozenset({"application/pdf", "application/zip", "text/plain", "audio/mpeg", *IMAGES})
VIDEOS = frozenset({"video/mp4"})


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes (at least SNIFF_BYTES of them when it has that many)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head[4:8] == b"ftyp" and head[8:12] in {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}:
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in {b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"}:
        return "audio/mpeg"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text and b"\x00" not in text and not text.lstrip().startswith(b"<"):
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sniffed bytes is still text; a file shorter
            # than that was read whole, so nothing was cut.
            if len(head) < SNIFF_BYTES or error.start < len(text) - 3:
                return None
        return "text/plain"
    return None


def app_folder(app_key: str) -> Path:
    return get_settings().data_dir / "apps" / app_key


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    size: int


def _human(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def store(app_key: str, source: BinaryIO, *, allowed: frozenset[str], max_bytes: int, field: str) -> StoredFile:
    """Copy an upload into the app's folder under a random name, checking its kind and size as it goes.

    FieldError(field) for an empty file, one over `max_bytes`, or a kind not in `allowed` (nothing is kept).
    """
    head = source.read(SNIFF_BYTES)
    if not head:
        raise FieldError(field, "That file is empty. Choose another.")
    content_type = sniff(head)
    if content_type not in allowed:
        kinds = ", ".join(sorted({EXTENSIONS[kind].upper() for kind in allowed}))
        raise FieldError(field, f"That kind of file is not taken here. Choose a {kinds} file.")
    folder = app_folder(app_key)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(16)}.{EXTENSIONS[content_type]}"
    target = folder / name
    size = len(head)
    try:
        with open(target, "xb") as out:
            out.write(head)
            while size <= max_bytes and (chunk := source.read(CHUNK)):
                size += len(chunk)
                out.write(chunk)
        if size > max_bytes:
            raise FieldError(field, f"That file is too large: the limit is {_human(max_bytes)}.")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(name, content_type, size)


def path_of(app_key: str, name: object) -> Path | None:
    """The stored file called `name` (as store() named it), or None for any other name or a missing file."""
    if not isinstance(name, str) or not _STORED_NAME.fullmatch(name):
        return None
    path = app_folder(app_key) / name
    return path if path.is_file() else None


@dataclass(frozen=True)
class ServedFile:
    """A stored file as a route answers with it (see apps/http.file_response)."""

    path: Path
    content_type: str
    # The download's name, or None to show it in the page (an image, a video).
    download_name: str | None = None


def served(app_key: str, name: object, download_name: str | None = None) -> ServedFile:
    """The stored file `name` with the kind it was sniffed as when stored; LookupError when it is not there."""
    path = path_of(app_key, name)
    if path is None:
        raise LookupError("the file is not on disk")
    content_type = next(kind for kind, extension in EXTENSIONS.items() if path.suffix == f".{extension}")
    return ServedFile(path, content_type, download_name)


def remove(app_key: str, name: object) -> None:
    path = path_of(app_key, name)
    if path is not None:
        path.unlink(missing_ok=True)


def shown_name(filename: object, content_type: str) -> str:
    """The name a person sees and downloads: the uploaded one without folders or odd characters, with
    the extension of what the file really is."""
    text = filename if isinstance(filename, str) else ""
    base = re.sub(r"[^\w .()-]+", "", Path(text.replace("\\", "/")).name).strip(" .") or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[: MAX_SHOWN_NAME - 6]}.{EXTENSIONS[content_type]}"
