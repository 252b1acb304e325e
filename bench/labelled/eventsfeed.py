"""Cato's event feeds as files: eventsFeed.py outputs, a GraphQL page, push, Parquet."""

from __future__ import annotations

import bz2
import gzip

from labelled.common import ACCOUNT_ID, Corpus, api_str, compact, dumps, flatten, iso
from labelled.events import eventsfeed_obj, iter_events, push_obj
from labelled.people import DESTS


# ---- eventsFeed.py outputs
def events_jsonl(c: Corpus) -> None:
    src = "events/eventsfeed.jsonl"
    g = c.gen(src)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, ev in enumerate(iter_events(g, c.n("events"))):
            obj = eventsfeed_obj(ev)
            fh.write(dumps(obj) + "\n")
            c.labels.add(src, i, i + 1, flatten(obj), ev.people, ev.extra)


def events_tcp(c: Corpus) -> None:
    src = "events/eventsfeed_tcp.json"
    g = c.gen(src, 3600)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, ev in enumerate(iter_events(g, c.n("events_tcp"), offset=1)):
            obj = eventsfeed_obj(ev)
            fh.write(dumps(obj))
            c.labels.add(src, i, 1, flatten(obj), ev.people, ev.extra)


def events_pretty(c: Corpus) -> None:
    src = "events/eventsfeed_pretty.json"
    g = c.gen(src, 7200)
    line = 1
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, ev in enumerate(iter_events(g, c.n("events_pretty"), offset=2)):
            obj = eventsfeed_obj(ev)
            text = dumps(obj, indent=2)
            fh.write(text + "\n")
            c.labels.add(src, i, line, flatten(obj), ev.people, ev.extra)
            line += text.count("\n") + 1


# ---- a GraphQL page (one compact JSON document, written record by record)
def api_events(c: Corpus) -> None:
    src = "api/eventsfeed_page.json"
    g = c.gen(src, 10800)
    n = c.n("api_events")
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"data":{"eventsFeed":{"marker":"a1b2c3d4e5f60718",'
                 f'"fetchedCount":{n},"accounts":[{{"id":"{ACCOUNT_ID}",'
                 '"errorString":null,"records":[')
        for i, ev in enumerate(iter_events(g, n, offset=4)):
            fm = {k: api_str(ev.fields[k]) for k in sorted(ev.fields)}
            keep = ("account_id", "action", "src_ip", "user_name", "vpn_user_email", "time")
            rec = {"time": iso(ev.fields["time"]), "fieldsMap": fm,
                   "flatFields": [[k, fm[k]] for k in keep if k in fm]}
            fh.write(("," if i else "") + compact(rec))
            c.labels.add(src, i, None, flatten(fm), ev.people, ev.extra)
        fh.write("]}]}}}\n")


# ---- push integrations
def push_events(c: Corpus) -> None:
    src = "push/events-20250314-0001.json.gz"
    g = c.gen(src, 300)
    with c.path(src).open("wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        for i, ev in enumerate(iter_events(g, c.n("push_events"), offset=5)):
            obj = push_obj(ev)
            gz.write((compact(obj) + "\n").encode())
            c.labels.add(src, i, i + 1, flatten(obj), ev.people, ev.extra)


def push_flows(c: Corpus) -> None:
    src = "push/flows-20250314-0001.json.bz2"
    g = c.gen(src, 900)
    with bz2.open(c.path(src), "wt", encoding="utf-8", newline="\n") as fh:
        for i in range(c.n("push_flows")):
            u = c.people[i] if i < len(c.people) and i < 6 else g.pick(c.people)
            d = g.pick(DESTS)
            t = g.tick()
            obj = {"account_id": ACCOUNT_ID, "application_name": d.app,
                   "client_version": u.client, "configured_host_name": u.hostname,
                   "dest_country": d.country[0], "dest_ip": d.ip, "dest_port": 443,
                   "device_id": u.device_id, "device_model": u.hw[1],
                   "device_name": u.device, "device_os_type": u.os_product,
                   "domain": d.host, "downstream": g.rng.randint(10000, 999999),
                   "duration": 60000, "flow_id": g.rng.getrandbits(62),
                   "flow_start_time": t - 60000, "full_path_url": f"https://{d.host}/",
                   "host_mac": u.mac, "ip": u.tunnel_ip, "is_flow_terminated": i % 3 == 0,
                   "os_version": u.os_version, "pop_name": u.pop, "src_country": u.country,
                   "src_ip": u.tunnel_ip, "src_is_site_or_vpn": "SDP User",
                   "src_isp_ip": u.isp_ip, "src_site_id": u.user_id,
                   "src_site_name": u.name, "time_str": iso(t),
                   "upstream": g.rng.randint(10000, 99999), "user_id": u.user_id,
                   "user_name": u.name, "vpn_user_email": u.email,
                   "vpn_user_id": u.user_id}
            fh.write(compact(obj) + "\n")
            c.labels.add(src, i, i + 1, flatten(obj), [u])


# ---- Parquet
def parquet(c: Corpus) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = "parquet/events.parquet"
    g = c.gen(src, 8400)
    schema = pa.schema([
        ("time", pa.int64()), ("time_str", pa.string()), ("event_type", pa.string()),
        ("event_sub_type", pa.string()), ("action", pa.string()), ("account_id", pa.int64()),
        ("user_name", pa.string()), ("user_id", pa.int64()), ("vpn_user_email", pa.string()),
        ("src_is_site_or_vpn", pa.string()), ("src_site_name", pa.string()),
        ("src_ip", pa.string()), ("src_isp_ip", pa.string()), ("src_country", pa.string()),
        ("pop_name", pa.string()), ("device_name", pa.string()), ("device_id", pa.string()),
        ("host_mac", pa.string()), ("os_type", pa.string()), ("os_version", pa.string()),
        ("client_version", pa.string()), ("dest_ip", pa.string()), ("dest_port", pa.int64()),
        ("domain_name", pa.string()), ("url", pa.string()),
        ("categories", pa.list_(pa.string())), ("event_message", pa.string()),
        ("static_host", pa.bool_())])
    names = schema.names
    batch: list[dict] = []
    with pq.ParquetWriter(c.path(src), schema) as writer:
        for i, ev in enumerate(iter_events(g, c.n("parquet"), offset=6)):
            row = {k: ev.fields.get(k) for k in names}
            batch.append(row)
            c.labels.add(src, i, None, flatten(row), ev.people, ev.extra)
            if len(batch) >= 5000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
