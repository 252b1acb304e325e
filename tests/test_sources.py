import bz2
import gzip
import io
import lzma
import os
import random
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from scanner.escaping import printable
from scanner.record import ReadProblem
from scanner.sources import (
    InputChanged,
    InputError,
    InputFile,
    LimitExceeded,
    Limits,
    Source,
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


def _xz_with_dictionary(data: bytes, prop: int) -> bytes:
    """``data`` as .xz whose block header asks for LZMA2 dictionary ``prop`` (40: 4 GiB)."""
    raw = bytearray(lzma.compress(data))
    size = (raw[12] + 1) * 4
    header = raw[12 : 12 + size]
    at = header.index(b"\x21\x01", 2) + 2  # filter id LZMA2, one property byte
    header[at] = prop  # 2 or 3 times a power of two: (2 | prop & 1) << (prop // 2 + 11)
    header[-4:] = zlib.crc32(bytes(header[:-4])).to_bytes(4, "little")
    raw[12 : 12 + size] = header
    return bytes(raw)


def test_xz_asking_for_a_huge_dictionary_is_refused(tmp_path):
    (tmp_path / "ok.log.xz").write_bytes(lzma.compress(b"hello\n" * 1000))
    assert _read_all(tmp_path) == {"ok.log.xz": 6000}
    (tmp_path / "ok.log.xz").unlink()
    # The block header's LZMA2 dictionary size rewritten to the 4 GiB maximum.
    (tmp_path / "huge.log.xz").write_bytes(_xz_with_dictionary(b"hello\n" * 1000, 40))
    assert "corrupt xz data: memory usage limit" in str(_read_all(tmp_path)["huge.log.xz"])


def test_lzma_dictionary_cap_is_256_mib(tmp_path):
    # .xz: 256 MiB (property 32) is read, 384 MiB (33) is over the decoder's memory limit.
    (tmp_path / "cap.log.xz").write_bytes(_xz_with_dictionary(b"hello\n" * 1000, 32))
    (tmp_path / "over.log.xz").write_bytes(_xz_with_dictionary(b"hello\n" * 1000, 33))
    # Zip's LZMA members carry the dictionary size in their own 5-byte properties.
    raw = bytearray(_zip([("a.log", b"hello\n" * 1000)], zipfile.ZIP_LZMA))
    at = 30 + int.from_bytes(raw[26:28], "little") + int.from_bytes(raw[28:30], "little")
    at += 4 + 1  # version and properties size; lc/lp/pb
    for name, size in (("cap.zip", 256 << 20), ("over.zip", 384 << 20)):
        raw[at : at + 4] = size.to_bytes(4, "little")
        (tmp_path / name).write_bytes(bytes(raw))
    out = _read_all(tmp_path)
    assert "corrupt xz data: memory usage limit" in str(out.pop("over.log.xz"))
    assert out == {
        "cap.log.xz": 6000,
        "cap.zip!a.log": 6000,
        "over.zip!a.log": "zip member asks for an LZMA dictionary over 256 MiB; skipped",
    }


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


def _stored_zip(size: int) -> bytes:
    """A zip of ``size`` bytes or a little more (stored, so it does not shrink)."""
    return _zip([("in.log", b"x" * size)], zipfile.ZIP_STORED)


def test_nested_archive_over_the_limit_is_skipped_and_the_rest_kept(tmp_path):
    nested = _stored_zip(100_000)
    cap = len(nested)
    # Any archive in a tar member and a zip inside a gzip are held in memory, up to the cap.
    (tmp_path / "fits.tar").write_bytes(_tar([("a.zip", nested), ("after.log", b"ok\n")]))
    (tmp_path / "fits.zip.gz").write_bytes(gzip.compress(nested))
    big = _stored_zip(cap)  # one byte or more over it
    (tmp_path / "over.tar").write_bytes(
        _tar([("before.log", b"ok\n"), ("b.zip", big), ("after.log", b"ok\n")])
    )
    (tmp_path / "over.zip.gz").write_bytes(gzip.compress(big))
    (tmp_path / "plain.log").write_bytes(b"ok\n")
    assert len(big) > cap
    assert _read_all(tmp_path, Limits(max_nested_archive_bytes=cap)) == {
        "fits.tar!a.zip!in.log": 100_000,
        "fits.tar!after.log": 3,
        "fits.zip.gz!in.log": 100_000,
        "over.tar!before.log": 3,
        "over.tar!b.zip": (
            f"nested archive in a tar member is over the {cap / 1024:.1f} KiB limit "
            "(limits.max_nested_archive_bytes); skipped"
        ),
        "over.tar!after.log": 3,
        "over.zip.gz": (
            f"nested archive larger than {cap / 1024:.1f} KiB "
            "(limits.max_nested_archive_bytes); skipped"
        ),
        "plain.log": 3,
    }


def test_tar_member_over_max_member_bytes_is_skipped_and_the_rest_read(tmp_path):
    big = b"b\n" * (1 << 19)  # 1 MiB
    (tmp_path / "t.tar").write_bytes(_tar([("a.log", b"a\n"), ("big.log", big), ("c.log", b"c\n")]))
    assert _read_all(tmp_path, Limits(max_member_bytes=len(big))) == {
        "t.tar!a.log": 2,
        "t.tar!big.log": len(big),
        "t.tar!c.log": 2,
    }
    assert _read_all(tmp_path, Limits(max_member_bytes=len(big) - 1)) == {
        "t.tar!a.log": 2,
        "t.tar!big.log": (
            "tar member of 1048576 bytes is over the 1024.0 KiB limit "
            "(limits.max_member_bytes); skipped"
        ),
        "t.tar!c.log": 2,
    }


def test_corrupt_tar_is_reported_and_the_members_before_it_kept(tmp_path):
    # b.log does not compress: a .tar.gz cut in half ends inside it.
    noise = random.Random(7).randbytes(60_000).hex().encode()
    data = _tar([("a.log", b"a\n" * 1000), ("b.log", noise), ("c.log", b"c\n")])
    second = 512 + 2048  # a.log's header and its 2000 bytes, padded to whole blocks
    bad_first = bytearray(data)
    bad_first[0:5] = b"XXXXX"  # a.log's name: its header checksum no longer matches
    bad_second = bytearray(data)
    bad_second[second : second + 5] = b"XXXXX"
    packed = gzip.compress(data)
    cases = {
        "bad_first.tar": bytes(bad_first),
        "bad_second.tar": bytes(bad_second),
        "bad_second.tar.gz": gzip.compress(bytes(bad_second)),
        "cut_in_header.tar": data[: second + 100],
        "cut_in_member.tar": data[: second + 512 + 50_000],
        "cut.tar.gz": packed[: len(packed) // 2],
    }
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
    (tmp_path / "plain.log").write_bytes(b"ok\n")
    rest = "; the rest of the archive was not read"
    assert _read_all(tmp_path) == {
        "bad_first.tar": "corrupt tar archive: checksum mismatch",
        # Past the first member, tarfile alone takes a bad header for the end of the archive.
        "bad_second.tar!a.log": 2000,
        "bad_second.tar": f"corrupt tar archive: checksum mismatch{rest}",
        "bad_second.tar.gz!a.log": 2000,
        "bad_second.tar.gz": f"corrupt tar archive: checksum mismatch{rest}",
        "cut.tar.gz!a.log": 2000,
        "cut.tar.gz": "corrupt gzip data: truncated (the data ends early)",
        "cut_in_header.tar!a.log": 2000,
        "cut_in_header.tar": f"corrupt tar archive: truncated (the data ends early){rest}",
        "cut_in_member.tar!a.log": 2000,
        "cut_in_member.tar": "corrupt tar member: truncated (the data ends early)",
        "plain.log": 3,
    }
