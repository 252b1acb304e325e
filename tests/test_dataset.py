import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scanner.dataset import DatasetWriter, FindingValue, read_manifest, read_table, recover

ROW = {
    "source_path": "a.jsonl",
    "source_format": "eventsfeed-jsonl",
    "line": 1,
    "record_index": 0,
    "field": "src_ip",
    "start": 0,
    "end": 10,
    "entity_type": "IP_ADDRESS",
    "ccpa_categories": ["A"],
    "policy_element": "IP address",
    "policy_declared": True,
    "score": 1.0,
    "detector": "field:src_ip",
    "value_hash": "h1",
    "key_id": "k",
    "value_masked": "192.0.*.*",
    "event_time": datetime(2025, 3, 14, tzinfo=UTC),
}


def _row(d):
    value = FindingValue(d["start"], d["end"], d["entity_type"], tuple(d["ccpa_categories"]),
                         d["policy_element"], d["policy_declared"], d["score"], d["detector"],
                         d["value_hash"], d["value_masked"], None, None)
    record = (d["source_path"], d["source_format"], d["line"], d["record_index"], d["event_time"])
    return (record, d["field"], value)


def _scan(out, scan_id, rows, commit=True):
    with DatasetWriter(out, scan_id, {"scan_id": scan_id, "key_id": "k"}, batch_rows=2) as w:
        sink = w.sink("task-0")
        for row in rows:
            sink.add_findings([_row(row)])
        part, stats = sink.close()
        w.add_fields(stats)
        w.add_part(part, 0)
        w.add_error("bad.gz", None, None, None, "corrupt gzip data")
        if commit:
            w.commit({"scan_id": scan_id})


def test_commit_writes_partitions_manifest_and_fields(tmp_path):
    rows = [
        ROW,
        {**ROW, "record_index": 1, "line": 2},
        {
            **ROW,
            "record_index": 2,
            "value_hash": "h2",
            "event_time": datetime(2025, 3, 15, tzinfo=UTC),
        },
    ]
    _scan(tmp_path, "s1", rows)
    assert (tmp_path / "findings" / "scan_id=s1" / "part-000001.parquet").exists()
    findings = read_table(tmp_path, "findings")
    assert findings.num_rows == 3 and set(findings.column("scan_id").to_pylist()) == {"s1"}
    fields = read_table(tmp_path, "fields").to_pylist()
    assert len(fields) == 1
    f = fields[0]
    assert (f["findings"], f["records"], f["distinct_values"]) == (3, 3, 2)
    assert f["first_event_time"] == datetime(2025, 3, 14, tzinfo=UTC)
    assert f["last_event_time"] == datetime(2025, 3, 15, tzinfo=UTC)
    errors = read_table(tmp_path, "errors").to_pylist()
    assert errors[0]["scope"] == "file" and errors[0]["reason"] == "corrupt gzip data"
    assert [s["scan_id"] for s in read_manifest(tmp_path)["scans"]] == ["s1"]
    meta = pq.read_schema(tmp_path / "findings" / "scan_id=s1" / "part-000001.parquet").metadata
    assert json.loads(meta[b"catoscan"])["scan_id"] == "s1"
    assert not list(tmp_path.glob(".staging-*"))


def test_failed_scan_leaves_dataset_as_before(tmp_path):
    _scan(tmp_path, "s1", [ROW])
    with pytest.raises(RuntimeError):
        with DatasetWriter(tmp_path, "s2", {"key_id": "k"}) as w:
            sink = w.sink("task-0")
            sink.add_findings([_row(ROW)])
            w.add_part(sink.close()[0], 0)
            raise RuntimeError("boom")
    assert read_table(tmp_path, "findings").num_rows == 1
    assert not (tmp_path / "findings" / "scan_id=s2").exists()
    assert not list(tmp_path.glob(".staging-*"))


def test_crash_before_journal_is_dropped_after_journal_rolled_forward(tmp_path):
    _scan(tmp_path, "s1", [ROW])
    # A staged scan whose process died before the commit point (s2) is dropped on recovery.
    # A scan that reached the commit point (journal written) but died before the renames.
    import scanner.dataset as dataset

    def die(out, journal):
        raise KeyboardInterrupt

    real = dataset._roll_forward
    dataset._roll_forward = die
    try:
        with pytest.raises(KeyboardInterrupt):
            _scan(tmp_path, "s3", [ROW])
    finally:
        dataset._roll_forward = real
    assert (tmp_path / "_journal-s3.json").exists()
    (tmp_path / ".staging-s2" / "findings").mkdir(parents=True)
    recover(tmp_path)
    assert [s["scan_id"] for s in read_manifest(tmp_path)["scans"]] == ["s1", "s3"]
    assert read_table(tmp_path, "findings").num_rows == 2
    assert not (tmp_path / ".staging-s2").exists() and not list(tmp_path.glob("_journal-*"))


def test_second_writer_is_refused(tmp_path):
    from scanner.errors import ConfigError

    with DatasetWriter(tmp_path, "s1", {}):
        with pytest.raises(ConfigError, match="another scan"):
            DatasetWriter(tmp_path, "s2", {}).__enter__()


def test_commit_merges_runs_of_small_parts_in_order(tmp_path):
    # One part per input file would leave 100,000 tiny Parquet files for 100,000 small
    # files: consecutive small parts are merged at commit, up to batch_rows rows, in order.
    out, scan_id = tmp_path / "ds", "20260101T000000Z-000001"
    sizes = [1, 2, 1, 5, 1, 1, 3]  # rows per part; batch_rows=4
    with DatasetWriter(out, scan_id, {"scan_id": scan_id, "key_id": "k"}, batch_rows=4) as w:
        n = 0
        for i, size in enumerate(sizes):
            sink = w.sink(f"task-{i}")
            for _ in range(size):
                sink.add_findings([_row({**ROW, "record_index": n})])
                n += 1
            part, _stats = sink.close()
            w.add_part(part, 0)
        w.commit({"scan_id": scan_id})
    parts = sorted((out / "findings" / f"scan_id={scan_id}").glob("*.parquet"))
    # runs: 1+2+1 | 5 (too big to join) | 1+1 (a 3 would overflow) | 3
    assert [pq.ParquetFile(p).metadata.num_rows for p in parts] == [4, 5, 2, 3]
    assert read_table(out, "findings").column("record_index").to_pylist() == list(range(n))


def test_small_batches_fold_into_field_stats_as_arrow_does():
    """dataset._fold_small (Python, small batches) gives what _fold_arrow (group_by) gives."""
    import random

    from scanner.dataset import _fold_arrow, _fold_small

    rng = random.Random(11)

    def maybe(values):
        return None if rng.random() < 0.15 else rng.choice(values)

    schema = pa.schema([
        ("source_path", pa.string()), ("source_format", pa.string()), ("field", pa.string()),
        ("entity_type", pa.string()), ("policy_element", pa.string()),
        ("record_index", pa.int64()), ("value_hash", pa.string()), ("detector", pa.string()),
        ("event_time", pa.timestamp("us", tz="UTC")),
    ])
    times = [datetime(2025, 3, d, h, tzinfo=UTC) for d in (1, 2) for h in (0, 5, 23)]
    for size in (0, 1, 2, 17, 200):
        rows = [
            {
                "source_path": rng.choice(["a.jsonl", "b.cef"]),
                "source_format": "fmt",
                "field": maybe(["user", "src_ip", "msg"]),
                "entity_type": rng.choice(["PERSON", "IP_ADDRESS"]),
                "policy_element": rng.choice(["real name", "IP address"]),
                "record_index": maybe(range(5)),
                "value_hash": maybe(["h1", "h2", "h3"]),
                "detector": maybe(["field:user", "SpacyRecognizer"]),
                "event_time": maybe(times),
            }
            for _ in range(size)
        ]
        batch = pa.Table.from_pylist(rows, schema=schema)

        def normal(folded):
            return sorted(
                (tuple("\0" if k is None else k for k in key),
                 (n, r, sorted(h), sorted(d), first, last))
                for key, (n, r, h, d, first, last) in folded
            )

        assert normal(_fold_small(batch)) == normal(_fold_arrow(batch)), size


def test_sinks_sharing_a_value_store_write_what_sinks_of_their_own_write(tmp_path):
    """A process keeps one store of Arrow-converted values for all its parts."""
    import numpy as np

    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink, ValueStore

    def value(i, entity, element):
        return FindingValue(0, 5, entity, ("A",), element, True, 1.0, "field:x", f"h{i}",
                            "m***", None, None)

    ips = [value(i, "IP_ADDRESS", "IP address") for i in range(6)]
    names = [value(i, "PERSON", "real name") for i in range(6, 9)]
    when = datetime(2025, 3, 14, tzinfo=UTC)

    def fill(sink, vals):
        recs = [("a.jsonl", "fmt", n + 1, n, when) for n in range(len(vals))]
        index = np.arange(len(vals))
        fields = pa.array(["src_ip"], pa.string())
        sink.add_indexed(recs, vals, fields, index, index, np.zeros(len(vals), np.int64))
        return sink.close()

    def sink(name, values=None):
        return FindingsSink(tmp_path / f"{name}.parquet", FINDINGS_SCHEMA, key_id="k",
                            include_values=False, batch_rows=100, values=values)

    store = ValueStore(include_values=False)
    fill(sink("first", store), ips)
    # The second part's IPs were converted for the first part; its names are new.
    shared_part, shared_stats = fill(sink("shared", store), [*ips[3:], *names, ips[0]])
    own_part, own_stats = fill(sink("own"), [*ips[3:], *names, ips[0]])
    assert pq.read_table(shared_part).equals(pq.read_table(own_part))
    assert {k: (s.categories, s.findings, len(s.hashes)) for k, s in shared_stats.items()} == {
        k: (s.categories, s.findings, len(s.hashes)) for k, s in own_stats.items()
    }
    assert len(shared_stats) == 2
    with pytest.raises(ValueError, match="include-values"):
        FindingsSink(tmp_path / "x.parquet", FINDINGS_SCHEMA, key_id="k", include_values=True,
                     batch_rows=100, values=store)


def test_findings_parts_carry_statistics_on_where_and_when_only(tmp_path):
    rows = [{**ROW, "line": i + 1, "record_index": i} for i in range(5)]
    _scan(tmp_path, "20250101T000000Z-aaaaaa", rows)
    parts = sorted((tmp_path / "findings").rglob("*.parquet"))
    assert parts
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        with_stats = {
            meta.schema.column(i).path
            for i in range(meta.num_columns)
            if meta.row_group(0).column(i).is_stats_set
        }
        assert with_stats == {"source_path", "source_format", "line", "record_index",
                              "event_time"}
    lines = pq.ParquetFile(parts[0]).metadata.row_group(0).column(2).statistics
    assert (lines.min, lines.max) >= (1, 1)


def test_indexed_rows_fold_into_field_stats_as_arrow_does(tmp_path):
    """dataset._fold_indexed (integer codes, the fast path) gives what _fold_arrow gives on
    the same rows: random sources, fields, values, nulls and times (datetimes and ints)."""
    import random

    import numpy as np

    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink, _fold_arrow, _fold_indexed

    rng = random.Random(5)

    def maybe(values, p=0.15):
        return None if rng.random() < p else rng.choice(values)

    def normal(folded):
        return sorted(
            (tuple("\0" if k is None else k for k in key),
             (n, r, sorted(h), sorted(d), first, last))
            for key, (n, r, h, d, first, last) in folded
        )

    sink = FindingsSink(tmp_path / "p.parquet", FINDINGS_SCHEMA, key_id="k",
                        include_values=False, batch_rows=10_000)
    times = [datetime(2025, 3, d, h, tzinfo=UTC) for d in (1, 2) for h in (0, 5, 23)]
    times += [1741915425000000, 1741915425000001]  # microseconds, as epoch-ms columns give
    for size in (1, 2, 17, 300, 3000):
        n_recs = rng.randint(1, 60)
        recs = [(rng.choice(["a.jsonl", "b.cef"]), rng.choice(["fmt", "other"]), i + 1,
                 maybe(range(40), 0.05), maybe(times)) for i in range(n_recs)]
        vals = [FindingValue(0, 3, rng.choice(["PERSON", "IP_ADDRESS"]), ("A",),
                             rng.choice(["real name", "IP address"]), True, 1.0,
                             maybe(["field:user", "SpacyRecognizer"]), maybe(["h1", "h2", "h3"]),
                             "m***", None, None) for _ in range(rng.randint(1, 25))]
        fields = pa.array([maybe(["user", "src_ip", "msg", "x"], 0.1) for _ in range(4)],
                          pa.string())
        rec_index = np.sort(np.array([rng.randrange(n_recs) for _ in range(size)]))
        val_index = np.array([rng.randrange(len(vals)) for _ in range(size)])
        field_index = np.array([rng.randrange(4) for _ in range(size)])
        built = sink._table(recs, vals, rec_index, val_index,
                            pa.array(field_index, pa.int32()), fields)
        indexed = _fold_indexed(built, sink.values, fields, rec_index, field_index)
        assert normal(indexed) == normal(_fold_arrow(built.table)), size
