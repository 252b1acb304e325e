r"""Web addresses written without a scheme: ``microsoft.com``, ``google.co.il/maps``.

A dotted word is a domain only when its last labels are a public suffix of the ICANN
section of the Public Suffix List (bundled by ``publicsuffixlist``, nothing is fetched)
and a name other than ``www`` comes before the suffix. So ``co.il`` alone is no domain;
``www.microsoft`` is a host name, not a site under the brand suffix ``.microsoft``;
``foo.local`` and ``System.IO.File`` are none. What an e-mail address
(``jdoe@microsoft.com``), a path (``C:\Tools\setup.py``) or a longer dotted run holds
is not taken. A two-label word whose suffix is also a common file extension
(``setup.py``, ``notes.md``, ``archive.zip``) is a file name, not a domain. The suffix
must be written in lower case, as domains are in logs; capitalised .NET names
(``System.IO``) are not domains.

Score 0.6: lower than a URL with a scheme (0.85), which wins when both cover one span.
"""

from __future__ import annotations

import functools

import regex
from publicsuffixlist import PublicSuffixList

from recognizers.base import (
    LocalRecognizer,
    RecognizerResult,
    ascii_twin,
    make_result,
    plain_ascii,
)

CANDIDATE = regex.compile(
    r"""
    (?<! [\w@.\\/%&+-] )                        # not inside an e-mail, path or longer word
    (?P<host> (?: [A-Za-z0-9] (?: [A-Za-z0-9-]{0,61} [A-Za-z0-9] )? \. )+
              [a-z] [a-z0-9-]{0,62} )           # the suffix in lower case
    (?: : [0-9]{1,5} )?                         # a port
    (?: / [A-Za-z0-9._~:/?\#@!$&*+,;=%-]* )?     # a path
    (?<! [.,;:!?] )                             # a trailing .,;:!? ends the sentence
    (?! [\w@\\-] | \.[\w] )                     # nor goes on as a longer word
    """,
    regex.VERBOSE,
)
#: :data:`CANDIDATE` in ``re``, for plain ASCII texts (:func:`~recognizers.base.ascii_twin`).
_CANDIDATE_TWIN = ascii_twin(CANDIDATE.pattern, CANDIDATE.flags)

#: Suffixes that are also common file extensions: ``name.<ext>`` is a file name.
FILE_EXTENSIONS = frozenset(
    "py sh pl md rs so zip mov ps ai cab app run cc tf cat mo am ml pm".split()
)


@functools.cache
def suffix_list() -> PublicSuffixList:
    """The ICANN section of the bundled Public Suffix List, read once per process.

    Reading it takes about 0.1 s, so it is read when a domain is first checked, not when
    a recognizer is built (a scan's main process builds one and may never check a
    domain), and worker processes inherit it from their forkserver
    (``scanner.engines.preload``).
    """
    return PublicSuffixList(only_icann=True, accept_unknown=False)


class DomainRecognizer(LocalRecognizer):
    """Find domain names and scheme-less web addresses in free text (entity ``URL``)."""

    ENTITY = "URL"
    SCORE = 0.6

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load (the suffix list is read when first needed: :func:`suffix_list`)."""

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find scheme-less web addresses in ``text``.

        Args:
            text: A field value or a line of free text.
            entities: Unused; the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per address, in text order.
        """
        results = []
        candidate = CANDIDATE
        if _CANDIDATE_TWIN is not None and plain_ascii(text):
            candidate = _CANDIDATE_TWIN
        for match in candidate.finditer(text):
            if self.is_domain(match["host"]):
                start, end = match.start(), match.end()
                results.append(make_result(self, self.ENTITY, start, end, self.SCORE))
        return results

    def is_domain(self, host: str) -> bool:
        """``host`` is a registrable name under a public suffix (``mail.google.co.il``)."""
        host = host.lower()
        registered = suffix_list().privatesuffix(host)
        if registered is None or registered.startswith("www."):
            return False  # 'www.microsoft': www is a host, so 'microsoft' is no suffix here
        labels = host.split(".")
        return not (len(labels) == 2 and labels[1] in FILE_EXTENSIONS)
