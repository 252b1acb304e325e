"""Cato's audit trail: the kinds of change an admin makes, and the files that record them.

The GraphQL auditFeed page, auditFeed lines and the Datadog push of the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from labelled.common import ACCOUNT_ID, Corpus, Gen, compact, dumps, flatten, iso
from labelled.people import EMILY, HANAKO, ICHIRO, MISAKI, TARO, Person


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


# ---- files
def api_audit(c: Corpus) -> None:
    src = "api/auditfeed_page.json"
    g = c.gen(src, 600)
    n = c.n("api_audit")
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
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
            c.labels.add(src, i, None, pairs, a.people)
        fh.write("]}]}}}\n")


def audit_jsonl(c: Corpus) -> None:
    src = "audit/auditfeed.jsonl"
    g = c.gen(src, 2400)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, a in enumerate(iter_audits(g, c.n("audit"))):
            obj = {"audit_timestamp": iso(a.t), "event_timestamp": iso(a.t), **a.flat()}
            fh.write(dumps(obj) + "\n")
            c.labels.add(src, i, i + 1, flatten(obj), a.people)


def audit_datadog(c: Corpus) -> None:
    src = "audit/audit_push_datadog.jsonl"
    g = c.gen(src, 4800)
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        for i, a in enumerate(iter_audits(g, c.n("audit_datadog"), offset=2)):
            obj = {"fieldsMap": a.nested()}
            fh.write(compact(obj) + "\n")
            c.labels.add(src, i, i + 1, flatten(obj["fieldsMap"]), a.people)
