"""Each hostile input, scanned beside good files through the CLI.

For every case: the scan completes and commits, exit code 3, the bad file/member/record is
in ``errors/`` and on stderr with a reason in words, no traceback, and every finding of the
good files is still there.
"""

from __future__ import annotations

import builtins
import errno
import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_table
from tests.hostile import build


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "key"
    path.write_text("cd" * 32)
    path.chmod(0o600)
    return str(path)


def scan(paths, out, key, *extra):
    args = ["scan", *map(str, paths), "--out", str(out), "--key-file", key, "--nlp", "none"]
    return CliRunner().invoke(cli, [*args, *extra])


def findings(out, prefix=""):
    rows = read_table(out, "findings").to_pylist()
    return [r for r in rows if r["source_path"].startswith(prefix)]


def _key(r):
    return (r["source_path"], r["record_index"], r["field"], r["entity_type"], r["value_hash"])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, key):
    d = tmp_path_factory.mktemp("good")
    build.write_good(d)
    out = d.parent / f"{d.name}-inv"
    result = scan([d], out, key)
    assert result.exit_code == 0, result.output
    rows = sorted(map(_key, findings(out, "good/")))
    assert len(rows) >= 4
    return rows


def check(result, out, expects, baseline):
    """The contract every hostile case shares."""
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr
    errors = read_table(out, "errors").to_pylist()
    lines = result.stderr.splitlines()
    for path, words in expects:
        reasons = [e["reason"] for e in errors if e["source_path"] == path]
        assert any(words in r for r in reasons), (path, words, errors)
        assert any(line.startswith(f"catoscan: {path}") and words in line for line in lines), (
            path,
            words,
            result.stderr,
        )
    assert "read errors" in result.stderr  # the closing summary counts them
    assert sorted(map(_key, findings(out, "good/"))) == baseline


def _found(out, path):
    return {(r["line"], r["entity_type"]) for r in findings(out) if r["source_path"] == path}


# Checks beyond the shared contract: what must still have been read.
def _after_invalid_utf8(out):
    assert (3, "EMAIL_ADDRESS") in _found(out, "client.log")
    assert {1, 2, 3} <= {line for line, _ in _found(out, "bad.jsonl")}


def _after_surrogate(out):
    # Every record is read, the bad one with U+FFFD in place of the surrogate.
    assert {line for line, _ in _found(out, "surrogate.jsonl")} == {1, 2, 3}
    phones = [r for r in findings(out) if r["source_path"] == "surrogate.jsonl"
              and r["entity_type"] == "PHONE_NUMBER"]
    assert len(phones) == 3


def _after_cp932(out):
    lines = {line for line, entity in _found(out, "users_sjis.csv") if entity == "EMAIL_ADDRESS"}
    assert lines == {2, 3, 4, 5}
    rows = read_table(out, "errors").to_pylist()
    assert [(e["line"], e["scope"]) for e in rows if e["source_path"] == "users_sjis.csv"] == [
        (4, "record")
    ]


def _after_messy_csv(out):
    rows = [r for r in findings(out) if r["source_path"] == "messy.csv"]
    by_line = {r["line"] for r in rows if r["entity_type"] == "EMAIL_ADDRESS"}
    assert by_line == {2, 3, 4, 6}  # the embedded newline: the row starts on line 4
    assert "column_4" in {r["field"] for r in rows}  # the ragged row's extra cell


def _after_members(out):
    assert _found(out, "evil.zip!ok.jsonl") and _found(out, "evil.tar!ok.jsonl")


def _after_deep(out):
    assert {line for line, _ in _found(out, "deep.jsonl")} == {1, 3}


def _after_wide(out):
    assert {line for line, _ in _found(out, "wide.json")} == {2}


def _after_corrupt_tar(out):
    # What came before the bad header or the cut is kept.
    assert {r["source_path"] for r in findings(out) if ".tar" in r["source_path"]} == {
        "bad_header.tar.gz!a.jsonl",
        "cut.tar!a.jsonl",
    }


def _after_truncated_gzip(out):
    assert len({r["record_index"] for r in findings(out, "cut.jsonl.gz")}) > 100


AFTER = {
    "invalid_utf8": _after_invalid_utf8,
    "lone_surrogate_escape": _after_surrogate,
    "cp932_invalid_bytes": _after_cp932,
    "messy_csv": _after_messy_csv,
    "unsafe_member_paths": _after_members,
    "deep_json": _after_deep,
    "wide_record": _after_wide,
    "truncated_gzip": _after_truncated_gzip,
    "corrupt_tar": _after_corrupt_tar,
}


def _tree(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*")}


@pytest.mark.parametrize("case", sorted(build.BUILDERS))
def test_hostile_input(case, tmp_path, key, baseline):
    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    expects = build.BUILDERS[case](d)
    before = _tree(tmp_path)
    out = tmp_path / "inv"
    result = scan([d], out, key)
    check(result, out, expects, baseline)
    if case in AFTER:
        AFTER[case](out)
    # Nothing is ever extracted: the only new files are the dataset's.
    assert {p for p in _tree(tmp_path) - before if not p.startswith(str(out))} == set()
    assert not Path("/tmp/evil-abs.jsonl").exists() and not Path("/evil-abs.jsonl").exists()


def _with_unreadable_file_and_directory(d: Path) -> tuple[Path, Path]:
    """Good files, a file and a directory to be made unreadable, and a directory after them."""
    build.write_good(d)
    locked = d / "locked.log"
    locked.write_bytes(build.LINE + b"\n")
    (d / "locked_dir").mkdir()
    (d / "locked_dir" / "inner.log").write_bytes(build.LINE + b"\n")
    (d / "z_after").mkdir()  # walked after the unreadable directory
    (d / "z_after" / "after.log").write_bytes(build.LINE + b"\n")
    return locked, d / "locked_dir"


def _check_unreadable(result, out, baseline):
    expects = [("locked.log", "permission denied"), ("locked_dir", "permission denied")]
    check(result, out, expects, baseline)
    errors = read_table(out, "errors").to_pylist()
    assert sorted((e["source_path"], e["reason"]) for e in errors) == [
        ("locked.log", "cannot read: permission denied"),
        ("locked_dir", "cannot read: permission denied"),
    ]
    assert _found(out, "z_after/after.log")  # the walk went on past the directory
    assert not [r for r in findings(out) if r["source_path"].startswith("locked")]


def test_unreadable_file_and_directory(tmp_path, key, baseline):
    """Real permissions: chmod 000 on a file and a directory."""
    if os.geteuid() == 0:
        pytest.skip(
            "root reads chmod 000 files and directories; "
            "test_unreadable_file_and_directory_as_any_user fakes EACCES instead"
        )
    d = tmp_path / "in"
    d.mkdir()
    locked, locked_dir = _with_unreadable_file_and_directory(d)
    locked.chmod(0)
    locked_dir.chmod(0)
    out = tmp_path / "inv"
    try:
        result = scan([d], out, key)
    finally:
        locked_dir.chmod(0o755)
    _check_unreadable(result, out, baseline)


def test_unreadable_file_and_directory_as_any_user(tmp_path, key, baseline, monkeypatch):
    """The same, with EACCES raised where the OS would raise it (root is never refused)."""
    d = tmp_path / "in"
    d.mkdir()
    locked, locked_dir = _with_unreadable_file_and_directory(d)
    real_open, real_scandir = builtins.open, os.scandir

    def denied(path):
        return PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file) == locked:
            raise denied(file)
        return real_open(file, *args, **kwargs)

    def guarded_scandir(path="."):
        # os.walk lists each directory with os.scandir and hands its error to onerror.
        if isinstance(path, str | bytes | os.PathLike) and Path(os.fsdecode(path)) == locked_dir:
            raise denied(path)
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)
    out = tmp_path / "inv"
    result = scan([d], out, key)
    monkeypatch.undo()
    _check_unreadable(result, out, baseline)


@pytest.mark.parametrize("shrink", [False, True], ids=["grows", "truncated"])
def test_file_changing_while_read(tmp_path, key, baseline, shrink, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    live = d / "live.log"
    live.write_bytes(
        b"".join(
            b"2025-03-14 01:20:30 session %d opened on host-%d\n" % (i, i) for i in range(2500)
        )
    )
    # Change the file once, deterministically, after its first record has been read (a
    # thread racing the scan made this test depend on the machine's load).
    from scanner import readers

    real = readers.READERS["text"]

    def mutating(stream, head, opts):
        changed = not head.startswith(b"2025-03-14 01:20:30 session 0 ")  # live.log only
        for item in real(stream, head, opts):
            yield item
            if not changed:
                changed = True
                if shrink:
                    os.truncate(live, live.stat().st_size // 2)
                else:
                    with open(live, "ab") as fh:
                        fh.write(b"2025-03-14 01:20:31 appended line\n")

    monkeypatch.setitem(readers.READERS, "text", mutating)
    out = tmp_path / "inv"
    result = scan([d], out, key)
    check(result, out, [("live.log", "while being read")], baseline)


def test_100_mb_line_is_skipped_with_bounded_memory(tmp_path, key, baseline):
    import tracemalloc
    from importlib import resources

    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    with open(d / "huge.log", "wb") as fh:
        fh.write(b"2025-03-14 01:20:30 before\n")
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
        fh.write(b"\n2025-03-14 01:20:31 after " + build.EMAIL.encode() + b"\n")
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    text = resources.files("configs").joinpath("scanner.yaml").read_text()
    (cfg / "scanner.yaml").write_text(
        text.replace("max_line_bytes: 67108864", "max_line_bytes: 1048576")
    )
    out = tmp_path / "inv"
    scan([d / "good"], tmp_path / "warm", key)  # imports and caches outside the measurement
    tracemalloc.start()
    try:
        result = scan([d], out, key, "--config-dir", str(cfg))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check(result, out, [("huge.log", "over the 1048576-byte line limit")], baseline)
    assert peak < 48 * 1024**2, peak  # a 100 MB line, never held whole
    assert (3, "EMAIL_ADDRESS") in _found(out, "huge.log")  # the line after it is read


def test_archive_limits_are_read_from_scanner_yaml(tmp_path, key, baseline):
    from importlib import resources

    cfg = tmp_path / "cfg"
    cfg.mkdir()
    text = resources.files("configs").joinpath("scanner.yaml").read_text()
    text = text.replace("max_member_bytes: 8589934592", "max_member_bytes: 1048576")
    text = text.replace("max_nested_archive_bytes: 268435456", "max_nested_archive_bytes: 65536")
    (cfg / "scanner.yaml").write_text(text)
    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    big_zip = build._zip([("in.jsonl", build.LINES * 2)], zipfile.ZIP_STORED)  # 138 KiB
    (d / "nested.tar").write_bytes(
        build._tar([("a.jsonl", build.LINE), ("big.zip", big_zip), ("c.jsonl", build.LINE)])
    )
    (d / "big.zip.gz").write_bytes(gzip.compress(big_zip))
    big_log = b"2025-03-14 01:20:30 filler\n" * 40_000  # ~1.1 MB
    (d / "member.tar").write_bytes(
        build._tar([("a.jsonl", build.LINE), ("big.log", big_log), ("c.jsonl", build.LINE)])
    )
    out = tmp_path / "inv"
    result = scan([d], out, key, "--config-dir", str(cfg))
    nested = "over the 64 KiB limit (limits.max_nested_archive_bytes); skipped"
    check(
        result,
        out,
        [
            ("nested.tar!big.zip", f"nested archive in a tar member is {nested}"),
            ("big.zip.gz", "nested archive larger than 64 KiB (limits.max_nested_archive_bytes)"),
            ("member.tar!big.log", "over the 1 MiB limit (limits.max_member_bytes); skipped"),
        ],
        baseline,
    )
    kept = {r["source_path"] for r in findings(out) if ".tar" in r["source_path"]}
    assert kept == {f"{t}.tar!{m}.jsonl" for t in ("nested", "member") for m in "ac"}


def test_control_characters_and_undecodable_names(tmp_path, key, baseline):
    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    # A file name with an ANSI escape and a newline, and one that is not UTF-8.
    (d / "evil\x1b[2J\nname.log").write_bytes(build.LINE + b"\n")
    os.close(os.open(os.fsencode(d) + b"/latin\xe9.log", os.O_WRONLY | os.O_CREAT, 0o644))
    (d / "latin\udce9.log").write_bytes(build.LINE + b"\n")
    zipped = build._zip([("in\x1bzip.jsonl", build.LINE)])
    (d / "names.zip").write_bytes(zipped)
    out = tmp_path / "inv"
    result = scan([d], out, key)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stderr
    paths = {r["source_path"] for r in findings(out)}
    assert {"evil\\x1b[2J\\x0aname.log", "latin\\xe9.log", "names.zip!in\\x1bzip.jsonl"} <= paths
    assert sorted(map(_key, findings(out, "good/"))) == baseline
