"""Cato Client logs on a PC: the VPN, user-awareness and trace logs, and a Mac's tarball.

Plain-text lines, one record each; the trace log holds every free-text hard case once per
session.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from datetime import UTC, datetime

from labelled.common import ACCOUNT_NAME, T0, TAR_MTIME, Corpus, Gen, compact
from labelled.messages import HARD_MESSAGES
from labelled.people import CURATED, EMILY, HANAKO, MISAKI, TARO, Person

VPN_LOG = "client_logs/cato_vpn_5.21.5.8548_20250314012030.log"
TRACE_LOG = "client_logs/CatoClient.Trace.5.21.5_2025-03-14.log"
UA_LOG = "client_logs/cato_ua_5.21.5.8548_20250314012031.log"


def client_logs(c: Corpus) -> None:
    _text_log(c, VPN_LOG, _vpn_session, "%Y-%m-%d %H:%M:%S.{ms} [{lvl}] ", T0 + 30000)
    _text_log(c, UA_LOG, _ua_session, "%Y-%m-%d %H:%M:%S.{ms} [{lvl}] ", T0 + 31000)
    _text_log(c, TRACE_LOG, _trace_session, "%Y-%m-%dT%H:%M:%S.{ms}Z {lvl} ", T0 + 45000)
    # macOS logs travel as a tarball of the AppLogs folder.
    src = "client_logs/mac_logs.tar.gz"
    member = "AppLogs/CatoClient.1.log"
    buf = io.StringIO()
    _text_log(c, f"{src}!{member}", _mac_session,
              "%Y-%m-%d %H:%M:%S.{ms} <{lvl}> CatoClient: ", T0 + 110000, buf)
    data = buf.getvalue().encode()
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tf.addfile(info, io.BytesIO(data))
    data = bytearray(gzip.compress(tar.getvalue(), mtime=0))
    data[9] = 3  # the header's OS byte: Unix, as before Python 3.13 (which writes 255)
    c.path(src).write_bytes(bytes(data))


def _text_log(c: Corpus, src: str, session, prefix: str, start: int, sink=None):
    g = c.gen(src)
    t = start
    index = 0
    fh = sink or c.path(src).open("w", encoding="utf-8", newline="\n")
    try:
        for s in range(c.scale):
            for lvl, text, people, extra in session(c, g, s):
                t += g.rng.randint(15, 900)
                dt = datetime.fromtimestamp(t / 1000, tz=UTC)
                line = dt.strftime(prefix).format(ms=f"{t % 1000:03d}", lvl=lvl) + text
                fh.write(line + "\n")
                c.labels.add(src, index, index + 1, [(None, line)], people, extra)
                index += 1
            t += g.rng.randint(600, 7200) * 1000
    finally:
        if sink is None:
            fh.close()


def _trace_session(c: Corpus, g: Gen, s: int):
    """Every hard case once per session, as Cato Client trace lines."""
    order = CURATED[10:] + CURATED[:10]
    lines = []
    for i, template in enumerate(HARD_MESSAGES):
        u = order[i % len(order)] if s == 0 else g.pick(c.people)
        o = order[(i + 3) % len(order)] if s == 0 else g.pick(c.people)
        lines.append(("INFO", template(u, o), [u, o], []))
    return lines


def _other(c: Corpus, g: Gen, s: int, default: Person) -> Person:
    return default if s == 0 else g.pick(c.people)


def _vpn_session(c: Corpus, g: Gen, s: int):
    u, other = TARO, _other(c, g, s, EMILY)
    return [
        ("INFO", f"client {u.client} starting on {u.os_product} {u.os_version}, "
                 "service CatoNetworksVPNService", [u], []),
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


def _ua_session(c: Corpus, g: Gen, s: int):
    u = TARO
    ua = compact({"login_name": u.login, "subdomain": ACCOUNT_NAME,
                  "user_id": str(u.user_id), "display_name": u.roman})
    return [
        ("INFO", f"User awareness agent started, client {u.client}, "
                 f"os={u.os_product} {u.os_version}", [u], []),
        ("INFO", f'GET /ua subdomain={ACCOUNT_NAME} agent="{u.user_agent}"', [u], []),
        ("INFO", f"/ua response: {ua}", [u], []),
        ("INFO", f"Seamless auth ok for {u.win_login} on {u.hostname}", [u], []),
        ("INFO", f"Reported logged-on user {u.sam} for tunnel address {u.tunnel_ip}", [u], []),
        ("WARN", "Token refresh delayed, retry in 30s", [], []),
    ]


def _mac_session(c: Corpus, g: Gen, s: int):
    u, other = HANAKO, _other(c, g, s, MISAKI)
    return [
        ("INFO", f"CatoClient {u.client} launched on {u.os_product} {u.os_version}", [u],
         []),
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
