"""The ground truth: which substrings of a record's fields are personal data, and the sink.

Whole-value fields, known tokens (people's names, logins, ids, devices, phones, the special
and hard tokens), e-mails, IPs, MACs and URLs; embedded JSON documents and key=value lists
are read as catoscan reads them. The label format is described in tests/labels/README.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from labelled.common import HARD_TOKENS, SPECIAL_TOKENS, dumps, flatten
from labelled.people import TEXT_LOCATIONS, Person
from labelled.siem import cato_field

# Fields whose whole value is one entity, matched on the full key path or its last segment.
WHOLE_VALUE = {
    **dict.fromkeys(["url", "full_path_url", "referer_url", "domain_name", "dns_query", "dhost",
                     "destinationDnsDomain", "destinationName", "domain", "http_host_name",
                     "dns_name", "request", "URL"], "URL"),
    **dict.fromkeys(["src_country", "dest_country", "src_country_code", "dest_country_code",
                     "src_city", "pop_name", "egress_pop_name", "site_country", "sourceCountry",
                     "destinationCountry", "CATOSourceCountry", "CATODestinationCountry",
                     "CATOPopName", "Source Country", "address", "latitude", "longitude"],
                    "LOCATION"),
    # A site's city, state and country (audit changes to sites) are the organisation's
    # configuration, not personal data; its street address and coordinates (a home office)
    # are.
    **dict.fromkeys(["os_type", "os_version", "device_os_type", "client_version", "user_agent",
                     "device_model", "tunnel_device_type", "OS Type", "Device OS Type",
                     "Device OS Version", "Client Version", "osProduct", "osVersion",
                     "hwManufacturer", "hwModel", "requestClientApplication", "DeviceVersion",
                     "socket_version"],
                    "DEVICE_INFO"),
    **dict.fromkeys(["givenName", "familyName", "given_name", "family_name", "First Name",
                     "Last Name", "firstName", "lastName"], "PERSON"),
    "password": "SECRET",
    # a SIEM may change its case (Elastic's host.name): the field, not a token, says it
    "device_name": "DEVICE_NAME",
}
MASKED = {"***"}

REGEXES = (
    ("EMAIL_ADDRESS", re.compile(
        r"(?<![A-Za-z0-9._+-])[A-Za-z0-9._+-]+(?:@|%40)example\.(?:com|org|net)(?![A-Za-z0-9-])")),
    ("IP_ADDRESS", re.compile(
        r"(?<![\d.])(?:192\.0\.2|198\.51\.100|203\.0\.113|10\.\d{1,3}\.\d{1,3}|172\.16\.\d{1,3}"
        r"|192\.168\.\d{1,3})\.\d{1,3}(?![\d])")),
    ("IP_ADDRESS", re.compile(
        r"(?<![0-9A-Fa-f:])2001:db8(?::[0-9A-Fa-f]{0,4}){1,6}(?<!:)(?![0-9A-Fa-f:])")),
    ("MAC_ADDRESS", re.compile(
        r"(?<![0-9A-Fa-f:-])00(?P<sep>[:-])00(?P=sep)5[eE](?P=sep)00(?P=sep)53(?P=sep)"
        r"[0-9A-Fa-f]{2}(?![0-9A-Fa-f])")),
    ("MAC_ADDRESS", re.compile(r"(?<![0-9A-Fa-f.])0000\.5[eE]00\.53[0-9A-Fa-f]{2}(?![0-9A-Fa-f])")),
)
URL_RE = re.compile(r"https?://[^\s\"'<>]+")


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _token_spans(text: str, tokens: Iterable[tuple[str, str]]) -> Iterator[tuple[int, int, str]]:
    for value, etype in tokens:
        start = text.find(value)
        while start != -1:
            end = start + len(value)
            ok_left = not (_is_word(value[0]) and start > 0 and _is_word(text[start - 1]))
            ok_right = not (_is_word(value[-1]) and end < len(text) and _is_word(text[end]))
            if ok_left and ok_right:
                yield start, end, etype
            start = text.find(value, start + 1)


def value_labels(path: str | None, text: str,
                 tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(entity_type, substring) for one field value.

    Whole-value fields give the whole text; known tokens (names, logins, ids, device names,
    phones), e-mails, IPs and MACs are found anywhere; URLs are found in fields that are not URL
    fields; PoP cities in plain-text lines. A span inside a longer non-URL span is dropped
    (``taro.yamada`` inside ``taro.yamada@example.com``); URLs do not hide what they contain.
    """
    out: list[tuple[str, str]] = []
    whole = None
    if path is not None:
        source = cato_field(path)
        whole = WHOLE_VALUE.get(source) or WHOLE_VALUE.get(source.rsplit(".", 1)[-1])
    if whole and text not in MASKED:
        out.append((whole, text))
        if whole == "DEVICE_NAME":
            return out  # a device name is one name, whatever names are in it (labels README)
    spans = list(_token_spans(text, tokens))
    for etype, rx in REGEXES:
        spans += [(m.start(), m.end(), etype) for m in rx.finditer(text)]
    if path is None:
        spans += _token_spans(text, [(c, "LOCATION") for c in TEXT_LOCATIONS])
    kept: list[tuple[int, int, str]] = []
    for s, e, etype in sorted(spans, key=lambda x: (x[0] - x[1], x[0])):
        if not any(ks <= s and e <= ke for ks, ke, _ in kept):
            kept.append((s, e, etype))
    if whole != "URL":
        for m in URL_RE.finditer(text):
            url = m.group().rstrip(".,;:)")
            kept.append((m.start(), m.start() + len(url), "URL"))
    out += [(etype, text[s:e]) for s, e, etype in sorted(kept)]
    return out


def embedded_pairs(pairs: Iterable[tuple[str | None, str]],
                   depth: int = 3) -> list[tuple[str | None, str]]:
    """The pairs as catoscan reads them (docs/siem.md), done here on its own: a value that is
    a JSON object, or a log line that ends in one, gives the object's fields, named
    ``<field>><path>`` (``>path`` for a text line), after the record's own fields; the text
    before the object is ``<field>>syslog``."""
    own: list[tuple[str | None, str]] = []
    inner: list[tuple[str | None, str]] = []
    for path, text in pairs:
        doc, head = _json_object(text) if depth else (None, "")
        if doc is None:
            own.append((path, text))
            continue
        prefix = f"{path or ''}>"
        if head:
            inner.append((f"{prefix}syslog", head))
        inner += [(f"{prefix}{p}", v) for p, v in embedded_pairs(flatten(doc), depth - 1)]
    return own + inner


_KV_LIST = re.compile(r"(?:[A-Za-z_][\w.]*=[^\s;=\"]*[\s;]*){2,}")


def _json_object(text: str) -> tuple[dict | None, str]:
    stripped = text.strip()
    if _KV_LIST.fullmatch(stripped):  # key=value;key=value (Sentinel AdditionalExtensions)
        pairs = dict(p.split("=", 1) for p in re.split(r"[\s;]+", stripped) if p)
        return ({k: v for k, v in pairs.items() if v} or None), ""
    start = 0 if stripped.startswith("{") else stripped.find('{"')
    if start < 0 or not stripped.endswith("}"):
        return None, ""
    try:
        doc = json.loads(stripped[start:])
    except ValueError:
        return None, ""
    return (doc, stripped[:start].strip()) if isinstance(doc, dict) and doc else (None, "")


def record_labels(pairs: Iterable[tuple[str | None, str]],
                  tokens: list[tuple[str, str]]) -> list[tuple[str | None, str, str]]:
    seen: dict[tuple[str | None, str, str], None] = {}
    for path, text in embedded_pairs(pairs):
        for etype, value in value_labels(path, text, tokens):
            seen.setdefault((path, etype, value), None)
    return list(seen)


def tokens_for(people: Iterable[Person], extra: Iterable[tuple[str, str]] = ()):
    toks = [t for p in dict.fromkeys(people) for t in p.tokens()] + list(extra)
    toks += list(SPECIAL_TOKENS) + list(HARD_TOKENS)
    return sorted(dict.fromkeys(toks), key=lambda t: -len(t[0]))


class LabelSink:
    """Streams labels to the JSONL file as records are written."""

    def __init__(self, fh):
        self.fh = fh
        self.by_type: Counter[str] = Counter()
        self.by_file: Counter[str] = Counter()
        self.records: Counter[str] = Counter()

    def add(self, source: str, index: int, line: int | None, pairs, people=(), extra=()):
        self.records[source] += 1
        for fld, etype, value in record_labels(pairs, tokens_for(people, extra)):
            self.fh.write(dumps({"source_path": source, "line": line, "record_index": index,
                                 "field": fld, "entity_type": etype, "value": value}) + "\n")
            self.by_type[etype] += 1
            self.by_file[source] += 1
