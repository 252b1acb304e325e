import json

from scanner.hashing import Hasher

from .fixed import KEY, SCAN_A, SCAN_B, invoke

DIFF_A_B = """\
diff 20250301T000000Z-aaaaaa -> 20250401T000000Z-bbbbbb: 5 new, 1 vanished, 2 new undeclared

New undeclared combinations:
  format  field  entity        categories   elements            findings  undeclared  files
  csv     Card   CREDIT_CARD   B,sensitive  credit card number         1           1      1
  csv     Phone  PHONE_NUMBER  B            telephone number           1           1      1

New undeclared policy elements:
  element             categories   entity types  findings
  credit card number  B,sensitive  CREDIT_CARD          1

New combinations:
  format       field     entity        categories   elements            findings  undeclared  files
  csv          Card      CREDIT_CARD   B,sensitive  credit card number         1           1      1
  csv          Name      PERSON        A,B          real name                  1           0      1
  csv          Phone     PHONE_NUMBER  B            telephone number           1           1      1
  legacy-json  sourceIp  IP_ADDRESS    A            IP address                 1           0      1
  text         (text)    PERSON        A,B          real name                  1           0      1

Vanished combinations:
  format            field         entity    categories  elements                          findings  undeclared  files
  eventsfeed-jsonl  dest_country  LOCATION  C           network activity log information         1           0      1
"""


def test_diff_latest_two_scans_exact_and_exit_1(fixed_dataset):
    result = invoke("diff", fixed_dataset)
    assert result.exit_code == 1
    assert result.stdout == DIFF_A_B
    assert result.stderr == ""


def test_diff_backwards_has_nothing_new_undeclared(fixed_dataset):
    result = invoke("diff", fixed_dataset, "--from", SCAN_B, "--to", SCAN_A)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"diff {SCAN_B} -> {SCAN_A}: 1 new, 5 vanished, 0 new undeclared"
    )
    assert "New undeclared combinations: none\n" in result.stdout
    assert "New undeclared policy elements: none\n" in result.stdout


def test_diff_same_scan_is_empty(fixed_dataset):
    result = invoke("diff", fixed_dataset, "--from", SCAN_B, "--to", SCAN_B)
    assert result.exit_code == 0
    assert result.stdout == (
        f"diff {SCAN_B} -> {SCAN_B}: 0 new, 0 vanished, 0 new undeclared\n\n"
        "New undeclared combinations: none\n\n"
        "New undeclared policy elements: none\n\n"
        "New combinations: none\n\n"
        "Vanished combinations: none\n"
    )


def test_diff_csv(fixed_dataset):
    result = invoke("diff", fixed_dataset, "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "change,source_format,field,entity_type,categories,policy_elements,findings,undeclared,files",
        "new_undeclared,csv,Card,CREDIT_CARD,B|sensitive,credit card number,1,1,1",
        "new_undeclared,csv,Phone,PHONE_NUMBER,B,telephone number,1,1,1",
        "new,csv,Card,CREDIT_CARD,B|sensitive,credit card number,1,1,1",
        "new,csv,Name,PERSON,A|B,real name,1,0,1",
        "new,csv,Phone,PHONE_NUMBER,B,telephone number,1,1,1",
        "new,legacy-json,sourceIp,IP_ADDRESS,A,IP address,1,0,1",
        "new,text,,PERSON,A|B,real name,1,0,1",
        "vanished,eventsfeed-jsonl,dest_country,LOCATION,C,network activity log information,1,0,1",
    ]


def test_diff_json(fixed_dataset):
    result = invoke("diff", fixed_dataset, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["from"] == SCAN_A and data["to"] == SCAN_B
    assert data["new_undeclared_elements"] == [
        {
            "policy_element": "credit card number",
            "categories": ["B", "sensitive"],
            "entity_types": ["CREDIT_CARD"],
            "findings": 1,
        }
    ]
    assert data["new"][-1]["field"] is None
    assert data["notes"] == []


def test_false_positives_do_not_trip_the_gate(dataset):
    phone = Hasher(KEY).hash("PHONE_NUMBER", "090-5555-0123")
    for scope in (["--value-hash", phone], ["--field", "Card", "--entity-type", "CREDIT_CARD"]):
        result = invoke("review", "add", dataset, *scope, "--verdict", "false_positive",
                        "--reason", "test data", "--by", "alice")
        assert result.exit_code == 0
    result = invoke("diff", dataset)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"diff {SCAN_A} -> {SCAN_B}: 3 new, 1 vanished, 0 new undeclared"
    )


def test_accepted_risk_still_trips_the_gate(dataset):
    decision = ["--source", "csv/*", "--verdict", "accepted_risk", "--reason", "known"]
    result = invoke("review", "add", dataset, *decision, "--by", "alice")
    # The decision was stored and covers the new export, both undeclared findings included:
    # were it not, the diff below would trip the gate whatever accepted risk does.
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"added r1: accepted_risk, source csv/* (3 findings in the latest scan {SCAN_B})\n"
    )
    result = invoke("diff", dataset)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == (
        f"diff {SCAN_A} -> {SCAN_B}: 5 new, 1 vanished, 2 new undeclared"
    )


def test_diff_notes_on_stderr_when_scans_differ(dataset):
    from .fixed import COMMON, write_scan

    write_scan(dataset, "20250501T000000Z-cccccc", COMMON, arguments=("other",))
    result = invoke("diff", dataset)
    assert result.exit_code == 0
    assert result.stderr == (
        "catoscan: note: the two scans read different inputs (arguments differ)\n"
    )


def test_diff_errors(fixed_dataset, tmp_path):
    result = invoke("diff", fixed_dataset, "--from", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --from nope: no such committed scan in {fixed_dataset}")
    result = invoke("diff", fixed_dataset, "--to", SCAN_A)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {fixed_dataset}: scan {SCAN_A} is the first scan; nothing to compare it with "
        "(give --from SCAN)\n"
    )
