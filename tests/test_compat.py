"""The shims over private parts of other libraries, and their fallbacks (scanner/compat.py)."""

import io
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import compat

DATA = b"".join(f"line {i} of an xz stream\n".encode() for i in range(5000))


def _reader(kind, raw: bytes, **args):
    reader = kind(io.BytesIO(raw), lzma.LZMADecompressor, trailing_error=lzma.LZMAError, **args)
    return io.BufferedReader(reader)


def _outcome(kind, raw: bytes, **args):
    try:
        return _reader(kind, raw, **args).read()
    except (EOFError, lzma.LZMAError) as exc:
        return type(exc)


KINDS = [compat.DecompressReader, compat.FallbackDecompressReader]
CASES = {
    "one stream": lzma.compress(DATA),
    "two streams": lzma.compress(DATA) + lzma.compress(DATA[:999]),
    "trailing bytes": lzma.compress(DATA) + b"not a stream at all",
    "cut short": lzma.compress(DATA)[:-20],
    "empty": b"",
    "not xz": b"hello, plain bytes",
}


@pytest.mark.parametrize("case", CASES)
def test_the_fallback_reads_as_the_standard_reader_and_lzma_do(case):
    raw = CASES[case]
    ours = _outcome(compat.FallbackDecompressReader, raw)
    assert ours == _outcome(compat.DecompressReader, raw)
    if case in ("one stream", "two streams", "trailing bytes"):
        with lzma.open(io.BytesIO(raw)) as fh:
            assert ours == fh.read()


@pytest.mark.parametrize("kind", KINDS)
def test_the_memory_limit_holds(kind):
    big_dictionary = lzma.compress(DATA, filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 64 << 20}])
    assert _outcome(kind, big_dictionary, memlimit=1 << 20) is lzma.LZMAError
    assert _outcome(kind, big_dictionary, memlimit=128 << 20) == DATA


@pytest.mark.parametrize("kind", KINDS)
def test_small_reads_give_every_byte(kind):
    reader = _reader(kind, CASES["two streams"])
    chunks = iter(lambda: reader.read(7), b"")
    assert b"".join(chunks) == DATA + DATA[:999]


def test_an_xz_input_is_read_with_the_fallback(tmp_path, monkeypatch):
    """As on a Python without the standard reader: the scan reads .xz inputs all the same.

    (``_compression`` cannot be hidden here: this Python's own ``lzma`` imports it.)
    """
    from click.testing import CliRunner

    from scanner.cli import cli
    from scanner.dataset import read_table

    monkeypatch.setattr(compat, "DecompressReader", compat.FallbackDecompressReader)
    lines = b"".join(b'{"time": "1741915425000", "src_ip": "192.0.2.%d"}\n' % i for i in range(9))
    (tmp_path / "events.jsonl.xz").write_bytes(lzma.compress(lines) + lzma.compress(lines))
    key = tmp_path / "key"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    args = ["scan", str(tmp_path / "events.jsonl.xz"), "--out", str(tmp_path / "inv"),
            "--key-file", str(key), "--nlp", "none", "--workers", "1"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert read_table(tmp_path / "inv", "findings").num_rows == 18


def test_without_the_private_exit_hook_the_cli_exits_the_ordinary_way(tmp_path):
    code = (
        "import atexit, sys; del atexit._run_exitfuncs\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "from scanner.cli import main; main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, "formats"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "handler ran" in done.stderr


def test_the_private_exit_hook_is_used_where_it_exists(monkeypatch):
    """Faked: running this process's real exit handlers here would shut down what later
    tests use (they crashed spaCy's NER)."""
    import atexit

    ran = []
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: ran.append(True), raising=False)
    assert compat.run_exit_functions() is True and ran == [True]
    monkeypatch.delattr(atexit, "_run_exitfuncs")
    assert compat.run_exit_functions() is False


def test_pyarrow_probes_find_no_pandas_and_pandas_still_imports():
    """In a fresh interpreter, as a scan starts: pyarrow's probes run without pandas, no
    finder is left behind, and pandas imports and converts as usual afterwards (where it is
    already loaded, the shim does nothing)."""
    code = (
        "import json, sys\n"
        "from scanner import compat\n"
        "compat.arrow_without_pandas()\n"
        "import pyarrow as pa, pyarrow.dataset\n"
        "pa.array([1, 2])  # a scan's first array, and its reading of the dataset\n"
        "facts = {'pandas': 'pandas' in sys.modules, 'acero': 'pyarrow.acero' in sys.modules,\n"
        "         'finder_left': compat._NoPandas in sys.meta_path}\n"
        "import pandas as pd\n"
        "facts['converted'] = pa.array(pd.Series([1, 2])).to_pylist()\n"
        "before = list(sys.meta_path)\n"
        "compat.arrow_without_pandas()\n"
        "facts['inert'] = sys.meta_path == before\n"
        "print(json.dumps(facts))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "pandas": False, "acero": True, "finder_left": False, "converted": [1, 2], "inert": True
    }
