import pytest
from assertions import assert_spans

SECRET = "SECRET"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["SecretRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2", [(SECRET, "hunter2")]),
        ("passwd: s3cret!", [(SECRET, "s3cret!")]),
        ("pwd=abc123&user=x", [(SECRET, "abc123")]),
        ('"password":"p@ss w0rd"', [(SECRET, "p@ss w0rd")]),
        ('{"Password": "Tr0ub4dor&3"}', [(SECRET, "Tr0ub4dor&3")]),
        (r"{\"password\":\"hunter2\"}", [(SECRET, "hunter2")]),
        ("api_key=AKIAEXAMPLEKEY", [(SECRET, "AKIAEXAMPLEKEY")]),
        ("x-api-key: 0123456789abcdef", [(SECRET, "0123456789abcdef")]),
        ('"apiKey":"k-123"', [(SECRET, "k-123")]),
        ("secret=xyz", [(SECRET, "xyz")]),
        ("client_secret=Zm9vYmFy", [(SECRET, "Zm9vYmFy")]),
        ("https://api.example.com/v1?token=abc.def.ghi&x=1", [(SECRET, "abc.def.ghi")]),
        ("access_token=ya29.a0Af", [(SECRET, "ya29.a0Af")]),
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",
            [(SECRET, "eyJhbGciOiJIUzI1NiJ9.e30.abc")],
        ),
        ("パスワード password=himitsu123 を設定", [(SECRET, "himitsu123")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [SECRET], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "password=***",
        "password=****",
        "password=********",
        '"password":"***"',
        '"password":"****"',
        "passwd: *****",
        "password=",
        "password= ",
        '"password":""',
        "password=[REDACTED]",
        '"token":null',
        "PWD=/home/taro",  # the shell's working directory
        "password_hint is set",
        "max_tokens=",
        "token_type=Bearer",
        "Bearer authentication",  # a word, not a token
        "the password is required",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [SECRET], None), text, [])
