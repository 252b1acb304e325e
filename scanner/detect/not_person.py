"""What a name or a place found in free text is not: the built-in NOT-PERSON rules.

Always on, for detections found in free text (never for field rules or deny-list hits),
they drop PERSON detections that are names of things: rule, site, PoP, ISP, application and
threat names, ``System User #40276``, MITRE ATT&CK tactic strings, companies and places by
what surrounds them, Japanese firms and katakana loanwords; NER spans without a letter or
on Japanese text; and place names used as adjectives (``US SSN``). Each is a small
predicate ``(span, value) -> bool`` in ``BUILTIN`` with the entities it drops, applied by
:class:`scanner.detect.filters.Filters`. spaCy's PERSON spans are given a name's ends
before that (:mod:`scanner.detect.name_spans`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from scanner.detect.resolve import Span

NER_DETECTOR = "SpacyRecognizer"
#: A name or place in a slot of a message's template, which spaCy found in its exemplars
#: (scanner/detect/templates.py); the rules treat it as spaCy's own.
NER_TEMPLATE_DETECTOR = "SpacyRecognizer:template"
_NER_DETECTORS = frozenset({NER_DETECTOR, NER_TEMPLATE_DETECTOR})
_NAMES: list[frozenset[str]] = []
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# A word in Latin letters, accented ones included (``Hörle``, ``Łęcki``).
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f'’.-]+")


#: Words that make a capitalised phrase the name of a thing, not of a person.
THING_WORDS = frozenset(
    """
    hq branch office site sites rule rules policy firewall internet wan lan apps app
    application applications pc laptop desktop key keys inc llc ltd co corp k.k. kk gmbh
    broadband mobile fiber fibre cable wireless telecom network networks cloud server
    servers gateway pop isp threat threats malware phishing ransomware trojan botnet
    exploit activity malicious suspicious anomalous access control default allow block
    bypass monitor prompt notify deny permit helpdesk support soc vpn sdp client agent
    service services group groups team teams microsoft google apple amazon box zoom slack
    dropbox salesforce github anonymizers domain domains category categories exfiltration
    command reconnaissance persistence execution discovery collection impact evasion
    escalation lateral movement credential tactic technique signature profile socket
    account accounts tenant subnet tunnel report dashboard license licenses admin
    administrator operator system user users guest home info warn warning error debug
    trace fatal approved ville city town beach springs falls heights valley hills bains
    stowarzyszenie fundacja foundation association institute university bank
    azure outlook onedrive sharepoint exchange defender chrome edge firefox safari drive
    directory portal intune okta jamf citrix vmware cisco oracle adobe acrobat windows linux
    ubuntu macos ios android
    """.split()
)
#: A first word that makes a capitalised phrase a place (``South Bryan``, ``Saint Marcelle``).
PLACE_HEADS = frozenset(
    """
    north south east west saint st san santa lake port fort mount new upper lower sainte
    são sao santo puerto porto bad cape ciudad villa vila nova novo monte mont kuala
    buenos bahía isla
    """.split()
)
# A particle inside a hyphenated place name (``Colette-sur-Mer``, ``Frankfurt-am-Main``).
_PLACE_PARTICLE = re.compile(r"(?i)\w-(?:sur|sous|lès|les|en|le|la|am|an|upon|on|by)-\w")
# A preposition of place right before the span (``users in Porto Alegre``); a person's
# name there is a possessive (``in Ann Lee's mailbox``).
_PLACE_BEFORE = re.compile(r"(?<![A-Za-z])(?:in|near|inside)\s+\Z")
#: Words that head or end the name of a firm or an institution in the languages of the
#: company registers (``Stichting Koeman``, ``Grupa Roś``, ``Limak İnşaat``).
ORGANISATION_WORDS = frozenset(
    """
    stichting vereniging koninklijke maatschappij coöperatie gabinety gabinet grupa
    przedsiębiorstwo spółdzielnia zakład zakłady biuro firma grupo gruppo groupe despacho
    distribuciones manufacturas industrias construcciones inversiones transportes
    laboratorios talleres comercial hermanos bufete industrie officine fratelli società
    compagnie établissements stiftung verein werke gesellschaft inşaat ticaret sanayi
    turizm gıda tekstil otomotiv lojistik yazılım bilişim içecek holding
    """.split()
)
# A single surname in a list of single surnames is a partnership (``Lane, Owens and Kelly``);
# people in a log are listed with their given names.
_FIRM_LIST_BEFORE = re.compile(r"\b[A-Z][a-z]+, [A-Z][a-z]+,? (?:and|&) \Z")
_FIRM_LIST_AFTER = re.compile(r"\A, [A-Z][a-z]+,? (?:and|&) [A-Z][a-z]+\b(?! [A-Z])")


def _fold(word: str) -> str:
    """Case-folded, with Turkish dotted capital I as a plain i (``İnşaat`` -> ``inşaat``)."""
    return word.casefold().replace("i\u0307", "i")


#: Nouns of a person's job or standing: a title, not a name, before or after one
#: (``Contractor Hayley Williams``, ``Technical Writer``).
ROLE_WORDS = frozenset(
    """
    officer engineer architect director executive assistant consultant technician analyst
    president manager supervisor coordinator specialist developer designer intern trainee
    representative auditor recruiter strategist scientist advisor adviser contractor
    visitor employee freelancer candidate applicant
    """.split()
)
#: The last word of the name of a business function or of a product's edition
#: (``Internal Audit``, ``Talent Acquisition``, ``Notion Enterprise``): no surname.
#: Words that are surnames too are left out (Room, Handler, Loader, Hall, Wing).
THING_TAIL_WORDS = (
    frozenset(
        """
    audit acquisition governance procurement operations engineering compliance accounting
    marketing payroll treasury logistics facilities communications relations
    administration intelligence response assurance management development research
    analytics infrastructure sales finance legal care success desk enablement
    enterprise professional premium edition suite endpoint backup workspace whiteboard
    calling meetings rooms expense insights connect protect security vault studio
    platform online messenger browser antivirus automate
    engine broker parser indexer logger scheduler exporter importer crawler resolver
    dispatcher limiter rotator hub queue registry pipeline daemon proxy balancer adapter
    plugin module sdk listener validator renderer compiler
    refresh migration rollout upgrade cutover rebuild redesign rewrite consolidation
    modernisation modernization transformation decommissioning initiative programme
    program project sprint release
    pavilion lobby annex atrium auditorium lab laboratory boardroom canteen cafeteria
    """.split()
    )
    | ROLE_WORDS
)
#: The first word of the name of a project, an operation or a part of a building
#: (``Project Kestrel``, ``Room Everest``): no given name.
THING_HEAD_WORDS = frozenset(
    """
    project projects operation programme program initiative codename building tower room
    floor level lobby lab campus annex
    """.split()
)
#: Number words and weekdays are in no person's name (``Phase Two``, ``On Monday``).
COUNTING_WORDS = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve first second third
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)
# An IT noun and a preposition right before the span: what it goes to, comes from or is
# integrated with is a service, a site or a product (``upload to Veeam Backup``).
_THING_BEFORE = re.compile(
    r"""(?ix)
    (?<![A-Za-z]) (?: uploads? | downloads? | integrations? | connectors? | webhooks? | api
                    | tunnels? | latency | routes? | routing | traffic | breakout | failover
                    | peering | uplink | rollout | deployment | outage | replication | sso )
    \s+ (?: to | with | from | for | of | at | via | on ) \s+ ["'“]? \Z
    """
)
# A noun and the one preposition whose object is a system, never a person: what one signs
# in or migrates to, what is synchronised or compatible with, and what is deployed,
# restarted, renewed or trialled (``for`` is left out: a renewal or a trial is for a user).
_THING_PAIR_BEFORE = re.compile(
    r"""(?ix)
    (?<![A-Za-z-])
    (?: (?: sign-?ins? | log-?ins? | logons? | migrations? | exceptions? ) \s+ to
      | (?: synchroni[sz]ation | interop | interoperability | compatibility ) \s+ with
      | (?: trials? | renewals? | deploy | deploys | redeploy | restarts? | reboots? | upgrades?
          | rollbacks? | health \s+ checks? | crash(?:es)? | cutover | instances? | versions?
          | builds? ) \s+ of
    ) \s+ ["'“]? \Z
    """
)
# A word right after a span that says what kind of thing it names (``Night Owl policy``).
_LABEL_AFTER = re.compile(
    r"(?i)\A\s+(?:policy|policies|rule|rules|ruleset|category|signature|tactic|technique)\b"
)
# The definite article right before a span: ``the Solutions Architect``; a person's name
# takes none (``the Ann Lee`` is only said before a noun: ``the Ann Lee file``). Not ``a``
# or ``an``: in Spanish, Portuguese, Italian and German they mean "to" (``a Ana Souza``).
_DETERMINER_BEFORE = re.compile(r"(?<![A-Za-z])the\s+\Z", re.IGNORECASE)
# A possessive after a span (``in Ann Lee's mailbox``): a person, whatever comes before.
_POSSESSIVE = re.compile(r"['’]s\b")
# A word with a capital inside it (``SentinelOne``, ``FortiGate``) is a brand, unless what
# comes before the capital starts surnames (``McDonald``, ``DeSousa``, ``VanDyke``).
_CAMEL = re.compile(r"\A([A-Z][a-z]+)[A-Z][a-z]")
_NAME_PREFIXES = frozenset("mc mac de di da du le la van von fitz st del della des".split())
# What follows a company's name: a legal form (``Ltd.``, ``A.Ş.``, ``S.L.L.``, ``s.c.``), or
# in Japanese a contract, an invoice or a quote with it, or the company address form 御中.
_COMPANY_AFTER = re.compile(
    r"""(?ix)
    \A (?: ,? \s+ (?: ltd | limited | inc | llc | llp | plc | gmbh | ag | kg | ug | corp
                   | corporation | co | company | sa | s\.a | sas | sarl | srl | s\.r\.l | spa
                   | s\.p\.a | bv | b\.v | nv | n\.v | oy | ab | a/s | a\.ş | şti | s\.l
                   | s\.c | sp\.\s?z | k\.k | kk | pty | pvt | group | holdings? | partners
                   | sp\.\s?[jkp] | s\.\s?com | and \s+ sons | y \s+ asociados
                   | e \s+ hijos | e \s+ filhos | e \s+ figli | et \s+ fils | i \s+ syn
                   | und \s+ söhne | ve \s+ ortakları | gbr | ohg | mbh | e\.\s?k | e\.\s?v
                   | ltda | lda | eireli | s/a | s\.l\.l | slu | s\.l\.u | sas | snc | s\.n\.c
                   | sagl | kft | zrt | nyrt | s\.r\.o | sro | a\.s | oü | oy | oyj | aps | asa
                   | uab | d\.o\.o | doo | s\.a\.s | s\.\s?de | tic\. | san\.
                   | (?: & | and | y | e | et | und | en | i | ve ) \s+ (?: asociados | associates
                     | associados | associati | associés | sons | co | cie | partners? | hijos
                     | filhos | figli | fils | söhne | zonen | synowie | brothers | hermanos
                     | irmãos | fratelli | frères | gebrüder ) )
           (?! [A-Za-z] )
       | (?: との契約 | からの請求 | 向けの見積 | 御中 ) )
    """
)
# A place noun right after a name in Japanese (``South Bryanの倉庫``: its warehouse).
# Also a facility or a firm written on to it: ``…社製`` (made by), ``…社`` (but not
# ``社長``, a title), ``…店``, ``…ビル``, ``…キャンパス``, ``…空港``, ``…にある`` (located
# at); a person is followed by an honorific or a particle instead. Not ``…経由`` (via): a
# request comes through a person as often as through a product (``Tanaka経由で申請``).
_PLACE_AFTER_JA = re.compile(
    r"\A(?:(?:の)?(?:倉庫|支店|本社|支社|工場|事務所|店舗|営業所|データセンター|地区|市|県)"
    r"|社(?![長員])|製|店(?![長員])|ビル|キャンパス|出張所|分室|部門|事業部|本部|空港|駅|港"
    r"|州|ホテル|病院|大学|研究所|にある)"
)
_SYSTEM_ACTOR = re.compile(r"(?:System|API|Service|<[^>]+>|\w[\w.&-]*(?: [\w.&-]+)*?) User #\d+")
_MITRE = re.compile(
    r"""(?x)
    [A-Z][A-Za-z-]* (?: \x20 (?: and | of | [A-Z][A-Za-z-]* ) ){0,4}  # Command and Control
    \x20? \( (?: TA\d{4} | T\d{4} (?: \.\d{3} )? ) \)                    # (TA0011), (T1059.001)
    """
)
# A word just before a name that says what kind of thing it names.
_LABEL_BEFORE = re.compile(
    r"""(?ix)
    (?: rule | policy | site | pop | isp | app | application | threat | signature | malware
      | category | tactic | technique | profile | key | socket | group | team | network
      | tenant | account | playbook | story | indication | ルール | 拠点 | サイト | ポリシー )
    \s* [:=]? \s* ["'“「『]? \Z
    """
)
# What comes just before a lone word that makes it a person's name: a title or a phrase
# that introduces one (``Mr. Mayers``, ``my name is Dan``, ``call me Ken``).
_PERSON_CUE_BEFORE = re.compile(
    r"""(?ix)
    (?: (?<![A-Za-z]) (?: mr | mrs | ms | miss | mx | dr | prof | sir | dame | madam ) \.?
      | (?<![A-Za-z]) (?: (?: my | his | her | their | your ) \s+ name \s+ is | call \s+ me
                       | i \s+ am | i'm ) )
    \s+ \Z
    """
)
_ADJECTIVE_AFTER = re.compile(
    r"(?i)\A\s*(?:ssn|social security|my number|passport|driver|dollars?|yen|phone|number"
    r"|national|resident|tax|id\b|time|standard time|region)"
)


def _known_names() -> frozenset[str]:
    """English given names and romanised Japanese names of the recognizers' lexicon."""
    if not _NAMES:
        from recognizers.name_lexicon import EN_GIVEN, japanese_forms

        forms = japanese_forms()
        _NAMES.append(EN_GIVEN | forms["given_roman"] | forms["surname_roman"])
    return _NAMES[0]


def _text_of(span: Span, value: str) -> str:
    return _normal(value[span.start : span.end])


@functools.lru_cache(maxsize=4096)
def _normal(text: str) -> str:
    """NFKC with runs of white space as one space, stripped: what the rules read.

    Cached: every rule reads the span's text, and the same names come back.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def is_system_actor(span: Span, value: str) -> bool:
    """A PERSON inside ``System User #40276`` (an automated actor, not a person)."""
    # The literal first: the pattern's lazy words make a search over a long message slow.
    return (
        span.entity == "PERSON"
        and " User #" in value
        and any(
            m.start() <= span.start and span.end <= m.end() for m in _SYSTEM_ACTOR.finditer(value)
        )
    )


def is_mitre_label(span: Span, value: str) -> bool:
    """A PERSON inside a MITRE ATT&CK string (``Command and Control (TA0011)``)."""
    return (
        span.entity == "PERSON"
        and "(T" in value
        and any(m.start() <= span.start and span.end <= m.end() for m in _MITRE.finditer(value))
    )


def is_named_thing(span: Span, value: str) -> bool:
    """A PERSON whose words name a thing (``Allow Business Apps``, ``Example Broadband``).

    Also a PERSON right after a word that says what it names (``rule Emily``,
    ``site Hanako``), one with digits or path characters, and one word in all
    lower case (NER noise).
    """
    if span.entity != "PERSON":
        return False
    text = _text_of(span, value)
    words = [w.strip(".,;:()'\"’").casefold() for w in text.split()]
    if any(w in THING_WORDS for w in words):
        return True
    if any(ch.isdigit() or ch in "#@/\\_=<>|:;()[]{}" for ch in text):
        return True
    if text.isascii() and text == text.lower():
        return True
    if _is_brand(text) or _thing_tail(words) or _thing_head(words):
        return True
    if any(w in COUNTING_WORDS for w in words):
        return True
    before = value[max(0, span.start - 24) : span.start]
    possessive = bool(_POSSESSIVE.match(value[span.end :]))
    if not possessive and (
        _THING_BEFORE.search(before)
        or _THING_PAIR_BEFORE.search(before)
        or _DETERMINER_BEFORE.search(before)
    ):
        return True
    if _LABEL_BEFORE.search(before) or _LABEL_AFTER.match(value[span.end :]):
        return True
    return _in_a_thing_phrase(span, value)


def _is_brand(text: str) -> bool:
    """A word of ``text`` has a capital inside it that no surname prefix explains."""
    for word in text.split():
        m = _CAMEL.match(word)
        if m and m.group(1).casefold() not in _NAME_PREFIXES:
            if m.group(1) not in _known_names():  # 'MaryAnn'
                return True
    return False


def _thing_tail(words: list[str]) -> bool:
    """Two words or more, the last naming a function or an edition and no known name."""
    return (
        len(words) > 1
        and words[-1] in THING_TAIL_WORDS
        and words[-1].capitalize() not in _known_names()
    )


def _thing_head(words: list[str]) -> bool:
    """Two words or more, the first starting the name of a project or a part of a building."""
    return (
        len(words) > 1
        and words[0] in THING_HEAD_WORDS
        and words[0].capitalize() not in _known_names()
    )


# The capitalised words right before and right after a span, one space apart.
_CAPITALISED_BEFORE = re.compile(r"(?:(?<![\w'’.-])|\A)((?:[A-Z][\w'’.-]* )+)\Z")
_CAPITALISED_AFTER = re.compile(r"\A((?: [A-Z][\w'’.-]*)+)")


def _in_a_thing_phrase(span: Span, value: str) -> bool:
    """The span is the end or the middle of a longer capitalised phrase that names a thing.

    spaCy cuts names of things in two (``Conference [Room Everest]``, ``ManageEngine
    [Endpoint Central]``, ``policy "Inspect [Encrypted Traffic]"``); the phrase decides:
    its word right before the span starts the name of a project or a room, a label or an
    IT noun comes before it, or a word of it is a brand. A sentence's first word (a verb,
    a title) may come right before a name, so the words before the span are not read for
    anything else, nor a department after a name (``Ann Lee Finance``) taken for a tail.
    """
    before = _CAPITALISED_BEFORE.search(value[max(0, span.start - 60) : span.start])
    after = _CAPITALISED_AFTER.match(value[span.end :])
    if not before and not after:
        return False
    head = before.group(1).split() if before else []
    tail = after.group(1).split() if after else []
    if head and head[-1].casefold() in THING_HEAD_WORDS:
        return True
    if before:  # what comes before the phrase says what it names (``rule Allow Web Apps``)
        start = span.start - len(before.group(1))
        ahead = value[max(0, start - 24) : start]
        if any(p.search(ahead) for p in (_LABEL_BEFORE, _THING_BEFORE, _THING_PAIR_BEFORE)):
            return True
    return any(_is_brand(w) for w in head + tail)


def is_not_a_name(span: Span, value: str) -> bool:
    """An NER PERSON or LOCATION without a letter (``02:19:10``), or an NER PERSON in Japanese.

    spaCy's English model tags times and versions as places; on Japanese text its PERSON
    spans are guesses that run on into the sentence (``David Leeさんが``, ``ホリカワ フウが退勤
    打刻を忘れています``): the name lexicon and the Japanese name recognizer find the names.
    """
    if span.detector not in _NER_DETECTORS or span.entity not in ("PERSON", "LOCATION"):
        return False
    text = _text_of(span, value)
    if not _LETTER.search(text):
        return True
    # A template's slot is exempt: its exemplars' names were the Japanese name recognizer's.
    return (
        span.entity == "PERSON" and span.detector == NER_DETECTOR and bool(_JAPANESE.search(text))
    )


def is_lone_word(span: Span, value: str) -> bool:
    """A one-word PERSON from NER that no name list knows (``Luhn``, ``Emotet``, ``Helpdesk``).

    spaCy's small model tags many capitalised log words as people; a single word is
    kept only when it is a known given name or surname (``Peter``, ``Yamada``) or when
    a title or an introduction comes right before it (``Mr. Mayers``, ``my name is Dan``).
    """
    if span.entity != "PERSON" or span.detector not in _NER_DETECTORS:
        return False
    text = _text_of(span, value)
    if " " in text or not _LATIN_WORD.fullmatch(text):
        return False
    if text.capitalize() in _known_names():
        return False
    return not _PERSON_CUE_BEFORE.search(value[max(0, span.start - 24) : span.start])


def is_company_or_place(span: Span, value: str) -> bool:
    """A PERSON that is a company or a place by what surrounds it.

    A legal form after it (``Bilgin Çetin Ltd.``, ``Yüksel Fırat A.Ş.``), a contract or an
    invoice with it in Japanese (``…との契約``), a place noun after it (``…の倉庫``), or a
    first word that starts place names (``South Bryan``, ``Saint Marcelle-les-Bains``).
    """
    if span.entity != "PERSON":
        return False
    after = value[span.end :]
    if _COMPANY_AFTER.match(after) or _PLACE_AFTER_JA.match(after):
        return True
    text = _text_of(span, value)
    words = text.split(" ")
    if len(words) > 1 and _COMPANY_AFTER.match(" " + words[-1] + after):
        return True  # the legal form inside the span: 'Alemdar Şti'
    if any(_fold(w.strip(".,()")) in ORGANISATION_WORDS for w in words):
        return True
    if len(words) == 1 and (
        _FIRM_LIST_BEFORE.search(value[max(0, span.start - 40) : span.start])
        or _FIRM_LIST_AFTER.match(after)
    ):
        return True  # 'Lane, Owens and Kelly': a firm of partners' surnames
    if _PLACE_PARTICLE.search(text):
        return True
    before = value[max(0, span.start - 12) : span.start]
    if _PLACE_BEFORE.search(before) and not _POSSESSIVE.match(after):
        return True
    return re.split(r"[-.]", words[0])[0].casefold() in PLACE_HEADS


#: Words that end the name of a Japanese firm or institution (``中村商事``, ``京都研究所``).
ORGANISATION_WORDS_JA = (
    "会社 商事 工業 製薬 銀行 建設 電機 電気 産業 物産 証券 保険 病院 医院 大学 学校 研究所 "
    "センター 支店 本社 支社 工場 営業所 事務所 協会 組合 財団 法人 商会 商店 興業 運輸 "
    "不動産 食品 製作所 技研 サービス グループ ホールディングス"
).split()
_ORGANISATION_JA = re.compile(rf"(?:{'|'.join(ORGANISATION_WORDS_JA)})\Z")
# One katakana word with the marks of a loanword (a long vowel, a small vowel, ヴ).
_KATAKANA_LOANWORD = re.compile(r"[ァ-ヺー]*[ーァィゥェォヮヴ][ァ-ヺー]*")


def is_japanese_organisation(span: Span, value: str) -> bool:
    """A Japanese PERSON that names a firm, an institution or a thing.

    Its last word names a firm or an institution (``中村商事さん``, ``山田電機様``: firms
    are addressed with honorifics too), or it is one katakana loanword (``セキュリティ
    センター様``): a name in katakana without a space is a Japanese name, which has no long
    vowel mark or small vowel.
    """
    if span.entity != "PERSON":
        return False
    text = _text_of(span, value)
    if not _JAPANESE.search(text):
        return False
    return bool(_ORGANISATION_JA.search(text) or _KATAKANA_LOANWORD.fullmatch(text))


_WORD_SPLIT = re.compile(r"[\s\-–]+")


def is_ordinary_words(span: Span, value: str) -> bool:
    """A PERSON made only of frequent English words (``Legal Affairs``, ``Regional Sales``).

    A person's given name is almost never such a word; a known given name or surname
    (``Grace``, ``Young`` are words too) keeps the span.
    """
    if span.entity != "PERSON":
        return False
    from recognizers._common import common_english

    words = [w.strip(".,;:()'\"’").casefold() for w in _WORD_SPLIT.split(_text_of(span, value))]
    words = [w for w in words if w]
    if not words or not all(w in common_english() for w in words):
        return False
    known = _known_names()
    return not any(w.capitalize() in known for w in words)


def is_place_adjective(span: Span, value: str) -> bool:
    """A LOCATION used as an adjective: ``US`` in ``US SSN``, ``Japan`` in ``Japan My Number``."""
    return span.entity == "LOCATION" and bool(_ADJECTIVE_AFTER.match(value[span.end :]))


#: Built-in drop rules for detections in free text: (span, value) -> True to drop, each with
#: the entities it may drop (it returns False for any other).
BUILTIN: tuple[tuple[Callable[[Span, str], bool], frozenset[str]], ...] = (
    (is_system_actor, frozenset({"PERSON"})),
    (is_mitre_label, frozenset({"PERSON"})),
    (is_not_a_name, frozenset({"PERSON", "LOCATION"})),
    (is_named_thing, frozenset({"PERSON"})),
    (is_lone_word, frozenset({"PERSON"})),
    (is_ordinary_words, frozenset({"PERSON"})),
    (is_company_or_place, frozenset({"PERSON"})),
    (is_japanese_organisation, frozenset({"PERSON"})),
    (is_place_adjective, frozenset({"LOCATION"})),
)
#: The rules that may drop a span of each entity, in :data:`BUILTIN`'s order: most spans of
#: free text (e-mails, IPs, URLs) are no name nor place, and asking nine rules that each
#: answer False cost about 1.3 us a span.
BUILTIN_FOR: dict[str, tuple[Callable[[Span, str], bool], ...]] = {
    entity: tuple(rule for rule, entities in BUILTIN if entity in entities)
    for entity in sorted(frozenset().union(*(entities for _rule, entities in BUILTIN)))
}
