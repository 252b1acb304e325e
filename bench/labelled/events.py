"""Cato's events as the eventsFeed API gives them: the kinds of event, one builder each.

Each builder ``k_<kind>(g, u, t, first)`` makes one event of user ``u`` at time ``t``
(``first``: the kind's first occurrence in a file, which uses its fixed user and values);
:func:`iter_events` walks the kinds in order. The shapes (eventsFeed lines, push objects,
SIEM documents, CSV rows) are made from these fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from labelled.common import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    CARD,
    MY_NUMBER,
    SPECIAL_TOKENS,
    US_SSN,
    Gen,
    api_str,
    iso,
)
from labelled.messages import HARD_MESSAGES
from labelled.people import (
    DESTS,
    EMILY,
    HANAKO,
    HINA,
    ICHIRO,
    JAMES,
    KEN,
    KENJI,
    MAKOTO,
    MICHAEL,
    MISAKI,
    OLIVIA,
    PRIYA,
    SAITO,
    SAKURA,
    SHO,
    SITES,
    TARO,
    Person,
)


@dataclass
class Ev:
    fields: dict
    people: list[Person]
    extra: list[tuple[str, str]] = field(default_factory=list)


def _sdp_base(g: Gen, u: Person, t: int) -> dict:
    eid = g.hexid()
    return {"ISP_name": u.isp, "account_id": ACCOUNT_ID, "event_count": 1, "event_id": eid,
            "internalId": eid, "src_ip": u.tunnel_ip, "src_isp_ip": u.isp_ip,
            "src_is_site_or_vpn": "SDP User", "src_site_id": u.user_id, "src_site_name": u.name,
            "src_country": u.country, "src_country_code": u.cc, "pop_name": u.pop,
            "user_id": u.user_id, "vpn_user_email": u.email, "time": t, "time_str": iso(t)}


def k_firewall(g: Gen, u: Person, t: int, first: bool) -> Ev:
    d = DESTS[0] if first else g.pick(DESTS[:4])
    if first or g.rng.random() < 0.3:
        url = f"https://{d.host}/login?user={quote(u.email)}"
    else:
        url = f"https://{d.host}/" + g.pick(["", "search?q=weather", "api/v2/status"])
    f = _sdp_base(g, u, t) | {
        "action": "Block" if d is DESTS[0] else g.pick(["Monitor", "Allow"]),
        "ad_name": u.name, "app_stack": ["TCP", "TLS", "HTTP(S)"], "application_name": d.app,
        "categories": list(d.categories), "client_version": u.client,
        "configured_host_name": u.hostname, "connection_origin": "Cato Client",
        "dest_country": d.country[0], "dest_country_code": d.country[1], "dest_ip": d.ip,
        "dest_port": 443, "device_id": u.device_id, "device_name": u.device,
        "domain_name": d.host, "event_sub_type": "Internet Firewall", "event_type": "Security",
        "full_path_url": url, "host_ip": u.tunnel_ip, "host_mac": u.mac, "ip_protocol": "TCP",
        "os_type": u.os_type, "os_version": u.os_version,
        "rule_name": "Block Anonymizers" if d is DESTS[0] else "Default Internet Rule",
        "src_port": g.port(), "static_host": False, "traffic_direction": "OUTBOUND", "url": url,
        "user_agent": u.user_agent, "user_name": u.name, "visible_device_id": u.mac_dash}
    if first:
        f["referer_url"] = f"https://intranet.example.com/profile?id={u.login}"
    return Ev(f, [u])


def k_connected(g: Gen, u: Person, t: int, first: bool) -> Ev:
    f = _sdp_base(g, u, t) | {
        "action": "Succeeded", "client_version": u.client, "device_name": u.device,
        "event_sub_type": "Connected", "event_type": "Connectivity", "link_type": "Cato",
        "logged_in_user": [u.logged_in_user], "os_type": u.os_type, "os_version": u.os_version,
        "src_city": u.city, "tunnel_protocol": "DTLS"}
    return Ev(f, [u])


def k_disconnected(g: Gen, u: Person, t: int, first: bool) -> Ev:
    f = _sdp_base(g, u, t) | {
        "action": "Succeeded", "client_version": u.client, "device_name": u.device,
        "event_message": "Tunnel closed by client. Helpdesk note: user asked to be called back "
                         f"on {u.mobile}",
        "event_sub_type": "Disconnected", "event_type": "Connectivity", "os_type": u.os_type,
        "tunnel_protocol": "DTLS"}
    return Ev(f, [u])


def k_api_key(g: Gen, u: Person, t: int, first: bool) -> Ev:
    named = first or g.rng.random() < 0.5
    key = f"{u.roman or u.name} SIEM key" if named else "siem-reader"
    f = {"account_id": ACCOUNT_ID, "action": "Succeeded", "api_name": "eventsFeed",
         "api_type": "query", "authentication_type": "APIKEY", "event_count": 1,
         "event_message": "ApiKey login successfully", "event_sub_type": "ApiKey",
         "event_type": "Connectivity", "key_name": key, "login_type": "API",
         "src_country": "Japan", "src_country_code": "JP", "src_ip": "203.0.113.50",
         "src_is_site_or_vpn": "API", "time": t, "time_str": iso(t)}
    return Ev(f, [u] if named else [])


def k_dns_site(g: Gen, u: Person, t: int, first: bool) -> Ev:
    site = SITES[1] if first else g.pick(SITES)
    host = site.lan + str(g.rng.randint(20, 99))
    bad = g.pick(["bad.example.org", "malware-cdn.example.net"])
    f = {"account_id": ACCOUNT_ID, "action": "Block", "ad_name": u.email,
         "dns_protection_category": "Malicious Domains", "dns_query": bad,
         "dns_record_type": g.pick(["A", "AAAA"]), "domain_name": bad, "event_count": 1,
         "event_sub_type": "DNS Protection", "event_type": "Security", "host_ip": host,
         "ip_protocol": "UDP", "mitre_attack_tactics": ["Command and Control (TA0011)"],
         "os_type": u.os_type, "src_ip": host, "src_is_site_or_vpn": "Site",
         "src_site_id": site.site_id, "src_site_name": site.name, "subnet_name": "Office LAN",
         "time": t, "time_str": iso(t), "user_name": u.email}
    return Ev(f, [u])


def k_site_traffic(g: Gen, u: Person, t: int, first: bool) -> Ev:
    site = SITES[0] if first else g.pick(SITES)
    host = site.lan + str(g.rng.randint(100, 199))
    d = g.pick(DESTS[1:4])
    f = {"account_id": ACCOUNT_ID, "action": "Allow", "ad_name": "unmapped user",
         "application_name": d.app, "categories": list(d.categories),
         "dest_country": d.country[0], "dest_ip": d.ip, "dest_port": 443, "domain_name": d.host,
         "event_count": g.rng.randint(1, 3), "event_sub_type": "Internet Firewall",
         "event_type": "Security", "host_ip": host, "ip_protocol": "TCP",
         "rule_name": "Allow Business Apps", "socket_version": "6.2.1.120", "src_ip": host,
         "src_is_site_or_vpn": "Site",
         "src_port": g.port(), "src_site_id": site.site_id, "src_site_name": site.name,
         "time": t, "time_str": iso(t)}
    return Ev(f, [])


def k_xdr(g: Gen, u: Person, t: int, first: bool) -> Ev:
    f = {"account_id": ACCOUNT_ID, "account_name": ACCOUNT_NAME, "action": "Monitor",
         "ad_name": u.name, "criticality": 5, "device_name": u.device, "event_count": 1,
         "event_id": g.hexid(16), "event_sub_type": "XDR Threat",
         "event_type": "Detection and Response",
         "indication": "Cybersquatting Malicious Activity", "producer": "Threat Prevention",
         "rule_name": "Notify SOC", "src_ip": u.tunnel_ip, "src_is_site_or_vpn": "SDP User",
         "src_site_id": u.user_id, "src_site_name": u.name, "status": "Open",
         "story_id": g.hexid(24), "time": t, "time_str": iso(t), "trigger": "Story Created",
         "user_id": u.user_id, "vendor": "Cato", "vpn_user_email": u.email}
    return Ev(f, [u])


def k_system(g: Gen, u: Person, t: int, first: bool) -> Ev:
    eid = g.hexid(16)
    f = {"account_id": ACCOUNT_ID, "account_name": ACCOUNT_NAME, "action": "Succeeded",
         "event_count": 1, "event_id": eid,
         "event_message": f"License job applied {g.rng.randint(1, 9)} and revoked 0 licenses",
         "event_sub_type": "Sdp license", "event_type": "System", "internalId": eid,
         "internal_id": eid, "time": t, "time_str": iso(t)}
    return Ev(f, [])


def k_directory(g: Gen, u: Person, t: int, first: bool) -> Ev:
    f = {"account_id": ACCOUNT_ID, "action": "Succeeded", "directory_ip": "192.168.10.5",
         "directory_sync_result": "Success", "directory_sync_type": "Incremental",
         "event_count": 1, "event_message": f"SCIM provisioning updated user {u.email}",
         "event_sub_type": "SCIM Provisioning", "event_type": "System", "time": t,
         "time_str": iso(t)}
    return Ev(f, [u])


def _dlp(g: Gen, u: Person, t: int, message: str, extra: list, file_name: str,
         data_type: str) -> Ev:
    d = DESTS[3]
    f = _sdp_base(g, u, t) | {
        "action": "Block", "application_name": d.app, "dest_ip": d.ip, "dest_port": 443,
        "device_name": u.device, "dlp_profiles": ["Sensitive Data"], "domain_name": d.host,
        "event_message": message, "event_sub_type": "DLP", "event_type": "Security",
        "file_name": file_name, "file_size": g.rng.randint(20000, 900000),
        "matched_data_types": [data_type], "os_type": u.os_type,
        "url": f"https://{d.host}/upload", "user_name": u.name}
    return Ev(f, [u], extra)


def k_dlp_card(g: Gen, u: Person, t: int, first: bool) -> Ev:
    return _dlp(g, u, t, f"DLP content match: credit card number {CARD} in payment_batch.csv",
                [SPECIAL_TOKENS[0]], "payment_batch.csv", "Credit Card Number")


def k_dlp_my_number(g: Gen, u: Person, t: int, first: bool) -> Ev:
    return _dlp(g, u, t, f"DLP content match: マイナンバー {MY_NUMBER} in 社員台帳.xlsx",
                [SPECIAL_TOKENS[1]], "社員台帳.xlsx", "Japan My Number")


def k_dlp_ssn(g: Gen, u: Person, t: int, first: bool) -> Ev:
    return _dlp(g, u, t, f"DLP content match: US SSN {US_SSN} in benefits_form.pdf",
                [SPECIAL_TOKENS[2]], "benefits_form.pdf", "US Social Security Number")


def k_message(g: Gen, u: Person, t: int, first: bool) -> Ev:
    """A client-reported event whose message is one of the hard cases."""
    o = g.pick([p for p in g.people if p is not u])
    text = HARD_MESSAGES[g.next_message()](u, o)
    f = _sdp_base(g, u, t) | {
        "action": "Succeeded", "client_version": u.client, "device_name": u.device,
        "event_message": text, "event_sub_type": "Client Log", "event_type": "Connectivity",
        "os_type": u.os_type}
    return Ev(f, [u, o])


# (kind, user of the first occurrence in a file)
EVENT_KINDS: list[tuple[Callable[..., Ev], Person]] = [
    (k_firewall, TARO), (k_connected, HANAKO), (k_api_key, ICHIRO), (k_dns_site, ICHIRO),
    (k_xdr, HANAKO), (k_system, TARO), (k_dlp_card, EMILY), (k_firewall, KENJI),
    (k_disconnected, TARO), (k_dlp_my_number, MISAKI), (k_site_traffic, TARO),
    (k_dlp_ssn, MICHAEL), (k_directory, KEN), (k_connected, SAKURA), (k_firewall, OLIVIA),
    (k_message, HINA), (k_message, SAITO), (k_message, JAMES), (k_message, MAKOTO),
    (k_message, PRIYA), (k_message, SHO),
]


def iter_events(g: Gen, n: int, offset: int = 0, kinds=EVENT_KINDS) -> Iterator[Ev]:
    for i in range(n):
        j = (i + offset) % len(kinds)
        kind, default = kinds[j]
        first = i < len(kinds)
        user = default if first and default in g.people else g.pick(g.people)
        yield kind(g, user, g.tick(), first)


def eventsfeed_obj(ev: Ev) -> dict:
    """eventsFeed.py shape: event_timestamp first, then the fieldsMap keys sorted."""
    out = {"event_timestamp": iso(ev.fields["time"])}
    out.update({k: api_str(ev.fields[k]) for k in sorted(ev.fields)})
    return out


def push_obj(ev: Ev) -> dict:
    return {k: ev.fields[k] for k in sorted(ev.fields)}
