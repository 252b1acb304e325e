import bz2
import gzip
import io
import lzma
import os
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from scanner.record import ReadProblem
from scanner.sources import (
    InputChanged,
    InputError,
    InputFile,
    LimitExceeded,
    Limits,
    Source,
    printable,
    sources,
    unsafe_member_name,
    walk,
)


def _all(tmp_path, limits=Limits()):
    problems = []
    out = []
    for item in walk([tmp_path], problems):
        for s in sources(item, limits):
            if isinstance(s, Source):
                with s.open() as fh:
                    out.append((s.path, s.name, fh.read()))
            else:
                out.append((s[0], None, s[1]))
    return out, problems


def _tar(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_plain_gzip_bz2_keep_their_own_names(tmp_path):
    (tmp_path / "a.log").write_bytes(b"plain\n")
    (tmp_path / "events.json.gz").write_bytes(gzip.compress(b'{"a":"1"}\n'))
    (tmp_path / "flows.json.bz2").write_bytes(bz2.compress(b'{"b":"2"}\n'))
    out, problems = _all(tmp_path)
    assert problems == []
    assert out == [
        ("a.log", "a.log", b"plain\n"),
        ("events.json.gz", "events.json", b'{"a":"1"}\n'),
        ("flows.json.bz2", "flows.json", b'{"b":"2"}\n'),
    ]


def test_zip_members_named_with_bang(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("CATO0001.json", b'{"x":"1"}\n')
        z.writestr("cef/CATO0002.log", b"CEF:0|x\n")
        z.writestr("dir/", b"")
    (tmp_path / "legacy.zip").write_bytes(buf.getvalue())
    out, _ = _all(tmp_path)
    assert [(p, n) for p, n, _ in out] == [
        ("legacy.zip!CATO0001.json", "CATO0001.json"),
        ("legacy.zip!cef/CATO0002.log", "CATO0002.log"),
    ]


def test_tar_gz_members_and_nested_gzip_member(tmp_path):
    data = _tar(
        [("AppLogs/CatoClient.1.log", b"line\n"), ("inner.log.gz", gzip.compress(b"zipped\n"))]
    )
    (tmp_path / "mac_logs.tar.gz").write_bytes(gzip.compress(data))
    out, _ = _all(tmp_path)
    assert out == [
        ("mac_logs.tar.gz!AppLogs/CatoClient.1.log", "CatoClient.1.log", b"line\n"),
        ("mac_logs.tar.gz!inner.log.gz", "inner.log", b"zipped\n"),
    ]


def test_corrupt_gzip_and_zip_are_problems_not_crashes(tmp_path):
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "good.log").write_bytes(b"ok\n")
    out, _ = _all(tmp_path)
    kinds = {p: (d if n else d.reason) for p, n, d in out}
    assert kinds["bad.gz"].startswith("corrupt gzip data")
    assert kinds["bad.zip"].startswith("corrupt zip archive")
    assert kinds["good.log"] == b"ok\n"


def test_archive_depth_limit(tmp_path):
    data = b"deep\n"
    for _ in range(5):
        data = gzip.compress(data)
    (tmp_path / "deep.gz").write_bytes(data)
    out, _ = _all(tmp_path, Limits(max_archive_depth=3))
    assert isinstance(out[0][2], ReadProblem) and "nested deeper" in out[0][2].reason


def test_encrypted_zip_member_is_reported(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.json", b"{}")
    raw = bytearray(buf.getvalue())
    raw[6] |= 1  # local header: encrypted flag
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 8] |= 1  # central directory: encrypted flag
    (tmp_path / "enc.zip").write_bytes(bytes(raw))
    out, _ = _all(tmp_path)
    assert "encrypted" in out[0][2].reason


def test_walk_skips_fifos_and_hidden_and_reports_dir_links(tmp_path):
    (tmp_path / "a.log").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "sub" / "link")
    problems = []
    files = [f.display for f in walk([tmp_path], problems)]
    assert files == ["a.log"]
    assert sorted((p, r.reason) for p, r in problems) == [
        ("pipe", "named pipe (FIFO), not a regular file; skipped"),
        ("sub/link", "symbolic link to a directory; not followed (give it as a PATH to scan it)"),
        ("sub/loop", "symbolic link loop (points to a directory above it); not followed"),
    ]


def _zip(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, (2025, 3, 14, 1, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _read_all(tmp_path, limits=Limits(), chunk=1 << 16):
    """Like _all, but a source failing mid-read gives its InputError, as the pipeline sees it."""
    out = {}
    for item in walk([tmp_path], []):
        for s in sources(item, limits):
            if isinstance(s, Source):
                try:
                    with s.open() as fh:
                        n = 0
                        while block := fh.read(chunk):
                            n += len(block)
                    out[s.path] = n
                except InputError as exc:
                    out[s.path] = exc
            else:
                out[s[0]] = s[1].reason
    return out


def test_gzip_bomb_stops_while_streaming(tmp_path):
    # gzip has no trustworthy size header: the limit is counted on the decompressed bytes.
    (tmp_path / "bomb.log.gz").write_bytes(gzip.compress(b"a" * (8 << 20)))
    out = _read_all(tmp_path, Limits(max_member_bytes=1 << 20))
    assert isinstance(out["bomb.log.gz"], LimitExceeded)
    assert "gzip data expands past 1 MiB (limits.max_member_bytes)" in str(out["bomb.log.gz"])


def test_expansion_ratio_and_total_count_every_member(tmp_path):
    (tmp_path / "many.zip").write_bytes(_zip([(f"m{i}.log", b"b" * (1 << 20)) for i in range(8)]))
    ratio = _read_all(tmp_path, Limits(max_expansion_ratio=50, ratio_floor_bytes=2 << 20))
    failed = [p for p, v in ratio.items() if not isinstance(v, int)]
    assert failed and "like a zip bomb" in str(ratio[failed[0]])
    # Once the budget is spent, the rest of the archive is one problem, not one per member.
    assert "the remaining members were not read" in ratio["many.zip"]
    total = _read_all(tmp_path, Limits(max_expanded_bytes=(3 << 20) + 4096))
    assert sum(1 for v in total.values() if isinstance(v, int)) == 3
    assert "limits.max_expanded_bytes" in str(total["many.zip!m3.log"])


def test_zip_size_header_that_lies_is_not_trusted(tmp_path):
    raw = bytearray(_zip([("a.log", b"line\n" * 100_000)]))
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")  # central directory: "1000 bytes"
    (tmp_path / "liar.zip").write_bytes(bytes(raw))
    assert "corrupt zip member: checksum mismatch" in str(_read_all(tmp_path)["liar.zip!a.log"])


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_members_are_read_in_bounded_steps(tmp_path, method):
    data = b"2025-03-14 hello\n" * 50_000
    (tmp_path / "ok.zip").write_bytes(_zip([("a.log", data)], method))
    assert _read_all(tmp_path) == {"ok.zip!a.log": len(data)}
    # A bomb whose header says 1000 bytes: zipfile alone would inflate all of it in one
    # call; here it is read in bounded steps and stopped while streaming.
    (tmp_path / "ok.zip").unlink()
    raw = bytearray(_zip([("b.log", b"a" * (32 << 20))], method))
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")
    (tmp_path / "bomb.zip").write_bytes(bytes(raw))
    tracemalloc.start()
    try:
        out = _read_all(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than its header says" in str(out["bomb.zip!b.log"])
    assert peak < 24 << 20, peak  # LZMA: its 8 MiB dictionary; never the 32 MiB
    raw[cd + 24 : cd + 28] = (32 << 20).to_bytes(4, "little")  # honest header, lower limit
    (tmp_path / "bomb.zip").write_bytes(bytes(raw))
    out = _read_all(tmp_path, Limits(max_member_bytes=4 << 20, ratio_floor_bytes=1 << 30))
    assert "limits.max_member_bytes" in out["bomb.zip!b.log"]


def test_bzip2_member_checksum_is_checked(tmp_path):
    raw = bytearray(_zip([("a.log", b"hello\n" * 1000)], zipfile.ZIP_BZIP2))
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 16] ^= 0xFF  # the CRC in the central directory
    (tmp_path / "crc.zip").write_bytes(bytes(raw))
    out = _read_all(tmp_path)
    assert "checksum mismatch" in str(out["crc.zip!a.log"])


def test_unsupported_zip_method_is_named(tmp_path):
    raw = bytearray(_zip([("a.log", b"hello\n")], zipfile.ZIP_STORED))
    raw[8:10] = (99).to_bytes(2, "little")  # local header: compression method 99
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 10 : cd + 12] = (99).to_bytes(2, "little")
    (tmp_path / "odd.zip").write_bytes(bytes(raw))
    assert "compression method 99" in _read_all(tmp_path)["odd.zip!a.log"]


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("a/b.log", False),
        ("..a/b..log", False),
        ("../b.log", True),
        ("a/../../b.log", True),
        ("/etc/passwd", True),
        ("C:\\Windows\\x.log", True),
        ("a\\..\\..\\b.log", True),
    ],
)
def test_unsafe_member_names(name, unsafe):
    assert unsafe_member_name(name) is unsafe


def test_links_in_archives_are_never_followed(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        link = tarfile.TarInfo("passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
        hard = tarfile.TarInfo("hard")
        hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/shadow"
        tar.addfile(hard)
        info = tarfile.TarInfo("./ok.log")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"ok\n"))
    (tmp_path / "links.tar").write_bytes(buf.getvalue())
    zinfo = zipfile.ZipInfo("zlink")
    zinfo.external_attr = (0o120777) << 16
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr(zinfo, "/etc/passwd")
        z.writestr("ok.log", "ok\n")
    (tmp_path / "links.zip").write_bytes(zbuf.getvalue())
    assert _read_all(tmp_path) == {"links.tar!ok.log": 3, "links.zip!ok.log": 3}


def test_many_tar_members_stream_in_flat_memory(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for i in range(2000):
            info = tarfile.TarInfo(f"d/{i}.log")
            info.size = 2
            tar.addfile(info, io.BytesIO(b"x\n"))
    (tmp_path / "many.tar").write_bytes(buf.getvalue())
    item = InputFile(tmp_path / "many.tar", "many.tar")
    tracemalloc.start()
    try:
        count = sum(1 for s in sources(item, Limits()) if isinstance(s, Source))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 1 << 20, peak  # the TarInfo of every member seen would be more


def _open_plain(path: Path):
    (src,) = sources(InputFile(path, path.name), Limits())
    return src.open()


def test_file_that_grows_while_read_is_reported(tmp_path):
    path = tmp_path / "live.log"
    path.write_bytes(b"one\ntwo\n")
    with _open_plain(path) as fh:
        assert fh.readline() == b"one\n"
        with open(path, "ab") as w:
            w.write(b"three\n")
        assert fh.readline() == b"two\n"  # the bytes that were there at open
        with pytest.raises(InputChanged, match="grew from 8 to 14 bytes"):
            fh.readline()


def test_file_truncated_while_read_is_reported(tmp_path):
    path = tmp_path / "live.log"
    path.write_bytes(b"x" * 100_000 + b"\n" + b"y" * 100_000)
    with _open_plain(path) as fh:
        fh.read(10)
        os.truncate(path, 50_000)
        with pytest.raises(InputChanged, match="truncated from 200001 to 50000 bytes"):
            fh.read()


def test_archive_changed_while_read_is_reported(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(_zip([("a.log", b"a\n"), ("b.log", b"b\n")]))
    out = []
    for s in sources(InputFile(path, "a.zip"), Limits()):
        out.append(s if isinstance(s, Source) else s[1].reason)
        if len(out) == 1:
            with open(path, "ab") as w:
                w.write(b"junk")
    assert "the file changed size while being read" in out[-1]


def test_names_are_printable():
    assert printable("a\x1b[2J\nb") == "a\\x1b[2J\\x0ab"
    assert printable("caf\udce9.log") == "caf\\xe9.log"
    assert printable("山田.log") == "山田.log"


def test_permission_and_link_reasons(tmp_path):
    os.symlink("nowhere", tmp_path / "dangling.log")
    os.symlink("self.log", tmp_path / "self.log")
    problems = []
    assert list(walk([tmp_path], problems)) == []
    assert sorted((p, r.reason) for p, r in problems) == [
        ("dangling.log", "broken symbolic link (its target does not exist); skipped"),
        ("self.log", "symbolic link loop; skipped"),
    ]


def test_xz_asking_for_a_huge_dictionary_is_refused(tmp_path):
    data = bytearray(lzma.compress(b"hello\n" * 1000))
    (tmp_path / "ok.log.xz").write_bytes(bytes(data))
    assert _read_all(tmp_path) == {"ok.log.xz": 6000}
    (tmp_path / "ok.log.xz").unlink()
    # Rewrite the block header's LZMA2 dictionary size to the 4 GiB maximum.
    size = (data[12] + 1) * 4
    header = data[12 : 12 + size]
    at = header.index(b"\x21\x01", 2) + 2  # filter id LZMA2, one property byte
    header[at] = 40
    header[-4:] = zlib.crc32(bytes(header[:-4])).to_bytes(4, "little")
    data[12 : 12 + size] = header
    (tmp_path / "huge.log.xz").write_bytes(bytes(data))
    assert "corrupt xz data: memory usage limit" in str(_read_all(tmp_path)["huge.log.xz"])


def test_zip_member_with_an_empty_name(tmp_path):
    # Found by bench/fuzz.py: zipfile.ZipInfo.is_dir() raised IndexError out of sources().
    raw = _zip([("", b"x\n"), ("b.log", b"ok\n")])
    (tmp_path / "noname.zip").write_bytes(raw)
    out = _read_all(tmp_path)
    assert out["noname.zip"] == "zip member with an empty name; skipped"
    assert out["noname.zip!b.log"] == 3


def test_zip_of_an_unknown_version(tmp_path):
    # Found by bench/fuzz.py: zipfile raised NotImplementedError out of sources().
    raw = bytearray(_zip([("a.log", b"x\n")]))
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 6 : cd + 8] = (193).to_bytes(2, "little")  # version needed to extract: 19.3
    (tmp_path / "future.zip").write_bytes(bytes(raw))
    assert _read_all(tmp_path) == {"future.zip": "zip archive of a version catoscan cannot read"}
