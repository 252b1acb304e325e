import bz2
import gzip
import io
import os
import tarfile
import zipfile

from scanner.record import ReadProblem
from scanner.sources import Limits, Source, sources, walk


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
    assert "corrupt gzip" in kinds["bad.gz"]
    assert "corrupt zip" in kinds["bad.zip"]
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


def test_walk_skips_fifos_and_hidden_and_does_not_follow_dir_links(tmp_path):
    (tmp_path / "a.log").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    problems = []
    files = [f.display for f in walk([tmp_path], problems)]
    assert files == ["a.log"]
    assert [(p, r.reason) for p, r in problems] == [("pipe", "not a regular file; skipped")]
