"""SMS length: GSM-7 or UCS-2, and how many segments a text takes (3GPP TS 23.038, 23.040).

Properties hold for any text (hypothesis); the table gives figures the standards fix: 160 GSM-7
septets or 70 UCS-2 units in one segment, 153 or 67 per part of a longer message, extension
characters counting 2, a part never ending inside an escape or surrogate pair. The rule option
``max_sms_segments`` denies a text that takes more, and only a text message.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactrules import Address, Consumer, Contact, Debt, EmailAddress, Engine, Phone, Template
from contactrules.loading.loader import lint_paths
from contactrules.templates.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    encoding_of,
    sms_length,
)

BASIC = sorted(GSM7_BASIC)
EXTENSION = sorted(GSM7_EXTENSION)
GSM = BASIC + EXTENSION


def _formula(septets: int) -> int:
    """The textbook count for text of basic characters only (23.040, concatenation)."""
    return 1 if septets <= 160 else math.ceil(septets / 153)


def test_the_alphabets_are_the_standard_tables() -> None:
    """23.038 6.2.1: 128 codes less the escape; the extension table's ten characters."""
    assert len(GSM7_BASIC) == 127
    assert set(GSM7_EXTENSION) == set("\f^{}\\[~]|€")
    assert not GSM7_BASIC & GSM7_EXTENSION
    assert "\x1b" not in GSM7_BASIC


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),  # 23.040: 140 octets = 160 septets in one segment
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),  # 2 x 153
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count 2
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),  # 153 would split the escape pair
        ("a" * 152 + "€" * 4, "GSM-7", 160, 1),  # 160 septets, escapes included: one segment
        ("é" * 160, "GSM-7", 160, 1),  # é, ñ, ü, à are in the default alphabet
        ("á" * 70, "UCS-2", 70, 1),  # á is not: UCS-2, 70 in one segment
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),  # 2 x 67
        ("á" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # beyond U+FFFF: a surrogate pair, 2 units
        ("😀" * 36, "UCS-2", 72, 2),
        ("a" * 66 + "😀" + "a" * 10, "UCS-2", 78, 2),  # the pair is not split at 67
        ("Reply STOP if you don’t want texts.", "UCS-2", 35, 1),  # a curly apostrophe
        ("请今天给我们回电。", "UCS-2", 9, 1),
    ],
)
def test_standard_figures(text: str, encoding: str, units: int, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_a_split_pair_moves_whole_to_the_next_part() -> None:
    """153 septets of basic characters and a euro sign: the euro starts a second part, so a
    text of 152 + 1 euro + 152 basic takes 3 parts, not 2 (306 septets)."""
    assert sms_length("a" * 152 + "€" + "a" * 152).segments == 3
    assert sms_length("a" * 151 + "€" + "a" * 153).segments == 2


@given(st.integers(min_value=0, max_value=2000), st.sampled_from(BASIC))
def test_basic_text_of_length_n_takes_the_formula_s_segments(n: int, char: str) -> None:
    length = sms_length(char * n)
    assert length.encoding == "GSM-7"
    assert length.units == n
    assert length.segments == _formula(n)


@given(st.lists(st.sampled_from(BASIC), max_size=700))
def test_any_basic_text_takes_the_formula_s_segments(chars: list[str]) -> None:
    assert sms_length("".join(chars)).segments == _formula(len(chars))


_NON_GSM = st.characters(exclude_characters="".join(GSM), exclude_categories=["Cs"])


@given(st.lists(st.sampled_from(GSM), max_size=300), _NON_GSM, st.data())
def test_one_character_outside_gsm_makes_it_ucs2(
    chars: list[str], other: str, data: st.DataObject
) -> None:
    where = data.draw(st.integers(min_value=0, max_value=len(chars)))
    text = "".join(chars[:where]) + other + "".join(chars[where:])
    assert encoding_of("".join(chars)) == "GSM-7"
    length = sms_length(text)
    assert length.encoding == "UCS-2"
    assert length.units == len(text.encode("utf-16-le")) // 2
    assert length.segments >= sms_length("".join(chars)).segments


_ANY = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)


@given(_ANY, st.characters(exclude_categories=["Cs"]), st.data())
def test_counts_never_decrease_as_text_grows(text: str, char: str, data: st.DataObject) -> None:
    where = data.draw(st.integers(min_value=0, max_value=len(text)))
    longer = text[:where] + char + text[where:]
    # Units are septets or UCS-2 units, so they may drop when the encoding switches
    # ("{" is 2 septets, 1 unit); segments never do.
    assert sms_length(longer).segments >= sms_length(text).segments


@given(_ANY)
def test_segments_carry_no_more_than_a_part(text: str) -> None:
    length = sms_length(text)
    single, part = (160, 153) if length.encoding == "GSM-7" else (70, 67)
    if length.units <= single:
        assert length.segments == 1
    else:
        assert (
            math.ceil(length.units / part)
            <= length.segments
            <= math.ceil(length.units / (part - 1))
        )


# --- the rule option --------------------------------------------------------------------------
RULESET = """\
ruleset: sms-limit
title: Texts of at most one segment
jurisdiction: {country: US}
rules:
  - id: ONE-SEGMENT
    kind: template
    channels: [sms, email]
    require_template: false
    max_sms_segments: 1
    citation: example policy
    confidence: policy
"""
NY = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("sms")
    (folder / "sms.yaml").write_text(RULESET, encoding="utf-8")
    return Engine.from_path(folder)


def _judge(engine: Engine, channel: str, text: str) -> tuple[bool, dict[str, object]]:
    consumer = Consumer(
        id="C-1",
        addresses=[Address(country="US", subdivision="NY", city="New York")],
        phones=[Phone(number="+12125550100", type="mobile")],
        emails=[EmailAddress(address="ana@example.com")],
        debts=[Debt(id="D1")],
    )
    contact = Contact(
        channel=channel,
        at=dt.datetime(2026, 6, 2, 10, tzinfo=NY),
        consumer=consumer,
        debt_ids=["D1"],
        to="+12125550100" if channel == "sms" else "ana@example.com",
        dial_method="manual",
        template=Template(text=text),
    )
    decision = engine.evaluate(contact, history=[])
    facts = decision.reasons[0].facts if decision.reasons else {}
    return decision.allowed, dict(facts)


@pytest.mark.parametrize(
    ("channel", "text", "allowed"),
    [
        ("sms", "a" * 160, True),
        ("sms", "a" * 161, False),
        ("sms", "á" * 70, True),
        ("sms", "á" * 71, False),  # UCS-2: 71 units take two segments
        ("email", "a" * 500, True),  # the limit is on text messages only
    ],
)
def test_max_sms_segments_denies_a_longer_text_only(
    engine: Engine, channel: str, text: str, allowed: bool
) -> None:
    assert _judge(engine, channel, text)[0] is allowed


def test_the_deny_names_the_encoding_and_segments(engine: Engine) -> None:
    allowed, facts = _judge(engine, "sms", "Hola, ¿cómo está? " * 5)
    assert not allowed
    assert facts["sms_encoding"] == "UCS-2" and facts["sms_segments"] == 2


def test_a_limit_on_a_rule_without_sms_is_a_dead_condition(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULESET.replace("channels: [sms, email]", "channels: [email]"), "utf-8")
    rulesets, problems = lint_paths([path])
    assert rulesets
    assert [(p.code, p.location.line) for p in problems] == [("ruleset.dead-condition", 9)]


def test_the_limit_is_a_whole_number_from_one(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULESET.replace("max_sms_segments: 1", "max_sms_segments: 0"), "utf-8")
    _, problems = lint_paths([path])
    assert [(p.code, p.location.line) for p in problems] == [("ruleset.invalid-value", 9)]
