import pytest
from assertions import assert_spans

DEVICE = "DEVICE_NAME"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["DeviceNameRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DESKTOP-ENI0ABC", [(DEVICE, "DESKTOP-ENI0ABC")]),
        ("LAPTOP-1A2B3C4", [(DEVICE, "LAPTOP-1A2B3C4")]),
        ("DESKTOP-ENI0ABC.corp.example.com", [(DEVICE, "DESKTOP-ENI0ABC")]),
        # renamed from the default, and the Windows Server default
        ("DESKTOP-TYAMADA", [(DEVICE, "DESKTOP-TYAMADA")]),
        ("DESKTOP-ENI0AB", [(DEVICE, "DESKTOP-ENI0AB")]),
        ("WIN-8F2K3LQ0A1B", [(DEVICE, "WIN-8F2K3LQ0A1B")]),
        # device-type prefixes
        ("MBP-TYAMADA", [(DEVICE, "MBP-TYAMADA")]),
        ("host ws-tyamada2 up", [(DEVICE, "ws-tyamada2")]),
        ("PC-0042", [(DEVICE, "PC-0042")]),
        ("TARO-LAPTOP", [(DEVICE, "TARO-LAPTOP")]),
        ("suser=TARO-LAPTOP msg=x", [(DEVICE, "TARO-LAPTOP")]),
        ("HSATO-PC", [(DEVICE, "HSATO-PC")]),
        ("Taro-PC", [(DEVICE, "Taro-PC")]),
        ("YAMADA-TARO-DESKTOP", [(DEVICE, "YAMADA-TARO-DESKTOP")]),
        ("hanako-laptop", [(DEVICE, "hanako-laptop")]),
        ("suser=sakura-thinkpad", [(DEVICE, "sakura-thinkpad")]),
        ("SATO-NB", [(DEVICE, "SATO-NB")]),
        ("emily-mbp.local", [(DEVICE, "emily-mbp")]),
        ("Peter’s MacBook Pro", [(DEVICE, "Peter’s MacBook Pro")]),
        ("Peter's MacBook Air", [(DEVICE, "Peter's MacBook Air")]),
        ("Emily’s iPhone", [(DEVICE, "Emily’s iPhone")]),
        ("Emily's iPad", [(DEVICE, "Emily's iPad")]),
        ("Peter’s MacBook", [(DEVICE, "Peter’s MacBook")]),
        ("Taros-MacBook-Pro.local", [(DEVICE, "Taros-MacBook-Pro")]),
        ("Emilys-iPhone-2", [(DEVICE, "Emilys-iPhone-2")]),
        (
            '"device_name":"DESKTOP-ENI0ABC","host_mac":"00:00:5e:00:53:1a"',
            [(DEVICE, "DESKTOP-ENI0ABC")],
        ),
        # Japanese
        ("太郎のiPhone", [(DEVICE, "太郎のiPhone")]),
        ("ユーザー 山田 太郎 の端末 TARO-LAPTOP から接続", [(DEVICE, "TARO-LAPTOP")]),
        ("端末名はDESKTOP-ENI0ABCです", [(DEVICE, "DESKTOP-ENI0ABC")]),
        ("花子のMacBook Air", [(DEVICE, "花子のMacBook Air")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [DEVICE], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "DESKTOP-ENI",  # too short for a host name
        "DESKTOP-ENI0ABCDEFGHIJKL",  # longer than NetBIOS allows
        "desktop-eni0abc",  # Windows default names are upper case
        "xDESKTOP-ENI0ABC",
        "i386-pc",  # a GRUB platform, not a host
        "x86_64-pc-linux-gnu",
        "Mixed-Case-pc",
        "sakura-ThinkPad",
        "x-nb",
        "the MacBook Pro",
        "peter’s MacBook Pro",  # lower-case start: not a name
        "Peter’s Macintosh",
        "DESKTOP",
        "ws-x",  # too short
        "MBP-Mixed",  # mixed case
        "ws-tyamada.example.com",  # a domain name, not a bare host
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [DEVICE], None), text, [])
