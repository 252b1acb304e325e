"""Who and where: the invented people (curated, then from name pools), sites, destinations.

Every person, address and number is invented: names from small pools, e-mails on
example.com/.org/.net, IPs from the documentation ranges (plus a few private ones), MACs
from 00:00:5e:00:53:xx, phone numbers in the fictional 555 ranges.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from labelled.common import SEED, T0


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
        # What a PC log says of the person's computer (terminal log information).
        out += [(self.client, "DEVICE_INFO"), (f"{self.os_product} {self.os_version}",
                                               "DEVICE_INFO"), (self.user_agent, "DEVICE_INFO")]
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


def people_for_scale(scale: int) -> list[Person]:
    n = len(CURATED) if scale <= 1 else min(len(CURATED) + 25 * (scale - 1), 5000)
    return invented_people(n, random.Random(f"{SEED}:people"))
