"""IPv4 and IPv6 addresses, validated with the standard library's ``ipaddress``.

Cato logs put IPs in many fields (``src_ip``, ``src_isp_ip``, ``xff`` lists, CEF
``src``/``dst``) and in free text next to things that look like IPs but are not: client
versions (``5.21.5.8548``, ``cato_vpn_5.21.5.8548_2025...``), OIDs, times and MACs.
"""

from __future__ import annotations

import bisect
import ipaddress
import unicodedata

import regex

from recognizers.base import LocalRecognizer, RecognizerResult, make_result
from recognizers.ipv4 import canonical_ipv4

#: A dotted quad whose octets may be zero-padded (``_parse_ipv4`` reads them).
_PADDED_QUAD = regex.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")

IPV4 = regex.compile(
    r"""
    (?<![0-9A-Za-z_.])          # not glued to a word (v5.1.2.3, build_1.2.3.4) or a longer run
    (?P<ip>
        [0-9]{1,3} (?: \. [0-9]{1,3} ){3}  # four octets; the <= 255 check is done in code
    )
    (?! [0-9A-Za-z_] | \.[0-9A-Za-z] )  # nor followed by more of a dotted run (1.2.3.4.5, OIDs)
    """,
    regex.VERBOSE,
)

IPV6 = regex.compile(
    r"""
    (?<![0-9A-Za-z_.:%])        # not the tail of a word, a longer hex run or a dotted run
    (?P<ip>
        [0-9A-Fa-f]{0,4}                  # first group; empty for a leading '::'
        (?: : [0-9A-Fa-f]{0,4} ){2,7}     # 2-7 more groups; empty ones make up the '::'
        (?: (?: \. [0-9]{1,3} ){3} )?      # last group continues as an IPv4 (::ffff:192.0.2.1)
        (?: % [0-9A-Za-z_-]+ (?: \.[0-9A-Za-z_-]+ )* )?  # zone id: fe80::1%eth0
    )
    (?! [0-9A-Za-z_] | :[0-9A-Fa-f] | \.[0-9] )  # nor more groups, nor a cut IPv4 tail
    """,
    regex.VERBOSE,
)

# Text just before a dotted quad that makes it a version number, not an address.
VERSION_PREFIX = regex.compile(
    r"""
    (?<![A-Za-z])
    (?:
        (?i: version | ver | build | release | rev | firmware | fw | oid | v )
            [\s:=\#/_.-]{0,3} v?        # 'version: 5.18.1.123', 'build 1.2.3.4'
      | (?i: client ) [\s/_-]{1,3} v?    # 'Cato Client 5.21.5.8548' (but 'client: <ip>' is an IP)
      | (?-i: [A-Z][A-Za-z]+ ) /         # user-agent product token: 'Chrome/120.0.0.0'
    )
    \Z                                  # right before the dotted quad
    """,
    regex.VERBOSE,
)
VERSION_LOOKBACK = 16
#: A network's prefix length right after an address: ``192.168.1.0/24``, ``2001:db8::/32``.
PREFIX = regex.compile(r"/(?P<bits>[0-9]{1,3})(?![0-9]|\.[0-9])")

DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "192.0.2.0/24",  # TEST-NET-1, RFC 5737
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "2001:db8::/32",  # RFC 3849
        "3fff::/20",  # RFC 9637
    )
)
# ipaddress's is_private also covers documentation, benchmarking and reserved blocks, so
# "private" is this explicit list: RFC 1918, carrier-grade NAT (RFC 6598), IPv6 ULA.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)

IP_CLASSES = (
    "private",
    "public",
    "documentation",
    "loopback",
    "link-local",
    "multicast",
    "reserved",
    "unspecified",
)


def _ip_class(text: str) -> str:
    """Classify an IP address.

    Documentation ranges are checked before ``private``, since ``ipaddress`` reports them
    as private. ``private`` means RFC 1918, carrier-grade NAT (100.64.0.0/10) and IPv6
    unique-local (fc00::/7); other non-global blocks (240.0.0.0/4, 198.18.0.0/15...)
    are ``reserved``. An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is classified
    as its IPv4 address.

    Args:
        text: An IPv4 or IPv6 address, optionally with a zone id (``fe80::1%eth0``), in
            brackets (``[2001:db8::1]``) or with a prefix length (``10.0.0.0/8``: the class
            of its address).

    Returns:
        One of ``IP_CLASSES``: ``private``, ``public``, ``documentation``, ``loopback``,
        ``link-local``, ``multicast``, ``reserved`` or ``unspecified``.

    Raises:
        ValueError: If ``text`` is not an IP address.
    """
    # NFKC: free text is searched in its NFKC form, so a found address may be fullwidth.
    text = unicodedata.normalize("NFKC", text)
    host = text.strip().strip("[]").partition("/")[0]
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    if _PADDED_QUAD.fullmatch(host):
        # 010.1.2.3: the recognizer finds it and reads its octets as decimal; so does this
        address = ipaddress.IPv4Address(".".join(str(int(part)) for part in host.split(".")))
    else:
        address = ipaddress.ip_address(host)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.scope_id is not None:
            address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if _in_any(address, DOCUMENTATION_NETWORKS):
        return "documentation"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if _in_any(address, PRIVATE_NETWORKS):
        return "private"
    if address.is_global:
        return "public"
    return "reserved"


def _in_any(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple) -> bool:
    return any(address in net for net in networks if net.version == address.version)


def _ipv4_table() -> tuple[list[int], list[str]]:
    """IPv4 space as intervals of one class each: (first addresses, classes), sorted.

    Every test :func:`_ip_class` makes is membership in a network: those above and those
    ``ipaddress`` keeps for its ``is_*`` properties (whatever this Python's version holds).
    Between two consecutive network edges the class cannot change, so classifying the
    first address of each interval classifies the interval.
    """
    networks: list[ipaddress.IPv4Network] = [
        n for n in (*DOCUMENTATION_NETWORKS, *PRIVATE_NETWORKS) if n.version == 4
    ]
    networks.append(ipaddress.IPv4Network("0.0.0.0/32"))
    for value in vars(ipaddress.IPv4Address._constants).values():  # type: ignore[attr-defined]
        for item in value if isinstance(value, (list, tuple, frozenset, set)) else (value,):
            if isinstance(item, ipaddress.IPv4Network):
                networks.append(item)
            elif isinstance(item, ipaddress.IPv4Address):
                networks.append(ipaddress.IPv4Network(item))
    edges = {0}
    for net in networks:
        edges.add(int(net.network_address))
        edges.add(int(net.broadcast_address) + 1)
    starts: list[int] = []
    classes: list[str] = []
    for start in sorted(e for e in edges if e < 2**32):
        kind = _ip_class(str(ipaddress.IPv4Address(start)))
        if not classes or classes[-1] != kind:
            starts.append(start)
            classes.append(kind)
    return starts, classes


_IPV4_STARTS, _IPV4_CLASSES = _ipv4_table()


def ip_class(text: str) -> str:
    """The kind of network an IP address belongs to, one of ``IP_CLASSES``.

    A plain dotted quad is looked up in a table of IPv4 intervals; any other form (and
    IPv6) is classified by :func:`_ip_class`, which documents the classes. ``ValueError``
    if ``text`` is not an IP address.
    """
    number = canonical_ipv4(text)
    if number is None:
        return _ip_class(text)
    return _IPV4_CLASSES[bisect.bisect_right(_IPV4_STARTS, number) - 1]


def ipv4_classes(numbers: list[int]) -> list[str]:
    """:func:`ip_class` of many dotted quads written as ipaddress writes them, by number."""
    at, starts, classes = bisect.bisect_right, _IPV4_STARTS, _IPV4_CLASSES
    return [classes[at(starts, number) - 1] for number in numbers]


def _parse_ipv4(candidate: str) -> ipaddress.IPv4Address | None:
    """Parse a dotted quad, accepting zero-padded octets (``010``) up to 3 digits."""
    octets = [int(part) for part in candidate.split(".")]
    if any(octet > 255 for octet in octets):
        return None
    return ipaddress.IPv4Address(".".join(map(str, octets)))


def _parse_ipv6(candidate: str) -> tuple[ipaddress.IPv6Address, str] | None:
    """Parse an IPv6 candidate; a single trailing ``:`` (``fe80::1: up``) is dropped."""
    # ':::' is not '::' with a colon after it: only an address ending in a group may lose one.
    trailing = candidate.endswith(":") and not candidate.endswith("::")
    for text in (candidate, candidate[:-1] if trailing else None):
        if not text:
            continue
        try:
            return ipaddress.IPv6Address(text), text
        except ValueError:
            continue
    return None


class IpAddressRecognizer(LocalRecognizer):
    """Find IPv4 and IPv6 addresses and validate them with ``ipaddress``.

    Spans cover the address only: not the port (``192.0.2.1:443``), not the brackets
    (``[2001:db8::1]:443``); a zone id (``fe80::1%eth0``) and a network's prefix length
    (``192.168.1.0/24``) are part of it. The unspecified addresses ``0.0.0.0`` and ``::``
    (``0.0.0.0/0``, ``::/0``: any address) identify no one: they score ``UNSPECIFIED_SCORE``,
    under the default ``min_score``, and an IP field holding one is no finding. A dotted quad
    right after ``version``/``ver``/``v``/``build``/``oid``/``Client `` or a user-agent product
    (``Chrome/``) is taken for a version number.
    """

    ENTITY = "IP_ADDRESS"
    SCORE = 0.95
    UNSPECIFIED_SCORE = 0.1

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find IP addresses in ``text``.

        Args:
            text: A field value or a line of free text.
            entities: Unused; as in presidio's ``PatternRecognizer``, the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per address, in text order.
        """
        results = []
        v6_spans = []
        for match in IPV6.finditer(text):
            parsed = _parse_ipv6(match["ip"])
            if parsed is None:
                continue
            start = match.start("ip")
            end = _with_prefix(text, start + len(parsed[1]), 128)
            v6_spans.append((start, end))
            score = self.UNSPECIFIED_SCORE if parsed[0].is_unspecified else self.SCORE
            results.append(make_result(self, self.ENTITY, start, end, score))
        for match in IPV4.finditer(text):
            start, end = match.span("ip")
            if any(s <= start and end <= e for s, e in v6_spans):
                continue  # the IPv4 tail of ::ffff:192.0.2.1
            address = _parse_ipv4(match["ip"])
            if address is None:
                continue
            if VERSION_PREFIX.search(text[max(0, start - VERSION_LOOKBACK) : start]):
                continue
            end = _with_prefix(text, end, 32)
            score = self.UNSPECIFIED_SCORE if address.is_unspecified else self.SCORE
            results.append(make_result(self, self.ENTITY, start, end, score))
        results.sort(key=lambda result: result.start)
        return results


def _with_prefix(text: str, end: int, most: int) -> int:
    """Where an address ends, its prefix length included (``/24``, at most ``most`` bits)."""
    m = PREFIX.match(text, end)
    return m.end() if m is not None and int(m["bits"]) <= most else end
