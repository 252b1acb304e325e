"""The user directory as SCIM provisions it: the catocli CSV template, SCIM JSON resources."""

from __future__ import annotations

import csv

from labelled.common import SCIM_PASSWORD, Corpus, csv_pairs, dumps, flatten, iso
from labelled.people import EMILY, TARO, Person


def scim_csv(c: Corpus) -> None:
    src = "directory/scim_users.csv"
    header = ["email", "given_name", "family_name", "external_id", "password", "active",
              "user_id"]
    with c.path(src).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for i, u in enumerate(c.people):
            row = [u.email, u.given, u.family, u.login,
                   SCIM_PASSWORD if u is EMILY else "",
                   "false" if u.status != "Active" else "true",
                   str(u.user_id) if i % 4 == 1 else ""]
            w.writerow(row)
            c.labels.add(src, i, i + 2, csv_pairs(header, row), [u])


# ---- SCIM JSON
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


def scim_json(c: Corpus) -> None:
    src = "directory/scim_user.json"
    obj = scim_user(TARO)
    c.path(src).write_text(dumps(obj, indent=2) + "\n", encoding="utf-8")
    c.labels.add(src, 0, 1, flatten(obj), [TARO])

    src = "directory/scim_users_list.json"
    _list_response(c, src, "urn:ietf:params:scim:api:messages:2.0:ListResponse",
                   ((scim_user(u), [u]) for u in c.people), len(c.people))

    src = "directory/scim_groups.json"
    g = c.gen(src)
    names = ["Sales", "Engineering", "SOC Analysts", "Finance", "Support", "Contractors"]
    n = c.n("groups")

    def groups():
        for i in range(n):
            members = g.rng.sample(c.people, k=min(len(c.people), g.rng.randint(2, 4)))
            label = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names)
                                             else "")
            yield ({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "id": g.hexid(24), "externalId": label.lower().replace(" ", "-"),
                    "displayName": label,
                    "members": [{"value": m.scim_id} for m in members]}, members)

    _list_response(c, src, "urn:ietf:params:scim:api:messages:2.0:ListResponse",
                   groups(), n)


def _list_response(c: Corpus, src: str, schema: str, items, total: int):
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        head = {"schemas": [schema], "totalResults": total, "startIndex": 1,
                "itemsPerPage": total}
        fh.write(dumps(head, indent=2)[:-2] + ',\n  "Resources": [')
        for i, (obj, people) in enumerate(items):
            text = dumps(obj, indent=2).replace("\n", "\n    ")
            fh.write(("," if i else "") + "\n    " + text)
            c.labels.add(src, i, None, flatten(obj), people)
        fh.write("\n  ]\n}\n")
