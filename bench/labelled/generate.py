"""Write every shape of the corpus with its labels, in a fixed order (the labels file's)."""

from __future__ import annotations

from pathlib import Path

from labelled import audit, cef, client_logs, directory, eventsfeed, exports, siem, xdr
from labelled.common import Corpus
from labelled.labels import LabelSink
from labelled.people import people_for_scale

#: The writers, in the order their files' labels are written.
STEPS = (
    eventsfeed.events_jsonl,
    eventsfeed.events_tcp,
    eventsfeed.events_pretty,
    eventsfeed.api_events,
    audit.api_audit,
    eventsfeed.push_events,
    eventsfeed.push_flows,
    audit.audit_jsonl,
    audit.audit_datadog,
    cef.cef_log,
    cef.sentinel,
    cef.legacy_zip,
    exports.events_csv,
    exports.users_csv,
    exports.devices_csv,
    directory.scim_csv,
    directory.scim_json,
    client_logs.client_logs,
    xdr.xdr,
    siem.siem,
    eventsfeed.parquet,
)


def generate(out: Path, labels_path: Path, scale: int = 1) -> LabelSink:
    people = people_for_scale(scale)
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    with labels_path.open("w", encoding="utf-8", newline="\n") as fh:
        sink = LabelSink(fh)
        corpus = Corpus(out, sink, scale, people)
        for step in STEPS:
            step(corpus)
    return sink
