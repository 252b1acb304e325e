"""The same events as six SIEM integrations store them, and the field each SIEM field copies.

The shapes follow the integrations' own test data (docs/siem.md). Each builder also says
which Cato field a SIEM field was copied from (``SIEM_SOURCE``), so a whole-value label
follows the value, not a field name.
"""

from __future__ import annotations

from labelled.common import Corpus, api_str, compact, flatten, iso
from labelled.events import (
    iter_events,
    k_api_key,
    k_connected,
    k_disconnected,
    k_dns_site,
    k_firewall,
    k_message,
)
from labelled.people import HANAKO, ICHIRO, KENJI, OLIVIA, PRIYA, TARO

SIEM_SOURCE = {
    "user.name": "user_name", "user.email": "vpn_user_email", "user.id": "user_id",
    "source.ip": "src_ip", "source.address": "src_ip", "source.geo.country_name": "src_country",
    "source.geo.country_iso_code": "src_country_code", "host.name": "device_name",
    "host.mac": "host_mac", "host.ip": "host_ip", "host.os.type": "os_type",
    "host.os.version": "os_version", "url.full": "url", "url.original": "url",
    "url.domain": "domain_name", "user_agent.original": "user_agent", "agent.version":
    "client_version", "usr.name": "user_name", "usr.email": "vpn_user_email", "usr.id": "user_id",
    "network.client.ip": "src_ip", "user": "user_name", "src_user": "user_name", "src": "src_ip",
    "http_user_agent": "user_agent", "SourceUserName": "user_name", "SourceIP": "src_ip",
    "SourceMACAddress": "host_mac", "RequestURL": "url", "RequestClientApplication": "user_agent",
    "SourceHostName": "device_name", "principal.ip": "src_ip", "principal.user.userid": "user_id",
    "principal.user.user_display_name": "user_name",
    "principal.user.email_addresses": "vpn_user_email", "principal.platform": "os_type",
    "principal.location.country_or_region": "src_country",
    "network.dhcp.client_hostname": "device_name", "target.url": "url",
    "network.http.user_agent": "user_agent",
    "cs1": "src_country",  # CEF's CATOSourceCountry, unlabelled in Sentinel's extensions
}
#: The namespaces the SIEMs put around Cato's own field names.
SIEM_NAMESPACES = ("cato_networks.event.", "cato.sase.", "LogData.", "result.")


def cato_field(path: str) -> str:
    """The Cato field a SIEM export's field holds (itself for Cato's own names)."""
    key = ".".join(p for p in path.rsplit(">", 1)[-1].split(".") if not p.isdigit())
    for namespace in SIEM_NAMESPACES:
        if key.startswith(namespace) and len(key) > len(namespace):
            key = key[len(namespace):]
            break
    return SIEM_SOURCE.get(key, key)


def _clean(obj):
    """Without empty values, as the integrations leave them out."""
    if isinstance(obj, dict):
        out = {k: _clean(v) for k, v in obj.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(obj, list):
        return [x for x in (_clean(v) for v in obj) if x not in (None, "", [], {})]
    return obj


def ecs_doc(f: dict) -> dict:
    """Elastic cato_networks (ECS): raw record in event.original, Cato's names moved."""
    moved = {"user_name", "vpn_user_email", "user_id", "src_ip", "host_mac", "device_name",
             "url", "user_agent", "os_type", "os_version", "domain_name"}
    mac = f.get("host_mac")
    return _clean({
        "@timestamp": iso(f["time"], millis=True),
        "event": {"original": compact({k: api_str(v) for k, v in sorted(f.items())}),
                  "kind": "event", "dataset": "cato_networks.event",
                  "action": str(f.get("action", "")).lower()},
        "cato_networks": {"event": {k: v for k, v in sorted(f.items()) if k not in moved}},
        "user": {"name": f.get("user_name"), "email": f.get("vpn_user_email"),
                 "id": f.get("user_id")},
        "source": {"ip": f.get("src_ip"), "address": f.get("src_ip"),
                   "geo": {"country_name": f.get("src_country"),
                           "country_iso_code": f.get("src_country_code")}},
        "host": {"name": (f.get("device_name") or "").lower() or None,
                 "mac": [mac.upper().replace(":", "-")] if mac else None,
                 "os": {"type": f.get("os_type"), "version": f.get("os_version")}},
        "related": {"user": [x for x in (f.get("user_name"), f.get("user_id"),
                                         f.get("vpn_user_email")) if x],
                    "ip": [x for x in (f.get("src_ip"), f.get("src_isp_ip")) if x]},
        "url": {"full": f.get("url"), "domain": f.get("domain_name")},
        "user_agent": {"original": f.get("user_agent")},
        "destination": {"ip": f.get("dest_ip"), "port": f.get("dest_port")},
        "data_stream": {"dataset": "cato_networks.event", "type": "logs"},
        "tags": ["preserve_original_event", "forwarded", "cato_networks-event"],
    })


def sekoia_doc(f: dict) -> dict:
    """Sekoia.io: raw record in message (with event_time), ECS fields, cato.sase.*."""
    raw = {"event_time": iso(f["time"])} | {k: api_str(v) for k, v in sorted(f.items())}
    return _clean({
        "message": compact(raw), "@timestamp": iso(f["time"]),
        "event": {"action": str(f.get("action", "")).lower()},
        "cato": {"sase": {"event_type": f.get("event_type"),
                          "event_sub_type": f.get("event_sub_type"),
                          "src_is_site_or_vpn": f.get("src_is_site_or_vpn")}},
        "agent": {"version": f.get("client_version")},
        "host": {"ip": f.get("host_ip"), "mac": f.get("host_mac"), "name": f.get("device_name"),
                 "os": {"type": f.get("os_type"), "version": f.get("os_version")}},
        "source": {"ip": f.get("src_ip"), "address": f.get("src_ip"),
                   "geo": {"country_name": f.get("src_country")}},
        "user": {"name": f.get("user_name"), "email": f.get("vpn_user_email")},
        "user_agent": {"original": f.get("user_agent")},
        "url": {"original": f.get("url"), "domain": f.get("domain_name")},
    })


def datadog_doc(f: dict) -> dict:
    """Datadog: Cato's typed keys at the top level, some moved to usr.* and network.*."""
    moved = {"user_name", "vpn_user_email", "user_id", "src_ip"}
    return _clean({k: v for k, v in sorted(f.items()) if k not in moved} | {
        "usr": {"name": f.get("user_name"), "email": f.get("vpn_user_email"),
                "id": f.get("user_id")},
        "network": {"client": {"ip": f.get("src_ip")}},
        "service": "events", "status": "info", "timestamp": f["time"],
    })


def splunk_doc(f: dict) -> dict:
    """Splunk's JSON export of a search: result._raw (eventsFeed.py's line), CIM fields."""
    raw = {"event_timestamp": iso(f["time"])} | {k: api_str(v) for k, v in sorted(f.items())}
    return {"preview": False, "result": _clean({
        "_time": iso(f["time"]), "_raw": compact(raw), "sourcetype": "cato_json_events",
        "index": "cato_events", "host": "splunk-hf-01", "user": f.get("user_name"),
        "src_user": f.get("user_name"), "src": f.get("src_ip"),
        "http_user_agent": f.get("user_agent"), "url": f.get("url")})}


def sentinel_doc(f: dict, i: int) -> dict:
    """Microsoft Sentinel rows, in turn: CatoNetworksEvents_CL, the legacy LogData object,
    CommonSecurityLog with a key=value AdditionalExtensions."""
    when = iso(f["time"], millis=True)
    if i % 3 == 0:
        return _clean({"TimeGenerated": when} | {k: v for k, v in sorted(f.items()) if k != "time"}
                      | {"Type": "CatoNetworksEvents_CL"})
    if i % 3 == 1:
        return _clean({"TimeGenerated": when, "LogData": dict(sorted(f.items())),
                       "CatoEventType": f.get("event_type"), "Type": "CatoEventEngine_CL"})
    extensions = ";".join(f"{k}={v}" for k, v in (
        ("src_isp_ip", f.get("src_isp_ip")), ("cs1", f.get("src_country")),
        ("cs1Label", "CATOSourceCountry")) if v)
    return _clean({"TimeGenerated": when, "DeviceVendor": "Cato Networks",
                   "DeviceProduct": "SASE", "Activity": f.get("event_sub_type"),
                   "SourceUserName": f.get("user_name"), "SourceHostName": f.get("device_name"),
                   "SourceIP": f.get("src_ip"), "SourceMACAddress": f.get("host_mac"),
                   "DestinationIP": f.get("dest_ip"), "RequestURL": f.get("url"),
                   "RequestClientApplication": f.get("user_agent"),
                   "AdditionalExtensions": extensions, "Type": "CommonSecurityLog"})


def udm_doc(f: dict) -> dict:
    """Google SecOps UDM (from Google's published mapping: principal.*, target.*)."""
    return _clean({
        "metadata": {"event_timestamp": iso(f["time"]), "event_type": "NETWORK_CONNECTION",
                     "vendor_name": "Cato Networks", "product_name": "SASE"},
        "principal": {"ip": [f.get("src_ip")] if f.get("src_ip") else None,
                      "user": {"userid": api_str(f.get("user_id")) or None,
                               "user_display_name": f.get("user_name"),
                               "email_addresses": [f["vpn_user_email"]]
                               if f.get("vpn_user_email") else None},
                      "platform": f.get("os_type"),
                      "location": {"country_or_region": f.get("src_country")}},
        "network": {"dhcp": {"client_hostname": f.get("device_name")},
                    "http": {"user_agent": f.get("user_agent")}},
        "target": {"ip": [f["dest_ip"]] if f.get("dest_ip") else None, "url": f.get("url"),
                   "user": {"userid": api_str(f.get("account_id"))}},
    })


SIEM_SHAPES = {
    "siem/elastic_cato_networks.ndjson": lambda f, i: ecs_doc(f),
    "siem/sekoia_cato_sase.ndjson": lambda f, i: sekoia_doc(f),
    "siem/datadog_cato_networks.ndjson": lambda f, i: datadog_doc(f),
    "siem/splunk_export.json": lambda f, i: splunk_doc(f),
    "siem/sentinel_rows.json": sentinel_doc,
    "siem/chronicle_udm.ndjson": lambda f, i: udm_doc(f),
}
SIEM_KINDS = [(k_firewall, TARO), (k_connected, HANAKO), (k_disconnected, TARO),
              (k_api_key, ICHIRO), (k_firewall, KENJI), (k_message, PRIYA), (k_dns_site, ICHIRO),
              (k_firewall, OLIVIA)]


def siem(c: Corpus) -> None:
    """The same kinds of events, as six SIEM integrations export them."""
    for offset, (src, shape) in enumerate(SIEM_SHAPES.items()):
        g = c.gen(src, 9000 + 600 * offset)
        with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, ev in enumerate(iter_events(g, c.n("siem"), offset=offset,
                                               kinds=SIEM_KINDS)):
                obj = shape(ev.fields, i)
                fh.write(compact(obj) + "\n")
                c.labels.add(src, i, i + 1, flatten(obj), ev.people, ev.extra)
