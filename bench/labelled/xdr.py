"""XDR stories as Cato's API returns them: one JSON array of stories with their timelines."""

from __future__ import annotations

from labelled.common import ACCOUNT_ID, ACCOUNT_NAME, Corpus, dumps, flatten, iso
from labelled.people import EMILY, HANAKO, KENJI, TARO


def xdr(c: Corpus) -> None:
    src = "json/xdr_stories.json"
    g = c.gen(src, 6600)
    analyst = EMILY
    with c.path(src).open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[")
        for i in range(c.n("xdr")):
            u = [HANAKO, TARO, KENJI][i] if i < 3 else g.pick(c.people)
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
            c.labels.add(src, i, None, flatten(story), [u, analyst])
        fh.write("\n]\n")
