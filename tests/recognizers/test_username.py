import pytest
from assertions import assert_spans

USER = "USERNAME"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["UsernameRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # profile paths
        (r"C:\Users\tyamada\AppData\Local\Temp\x.tmp", [(USER, "tyamada")]),
        (r"c:\users\hanako.sato\Desktop", [(USER, "hanako.sato")]),
        (r"C:\Users\tyamada", [(USER, "tyamada")]),
        (r'"file_path":"C:\\Users\\tyamada\\Downloads\\a.pdf"', [(USER, "tyamada")]),
        (r"C:\Users\Taro Yamada\Documents\report.docx", [(USER, "Taro Yamada")]),
        ("C:/Users/isuzuki/Desktop", [(USER, "isuzuki")]),
        (r"(C:\Users\tyamada)", [(USER, "tyamada")]),
        (r"'C:\Users\tyamada', 'C:\Users\hsato\x'", [(USER, "tyamada"), (USER, "hsato")]),
        (
            "/Users/hanako/Library/Group Containers/CKGSB8CH43.group/AppLogs/CatoClient.1.log",
            [(USER, "hanako")],
        ),
        ("/home/taro/.config/cato", [(USER, "taro")]),
        ("open file:///Users/emily/Downloads/x.zip", [(USER, "emily")]),
        # DOMAIN\user: the whole down-level logon name
        (r"CORP\tyamada", [(USER, r"CORP\tyamada")]),
        (r"user CORP\tyamada logged on, session 1", [(USER, r"CORP\tyamada")]),
        (r"logon EXAMPLE-CORP\hanako.sato succeeded", [(USER, r"EXAMPLE-CORP\hanako.sato")]),
        (r'"account":"CORP\\tyamada"', [(USER, r"CORP\\tyamada")]),  # JSON-escaped
        # first.last as a query parameter
        ("https://intranet.example.com/profile?id=taro.yamada", [(USER, "taro.yamada")]),
        ("/p?lang=ja&uid=kenji_tanaka#top", [(USER, "kenji_tanaka")]),
        # key=value
        ("login_name=tyamada", [(USER, "tyamada")]),
        ("logged_in_user=hsato", [(USER, "hsato")]),
        ('"login_name":"tyamada"', [(USER, "tyamada")]),
        (r"{\"login_name\":\"tyamada\",\"subdomain\":\"example\"}", [(USER, "tyamada")]),
        ("user=tyamada", [(USER, "tyamada")]),
        ("username=hsato&lang=ja", [(USER, "hsato")]),
        ("Authentication failed for user: isuzuki.", [(USER, "isuzuki")]),
        # logged-on user in prose
        ("Reported logged-on user tyamada for tunnel address 192.0.2.17", [(USER, "tyamada")]),
        ("logon user h.sato.", [(USER, "h.sato")]),
        # Japanese around it
        (
            r"ユーザー 山田 太郎 のフォルダ C:\Users\tyamada\Documents を開きました",
            [(USER, "tyamada")],
        ),
        ("ログイン名 login_name=tyamada で認証", [(USER, "tyamada")]),
        ("パス:/Users/hanako/Library", [(USER, "hanako")]),
        ("ホーム/home/taro/を削除", [(USER, "taro")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [USER], None), text, expected)


@pytest.mark.parametrize(
    "text",
    [
        r"C:\Users\Public\Documents",
        r"C:\Users\Default\NTUSER.DAT",
        r"C:\Users\Default User\AppData",
        r"C:\Users\All Users\Microsoft",
        "/Users/Shared/Cato",
        "https://example.com/Users/foo/",  # a URL path, not a home directory
        "/var/root/Library/Logs",
        r"NT AUTHORITY\SYSTEM",
        r"NT AUTHORITY\NETWORK SERVICE",
        r"HKLM\SOFTWARE\CatoNetworksVPN",
        r"C:\Program Files (x86)\Cato Networks\Cato Client\cato_vpn_5.21.5.8548_20250314012030.log",
        r"C:\WINDOWS\System32\drivers",
        r"CORP\DESKTOP-ENI0ABC$",  # machine account
        # an e-mail after user= is EMAIL_ADDRESS, not USERNAME
        "user=taro.yamada%40example.com",
        "user=taro.yamada@example.com",
        '"login_name":"taro.yamada@example.com"',
        # not 'user=' keys
        "suser=TARO-LAPTOP",
        "src_user=x",
        "userid=1000033",
        "login=success",
        "Login failed for user Emily Carter: invalid credentials",
        "Disconnected: user request",
        "logged-on user for tunnel",
        "logged on user Emily",
        "/profile?id=12345",
        "/profile?id=abc",
        "/page?id=index.html",
        "/p?ref=taro.yamada",
        "Login: failed",
        # placeholders
        "user=-",
        '"user_name":"unknown"',
        '"user":{"id":"1000050"}',
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [USER], None), text, [])
