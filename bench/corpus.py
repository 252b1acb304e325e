#!/usr/bin/env python3
"""Deterministic synthetic Cato Networks logs and exports, with ground-truth labels.

Every person, address and number here is invented: names from small pools, e-mails on
example.com/.org/.net, IPs from the documentation ranges (plus a few private ones), MACs from
00:00:5e:00:53:xx, phone numbers in the fictional 555 ranges.

    python bench/corpus.py                      # scale 1: the committed sample_data/
    python bench/corpus.py --scale 200 --out bench/corpus/s200 --labels bench/corpus/s200.jsonl
    python bench/corpus.py --check              # re-read what was written and verify the labels

Scale N multiplies record counts (and the number of invented users); records are written one at
a time, so large scales stream. The label format is described in tests/labels/README.md.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import io
import json
import random
import re
import sys
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

SEED = 20250314
ACCOUNT_ID = 4321
ACCOUNT_NAME = "example-corp"
T0 = 1741915200000  # 2025-03-14T01:20:00Z, epoch ms
ZIP_DATE_TIME = (2025, 3, 14, 1, 30, 0)
TAR_MTIME = 1741915800
CATO_DVC_IP = "192.0.2.1"  # the Cato address that reports legacy CEF events

# Undeclared items the scanner must find in free text.
CARD = "4111 1111 1111 1111"  # Luhn-valid test card
MY_NUMBER = "314159265352"  # 12 digits, check digit computed (stdnum.jp.in_.is_valid)
US_SSN = "219-09-9999"  # the specimen SSN printed in a 1940 SSA pamphlet, never issued
SCIM_PASSWORD = "Vx7#qLm2!pRt9w"  # unmasked password in the catocli SCIM CSV template
SPECIAL_TOKENS = (
    (CARD, "CREDIT_CARD"),
    (MY_NUMBER, "JP_MY_NUMBER"),
    (US_SSN, "US_SSN"),
)

# Hard cases of issue 3 section 2 that the regexes below do not label by themselves.
HARD_TOKENS = (
    ("4111-1111-1111-1111", "CREDIT_CARD"),
    ("3530 1113 3330 0000", "CREDIT_CARD"),  # JCB test number
    ("\uff13\uff11\uff14\uff11\uff15\uff19\uff12\uff16\uff15\uff13\uff15\uff12", "JP_MY_NUMBER"),
    ("078-05-1120", "US_SSN"),  # the Woolworth wallet specimen
    ("fe80::1c5e:ff:fe00:531a%en0", "IP_ADDRESS"),
    ("::ffff:192.0.2.44", "IP_ADDRESS"),
    ("+44 20 7946 0958", "PHONE_NUMBER"),  # Ofcom drama range
    ("(03) 5555-0199", "PHONE_NUMBER"),
    ("Hunter2-Blue!9", "SECRET"),
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "SECRET"),
)

# Records per file at scale 1.
BASE = {
    "events": 14, "events_tcp": 5, "events_pretty": 3, "api_events": 6, "api_audit": 5,
    "push_events": 10, "push_flows": 6, "audit": 6, "audit_datadog": 4, "cef": 8,
    "sentinel": 4, "legacy_json": 6, "legacy_cef": 4, "events_csv": 6, "xdr": 3, "parquet": 6,
    "groups": 3,
}


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    name: str  # display name as Cato shows it
    roman: str | None  # romanised name of a Japanese user
    given: str
    family: str
    email: str
    login: str  # SCIM externalId / tunnel logon name
    sam: str  # Windows logon name (CORP\sam)
    local_user: str  # OS account in home-directory paths
    user_id: int
    scim_id: str
    sid: str
    phone: str
    mobile: str
    device: str  # device_name
    hostname: str  # configured_host_name (OS host name)
    device_id: str
    mac: str
    os_type: str
    os_version: str
    os_product: str
    hw: tuple[str, str]  # manufacturer, model
    client: str
    tunnel_ip: str
    isp_ip: str
    country: str
    cc: str
    city: str
    pop: str
    isp: str
    origin: str
    auth: str
    status: str
    created: int  # epoch ms
    admin_id: str | None = None

    @property
    def win_login(self) -> str:
        return f"CORP\\{self.sam}"

    @property
    def mac_dash(self) -> str:
        return self.mac.replace(":", "-")

    @property
    def user_agent(self) -> str:
        return USER_AGENTS[self.os_type]

    @property
    def logged_in_user(self) -> str:
        return self.win_login if self.os_type == "OS_WINDOWS" else self.local_user

    @property
    def name_joined(self) -> str | None:
        """A Japanese name written without the space (``山田太郎``), or None."""
        joined = self.name.replace(" ", "").replace("\u3000", "")
        return None if self.name.isascii() or joined == self.name else joined

    @property
    def email_wide(self) -> str:
        return to_wide(self.email)

    @property
    def mobile_wide(self) -> str:
        return to_wide(self.mobile)

    def tokens(self) -> list[tuple[str, str]]:
        """Every string of this person that must be labelled wherever it appears."""
        out = [(self.name, "PERSON")]
        if self.roman:
            out.append((self.roman, "PERSON"))
        if self.name_joined:
            out.append((self.name_joined, "PERSON"))
        out += [(self.email_wide, "EMAIL_ADDRESS"), (self.mobile_wide, "PHONE_NUMBER")]
        out += [(v, "USERNAME") for v in (self.login, self.sam, self.local_user, self.win_login)]
        out += [(str(self.user_id), "USER_ID"), (self.scim_id, "USER_ID"), (self.sid, "USER_ID")]
        if self.admin_id:
            out.append((self.admin_id, "USER_ID"))
        out += [(self.device, "DEVICE_NAME"), (self.hostname, "DEVICE_NAME")]
        out += [(self.device_id, "DEVICE_ID"), (self.phone, "PHONE_NUMBER"),
                (self.mobile, "PHONE_NUMBER")]
        return list(dict.fromkeys(out))


def to_wide(text: str) -> str:
    """Full-width form of ASCII text (``taro@example.com`` -> ``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ``)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c
                   for c in text)


USER_AGENTS = {
    "OS_WINDOWS": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "OS_MAC": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_0) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "OS_LINUX": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
}
OS_PRODUCT = {"OS_WINDOWS": "Windows", "OS_MAC": "macOS", "OS_LINUX": "Ubuntu"}
JP = ("Japan", "JP")
US = ("United States", "US")


def _p(name, roman, given, family, email, sam, local, uid, scim, sid_rid, phone, mobile, device,
       hostname, dev_id, mac, os_type, os_version, hw, client, tunnel, isp_ip, ctry, city, pop,
       isp, origin, auth, status, created, admin_id=None) -> Person:
    return Person(
        name=name, roman=roman, given=given, family=family, email=email,
        login=email.split("@")[0], sam=sam, local_user=local, user_id=uid, scim_id=scim,
        sid=f"S-1-5-21-1111111111-2222222222-3333333333-{sid_rid}", phone=phone, mobile=mobile,
        device=device, hostname=hostname, device_id=dev_id, mac=f"00:00:5e:00:53:{mac}",
        os_type=os_type, os_version=os_version, os_product=OS_PRODUCT[os_type], hw=hw,
        client=client, tunnel_ip=tunnel, isp_ip=isp_ip, country=ctry[0], cc=ctry[1], city=city,
        pop=pop, isp=isp, origin=origin, auth=auth, status=status,
        created=int(datetime.strptime(created, "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
                    .timestamp() * 1000),
        admin_id=admin_id)


CURATED = [
    _p("山田 太郎", "Taro Yamada", "太郎", "山田", "taro.yamada@example.com", "tyamada",
       "tyamada", 1000033, "6283630dfd7ec758a8bf4b61", 1104, "+81 3-5555-0101", "090-5555-0123",
       "TARO-LAPTOP", "DESKTOP-ENI0ABC", "65f1a2b3c4d5e6f708192a3b", "1a", "OS_WINDOWS", "11",
       ("Lenovo", "ThinkPad X1 Carbon Gen 11"), "5.21.5.8548", "192.0.2.17", "198.51.100.23", JP,
       "Tokyo", "Tokyo", "Example Broadband K.K.", "SCIM", "SSO", "Active", "2024/11/02 09:15"),
    _p("佐藤\u3000花子", "Hanako Sato", "花子", "佐藤", "hanako.sato@example.com", "hsato",
       "hanako", 1000050, "6283630dfd7ec758a8bf4b72", 1105, "+81 6-5555-0102", "080-5555-0124",
       "Hanako’s MacBook Pro", "Hanakos-MacBook-Pro", "65f1a2b3c4d5e6f708192b4c", "2b", "OS_MAC",
       "14.3.0", ("Apple", "MacBook Pro (14-inch, 2023)"), "5.18.1.1234", "192.0.2.88",
       "2001:db8:4a1::1c", JP, "Osaka", "Osaka", "Example Mobile Co.", "LDAP", "MFA", "Active",
       "2024/12/10 14:03", admin_id="5502"),
    _p("鈴木 一郎", "Ichiro Suzuki", "一郎", "鈴木", "ichiro.suzuki@example.com", "isuzuki",
       "isuzuki", 1000061, "6283630dfd7ec758a8bf4c83", 1106, "+81 3-5555-0103", "090-5555-0125",
       "DESKTOP-7KQ2M4P", "DESKTOP-7KQ2M4P", "65f1a2b3c4d5e6f708192c5d", "3c", "OS_WINDOWS",
       "10", ("Dell", "Latitude 7440"), "5.20.2.8301", "192.0.2.90", "198.51.100.77", JP,
       "Tokyo", "Tokyo", "Example Broadband K.K.", "SCIM", "SSO", "Active", "2024/11/02 09:20",
       admin_id="5501"),
    _p("Emily Carter", None, "Emily", "Carter", "emily.carter@example.com", "ecarter", "ecarter",
       1000072, "6283630dfd7ec758a8bf4d94", 1107, "+1 202-555-0143", "+1 415-555-0178",
       "DESKTOP-EC01", "DESKTOP-EC01", "65f1a2b3c4d5e6f708192d6e", "4d", "OS_WINDOWS", "10",
       ("HP", "EliteBook 840 G9"), "5.16.4.8144", "192.0.2.101", "203.0.113.61", US, "New York",
       "New York", "Example Cable LLC", "Manual", "Username and Password", "Locked",
       "2025/01/20 18:44", admin_id="5503"),
    _p("やまもと さくら", "Sakura Yamamoto", "さくら", "やまもと", "sakura.yamamoto@example.org",
       "syamamoto", "syamamoto", 1000084, "6283630dfd7ec758a8bf4ea5", 1108, "+81 3-5555-0105",
       "070-5555-0126", "SAKURA-THINKPAD", "sakura-thinkpad", "65f1a2b3c4d5e6f708192e7f", "5e",
       "OS_LINUX", "22.04", ("Lenovo", "ThinkPad T14 Gen 4"), "5.12.0.2047", "10.254.0.12",
       "203.0.113.88", JP, "Osaka", "Osaka", "Example Fiber Inc.", "SCIM", "SSO", "Active",
       "2025/01/07 10:30"),
    _p("タナカ\u3000ケンジ", "Kenji Tanaka", "ケンジ", "タナカ", "kenji.tanaka@example.net",
       "ktanaka", "ktanaka", 1000095, "6283630dfd7ec758a8bf4fb6", 1109, "+81 92-555-0107",
       "080-5555-0127", "DESKTOP-KT77XQ1", "DESKTOP-KT77XQ1", "65f1a2b3c4d5e6f708192f80", "6f",
       "OS_WINDOWS", "11", ("Panasonic", "Let's note FV4"), "5.21.5.8548", "192.0.2.133",
       "198.51.100.145", JP, "Fukuoka", "Osaka", "Example Mobile Co.", "LDAP", "MFA", "Active",
       "2024/12/18 08:05"),
    _p("五十嵐 健", "Ken Igarashi", "健", "五十嵐", "ken.igarashi@example.net", "kigarashi",
       "kigarashi", 1000107, "6283630dfd7ec758a8bf50c7", 1110, "+81 11-555-0108",
       "090-5555-0128", "KEN-SURFACE", "KEN-SURFACE", "65f1a2b3c4d5e6f708193091", "70",
       "OS_WINDOWS", "11", ("Microsoft", "Surface Laptop 5"), "5.21.5.8548", "192.0.2.150",
       "203.0.113.140", JP, "Sapporo", "Tokyo", "Example Broadband K.K.", "SCIM", "SSO",
       "Disabled", "2024/10/01 12:00"),
    _p("勅使河原 美咲", "Misaki Teshigawara", "美咲", "勅使河原", "misaki.teshigawara@example.com",
       "mteshigawara", "misaki", 1000118, "6283630dfd7ec758a8bf51d8", 1111, "+81 3-5555-0109",
       "070-5555-0129", "Misaki’s MacBook Air", "Misakis-MacBook-Air", "65f1a2b3c4d5e6f7081931a2",
       "81", "OS_MAC", "14.2.1", ("Apple", "MacBook Air (M2, 2022)"), "5.18.1.1234",
       "192.0.2.161", "2001:db8:7f2::a0", JP, "Tokyo", "Tokyo", "Example Fiber Inc.", "SCIM",
       "SSO", "Active", "2025/02/03 16:40"),
    _p("Michael Brown", None, "Michael", "Brown", "michael.brown@example.org", "mbrown", "mbrown",
       1000129, "6283630dfd7ec758a8bf52e9", 1112, "+1 312-555-0161", "+1 312-555-0162",
       "DESKTOP-MB42", "DESKTOP-MB42", "65f1a2b3c4d5e6f7081932b3", "92", "OS_WINDOWS", "11",
       ("Dell", "XPS 13 9315"), "5.21.5.8548", "192.0.2.177", "203.0.113.201", US, "Chicago",
       "Chicago", "Example Cable LLC", "Manual", "MFA", "Active", "2025/01/15 15:25"),
    _p("Olivia Martinez", None, "Olivia", "Martinez", "olivia.martinez@example.net",
       "omartinez", "omartinez", 1000130, "6283630dfd7ec758a8bf53fa", 1113, "+1 213-555-0190",
       "+1 213-555-0191", "DESKTOP-OM5521", "DESKTOP-OM5521", "65f1a2b3c4d5e6f7081933c4", "a3",
       "OS_WINDOWS", "10", ("Lenovo", "ThinkPad E14"), "5.19.3.7002", "192.0.2.190",
       "198.51.100.201", US, "Los Angeles", "Los Angeles", "Example Wireless", "SCIM", "SSO",
       "Active", "2025/02/21 09:00"),
]
CURATED += [
    # Rare surnames (小鳥遊, 東海林), a surname no lexicon holds (鬼塚), half-width katakana
    # from a Shift-JIS era system, and English names with an apostrophe or from outside the
    # usual lists.
    _p("小鳥遊\u3000陽菜", "Hina Takanashi", "陽菜", "小鳥遊", "hina.takanashi@example.com",
       "htakanashi", "htakanashi", 1000141, "6283630dfd7ec758a8bf54ab", 1114, "+81 45-555-0110",
       "080-5555-0130", "HINA-PC", "HINA-PC", "65f1a2b3c4d5e6f7081934d5", "b4", "OS_WINDOWS",
       "11", ("Fujitsu", "LIFEBOOK U9313"), "5.21.5.8548", "192.0.2.201", "198.51.100.160", JP,
       "Yokohama", "Tokyo", "Example Fiber Inc.", "SCIM", "SSO", "Active", "2025/02/10 11:11"),
    _p("東海林 誠", "Makoto Shoji", "誠", "東海林", "makoto.shoji@example.net", "mshoji",
       "mshoji", 1000152, "6283630dfd7ec758a8bf55bc", 1115, "+81 6-5555-0111", "090-5555-0131",
       "DESKTOP-MS0J1Q2", "DESKTOP-MS0J1Q2", "65f1a2b3c4d5e6f7081935e6", "c5", "OS_WINDOWS",
       "10", ("NEC", "VersaPro VKT16"), "5.20.2.8301", "192.0.2.212", "203.0.113.171", JP,
       "Osaka", "Osaka", "Example Broadband K.K.", "LDAP", "MFA", "Active", "2024/09/30 17:45"),
    _p("ｻｲﾄｳ ﾀﾛｳ", "Taro Saito", "ﾀﾛｳ", "ｻｲﾄｳ", "taro.saito@example.org", "tsaito", "tsaito",
       1000163, "6283630dfd7ec758a8bf56cd", 1116, "+81 3-5555-0112", "070-5555-0132",
       "Taro’s MacBook Air", "Taros-MacBook-Air", "65f1a2b3c4d5e6f7081936f7", "d6", "OS_MAC",
       "14.3.0", ("Apple", "MacBook Air (M3, 2024)"), "5.18.1.1234", "192.0.2.223",
       "2001:db8:9c1::5", JP, "Tokyo", "Tokyo", "Example Mobile Co.", "SCIM", "SSO", "Active",
       "2025/01/28 08:30"),
    _p("鬼塚 翔", "Sho Onitsuka", "翔", "鬼塚", "sho.onitsuka@example.com", "sonitsuka",
       "sonitsuka", 1000174, "6283630dfd7ec758a8bf57de", 1117, "+81 92-555-0113",
       "090-5555-0133", "SHO-NB", "SHO-NB", "65f1a2b3c4d5e6f708193708", "e7", "OS_WINDOWS",
       "11", ("Dynabook", "dynabook G83"), "5.21.5.8548", "10.254.0.40", "203.0.113.190", JP,
       "Fukuoka", "Osaka", "Example Fiber Inc.", "Manual", "MFA", "Active", "2025/03/01 09:09"),
    _p("James O'Brien", None, "James", "O'Brien", "james.obrien@example.com", "jobrien",
       "jobrien", 1000185, "6283630dfd7ec758a8bf58ef", 1118, "+1 206-555-0114",
       "+1 206-555-0115", "DESKTOP-JO8812", "DESKTOP-JO8812", "65f1a2b3c4d5e6f708193819", "f8",
       "OS_WINDOWS", "11", ("HP", "ZBook Firefly 14"), "5.21.5.8548", "192.0.2.234",
       "198.51.100.181", US, "Seattle", "Los Angeles", "Example Wireless", "SCIM", "SSO",
       "Active", "2025/02/14 20:02"),
    _p("Priya Natarajan", None, "Priya", "Natarajan", "priya.natarajan@example.org",
       "pnatarajan", "pnatarajan", 1000196, "6283630dfd7ec758a8bf59f0", 1119, "+1 312-555-0116",
       "+1 312-555-0117", "DESKTOP-PN4410", "DESKTOP-PN4410", "65f1a2b3c4d5e6f70819392a", "09",
       "OS_WINDOWS", "11", ("Lenovo", "ThinkPad X1 Yoga"), "5.20.2.8301", "192.0.2.245",
       "203.0.113.210", US, "Chicago", "Chicago", "Example Cable LLC", "Manual", "MFA",
       "Active", "2025/02/25 13:13"),
]
TARO, HANAKO, ICHIRO, EMILY, SAKURA, KENJI, KEN, MISAKI, MICHAEL, OLIVIA = CURATED[:10]
HINA, MAKOTO, SAITO, SHO, JAMES, PRIYA = CURATED[10:]

# Pools for the invented users of larger scales (all CP932-encodable).
JA_FAMILY = [("佐々木", "sasaki"), ("高橋", "takahashi"), ("伊藤", "ito"), ("渡辺", "watanabe"),
             ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"),
             ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"), ("木村", "kimura"),
             ("清水", "shimizu"), ("山崎", "yamazaki"), ("池田", "ikeda"), ("橋本", "hashimoto"),
             ("石川", "ishikawa"), ("長谷川", "hasegawa"), ("小鳥遊", "takanashi"),
             ("東海林", "shoji"), ("五十嵐", "igarashi"), ("勅使河原", "teshigawara"),
             ("鬼塚", "onitsuka"), ("忽那", "kutsuna"), ("保科", "hoshina"), ("我那覇", "ganaha")]
JA_GIVEN = [("大輔", "daisuke"), ("翔太", "shota"), ("陽菜", "hina"), ("結衣", "yui"),
            ("蓮", "ren"), ("葵", "aoi"), ("直樹", "naoki"), ("由美", "yumi"), ("誠", "makoto"),
            ("拓也", "takuya"),
            ("彩", "aya"), ("悠人", "yuto"), ("真由美", "mayumi"), ("恵子", "keiko"),
            ("琴音", "kotone"), ("柊", "shu"), ("颯", "hayate")]
# Names written in kana (older HR systems, SCIM feeds from kana-only sources).
JA_KANA = [("イトウ ダイスケ", "Daisuke Ito"), ("ナカムラ\u3000ユイ", "Yui Nakamura"),
           ("きむら あおい", "Aoi Kimura"), ("ハシモト レン", "Ren Hashimoto")]
EN_GIVEN = ["James", "Mary", "Robert", "Linda", "William", "Susan", "David", "Karen", "Thomas",
            "Nancy", "Daniel", "Lisa", "Matthew", "Sandra", "Anthony", "Ashley", "Mark", "Donna"]
EN_FAMILY = ["Smith", "Johnson", "Williams", "Jones", "Garcia", "Miller", "Davis", "Wilson",
             "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson"]
JA_CITIES = [("Tokyo", "Tokyo"), ("Osaka", "Osaka"), ("Yokohama", "Tokyo"), ("Nagoya", "Osaka")]
US_CITIES = [("New York", "New York"), ("Chicago", "Chicago"), ("Seattle", "Los Angeles")]
TEXT_LOCATIONS = ("Tokyo", "Osaka", "New York", "Chicago", "Los Angeles")


def invented_people(n: int, rng: random.Random) -> list[Person]:
    """Curated users first, then ``n - 10`` invented ones from the name pools."""
    people = list(CURATED[:n])
    for i in range(len(people), n):
        japanese = rng.random() < 0.6
        os_type = rng.choice(["OS_WINDOWS", "OS_WINDOWS", "OS_WINDOWS", "OS_MAC", "OS_LINUX"])
        if japanese:
            (fam, fam_r), (giv, giv_r) = rng.choice(JA_FAMILY), rng.choice(JA_GIVEN)
            name = fam + rng.choice([" ", " ", "\u3000"]) + giv
            roman = f"{giv_r.title()} {fam_r.title()}"
            if rng.random() < 0.15:
                name, roman = rng.choice(JA_KANA)
                fam, giv = re.split("[ \u3000]", name)
                giv_r, fam_r = roman.lower().split()
            ctry, (city, pop) = JP, rng.choice(JA_CITIES)
            phone = f"+81 3-5555-{i % 10000:04d}"
            mobile = f"{rng.choice(['090', '080', '070'])}-5555-{i % 10000:04d}"
        else:
            giv_r, fam_r = rng.choice(EN_GIVEN), rng.choice(EN_FAMILY)
            name, roman, giv, fam = f"{giv_r} {fam_r}", None, giv_r, fam_r
            ctry, (city, pop) = US, rng.choice(US_CITIES)
            area = rng.choice(["202", "212", "312", "415", "206"])
            phone = f"+1 {area}-555-01{i % 100:02d}"
            mobile = f"+1 {area}-555-01{(i + 50) % 100:02d}"
        local = f"{giv_r[0]}{fam_r}{i}".lower()
        email = f"{giv_r.lower()}.{fam_r.lower()}{i}@example.{rng.choice(['com', 'org', 'net'])}"
        short = local.upper()[:10]
        device = {"OS_WINDOWS": f"DESKTOP-{short}", "OS_MAC": f"MBP-{short}",
                  "OS_LINUX": f"ws-{local}"}[os_type]
        tunnel_ip = rng.choice([f"192.0.2.{rng.randint(2, 254)}",
                                f"10.254.{i // 250}.{i % 250 + 2}", f"2001:db8:100::{i:x}"])
        isp_ip = rng.choice([f"198.51.100.{rng.randint(2, 254)}",
                             f"203.0.113.{rng.randint(2, 254)}",
                             f"2001:db8:{rng.randint(0x200, 0xfff):x}::{rng.randint(1, 0xff):x}"])
        people.append(Person(
            name=name, roman=roman, given=giv, family=fam, email=email,
            login=email.split("@")[0], sam=local, local_user=local, user_id=1000000 + 11 * i + 3,
            scim_id=f"{rng.getrandbits(96):024x}", sid=f"S-1-5-21-1111111111-2222222222-"
            f"3333333333-{1100 + i}", phone=phone, mobile=mobile, device=device, hostname=device,
            device_id=f"{rng.getrandbits(96):024x}", mac=f"00:00:5e:00:53:{i % 256:02x}",
            os_type=os_type, os_version={"OS_WINDOWS": "11", "OS_MAC": "14.3.0",
                                         "OS_LINUX": "22.04"}[os_type],
            os_product=OS_PRODUCT[os_type], hw=("Lenovo", "ThinkPad X13 Gen 4"),
            client=rng.choice(["5.21.5.8548", "5.20.2.8301", "5.18.1.1234"]),
            tunnel_ip=tunnel_ip, isp_ip=isp_ip,
            country=ctry[0], cc=ctry[1], city=city, pop=pop,
            isp=rng.choice(["Example Broadband K.K.", "Example Mobile Co.", "Example Cable LLC"]),
            origin=rng.choice(["SCIM", "LDAP", "Manual"]), auth=rng.choice(["SSO", "MFA"]),
            status="Active", created=T0 - rng.randint(30, 400) * 86400000))
    return people


@dataclass(frozen=True)
class Site:
    name: str
    site_id: int
    lan: str  # host addresses are lan + a number
    country: tuple[str, str]


SITES = [Site("Tokyo-HQ", 2479693, "192.168.10.", JP),
         Site("Osaka-Branch", 2479701, "2001:db8:10::", JP),
         Site("Chicago-Office", 2479715, "172.16.20.", US)]


@dataclass(frozen=True)
class Dest:
    host: str
    ip: str
    country: tuple[str, str]
    app: str
    categories: tuple[str, ...]


DESTS = [Dest("proxy.example.net", "203.0.113.45", US, "HTTP(S)", ("Anonymizers",)),
         Dest("www.example.com", "203.0.113.80", US, "Google Applications",
              ("General", "Search Engines and Portals")),
         Dest("teams.example.com", "198.51.100.140", ("Ireland", "IE"), "Microsoft Teams",
              ("Collaboration",)),
         Dest("files.example.org", "203.0.113.99", ("Germany", "DE"), "Box",
              ("File Sharing",)),
         Dest("intranet.example.com", "192.168.10.20", JP, "HTTP(S)", ("Business",))]


# --------------------------------------------------------------------------- helpers


def iso(ms: int, millis: bool = False) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms % 1000:03d}Z" if millis else "Z")


def cef_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def syslog_time(ms: int) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return f"{dt:%b} {dt.day:>2} {dt:%H:%M:%S}"


def cma_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y/%m/%d %H:%M")


def flatten(obj, prefix: str | None = None) -> Iterator[tuple[str | None, str]]:
    """The scanner's field convention: dotted key paths, list indexes as segments.

    Booleans, None and empty strings are skipped; numbers become their decimal text.
    """
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from flatten(value, str(key) if prefix is None else f"{prefix}.{key}")
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from flatten(value, str(i) if prefix is None else f"{prefix}.{i}")
    elif isinstance(obj, bool) or obj is None:
        return
    elif isinstance(obj, str):
        if obj:
            yield prefix, obj
    else:
        yield prefix, repr(obj) if isinstance(obj, float) else str(obj)


def api_str(v) -> str:
    """fieldsMap typing: everything is a string, lists joined with ', '."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ", ".join(api_str(x) for x in v)
    return "" if v is None else str(v)


def dumps(obj, **kw) -> str:
    return json.dumps(obj, ensure_ascii=False, **kw)


def compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Gen:
    """Per-file random source and clock, so each file is reproducible on its own."""

    def __init__(self, name: str, people: list[Person], start_offset_s: int = 0):
        self.rng = random.Random(f"{SEED}:{name}")
        self.people = people
        self.t = T0 + start_offset_s * 1000
        self.messages = -1

    def tick(self, lo: int = 4, hi: int = 95) -> int:
        self.t += self.rng.randint(lo, hi) * 1000
        return self.t

    def next_message(self) -> int:
        """Index of the next HARD_MESSAGES template (each file walks through all of them)."""
        self.messages += 1
        return self.messages % len(HARD_MESSAGES)

    def hexid(self, n: int = 14) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def short_id(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(10))

    def port(self) -> int:
        return self.rng.randint(49152, 65535)

    def pick(self, seq):
        return self.rng.choice(seq)


# --------------------------------------------------------------------------- labelling

# Fields whose whole value is one entity, matched on the full key path or its last segment.
WHOLE_VALUE = {
    **dict.fromkeys(["url", "full_path_url", "referer_url", "domain_name", "dns_query", "dhost",
                     "destinationDnsDomain", "destinationName", "domain", "http_host_name",
                     "dns_name", "request", "URL"], "URL"),
    **dict.fromkeys(["src_country", "dest_country", "src_country_code", "dest_country_code",
                     "src_city", "pop_name", "egress_pop_name", "site_country", "sourceCountry",
                     "destinationCountry", "CATOSourceCountry", "CATODestinationCountry",
                     "CATOPopName", "Source Country", "address", "cityRaw", "stateRaw",
                     "countryRaw", "latitude", "longitude"], "LOCATION"),
    **dict.fromkeys(["os_type", "os_version", "device_os_type", "client_version", "user_agent",
                     "device_model", "tunnel_device_type", "OS Type", "Device OS Type",
                     "Device OS Version", "Client Version", "osProduct", "osVersion",
                     "hwManufacturer", "hwModel", "requestClientApplication", "DeviceVersion",
                     "socket_version"],
                    "DEVICE_INFO"),
    **dict.fromkeys(["givenName", "familyName", "given_name", "family_name", "First Name",
                     "Last Name", "firstName", "lastName"], "PERSON"),
    "password": "SECRET",
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
        whole = WHOLE_VALUE.get(path) or WHOLE_VALUE.get(path.rsplit(".", 1)[-1])
    if whole and text not in MASKED:
        out.append((whole, text))
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


def record_labels(pairs: Iterable[tuple[str | None, str]],
                  tokens: list[tuple[str, str]]) -> list[tuple[str | None, str, str]]:
    seen: dict[tuple[str | None, str, str], None] = {}
    for path, text in pairs:
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


# --------------------------------------------------------------------------- event kinds


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


# Free-text hard cases (issue 3 section 2), each f(u, o) -> text: u is the record's user, o
# another person. They go into event_message and into the Cato Client trace log, so they are
# scanned as mapped free text and as plain-text lines. Whatever they hold that is personal is
# labelled by the usual rules (people's tokens, HARD_TOKENS, regexes); the rest are traps.
HARD_MESSAGES: list[Callable[[Person, Person], str]] = [
    lambda u, o: f"Login failed for user {o.name}: invalid credentials",
    lambda u, o: f"User {u.name} connected from {u.isp_ip}",
    lambda u, o: f"Full scan by {o.name} finished, 0 threats found",
    lambda u, o: f"Approved by {o.roman or o.name}; Rule Allow Business Apps matched site "
                 "Home Office 07",
    lambda u, o: f"{o.name_joined or o.name}さんがポリシーを変更しました",
    lambda u, o: f"管理者 {o.name} がユーザー {u.name} を無効にしました",
    lambda u, o: "MITRE tactics: Command and Control (TA0011), Initial Access (TA0001); "
                 "threat Emotet blocked by IPS",
    lambda u, o: "System User #40276 modified site Home Office 07; Story Created by "
                 "Threat Prevention",
    lambda u, o: f"Application Microsoft Teams allowed for {u.roman or u.name} on ISP {u.isp}",
    lambda u, o: f"client {u.client} (build 5.4.2.18) started; OID 1.3.6.1 and "
                 f"1.3.6.1.4.1.2021.10 polled; tunnel {u.tunnel_ip}",
    lambda u, o: "link-local fe80::1c5e:ff:fe00:531a%en0, mapped ::ffff:192.0.2.44, "
                 "peer [2001:db8::8a2e:370:7334]:443",
    lambda u, o: f"Callback requested: tel {u.mobile}, office {u.phone}; dialled "
                 "+44 20 7946 0958 at 2025-03-14 10:20:31, port 50443, ticket 4312555501",
    lambda u, o: f"電話：{u.mobile_wide}、代表 (03) 5555-0199 (2025/03/14 受付)",
    lambda u, o: f"Password reset link https://portal.example.com/reset?email="
                 f"{quote(u.email, safe='')}&next=%2Fhome sent to {o.email}",
    lambda u, o: f"ユーザー {u.name} のメール：{u.email_wide}",
    lambda u, o: f"Wi-Fi BSSID 00:00:5E:00:53:FE, adapter 0000.5e00.53a1, device mac "
                 f"{u.mac_dash.upper()}",
    lambda u, o: f"Device {u.device} enrolled; host {u.hostname} compliant",
    lambda u, o: f"Opened C:\\Users\\{u.local_user}\\Documents\\report.xlsx; logon "
                 f"{u.win_login}; login_name={u.login}",
    lambda u, o: "DLP: card 4111-1111-1111-1111 and JCB 3530 1113 3330 0000 matched; "
                 "4111 1111 1111 1112 fails Luhn",
    lambda u, o: "DLP: 個人番号 ３１４１５９２６５３５２ found; SSN 078-05-1120 found; "
                 "000-12-3456 is not an SSN",
    lambda u, o: 'config dump: password=Hunter2-Blue!9 api_key="sk_test_4eC39HqLyjWDarjtT1zdp7dc"'
                 " pwd=***",
    # Low-score look-alikes, so the min_score sweep has something to tell apart: a 12-digit
    # order number whose last digit happens to pass the My Number check, an SSN-shaped
    # reference written with spaces.
    lambda u, o: "Order 402135768198 shipped to the branch, tracking ref 219 09 9999",
]


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


# --------------------------------------------------------------------------- audit kinds


@dataclass
class Audit:
    t: int
    admin: tuple[str, str, str]  # id, name, type
    api_key: tuple[str, str] | None
    obj: tuple[str, str, str]  # id, name, type
    model_type: str
    module: str
    change_type: str
    after: dict
    before: dict
    people: list[Person]

    def base(self) -> dict:
        return {"account_id": str(ACCOUNT_ID), "admin": self.admin[1], "admin_id": self.admin[0],
                "change_type": self.change_type, "creation_date": str(self.t - 7000),
                "insertion_date": str(self.t), "model_name": self.obj[1],
                "model_type": self.model_type, "module": self.module}

    def flat(self) -> dict:
        fm = self.base()
        for side, tree in (("After", self.after), ("Before", self.before)):
            fm.update({f"change.{side}.{k}": v for k, v in flatten(tree)})
        return {k: fm[k] for k in sorted(fm)}

    def nested(self) -> dict:
        fm = self.base()
        fm["change"] = {k: v for k, v in (("After", self.after), ("Before", self.before)) if v}
        return {k: fm[k] for k in sorted(fm)}


def _admin(p: Person) -> tuple[str, str, str]:
    return (p.admin_id, p.email if p is HANAKO else p.name, "admin")


def a_rule_modified(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    """A change made through the API: apiKey names the key that made it."""
    rid = str(g.rng.randint(77000, 77999))
    key = (str(3100 + ADMINS.index(admin)), f"{admin.roman or admin.name} Terraform key")
    return Audit(t, _admin(admin), key, (rid, "Block Anonymizers", "internetFirewallRule"),
                 "Internet Firewall Rule", "Internet Firewall", "MODIFIED",
                 {"name": "Block Anonymizers", "enabled": "true"}, {"enabled": "false"}, [admin])


def a_site_modified(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    after = {"name": "Home Office 07", "address": "1-2-3 Jingumae, Shibuya-ku",
             "cityRaw": "Tokyo", "stateRaw": "JP-13", "countryRaw": "JP",
             "latitude": "35.66950", "longitude": "139.70820", "pw": "***"}
    return Audit(t, ("40276", "System User #40276", "admin"), None,
                 ("2479733", "Home Office 07", "site"), "Site", "Configuration",
                 "MODIFIED", after, {"pw": "***"}, [])


def a_site_address(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    """An admin moves a home-office site: a Japanese postal address and coordinates."""
    after = {"name": "Home Office 12", "address": "東京都千代田区丸の内1-1-1",
             "cityRaw": "千代田区", "stateRaw": "JP-13", "countryRaw": "JP",
             "latitude": "35.68123", "longitude": "139.76712"}
    before = {"address": "大阪府大阪市北区梅田3-1-3", "latitude": "34.70243",
              "longitude": "135.49594"}
    return Audit(t, _admin(admin), None, ("2479745", "Home Office 12", "site"), "Site",
                 "Configuration", "MODIFIED", after, before, [admin])


def a_rule_created(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    after = {"name": "Allow Helpdesk PC", "action": "ALLOW",
             "from": [{"display_name": user.hostname, "entityType": "HOSTSUBNET",
                       "id": f"{g.rng.randint(2479000, 2479999)}.000000"}]}
    return Audit(t, _admin(admin), None, (str(g.rng.randint(78000, 78999)), "Allow Helpdesk PC",
                                          "wanFirewallRule"), "WAN Firewall Rule",
                 "WAN Firewall", "CREATED", after, {}, [admin, user])


def a_user_created(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    after = {"firstName": user.given, "lastName": user.family, "email": user.email,
             "phoneNumber": user.phone, "status": "ACTIVE", "authMethod": user.auth}
    return Audit(t, _admin(admin), None, (str(user.user_id), user.name, "sdpUser"), "User",
                 "Users", "CREATED", after, {}, [admin, user])


def a_api_key_created(g: Gen, t: int, admin: Person, user: Person) -> Audit:
    key = f"{admin.roman or admin.name} SIEM key"
    key_id = str(g.rng.randint(3000, 3999))
    after = {"name": key, "role": "Viewer", "allowedIps": ["203.0.113.50"]}
    return Audit(t, _admin(admin), None, (key_id, key, "apiKey"), "API Key",
                 "Administrators", "CREATED", after, {}, [admin])


AUDIT_KINDS = [(a_rule_modified, ICHIRO, None), (a_site_modified, None, None),
               (a_rule_created, HANAKO, TARO), (a_user_created, EMILY, MISAKI),
               (a_api_key_created, ICHIRO, None), (a_site_address, EMILY, None)]
ADMINS = [ICHIRO, HANAKO, EMILY]


def iter_audits(g: Gen, n: int, offset: int = 0) -> Iterator[Audit]:
    for i in range(n):
        kind, admin, user = AUDIT_KINDS[(i + offset) % len(AUDIT_KINDS)]
        if i >= len(AUDIT_KINDS) or admin is None:
            admin = g.pick(ADMINS)
        if i >= len(AUDIT_KINDS) or user is None:
            user = g.pick(g.people)
        yield kind(g, g.tick(30, 600), admin, user)


# --------------------------------------------------------------------------- CEF


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


# --------------------------------------------------------------------------- writers


class Corpus:
    def __init__(self, out: Path, labels: LabelSink, scale: int, people: list[Person]):
        self.out, self.labels, self.scale, self.people = out, labels, scale, people

    def n(self, key: str) -> int:
        return BASE[key] * self.scale

    def gen(self, name: str, offset_s: int = 0) -> Gen:
        return Gen(name, self.people, offset_s)

    def path(self, rel: str) -> Path:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    # ---- eventsFeed.py outputs
    def events_jsonl(self):
        src = "events/eventsfeed.jsonl"
        g = self.gen(src)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, ev in enumerate(iter_events(g, self.n("events"))):
                obj = eventsfeed_obj(ev)
                fh.write(dumps(obj) + "\n")
                self.labels.add(src, i, i + 1, flatten(obj), ev.people, ev.extra)

    def events_tcp(self):
        src = "events/eventsfeed_tcp.json"
        g = self.gen(src, 3600)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, ev in enumerate(iter_events(g, self.n("events_tcp"), offset=1)):
                obj = eventsfeed_obj(ev)
                fh.write(dumps(obj))
                self.labels.add(src, i, 1, flatten(obj), ev.people, ev.extra)

    def events_pretty(self):
        src = "events/eventsfeed_pretty.json"
        g = self.gen(src, 7200)
        line = 1
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, ev in enumerate(iter_events(g, self.n("events_pretty"), offset=2)):
                obj = eventsfeed_obj(ev)
                text = dumps(obj, indent=2)
                fh.write(text + "\n")
                self.labels.add(src, i, line, flatten(obj), ev.people, ev.extra)
                line += text.count("\n") + 1

    # ---- GraphQL pages (one compact JSON document each, written record by record)
    def api_events(self):
        src = "api/eventsfeed_page.json"
        g = self.gen(src, 10800)
        n = self.n("api_events")
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write('{"data":{"eventsFeed":{"marker":"a1b2c3d4e5f60718",'
                     f'"fetchedCount":{n},"accounts":[{{"id":"{ACCOUNT_ID}",'
                     '"errorString":null,"records":[')
            for i, ev in enumerate(iter_events(g, n, offset=4)):
                fm = {k: api_str(ev.fields[k]) for k in sorted(ev.fields)}
                keep = ("account_id", "action", "src_ip", "user_name", "vpn_user_email", "time")
                rec = {"time": iso(ev.fields["time"]), "fieldsMap": fm,
                       "flatFields": [[k, fm[k]] for k in keep if k in fm]}
                fh.write(("," if i else "") + compact(rec))
                self.labels.add(src, i, None, flatten(fm), ev.people, ev.extra)
            fh.write("]}]}}}\n")

    def api_audit(self):
        src = "api/auditfeed_page.json"
        g = self.gen(src, 600)
        n = self.n("api_audit")
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write('{"data":{"auditFeed":{"from":"2025-03-14T00:00:00Z","to":'
                     '"2025-03-15T00:00:00Z","marker":"f00dcafe00000042",'
                     f'"fetchedCount":{n},"hasMore":false,"accounts":[{{"id":"{ACCOUNT_ID}",'
                     '"records":[')
            for i, a in enumerate(iter_audits(g, n)):
                fm = a.flat()
                ents = {"admin": dict(zip(("id", "name", "type"), a.admin, strict=True)),
                        "apiKey": ({"id": a.api_key[0], "name": a.api_key[1], "type": "apiKey"}
                                   if a.api_key else None),
                        "object": dict(zip(("id", "name", "type"), a.obj, strict=True))}
                rec = {**ents, "time": iso(a.t), "fieldsMap": fm,
                       "flatFields": [[k, fm[k]] for k in ("admin", "change_type", "model_name")]}
                fh.write(("," if i else "") + compact(rec))
                pairs = list(flatten(ents)) + list(flatten(fm))
                self.labels.add(src, i, None, pairs, a.people)
            fh.write("]}]}}}\n")

    # ---- push integrations
    def push_events(self):
        src = "push/events-20250314-0001.json.gz"
        g = self.gen(src, 300)
        with self.path(src).open("wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            for i, ev in enumerate(iter_events(g, self.n("push_events"), offset=5)):
                obj = push_obj(ev)
                gz.write((compact(obj) + "\n").encode())
                self.labels.add(src, i, i + 1, flatten(obj), ev.people, ev.extra)

    def push_flows(self):
        src = "push/flows-20250314-0001.json.bz2"
        g = self.gen(src, 900)
        with bz2.open(self.path(src), "wt", encoding="utf-8", newline="\n") as fh:
            for i in range(self.n("push_flows")):
                u = self.people[i] if i < len(self.people) and i < 6 else g.pick(self.people)
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
                self.labels.add(src, i, i + 1, flatten(obj), [u])

    # ---- audit trail
    def audit_jsonl(self):
        src = "audit/auditfeed.jsonl"
        g = self.gen(src, 2400)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, a in enumerate(iter_audits(g, self.n("audit"))):
                obj = {"audit_timestamp": iso(a.t), "event_timestamp": iso(a.t), **a.flat()}
                fh.write(dumps(obj) + "\n")
                self.labels.add(src, i, i + 1, flatten(obj), a.people)

    def audit_datadog(self):
        src = "audit/audit_push_datadog.jsonl"
        g = self.gen(src, 4800)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, a in enumerate(iter_audits(g, self.n("audit_datadog"), offset=2)):
                obj = {"fieldsMap": a.nested()}
                fh.write(compact(obj) + "\n")
                self.labels.add(src, i, i + 1, flatten(obj["fieldsMap"]), a.people)

    # ---- CEF
    def _cef_lines(self, g: Gen, n: int, start: int = 0) -> Iterator[tuple[str, list[Person]]]:
        order = [TARO, HANAKO, ICHIRO, TARO, KENJI, MISAKI, EMILY, SAKURA]
        for i in range(n):
            j = i + start
            u = order[j % len(order)] if j < len(order) else g.pick(self.people)
            yield cef_event(g, j, u)

    def cef_log(self):
        src = "cef/cato_cef.log"
        g = self.gen(src, 1200)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            for i, (line, people) in enumerate(self._cef_lines(g, self.n("cef"))):
                fh.write(line + "\n")
                self.labels.add(src, i, i + 1, cef_pairs(line), people)

    def sentinel(self):
        src = "cef/sentinel_logdata.json"
        g = self.gen(src, 1500)
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("[")
            kinds = [(k_firewall, TARO), (k_connected, HANAKO)]
            for i, ev in enumerate(iter_events(g, self.n("sentinel"), kinds=kinds)):
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
                self.labels.add(src, i, None, flatten(obj), ev.people)
            fh.write("\n]\n")

    # ---- legacy Log Exporter zip
    def legacy_zip(self):
        name = "legacy/CATO00000000000000012345.zip"
        member_json = "CATO00000000000000012345.json"
        member_cef = "cef/CATO00000000000000012346.log"
        g = self.gen(name, -378 * 86400)  # 2024-03-01, before the Log Exporter's end of life
        json_lines = []
        for i in range(self.n("legacy_json")):
            u = [TARO, HANAKO, EMILY, KEN, MICHAEL, ICHIRO][i] if i < 6 else g.pick(self.people)
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
            self.labels.add(f"{name}!{member_json}", i, i + 1, flatten(rec), [u])
        cef_lines = []
        for i, (line, people) in enumerate(self._cef_lines(g, self.n("legacy_cef"), start=2)):
            cef_lines.append(line)
            self.labels.add(f"{name}!{member_cef}", i, i + 1, cef_pairs(line), people)
        with zipfile.ZipFile(self.path(name), "w") as zf:
            for member, lines in ((member_json, json_lines), (member_cef, cef_lines)):
                info = zipfile.ZipInfo(member, date_time=ZIP_DATE_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                zf.writestr(info, "".join(x + "\n" for x in lines).encode())

    # ---- CSV exports
    def events_csv(self):
        src = "csv/events_export.csv"
        g = self.gen(src, 6000)
        header = ["Time", "Event Type", "Sub-Type", "User Name", "User Email", "Source IP",
                  "Source ISP IP", "Source Country", "Device Name", "OS Type",
                  "Host MAC Address", "URL", "events_count"]
        kinds = [(k_firewall, TARO), (k_connected, HANAKO), (k_dns_site, ICHIRO),
                 (k_xdr, MISAKI), (k_connected, EMILY), (k_site_traffic, TARO)]
        with self.path(src).open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(header)
            for i, ev in enumerate(iter_events(g, self.n("events_csv"), kinds=kinds)):
                f = ev.fields
                user = f.get("user_name") or (f["src_site_name"] if f.get("src_is_site_or_vpn")
                                              == "SDP User" else "")
                row = [iso(f["time"], millis=True), f["event_type"], f["event_sub_type"], user,
                       f.get("vpn_user_email", ""), f.get("src_ip", ""),
                       f.get("src_isp_ip", ""), f.get("src_country", ""),
                       f.get("device_name", ""), f.get("os_type", ""), f.get("host_mac", ""),
                       f.get("url", ""), str(f["event_count"])]
                w.writerow(row)
                self.labels.add(src, i, i + 2, csv_pairs(header, row), ev.people)

    def users_csv(self):
        src = "csv/users_export_sjis.csv"
        header = ["First Name", "Last Name", "Email", "Phone Number", "Status", "Creation Date",
                  "Last Connection Date", "Device Name", "Device OS Type", "Device OS Version",
                  "Client Version", "Origin", "Authentication Type"]
        g = self.gen(src)
        with self.path(src).open("w", encoding="cp932", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(header)
            for i, u in enumerate(self.people):
                last = T0 + g.rng.randint(0, 20000) * 1000 if u.status == "Active" else \
                    T0 - g.rng.randint(5, 40) * 86400000
                row = [u.given, u.family, u.email, u.phone, u.status, cma_time(u.created),
                       cma_time(last), u.device, u.os_product, u.os_version, u.client, u.origin,
                       u.auth]
                w.writerow(row)
                self.labels.add(src, i, i + 2, csv_pairs(header, row), [u])

    def devices_csv(self):
        src = "csv/devices.csv"
        header = ["id", "name", "ipAddress", "macAddress", "osProduct", "osVersion",
                  "hwManufacturer", "hwModel", "user", "site", "firstSeen", "lastSeen"]
        g = self.gen(src)
        with self.path(src).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for i, u in enumerate(self.people):
                site = "" if i % 3 else SITES[0].name
                row = [u.device_id, u.device, u.tunnel_ip, u.mac, u.os_product, u.os_version,
                       u.hw[0], u.hw[1], u.name, site, iso(u.created + 3600000),
                       iso(T0 + g.rng.randint(0, 20000) * 1000)]
                w.writerow(row)
                self.labels.add(src, i, i + 2, csv_pairs(header, row), [u])

    def scim_csv(self):
        src = "directory/scim_users.csv"
        header = ["email", "given_name", "family_name", "external_id", "password", "active",
                  "user_id"]
        with self.path(src).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for i, u in enumerate(self.people):
                row = [u.email, u.given, u.family, u.login,
                       SCIM_PASSWORD if u is EMILY else "",
                       "false" if u.status != "Active" else "true",
                       str(u.user_id) if i % 4 == 1 else ""]
                w.writerow(row)
                self.labels.add(src, i, i + 2, csv_pairs(header, row), [u])

    # ---- SCIM JSON
    @staticmethod
    def scim_user(u: Person) -> dict:
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": u.scim_id, "externalId": u.login, "userName": u.email,
            "name": {"givenName": u.given, "familyName": u.family},
            "active": u.status == "Active",
            "emails": [{"primary": True, "value": u.email, "type": "work"}],
            "phoneNumbers": [{"primary": True, "type": "work", "value": u.phone},
                             {"primary": False, "type": "mobile", "value": u.mobile}],
            "created": iso(u.created), "lastModified": "2025-03-01T00:00:00Z",
            "urn:ietf:params:scim:schemas:extension:catonetworks:2.0:User": {
                "onPremisesSecurityIdentifier": u.sid, "dirSyncEnabled": u.origin == "SCIM"}}

    def scim_json(self):
        src = "directory/scim_user.json"
        obj = self.scim_user(TARO)
        self.path(src).write_text(dumps(obj, indent=2) + "\n", encoding="utf-8")
        self.labels.add(src, 0, 1, flatten(obj), [TARO])

        src = "directory/scim_users_list.json"
        self._list_response(src, "urn:ietf:params:scim:api:messages:2.0:ListResponse",
                            ((self.scim_user(u), [u]) for u in self.people), len(self.people))

        src = "directory/scim_groups.json"
        g = self.gen(src)
        names = ["Sales", "Engineering", "SOC Analysts", "Finance", "Support", "Contractors"]
        n = self.n("groups")

        def groups():
            for i in range(n):
                members = g.rng.sample(self.people, k=min(len(self.people), g.rng.randint(2, 4)))
                label = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names)
                                                 else "")
                yield ({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                        "id": g.hexid(24), "externalId": label.lower().replace(" ", "-"),
                        "displayName": label,
                        "members": [{"value": m.scim_id} for m in members]}, members)

        self._list_response(src, "urn:ietf:params:scim:api:messages:2.0:ListResponse",
                            groups(), n)

    def _list_response(self, src: str, schema: str, items, total: int):
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            head = {"schemas": [schema], "totalResults": total, "startIndex": 1,
                    "itemsPerPage": total}
            fh.write(dumps(head, indent=2)[:-2] + ',\n  "Resources": [')
            for i, (obj, people) in enumerate(items):
                text = dumps(obj, indent=2).replace("\n", "\n    ")
                fh.write(("," if i else "") + "\n    " + text)
                self.labels.add(src, i, None, flatten(obj), people)
            fh.write("\n  ]\n}\n")

    # ---- client logs
    def client_logs(self):
        self._text_log("client_logs/cato_vpn_5.21.5.8548_20250314012030.log", self._vpn_session,
                       "%Y-%m-%d %H:%M:%S.{ms} [{lvl}] ", T0 + 30000)
        self._text_log("client_logs/cato_ua_5.21.5.8548_20250314012031.log", self._ua_session,
                       "%Y-%m-%d %H:%M:%S.{ms} [{lvl}] ", T0 + 31000)
        self._text_log(TRACE_LOG, self._trace_session, "%Y-%m-%dT%H:%M:%S.{ms}Z {lvl} ",
                       T0 + 45000)
        # macOS logs travel as a tarball of the AppLogs folder.
        src = "client_logs/mac_logs.tar.gz"
        member = "AppLogs/CatoClient.1.log"
        buf = io.StringIO()
        self._text_log(f"{src}!{member}", self._mac_session,
                       "%Y-%m-%d %H:%M:%S.{ms} <{lvl}> CatoClient: ", T0 + 110000, buf)
        data = buf.getvalue().encode()
        tar = io.BytesIO()
        with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as tf:
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tf.addfile(info, io.BytesIO(data))
        self.path(src).write_bytes(gzip.compress(tar.getvalue(), mtime=0))

    def _text_log(self, src: str, session, prefix: str, start: int, sink=None):
        g = self.gen(src)
        t = start
        index = 0
        fh = sink or self.path(src).open("w", encoding="utf-8", newline="\n")
        try:
            for s in range(self.scale):
                for lvl, text, people, extra in session(g, s):
                    t += g.rng.randint(15, 900)
                    dt = datetime.fromtimestamp(t / 1000, tz=UTC)
                    line = dt.strftime(prefix).format(ms=f"{t % 1000:03d}", lvl=lvl) + text
                    fh.write(line + "\n")
                    self.labels.add(src, index, index + 1, [(None, line)], people, extra)
                    index += 1
                t += g.rng.randint(600, 7200) * 1000
        finally:
            if sink is None:
                fh.close()

    def _trace_session(self, g: Gen, s: int):
        """Every hard case once per session, as Cato Client trace lines."""
        order = CURATED[10:] + CURATED[:10]
        lines = []
        for i, template in enumerate(HARD_MESSAGES):
            u = order[i % len(order)] if s == 0 else g.pick(self.people)
            o = order[(i + 3) % len(order)] if s == 0 else g.pick(self.people)
            lines.append(("INFO", template(u, o), [u, o], []))
        return lines

    def _other(self, g: Gen, s: int, default: Person) -> Person:
        return default if s == 0 else g.pick(self.people)

    def _vpn_session(self, g: Gen, s: int):
        u, other = TARO, self._other(g, s, EMILY)
        return [
            ("INFO", f"client {u.client} starting, service CatoNetworksVPNService", [], []),
            ("INFO", f"Opened C:\\Users\\{u.local_user}\\AppData\\Local\\CatoNetworks\\"
                     "CatoClient\\settings.json", [u], []),
            ("INFO", f"host {u.hostname} mac {u.mac_dash.upper()}", [u], []),
            ("INFO", f"user {u.win_login} logged on, session 1", [u], []),
            ("WARN", f"Login failed for user {other.name}: invalid credentials", [other], []),
            ("INFO", f"Authenticating {u.email} to account {ACCOUNT_NAME}", [u], []),
            ("INFO", f"Connected to PoP {u.pop} from {u.isp_ip}", [u], []),
            ("INFO", f"Tunnel address {u.tunnel_ip} assigned, DNS 10.254.254.1", [u], []),
            ("INFO", f"User {u.name} connected", [u], []),
            ("DEBUG", f"keepalive rtt={g.rng.randint(8, 40)}ms loss=0", [], []),
            ("WARN", "Network change detected, reconnecting", [], []),
            ("INFO", "Disconnected: user request", [], []),
        ]

    def _ua_session(self, g: Gen, s: int):
        u = TARO
        ua = compact({"login_name": u.login, "subdomain": ACCOUNT_NAME,
                      "user_id": str(u.user_id), "display_name": u.roman})
        return [
            ("INFO", f"User awareness agent started, client {u.client}", [], []),
            ("INFO", f"GET /ua subdomain={ACCOUNT_NAME}", [], []),
            ("INFO", f"/ua response: {ua}", [u], []),
            ("INFO", f"Seamless auth ok for {u.win_login} on {u.hostname}", [u], []),
            ("INFO", f"Reported logged-on user {u.sam} for tunnel address {u.tunnel_ip}", [u], []),
            ("WARN", "Token refresh delayed, retry in 30s", [], []),
        ]

    def _mac_session(self, g: Gen, s: int):
        u, other = HANAKO, self._other(g, s, MISAKI)
        return [
            ("INFO", f"CatoClient {u.client} launched", [], []),
            ("INFO", f"Opened /Users/{u.local_user}/Library/Group Containers/CKGSB8CH43.group/"
                     "AppLogs/CatoClient.1.log", [u], []),
            ("INFO", f"device {u.device} host {u.hostname} mac {u.mac}", [u], []),
            ("INFO", f"Signing in {u.email}", [u], []),
            ("INFO", f"User {u.name} connected", [u], []),
            ("INFO", f"Connected to PoP {u.pop} from {u.isp_ip}", [u], []),
            ("INFO", f"Tunnel address {u.tunnel_ip}", [u], []),
            ("WARN", "Wi-Fi changed; reconnecting", [], []),
            ("ERROR", f"Login failed for user {other.roman or other.name}: MFA timeout",
             [other], []),
            ("INFO", "Disconnected", [], []),
        ]

    # ---- XDR stories and Parquet
    def xdr(self):
        src = "json/xdr_stories.json"
        g = self.gen(src, 6600)
        analyst = EMILY
        with self.path(src).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("[")
            for i in range(self.n("xdr")):
                u = [HANAKO, TARO, KENJI][i] if i < 3 else g.pick(self.people)
                t = g.tick(300, 3600)
                first = t - g.rng.randint(60, 900) * 1000
                source = [u.name, u.hostname, u.tunnel_ip][i % 3]
                story = {
                    "id": g.hexid(24), "accountId": ACCOUNT_ID, "accountName": ACCOUNT_NAME,
                    "analystEmail": analyst.email, "analystName": analyst.name,
                    "createdAt": iso(t), "updatedAt": iso(t + 2989000),
                    "summary": ["Cybersquatting activity", "Suspicious PowerShell download",
                                "Anomalous upload volume"][i % 3],
                    "playbook": "Investigate the source and block the destination if confirmed",
                    "timeline": [
                        {"createdAt": iso(first), "type": "signal",
                         "description": f"Traffic from {u.tunnel_ip} flagged by Threat Prevention"},
                        {"createdAt": iso(t + 600000), "type": "analyst",
                         "description": f"{analyst.name} changed status to Investigating"}],
                    "incident": {
                        "source": source, "sourceIp": u.tunnel_ip,
                        "user": {"id": str(u.user_id), "name": u.name},
                        "firstSignal": iso(first), "lastSignal": iso(t),
                        "indication": ["Cybersquatting Malicious Activity",
                                       "Suspicious Process Activity", "Data Exfiltration"][i % 3],
                        "criticality": [5, 7, 4][i % 3], "ticket": f"INC-20250314-{i + 1:03d}"}}
                fh.write(("," if i else "") + "\n" + dumps(story, indent=2))
                self.labels.add(src, i, None, flatten(story), [u, analyst])
            fh.write("\n]\n")

    def parquet(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        src = "parquet/events.parquet"
        g = self.gen(src, 8400)
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
        with pq.ParquetWriter(self.path(src), schema) as writer:
            for i, ev in enumerate(iter_events(g, self.n("parquet"), offset=6)):
                row = {k: ev.fields.get(k) for k in names}
                batch.append(row)
                self.labels.add(src, i, None, flatten(row), ev.people, ev.extra)
                if len(batch) >= 5000:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))

    def write_all(self):
        for step in (self.events_jsonl, self.events_tcp, self.events_pretty, self.api_events,
                     self.api_audit, self.push_events, self.push_flows, self.audit_jsonl,
                     self.audit_datadog, self.cef_log, self.sentinel, self.legacy_zip,
                     self.events_csv, self.users_csv, self.devices_csv, self.scim_csv,
                     self.scim_json, self.client_logs, self.xdr, self.parquet):
            step()


def csv_pairs(header: list[str], row: list[str]) -> list[tuple[str, str]]:
    """CSV cells as the scanner sees them: named by the header cell; empty cells skipped."""
    return [(h, v) for h, v in zip(header, row, strict=True) if v]


def people_for_scale(scale: int) -> list[Person]:
    n = len(CURATED) if scale <= 1 else min(len(CURATED) + 25 * (scale - 1), 5000)
    return invented_people(n, random.Random(f"{SEED}:people"))


def generate(out: Path, labels_path: Path, scale: int = 1) -> LabelSink:
    people = people_for_scale(scale)
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    with labels_path.open("w", encoding="utf-8", newline="\n") as fh:
        sink = LabelSink(fh)
        Corpus(out, sink, scale, people).write_all()
    return sink


# --------------------------------------------------------------------------- self-check
# Independent readers: plain json/csv/gzip/bz2/zipfile/tarfile (and pyarrow for Parquet).


def _jsonl(text: str, fields=lambda o: o):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, list(flatten(fields(json.loads(line))))


def _concatenated(text: str):
    dec = json.JSONDecoder()
    pos, i = 0, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        obj, end = dec.raw_decode(text, pos)
        yield i, text.count("\n", 0, pos) + 1, list(flatten(obj))
        pos, i = end, i + 1


def _api_events(text: str):
    doc = json.loads(text)
    recs = [r for a in doc["data"]["eventsFeed"]["accounts"] for r in a["records"]]
    for i, r in enumerate(recs):
        yield i, None, list(flatten(r["fieldsMap"]))


def _api_audit(text: str):
    doc = json.loads(text)
    recs = [r for a in doc["data"]["auditFeed"]["accounts"] for r in a["records"]]
    for i, r in enumerate(recs):
        ents = {k: r[k] for k in ("admin", "apiKey", "object")}
        yield i, None, list(flatten(ents)) + list(flatten(r["fieldsMap"]))


def _array(text: str, key=None):
    doc = json.loads(text)
    for i, obj in enumerate(doc[key] if key else doc):
        yield i, None, list(flatten(obj))


def _csv(text: str):
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    for i, row in enumerate(rows):
        yield i, i + 2, [(h, v) for h, v in zip(header, row, strict=True) if v]


def _cef(text: str):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, cef_pairs(line)


def _text(text: str):
    for i, line in enumerate(text.splitlines()):
        yield i, i + 1, [(None, line)]


def _parquet(path: Path):
    import pyarrow.parquet as pq

    for i, row in enumerate(pq.read_table(path).to_pylist()):
        yield i, None, list(flatten(row))


def iter_sources(out: Path) -> Iterator[tuple[str, Iterator]]:
    def rd(rel, enc="utf-8"):
        return (out / rel).read_bytes().decode(enc)

    yield "events/eventsfeed.jsonl", _jsonl(rd("events/eventsfeed.jsonl"))
    yield "events/eventsfeed_tcp.json", _concatenated(rd("events/eventsfeed_tcp.json"))
    yield "events/eventsfeed_pretty.json", _concatenated(rd("events/eventsfeed_pretty.json"))
    yield "api/eventsfeed_page.json", _api_events(rd("api/eventsfeed_page.json"))
    yield "api/auditfeed_page.json", _api_audit(rd("api/auditfeed_page.json"))
    src = "push/events-20250314-0001.json.gz"
    yield src, _jsonl(gzip.decompress((out / src).read_bytes()).decode())
    src = "push/flows-20250314-0001.json.bz2"
    yield src, _jsonl(bz2.decompress((out / src).read_bytes()).decode())
    yield "audit/auditfeed.jsonl", _jsonl(rd("audit/auditfeed.jsonl"))
    yield "audit/audit_push_datadog.jsonl", _jsonl(rd("audit/audit_push_datadog.jsonl"),
                                                   lambda o: o["fieldsMap"])
    yield "cef/cato_cef.log", _cef(rd("cef/cato_cef.log"))
    yield "cef/sentinel_logdata.json", _array(rd("cef/sentinel_logdata.json"))
    src = "legacy/CATO00000000000000012345.zip"
    with zipfile.ZipFile(out / src) as zf:
        yield (f"{src}!CATO00000000000000012345.json",
               _jsonl(zf.read("CATO00000000000000012345.json").decode()))
        yield (f"{src}!cef/CATO00000000000000012346.log",
               _cef(zf.read("cef/CATO00000000000000012346.log").decode()))
    yield "csv/events_export.csv", _csv(rd("csv/events_export.csv", "utf-8-sig"))
    yield "csv/users_export_sjis.csv", _csv(rd("csv/users_export_sjis.csv", "cp932"))
    yield "csv/devices.csv", _csv(rd("csv/devices.csv"))
    yield "directory/scim_users.csv", _csv(rd("directory/scim_users.csv"))
    yield "directory/scim_user.json", _concatenated(rd("directory/scim_user.json"))
    yield "directory/scim_users_list.json", _array(rd("directory/scim_users_list.json"),
                                                   "Resources")
    yield "directory/scim_groups.json", _array(rd("directory/scim_groups.json"), "Resources")
    for name in ("cato_vpn_5.21.5.8548_20250314012030.log",
                 "cato_ua_5.21.5.8548_20250314012031.log",
                 "CatoClient.Trace.5.21.5_2025-03-14.log"):
        yield f"client_logs/{name}", _text(rd(f"client_logs/{name}"))
    src = "client_logs/mac_logs.tar.gz"
    with tarfile.open(out / src) as tf:
        member = tf.extractfile("AppLogs/CatoClient.1.log").read().decode()
    yield f"{src}!AppLogs/CatoClient.1.log", _text(member)
    yield "json/xdr_stories.json", _array(rd("json/xdr_stories.json"))
    yield "parquet/events.parquet", _parquet(out / "parquet/events.parquet")


VPN_LOG = "client_logs/cato_vpn_5.21.5.8548_20250314012030.log"
TRACE_LOG = "client_logs/CatoClient.Trace.5.21.5_2025-03-14.log"
UA_LOG = "client_logs/cato_ua_5.21.5.8548_20250314012031.log"
# Labels that must exist somewhere in the source (an independent check on the labelling rules).
MUST_HAVE = [
    ("events/eventsfeed.jsonl", "host_mac", "MAC_ADDRESS", "00:00:5e:00:53:1a"),
    ("events/eventsfeed.jsonl", "visible_device_id", "MAC_ADDRESS", "00-00-5e-00-53-1a"),
    ("events/eventsfeed.jsonl", "url", "EMAIL_ADDRESS", "taro.yamada%40example.com"),
    ("events/eventsfeed.jsonl", "referer_url", "USERNAME", "taro.yamada"),
    ("events/eventsfeed.jsonl", "event_message", "CREDIT_CARD", CARD),
    ("events/eventsfeed.jsonl", "event_message", "JP_MY_NUMBER", MY_NUMBER),
    ("events/eventsfeed.jsonl", "event_message", "US_SSN", US_SSN),
    ("events/eventsfeed.jsonl", "event_message", "PHONE_NUMBER", "090-5555-0123"),
    ("events/eventsfeed.jsonl", "src_site_name", "PERSON", "佐藤\u3000花子"),
    ("events/eventsfeed.jsonl", "src_site_id", "USER_ID", "1000033"),
    ("events/eventsfeed.jsonl", "key_name", "PERSON", "Ichiro Suzuki"),
    ("events/eventsfeed.jsonl", "logged_in_user", "USERNAME", "hanako"),
    ("push/events-20250314-0001.json.gz", "logged_in_user.0", "USERNAME", "syamamoto"),
    ("push/flows-20250314-0001.json.bz2", "vpn_user_id", "USER_ID", "1000033"),
    ("api/auditfeed_page.json", "apiKey.name", "PERSON", "Ichiro Suzuki"),
    ("api/auditfeed_page.json", "object.name", "PERSON", "勅使河原 美咲"),
    ("audit/auditfeed.jsonl", "change.After.latitude", "LOCATION", "35.66950"),
    ("audit/auditfeed.jsonl", "change.After.address", "LOCATION", "1-2-3 Jingumae, Shibuya-ku"),
    ("audit/audit_push_datadog.jsonl", "change.After.phoneNumber", "PHONE_NUMBER",
     "+81 3-5555-0109"),
    ("cef/cato_cef.log", "CATOSourceCountry", "LOCATION", "Japan"),
    ("cef/cato_cef.log", "shost", "PERSON", "鈴木 一郎"),
    ("directory/scim_users.csv", "password", "SECRET", SCIM_PASSWORD),
    ("directory/scim_user.json", "urn:ietf:params:scim:schemas:extension:catonetworks:2.0:User"
     ".onPremisesSecurityIdentifier", "USER_ID", TARO.sid),
    ("csv/users_export_sjis.csv", "Device Name", "DEVICE_NAME", "Hanako’s MacBook Pro"),
    ("csv/users_export_sjis.csv", "Last Name", "PERSON", "五十嵐"),
    (VPN_LOG, None, "USERNAME", "CORP\\tyamada"),
    (VPN_LOG, None, "USERNAME", "tyamada"),
    (VPN_LOG, None, "MAC_ADDRESS", "00-00-5E-00-53-1A"),
    (VPN_LOG, None, "DEVICE_NAME", "DESKTOP-ENI0ABC"),
    (UA_LOG, None, "USERNAME", "taro.yamada"),
]
# Values that must never be labelled (with that type, or with any type when None).
NEVER = [("5.21.5.8548", "IP_ADDRESS"), ("Chrome/122.0.0.0", None), ("System User #40276", None),
         ("40276", None), ("Osaka-Branch", None), ("Tokyo-HQ", None), ("unmapped user", None),
         (ACCOUNT_NAME, None), ("***", None), ("Block Anonymizers", None)]


def check_labels(out: Path = Path("sample_data"),
                 labels_path: Path = Path("tests/labels/sample_data.jsonl"),
                 scale: int = 1) -> dict[str, int]:
    """Re-read every written file and verify the labels against it.

    1. Every label names an existing record (and its start line) and a field whose text
       contains the label's value.
    2. Completeness: labelling every record again with ALL people's tokens (not just the ones
       the generator thought were involved) gives exactly the labels on file.
    Returns record counts per source.
    """
    labels: dict[tuple[str, int], list[dict]] = {}
    with labels_path.open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            labels.setdefault((row["source_path"], row["record_index"]), []).append(row)
    everyone = tokens_for(people_for_scale(scale), SPECIAL_TOKENS)
    counts: dict[str, int] = {}
    seen = set()
    for source, records in iter_sources(out):
        counts[source] = 0
        for index, line, pairs in records:
            counts[source] += 1
            key = (source, index)
            seen.add(key)
            rows = labels.get(key, [])
            fields: dict[str | None, list[str]] = {}
            for path, text in pairs:
                fields.setdefault(path, []).append(text)
            for row in rows:
                where = f"{source} #{index} {row['field']!r} {row['value']!r}"
                assert row["line"] == line, f"line {row['line']} != {line}: {where}"
                assert row["field"] in fields, f"no such field: {where}"
                assert any(row["value"] in t for t in fields[row["field"]]), \
                    f"not in field: {where}"
                assert row["value"] not in MASKED, f"masked value labelled: {where}"
            want = Counter(record_labels(pairs, everyone))
            got = Counter((r["field"], r["entity_type"], r["value"]) for r in rows)
            assert want == got, (f"{source} #{index}: missing {list((want - got).elements())}, "
                                 f"extra {list((got - want).elements())}")
    orphans = set(labels) - seen
    assert not orphans, f"labels for records that do not exist: {sorted(orphans)[:5]}"
    flat = {(r["source_path"], r["field"], r["entity_type"], r["value"])
            for rows in labels.values() for r in rows}
    missing = [m for m in MUST_HAVE if m not in flat]
    assert not missing, f"expected labels missing: {missing}"
    wrong = [r for r in flat for value, etype in NEVER
             if r[3] == value and etype in (None, r[2])]
    assert not wrong, f"labels that should not exist: {wrong}"
    return counts


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("sample_data"))
    ap.add_argument("--labels", type=Path, default=Path("tests/labels/sample_data.jsonl"))
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="after writing, re-read the files and verify every label")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    sink = generate(args.out, args.labels, args.scale)
    total = sum(sink.records.values())
    print(f"wrote {total} records and {sum(sink.by_type.values())} labels to {args.out} and "
          f"{args.labels}", file=sys.stderr)
    if args.check:
        counts = check_labels(args.out, args.labels, args.scale)
        assert counts == dict(sink.records), (counts, sink.records)
        print("check_labels: ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
