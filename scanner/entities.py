"""The entity types catoscan reports, one :class:`EntitySpec` each: every fact in one table.

What a finding's ``entity_type`` can be, and for each: the recognizer that finds it, how a
field mapped to it is decided, the cheap necessary condition checked before its
recognizers run, whether spaCy's NER reports it, how its value is normalised for the keyed
hash and masked for the preview. The detector (:mod:`scanner.detect.detector`,
:mod:`scanner.detect.values`, :mod:`scanner.detect.templates`), the configuration
(:mod:`scanner.config`) and the hashing (:mod:`scanner.hashing`) read these facts here.

What a user configures stays in the YAML files and is checked against this table when
they are loaded: each entity's policy (``policy.yaml``), the precedence of overlapping
findings (``scanner.yaml``), the field rules (``fields.yaml``). A new entity type is a row
here, its policy entry and its place in ``precedence``; ``tests/test_entities.py`` checks
that every row is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: How a field that a rule maps to the entity (``detect: <ENTITY>``) is decided:
#: ``recognizer``: the entity's recognizers must find it in the value (a checksum, a parse);
#: ``any``: the whole value, unless it is a placeholder (``-``, ``N/A``, ``***``);
#: ``name``: the same, when it has letters and is no system actor (``System User #40276``);
#: ``user_id``: the same, when it has a digit or six characters;
#: ``location``: the same, when it has letters or is a coordinate (``35.6895``).
FieldCheck = Literal["recognizer", "any", "name", "user_id", "location"]

#: The canonical text a value is hashed as (:func:`scanner.hashing.normalise`), after NFKC
#: and folding white space: ``ip``: the address as ``ipaddress`` writes it; ``mac``: hex
#: pairs with colons; ``email``: percent-decoded; ``phone``: E.164 read in the scan's phone
#: regions; ``digits``: the digits alone; ``text``: the text as it is.
NormalForm = Literal["ip", "mac", "email", "phone", "digits", "text"]

#: The preview of a value (:func:`scanner.hashing.mask`): ``email``: ``t***@example.com``;
#: ``ip``: ``192.0.*.*``; ``mac``: ``00:00:5e:**:**:**``; ``last_digits``: ``***23``;
#: ``url``: ``https://p***``; ``hidden``: ``***``; ``first_char``: ``T***``.
MaskKind = Literal["email", "ip", "mac", "last_digits", "url", "hidden", "first_char"]


@dataclass(frozen=True)
class EntitySpec:
    """One entity type and how catoscan finds, hashes and shows its values."""

    #: the ``entity_type`` of its findings
    name: str
    #: the recognizer (a class of ``recognizers.RECOGNIZERS`` or an entry of
    #: ``recognizers.yaml``) that finds it in a value or a text; None: only field rules do
    recognizer: str | None
    #: how a field mapped to it is decided
    field_check: FieldCheck
    #: true of every text its recognizers could find it in (NFKC-normalised, as they see
    #: it): texts it does not match are not given to them; None: no such cheap condition
    prefilter: re.Pattern[str] | None
    #: spaCy's NER reports it in free text (``nlp.labels`` in scanner.yaml): a slot of a
    #: message template can be learned to hold it
    ner: bool
    #: its canonical text for the keyed hash
    normal_form: NormalForm
    #: case does not tell two values apart: the canonical text is case-folded
    case_insensitive: bool
    #: its masked preview
    mask: MaskKind


#: Every entity type, in the order error messages and listings use.
_SPECS = (
    EntitySpec(
        "PERSON",
        recognizer="PersonNameRecognizer",
        field_check="name",
        prefilter=None,
        ner=True,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "EMAIL_ADDRESS",
        recognizer="EmailRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"@|%40", re.IGNORECASE),
        ner=False,
        normal_form="email",
        case_insensitive=True,
        mask="email",
    ),
    EntitySpec(
        "IP_ADDRESS",
        recognizer="IpAddressRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]|::"),
        ner=False,
        normal_form="ip",
        case_insensitive=False,
        mask="ip",
    ),
    EntitySpec(
        "MAC_ADDRESS",
        recognizer="MacAddressRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"),
        ner=False,
        normal_form="mac",
        case_insensitive=False,
        mask="mac",
    ),
    EntitySpec(
        "PHONE_NUMBER",
        recognizer="PhoneRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"(?:\d\D*){7}"),
        ner=False,
        normal_form="phone",
        case_insensitive=False,
        mask="last_digits",
    ),
    EntitySpec(
        "USERNAME",
        recognizer="UsernameRecognizer",
        field_check="any",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "USER_ID",
        recognizer="UserIdRecognizer",
        field_check="user_id",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "DEVICE_NAME",
        recognizer="DeviceNameRecognizer",
        field_check="any",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "DEVICE_ID",
        recognizer=None,
        field_check="any",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "DEVICE_INFO",
        recognizer="DeviceInfoRecognizer",
        field_check="any",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "URL",
        recognizer="UrlPatternRecognizer",
        field_check="any",
        prefilter=re.compile(r"://|[A-Za-z0-9]\.[a-z]"),
        ner=False,
        normal_form="text",
        case_insensitive=True,
        mask="url",
    ),
    EntitySpec(
        "LOCATION",
        recognizer="LocationRecognizer",
        field_check="location",
        prefilter=None,
        ner=True,
        normal_form="text",
        case_insensitive=True,
        mask="first_char",
    ),
    EntitySpec(
        "CREDIT_CARD",
        recognizer="CreditCardRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"(?:\d\D*){12}"),
        ner=False,
        normal_form="digits",
        case_insensitive=False,
        mask="last_digits",
    ),
    EntitySpec(
        "JP_MY_NUMBER",
        recognizer="JpMyNumberRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"(?:\d\D*){12}"),
        ner=False,
        normal_form="digits",
        case_insensitive=False,
        mask="last_digits",
    ),
    EntitySpec(
        "US_SSN",
        recognizer="UsSsnRecognizer",
        field_check="recognizer",
        prefilter=re.compile(r"(?:\d\D*){9}"),
        ner=False,
        normal_form="digits",
        case_insensitive=False,
        mask="last_digits",
    ),
    EntitySpec(
        "SECRET",
        recognizer="SecretRecognizer",
        field_check="any",
        prefilter=None,
        ner=False,
        normal_form="text",
        case_insensitive=False,
        mask="hidden",
    ),
)
ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in _SPECS}

#: The entity type names, in the table's order.
ENTITY_TYPES: tuple[str, ...] = tuple(ENTITIES)
#: The entity types spaCy's NER reports, in the table's order.
NER_ENTITY_TYPES: tuple[str, ...] = tuple(n for n, s in ENTITIES.items() if s.ner)
