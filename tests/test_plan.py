"""Planning a scan: manifest entries in their user-facing form, and the tasks cut from inputs.

The manifest's ``inputs`` entries are a contract (docs/dataset.md): every shape the pipeline
writes is pinned here, key order included, and read back unchanged.
"""

import json
from pathlib import Path

import pytest

from scanner import plan
from scanner.inputs import Counts, InputEntry, InputState
from scanner.sources import InputFile, PathFilter

SHA = "ab" * 32
LISTED = InputEntry("a.log", 10, 123, SHA)

SHAPES = [
    # scanned
    (
        LISTED.scanned(Counts(3, 1, 0)),
        {
            "path": "a.log",
            "size": 10,
            "mtime_ns": 123,
            "sha256": SHA,
            "records": 3,
            "sources": 1,
            "failed_sources": 0,
        },
    ),
    # could not be read when listed: no mtime, a null hash
    (
        InputEntry("b.log", 0, None, None).scanned(Counts(0, 1, 1)),
        {
            "path": "b.log",
            "size": 0,
            "sha256": None,
            "records": 0,
            "sources": 1,
            "failed_sources": 1,
        },
    ),
    # named by URI and hashed by the executor that read it
    (
        InputEntry("s3.log", 5, 9, None).hashed(SHA).scanned(Counts(2, 1, 0)),
        {
            "path": "s3.log",
            "size": 5,
            "mtime_ns": 9,
            "sha256": SHA,
            "records": 2,
            "sources": 1,
            "failed_sources": 0,
        },
    ),
    # named by URI, no hash came back
    (
        InputEntry("s3.log", 5, 9, None).scanned(Counts(2, 1, 0)),
        {
            "path": "s3.log",
            "size": 5,
            "mtime_ns": 9,
            "records": 2,
            "sources": 1,
            "failed_sources": 0,
        },
    ),
    (
        LISTED.carried(Counts(3, 2, 1), "20250101T000000Z-aaaaaa"),
        {
            "path": "a.log",
            "size": 10,
            "mtime_ns": 123,
            "sha256": SHA,
            "records": 3,
            "sources": 2,
            "failed_sources": 1,
            "carried_from": "20250101T000000Z-aaaaaa",
        },
    ),
    (
        LISTED.resumed(Counts(3, 1, 0), "20250101T000000Z-bbbbbb"),
        {
            "path": "a.log",
            "size": 10,
            "mtime_ns": 123,
            "sha256": SHA,
            "records": 3,
            "sources": 1,
            "failed_sources": 0,
            "resumed_from": "20250101T000000Z-bbbbbb",
        },
    ),
    # planned, not yet read (what a checkpoint's identity look-up sees)
    (LISTED, {"path": "a.log", "size": 10, "mtime_ns": 123, "sha256": SHA}),
]


@pytest.mark.parametrize("entry, manifest", SHAPES)
def test_an_input_entry_is_written_as_ever_and_read_back(entry, manifest):
    assert json.dumps(entry.to_manifest()) == json.dumps(manifest)  # keys in the same order
    assert InputEntry.from_manifest(manifest) == entry


def test_an_older_manifest_entry_without_failed_sources_counts_none():
    old = {"path": "a.log", "size": 10, "mtime_ns": 123, "sha256": SHA, "records": 3, "sources": 1}
    entry = InputEntry.from_manifest(old)
    assert entry.state is InputState.SCANNED and entry.counts == Counts(3, 1, 0)


def _listing(tmp_path, sizes, ranges=None):
    """A listing of files of ``sizes`` bytes (not written: planning reads only entries)."""
    files = [InputFile(tmp_path / f"f{i}.log", f"f{i}.log") for i in range(len(sizes))]
    described = [
        plan.Described(InputEntry(f.display, size, 1, SHA), (ranges or {}).get(i, []))
        for i, (f, size) in enumerate(zip(files, sizes, strict=True))
    ]
    return plan.Listing([tmp_path], tmp_path, files, described, [], 0, PathFilter())


def test_small_files_are_batched_and_large_ones_cut_in_ranges(tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "BATCH_FILES", 2)
    big = plan.SMALL_FILE_BYTES
    ranges = {3: [plan.LineRange(0, 50, 1, "cef"), plan.LineRange(50, big, 7, "cef")]}
    listing = _listing(tmp_path, [10, 20, 30, big, 40, big], ranges)
    entries = listing.entries
    entries[1] = entries[1].carried(Counts(1, 1, 0), "20250101T000000Z-aaaaaa")
    remote = plan.Remote(
        [(InputFile(Path("r.log"), "r.log", "s3a://b/r.log"), InputEntry("r.log", 7, 2, None))],
        excluded=3,
    )
    scan = plan.plan_tasks(listing, entries, remote)
    shapes = [
        (t.seq, t.item.display, [b.display for b in t.batch], t.start, t.last) for t in scan.tasks
    ]
    assert shapes == [
        (0, "f0.log", ["f2.log"], None, True),  # f1.log was carried forward
        (1, "f3.log", [], 0, False),
        (2, "f3.log", [], 50, True),
        (3, "f4.log", [], None, True),  # a batch of one: the next file is large
        (4, "f5.log", [], None, True),
        (5, "r.log", [], None, True),
    ]
    assert scan.owners == ((0, 2), (3,), (3,), (4,), (5,), (6,))
    assert [scan.tasks[2].first_line, scan.tasks[2].first_index] == [7, 6]
    assert scan.tasks[1].stat == scan.tasks[2].stat == (big, 1)
    assert [e.path for e in scan.todo] == [
        "f0.log",
        "f2.log",
        "f3.log",
        "f4.log",
        "f5.log",
        "r.log",
    ]
    assert scan.total_bytes == 10 + 20 + 30 + big + 40 + big + 7
    assert scan.excluded == 3


@pytest.mark.parametrize("size", [8 * 1024**2 + 1, 20 * 10**6, 128 * 1024**2])
def test_ranges_are_even_and_as_many_as_a_multiple_of_four(size):
    """Only a file larger than CHUNK_BYTES is split; the cut is the same for any workers."""
    step = plan.range_bytes(size)
    count = -(-size // step)
    assert step <= plan.CHUNK_BYTES and count % plan.RANGES_MULTIPLE == 0
    # no more ranges than it takes: fewer than four more than CHUNK_BYTES needs
    assert count < -(-size // plan.CHUNK_BYTES) + plan.RANGES_MULTIPLE


@pytest.mark.parametrize(
    ("size", "count"),
    [
        (128 * 1024**2 + 1, 16),  # one byte more than MAX_RANGES chunks: 16 longer ranges
        (300 * 10**6, 16),
        (10**9, 16),
        (2 * 1024**3, 32),  # past RANGE_GROWTH chunks a range, more ranges again
        (10**10 + 7, 152),
    ],
)
def test_ranges_of_a_large_file_grow_rather_than_outnumber_max_ranges(size, count):
    """Each task learns its templates afresh: a large file is not cut into hundreds of tasks."""
    step = plan.range_bytes(size)
    assert -(-size // step) == count and count % plan.RANGES_MULTIPLE == 0
    assert plan.CHUNK_BYTES < step <= plan.RANGE_GROWTH * plan.CHUNK_BYTES
    # plain text grows from its own chunk size: a 100 MB client log is 16 ranges of 6.25 MB
    assert plan.range_bytes(100 * 10**6, plan.TEXT_CHUNK_BYTES) == 6_250_000


def test_range_length_of_an_empty_or_small_file():
    assert plan.range_bytes(0) == 1 and plan.range_bytes(1) == 1
    assert plan.range_bytes(8 * 1024**2) == 2 * 1024**2


def test_plain_text_is_cut_smaller_than_json_lines_and_its_ranges_are_pooled(tmp_path):
    """Free text costs a millisecond a line: a client log of a few MB is worth two cores."""
    text, events = tmp_path / "client.log", tmp_path / "events.jsonl"
    line = b"2025-03-14 01:20:30.123 INFO connected as user number %d from the office\n"
    with open(text, "wb") as fh:
        while fh.tell() <= 3 * plan.TEXT_CHUNK_BYTES:
            fh.write(line % fh.tell())
    with open(events, "wb") as fh:
        while fh.tell() <= text.stat().st_size:
            fh.write(b'{"event_type": "Connectivity", "n": %d}\n' % fh.tell())
    cut = plan.describe(InputFile(text, "client.log"), None)
    assert cut.entry.size < plan.CHUNK_BYTES  # a JSON-lines file this large stays whole
    assert not plan.describe(InputFile(events, "events.jsonl"), None).ranges
    assert len(cut.ranges) % plan.RANGES_MULTIPLE == 0 and {r.format for r in cut.ranges} == {
        "text"
    }
    assert max(r.end - r.start for r in cut.ranges) <= plan.TEXT_CHUNK_BYTES
    assert [r.start for r in cut.ranges[1:]] == [r.end for r in cut.ranges[:-1]]
    assert cut.ranges[-1].end == cut.entry.size
    # Under the size a pool pays for in structured records, its ranges still get one.
    listing = plan.Listing(
        [tmp_path], tmp_path, [InputFile(text, "client.log")], [cut], [], 0, PathFilter()
    )
    scan = plan.plan_tasks(listing, listing.entries, plan.Remote([], 0))
    assert cut.entry.size < plan.pool.POOL_MIN_BYTES and scan.workers(2) == 2
    whole = plan.Listing(
        [tmp_path],
        tmp_path,
        [InputFile(text, "client.log")],
        [cut._replace(ranges=[])],
        [],
        0,
        PathFilter(),
    )
    assert plan.plan_tasks(whole, whole.entries, plan.Remote([], 0)).workers(2) == 1
