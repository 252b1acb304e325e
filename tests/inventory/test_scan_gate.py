"""``scan --fail-on-undeclared`` does not count findings reviewed as false positives."""

import json

from scanner.dataset import read_manifest, read_table

from .fixed import invoke

LINES = [
    {
        "event_timestamp": "2025-03-14T01:23:45Z",
        "src_ip": "192.0.2.17",
        "vpn_user_email": "emily.carter@example.com",
    },
    {"event_timestamp": "2025-03-14T01:25:02Z", "event_message": "call 090-5555-0123 for help"},
]


def scan(logs, out, key_file):
    return invoke("scan", logs, "--out", out, "--key-file", key_file, "--nlp", "none",
                  "--fail-on-undeclared", "--no-progress")


def test_false_positive_decisions_open_the_gate(tmp_path, key_file):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "events.jsonl").write_text("\n".join(json.dumps(e) for e in LINES) + "\n")
    out = tmp_path / "inv"
    assert scan(logs, out, key_file).exit_code == 1

    result = invoke("review", "add", out, "--field", "event_message", "--entity-type",
                    "PHONE_NUMBER", "--verdict", "false_positive", "--reason", "test line",
                    "--by", "alice")
    assert result.exit_code == 0, result.output
    result = scan(logs, out, key_file)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        f"catoscan: 1 undeclared findings are marked false positive in {out / 'reviews.yaml'} "
        "and not counted for --fail-on-undeclared\n"
    )
    # nothing was removed from the dataset
    latest = read_manifest(out)["scans"][-1]["scan_id"]
    assert "PHONE_NUMBER" in read_table(out, "findings", latest).column("entity_type").to_pylist()

    # confirmed / accepted risk do not open the gate; a revoked false positive no longer does
    result = invoke(
        "review", "revoke", out, "r1", "--reason", "real number after all", "--by", "bob"
    )
    assert result.exit_code == 0, result.output
    decision = ["--source", "*", "--verdict", "accepted_risk", "--reason", "r", "--by", "bob"]
    result = invoke("review", "add", out, *decision)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added r2: accepted_risk, source * (")
    assert scan(logs, out, key_file).exit_code == 1


def test_invalid_reviews_file_is_exit_2_after_the_commit(tmp_path, key_file):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "events.jsonl").write_text("\n".join(json.dumps(e) for e in LINES) + "\n")
    out = tmp_path / "inv"
    out.mkdir()
    (out / "reviews.yaml").write_text("version: 1\ndecisions: [{id: r1}]\n")
    result = scan(logs, out, key_file)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: {out / 'reviews.yaml'}: decisions.0.verdict: Field required (the scan was committed)\n"
    )
    assert len(read_manifest(out)["scans"]) == 1
