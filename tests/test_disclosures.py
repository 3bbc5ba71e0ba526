"""The disclosure library: substance matching, the bundled library, and the false denies that
phrase lists gave, each now passing (and the denies that must stay).

Legal examples cite their source; the matcher's table says why each line matches or not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import build_consumer
from hypothesis import given
from hypothesis import strategies as st

from contactrules.cli import main
from contactrules.disclosures import (
    DisclosureFormError,
    bundled_library,
    parse_form,
    tokenize,
)
from contactrules.engine import Engine
from contactrules.models import Channel, Contact, ContactRecord, Outcome, Purpose, Template
from contactrules.rules.ruleset import Ruleset

ROOT = Path(__file__).resolve().parent.parent
NEGATIONS = frozenset({"not", "never", "no", "t"})
AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))

MATCHES = [
    # (form, text, matches?, why)
    ("attempt ... collect ... debt", "This is an attempt to collect a debt.", True, "in order"),
    ("attempt ... collect ... debt", "Collect the debt: an attempt.", False, "out of order"),
    ("attempt ... collect ... debt", "This is not an attempt to collect a debt.", False, "negated"),
    ("attempt ... collect ... debt", "An attempt. To collect a debt.", False, "two sentences"),
    ("attempt ... collect ... debt", "Do not reply. We attempt to collect a debt.", True, "other"),
    ("attempt ... collect ... debt", "We ATTEMPT, to collect (a) DEBT", True, "case, punctuation"),
    ("attempt | trying ... collect ... debt", "We are trying to collect a debt", True, "choice"),
    ("debt collector", "We don't work as a debt collector.", False, "contraction negates"),
    ("before 8 ... after 9", "not before 8 a.m. or after 9 p.m. Ok", False, "negated"),
    ("before 8 ... after 9", "Call before 8 a.m. or after 9 p.m. Ok", True, "a.m. is no stop"),
    ("not required to", "You are not required to pay.", True, "a term's own negation"),
    ("will not | cannot ... sue ... for it", "We will not sue you for it.", True, "negated term"),
]


@pytest.mark.parametrize(("form", "text", "expected", "why"), MATCHES)
def test_substance_matching(form: str, text: str, expected: bool, why: str) -> None:
    found = tokenize(text).find(parse_form(form), NEGATIONS)
    assert (found is not None) is expected, why


@pytest.mark.parametrize("form", ["", "a ... ", "a | ... b", " | b", "a ... " * 12 + "a"])
def test_malformed_forms_are_refused(form: str) -> None:
    with pytest.raises(DisclosureFormError):
        parse_form(form)


@given(st.lists(st.sampled_from(["we", "attempt", "to", "collect", "a", "debt", "."]), max_size=40))
def test_a_match_lies_in_one_sentence_and_holds_the_terms(words: list[str]) -> None:
    """Whatever the text, a span found covers the terms in order and no sentence end."""
    text = " ".join(words)
    tokens = tokenize(text)
    span = tokens.find(parse_form("attempt ... collect ... debt"), NEGATIONS)
    if span is None:
        return
    covered = tokens.words[span.start : span.stop]
    assert covered[0] == "attempt" and covered[-1] == "debt" and "collect" in covered
    assert any(start <= span.start and span.stop <= stop for start, stop in tokens.sentences)


def test_every_bundled_disclosure_cites_its_source_and_carries_its_wordings() -> None:
    library = bundled_library()
    assert len(library.disclosures) >= 9
    for disclosure in library.disclosures.values():
        assert disclosure.citation.strip()
        assert disclosure.wordings, disclosure.id
        for language, texts in disclosure.wordings.items():
            for text in texts:
                assert library.satisfied(disclosure, language, tokenize(text)) == []


def test_federal_disclosures_exist_in_english_and_spanish() -> None:
    """12 CFR 1006.18(e), 1006.6(e): Spanish messages need Spanish disclosures."""
    library = bundled_library()
    for disclosure_id in (
        "US-FED-1006.18e1-ATTEMPT-TO-COLLECT",
        "US-FED-1006.18e2-FROM-DEBT-COLLECTOR",
        "US-FED-1006.6e-OPT-OUT",
    ):
        assert {"en", "es"} <= library.get(disclosure_id).languages


# --- the engine: false denies of phrase lists now pass; real denies stay ------------------------
def _sms(text: str, *, language: str = "en") -> Contact:
    return Contact(
        channel=Channel.SMS,
        at=AT,
        consumer=build_consumer(),
        debt_ids=["D1"],
        to="+13125550111",
        dial_method="manual",
        template=Template(language=language, text=text),
    )


def _history(initial: bool) -> list[ContactRecord]:
    if initial:
        return []
    return [
        ContactRecord(
            channel=Channel.LETTER,
            at=AT - dt.timedelta(days=20),
            debt_ids=["D1"],
            outcome=Outcome.DELIVERED,
        )
    ]


MODEL_NOTICE_EN = (
    "Acme Services is a debt collector. We are trying to collect a debt that you owe to Acme "
    "Bank. We will use any information you give us to help collect the debt. Reply STOP to opt out."
)
MODEL_NOTICE_ES = (
    "Acme Services es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted le "
    "debe a Acme Bank. Usaremos cualquier información que usted nos dé para ayudarnos a cobrar la "
    "deuda. Responda STOP para darse de baja."
)

JUDGED = [
    # (text, language, initial?, denied rule ids, source)
    (MODEL_NOTICE_EN, "en", True, [], "12 CFR 1006.18(e)(1); model validation notice wording"),
    (MODEL_NOTICE_ES, "es", True, [], "12 CFR 1006.18(e)(1); model notice, Spanish"),
    (
        "We are a debt collector. Any information obtained will be used for that purpose. "
        "Reply STOP to opt out.",
        "en",
        True,
        ["US-FED-REGF-1006.18e1-MINI-MIRANDA-INITIAL"],
        "12 CFR 1006.18(e)(1): the attempt to collect is not stated",
    ),
    (
        "This is not an attempt to collect a debt. Any information obtained will be used for "
        "that purpose. Acme is a debt collector. Reply STOP to opt out.",
        "en",
        True,
        ["US-FED-REGF-1006.18e1-MINI-MIRANDA-INITIAL"],
        "12 CFR 1006.18(e)(1): a negated statement does not disclose",
    ),
    (
        "Acme Services is not a debt collector. Your balance is due. Reply STOP to opt out.",
        "en",
        False,
        ["US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT"],
        "12 CFR 1006.18(e)(2): a negated statement does not disclose",
    ),
    (
        "Acme Services, a debt collector: your balance is due. To stop texts, reply STOP.",
        "en",
        False,
        [],
        "12 CFR 1006.18(e)(2), 1006.6(e): variant wordings",
    ),
]


@pytest.mark.parametrize(("text", "language", "initial", "denied", "source"), JUDGED)
def test_disclosures_are_judged_by_substance(
    engine: Engine, text: str, language: str, initial: bool, denied: list[str], source: str
) -> None:
    decision = engine.evaluate(_sms(text, language=language), _history(initial))
    assert [r.rule_id for r in decision.reasons] == denied, source


def test_a_disclosure_shields_only_when_a_rule_that_applies_requires_it(engine: Engine) -> None:
    """12 CFR 1006.2(j): a limited-content voicemail carries no debt words. The mini-Miranda is
    not required of one, so its words are not shielded there."""
    contact = Contact(
        channel=Channel.VOICEMAIL,
        at=AT,
        consumer=build_consumer(),
        debt_ids=["D1"],
        to="+13125550111",
        dial_method="manual",
        template=Template(
            purpose=Purpose.LIMITED_CONTENT_MESSAGE,
            text="Hi, this is Jordan. This is an attempt to collect a debt. Please call me back "
            "at 800-555-0100.",
        ),
    )
    assert [r.rule_id for r in engine.evaluate(contact).reasons] == ["US-FED-REGF-1006.2j-LCM"]


# --- libraries beside rulesets, and located errors -------------------------------------------
RULESET = """\
ruleset: acme-words
title: Acme wording policy
jurisdiction: {country: US}
rules:
  - id: ACME-GREETING
    kind: template
    title: Every text greets the consumer
    channels: [sms]
    required:
      - disclosure: %s
    citation: Acme policy (example)
    confidence: policy
"""
LIBRARY = """\
negations:
  en: [not]
disclosures:
  - id: ACME-GREETING
    title: A greeting
    citation: Acme policy (example)
    jurisdictions: [US]
    elements:
      - name: greeting
        forms:
          en: ["hello | hi"]
    wordings:
      en: [%s]
"""


def test_a_library_beside_a_ruleset_is_loaded_and_fingerprinted(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(RULESET % "ACME-GREETING", encoding="utf-8")
    (tmp_path / "acme.disclosures.yaml").write_text(LIBRARY % "Hello there", encoding="utf-8")
    engine = Engine.from_path(tmp_path)
    ruleset: Ruleset = engine.rulesets[0]
    assert "ACME-GREETING" in ruleset.canonical()["disclosure_library"]
    before = engine.fingerprint
    (tmp_path / "acme.disclosures.yaml").write_text(
        (LIBRARY % "Hello there").replace('"hello | hi"', '"hello | hi | hey"'), encoding="utf-8"
    )
    assert Engine.from_path(tmp_path).fingerprint != before  # the forms decide, so they count


def test_an_unknown_disclosure_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "acme.yaml").write_text(RULESET % "US-FED-1006.6e-OPTOUT", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().out + capsys.readouterr().err
    assert "acme.yaml:10:" in err
    assert 'did you mean "US-FED-1006.6e-OPT-OUT"' in err


def test_a_wording_its_forms_miss_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "acme.yaml").write_text(RULESET % "ACME-GREETING", encoding="utf-8")
    (tmp_path / "acme.disclosures.yaml").write_text(LIBRARY % "Good morning", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert "acme.disclosures.yaml:13:12:" in out.out + out.err
    assert "disclosure.wording-unmatched" in out.out + out.err


def test_a_library_id_defined_twice_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "acme.yaml").write_text(RULESET % "ACME-GREETING", encoding="utf-8")
    (tmp_path / "acme.disclosures.yaml").write_text(LIBRARY % "Hello", encoding="utf-8")
    (tmp_path / "again.disclosures.yaml").write_text(LIBRARY % "Hi", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert "disclosure.duplicate-id" in out.out + out.err


def test_the_docs_table_lists_every_bundled_disclosure_with_its_languages() -> None:
    doc = (ROOT / "docs" / "disclosures.md").read_text(encoding="utf-8")
    table = doc.split("## The bundled library", 1)[1]
    rows = {
        cells[0].strip("` "): cells
        for cells in (line.strip("|").split("|") for line in table.splitlines())
        if len(cells) == 4 and cells[0].strip().startswith("`")
    }
    library = bundled_library()
    assert set(rows) == set(library.disclosures)
    for disclosure_id, cells in rows.items():
        disclosure = library.get(disclosure_id)
        assert cells[2].strip() == ", ".join(sorted(disclosure.languages)), disclosure_id
        assert cells[3].strip() == disclosure.confidence, disclosure_id


def test_the_docs_example_file_is_a_valid_library(tmp_path: Path) -> None:
    import re

    from contactrules.disclosures import lint_library

    doc = (ROOT / "docs" / "disclosures.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if "disclosures:" in b)
    path = tmp_path / "x.disclosures.yaml"
    path.write_text(example, encoding="utf-8")
    library, problems = lint_library([(path, str(path))])
    assert problems == []
    assert "US-FED-1006.18e2-FROM-DEBT-COLLECTOR" in library.disclosures


def test_a_given_library_wins_over_the_bundled_one(tmp_path: Path) -> None:
    """An officer's corrected copy of a bundled disclosure is the one rules are judged by."""
    bundled = (ROOT / "rulesets" / "disclosures" / "us.disclosures.yaml").read_text("utf-8")
    corrected = bundled.replace(
        '"reply | text | respond | send ... stop", "unsubscribe", "opt out"',
        '"reply | text | respond | send ... stop", "unsubscribe", "opt out", "text halt"',
    )
    assert corrected != bundled
    (tmp_path / "us.disclosures.yaml").write_text(corrected, encoding="utf-8")
    (tmp_path / "federal.yaml").write_text(
        (ROOT / "rulesets" / "us" / "federal.yaml").read_text("utf-8"), encoding="utf-8"
    )
    engine = Engine.from_path(tmp_path)
    text = "Acme Services is a debt collector. Your balance is due. Text HALT to end these."
    assert engine.evaluate(_sms(text), _history(False)).allowed
    assert (
        not Engine.from_path(ROOT / "rulesets" / "us" / "federal.yaml")
        .evaluate(_sms(text), _history(False))
        .allowed
    )
