"""Names in Latin letters found by where they stand (no name list)."""

import pytest
from assertions import assert_spans

PERSON = "PERSON"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["PersonContextRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Case escalated to Oskar Wendelin for review", [(PERSON, "Oskar Wendelin")]),
        ("Request filed on behalf of Ines Albuquerque", [(PERSON, "Ines Albuquerque")]),
        ("Orsolya Vámos cannot open the VPN client", [(PERSON, "Orsolya Vámos")]),
        ("Approver: Teodor Lindqvist", [(PERSON, "Teodor Lindqvist")]),
        ("Hello Anouk de Vries, your token expires", [(PERSON, "Anouk de Vries")]),
        ("Tomasz Żuk's laptop is out of date", [(PERSON, "Tomasz Żuk")]),
        ("承認者はRagnhild Bergです", [(PERSON, "Ragnhild Berg")]),
        ("Konstantin Ilić and Mirela Popescu joined", [(PERSON, "Konstantin Ilić"),
                                                      (PERSON, "Mirela Popescu")]),
        ("Invite Bram Vermeulen <bram.vermeulen@example.com>", [(PERSON, "Bram Vermeulen")]),
        ("ticket moved to Seán O'Donnell", [(PERSON, "Seán O'Donnell")]),
        # a given name that is also an English word stays when a particle follows it
        ("Summer van Dijk reported a lost phone", [(PERSON, "Summer van Dijk")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [PERSON], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Rule Allow Business Apps matched",  # no sign of a person
        "Synced with Google Drive overnight",  # 'with' alone needs spaCy to agree
        "Report for Regional Sales published",
        "Connected to PoP Tokyo",
        "INFO Service Started",
        "backup of the Finance Share done",
    ],
)
def test_never_without_a_sign_of_a_person(recognizer, text):
    assert_spans(recognizer.analyze(text, [PERSON], None), text, [])
