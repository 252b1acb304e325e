"""One import direction: ``scanner`` imports ``recognizers``, never the other way round.

And importing the package costs nothing: the small modules ``scanner`` shares with the
recognizers (phone regions, dotted quads, the YAML loader) load neither presidio nor spaCy,
so ``scanner.config`` and ``scanner.hashing`` stay cheap for the inventory commands.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import recognizers

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "recognizers"


def _imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_recognizers_module_imports_scanner():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    wrong = {
        path.name: name
        for path in modules
        for name in _imported_modules(path)
        if name == "scanner" or name.startswith("scanner.")
    }
    assert wrong == {}


def test_the_check_sees_an_import_of_scanner(tmp_path):
    for text in ("import scanner.config\n", "from scanner.errors import ConfigError\n",
                 "def f():\n    from scanner import hashing\n"):  # fmt: skip
        path = tmp_path / "m.py"
        path.write_text(text)
        assert [n for n in _imported_modules(path) if n.startswith("scanner")], text


def test_every_public_name_resolves():
    for name in recognizers.__all__:
        assert getattr(recognizers, name) is not None, name


_PROBE = """
import json, sys
import recognizers, recognizers.ipv4, recognizers.phone_regions, recognizers.safe_yaml
import scanner.config, scanner.hashing
print(json.dumps(sorted(m for m in ("presidio_analyzer", "spacy") if m in sys.modules)))
"""


def test_the_shared_modules_load_neither_presidio_nor_spacy():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert json.loads(proc.stdout) == []
