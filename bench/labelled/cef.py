"""CEF lines and the files that carry them: the syslog feed, Sentinel's rows, the legacy zip.

:func:`cef_pairs` names a line's fields as catoscan does (``csN`` by its ``csNLabel``, the
header fields, a syslog prefix as ``syslog``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from labelled.common import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    CATO_DVC_IP,
    ZIP_DATE_TIME,
    Corpus,
    Gen,
    cef_time,
    compact,
    dumps,
    flatten,
    syslog_time,
)
from labelled.events import iter_events, k_connected, k_firewall
from labelled.people import (
    DESTS,
    EMILY,
    HANAKO,
    ICHIRO,
    KEN,
    KENJI,
    MICHAEL,
    MISAKI,
    SAKURA,
    TARO,
    Person,
)


def cef_line(header: tuple[str, str, str], ext: list[tuple[str, str]]) -> str:
    cls, name, sev = header
    return f"CEF:0|CatoNetworks||1.0|{cls}|{name}|{sev}|" + " ".join(f"{k}={v}" for k, v in ext)


def cef_event(g: Gen, i: int, u: Person) -> tuple[str, list[Person]]:
    t = g.tick()
    kind = i % 4
    shost = (u.roman if u.roman and g.rng.random() < 0.5 else u.name)
    if kind == 0:
        d = g.pick(DESTS[:4])
        ext = [("cs1", u.country), ("rt", cef_time(t)), ("cs3", ACCOUNT_NAME),
               ("cs2", d.country[0]), ("dst", d.ip), ("cs5", u.pop),
               ("cs1Label", "CATOSourceCountry"), ("dproc", ", ".join(d.categories)),
               ("dvc", CATO_DVC_IP), ("act", g.pick(["Monitor", "Block"])),
               ("cs3Label", "CATOAccountName"), ("end", str(t)), ("shost", shost),
               ("app", d.app), ("destinationDnsDomain", d.host), ("cs5Label", "CATOPopName"),
               ("src", u.isp_ip), ("os_version", u.os_version), ("start", str(t - 45000)),
               ("dpt", "443"), ("internalType", "SECURITY"),
               ("cs2Label", "CATODestinationCountry"), ("dhost", d.host),
               ("user_email", u.email)]
        header = ("Security", "Internet Firewall", "5")
    elif kind == 1:
        ext = [("rt", cef_time(t)), ("dvc", CATO_DVC_IP), ("src", u.isp_ip),
               ("dst", u.tunnel_ip), ("act", "Connected"), ("shost", shost),
               ("tunnel_device_type", u.os_type), ("cs3", ACCOUNT_NAME),
               ("cs3Label", "CATOAccountName"), ("internalType", "CONNECTION")]
        header = ("Connectivity", "Connected", "5")
    elif kind == 2:
        ext = [("rt", cef_time(t)), ("dvc", CATO_DVC_IP), ("src", u.isp_ip),
               ("dst", u.tunnel_ip), ("act", "Disconnected"), ("shost", shost),
               ("tunnel_device_type", u.os_type), ("internalType", "DISCONNECTED")]
        header = ("Connectivity", "Disconnected", "5")
    else:
        ext = [("rt", cef_time(t)), ("suser", u.hostname),
               ("msg", "Domain reputation based signature - Phishing"),
               ("internalType", "SECURITY"), ("dst", "203.0.113.99"), ("dpt", "443"),
               ("client_port", str(g.port())), ("dhost", "phish.example.org"),
               ("shost", shost), ("url", "https://phish.example.org/login"), ("act", "Block")]
        header = ("Security", "IPS", "7")
    line = cef_line(header, ext)
    if i % 2 == 1:
        line = f"<134>{syslog_time(t)} cato-exporter {line}"
    return line, [u]


def cef_pairs(line: str) -> list[tuple[str, str]]:
    """Fields of one CEF line by the scanner's convention (see the module docstring)."""
    pairs = []
    at = line.find("CEF:")
    if at > 0:
        pairs.append(("syslog", line[:at].rstrip()))
    parts = line[at:].split("|", 7)
    for key, value in zip(["deviceVendor", "deviceProduct", "deviceVersion", "signatureId",
                           "name", "severity"], parts[1:7], strict=True):
        if value:
            pairs.append((key, value))
    ext = parts[7]
    keys = list(re.finditer(r"(?:^| )([A-Za-z0-9_]+)=", ext))
    raw = {m.group(1): ext[m.end(): keys[j + 1].start() if j + 1 < len(keys) else len(ext)]
           for j, m in enumerate(keys)}
    for key, value in raw.items():
        if re.fullmatch(r"cs\d+Label", key):
            continue
        label = raw.get(f"{key}Label") if re.fullmatch(r"cs\d+", key) else None
        if value:
            pairs.append((label or key, value))
    return pairs


# ---- files
def _cef_lines(c: Corpus, g: Gen, n: int, start: int = 0) -> Iterator[tuple[str, list[Person]]]:
    order = [TARO, HANAKO, ICHIRO, TARO, KENJI, MISAKI, EMILY, SAKURA]
    for i in range(n):
        j = i + start
        u = order[j % len(order)] if j < len(order) else g.pick(c.people)
        yield cef_event(g, j, u)


def cef_log(c: Corpus) -> None:
    src = "cef/cato_cef.log"
    g = c.gen(src, 1200)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, (line, people) in enumerate(_cef_lines(c, g, c.n("cef"))):
            fh.write(line + "\n")
            c.labels.add(src, i, i + 1, cef_pairs(line), people)


def sentinel(c: Corpus) -> None:
    src = "cef/sentinel_logdata.json"
    g = c.gen(src, 1500)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[")
        kinds = [(k_firewall, TARO), (k_connected, HANAKO)]
        for i, ev in enumerate(iter_events(g, c.n("sentinel"), kinds=kinds)):
            f = ev.fields
            obj = {"TimeGenerated": f["time_str"], "DeviceVendor": "Cato Networks",
                   "DeviceProduct": f"SASE-{ACCOUNT_ID}", "DeviceVersion": f["os_type"],
                   "DeviceEventClassID": f["event_type"], "name": f["event_sub_type"],
                   "severity": "Medium" if f["event_type"] == "Security" else "Low",
                   "DeviceAction": f["action"], "src": f["src_ip"]}
            if "dest_ip" in f:
                obj |= {"dst": f["dest_ip"], "dpt": f["dest_port"],
                        "destinationDnsDomain": f["domain_name"]}
            u = ev.people[0]
            obj |= {"suser": u.email if i % 4 == 2 else u.name, "shost": u.device,
                    "smac": u.mac}
            if "url" in f:
                obj |= {"request": f["url"], "requestClientApplication": f["user_agent"]}
            fh.write(("," if i else "") + "\n" + dumps(obj, indent=2))
            c.labels.add(src, i, None, flatten(obj), ev.people)
        fh.write("\n]\n")

# ---- legacy Log Exporter zip
def legacy_zip(c: Corpus) -> None:
    name = "legacy/CATO00000000000000012345.zip"
    member_json = "CATO00000000000000012345.json"
    member_cef = "cef/CATO00000000000000012346.log"
    g = c.gen(name, -378 * 86400)  # 2024-03-01, before the Log Exporter's end of life
    json_lines = []
    for i in range(c.n("legacy_json")):
        u = [TARO, HANAKO, EMILY, KEN, MICHAEL, ICHIRO][i] if i < 6 else g.pick(c.people)
        t = g.tick()
        base = {"creationTime": t, "insertionDate": t + 4000, "internalId": g.short_id()}
        if i % 3 == 1:
            rec = base | {"prettyType": "Connected", "sourceName": u.name,
                          "tunnel_host_logon_names": u.login, "clientIp": u.isp_ip,
                          "sourceInternalIp": u.tunnel_ip, "sourceCountry": u.country}
        else:
            d = g.pick(DESTS[:4])
            rec = base | {"prettyType": "Internet Firewall" if i % 3 == 0 else "DNS",
                          "sourceName": u.name, "tunnel_host_logon_names": u.login,
                          "sourceIp": u.isp_ip, "sourceInternalIp": u.tunnel_ip,
                          "destinationIp": d.ip, "destinationName": d.host,
                          "http_host_name" if i % 3 == 0 else "dns_name": d.host,
                          "sourceCountry": u.country, "destinationCountry": d.country[0],
                          "server_port": 443, "sport": g.port(), "rule": "Default",
                          "application": d.app}
        json_lines.append(compact(rec))
        c.labels.add(f"{name}!{member_json}", i, i + 1, flatten(rec), [u])
    cef_lines = []
    for i, (line, people) in enumerate(_cef_lines(c, g, c.n("legacy_cef"), start=2)):
        cef_lines.append(line)
        c.labels.add(f"{name}!{member_cef}", i, i + 1, cef_pairs(line), people)
    with zipfile.ZipFile(c.path(name), "w") as zf:
        for member, lines in ((member_json, json_lines), (member_cef, cef_lines)):
            info = zipfile.ZipInfo(member, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, "".join(x + "\n" for x in lines).encode())
