"""The Cato Management Application's CSV exports: events, users (Shift-JIS), devices."""

from __future__ import annotations

import csv

from labelled.common import T0, Corpus, cma_time, csv_pairs, iso
from labelled.events import (
    iter_events,
    k_connected,
    k_dns_site,
    k_firewall,
    k_site_traffic,
    k_xdr,
)
from labelled.people import EMILY, HANAKO, ICHIRO, MISAKI, SITES, TARO


def events_csv(c: Corpus) -> None:
    src = "csv/events_export.csv"
    g = c.gen(src, 6000)
    header = ["Time", "Event Type", "Sub-Type", "User Name", "User Email", "Source IP",
              "Source ISP IP", "Source Country", "Device Name", "OS Type",
              "Host MAC Address", "URL", "events_count"]
    kinds = [(k_firewall, TARO), (k_connected, HANAKO), (k_dns_site, ICHIRO),
             (k_xdr, MISAKI), (k_connected, EMILY), (k_site_traffic, TARO)]
    with c.path(src).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(header)
        for i, ev in enumerate(iter_events(g, c.n("events_csv"), kinds=kinds)):
            f = ev.fields
            user = f.get("user_name") or (f["src_site_name"] if f.get("src_is_site_or_vpn")
                                          == "SDP User" else "")
            row = [iso(f["time"], millis=True), f["event_type"], f["event_sub_type"], user,
                   f.get("vpn_user_email", ""), f.get("src_ip", ""),
                   f.get("src_isp_ip", ""), f.get("src_country", ""),
                   f.get("device_name", ""), f.get("os_type", ""), f.get("host_mac", ""),
                   f.get("url", ""), str(f["event_count"])]
            w.writerow(row)
            c.labels.add(src, i, i + 2, csv_pairs(header, row), ev.people)


def users_csv(c: Corpus) -> None:
    src = "csv/users_export_sjis.csv"
    header = ["First Name", "Last Name", "Email", "Phone Number", "Status", "Creation Date",
              "Last Connection Date", "Device Name", "Device OS Type", "Device OS Version",
              "Client Version", "Origin", "Authentication Type"]
    g = c.gen(src)
    with c.path(src).open("w", encoding="cp932", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(header)
        for i, u in enumerate(c.people):
            last = T0 + g.rng.randint(0, 20000) * 1000 if u.status == "Active" else \
                T0 - g.rng.randint(5, 40) * 86400000
            row = [u.given, u.family, u.email, u.phone, u.status, cma_time(u.created),
                   cma_time(last), u.device, u.os_product, u.os_version, u.client, u.origin,
                   u.auth]
            w.writerow(row)
            c.labels.add(src, i, i + 2, csv_pairs(header, row), [u])


def devices_csv(c: Corpus) -> None:
    src = "csv/devices.csv"
    header = ["id", "name", "ipAddress", "macAddress", "osProduct", "osVersion",
              "hwManufacturer", "hwModel", "user", "site", "firstSeen", "lastSeen"]
    g = c.gen(src)
    with c.path(src).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for i, u in enumerate(c.people):
            site = "" if i % 3 else SITES[0].name
            row = [u.device_id, u.device, u.tunnel_ip, u.mac, u.os_product, u.os_version,
                   u.hw[0], u.hw[1], u.name, site, iso(u.created + 3600000),
                   iso(T0 + g.rng.randint(0, 20000) * 1000)]
            w.writerow(row)
            c.labels.add(src, i, i + 2, csv_pairs(header, row), [u])
