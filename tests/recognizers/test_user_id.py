import pytest
from assertions import assert_spans

USER_ID = "USER_ID"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["UserIdRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('/ua response: {"login_name":"taro.yamada","user_id":"1000033"}', [(USER_ID, "1000033")]),
        ("user_id=1000033 action=Block", [(USER_ID, "1000033")]),
        ('{\\"vpn_user_id\\":\\"1000050\\"}', [(USER_ID, "1000050")]),
        ("objectsid: S-1-5-21-1111111111-2222222222-3333333333-1104", [(USER_ID, "S-1-5-21-1111111111-2222222222-3333333333-1104")]),
        ("employee_id=4f2b6a1c-0d3e-4a5b-9c8d-7e6f5a4b3c2d", [(USER_ID, "4f2b6a1c-0d3e-4a5b-9c8d-7e6f5a4b3c2d")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [USER_ID], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "user_id=12",  # too short to be a Cato user id
        "account_id=4321",  # the account, not a user
        "suser_id=1000033",  # not the key it looks like
        "S-1-5-18",  # LocalSystem: a well-known SID, nobody's
        "session_id=1000033",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [USER_ID], None), text, [])
