"""The progress line: stage first, then percent of the total, rate, time left and file;
warnings on lines of their own; what --incremental carried forward in the summary."""

import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli
from scanner.progress import StderrProgress

ROOT = Path(__file__).resolve().parent.parent


def test_the_line_says_the_stage_then_percent_rate_eta_and_file():
    progress = StderrProgress(enabled=True, stream=io.StringIO())
    progress.stage("listing and checksumming the inputs")
    assert progress.line(0.0) == "catoscan: listing and checksumming the inputs…"
    progress.planned(4_000_000, files=3, done_bytes=1_000_000)  # 1 MB carried forward
    progress.scanning_since = 100.0
    progress.file_started("day1/events.jsonl")
    progress.advance(records=12_345, bytes_done=2_000_000)
    # 1 MB read in 2 s: 0.5 MB/s, 2 MB left: 4 s
    assert progress.line(102.0) == (
        "catoscan: scanning   50%  2.0 MB of 4.0 MB  12,345 records  0.5 MB/s  ETA 4s  "
        "day1/events.jsonl"
    )
    progress.close()


def test_a_scan_shows_its_stages_and_warnings_on_lines_of_their_own(tmp_path, key_file):
    logs = tmp_path / "logs"
    shutil.copytree(ROOT / "sample_data" / "cef", logs)
    (logs / "bad.jsonl").write_text('{"a": 1}\n{broken\n')
    result = CliRunner().invoke(cli, ["scan", str(logs), "--out", str(tmp_path / "o"),
                                      "--key-file", str(key_file), "--nlp", "none",
                                      "--progress"])
    assert result.exit_code == 3
    err = result.stderr
    for stage in ("starting", "preparing the detectors", "listing and checksumming the inputs"):
        assert f"\r\033[Kcatoscan: {stage}…" in err
    assert "100%" in err and "records" in err
    # The warning starts on a cleared line and ends with its own newline.
    assert "\r\033[Kcatoscan: bad.jsonl line 2: " in err
    warning = err.split("\r\033[Kcatoscan: bad.jsonl line 2: ")[1].split("\n")[0]
    assert "\r" not in warning and "records" not in warning


def test_the_summary_says_what_incremental_carried_forward(tmp_path, key_file):
    args = ["scan", str(ROOT / "sample_data" / "cef"), "--out", str(tmp_path / "o"),
            "--key-file", str(key_file), "--nlp", "none"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    result = CliRunner().invoke(cli, [*args, "--incremental"])
    first = json.loads((tmp_path / "o" / "manifest.json").read_text())["scans"][0]["scan_id"]
    assert f"  2 files unchanged since scan {first} carried forward (--incremental)\n" in \
        result.stderr
