"""Person names the detector never saw, in log messages it was not written for.

usage: python bench/unseen.py [--generate] [--split dev|test] [--misses N] [--no-presidio]
                              [--nlp spacy|none] [--per-value]

``--generate`` writes ``tests/unseen/{dev,test}.jsonl``. The files are committed, so
evaluating needs nothing more; regenerating needs Faker and gimei, kept out of the project's
environment (gimei's wheel installs a top-level ``tests`` package that hides this project's)::

    pip install --target /tmp/unseen-gen faker gimei==0.2.3
    PYTHONPATH=/tmp/unseen-gen python bench/unseen.py --generate

Names come from generators the
detector does not use: Faker (en_US, en_GB, en_IE, en_IN, es_ES, de_DE, fr_FR, it_IT, pt_BR,
nl_NL, pl_PL, tr_TR, zh_CN, ko_KR, hi_IN, ja_JP) and gimei's Japanese names with readings.
Every name whose parts are in the detector's name lexicon, or in a word list of its filters, is
left out, and ``tests/test_unseen.py`` checks that again on the committed files. The message
templates below were written for this split, apart from the detector's filters, lists and
the labelled corpus; half of them (and their names) form the development split, on which
thresholds may be tuned, the other half the test split, which is reported.

Each case is one log message with zero, one or two planted names, placed either as a line of
a plain-text log or as the value of a field no rule names (``remarks``, ``memo``...). A
finding is right when its span is exactly a planted name; catoscan's findings are those of a
real scan of the split (``--per-value`` adds the Detector on each message alone). Scores are per script: ``latin``
(names written in Latin letters, romanised Japanese and Chinese included), ``japanese``
(kanji and kana) and ``other`` (Han, Hangul and Devanagari names, reported without a floor).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.evaluation import Scores  # noqa: E402

DATA = ROOT / "tests" / "unseen"
SPLITS = ("dev", "test")
#: The string hash seed ``--generate`` runs under, so that it writes the same files each time.
GENERATE_HASH_SEED = "0"
SCRIPTS = ("latin", "japanese", "other")
#: Fields no rule of fields.yaml names: the detector reads them as free text.
UNMAPPED_FIELDS = ("remarks", "memo", "note", "comment", "details", "body")

# ----------------------------------------------------------------------------- templates
# {a} and {b} are people; {n} a number; {org} a company, {city} a city (not people); the
# development split's decoys also take {thing} and the keys of ``POOLS``.
EN_TEMPLATES = (
    "Password for {a} expires in 3 days",
    "Ticket INC-{n} assigned to {a} by the service desk",
    "{a} approved the exception request for the marketing VLAN",
    "Sent an MFA reset link on behalf of {a}",
    "Weekly access review: {a} still holds admin rights on 2 sites",
    "Laptop returned by {a}; disk wipe scheduled",
    "VPN session of {a} ended after 8h12m idle",
    "Call from {a} about choppy audio, escalated to tier 2",
    "{a} (Finance) requested access to the payroll share",
    "Contacted {a} regarding the phishing report from Monday",
    "New hire onboarding completed for {a}",
    "Shared mailbox permissions granted to {a}",
    "Account lockout: {a} entered a wrong PIN five times",
    "Badge {n} registered to {a} at the front desk",
    "{a} failed the posture check (disk not encrypted)",
    "Reminder sent to {a}: security training overdue",
    "Manager {a} confirmed the travel exemption",
    "Meeting room booked for {a} and two guests",
    "Offboarding: revoke all tokens issued to {a} before Friday",
    "{a} reported a lost phone at the airport",
    "Incident lead changed from {a} to {b}",
    "Remote wipe started for the tablet of {a}",
    "Escalation: {a} cannot reach the expense portal from home",
    "Quarantined message released at the request of {a}",
)
JA_TEMPLATES = (
    "{a}（営業部）がログインしました",
    "{a}さんのパスワード有効期限が近づいています",
    "{a}様より問い合わせがありました",
    "【通知】{a}のアカウントがロックされました",
    "{a}が新しい端末を登録しました",
    "依頼者 {a} / 内線 {n}",
    "{a}氏の退職に伴いアクセス権を削除",
    "本日の当番は{a}です",
    "{a}から共有フォルダの権限申請",
    "VPN接続エラーについて{a}に連絡済み",
    "{a}（経理）が経費精算システムにアクセス",
    "受付: {a}、期限: 3月末",
    "{a}の代理で申請を提出しました",
    "入館記録 {a} 08:55",
    "{a}さん、多要素認証の再設定をお願いします",
    "研修未受講: {a}",
    "{a}のノートPCを回収しました",
    "{a}は本日在宅勤務です",
    "申請内容を{a}が確認中",
    "{a}宛てのメールが隔離されました",
    "管理者権限を{a}に付与",
    "問い合わせ番号 {n}、回答 {a}",
    "{a}・{b}の両名が会議室を予約",
    "{a}が退勤打刻を忘れています",
)
# More messages for the development split only: tuning sees more shapes than it is tested on.
DEV_EN_TEMPLATES = (
    "{a} logged in from a new device",
    "Printer quota raised for {a}",
    "From: {a}",
    "Access to the HR folder by {a} was blocked",
    "Added {a} to the Finance-RO group",
    "Dear {a}, please confirm your new phone number",
    "Voicemail left for {a} at 10:42",
    "{a} and {b} share one badge",
    "Keycard of {a} disabled",
    "Out-of-office set by {a} until Monday",
    "Guest Wi-Fi voucher printed for {a}",
    "{a} joined the incident bridge",
    "Device enrolled by {a} via the company portal",
    "Expense report of {a} is waiting for approval",
    "Screen sharing blocked during a call with {a}",
    "Hi {a}, your mailbox is almost full",
)
DEV_JA_TEMPLATES = (
    "{a}さんが設定を変更しました",
    "ご依頼者：{a}様",
    "{a}（総務）",
    "{a}が削除したファイルを復元",
    "{a}の端末でマルウェアを検出",
    "差出人: {a}",
    "宛先 {a}",
    "{a}へ権限を移譲",
    "{a}と面談予定",
    "{a}の申請を却下しました",
    "作業者: {a}",
    "{a}が休暇申請を提出",
    "{a}に貸与したスマートフォン",
    "{a}によるログイン失敗が3回",
    "{a}、{b}",
    "{a} 様",
)
DEV_EN_TEMPLATES_2 = (
    "Shift swap: {a} covers for {b} on Sunday",
    "{a} uploaded 3 files to the shared drive",
    "Token for {a} revoked after a password change",
    "Follow-up call scheduled with {a}",
    "MFA push denied by {a} twice",
    "Phishing simulation link clicked by {a}",
    "Contractor {a} badge expires tomorrow",
    "{a} is the new owner of the SOC runbook",
    "Mailbox delegation from {a} to {b} removed",
    "Access request #{n} raised by {a}",
    "{a} signed the acceptable use policy",
    "Ping {a} about the firewall change window",
)
DEV_JA_TEMPLATES_2 = (
    "{a}さんがファイルを共有しました",
    "{a}による設定変更",
    "出張申請: {a}",
    "{a}の退職日は3月31日",
    "{a}（人事）より連絡",
    "{a}が承認しました",
    "{a}様のアカウントを作成",
    "休暇: {a}、{b}",
)
#: Capitalised phrases that are no person, for the development split's decoys.
THINGS = (
    "Finance Share",
    "Google Workspace",
    "Frankfurt Main",
    "Regional Sales",
    "Azure Active Directory",
    "Threat Prevention",
    "Amazon Web Services",
    "Guest Wireless",
    "Product Marketing",
    "Adobe Acrobat Reader",
    "Customer Success",
    "Data Loss Prevention",
    "Zero Trust Access",
    "Remote Browser Isolation",
    "Sales Engineering",
    "Human Resources",
    "Legal Affairs",
    "North America",
    "Asia Pacific",
    "Silicon Valley",
    "Red Team",
    "Visual Studio Code",
    "Power Automate",
    "Cloud Armor",
    "Service Desk",
    "Quality Assurance",
)
DEV_NEGATIVE_TEMPLATES = (
    "Backup of {thing} completed",
    "Sync with {thing} failed",
    "Latency to {thing} above threshold",
    "Report for {thing} exported",
    "Migration to {thing} scheduled",
    "Alert from {thing}: suspicious activity",
    "Policy for {thing} updated by the admin team",
    "Meeting with {thing} moved to Thursday",
    "{thing}との同期に失敗",
    "{thing}からのアラート",
)
#: More capitalised things for the development split's second set of decoys: products
#: named with their vendor, teams and departments, and places written without a city word.
PRODUCTS = (
    "Cisco Meraki",
    "Fortinet FortiGate",
    "CrowdStrike Falcon",
    "SentinelOne Singularity",
    "Jira Service Management",
    "Atlassian Confluence",
    "Webex Calling",
    "Splunk Enterprise",
    "Tableau Server",
    "Okta Verify",
    "Duo Mobile",
    "Bitwarden Teams",
    "Trend Micro Apex One",
    "Sophos Intercept",
    "Veeam Backup",
    "Citrix Workspace",
    "Miro Whiteboard",
    "Workday Payroll",
    "Concur Expense",
    "Palo Alto Prisma",
    "Kaspersky Endpoint",
    "Notion Enterprise",
)
TEAMS = (
    "Network Operations",
    "Identity Governance",
    "Platform Engineering",
    "Customer Care",
    "Field Services",
    "Revenue Operations",
    "Internal Audit",
    "Global Procurement",
    "Talent Acquisition",
    "Facilities Management",
    "Corporate Communications",
    "Business Intelligence",
    "Incident Response",
    "Vendor Management",
)
PLACES = (
    "Rotterdam",
    "Yokohama",
    "Porto Alegre",
    "Rio Grande",
    "Kuala Lumpur",
    "Cape Town",
    "Buenos Aires",
    "Hong Kong",
    "Mountain View",
    "El Segundo",
    "Den Haag",
    "Bad Homburg",
    "Monterrey",
    "Eindhoven",
    "Costa Mesa",
    "San Jose",
)
DEV_NEGATIVE_TEMPLATES_2 = (
    "IPsec tunnel to {city} flapped 4 times in the last hour",
    "Traffic from {place} rerouted through the nearest PoP",
    "New branch in {city} added to the account",
    "{org} renewed its support contract",
    "Purchase order for {org} approved by procurement",
    "DLP blocked an upload to {product}",
    "Update for {product} rolled out to the pilot ring",
    "Vendor risk review of {org} is overdue",
    "Firmware on the {place} edge device upgraded",
    "Internet breakout for {city} moved to the secondary ISP",
    "Spam campaign impersonating {org} quarantined",
    "Bandwidth cap for {team} raised to 200 Mbps",
    "Quarterly review with {team} postponed",
    "Escalated to {team} for triage",
    "SSO integration with {product} completed",
    "Outage at {org} affected inbound mail",
    "Certificate issued to {org} expires in 30 days",
    "Webhook from {product} returned HTTP 500",
    "Users in {place} see slow access to the intranet",
    "Backup appliance ({org}) lost its support entitlement",
    "Meeting invite from {org} contained a tracking pixel",
    "{product} detected a credential stuffing attempt",
    "{city}キャンパスの無線LANが不安定です",
    "{place}ビル3階のスイッチを交換",
    "{city}店のPOS端末がオフライン",
    "{org}社製ルーターの脆弱性について注意喚起",
    "{org}社との打ち合わせは来週に延期",
    "{product}のライセンスが失効しました",
    "{product}経由で外部にファイル共有",
    "取引先（{org}）から不審なメールを受信",
    "{org}のサポート窓口に問い合わせ済み",
    "{product}でマルウェアを検知",
    "{place}にある物流センターの監視カメラが停止",
    "【{org}】請求書送付のお知らせ（なりすましの疑い）",
    "{team}部門の共有ドライブを整理",
    "{place}出張所の回線速度が低下",
)
DEV_EN_TEMPLATES_3 = (
    "Temporary password read out to {a} over the phone",
    "{a} from Procurement wants a new vendor account",
    "Approval pending: {a} asks for access to the CRM",
    "Session recording of {a} exported for HR",
    "Asset tag {n} handed over to {a}",
    "{a} could not join the video call from the Osaka office",
    "Two failed sign-ins for {a} from an unknown country",
    "Delegate access: {b} may read the calendar of {a}",
    "Reset the hardware key of {a}",
    "{a} (contractor, Berlin) needs VPN until Friday",
    "Guest network voucher for {a} of {org}",
    "Visitor {a} signed in at the {city} reception",
)
DEV_JA_TEMPLATES_3 = (
    "{a}さんのPCにソフトを配布しました",
    "{a}（情報システム部）が承認",
    "ヘルプデスク対応者: {a}",
    "{a}より在宅勤務の申請がありました",
    "{a}様、パスワード変更のお願い",
    "来訪者 {a} 様（{org}）受付済み",
)
#: A third set of decoys for the development split: job titles, project code names, rooms
#: and buildings, software modules, policy names and more vendors' products, next to the
#: capitalised words of ordinary log prose (weekdays, months, greetings, alert titles).
TITLES = (
    "Chief Information Security Officer",
    "Senior Network Engineer",
    "Head of Infrastructure",
    "Regional Sales Director",
    "Data Protection Officer",
    "Site Reliability Engineer",
    "Account Executive",
    "Solutions Architect",
    "Office Manager",
    "Vice President",
    "Desktop Support Technician",
    "Principal Consultant",
    "Executive Assistant",
    "Release Manager",
    "Technical Writer",
    "Chief Financial Officer",
)
PROJECTS = (
    "Project Bluebird",
    "Project Kestrel",
    "Operation Clean Slate",
    "Atlas Migration",
    "Orion Rollout",
    "Northstar",
    "Blue Harbor",
    "Iron Falcon",
    "Silver Birch",
    "Copper Kettle",
    "Nightingale Phase Two",
    "Red Rover",
    "Evergreen",
    "Cobalt Sky",
    "Polaris Refresh",
    "Moonshot",
)
ROOMS = (
    "Conference Room Everest",
    "Meeting Room Kilimanjaro",
    "Building Seven",
    "Tower B",
    "Innovation Lab",
    "Harbour Suite",
    "Training Room Two",
    "Main Lobby",
    "Orchid Room",
    "Lakeside Pavilion",
    "Maple Hall",
    "Data Hall Three",
    "Level Four",
    "East Wing",
    "Boardroom",
)
MODULES = (
    "Payment Gateway",
    "Order Service",
    "Identity Broker",
    "Audit Logger",
    "Report Builder",
    "Session Manager",
    "Config Loader",
    "Token Exchange",
    "Invoice Parser",
    "Event Bus",
    "Search Indexer",
    "Notification Hub",
    "Rate Limiter",
    "Key Rotator",
    "Billing Engine",
)
POLICIES = (
    "Block Gambling Sites",
    "Restrict Personal Webmail",
    "Allow Streaming Media",
    "Deny Peer To Peer",
    "Inspect Encrypted Traffic",
    "Quarantine Unknown Devices",
    "Strict Password Rotation",
    "Acceptable Use",
    "Clean Desk",
    "Geo Fencing Europe",
    "Executive Travel",
    "Contractor Lockdown",
)
VENDOR_PRODUCTS = (
    "Zscaler Internet Access",
    "Netskope Private Access",
    "Ivanti Connect Secure",
    "Proofpoint Essentials",
    "Mimecast Email Security",
    "Barracuda CloudGen",
    "ManageEngine Endpoint Central",
    "Grafana Loki",
    "Elastic Defend",
    "Snowflake Data Cloud",
    "Kaseya Datto",
    "Tenable Nessus",
    "Qualys Guard",
    "Datadog Synthetics",
    "Zendesk Suite",
    "Freshworks Freshdesk",
    "Nutanix Prism",
    "Aruba Central",
    "Ubiquiti UniFi",
    "Juniper Mist",
    "Forcepoint ONE",
    "Lookout Mobile",
    "Keeper Security",
    "LastPass Business",
    "Mattermost Boards",
    "Hubspot Marketing Hub",
)
DEV_NEGATIVE_TEMPLATES_3 = (
    "Role change: {title} now needs approval for admin consoles",
    "The {title} signed off the quarterly access review",
    "Email to all staff from the {title} flagged as spoofed",
    "Kick-off for {project} moved to next sprint",
    "{project} cutover window: Saturday 22:00-02:00",
    "Firewall change for {project} waiting for CAB approval",
    "Status of {project}: green",
    "Projector in {room} does not connect to the wireless display",
    "Door controller of {room} is offline",
    "Badge readers on {room} replaced",
    "{module} threw NullPointerException at startup",
    "Restarted {module} after a memory leak",
    "Health check of {module} failing since 03:10",
    "Deploy of {module} rolled back",
    "Policy '{policy}' matched 312 requests",
    "{policy} policy now applies to the contractors group",
    "Hits on {policy} dropped after the last update",
    "Exception to {policy} requested for the design team",
    "Connector for {vendor} disconnected",
    "{vendor} blocked a download of an unsigned installer",
    "Trial of {vendor} ends next week",
    "Sign-in to {vendor} failed: SAML assertion expired",
    "Renewal quote for {vendor} received",
    "Good Morning Team, the VPN is back up",
    "Happy Friday! Reminder to lock your screens",
    "Kind Regards, IT Service Desk",
    "Patch Tuesday updates pushed to 840 endpoints",
    "Cyber Awareness Month starts on October 1",
    "Black Friday traffic peak handled without errors",
    "Impossible Travel Detected for user {n}",
    "Brute Force Attempt Blocked on the mail gateway",
    "Scheduled Maintenance Window: Sunday 01:00-05:00",
    "Leaked Credentials Found in a public paste",
    "Critical Security Update available for the branch routers",
    "Weekly Digest: 14 new alerts, 3 closed",
    "Please Note: the old portal will be retired in June",
    "{project}のリリース判定会議を延期",
    "{room}のプロジェクターが故障",
    "{module}でタイムアウトが多発",
    "{vendor}の管理画面にログインできません",
    "ポリシー「{policy}」に例外を追加",
    "{title}の承認待ちです",
)
DEV_EN_TEMPLATES_4 = (
    "{a} moved to {team} as {title}",
    "{title} {a} approved the change",
    "Meeting in {room} with {a} at 14:00",
    "{a} owns {project} from now on",
    "Exception to {policy} granted to {a}",
    "{vendor} license assigned to {a}",
    "Good Morning {a}, your laptop is ready for pickup",
    "Thanks, {a}",
    "Regards, {a} ({team})",
    "Owner: {a}; reviewer: {b}",
    "cc {a}, {b}",
    "{a} restarted {module} without a change ticket",
    "On Monday {a} reported the {room} display as broken",
    "Please call {a} back before Friday",
    "Approved by {a} on behalf of the {title}",
    "{a} - on leave until further notice",
)
DEV_JA_TEMPLATES_4 = (
    "{a}さんが{project}の担当になりました",
    "{room}で{a}と打ち合わせ",
    "{a}（{title}）が承認",
    "{vendor}のライセンスを{a}に割り当て",
    "{a}経由で申請を受け付けました",
    "{a}経由で{b}に連絡",
)
# No person in these: companies and cities, the capitalised words that look most like names.
NEGATIVE_TEMPLATES = (
    "Backup of the {org} share completed in 14 min",
    "Tunnel to the {city} branch re-established",
    "License renewal for {org} due next month",
    "Invoice from {org} flagged by the mail filter",
    "Latency to {city} above 180 ms for 5 minutes",
    "Contract with {org} uploaded to the legal folder",
    "{org}との契約更新が完了しました",
    "{city}拠点のWAN回線が復旧しました",
    "{org}からの請求書を確認中",
    "{city}の倉庫でプリンタが停止",
    "{org}向けの見積書を送付済み",
    "{city}オフィスの入館システムを更新",
)

LATIN_LOCALES = (
    "en_US",
    "en_GB",
    "en_IE",
    "en_IN",
    "es_ES",
    "de_DE",
    "fr_FR",
    "it_IT",
    "pt_BR",
    "nl_NL",
    "pl_PL",
    "tr_TR",
)
OTHER_LOCALES = ("zh_CN", "ko_KR", "hi_IN")


@dataclass(frozen=True)
class Case:
    """One message with the spans of the names planted in it."""

    id: str
    split: str
    script: str  # of its names ("none" for a message without one)
    template: str
    field: str | None  # None: a line of a plain-text log
    text: str
    names: tuple[tuple[int, int], ...]

    def to_json(self) -> str:
        row = {**self.__dict__, "names": [list(s) for s in self.names]}
        return json.dumps(row, ensure_ascii=False)


def load(split: str) -> list[Case]:
    """The committed cases of one split."""
    with (DATA / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return [
            Case(**{**row, "names": tuple(tuple(s) for s in row["names"])})
            for row in map(json.loads, fh)
        ]


# ----------------------------------------------------------------------------- generating
_KANA_ROMAJI = {
    **dict(zip("アイウエオ", ["a", "i", "u", "e", "o"], strict=True)),
    **{k: "k" + v for k, v in zip("カキクケコ", "aiueo", strict=True)},
    **{k: "g" + v for k, v in zip("ガギグゲゴ", "aiueo", strict=True)},
    **dict(zip("サシスセソ", ["sa", "shi", "su", "se", "so"], strict=True)),
    **dict(zip("ザジズゼゾ", ["za", "ji", "zu", "ze", "zo"], strict=True)),
    **dict(zip("タチツテト", ["ta", "chi", "tsu", "te", "to"], strict=True)),
    **dict(zip("ダヂヅデド", ["da", "ji", "zu", "de", "do"], strict=True)),
    **{k: "n" + v for k, v in zip("ナニヌネノ", "aiueo", strict=True)},
    **dict(zip("ハヒフヘホ", ["ha", "hi", "fu", "he", "ho"], strict=True)),
    **{k: "b" + v for k, v in zip("バビブベボ", "aiueo", strict=True)},
    **{k: "p" + v for k, v in zip("パピプペポ", "aiueo", strict=True)},
    **{k: "m" + v for k, v in zip("マミムメモ", "aiueo", strict=True)},
    **dict(zip("ヤユヨ", ["ya", "yu", "yo"], strict=True)),
    **{k: "r" + v for k, v in zip("ラリルレロ", "aiueo", strict=True)},
    "ワ": "wa",
    "ヲ": "o",
    "ン": "n",
    "ヴ": "vu",
}
_YOON = {"ャ": "a", "ュ": "u", "ョ": "o"}


def katakana_romaji(kana: str) -> str:
    """Passport-style Hepburn (long vowels not marked): ``サトウ`` -> ``Sato``."""
    out = ""
    i = 0
    while i < len(kana):
        ch = kana[i]
        nxt = kana[i + 1] if i + 1 < len(kana) else ""
        if ch == "ッ" and nxt:
            out += _KANA_ROMAJI.get(nxt, "")[:1]
        elif nxt in _YOON and ch in _KANA_ROMAJI:
            base = _KANA_ROMAJI[ch]
            stem = base[:-1] if base.endswith("i") else base
            stem = stem if stem in ("sh", "ch", "j") else stem + "y"
            out += stem + _YOON[nxt]
            i += 1
        elif ch == "ー":
            pass
        else:
            out += _KANA_ROMAJI.get(ch, "")
        i += 1
    for long, short in (("ou", "o"), ("uu", "u"), ("oo", "o")):
        out = out.replace(long, short)
    return out.capitalize()


class Names:
    """Name sources the detector does not use, minus everything its lists know."""

    def __init__(self, seed: int, excluded: frozenset[str]):
        import gimei  # noqa: F401 - only its data file is read
        import yaml
        from faker import Faker

        self.rng = random.Random(seed)
        self.excluded = excluded
        self.fakers = {loc: Faker(loc) for loc in (*LATIN_LOCALES, *OTHER_LOCALES)}
        for i, fake in enumerate(self.fakers.values()):
            fake.seed_instance(seed * 100 + i)
        data = yaml.safe_load(
            (Path(gimei.__file__).parent / "data" / "names.yml").read_text(encoding="utf-8")
        )
        self.surnames = [s for s in data["last_name"] if s[0] not in excluded]
        self.given = [
            g
            for g in data["first_name"]["male"] + data["first_name"]["female"]
            if g[0] not in excluded
        ]
        self.used: set[str] = set()

    def _fresh(self, make: Callable[[], tuple[str, ...]]) -> str:
        for _ in range(200):
            parts = make()
            name = " ".join(parts)
            words = {w.casefold() for w in name.replace("　", " ").split()}
            if (
                name not in self.used
                and not words & self.excluded
                and not any(p in self.excluded for p in parts)
            ):
                self.used.add(name)
                return name
        raise RuntimeError("no fresh name left")

    def latin(self) -> str:
        fake = self.fakers[self.rng.choice(LATIN_LOCALES)]
        roll = self.rng.random()
        if roll < 0.12:  # romanised Japanese, given name first
            return self._fresh(
                lambda: (katakana_romaji(self._given()[2]), katakana_romaji(self._surname()[2]))
            )
        if roll < 0.2:  # romanised Chinese (pinyin)
            zh = self.fakers["zh_CN"]
            return self._fresh(lambda: (zh.first_romanized_name(), zh.last_romanized_name()))
        return self._fresh(lambda: (fake.first_name(), fake.last_name()))

    def reseed(self, seed: str) -> None:
        """Draw the next names from ``seed`` (names already drawn stay used)."""
        self.rng = random.Random(seed)
        for i, fake in enumerate(self.fakers.values()):
            fake.seed_instance(f"{seed}-{i}")

    def _surname(self) -> list[str]:
        return self.rng.choice(self.surnames)

    def _given(self) -> list[str]:
        return self.rng.choice(self.given)

    def japanese(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:  # kanji, a space between
            return self._fresh(lambda: (self._surname()[0], self._given()[0]))
        if roll < 0.5:  # a full-width space
            return self._fresh(lambda: (f"{self._surname()[0]}　{self._given()[0]}",))
        if roll < 0.8:  # no space
            return self._fresh(lambda: (self._surname()[0] + self._given()[0],))
        return self._fresh(lambda: (self._surname()[2], self._given()[2]))  # katakana

    def other(self) -> str:
        fake = self.fakers[self.rng.choice(OTHER_LOCALES)]
        if fake is self.fakers["hi_IN"]:
            return self._fresh(lambda: (fake.first_name(), fake.last_name()))
        return self._fresh(lambda: (fake.last_name() + fake.first_name(),))

    def org_or_city(self, key: str) -> str:
        fake = self.fakers[self.rng.choice(LATIN_LOCALES)]
        return fake.company() if key == "org" else fake.city()


def excluded_words() -> frozenset[str]:
    """Every name and word the detector's lexicon, lists and filters hold (case-folded)."""
    from recognizers.name_lexicon import EN_GIVEN, japanese_forms
    from recognizers.person_name import CONTEXT, NOT_FAMILY, NOT_GIVEN, NOT_SURNAME
    from scanner.detect.not_person import THING_WORDS

    words: set[str] = set()
    for group in japanese_forms().values():
        words |= {w.casefold() for w in group}
    for group in (EN_GIVEN, NOT_SURNAME, NOT_GIVEN, NOT_FAMILY, THING_WORDS, CONTEXT):
        words |= {w.casefold() for w in group}
    return frozenset(words)


#: The pools of the development split's decoys, by the key that takes them.
POOLS = {
    "product": PRODUCTS,
    "team": TEAMS,
    "place": PLACES,
    "title": TITLES,
    "project": PROJECTS,
    "room": ROOMS,
    "module": MODULES,
    "policy": POLICIES,
    "vendor": VENDOR_PRODUCTS,
}


def _fill(template: str, people: list[str], rng: random.Random, names: Names) -> tuple[str, list]:
    text, spans = "", []
    rest = template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        text += head
        if key in ("a", "b"):
            value = people[0 if key == "a" else 1]
            spans.append((len(text), len(text) + len(value)))
        elif key == "n":
            value = str(rng.randint(1000, 99999))
        elif key == "thing":
            value = rng.choice(THINGS)
        elif key in POOLS:
            value = rng.choice(POOLS[key])
        else:
            value = names.org_or_city(key)
        text += value
    return text + rest, spans


def generate(per_template: int = 14, seed: int = 11) -> dict[str, list[Case]]:
    """Write both splits; templates and names of one split are not in the other."""
    rng = random.Random(seed)
    names = Names(seed, excluded_words())
    en, ja, neg = list(EN_TEMPLATES), list(JA_TEMPLATES), list(NEGATIVE_TEMPLATES)
    for group in (en, ja, neg):
        rng.shuffle(group)
    out: dict[str, list[Case]] = {}
    for index, split in enumerate(reversed(SPLITS)):  # test first: dev changes leave it be
        index = SPLITS.index(split)
        names.reseed(f"{seed}-{split}")
        rng = random.Random(f"{seed}-{split}")
        cases: list[Case] = []
        halves = [g[index::2] for g in (en, ja, neg)]
        batches = [halves]
        if split == "dev":
            halves[0] += list(DEV_EN_TEMPLATES) + list(DEV_EN_TEMPLATES_2)
            halves[1] += list(DEV_JA_TEMPLATES) + list(DEV_JA_TEMPLATES_2)
            halves[2] += list(DEV_NEGATIVE_TEMPLATES)
            # Added later: after the first batch, whose cases keep their names and ids.
            batches.append(
                [list(DEV_EN_TEMPLATES_3), list(DEV_JA_TEMPLATES_3), list(DEV_NEGATIVE_TEMPLATES_2)]
            )
            batches.append(
                [list(DEV_EN_TEMPLATES_4), list(DEV_JA_TEMPLATES_4), list(DEV_NEGATIVE_TEMPLATES_3)]
            )
        for batch in batches:
            cases += _cases(split, batch, len(cases), per_template, rng, names)
        out[split] = cases
    DATA.mkdir(parents=True, exist_ok=True)
    for split, cases in out.items():
        with (DATA / f"{split}.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(case.to_json() + "\n" for case in cases)
    return out


def _cases(split, batch, first, per_template, rng, names) -> list[Case]:  # noqa: ANN001
    """The cases of English, Japanese and name-less templates, numbered from ``first``."""
    cases: list[Case] = []
    for language, templates in (("en", batch[0]), ("ja", batch[1])):
        for template in templates:
            for k in range(per_template):
                roll = k / per_template
                if roll < 0.72:
                    script = "latin" if language == "en" else "japanese"
                elif roll < 0.86:
                    script = "japanese" if language == "en" else "latin"
                else:
                    script = "other"
                pick = getattr(names, script)
                people = [pick(), pick()]
                i = first + len(cases)
                cases.append(_case(split, i, script, template, people, rng, names))
    for template in batch[2]:
        for _ in range(per_template):
            cases.append(_case(split, first + len(cases), "none", template, [], rng, names))
    return cases


def _case(split, i, script, template, people, rng, names) -> Case:  # noqa: ANN001
    text, spans = _fill(template, people, rng, names)
    field = rng.choice(UNMAPPED_FIELDS) if rng.random() < 0.5 else None
    return Case(f"{split}-{i:04d}", split, script, template, field, text, tuple(spans))


# ----------------------------------------------------------------------------- scoring
Finder = Callable[[Case], list[tuple[int, int]]]


def catoscan_finder(nlp: str = "spacy", min_score: float | None = None, configs=None) -> Finder:  # noqa: ANN001
    """PERSON spans of catoscan's Detector on the case, as a scan reads it."""
    from scanner.config import load_configs
    from scanner.detect.detector import Detector
    from scanner.record import Record

    detector = Detector(configs or load_configs(), nlp=nlp, min_score=min_score)

    def find(case: Case) -> list[tuple[int, int]]:
        if case.field is None:
            fields = [(None, case.text)]
        else:
            fields = [
                ("event_type", "Audit"),
                ("time", "2025-03-14T01:23:45Z"),
                (case.field, case.text),
            ]
        record = Record(0, 1, fields, None)
        return [
            (d.span.start, d.span.end)
            for d in detector.detect(record)
            if d.field == case.field and d.span.entity == "PERSON"
        ]

    return find


def catoscan_scan_finder(
    cases: list[Case],
    nlp: str = "spacy",
    configs=None,
    workers: int = 1,  # noqa: ANN001
) -> Finder:
    """PERSON spans of a real scan of the cases, as a user's scan would read them.

    The plain-text cases become the lines of one log file and the field cases the records
    of one JSON lines file, in the split's order; ``pipeline.run`` scans both (batches,
    templates of free text and all), and the findings are read back from the dataset.
    """
    import shutil
    import tempfile

    from scanner.config import load_configs
    from scanner.evaluation import scan_rows

    tmp = Path(tempfile.mkdtemp(prefix="catoscan-unseen-"))
    try:
        lines = [c for c in cases if c.field is None]
        fields = [c for c in cases if c.field is not None]
        (tmp / "messages.log").write_text("".join(c.text + "\n" for c in lines), "utf-8")
        with (tmp / "audit.jsonl").open("w", encoding="utf-8") as fh:
            for c in fields:
                record = {"event_type": "Audit", "time": "2025-03-14T01:23:45Z", c.field: c.text}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        rows = scan_rows(
            [tmp],
            configs or load_configs(),
            os.urandom(32),
            nlp=nlp,
            workers=workers,
            records=len(cases),
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    found: dict[str, list[tuple[int, int]]] = {c.id: [] for c in cases}
    for row in rows:
        if row["entity_type"] != "PERSON":
            continue
        plain = row["source_path"].endswith("messages.log")
        case = (lines if plain else fields)[row["record_index"]]
        if plain or row["field"] == case.field:
            found[case.id].append((row["span_start"], row["span_end"]))

    def find(case: Case) -> list[tuple[int, int]]:
        return found[case.id]

    return find


def presidio_finder() -> Finder:
    """presidio-analyzer's AnalyzerEngine as shipped, PERSON only, on the same spaCy model."""
    from scanner.config import load_configs

    sys.path.insert(0, str(ROOT / "bench"))
    from eval import presidio_analyzer  # noqa: PLC0415

    analyzer = presidio_analyzer(load_configs())

    def find(case: Case) -> list[tuple[int, int]]:
        results = analyzer.analyze(case.text, language="en", entities=["PERSON"])
        return [(r.start, r.end) for r in results]

    return find


def score(cases: Iterable[Case], find: Finder) -> tuple[dict[str, Scores], list]:
    """Scores per script of the names (messages without a name count for precision only)."""
    by_script = {s: Scores() for s in (*SCRIPTS, "none")}
    misses = []
    for case in cases:
        found = set(find(case))
        want = set(case.names)
        s = by_script[case.script if case.script != "none" else "latin"]
        s.tp, s.fn = s.tp + len(found & want), s.fn + len(want - found)
        for start, end in found - want:  # a false name counts against its own script
            by_script[script_of(case.text[start:end])].fp += 1
            by_script["none"].fp += case.script == "none"
        if found != want:
            misses.append((case, sorted(found)))
    return by_script, misses


def script_of(name: str) -> str:
    """``japanese`` for kana or kanji, ``other`` for Hangul or Devanagari, else ``latin``."""
    if any("\u3040" <= ch <= "\u30ff" for ch in name) or (
        any("\u4e00" <= ch <= "\u9fff" for ch in name)
    ):
        return "japanese"
    if any("\uac00" <= ch <= "\ud7af" or "\u0900" <= ch <= "\u097f" for ch in name):
        return "other"
    return "latin"


def table(by_script: dict[str, Scores]) -> str:
    """Precision, recall and F1 per script of the names.

    A false positive counts against the script it is written in (Han names of the
    ``other`` group count as Japanese: the two cannot be told apart by their letters); the
    last line says how many of them were in messages without any name.
    """
    lines = [f"{'names':<10} {'tp':>5} {'fp':>5} {'fn':>5} {'prec':>6} {'rec':>6} {'f1':>6}"]
    for name in SCRIPTS:
        s = by_script[name]
        lines.append(
            f"{name:<10} {s.tp:>5} {s.fp:>5} {s.fn:>5} "
            f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    lines.append(
        f"{'(of which':<10} {'':>5} {by_script['none'].fp:>5}   in messages without a name)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--misses", type=int, default=0, metavar="N")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--nlp", choices=("spacy", "none"), default="spacy")
    parser.add_argument(
        "--per-value",
        action="store_true",
        help="also score the Detector on each message alone (no batches, no templates)",
    )
    args = parser.parse_args()
    if args.generate:
        if os.environ.get("PYTHONHASHSEED") != GENERATE_HASH_SEED:
            # Faker's it_IT city() draws from a set, whose order follows string hashing:
            # without a fixed hash seed, every run wrote other Italian cities.
            env = {**os.environ, "PYTHONHASHSEED": GENERATE_HASH_SEED}
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        out = generate()
        print(", ".join(f"{k}: {len(v)} cases" for k, v in out.items()))
    cases = load(args.split)
    # presidio first: its loader looks recognizer classes up by name, and catoscan's
    # recognizers reuse some of presidio's names once imported.
    presidio = None if args.no_presidio else presidio_finder()
    sides = [(f"catoscan scan (nlp={args.nlp})", catoscan_scan_finder(cases, args.nlp))]
    if args.per_value:
        sides.append((f"catoscan Detector per value (nlp={args.nlp})", catoscan_finder(args.nlp)))
    if presidio is not None:
        sides.append(("presidio-analyzer alone", presidio))
    print(
        f"{args.split} split: {len(cases)} messages, "
        f"{sum(len(c.names) for c in cases)} planted names"
    )
    for name, find in sides:
        by_script, misses = score(cases, find)
        print(f"\n{name}\n{table(by_script)}")
        for case, found in misses[: args.misses]:
            print(f"  {case.id} {case.script}: want {list(case.names)} got {found}  {case.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
