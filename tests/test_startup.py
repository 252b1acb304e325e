"""Start-up: what a scan imports, and that the shortcuts taken for it change nothing else.

Four dependency costs are avoided on a scan's path (see ``scanner/compat.py`` and
``recognizers/_presidio.py``): pyarrow importing pandas to probe its inputs, presidio
re-compiling its built-in recognizers' patterns only to check them, spaCy importing
its command-line interface, and presidio importing tldextract (and requests with it).
These tests run in a fresh interpreter, since the point is what one process imports from
cold.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = r"""
import json, sys
from click.testing import CliRunner
from scanner.cli import cli

out, key = sys.argv[1], sys.argv[2]
result = CliRunner().invoke(cli, ["scan", "sample_data", "--out", out, "--key-file", key])
facts = {"exit": result.exit_code, "pandas_after_scan": "pandas" in sys.modules,
         "spacy_cli_after_scan": [m for m in ("spacy.cli", "weasel", "typer", "jinja2")
                                  if m in sys.modules]}

# spaCy's CLI, and spacy.info, are whole once asked for.
import spacy, spacy.cli
facts["spacy_cli"] = spacy.cli.__file__.endswith("cli/__init__.py")
facts["spacy_info"] = spacy.info()["spacy_version"] == spacy.__version__

from presidio_analyzer import Pattern
try:
    Pattern("broken", "(", 0.5)
    facts["pattern_checked"] = False
except ValueError:
    facts["pattern_checked"] = True
facts["finders_left"] = [type(f).__name__ for f in sys.meta_path
                         if type(f).__module__.startswith(("scanner", "recognizers"))]

# pandas still works with pyarrow, as the inventory commands use it, in the same process.
import pyarrow as pa
frame = pa.table({"a": ["x", None], "n": [1, 2]}).to_pandas()
import pandas as pd
facts["to_pandas"] = [frame.shape[0], frame.shape[1]]
facts["series_type"] = str(pa.array(pd.Series(pd.Categorical(["a", "b", "a"]))).type)
facts["from_pandas"] = [str(t) for t in pa.Table.from_pandas(frame).schema.types]
print(json.dumps(facts))
"""


def test_a_scan_imports_no_pandas_and_keeps_every_check(tmp_path, key_file):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "inv"), str(key_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["exit"] == 0
    # The whole sample_data scan (every reader, NER on, the writer, the commit) ran
    # without pandas.
    assert facts["pandas_after_scan"] is False
    # ... and without spaCy's command-line interface, which is there when asked for.
    assert facts["spacy_cli_after_scan"] == []
    assert facts["spacy_cli"] is True and facts["spacy_info"] is True
    # presidio validates patterns made at run time again, and no import hook is left.
    assert facts["pattern_checked"] is True
    assert facts["finders_left"] == []
    # pyarrow's pandas integration is whole once pandas is asked for.
    assert facts["to_pandas"] == [2, 2]
    assert facts["series_type"].startswith("dictionary<")
    assert facts["from_pandas"][1] == "int64"


def test_presidio_import_shortcut_is_inert_once_presidio_is_loaded():
    import presidio_analyzer
    import spacy

    import recognizers._presidio as shortcut

    before, modules = list(sys.meta_path), dict(sys.modules)
    shortcut._import()
    shortcut._import_spacy()
    assert sys.meta_path == before and sys.modules == modules
    assert presidio_analyzer.Pattern._Pattern__validate_regex is not shortcut._unchecked
    assert sys.modules["spacy"] is spacy


def _catoscan(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_entry_point_keeps_exit_codes_and_every_byte_of_output(tmp_path, key_file):
    """main() ends the process with os._exit: codes and output must survive it."""
    out = tmp_path / "inv"
    scan = _catoscan("scan", "sample_data", "--out", str(out), "--key-file", str(key_file),
                     "--fail-on-undeclared")
    assert scan.returncode == 1, scan.stderr  # sample_data has undeclared findings
    assert "committed to" in scan.stderr and "NOT DECLARED" in scan.stderr
    report = _catoscan("report", str(out), "--format", "json")
    assert report.returncode == 0, report.stderr
    assert len(report.stdout) > 10_000
    assert json.loads(report.stdout)  # complete: it parses to the end
    usage = _catoscan("scan", str(tmp_path / "missing"), "--out", str(out))
    assert usage.returncode == 2
    assert "does not exist" in usage.stderr
    assert _catoscan("--version").stdout.startswith("catoscan ")


def test_exit_codes_from_sys_exit_are_kept():
    from scanner.cli import _exit_code

    assert _exit_code(None) == 0
    assert _exit_code(3) == 3
    assert _exit_code("message") == 1


_IMPORTS = r"""
import json, sys
from click.testing import CliRunner
from scanner.cli import cli

path, out, key = sys.argv[1], sys.argv[2], sys.argv[3]
result = CliRunner().invoke(cli, ["scan", path, "--out", out, "--key-file", key, "--workers", "1"])
print(json.dumps([result.exit_code, sorted(m for m in ("presidio_analyzer", "spacy") if m in sys.modules)]))
"""


def _imports_of_a_scan(path, out, key_file):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTS, str(path), str(out), str(key_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_presidio_and_spacy_load_only_when_free_text_needs_them(tmp_path, key_file):
    # A device export: names, addresses and device fields, each decided by its field rule.
    structured = _imports_of_a_scan(ROOT / "sample_data/csv/devices.csv", tmp_path / "a", key_file)
    assert structured == [0, []]
    # Client logs are free text: NER reads them.
    free_text = ROOT / "sample_data/client_logs/cato_ua_5.21.5.8548_20250314012031.log"
    assert _imports_of_a_scan(free_text, tmp_path / "b", key_file) == [
        0, ["presidio_analyzer", "spacy"],
    ]  # fmt: skip


_MODEL_PROBE = r"""
import json, sys
import regex

checks = []
compile_ = regex.compile

def counting(pattern, *args, **kwargs):
    if sys._getframe(1).f_code.co_filename.endswith("presidio_analyzer/pattern.py"):
        checks.append(pattern)
    return compile_(pattern, *args, **kwargs)

regex.compile = counting
from scanner.config import load_configs
from scanner.detect.nlp import build_analyzer, load_model

settings = load_configs().scanner.nlp
build_analyzer(settings, load_model(settings))
facts = {"presidio": "presidio_analyzer" in sys.modules, "checks": len(checks),
         "spacy_cli": "spacy.cli" in sys.modules, "requests": "requests" in sys.modules}

# presidio's e-mail recognizer's tldextract is whole once one of its names is read.
from presidio_analyzer.predefined_recognizers.generic import email_recognizer
import tldextract
facts["tldextract"] = [tldextract is email_recognizer.tldextract,
                       callable(email_recognizer.tldextract.TLDExtract),
                       type(sys.modules["tldextract"]).__name__,
                       sys.modules["tldextract"].TLDExtract is tldextract.TLDExtract,
                       "requests" in sys.modules]
print(json.dumps(facts))
"""


def test_loading_the_model_imports_presidio_without_rechecking_its_patterns():
    """spaCy imports presidio while it loads a model (presidio registers a spaCy factory).

    The shortcut must be in place by then, or presidio compiles its ~200 built-in patterns
    only to check them (a third of a second of every worker's start with free text).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _MODEL_PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts == {
        "presidio": True, "checks": 0, "spacy_cli": False,
        # nor requests, which only presidio's unused e-mail recognizer's tldextract imports
        "requests": False,
        "tldextract": [True, True, "module", True, True],
    }  # fmt: skip


_COLLECTIONS = r"""
import gc, json, os, sys
counted = []
gc.callbacks.append(lambda phase, info: phase == "start" and counted.append(info["generation"]))
facts = {}
import scanner.tuning  # what comes before the preload's first line
before = len(counted)
import scanner.engines.preload  # the forkserver's imports: the engine, the suffix list
facts["preload"] = [len(counted) - before, gc.get_threshold()[0]]
facts["frozen"] = [gc.get_freeze_count(), gc.get_count()[0]]
gc.set_threshold(700, 10, 10)
from scanner import cli  # the console script's imports, then its command
del counted[:]
def leave(code):
    facts["command"] = [len(counted), gc.get_threshold()[0], code]
    print(json.dumps(facts), flush=True)
    os.__dict__["_real_exit"](code)
os.__dict__["_real_exit"], os._exit = os._exit, leave
sys.argv = ["catoscan", "scan", "sample_data/csv", "--nlp", "none", "--out", sys.argv[1],
            "--key-file", sys.argv[2], "--no-progress"]
cli.main()
"""


def test_the_console_script_and_the_forkserver_collect_garbage_rarely_from_the_start(
    tmp_path, key_file
):
    """Their imports make no garbage: at Python's threshold they collected 120-150 times.

    What the forkserver imported is frozen before it forks: left young, it counted towards
    every worker's first collections, and they walked it."""
    from scanner.tuning import GC_THRESHOLD

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _COLLECTIONS, str(tmp_path / "inv"), str(key_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["preload"][1] == GC_THRESHOLD and facts["preload"][0] <= 2
    frozen, young = facts["frozen"]
    assert frozen > 10_000 and young == 0
    collections, threshold, code = facts["command"]
    assert threshold == GC_THRESHOLD and code == 0 and collections <= 2
