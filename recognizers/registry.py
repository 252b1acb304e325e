"""The registry of code recognizers, and ``build_recognizers``: one instance of each.

Code recognizers (one class each, for validation logic: checksums, ``ipaddress``,
``phonenumbers``, the name lexicon) are listed by name in ``RECOGNIZERS``; pattern-only
recognizers are data in ``configs/recognizers.yaml``. Every recognizer's ``name`` is its
class name (YAML ones: their ``name``), which findings record as the detector.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from recognizers.base import EntityRecognizer
from recognizers.credit_card import CreditCardRecognizer
from recognizers.domain import DomainRecognizer
from recognizers.email import EmailRecognizer
from recognizers.ip_address import IpAddressRecognizer
from recognizers.japanese_names import SudachiNameRecognizer
from recognizers.jp_my_number import JpMyNumberRecognizer
from recognizers.mac_address import MacAddressRecognizer
from recognizers.person_context import PersonContextRecognizer
from recognizers.person_name import PersonNameRecognizer
from recognizers.phone import PhoneRecognizer
from recognizers.phone_regions import DEFAULT_REGIONS
from recognizers.us_ssn import UsSsnRecognizer
from recognizers.yaml_loader import load_yaml_recognizers

#: The code recognizers by name (the name is also each instance's ``name``).
RECOGNIZERS: dict[str, type[EntityRecognizer]] = {
    "IpAddressRecognizer": IpAddressRecognizer,
    "MacAddressRecognizer": MacAddressRecognizer,
    "EmailRecognizer": EmailRecognizer,
    "PhoneRecognizer": PhoneRecognizer,
    "CreditCardRecognizer": CreditCardRecognizer,
    "JpMyNumberRecognizer": JpMyNumberRecognizer,
    "UsSsnRecognizer": UsSsnRecognizer,
    "PersonNameRecognizer": PersonNameRecognizer,
    "DomainRecognizer": DomainRecognizer,
    "PersonContextRecognizer": PersonContextRecognizer,
    "SudachiNameRecognizer": SudachiNameRecognizer,
}


def default_yaml_path() -> Traversable:
    """Return the ``recognizers.yaml`` packaged in ``configs``."""
    return files("configs") / "recognizers.yaml"


def build_recognizers(
    yaml_path: str | os.PathLike[str] | Traversable | None = None,
    *,
    phone_regions: Sequence[str] = DEFAULT_REGIONS,
) -> list[EntityRecognizer]:
    """Instantiate every code recognizer, then the YAML ones.

    Args:
        yaml_path: The pattern recognizers file; None for the packaged default.
        phone_regions: Default regions for phone numbers written without ``+``.

    Returns:
        The recognizers: those of ``RECOGNIZERS`` in its order, then the YAML file's.

    Raises:
        RecognizerConfigError: If the YAML file is unreadable or invalid, or reuses the
            name of a code recognizer.
        ValueError: If a phone region is unknown.
    """
    options: dict[str, dict[str, Any]] = {"PhoneRecognizer": {"regions": tuple(phone_regions)}}
    recognizers: list[EntityRecognizer] = [
        cls(**options.get(name, {})) for name, cls in RECOGNIZERS.items()
    ]
    recognizers += load_yaml_recognizers(
        default_yaml_path() if yaml_path is None else yaml_path, reserved_names=RECOGNIZERS
    )
    return recognizers
