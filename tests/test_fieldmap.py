from scanner.config import load_configs
from scanner.detect.detector import CONDITIONAL, Detector


def _rule(detector, path, fields):
    rule = detector.route(path)
    if rule is CONDITIONAL:
        rule = detector.conditional_rule(path, detector.condition_lookup(fields))
    return None if rule is None else rule.detect


def test_conditional_rules():
    d = Detector(load_configs(), nlp="none")
    sdp = [("src_is_site_or_vpn", "SDP User"), ("src_site_name", "Emily Carter")]
    site = [("src_is_site_or_vpn", "Site"), ("src_site_name", "Osaka-Branch")]
    assert _rule(d, "src_site_name", sdp) == "identity"
    assert _rule(d, "src_site_name", site) is None
    person = [("admin", "鈴木 一郎"), ("admin_id", "5501")]
    system = [("admin", "System User #40276"), ("admin_id", "40276")]
    partner = [("admin", "<ACME> User #12"), ("admin_id", "12")]
    assert _rule(d, "admin_id", person) == "USER_ID"
    assert _rule(d, "admin_id", system) is None
    assert _rule(d, "admin_id", partner) is None
    assert _rule(d, "admin_id", [("admin_id", "5501")]) == "USER_ID"  # no actor named


def test_names_match_case_sensitively_with_lowercase_fallback():
    d = Detector(load_configs(), nlp="none")
    assert d.route("DeviceVersion").detect == "DEVICE_INFO"  # Sentinel: an OS
    assert d.route("deviceVersion") is None  # CEF header: the exporter's version
    assert d.route("SRC_IP").detect == "IP_ADDRESS"
