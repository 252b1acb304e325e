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
    "span_start": 0,
    "span_end": 10,
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
    value = FindingValue(d["span_start"], d["span_end"], d["entity_type"], tuple(d["ccpa_categories"]),
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
    from scanner.dataset import journal

    def die(out, record):
        raise KeyboardInterrupt

    real = journal.roll_forward
    journal.roll_forward = die
    try:
        with pytest.raises(KeyboardInterrupt):
            _scan(tmp_path, "s3", [ROW])
    finally:
        journal.roll_forward = real
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


def _add_indexed(sink, store, recs, vals, fields, rec_index, val_index, field_index):
    """sink.add_indexed of FindingValues: each added to ``store`` once, by identity."""
    import numpy as np

    rows = store.rows_of(vals)
    sink.add_indexed(recs, fields, rec_index, rows[np.asarray(val_index, np.int64)], field_index,
                     store, store.generation)


def test_sinks_given_one_value_store_write_what_sinks_given_stores_of_their_own_write(tmp_path):
    """A process keeps one store of Arrow-converted values for all its parts."""
    import numpy as np

    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink, ValueStore

    def value(i, entity, element):
        return FindingValue(0, 5, entity, ("A",), element, True, 1.0, "field:x", f"h{i}",
                            "m***", None, None)

    ips = [value(i, "IP_ADDRESS", "IP address") for i in range(6)]
    names = [value(i, "PERSON", "real name") for i in range(6, 9)]
    when = datetime(2025, 3, 14, tzinfo=UTC)

    def fill(sink, store, vals):
        recs = [("a.jsonl", "fmt", n + 1, n, when) for n in range(len(vals))]
        index = np.arange(len(vals))
        fields = pa.array(["src_ip"], pa.string())
        _add_indexed(sink, store, recs, vals, fields, index, index, np.zeros(len(vals), np.int64))
        return sink.close()

    def sink(name):
        return FindingsSink(tmp_path / f"{name}.parquet", FINDINGS_SCHEMA, key_id="k",
                            include_values=False, batch_rows=100)

    store = ValueStore(include_values=False)
    fill(sink("first"), store, ips)
    # The second part's IPs were converted for the first part; its names are new.
    shared_part, shared_stats = fill(sink("shared"), store, [*ips[3:], *names, ips[0]])
    own_part, own_stats = fill(sink("own"), ValueStore(False), [*ips[3:], *names, ips[0]])
    assert pq.read_table(shared_part).equals(pq.read_table(own_part))
    assert {k: (s.categories, s.findings, len(s.hashes)) for k, s in shared_stats.items()} == {
        k: (s.categories, s.findings, len(s.hashes)) for k, s in own_stats.items()
    }
    assert len(shared_stats) == 2
    one = np.zeros(1, np.int64)
    recs = [("a.jsonl", "fmt", 1, 0, when)]
    with pytest.raises(ValueError, match="include-values"):
        other = ValueStore(include_values=True)
        other.add((ips[0],))
        sink("x").add_indexed(recs, pa.array(["f"]), one, one, one, other)
    generation = store.generation
    store.clear()  # rows taken before are of no value now
    with pytest.raises(ValueError, match="cleared"):
        sink("y").add_indexed(recs, pa.array(["f"]), one, one, one, store, generation)


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


def test_findings_parts_keep_a_batch_of_distinct_hashes_in_one_dictionary(tmp_path):
    # 40,000 distinct 64-character hashes, each twice: past Parquet's default dictionary
    # page (1 MiB) the writer gave the dictionary up and wrote every hash in full.
    from hashlib import sha256

    from scanner.dataset import parts
    from scanner.dataset.schema import findings_schema

    schema = findings_schema(False)
    hashes = [sha256(str(i).encode()).hexdigest() for i in range(40_000)] * 2
    table = pa.table(
        {f.name: pa.nulls(len(hashes), f.type) for f in schema}, schema=schema
    ).set_column(schema.get_field_index("value_hash"), schema.field("value_hash"),
                 pa.array(hashes, pa.string()))
    with parts.writer(tmp_path / "part.parquet", schema) as out:
        out.write_table(table)
    column = pq.ParquetFile(tmp_path / "part.parquet").metadata.row_group(0).column(
        schema.get_field_index("value_hash"))
    assert column.has_dictionary_page
    # the dictionary (40,000 x 68 bytes) and 80,000 small indexes, not 80,000 hashes
    assert column.total_uncompressed_size < 40_000 * 68 + 80_000 * 4


def _group_by(rows):
    """The ``fields`` statistics of findings rows, by a plain group-by (the tests' oracle).

    As Arrow's aggregations count: a null record index is no finding or record, and a null
    hash, detector or time is no distinct value, detector or time.
    """
    groups = {}
    for r in rows:
        key = (r["source_path"], r["source_format"], r["field"], r["entity_type"],
               r["policy_element"])
        g = groups.setdefault(key, [tuple(r["ccpa_categories"]), r["policy_declared"], 0, set(),
                                    set(), set(), set()])
        if r["record_index"] is not None:
            g[2] += 1
            g[3].add(r["record_index"])
        for column, seen in (("value_hash", g[4]), ("detector", g[5]), ("event_time", g[6])):
            if r[column] is not None:
                seen.add(r[column])
    return {
        key: (cats, declared, n, len(records), len(hashes), detectors, min(t, default=None),
              max(t, default=None))
        for key, (cats, declared, n, records, hashes, detectors, t) in groups.items()
    }


def _stats(stats):
    return {
        key: (s.categories, s.declared, s.findings, s.records, len(s.hashes), s.detectors, s.first,
              s.last)
        for key, s in stats.items()
    }


def _random_findings(rng, calls):
    """``calls`` batches of random findings (records, values, fields, indexes), nulls and
    times (datetimes and ints) included; each batch's record indexes are its own."""
    import numpy as np

    def maybe(values, p=0.15):
        return None if rng.random() < p else rng.choice(values)

    times = [datetime(2025, 3, d, h, tzinfo=UTC) for d in (1, 2) for h in (0, 5, 23)]
    times += [1741915425000000, 1741915425000001]  # microseconds, as epoch-ms columns give
    tags = [("PERSON", "real name", ("A",), True), ("IP_ADDRESS", "IP address", ("B", "C"), False),
            ("PERSON", "user name", ("A",), True)]
    for call, size in enumerate(calls):
        n_recs = rng.randint(1, 60)
        recs = [(rng.choice(["a.jsonl", "b.cef"]), rng.choice(["fmt", "other"]), i + 1,
                 maybe(range(100 * call, 100 * call + 40), 0.05), maybe(times))
                for i in range(n_recs)]
        vals = [FindingValue(0, 3, entity, categories, element, declared, 1.0,
                             maybe(["field:user", "SpacyRecognizer"]), maybe(["h1", "h2", "h3"]),
                             "m***", None, None)
                for entity, element, categories, declared in
                (rng.choice(tags) for _ in range(rng.randint(1, 25)))]
        fields = [maybe(["user", "src_ip", "msg", "x"], 0.1) for _ in range(4)]
        rec_index = np.sort(np.array([rng.randrange(n_recs) for _ in range(size)], np.int64))
        val_index = np.array([rng.randrange(len(vals)) for _ in range(size)], np.int64)
        field_index = np.array([rng.randrange(4) for _ in range(size)], np.int64)
        yield recs, vals, fields, rec_index, val_index, field_index


@pytest.mark.parametrize("how", ["indexed", "rows", "both"])
@pytest.mark.parametrize("store_max", [None, 7])
def test_field_stats_are_a_group_by_of_the_findings_written(tmp_path, monkeypatch, how,
                                                            store_max):
    """The sink's one fold, fed column-wise (the fast path), row by row, or both in turn,
    over batches and writes, gives what a plain group-by of the part's rows gives; also when
    the value store starts afresh between batches."""
    import random

    import pyarrow.parquet as pq

    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink, values

    if store_max is not None:
        monkeypatch.setattr(values, "STORE_MAX", store_max)
    rng = random.Random(5)
    sink = FindingsSink(tmp_path / "p.parquet", FINDINGS_SCHEMA, key_id="k",
                        include_values=False, batch_rows=500)
    store = values.ValueStore(include_values=False)
    batches = _random_findings(rng, (1, 2, 17, 300, 3000, 0, 40, 800))
    for call, (recs, vals, fields, rec_index, val_index, field_index) in enumerate(batches):
        if how == "indexed" or (how == "both" and call % 2):
            _add_indexed(sink, store, recs, vals, pa.array(fields, pa.string()), rec_index,
                         val_index, field_index)
        else:
            sink.add_findings([(recs[r], fields[f], vals[v])
                               for r, v, f in zip(rec_index, val_index, field_index, strict=True)])
    part, stats = sink.close()
    rows = pq.read_table(part).to_pylist()
    assert len(rows) == 1 + 2 + 17 + 300 + 3000 + 40 + 800
    assert _stats(stats) == _group_by(rows)


def test_field_stats_of_chunks_merge_into_the_stats_of_the_whole(tmp_path):
    """The ranges of one file are folded by different sinks and merged (FieldStats.merge)."""
    import random

    import pyarrow.parquet as pq

    from scanner.dataset import FINDINGS_SCHEMA, FindingsSink, ValueStore

    rng = random.Random(7)
    sinks = [FindingsSink(tmp_path / f"{i}.parquet", FINDINGS_SCHEMA, key_id="k",
                          include_values=False, batch_rows=100) for i in range(3)]
    store = ValueStore(include_values=False)
    batches = _random_findings(rng, (5, 200, 1, 90, 400, 33))
    for call, (recs, vals, fields, rec_index, val_index, field_index) in enumerate(batches):
        _add_indexed(sinks[call % 3], store, recs, vals, pa.array(fields, pa.string()),
                     rec_index, val_index, field_index)
    merged, rows = {}, []
    for sink in sinks:
        part, stats = sink.close()
        rows += pq.read_table(part).to_pylist()
        for key, chunk in stats.items():
            if key in merged:
                merged[key].merge(chunk)
            else:
                merged[key] = chunk
    assert _stats(merged) == _group_by(rows)


def test_scans_of_schema_version_1_read_in_todays_column_names(tmp_path, key_file):
    """``start``/``end`` (quoted in SQL: ``end`` is a keyword) became ``span_start``/
    ``span_end`` in schema version 2; a dataset holding version-1 scans still reads whole."""
    from pathlib import Path

    from click.testing import CliRunner

    from scanner.cli import cli
    from scanner.dataset import read_manifest, read_table

    src = Path(__file__).resolve().parent.parent / "sample_data" / "cef"
    out = tmp_path / "inv"
    args = ["scan", str(src), "--out", str(out), "--key-file", str(key_file), "--nlp", "none"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    # Make that scan what version 1 wrote: its columns and its manifest entry.
    manifest = read_manifest(out)
    old = manifest["scans"][0]
    old["schema_version"] = "1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    for part in (out / "findings" / f"scan_id={old['scan_id']}").glob("*.parquet"):
        table = pq.read_table(part)
        names = {"span_start": "start", "span_end": "end"}
        pq.write_table(table.rename_columns([names.get(n, n) for n in table.column_names]), part)
    result = CliRunner().invoke(cli, [*args, "--incremental"])
    assert result.exit_code == 0
    new = read_manifest(out)["scans"][-1]
    assert new["schema_version"] == "2"
    assert new["carried_forward"] is None  # version-1 rows are not carried into version 2
    rows = read_table(out, "findings").to_pylist()
    assert {r["scan_id"] for r in rows} == {old["scan_id"], new["scan_id"]}
    assert all(0 <= r["span_start"] < r["span_end"] for r in rows)
    assert "start" not in read_table(out, "findings").column_names
    by_scan = {sid: sorted((r["value_hash"], r["span_start"], r["span_end"]) for r in rows
                           if r["scan_id"] == sid) for sid in (old["scan_id"], new["scan_id"])}
    assert by_scan[old["scan_id"]] == by_scan[new["scan_id"]]


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_distinct_values_are_np_unique_on_narrow_and_wide_ranges(dtype):
    """Both ways of ``stats._distinct`` (a table of a narrow range, a sort of a wide one)."""
    import numpy as np

    from scanner.dataset.stats import _distinct

    rng = np.random.default_rng(3)
    # digests near the top of uint64 do not fit an int64
    lows = (0, (1 << 64) - (1 << 30)) if dtype == "uint64" else (0, -(1 << 40))
    for size in (0, 1, 2, 7, 1000, 50_000):
        for width in (1, 3, size or 1, 4 * size + 1024, 4 * size + 1025, 1 << 62):
            for low in lows if width < 1 << 28 else (0,):
                a = (rng.integers(0, width, size).astype(dtype) + np.array(low, dtype))
                got = _distinct(a)
                assert got.dtype == a.dtype
                assert got.tolist() == np.unique(a).tolist()


def test_distinct_digests_count_each_value_once_across_chunks_and_pickles():
    """A fields row's distinct values: 8 bytes a value, merged across chunks and processes."""
    import pickle
    from hashlib import sha256

    import numpy as np

    from scanner.dataset.stats import DistinctDigests
    from scanner.dataset.values import digest64, digests64

    values = [sha256(str(i).encode()).hexdigest() for i in range(20_000)]  # as keyed hashes
    digests = np.array([digest64(v) for v in values], np.uint64)
    assert len(set(digests.tolist())) == len(values)
    assert digest64(values[0]) == digest64(str(values[0]))  # stable: no per-run hashing
    assert digests64(values).tolist() == digests.tolist()  # read at once, as one by one
    assert digests64([*values[:100], None]).tolist() == [*digests[:100].tolist(), 0]
    # other texts than keyed hashes: one by one, the same in both
    others = ["h1", values[5].upper(), values[6][:63] + "g", values[7][:62] + " 0", ""]
    assert digests64(others).tolist() == [digest64(v) for v in others]
    assert digests64(values[:3] + others[:1]).tolist() == [digest64(v) for v in
                                                          values[:3] + others[:1]]
    assert len(set(digests64([*others, values[5]]).tolist())) == len(others) + 1
    a, b = DistinctDigests(), DistinctDigests()
    for start in range(0, 15_000, 1000):  # many small chunks, overlapping the other's
        a.update(np.unique(digests[start : start + 1000]))
    b.update(np.unique(digests[10_000:]))
    b.update(np.unique(digests[10_000:12_000]))
    a.update(pickle.loads(pickle.dumps(b)))
    assert len(a) == 20_000
    assert a.array().dtype == np.uint64 and a.array().nbytes == 8 * 20_000
    assert len(pickle.loads(pickle.dumps(a))) == 20_000
    assert len(DistinctDigests()) == 0
