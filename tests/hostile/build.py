"""Hostile inputs, generated (never committed): broken compression, bombs, odd files.

Each builder writes its input under a directory and returns what the scan must report:
``(source path prefix, words the reason must contain)`` pairs. The data inside carries
personal data (:data:`SECRET_VALUES`) so the leak tests can check no message quotes it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import random
import tarfile
import zipfile
import zlib
from pathlib import Path

# Personal data the hostile inputs carry: no error message, log line or output file may
# ever contain them (only value hashes and masks).
EMAIL = "hostile.person@example.com"
IP = "198.51.100.77"
PHONE = "+81 90-5555-0199"
SSN = "219-09-9999"
SECRET_VALUES = (EMAIL, IP, PHONE, SSN)

LINE = json.dumps(
    {
        "event_timestamp": "2025-03-14T01:23:45Z",
        "vpn_user_email": EMAIL,
        "src_ip": IP,
        "event_message": f"call {PHONE} ssn {SSN}",
    }
).encode()
LINES = b"\n".join([LINE] * 400) + b"\n"

# The files every hostile scan also holds: their findings must all survive.
GOOD = {
    "good/events.jsonl": (
        json.dumps(
            {
                "event_timestamp": "2025-03-14T01:23:45Z",
                "vpn_user_email": "emily.carter@example.com",
                "src_ip": "192.0.2.17",
            }
        )
        + "\n"
        + json.dumps({"event_timestamp": "2025-03-14T01:25:02Z", "src_ip": "192.0.2.18"})
        + "\n"
    ).encode(),
    "good/users.csv": b"Name,Email\nTaro Yamada,taro.yamada@example.com\n",
}

Expect = list[tuple[str, str]]


def write_good(d: Path) -> None:
    """Write the well-formed files."""
    for rel, data in GOOD.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data)


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, (2025, 3, 14, 1, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _flip(data: bytes, *offsets: int) -> bytes:
    raw = bytearray(data)
    for off in offsets:
        raw[off] ^= 0x55
    return bytes(raw)


# -- compression -------------------------------------------------------------------------
def truncated_gzip(d: Path) -> Expect:
    (d / "cut.jsonl.gz").write_bytes(gzip.compress(LINES)[:-40])
    return [("cut.jsonl.gz", "corrupt gzip data: truncated")]


def corrupt_gzip(d: Path) -> Expect:
    data = gzip.compress(LINES)
    (d / "bad.jsonl.gz").write_bytes(_flip(data, len(data) // 2, len(data) // 2 + 7))
    return [("bad.jsonl.gz", "corrupt gzip data")]


def truncated_bz2(d: Path) -> Expect:
    (d / "cut.jsonl.bz2").write_bytes(bz2.compress(LINES)[:-40])
    return [("cut.jsonl.bz2", "corrupt bzip2 data: truncated")]


def corrupt_bz2(d: Path) -> Expect:
    data = bz2.compress(LINES)
    (d / "bad.jsonl.bz2").write_bytes(_flip(data, 40, 41, 42))
    return [("bad.jsonl.bz2", "corrupt bzip2 data")]


def corrupt_zip(d: Path) -> Expect:
    (d / "garbage.zip").write_bytes(b"PK\x03\x04" + LINE)
    data = _zip([("a.jsonl", LINES), ("b.jsonl", LINES)])
    (d / "member.zip").write_bytes(_flip(data, 100, 101, 102))
    return [("garbage.zip", "corrupt zip archive"), ("member.zip!a.jsonl", "corrupt zip member")]


def zip_bomb(d: Path) -> Expect:
    # 64 MiB of one letter deflates ~1000:1; read as one long line, so only the
    # decompression costs time. The scan must stop it by the expansion ratio.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("bomb.log", "w") as member:
            chunk = b"a" * (1 << 20)
            for _ in range(64):
                member.write(chunk)
    (d / "bomb.zip").write_bytes(buf.getvalue())
    return [("bomb.zip!bomb.log", "expands more than")]


def bzip2_zip_bomb(d: Path) -> Expect:
    # zipfile itself inflates bzip2 members without a bound (178 bytes -> 200 MB at once).
    data = _zip([("bomb.log", b"a" * (48 << 20))], zipfile.ZIP_BZIP2)
    (d / "bz2bomb.zip").write_bytes(data)
    return [("bz2bomb.zip!bomb.log", "expands more than")]


def unsafe_member_paths(d: Path) -> Expect:
    (d / "evil.zip").write_bytes(
        _zip([("../../evil.jsonl", LINE), ("/tmp/evil-abs.jsonl", LINE), ("ok.jsonl", LINE)])
    )
    (d / "evil.tar").write_bytes(
        _tar([("../evil.jsonl", LINE), ("/evil-abs.jsonl", LINE), ("ok.jsonl", LINE)])
    )
    return [
        ("evil.zip!../../evil.jsonl", "unsafe"),
        ("evil.zip!/tmp/evil-abs.jsonl", "unsafe"),
        ("evil.tar!../evil.jsonl", "unsafe"),
        ("evil.tar!/evil-abs.jsonl", "unsafe"),
    ]


def corrupt_tar(d: Path) -> Expect:
    data = _tar([("a.jsonl", LINES), ("b.jsonl", LINES), ("c.jsonl", LINE)])
    second = 512 + (len(LINES) + 511) // 512 * 512  # b.jsonl's header
    (d / "garbage.tar").write_bytes(_flip(data, 0, 1))  # the first header
    (d / "bad_header.tar.gz").write_bytes(gzip.compress(_flip(data, second, second + 1)))
    (d / "cut.tar").write_bytes(data[: second + 100])
    rest = "; the rest of the archive was not read"
    return [
        ("garbage.tar", "corrupt tar archive: checksum mismatch"),
        ("bad_header.tar.gz", f"corrupt tar archive: checksum mismatch{rest}"),
        ("cut.tar", f"corrupt tar archive: truncated (the data ends early){rest}"),
    ]


def xz_huge_dictionary(d: Path) -> Expect:
    # A valid .xz whose header asks for a 4 GiB LZMA dictionary, which the decoder would
    # allocate: over catoscan's 256 MiB cap.
    raw = bytearray(lzma.compress(LINES))
    size = (raw[12] + 1) * 4
    header = raw[12 : 12 + size]
    header[header.index(b"\x21\x01", 2) + 2] = 40  # LZMA2's dictionary property: 4 GiB
    header[-4:] = zlib.crc32(bytes(header[:-4])).to_bytes(4, "little")
    raw[12 : 12 + size] = header
    (d / "huge.jsonl.xz").write_bytes(bytes(raw))
    return [("huge.jsonl.xz", "corrupt xz data: memory usage limit")]


def nested_too_deep(d: Path) -> Expect:
    data = _zip([("deep.jsonl", LINE)])
    for level in range(4):
        data = _zip([(f"level{level}.zip", data)])
    (d / "nested.zip").write_bytes(data)
    return [("nested.zip!level3.zip!level2.zip!level1.zip", "nested deeper than 3")]


# -- content -----------------------------------------------------------------------------
def binary_files(d: Path) -> Expect:
    rng = random.Random(6)
    (d / "random.dat").write_bytes(bytes(rng.randrange(256) for _ in range(20000)))
    (d / "a.out").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500 + EMAIL.encode())
    return [("random.dat", "binary content"), ("a.out", "binary content")]


def invalid_utf8(d: Path) -> Expect:
    (d / "client.log").write_bytes(
        b"2025-03-14 01:20:30 start\n2025-03-14 01:20:31 bad \xff\xfe bytes "
        + EMAIL.encode()
        + b"\n2025-03-14 01:20:32 user "
        + EMAIL.encode()
        + b"\n"
    )
    (d / "bad.jsonl").write_bytes(LINE + b"\n" + LINE.replace(b"call", b"c\xffll") + b"\n" + LINE)
    return [("client.log", "invalid utf-8 bytes"), ("bad.jsonl", "invalid UTF-8 bytes")]


def lone_surrogate_escape(d: Path) -> Expect:
    # Valid JSON, but "\ud800" is half a UTF-16 pair: no UTF-8 output can hold it. Once it
    # cost the whole file (the hash raised UnicodeEncodeError).
    bad = LINE.replace(b"call", b"c\\ud800ll")
    (d / "surrogate.jsonl").write_bytes(LINE + b"\n" + bad + b"\n" + LINE + b"\n")
    return [("surrogate.jsonl", "lone UTF-16 surrogate escape")]


def cp932_invalid_bytes(d: Path) -> Expect:
    rows = [
        "名前,Email,部署",
        f"山田 太郎,{EMAIL},営業部",
        "佐藤 花子,hanako.sato@example.com,経理部",
    ]
    data = "\r\n".join(rows).encode("cp932") + b"\r\n\x81\x20\xfd,broken@example.com,x\r\n"
    data += "鈴木 一郎,ichiro@example.com,総務部\r\n".encode("cp932")
    (d / "users_sjis.csv").write_bytes(data)
    return [("users_sjis.csv", "invalid cp932 bytes")]


def wide_record(d: Path) -> Expect:
    record = {f"k{i}": "1" for i in range(100_000)}
    record["vpn_user_email"] = EMAIL
    (d / "wide.json").write_bytes(json.dumps(record).encode() + b"\n" + LINE + b"\n")
    return [("wide.json", "record has 100001 fields, over the")]


def deep_json(d: Path) -> Expect:
    deep = b"[" * 100_000 + b"]" * 100_000
    (d / "deep.jsonl").write_bytes(LINE + b"\n" + deep + b"\n" + LINE + b"\n")
    (d / "deep_doc.json").write_bytes(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    return [("deep.jsonl", "JSON nested deeper than"), ("deep_doc.json", "JSON nested deeper")]


def truncated_json(d: Path) -> Expect:
    (d / "cut.json").write_bytes(LINE + b"\n" + LINE[: len(LINE) // 2])
    return [("cut.json", "truncated JSON at end of file")]


def messy_csv(d: Path) -> Expect:
    (d / "messy.csv").write_bytes(
        b"Name,Email,Note\n"
        b"Ann,ann@example.com\n"  # short row
        b"Bob,bob@example.com,x,extra@example.com\n"  # long row: column_4
        b'Cy,cy@example.com,"two\nlines"\n'  # embedded newline
        b"D\x00an,dan@example.com,nul\n"  # NUL byte
    )
    return [("messy.csv", "NUL bytes removed")]


def empty_files(d: Path) -> Expect:
    (d / "empty.log").write_bytes(b"")
    (d / "empty.log.gz").write_bytes(gzip.compress(b""))
    return [("empty.log", "empty file"), ("empty.log.gz", "empty file")]


# -- the file system ---------------------------------------------------------------------
def symlink_loops(d: Path) -> Expect:
    os.symlink("loop_b.log", d / "loop_a.log")
    os.symlink("loop_a.log", d / "loop_b.log")
    os.symlink("self.log", d / "self.log")
    os.symlink("missing.log", d / "dangling.log")
    (d / "sub").mkdir()
    os.symlink("..", d / "sub" / "up")
    return [
        ("loop_a.log", "symbolic link loop"),
        ("loop_b.log", "symbolic link loop"),
        ("self.log", "symbolic link loop"),
        ("dangling.log", "broken symbolic link"),
        ("sub/up", "symbolic link loop"),
    ]


def special_files(d: Path) -> Expect:
    os.mkfifo(d / "pipe.log")
    os.symlink("/dev/zero", d / "zero.log")  # would never end if it were read
    return [("pipe.log", "named pipe (FIFO)"), ("zero.log", "character device")]


BUILDERS = {
    f.__name__: f
    for f in (
        truncated_gzip,
        corrupt_gzip,
        truncated_bz2,
        corrupt_bz2,
        corrupt_zip,
        corrupt_tar,
        xz_huge_dictionary,
        zip_bomb,
        bzip2_zip_bomb,
        unsafe_member_paths,
        nested_too_deep,
        binary_files,
        invalid_utf8,
        lone_surrogate_escape,
        cp932_invalid_bytes,
        wide_record,
        deep_json,
        truncated_json,
        messy_csv,
        empty_files,
        symlink_loops,
        special_files,
    )
}
