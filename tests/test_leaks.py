"""The scanner's own output never holds a raw personal value or the key.

Scans at debug level (``-vv``) and greps stdout, stderr (the log) and every file under the
output directory for every raw labelled value of the sample corpus, every personal value
inside the hostile inputs (whose error messages must describe, never quote), and the key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.errors import ConfigError
from scanner.evaluation import load_labels
from scanner.hashing import key_id, load_key
from tests.hostile import build
from tests.leakcheck import searchable_values

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
KEY = "9f3b2c4d5e6f7a8b" * 4


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "key"
    path.write_text(KEY + "\n")
    path.chmod(0o600)
    return path


def _scan(paths, out, key, *extra, verbose=("-vv",)):
    args = [*verbose, "scan", *map(str, paths), "--out", str(out), "--key-file", str(key)]
    return CliRunner().invoke(cli, [*args, *extra])


def _everything(result, out: Path) -> str:
    """stdout, stderr and every output file, Parquet decoded (data and schema metadata)."""
    texts = [result.stdout, result.stderr]
    for path in sorted(out.rglob("*")):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            texts.append(json.dumps(table.to_pylist(), default=str, ensure_ascii=False))
            texts.append(str(table.schema.metadata))
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _assert_no_key(blob: str) -> None:
    assert KEY not in blob and KEY.encode().hex() not in blob
    assert KEY[:16] not in blob  # no prefix of it either


def test_labelled_corpus_at_debug_level(tmp_path, key):
    out = tmp_path / "inv"
    result = _scan([SAMPLE], out, key)
    assert result.exit_code == 0, result.output
    assert "loaded spaCy model" in result.stderr  # -vv was in effect
    blob = _everything(result, out)
    labels = load_labels(ROOT / "tests" / "labels" / "sample_data.jsonl")
    values = searchable_values(labels, SAMPLE)
    assert len(values) > 100
    assert sorted(v for v in values if v in blob) == []
    _assert_no_key(blob)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scans"][-1]["key_id"] == key_id(KEY.encode())


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    build.write_good(d)
    for name, make in build.BUILDERS.items():
        if name not in ("zip_bomb", "bzip2_zip_bomb", "wide_record"):  # slow, no new messages
            make(d)
    # Broken records that carry personal data right where the parser stops.
    line = build.LINE.decode()
    (d / "broken.jsonl").write_text(line + "\n" + line[:-1] + ',"x": }\n' + line[:40] + "\n")
    (d / "broken.cef").write_text(f"not cef {build.EMAIL}\nCEF:0|a|b|1|x|y|5|src={build.IP}\n")
    (d / "broken.csv").write_text(f'Name,Email\n"{build.EMAIL}"x,"{build.PHONE}\n')
    (d / f"{'x' * 10}.txt").write_text("x" * 2000 + build.EMAIL + "\n")
    return d


def test_hostile_inputs_errors_and_logs_never_quote_values(tmp_path, key, hostile_dir):
    from importlib import resources

    cfg = tmp_path / "cfg"
    cfg.mkdir()
    text = resources.files("configs").joinpath("scanner.yaml").read_text()
    (cfg / "scanner.yaml").write_text(
        text.replace("max_line_bytes: 67108864", "max_line_bytes: 1000")
    )
    out = tmp_path / "inv"
    result = _scan([hostile_dir], out, key, "--nlp", "none", "--config-dir", str(cfg))
    assert result.exit_code == 3, result.output
    assert result.stderr.count("catoscan: ") > 20  # every problem was logged
    blob = _everything(result, out)
    leaked = [v for v in build.SECRET_VALUES if v in blob]
    assert leaked == []
    _assert_no_key(blob)


def test_internal_error_messages_are_not_logged(tmp_path, key, monkeypatch):
    from scanner import readers

    def broken(stream, head, opts):
        raise KeyError(build.EMAIL)  # a bug whose message quotes a value
        yield

    monkeypatch.setitem(readers.READERS, "cef", broken)
    d = tmp_path / "in"
    d.mkdir()
    (d / "x.cef").write_text(f"CEF:0|CatoNetworks||1.0|Security|IPS|7|src={build.IP}\n")
    out = tmp_path / "inv"
    result = _scan([d], out, key, "--nlp", "none")
    assert result.exit_code == 3, result.output
    assert "internal error" in result.stderr
    assert build.EMAIL not in _everything(result, out)


def _key_file(tmp_path, mode=0o600, content=KEY):
    path = tmp_path / "k"
    path.write_text(content)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o602, 0o620, 0o700 | 0o004])
def test_key_with_any_group_or_other_access_is_refused(tmp_path, mode):
    with pytest.raises(ConfigError, match="chmod 600") as info:
        load_key(_key_file(tmp_path, mode))
    assert KEY not in str(info.value)


def test_key_file_that_is_not_a_file_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_key(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_key(tmp_path)


def test_key_problems_never_quote_the_key(tmp_path):
    with pytest.raises(ConfigError, match="too short") as info:
        load_key(_key_file(tmp_path, content="short-secret"))
    assert "short-secret" not in str(info.value)
    with pytest.raises(ConfigError, match="not a key file") as info:
        load_key(_key_file(tmp_path, content=KEY * 200))
    assert KEY not in str(info.value)


def test_key_rotation_gives_a_new_key_id(tmp_path, key):
    # Two keys: each scan records the key_id it hashed with, and equal values hash apart.
    other = _key_file(tmp_path, content="0a1b2c3d4e5f6071" * 4)
    d = tmp_path / "in"
    d.mkdir()
    build.write_good(d)
    out = tmp_path / "inv"
    assert _scan([d], out, key, "--nlp", "none", verbose=()).exit_code == 0
    assert _scan([d], out, other, "--nlp", "none", verbose=()).exit_code == 0
    from scanner.dataset import read_table

    rows = read_table(out, "findings").to_pylist()
    scans = json.loads((out / "manifest.json").read_text())["scans"]
    ids = [s["key_id"] for s in scans]
    assert len(set(ids)) == 2
    by_scan = {}
    for r in rows:
        assert r["key_id"] == ids[[s["scan_id"] for s in scans].index(r["scan_id"])]
        by_scan.setdefault(r["scan_id"], set()).add(r["value_hash"])
    first, second = by_scan.values()
    assert first.isdisjoint(second)
