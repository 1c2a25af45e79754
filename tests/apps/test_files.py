"""The SDK's files module: what a file is from its first bytes, storing an upload under a random name while
checking its kind and size, finding a stored file by name only, and the name a person is shown."""

from __future__ import annotations

import io
import re

import pytest

from portal_app.apps import files
from portal_app.kernel.errors import FieldError

APP = "demo"
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{22}\.[a-z0-9]{2,4}")

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
GIF87 = b"GIF87a\x01\x00\x01\x00\x80\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00"
MP3_FRAME = b"\xff\xfb\x90\x64\x00\x00\x00\x00"
TEXT = "Notes for the lesson.\nSecond line, with ünïcödé — and €.\n".encode()


def folder_files() -> list[str]:
    folder = files.app_folder(APP)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def store(data: bytes | io.BytesIO, *, allowed=files.DOCUMENTS, max_bytes: int = 1024 * 1024, field: str = "upload"):
    source = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    return files.store(APP, source, allowed=allowed, max_bytes=max_bytes, field=field)


class CountingReader(io.BytesIO):
    """An upload that records how much was read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_total = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_total += len(chunk)
        return chunk


class BreakingReader(io.BytesIO):
    """An upload whose connection drops after the first chunk."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads > 2:
            raise ConnectionResetError("the browser went away")
        return super().read(size)


# --- sniff ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (GIF87, "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (ZIP, "application/zip"),
        (MP4, "video/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
        (MP3_ID3, "audio/mpeg"),
        (MP3_FRAME, "audio/mpeg"),
        (TEXT, "text/plain"),
        (b"plain ascii", "text/plain"),
        (b"  indented text > with a greater-than", "text/plain"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_sniff_names_the_kinds_it_knows(head, expected):
    assert files.sniff(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b"<script>alert(1)</script>",
        b"<p>just a paragraph</p>",
        b"   \r\n\t <b>whitespace first</b>",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        b"text with a \x00 NUL byte in it",
        b"",
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",
        b"Latin-1 caf\xe9 in the middle of a longer line of text",
        b"\x00\x00\x00\x18ftypqt  \x00\x00",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
    ],
    ids=[
        "html",
        "html-script",
        "svg",
        "xml-svg",
        "script",
        "tag",
        "whitespace-then-tag",
        "pe-exe",
        "elf",
        "nul-byte",
        "empty",
        "utf16-html",
        "not-utf8",
        "quicktime",
        "wav",
    ],
)
def test_sniff_refuses_markup_executables_and_binary(head):
    assert files.sniff(head) is None


@pytest.mark.parametrize(
    ("character", "cut"), [(character, cut) for character in "é€𝄞" for cut in range(1, len(character.encode()))]
)
def test_a_multibyte_character_cut_at_the_sniff_boundary_is_still_text(character, cut):
    encoded = character.encode()
    data = b"a" * (files.SNIFF_BYTES - cut) + encoded + b" and more text"
    head = data[: files.SNIFF_BYTES]
    assert len(head) == files.SNIFF_BYTES
    assert files.sniff(head) == "text/plain"


@pytest.mark.parametrize(
    "head",
    [b"\xef\xbb\xbf<!DOCTYPE html><script>alert(1)</script>", b'\xef\xbb\xbf<svg onload="alert(1)"></svg>'],
    ids=["bom-html", "bom-svg"],
)
def test_markup_after_a_byte_order_mark_is_refused(head):
    assert files.sniff(head) is None


def test_a_whole_short_file_ending_in_broken_utf8_is_not_text():
    assert files.sniff(b"Latin-1 caf\xe9") is None


# --- store ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "allowed", "content_type", "extension"),
    [
        (PNG + b"\x00" * 100, files.IMAGES, "image/png", "png"),
        (JPEG + b"\x00" * 100, files.IMAGES, "image/jpeg", "jpg"),
        (GIF + b"\x00" * 100, files.IMAGES, "image/gif", "gif"),
        (WEBP + b"\x00" * 100, files.IMAGES, "image/webp", "webp"),
        (PDF * 10, files.DOCUMENTS, "application/pdf", "pdf"),
        (ZIP + b"\x00" * 100, files.DOCUMENTS, "application/zip", "zip"),
        (MP3_ID3 + b"\x00" * 100, files.DOCUMENTS, "audio/mpeg", "mp3"),
        (TEXT * 3, files.DOCUMENTS, "text/plain", "txt"),
        (MP4 + b"\x01" * 20_000, files.VIDEOS, "video/mp4", "mp4"),
    ],
    ids=lambda value: value if isinstance(value, str) and "/" in value else None,
)
def test_store_keeps_an_allowed_file_under_a_random_name_with_its_real_extension(
    settings_env, tmp_path, data, allowed, content_type, extension
):
    stored = store(data, allowed=allowed)
    assert (stored.content_type, stored.size) == (content_type, len(data))
    assert STORED_NAME.fullmatch(stored.name) and stored.name.endswith(f".{extension}")
    assert len(stored.name) == 22 + 1 + len(extension)
    path = files.path_of(APP, stored.name)
    assert path == tmp_path / "data" / "apps" / APP / stored.name
    assert path.read_bytes() == data
    assert folder_files() == [stored.name]


def test_every_stored_file_gets_its_own_name(settings_env):
    names = {store(PDF).name for _ in range(20)}
    assert len(names) == 20
    assert sorted(names) == folder_files()


def test_a_file_larger_than_the_sniffed_head_is_copied_whole(settings_env):
    data = PDF + bytes(range(256)) * 20_000  # ~5 MB: several chunks
    stored = store(CountingReader(data), max_bytes=len(data))
    assert stored.size == len(data)
    assert files.path_of(APP, stored.name).read_bytes() == data


@pytest.mark.parametrize(
    ("data", "allowed"),
    [
        (b"<html><script>alert(1)</script></html>", files.DOCUMENTS),
        (b"<svg onload=alert(1)></svg>", files.IMAGES),
        (b"MZ\x90\x00\x03\x00\x00\x00", files.DOCUMENTS),
        (TEXT, files.IMAGES),
        (PDF, files.IMAGES),
        (PNG, files.VIDEOS),
        (MP4, files.DOCUMENTS),
    ],
    ids=["html", "svg-as-image", "exe", "text-as-image", "pdf-as-image", "png-as-video", "mp4-as-document"],
)
def test_store_refuses_a_kind_not_allowed_and_keeps_nothing(settings_env, data, allowed):
    with pytest.raises(FieldError) as refused:
        store(data, allowed=allowed, field="cover")
    assert refused.value.field == "cover"
    assert "not taken here" in refused.value.message
    assert folder_files() == []


def test_the_refusal_names_the_kinds_that_are_taken(settings_env):
    with pytest.raises(FieldError) as refused:
        store(TEXT, allowed=files.IMAGES)
    assert refused.value.message == "That kind of file is not taken here. Choose a GIF, JPG, PNG, WEBP file."


def test_store_refuses_an_empty_file(settings_env):
    with pytest.raises(FieldError) as refused:
        store(b"", field="attachment")
    assert (refused.value.field, refused.value.message) == ("attachment", "That file is empty. Choose another.")
    assert folder_files() == []


@pytest.mark.parametrize("limit", [10, files.SNIFF_BYTES, files.SNIFF_BYTES + 1, 3 * files.CHUNK + 17])
def test_a_file_of_exactly_the_limit_is_kept_and_one_byte_more_is_refused(settings_env, limit):
    data = (PDF + b"x" * limit)[:limit]
    stored = store(data, max_bytes=limit)
    assert stored.size == limit
    assert folder_files() == [stored.name]

    with pytest.raises(FieldError) as refused:
        store(data + b"y", max_bytes=limit, field="attachment")
    assert refused.value.field == "attachment" and "too large" in refused.value.message
    assert folder_files() == [stored.name]


def test_a_much_larger_file_is_refused_while_copying_and_no_partial_file_stays(settings_env):
    data = MP4 + b"\x01" * (8 * files.CHUNK)
    source = CountingReader(data)
    with pytest.raises(FieldError) as refused:
        store(source, allowed=files.VIDEOS, max_bytes=2 * files.CHUNK, field="video_file")
    assert refused.value.field == "video_file"
    assert refused.value.message == "That file is too large: the limit is 2 MB."
    # It stopped reading soon after the limit rather than copying all 8 MB first.
    assert source.read_total <= 2 * files.CHUNK + files.SNIFF_BYTES + files.CHUNK
    assert source.read_total < len(data)
    assert folder_files() == []


def test_the_size_message_uses_kilobytes_under_a_megabyte(settings_env):
    with pytest.raises(FieldError) as refused:
        store(TEXT * 1000, max_bytes=20 * 1024)
    assert refused.value.message == "That file is too large: the limit is 20 KB."


def test_an_upload_that_breaks_midway_leaves_no_partial_file(settings_env):
    with pytest.raises(ConnectionResetError):
        store(BreakingReader(PDF + b"x" * (3 * files.CHUNK)), max_bytes=10 * files.CHUNK)
    assert folder_files() == []


# --- path_of and remove -----------------------------------------------------------------------------------


def test_path_of_finds_only_names_store_made(settings_env, tmp_path):
    stored = store(PDF)
    folder = files.app_folder(APP)
    assert files.path_of(APP, stored.name) == folder / stored.name
    # Files that exist but do not have the shape of a stored name are never reached.
    (tmp_path / "data" / "secret.txt").write_text("outside")
    (folder / "notes.txt").write_text("odd name")
    refused = [
        f"../{stored.name}",
        "../../secret.txt",
        "../secret.txt",
        str(folder / stored.name),
        "/etc/passwd",
        f"./{stored.name}",
        f"{stored.name}/",
        stored.name.upper(),
        stored.name[1:],
        "a" + stored.name,
        stored.name + ".exe",
        stored.name.replace(".", "%2e"),
        "notes.txt",
        "",
        None,
        42,
        stored.name.encode(),
        f"{stored.name[:22]}.exe!",
        f"{stored.name[:22]}.toolong",
    ]
    for name in refused:
        assert files.path_of(APP, name) is None, name
    # The right shape but no such file, or another app's folder.
    assert files.path_of(APP, "A" * 22 + ".pdf") is None
    assert files.path_of("other", stored.name) is None


def test_a_directory_with_a_stored_name_is_not_a_file(settings_env):
    store(PDF)
    (files.app_folder(APP) / ("B" * 22 + ".pdf")).mkdir()
    assert files.path_of(APP, "B" * 22 + ".pdf") is None


def test_remove_deletes_a_stored_file_and_ignores_anything_else(settings_env, tmp_path):
    kept, gone = store(PDF), store(PNG, allowed=files.IMAGES)
    outside = tmp_path / "data" / "precious.txt"
    outside.write_text("keep me")
    for junk in ("../precious.txt", str(outside), None, "", "Z" * 22 + ".pdf"):
        files.remove(APP, junk)
    files.remove("other", kept.name)
    assert outside.exists() and folder_files() == sorted([kept.name, gone.name])
    files.remove(APP, gone.name)
    files.remove(APP, gone.name)  # twice is harmless
    assert folder_files() == [kept.name]


# --- shown_name -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("lesson notes.pdf", "application/pdf", "lesson notes.pdf"),
        ("Résumé (final).pdf", "application/pdf", "Résumé (final).pdf"),
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("C:\\evil\\x.pdf", "application/pdf", "x.pdf"),
        ("/var/www/html/index.html", "text/plain", "index.txt"),
        ("invoice.exe", "application/pdf", "invoice.pdf"),
        ("photo.PNG", "image/jpeg", "photo.jpg"),
        ("archive.tar.gz", "application/zip", "archive.tar.zip"),
        ("no-extension", "image/png", "no-extension.png"),
        ('in"vo\r\nice<>;|*?.exe', "application/pdf", "invoice.pdf"),
        ("\u202egpj.exe", "image/png", "gpj.png"),
        ("...", "image/png", "file.png"),
        ("", "text/plain", "file.txt"),
        (None, "text/plain", "file.txt"),
        (b"bytes.pdf", "application/pdf", "file.pdf"),
        ("  .hidden  ", "text/plain", "hidden.txt"),
    ],
)
def test_shown_name_keeps_only_a_safe_base_name_with_the_real_extension(filename, content_type, expected):
    assert files.shown_name(filename, content_type) == expected


def test_shown_name_is_capped_in_length():
    shown = files.shown_name("x" * 1000 + ".pdf", "application/pdf")
    assert len(shown) <= files.MAX_SHOWN_NAME and shown.endswith(".pdf") and shown.startswith("xxxx")
    assert len(files.shown_name("y" * 1000, "image/webp")) <= files.MAX_SHOWN_NAME
