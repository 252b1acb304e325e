"""The free-text hard cases: messages that hold (or only look as if they hold) personal data.

They go into ``event_message`` (labelled.events) and into the Cato Client trace log
(labelled.client_logs), so they are scanned as mapped free text and as plain-text lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from labelled.people import Person

# Each f(u, o) -> text: u is the record's user, o another person. Whatever they hold that is
# personal is labelled by the usual rules (people's tokens, HARD_TOKENS, regexes); the rest
# are traps.
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
