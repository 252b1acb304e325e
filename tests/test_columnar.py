"""The columnar path writes the same dataset, row for row, as the row path (scanner.rowpath)."""

import dataclasses
import gzip
import json
import random
import shutil
from pathlib import Path

import pytest

from scanner import columnar, pipeline, plan, rowpath, worker
from scanner.columnar import blocks, json_blocks
from scanner.config import ScanConfig, load_configs
from scanner.dataset import read_table
from scanner.hashing import key_id

ROOT = Path(__file__).resolve().parent.parent
KEY = b"columnar-test-key-0123456789abcdef"

NAMES = ["Emily Carter", "山田 太郎", "Noah Brooks", "佐藤 花子", "Zoë Ångström", "José Núñez 🙂"]
MESSAGES = [
    "User {name} connected from {ip}",
    "Session closed for {email}",
    "License job applied 1 and revoked 0 licenses",
    "call 090-5555-{n:04d} now",
    "{name} は {ip} から接続しました",
    "",
]


def _event(rng: random.Random, i: int) -> dict:
    u = rng.randrange(40)
    name = NAMES[u % len(NAMES)]
    ip = f"192.0.2.{u + 1}"
    email = f"user{u}@example.com"
    e = {
        "event_timestamp": f"2025-03-14T01:{i // 60 % 60:02d}:{i % 60:02d}Z",
        "time": 1741915425000 + i * 7,
        "src_ip": ip,
        "user_name": name,
        "vpn_user_email": email,
        "device_name": f"DESKTOP-{u:04X}",
        "src_is_site_or_vpn": rng.choice(["SDP User", "Site", "VPN User"]),
        "src_site_name": rng.choice([name, "Tokyo Office", "HQ"]),
        "src_site_id": str(1000 + u),
        "dest_port": rng.choice([443, 80, 8443]),
        "event_message": rng.choice(MESSAGES).format(name=name, ip=ip, email=email, n=i),
    }
    kind = i % 11
    if kind == 1:
        del e["src_is_site_or_vpn"]  # condition field missing
    elif kind == 2:
        e["user_name"] = None
        e["src_ip"] = ""
    elif kind == 3:
        e["score"] = 0.5 + u
        e["blocked"] = True
        e["src_port"] = 51234
    elif kind == 4:
        e["user"] = {"name": name, "emails": [{"value": email}, {"value": f"alt{u}@example.org"}]}
    elif kind == 5:
        e["tags"] = ["vpn", name, 7, None, {"host": f"host-{u}.example.com"}]
    elif kind == 6:
        e = {"vpn_user_email": email, "event_timestamp": e["event_timestamp"], **e}  # key order
    elif kind == 7:
        e["src_ip.extra"] = ip
        e["src_ip"] = {"extra": f"198.51.100.{u + 1}"}  # two pairs with one path
    elif kind == 8:
        e["time"] = str(e["time"])
        e["dest_is_site_or_vpn"] = "SDP User"
        e["dest_site_name"] = name
    elif kind == 9:
        e["time"] = "not a time"
    return e


def _audit(rng: random.Random, i: int) -> dict:
    u = rng.randrange(20)
    return {
        "audit_timestamp": 1741915425 + i,
        "admin": rng.choice(["System User #40276", f"Admin {NAMES[u % len(NAMES)]}"]),
        "admin_id": str(500 + u),
        "model_type": rng.choice(["User", "Site", "Admin"]),
        "model_name": NAMES[u % len(NAMES)],
        "change_type": "MODIFIED",
        "change.After.firstName": NAMES[u % len(NAMES)].split()[0],
        "change.Before.lastName": NAMES[u % len(NAMES)].split()[-1],
    }


def _push(rng: random.Random, i: int) -> dict:
    u = rng.randrange(30)
    fields = {
        "time": 1741915425000 + i,
        "src_ip": f"203.0.113.{u}",
        "user_name": NAMES[u % len(NAMES)],
        "vpn_user_email": f"p{u}@example.com",
    }
    return {"fieldsMap": fields} if i % 3 == 0 else fields


def _write(path: Path, lines: list[str], bom: bool = False) -> None:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        fh.write("".join(lines))


def write_corpus(d: Path) -> Path:
    rng = random.Random(4)
    shutil.copytree(ROOT / "sample_data", d / "sample_data")
    lines = []
    for i in range(900):
        lines.append(json.dumps(_event(rng, i), ensure_ascii=i % 2 == 0) + "\n")
        if i % 97 == 5:
            lines.append("\n   \n")
        if i % 130 == 17:
            lines.append("{broken json\n")
        if i % 150 == 40:  # a pretty-printed value across lines (and across blocks)
            lines.append(json.dumps(_event(rng, i), indent=2) + "\n")
        if i % 170 == 60:
            lines.append('[{"user_name": "Noah Brooks"}, {"user_name": "Emily Carter"}]\n')
        if i % 190 == 70:
            lines.append('"just a string"\n42\n')
        if i % 210 == 80:
            lines.append('{"user_name": "big number", "n": 18446744073709551616}\n')
        if i % 230 == 90:
            lines.append(json.dumps({f"f{k}": f"v{k}" for k in range(60)}) + "\n")
        if i % 250 == 100:
            lines.append('{"a": ' * 12 + "1" + "}" * 12 + "\n")
        if i % 270 == 110:
            lines.append('{"user_name": "' + "x" * 5000 + '"}\n')
        if i % 290 == 120:
            lines.append(
                '{"user_name": "bad \xff bytes"}\r\n'.encode("latin-1").decode(
                    "utf-8", "surrogateescape"
                )
            )
    with open(
        d / "events.jsonl", "w", encoding="utf-8", newline="", errors="surrogateescape"
    ) as fh:
        fh.write("\ufeff" + "".join(lines))
    _write(d / "audit.jsonl", [json.dumps(_audit(rng, i)) + "\n" for i in range(300)])
    packed = gzip.compress("".join(json.dumps(_event(rng, i)) + "\n" for i in range(400)).encode())
    (d / "truncated.jsonl.gz").write_bytes(packed[: len(packed) * 2 // 3])
    _write(d / "push.json", [json.dumps(_push(rng, i)) + "\n" for i in range(300)], bom=True)
    # Documents inside values (scanner.embedded): an Elastic-shaped export with the raw
    # record in event.original and a namespace, and logs whose lines end in a JSON body.
    ecs = []
    for i in range(300):
        e = _event(rng, i)
        doc = {"@timestamp": e["event_timestamp"], "event": {"original": json.dumps(e)},
               "cato_networks": {"event": {"src_site_name": e["user_name"],
                                           "src_is_site_or_vpn": "SDP User" if i % 3 else "Site"}},
               "user": {"name": e["user_name"]}, "source": {"address": e["src_ip"]}}
        if i % 40 == 5:
            doc["event"]["original"] = "{not json " + e["user_name"]  # scanned as prose
        ecs.append(json.dumps(doc) + "\n")
    _write(d / "elastic.ndjson", ecs)
    _write(d / "client.log", [f"2025-03-14 01:20:{i % 60:02d} [INFO] /ua response: "
                              + json.dumps({"login_name": f"user{i % 9}",
                                            "display_name": NAMES[i % len(NAMES)]}) + "\n"
                              for i in range(100)])
    cef = []
    for i in range(400):
        u = rng.randrange(25)
        name = NAMES[u % len(NAMES)]
        extra = f" cs5=call 090-5555-{i:04d} cs5Label=Note" if i % 3 == 0 else ""
        if i % 4 == 1:  # a document in a value
            extra += f' msg={{"login_name": "user{u}", "time": "2025-03-14T02:00:0{i % 10}Z"}}'
        if i % 8 == 3:  # and one that gives the record its only time
            extra += ' cs6={"time": "2025-03-14T03:00:00Z", "src": "192.0.2.7"}'
        rt = f"rt=Mar 14 2025 01:23:{i % 60:02d} " if i % 8 != 3 else ""
        cef.append(
            f"Mar 14 01:23:{i % 60:02d} host CEF:0|CatoNetworks||1.0|Security|Internet Firewall|5|"
            f"{rt}src=192.0.2.{u} shost={name} "
            f"suser=user{u}@example.com{extra} act=Block\n"
        )
        if i % 90 == 7:
            cef.append("not a cef line at all\n")
    _write(d / "cato.cef", cef)
    csv_lines = ["Time,Event Type,Sub-Type,User Name,User Email,Source IP,Device Name,Note\n"]
    for i in range(400):
        u = rng.randrange(25)
        name = NAMES[u % len(NAMES)]
        note = ['"Smith, John called 090-5555-0001"', "", f"host-{u}",  # and documents:
                f'"{{""login_name"": ""user{u}"", ""src"": ""192.0.2.{u}""}}"',
                f"user=user{u} src=192.0.2.{u}"][i % 5]  # fmt: skip
        email = "" if i % 7 == 0 else f"user{u}@example.com"
        row = f"2025-03-14T01:23:{i % 60:02d}.000Z,Security,Internet Firewall,{name},{email},"
        row += f"192.0.2.{u},DESKTOP-{u:04X},{note}\n"
        csv_lines.append(row if i % 50 != 9 else row.rsplit(",", 2)[0] + "\n")
    _write(d / "events_export.csv", csv_lines, bom=True)
    # A JSON array of objects that leave out different keys, some in another key order:
    # nearly a shape per record, which blocks hold in shared groups (blocks._united).
    docs = []
    for i in range(400):
        e = _event(rng, i)
        keys = [k for k in e if rng.random() > 0.3] or ["user_name"]
        if i % 9 == 4:
            rng.shuffle(keys)
        docs.append({k: e[k] for k in keys if k in e})
    (d / "documents.json").write_text(json.dumps(docs, indent=1), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("columnar"))


def _config(paths, out, nlp, include_values=False):
    configs = load_configs()
    limits = configs.scanner.limits.model_copy(
        update={"max_line_bytes": 4096, "max_fields_per_record": 50, "max_json_depth": 8}
    )
    # Free text per template is off: a message's findings may depend on the messages read
    # before it in its task, and the two paths batch them differently; what is compared
    # here is reading and routing (tests/test_templates.py compares engines and workers).
    nlp_settings = configs.scanner.nlp.model_copy(
        update={"templates": configs.scanner.nlp.templates.model_copy(update={"exemplars": 0})}
    )
    configs = dataclasses.replace(
        configs,
        scanner=configs.scanner.model_copy(
            update={
                "limits": limits,
                "cache_size": 50,  # many flushes
                "batch_rows": 700,
                "nlp": nlp_settings,
            }
        ),
    )
    return ScanConfig(
        paths=tuple(paths),
        out=out,
        configs=configs,
        key=KEY,
        key_id=key_id(KEY),
        key_source="test",
        nlp=nlp,
        workers=1,
        include_values=include_values,
    )


def _small_blocks(monkeypatch, lines):
    """Blocks of ``lines`` records (JSON lines, CEF and CSV records alike)."""
    monkeypatch.setattr(blocks, "BLOCK_RECORDS", lines)


def _tables(out):
    return {
        t: read_table(out, t).drop_columns(["scan_id"]).to_pylist()
        for t in ("findings", "fields", "errors")
    }


@pytest.mark.parametrize("nlp,include_values", [("none", True), ("spacy", False)])
def test_columnar_matches_row_path(corpus, tmp_path, monkeypatch, nlp, include_values):
    _small_blocks(monkeypatch, 16)  # many blocks, some of them fallbacks
    monkeypatch.setattr(plan, "CHUNK_BYTES", 48 * 1024)  # ranges of events.jsonl too
    fast = pipeline.run(_config([corpus], tmp_path / "fast", nlp, include_values))
    monkeypatch.setattr(columnar, "FORMATS", frozenset())
    monkeypatch.setattr(worker.SourceScanner, "_detect", rowpath.detect_records)
    rows = pipeline.run(_config([corpus], tmp_path / "rows", nlp, include_values))
    assert (fast.records, fast.findings, fast.errors) == (rows.records, rows.findings, rows.errors)
    a, b = _tables(tmp_path / "fast"), _tables(tmp_path / "rows")
    for table in a:
        assert a[table] == b[table], table
    formats = {r["source_format"] for r in a["findings"]}
    assert {
        "eventsfeed-jsonl",
        "auditfeed-jsonl",
        "push-ndjson",
        "cef",
        "cma-events-csv",
        "elastic-ecs-json",
        "json",
        "text",
    } <= formats
    fields = {r["field"] for r in a["findings"]}
    assert {"event.original>user_name", "cato_networks.event.src_site_name",
            ">display_name"} <= fields
    assert fast.findings > 5000 and fast.errors > 10


def test_fast_path_reads_blocks_and_falls_back(corpus, tmp_path, monkeypatch):
    """Both kinds of block occur on the test corpus, so the comparison above means something."""
    monkeypatch.setattr(blocks, "BLOCK_RECORDS", 16)
    from scanner.readers.textio import ReadOptions

    opts = ReadOptions(time_fields=("time",), max_line_bytes=4096, max_fields=50, max_json_depth=8)
    with open(corpus / "events.jsonl", "rb") as fh:
        items = list(columnar.read_blocks(fh, fh.peek(4096), opts))
    read = [i for i in items if isinstance(i, columnar.Block)]
    assert len(read) > 20 and len(items) - len(read) > 100
    assert any(len(b.groups) > 3 for b in read)


def test_many_shapes_share_groups_and_keep_each_records_field_order():
    from scanner.record import Record

    rng = random.Random(9)
    names = [f"k{i}" for i in range(12)]
    records = []
    for pos in range(300):
        paths = [n for n in names if rng.random() > 0.4] or ["k0"]
        if pos % 7 == 3:
            rng.shuffle(paths)  # another order
        if pos % 31 == 5:
            paths.append(paths[0])  # a path twice
        records.append(Record(pos, pos + 1, [(p, f"{p}={pos}") for p in paths], None))
    block = blocks.block_of(records)
    assert len(block.groups) < 150  # far fewer groups than shapes
    seen: dict[int, list[tuple[str, str]]] = {}
    for group in block.groups:
        for c, path in enumerate(group.paths):
            for pos, text in zip(group.positions, group.texts(c), strict=True):
                if text is not None:
                    seen.setdefault(pos, []).append((path, text))
    # a group's columns come in each of its records' field order
    assert [seen[pos] for pos in range(300)] == [r.fields for r in records]
    assert sorted(p for g in block.groups for p in g.positions) == list(range(300))


def test_epoch_millisecond_columns_give_the_instants_parse_time_gives():
    """The vectorised epoch-ms path accepts exactly the columns parse_time reads that way."""
    from datetime import UTC, datetime, timedelta

    from scanner.timeparse import parse_time

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rng = random.Random(5)
    good = [str(rng.randrange(10**12, 4_102_444_800_000)) for _ in range(500)]
    edges = ["0946684800000", "4102444799999"]  # the first and last accepted milliseconds
    accepted = [good, edges, good[:1]]
    rejected = [
        [*good[:5], "0946684799999"],  # a millisecond before 2000
        [*good[:5], "4102444800000"],  # 2100
        [*good[:5], "174191542502"],  # 12 digits
        [*good[:5], "17419154250290"],  # 14 digits
        [*good[:5], "174191542502\u0661"],  # a non-ASCII digit
        [*good[:5], " 741915425029"],
        [*good[:5], 1741915425029],  # a JSON number
        [*good[:5], None],
        ["2025-03-14T01:2"],  # 13 characters, not digits
    ]
    for column in accepted:
        times = [None] * len(column)
        assert json_blocks._epoch_millis(column, list(range(len(column))), times)
        assert [epoch + timedelta(microseconds=t) for t in times] == list(map(parse_time, column))
    for column in rejected:
        times = [None] * len(column)
        assert not json_blocks._epoch_millis(column, list(range(len(column))), times)
        assert times == [None] * len(column)
    # A record whose time an earlier field gave keeps it.
    times = [epoch, None]
    assert json_blocks._epoch_millis(good[:2], [0, 1], times)
    assert times[0] is epoch and epoch + timedelta(microseconds=times[1]) == parse_time(good[1])


def test_a_detection_error_in_merged_small_files_costs_only_its_file(tmp_path, monkeypatch):
    """Small files are detected together; a bug met on one is reported on that one."""
    src = tmp_path / "logs"
    src.mkdir()
    for name in ("a", "b", "c"):
        lines = [json.dumps({"event_timestamp": "2025-03-14T01:23:45Z", "src_ip": f"192.0.2.{i}",
                             "user_name": f"User {name}{i}"}) for i in range(1, 4)]
        (src / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
    real = columnar.findings
    calls = []

    def findings(block, origins, detector, cache):
        calls.append([origin.path for _start, origin in origins])
        if any(origin.path.endswith("b.jsonl") for _start, origin in origins):
            raise RuntimeError("a bug")
        return real(block, origins, detector, cache)

    monkeypatch.setattr(columnar, "findings", findings)
    result = pipeline.run(_config([src], tmp_path / "out", "none"))
    assert calls[0] == ["a.jsonl", "b.jsonl", "c.jsonl"]  # one merged block first
    assert result.failed_sources == 1 and result.records == 9
    errors = read_table(tmp_path / "out", "errors").to_pylist()
    assert [(e["source_path"], e["reason"]) for e in errors] == [
        ("b.jsonl", "internal error while reading (RuntimeError); rerun with --debug")
    ]
    found = read_table(tmp_path / "out", "findings")
    assert sorted(set(found.column("source_path").to_pylist())) == ["a.jsonl", "c.jsonl"]
    monkeypatch.setattr(columnar, "findings", real)
    (src / "b.jsonl").unlink()
    pipeline.run(_config([src], tmp_path / "without-b", "none"))
    expected = read_table(tmp_path / "without-b", "findings").drop_columns(["scan_id"])
    assert found.drop_columns(["scan_id"]).to_pylist() == expected.to_pylist()


def test_free_text_of_several_columns_is_decided_in_reading_order(tmp_path, monkeypatch):
    """Free text is decided per template, learnt from the messages before it: a block sends
    its messages to NER in the order a record-by-record scan reads them (record, then
    field), not column by column, so both ways learn the same templates."""
    from scanner import columnar as col
    from scanner.record import Record
    from scanner.worker import SourceScanner

    config = ScanConfig(paths=(tmp_path,), out=tmp_path / "out", configs=load_configs(), key=KEY,
                        key_id=key_id(KEY), key_source="test", nlp="spacy", workers=1)  # fmt: skip
    scanner = SourceScanner(config)
    assert scanner.detector.templates is not None  # free text per template, as by default
    asked: list[str] = []
    monkeypatch.setattr(scanner.detector, "prefetch", lambda pairs: asked.extend(v for _, v in pairs))
    monkeypatch.setattr(scanner.cache, "decide", lambda rule, value: -1)
    texts = [f"Message number {k} from Emily Carter" for k in range(12)]
    records = []
    for pos in range(6):  # memo, note in turn, and a record with both in the other order
        fields = [("memo", texts[2 * pos]), ("note", texts[2 * pos + 1])]
        if pos == 3:
            fields.reverse()
        records.append(Record(pos, pos + 1, fields, None))
    block = col.block_of(records)
    col.findings(block, [(0, col.Origin("x.json", "json"))], scanner.detector, scanner.cache)
    reading = [value for record in records for _path, value in record.fields]
    assert asked == reading
