"""``catoscan prune``: the inventory ages too, atomically, keeping the review decisions."""

import json

import pyarrow.dataset as ds

from scanner.dataset import TABLES, lock_dataset, read_manifest, read_table, recover

from .fixed import SCAN_A, SCAN_B, invoke


def _partitions(out):
    return {t: sorted(p.name for p in (out / t).iterdir()) for t in TABLES}


def test_keep_last_removes_the_older_scans_and_records_it(dataset):
    invoke("review", "add", dataset, "--field", "cs5", "--entity-type", "PHONE_NUMBER",
           "--verdict", "confirmed", "--reason", "real numbers", "--by", "alice")
    reviews = (dataset / "reviews.yaml").read_bytes()
    result = invoke("prune", dataset, "--keep-last", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == "catoscan: prune: removed 1 of 2 scans (" + \
        f"{json.loads(result.stdout)['pruned'][0]['findings']:,} findings rows); 1 kept\n"
    data = json.loads(result.stdout)
    assert [p["scan_id"] for p in data["pruned"]] == [SCAN_A] and data["kept"] == [SCAN_B]
    manifest = read_manifest(dataset)
    assert [s["scan_id"] for s in manifest["scans"]] == [SCAN_B]
    (record,) = manifest["pruned"]
    assert record["scan_ids"] == [SCAN_A] and record["rule"] == {"keep_last": 1, "older_than": None}
    assert record["counts"]["findings"] == data["pruned"][0]["findings"]
    for table, names in _partitions(dataset).items():
        assert names == [f"scan_id={SCAN_B}"], table
        # nothing of scan A is left on disk for any reader, manifest or not
        files = ds.dataset(dataset / table, format="parquet", partitioning="hive")
        assert set(files.to_table().column("scan_id").to_pylist()) <= {SCAN_B}
    assert (dataset / "reviews.yaml").read_bytes() == reviews
    assert not list(dataset.glob("_journal-*"))


def test_older_than_and_keep_last_together(dataset):
    finished_b = read_manifest(dataset)["scans"][1]["started_at"]  # (no finished_at here)
    # Both are older than B's finish plus a day, but the newest is kept.
    later = "2099-01-01"
    result = invoke("prune", dataset, "--older-than", later, "--keep-last", "1", "--dry-run")
    assert result.exit_code == 0
    assert "would remove 1 of 2 scans" in result.stderr
    assert SCAN_A in result.stdout and SCAN_B not in result.stdout
    assert len(read_manifest(dataset)["scans"]) == 2  # a dry run
    result = invoke("prune", dataset, "--older-than", finished_b)
    assert "removed 1 of 2 scans" in result.stderr  # A finished before B did
    assert [s["scan_id"] for s in read_manifest(dataset)["scans"]] == [SCAN_B]
    result = invoke("prune", dataset, "--older-than", "2000-01-01")
    assert result.exit_code == 0 and "removed 0 of 1 scans" in result.stderr
    assert result.stdout == ""


def test_prune_needs_a_rule_and_the_lock(dataset):
    result = invoke("prune", dataset)
    assert result.exit_code == 2
    assert "give --keep-last N, --older-than DATE, or both" in result.output
    lock = lock_dataset(dataset, "busy")
    try:
        result = invoke("prune", dataset, "--keep-last", "1")
    finally:
        lock.close()
    assert result.exit_code == 2
    assert result.output.endswith("a scan is writing this dataset; prune after it\n")
    assert len(read_manifest(dataset)["scans"]) == 2


def test_a_prune_killed_after_its_journal_is_finished_by_the_next_open(dataset):
    """The journal is the commit point: a crash after it rolls forward, before it nothing."""
    before = read_table(dataset, "findings", SCAN_B).num_rows
    journal = {"kind": "prune", "id": "20260101T000000Z-abcdef", "scan_ids": [SCAN_A],
               "record": {"id": "20260101T000000Z-abcdef", "scan_ids": [SCAN_A]}}
    (dataset / "_journal-prune-20260101T000000Z-abcdef.json").write_text(json.dumps(journal))
    recover(dataset)
    assert [s["scan_id"] for s in read_manifest(dataset)["scans"]] == [SCAN_B]
    assert read_manifest(dataset)["pruned"] == [journal["record"]]
    assert _partitions(dataset)["findings"] == [f"scan_id={SCAN_B}"]
    assert read_table(dataset, "findings").num_rows == before
    recover(dataset)  # again: nothing changes
    assert read_manifest(dataset)["pruned"] == [journal["record"]]
    # A torn journal (killed while writing it) never happened.
    (dataset / ".tmp").write_text("")
    (dataset / "_journal-prune-x.json").write_text('{"kind": "pru')
    recover(dataset)
    assert not list(dataset.glob("_journal-*"))
    assert [s["scan_id"] for s in read_manifest(dataset)["scans"]] == [SCAN_B]
