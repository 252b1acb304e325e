"""Cato events inside SIEM exports: every personal value found, no undeclared alarm.

One Cato SDP-user event, which holds only what the privacy policy declares (names, e-mails,
IPs, MACs, device names and ids, OS, client, user agent, URLs, countries), written in the
shape each SIEM integration gives it; the shapes follow the integrations' own test data and
documentation (docs/siem.md names each source), the values are invented here:

- Elastic ``cato_networks`` (ECS, raw record in ``event.original``, ``cato_networks.event.*``);
- Sekoia (raw record in ``message``, ECS and ``cato.sase.*``);
- Datadog (Cato's keys at the top level, ``usr.*``, ``network.client.ip``, ``timestamp``);
- Splunk (JSON export: ``{"result": {"_raw": ..., "_time": ...}}``, CIM names);
- Microsoft Sentinel: ``CatoNetworksEvents_CL`` columns, the legacy ``LogData`` object, and
  ``CommonSecurityLog`` with ``AdditionalExtensions``;
- Google SecOps UDM (``principal.*``, ``target.*``, ``metadata.event_timestamp``).

For each, a scan finds every planted value, only planted values, nothing undeclared, and an
event time.
"""

import json

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.dataset import read_manifest, read_table

NAME, EMAIL, UID = "Morgan Quill", "morgan.quill@example.com", "1000412"
DEVICE, DEVICE_ID = "QUILL-LT07", "65f0c2a1b3d4e5f607182930"
TUNNEL_IP, ISP_IP, MAC = "10.41.7.23", "198.51.100.77", "00:00:5e:00:53:7a"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0"
URL = "https://files.example.net/share?owner=morgan.quill%40example.com"

CATO = {
    "ISP_name": "Example Broadband", "account_id": "4321", "account_name": "example-corp",
    "action": "Block", "ad_name": NAME, "client_version": "5.21.5.8548",
    "configured_host_name": DEVICE, "device_id": DEVICE_ID, "device_name": DEVICE,
    "domain_name": "files.example.net", "event_sub_type": "Internet Firewall",
    "event_type": "Security", "full_path_url": URL, "host_ip": TUNNEL_IP, "host_mac": MAC,
    "os_type": "OS_WINDOWS", "os_version": "11", "pop_name": "Tokyo", "rule_name": "Block Risky",
    "src_country": "Japan", "src_country_code": "JP", "src_ip": TUNNEL_IP,
    "src_is_site_or_vpn": "SDP User", "src_isp_ip": ISP_IP, "src_site_id": UID,
    "src_site_name": NAME, "time": "1741915425000", "time_str": "2025-03-14T01:23:45Z",
    "url": URL, "user_agent": UA, "user_id": UID, "user_name": NAME,
    "visible_device_id": "00-00-5E-00-53-7A", "vpn_user_email": EMAIL,
}
RAW = json.dumps(CATO)
WHEN = "2025-03-14T01:23:45.000Z"

SHAPES = {
    "elastic": {
        "@timestamp": WHEN,
        "event": {"original": RAW, "kind": "event", "action": "block", "dataset": "cato_networks.event"},
        "cato_networks": {"event": {k: CATO[k] for k in (
            "account_id", "ad_name", "client_version", "configured_host_name", "device_id",
            "device_name", "src_site_name", "src_is_site_or_vpn", "src_site_id", "src_isp_ip",
            "visible_device_id", "pop_name", "rule_name", "full_path_url")}},
        "user": {"name": NAME, "email": EMAIL, "id": UID},
        "source": {"ip": TUNNEL_IP, "address": TUNNEL_IP, "geo": {"country_name": "Japan",
                                                                    "country_iso_code": "JP"}},
        "host": {"ip": [TUNNEL_IP], "mac": ["00-00-5E-00-53-7A"], "name": DEVICE.lower(),
                 "os": {"type": "windows", "version": "11"}},
        "related": {"user": [NAME, UID, EMAIL], "ip": [TUNNEL_IP, ISP_IP],
                    "hosts": [DEVICE, DEVICE.lower()]},
        "url": {"domain": "files.example.net", "full": URL},
        "user_agent": {"original": UA, "name": "Firefox", "version": "128.0"},
        "destination": {"ip": "203.0.113.80", "port": 443},
        "data_stream": {"dataset": "cato_networks.event", "type": "logs"},
        "tags": ["preserve_original_event", "forwarded"],
    },
    "sekoia": {
        "message": json.dumps({**CATO, "event_time": "2025-03-14T01:23:45Z"}),
        "@timestamp": "2025-03-14T01:23:45Z",
        "event": {"action": "block", "category": ["network"]},
        "cato": {"sase": {"event_type": "Security", "event_sub_type": "Internet Firewall",
                          "src_is_site_or_vpn": "SDP User"}},
        "agent": {"version": "5.21.5.8548"},
        "host": {"ip": TUNNEL_IP, "mac": MAC, "name": DEVICE, "os": {"type": "windows",
                                                                    "version": "11"}},
        "source": {"address": TUNNEL_IP, "ip": TUNNEL_IP, "nat": {"ip": ISP_IP},
                   "geo": {"country_name": "Japan"}},
        "related": {"ip": [TUNNEL_IP, ISP_IP], "user": [NAME]},
        "user": {"email": EMAIL, "name": NAME},
        "user_agent": {"original": UA},
        "url": {"original": URL, "domain": "files.example.net", "scheme": "https"},
    },
    "datadog": {
        **{k: v for k, v in CATO.items() if k not in ("user_name", "vpn_user_email", "user_id",
                                                      "src_ip")},
        "usr": {"name": NAME, "email": EMAIL, "id": UID},
        "network": {"client": {"ip": TUNNEL_IP, "port": 55120, "geoip": {}},
                    "destination": {"ip": "203.0.113.80", "port": 443}},
        "evt": {"name": "Security"}, "service": "events", "status": "info",
        "timestamp": 1741915425000, "message": RAW,
    },
    "splunk": {"preview": False, "result": {
        "_time": "2025-03-14T01:23:45.000+00:00", "_raw": json.dumps(
            {"event_timestamp": "2025-03-14T01:23:45Z", **CATO}),
        "host": "splunk-hf-01", "source": "cato", "sourcetype": "cato_json_events",
        "index": "cato_events", "user": NAME, "src_user": NAME, "src": TUNNEL_IP,
        "http_user_agent": UA, "url": URL, "dvc": "Tokyo"}},
    "sentinel-ccf": {
        "TimeGenerated": WHEN, **{k: v for k, v in CATO.items() if k != "time"},
        "TenantId": "0f0e0d0c-0000-4000-8000-000000000000", "Type": "CatoNetworksEvents_CL",
    },
    "sentinel-legacy": {
        "TimeGenerated": WHEN, "LogData": CATO, "CatoEventType": "Security",
        "CatoEventSubType": "Internet Firewall", "Type": "CatoEventEngine_CL",
    },
    "sentinel-cef": {
        "TimeGenerated": WHEN, "DeviceVendor": "Cato Networks", "DeviceProduct": "SASE",
        "Activity": "Internet Firewall", "SourceUserName": NAME, "SourceHostName": DEVICE,
        "SourceIP": TUNNEL_IP, "SourceMACAddress": MAC, "DestinationIP": "203.0.113.80",
        "RequestURL": URL, "RequestClientApplication": UA,
        "AdditionalExtensions": f"user_email={EMAIL};cs1=Japan;cs1Label=CATOSourceCountry;"
                                f"src_isp_ip={ISP_IP}",
        "Type": "CommonSecurityLog",
    },
    "udm": {
        "metadata": {"event_timestamp": "2025-03-14T01:23:45Z", "event_type": "NETWORK_HTTP",
                     "vendor_name": "Cato Networks", "product_name": "SASE"},
        "principal": {"ip": [TUNNEL_IP], "asset": {"ip": [TUNNEL_IP]}, "port": 55120,
                      "user": {"userid": UID, "user_display_name": NAME,
                               "email_addresses": [EMAIL]},
                      "platform": "WINDOWS", "location": {"country_or_region": "Japan"}},
        "src": {"ip": [ISP_IP]},
        "network": {"dhcp": {"client_hostname": DEVICE}, "http": {"user_agent": UA}},
        "target": {"ip": ["203.0.113.80"], "port": 443, "url": URL,
                   "user": {"userid": "4321"}},
        "security_result": [{"rule_name": "Block Risky", "action": ["BLOCK"]}],
    },
}

#: What each shape must give: (entity type, value) found somewhere in the record.
MUST = {
    "common": {("PERSON", NAME), ("EMAIL_ADDRESS", EMAIL), ("IP_ADDRESS", TUNNEL_IP),
               ("URL", URL)},
    "elastic": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
                ("DEVICE_ID", DEVICE_ID), ("USER_ID", UID), ("DEVICE_INFO", UA),
                ("LOCATION", "Japan")},
    "sekoia": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
               ("DEVICE_ID", DEVICE_ID), ("USER_ID", UID), ("DEVICE_INFO", UA)},
    "datadog": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
                ("USER_ID", UID), ("DEVICE_INFO", UA)},
    "splunk": {("IP_ADDRESS", ISP_IP), ("DEVICE_NAME", DEVICE), ("USER_ID", UID),
               ("DEVICE_INFO", UA)},
    "sentinel-ccf": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
                     ("USER_ID", UID), ("DEVICE_INFO", UA)},
    "sentinel-legacy": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
                        ("USER_ID", UID), ("DEVICE_INFO", UA)},
    "sentinel-cef": {("IP_ADDRESS", ISP_IP), ("MAC_ADDRESS", MAC), ("DEVICE_NAME", DEVICE),
                     ("DEVICE_INFO", UA), ("LOCATION", "Japan")},
    "udm": {("USER_ID", UID), ("DEVICE_NAME", DEVICE), ("IP_ADDRESS", ISP_IP),
            ("DEVICE_INFO", UA), ("LOCATION", "Japan")},
}
PLANTED = {NAME, EMAIL, UID, DEVICE, DEVICE.lower(), DEVICE_ID, TUNNEL_IP, ISP_IP, MAC,
           "00-00-5E-00-53-7A", UA, URL, "https://files.example.net/share", "files.example.net",
           "Japan", "JP", "Tokyo", "OS_WINDOWS", "11", "windows", "WINDOWS", "5.21.5.8548",
           "Firefox", "128.0", "203.0.113.80", "Internet Firewall"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("siem")
    key = tmp / "key"
    key.write_text("5e" * 32)
    key.chmod(0o600)
    logs = tmp / "logs"
    logs.mkdir()
    for shape, doc in SHAPES.items():
        (logs / f"{shape}.jsonl").write_text(json.dumps(doc) + "\n")
    out = tmp / "inv"
    result = CliRunner().invoke(cli, ["scan", str(logs), "--out", str(out), "--key-file",
                                      str(key), "--include-values", "--no-progress"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_siem_shape_gives_every_value_and_no_false_alarm(shape, scanned):
    rows = [r for r in read_table(scanned, "findings").to_pylist()
            if r["source_path"] == f"{shape}.jsonl"]
    found = {(r["entity_type"], r["value"]) for r in rows}
    assert not (MUST["common"] | MUST[shape]) - found, sorted(found)
    undeclared = [(r["field"], r["entity_type"], r["value"]) for r in rows
                  if not r["policy_declared"]]
    assert undeclared == []
    invented = {(r["field"], r["value"]) for r in rows
                if r["value"] not in PLANTED and not any(r["value"] in p for p in PLANTED)}
    assert invented == set()  # nothing found that was not put there
    assert all(r["event_time"] is not None for r in rows)


def test_the_raw_record_is_read_as_a_document_not_prose(scanned):
    rows = [r for r in read_table(scanned, "findings").to_pylist()
            if r["source_path"] == "elastic.jsonl" and r["field"].startswith("event.original>")]
    fields = {r["field"]: (r["entity_type"], r["value"]) for r in rows}
    assert fields["event.original>user_name"] == ("PERSON", NAME)  # whole, not "Morgan"
    assert fields["event.original>src_site_name"] == ("PERSON", NAME)  # SDP user, same document
    assert fields["event.original>device_id"] == ("DEVICE_ID", DEVICE_ID)
    assert fields["event.original>os_type"] == ("DEVICE_INFO", "OS_WINDOWS")
    assert "event.original" not in {r["field"] for r in read_table(scanned, "findings").to_pylist()}
    entry = read_manifest(scanned)["scans"][-1]
    assert entry["counts"]["undeclared_findings"] == 0


def test_each_export_is_named_by_its_shape(scanned):
    formats = {r["source_path"]: r["source_format"]
               for r in read_table(scanned, "findings").to_pylist()}
    assert formats == {
        "elastic.jsonl": "elastic-ecs-json", "sekoia.jsonl": "sekoia-json",
        "datadog.jsonl": "datadog-json", "splunk.jsonl": "splunk-json",
        "sentinel-ccf.jsonl": "sentinel-json", "sentinel-legacy.jsonl": "sentinel-json",
        "sentinel-cef.jsonl": "sentinel-json", "udm.jsonl": "udm-json",
    }


def test_scim_groups_are_not_people_and_multi_valued_cells_are_each_a_finding(tmp_path, key_file):
    """catocli's SCIM groups CSV: a group's name and external id are the organisation's;
    ``member_external_ids`` (``a|b|c``) names several people, each a finding that lookup
    finds on its own."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "scim_groups.csv").write_text(
        "group_id,display_name,external_id,member_external_ids\n"
        "101,Engineering Team,eng-team,quinn.arlo|sasha.brenner|mika.tolland\n")
    out = tmp_path / "inv"
    args = ["scan", str(logs), "--out", str(out), "--key-file", str(key_file), "--nlp", "none",
            "--include-values"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    rows = read_table(out, "findings").to_pylist()
    assert sorted((r["field"], r["value"], r["span_start"]) for r in rows) == [
        ("member_external_ids", "mika.tolland", 25),
        ("member_external_ids", "quinn.arlo", 0),
        ("member_external_ids", "sasha.brenner", 11),
    ]
    found = CliRunner().invoke(cli, ["lookup", str(out), "--key-file", str(key_file),
                                     "--username", "sasha.brenner", "--format", "json"])
    assert json.loads(found.stdout)["identifiers"][0]["findings"] == 1


def test_cato_audit_records_in_elastic_hold_no_undeclared_data(tmp_path, key_file):
    """Elastic's audit stream (its test data's shape): system and partner actors, a site's
    city, state, time zone and LAN settings are not people's data; nothing is undeclared."""
    def audit(admin, admin_id, model_type, model_name, change):
        raw = {"account_id": "4321", "admin": admin, "admin_id": admin_id, "change_type":
               "MODIFIED", "creation_date": "1741917600000", "insertion_date": "1741917607000",
               "model_name": model_name, "model_type": model_type, "module": "Configuration"}
        return {"@timestamp": "2025-03-14T02:00:00.000Z",
                "event": {"original": json.dumps(raw), "action": "modified",
                          "created": "2025-03-14T02:00:07.000Z"},
                "cato_networks": {"audit": {"account_id": "4321", "model_name": model_name,
                                            "model_type": model_type, "change": change}},
                "user": {"name": admin, "id": admin_id}, "related": {"user": [admin_id, admin]},
                "ecs": {"version": "9.3.0"}}
    docs = [
        audit("System User #40276", "40276", "Site", "Example Site", {"after": {
            "name": "Example Site", "city_raw": "Seattle", "state_raw": "US-WA",
            "country_raw": "US", "timezone": "America/Los_Angeles", "pw": "***",
            "native_range": "10.20.0.0/24", "local_ip": "10.20.0.1", "dhcp_range":
            "10.20.0.100-10.20.0.200"}, "before": {"pw": "***"}}),
        audit("EXAMPLE-PARTNER-APAC User #123", "123", "Internet Firewall Rule", "Block Risky",
              {"after": {"enabled": True}}),
    ]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "audit.ndjson").write_text("".join(json.dumps(d) + "\n" for d in docs))
    out = tmp_path / "inv"
    result = CliRunner().invoke(cli, ["scan", str(logs), "--out", str(out), "--key-file",
                                      str(key_file), "--include-values",
                                      "--fail-on-undeclared"])
    assert result.exit_code == 0, result.output
    rows = read_table(out, "findings").to_pylist()
    assert [r for r in rows if not r["policy_declared"]] == []
    assert not [r for r in rows if r["entity_type"] in ("PERSON", "USER_ID", "LOCATION",
                                                         "IP_ADDRESS")], rows
