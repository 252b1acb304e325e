import json
from datetime import UTC, datetime

import pytest
import yaml

from scanner.hashing import Hasher
from scanner.inventory import reviews

from .fixed import KEY, SCAN_B, invoke


@pytest.fixture
def clock(monkeypatch):
    """Decisions made at 10:00, 10:01, ... on 2025-04-02."""
    ticks = iter(range(60))
    monkeypatch.setattr(
        reviews, "_now", lambda now: datetime(2025, 4, 2, 10, next(ticks), tzinfo=UTC)
    )


def add(dataset, *args):
    return invoke("review", "add", dataset, *args)


def test_add_list_revoke_exact(dataset, clock):
    result = add(dataset, "--field", "cs5", "--entity-type", "PHONE_NUMBER", "--verdict",
                 "false_positive", "--reason", "build numbers", "--by", "alice")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "added r1: false_positive, field cs5 + PHONE_NUMBER "
        f"(1 finding in the latest scan {SCAN_B})\n"
    )
    phone = Hasher(KEY).hash("PHONE_NUMBER", "090-5555-0123")
    result = add(dataset, "--value-hash", phone, "--verdict", "confirmed", "--reason",
                 "HR confirmed", "--by", "bob")
    assert result.stdout == (
        f"added r2: confirmed, value_hash {phone[:16]}… (2 findings in the latest scan {SCAN_B})\n"
    )
    result = add(dataset, "--source", "client_logs/*", "--entity-type", "PERSON", "--verdict",
                 "accepted_risk", "--reason", "support needs it", "--by", "carol")
    assert result.exit_code == 0
    result = invoke("review", "revoke", dataset, "r3", "--reason", "no longer needed", "--by", "dave")
    assert result.stdout == "revoked r3: accepted_risk, source client_logs/* + PERSON\n"

    result = invoke("review", "list", dataset)
    assert result.exit_code == 0
    assert result.stdout == (
        "id  verdict         scope                         reason         by     when                  status  findings\n"
        "r1  false_positive  field cs5 + PHONE_NUMBER      build numbers  alice  2025-04-02T10:00:00Z  active         1\n"
        f"r2  confirmed       value_hash {phone[:16]}…  HR confirmed   bob    2025-04-02T10:01:00Z  active         2\n"
    )
    result = invoke("review", "list", dataset, "--all", "--format", "csv")
    assert result.stdout.splitlines()[-1] == (
        "r3,accepted_risk,source client_logs/* + PERSON,support needs it,carol,2025-04-02T10:02:00Z,"
        "revoked 2025-04-02T10:03:00Z by dave: no longer needed,"
    )
    data = json.loads(invoke("review", "list", dataset, "--format", "json").stdout)
    assert [d["id"] for d in data] == ["r1", "r2"]

    stored = yaml.safe_load((dataset / "reviews.yaml").read_text())
    assert stored["decisions"][0] == {
        "id": "r1",
        "verdict": "false_positive",
        "scope": {"field": "cs5", "entity_type": "PHONE_NUMBER"},
        "reason": "build numbers",
        "by": "alice",
        "when": "2025-04-02T10:00:00Z",
    }
    assert stored["decisions"][2]["revoked"] == {
        "by": "dave", "when": "2025-04-02T10:03:00Z", "reason": "no longer needed"
    }
    assert (dataset / "reviews.yaml").read_text().startswith("# catoscan review decisions")


def test_most_specific_decision_wins(dataset, clock):
    phone = Hasher(KEY).hash("PHONE_NUMBER", "090-5555-0123")
    add(dataset, "--value-hash", phone, "--verdict", "confirmed", "--reason", "r", "--by", "a")
    add(dataset, "--source", "*", "--verdict", "false_positive", "--reason", "r", "--by", "a")
    add(dataset, "--field", "Card", "--entity-type", "CREDIT_CARD", "--verdict", "accepted_risk",
        "--reason", "r", "--by", "a")
    from scanner.inventory.data import open_inventory
    from scanner.inventory.reviews import load_reviews, reviewed_findings

    frame = reviewed_findings(open_inventory(dataset), [SCAN_B], load_reviews(dataset))
    verdicts = {(r.field, r.entity_type): (r.review_id, r.verdict) for r in frame.itertuples()}
    assert verdicts[("cs5", "PHONE_NUMBER")] == ("r1", "confirmed")
    assert verdicts[("Phone", "PHONE_NUMBER")] == ("r1", "confirmed")
    assert verdicts[("Card", "CREDIT_CARD")] == ("r3", "accepted_risk")
    assert verdicts[("suser", "USERNAME")] == ("r2", "false_positive")


def test_a_revoked_decision_no_longer_applies(dataset, clock):
    add(dataset, "--source", "*", "--verdict", "false_positive", "--reason", "r", "--by", "a")
    assert "findings          0, 0 undeclared; 11 marked" in invoke("report", dataset).stdout
    invoke("review", "revoke", dataset, "r1", "--reason", "wrong", "--by", "a")
    assert "findings          11, 3 undeclared\n" in invoke("report", dataset).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verdict", "confirmed", "--reason", "r"],
         "Error: give one scope: --field with --entity-type, --value-hash, or --source GLOB\n"),
        (["--field", "a", "--source", "b", "--verdict", "confirmed", "--reason", "r"],
         "Error: give one scope: --field with --entity-type, --value-hash, or --source GLOB\n"),
        (["--field", "cs5", "--verdict", "confirmed", "--reason", "r"],
         "Error: --field needs --entity-type\n"),
        (["--value-hash", "ab" * 32, "--entity-type", "PERSON", "--verdict", "confirmed", "--reason", "r"],
         "Error: --value-hash already names the entity type; drop --entity-type\n"),
        (["--field", "cs5", "--entity-type", "PHONE", "--verdict", "confirmed", "--reason", "r"],
         "Error: --entity-type: unknown entity 'PHONE'; valid: CREDIT_CARD, DEVICE_ID, "
         "DEVICE_INFO, DEVICE_NAME, EMAIL_ADDRESS, IP_ADDRESS, JP_MY_NUMBER, LOCATION, "
         "MAC_ADDRESS, PERSON, PHONE_NUMBER, SECRET, URL, USERNAME, USER_ID, US_SSN\n"),
        (["--field", "cs5", "--entity-type", "PHONE_NUMBR", "--verdict", "confirmed", "--reason", "r"],
         "Error: --entity-type: unknown entity 'PHONE_NUMBR'; did you mean PHONE_NUMBER or "
         "JP_MY_NUMBER?\n"),
        # A typo'd field matched nothing and was accepted with "0 findings": refused now.
        (["--field", "vpn_user_emial", "--entity-type", "EMAIL_ADDRESS", "--verdict", "confirmed",
          "--reason", "r"],
         "--field vpn_user_emial: no scan of "),
        (["--field", "vpn_user_emial", "--entity-type", "EMAIL_ADDRESS", "--verdict", "confirmed",
          "--reason", "r"],
         " has this field; did you mean vpn_user_email?\n"),
        (["--value-hash", "ABC", "--verdict", "confirmed", "--reason", "r"],
         "Error: --value-hash: must be a value_hash: 64 lower-case hex digits\n"),
        (["--source", "x", "--verdict", "confirmed", "--reason", " "],
         "Error: --reason: must not be empty\n"),
        (["--source", "x", "--verdict", "maybe", "--reason", "r"],
         "Invalid value for '--verdict': 'maybe' is not one of 'confirmed', 'false_positive', 'accepted_risk'."),
    ],
)
def test_add_errors_exit_2(dataset, args, message):
    result = add(dataset, *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message) or message in result.stderr
    assert not (dataset / "reviews.yaml").exists()


def test_revoke_errors(dataset, clock):
    path = dataset / "reviews.yaml"
    result = invoke("review", "revoke", dataset, "r1", "--reason", "x")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: no decision 'r1'; decisions: none\n"
    add(dataset, "--source", "x", "--verdict", "confirmed", "--reason", "r", "--by", "a")
    invoke("review", "revoke", dataset, "r1", "--reason", "x", "--by", "b")
    result = invoke("review", "revoke", dataset, "r1", "--reason", "x")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: r1 was already revoked by b at 2025-04-02T10:01:00Z\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ndecisions:\n  - {id: r1, verdict: wrong, scope: {source: x}, reason: r, by: a, when: '2025-04-02T10:00:00Z'}\n",
         "decisions.0.verdict: Input should be 'confirmed', 'false_positive' or 'accepted_risk'"),
        ("version: 1\ndecisions:\n  - {id: r1, verdict: confirmed, scope: {source: x}, reason: r, by: a, when: '2025-04-02T10:00:00'}\n",
         "decisions.0.when: Input should have timezone info"),
        ("version: 1\ndecisions:\n  - {id: r1, verdict: confirmed, scope: {}, reason: r, by: a, when: '2025-04-02T10:00:00Z'}\n",
         "decisions.0.scope: give exactly one of: field (with entity_type), value_hash, source (a path glob)"),
        ("version: 2\n", "version: Input should be 1"),
        ("- just a list\n", "expected a mapping at the top level"),
    ],
)
def test_invalid_reviews_file_exits_2_everywhere(dataset, text, message):
    (dataset / "reviews.yaml").write_text(text)
    for args in (["report", dataset], ["diff", dataset], ["review", "list", dataset]):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert result.stderr == f"Error: {dataset / 'reviews.yaml'}: {message}\n"
