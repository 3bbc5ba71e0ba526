"""A message's language is checked, not trusted; rules can condition on the consumer's language.

- :mod:`contactrules.templates.language_id` says whether a text reads as its declared language
  (placeholders removed; too short, unknown language or unsure: undetermined, never flagged);
- ``contactrules templates check`` flags a mislabelled body (``template.wrong-language``);
- the ``template`` rule option ``language_verified`` denies a mislabelled message, since the
  phrase lists are looked up by the declared language (15 U.S.C. 1692d(2), 12 CFR 1006.14(d),
  1006.18(e));
- ``when: languages`` matches the consumer's preferred language, ``unknown`` when none is
  stated (fail closed: listed explicitly, and a rule that does not list it is warned about).

The example texts are short collection messages of the kinds the benchmark uses
(bench/bench_language_id.py), written for these tests.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contactrules import Address, Consumer, Contact, Debt, Engine, Phone, Template
from contactrules.cli import main
from contactrules.context import language_of
from contactrules.loading.loader import lint_paths
from contactrules.templates import language_id
from contactrules.templates.language import normalise_language
from contactrules.templates.language_id import (
    CANDIDATES,
    MIN_LETTERS,
    identify,
    letters,
    spoken_text,
    verify_language,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "docs/template-language.md (thresholds measured by bench/bench_language_id.py)"

ES = "Este es un mensaje de un cobrador de deudas. Por favor llámenos hoy al 1-800-555-0100."
EN = "This is a message from a debt collector. Please call us today at 1-800-555-0100."


# --- identification -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "declared", "verdict", "detected"),
    [
        (EN, "en", "declared", "en"),
        (ES, "es", "declared", "es"),
        (ES, "en", "other", "es"),  # a Spanish body labelled en
        (EN, "es", "other", "en"),  # an English body labelled es
        ("Votre paiement est dû vendredi. Veuillez nous rappeler.", "en", "other", "fr"),
        ("Seu pagamento vence na sexta-feira. Por favor, ligue para nós.", "es", "other", "pt"),
        ("Khoản thanh toán của bạn đến hạn vào thứ Sáu.", "en", "other", "vi"),
        ("您的帐户已逾期。请访问我们的网站或致电我们制定付款计划。", "en", "other", "zh"),
        ("您的帐户已逾期。请访问我们的网站或致电我们制定付款计划。", "zh", "declared", "zh"),
        # The placeholders' names are English words; they are removed before identification.
        (
            "{{ first_name }}, {{ company_name }} es un cobrador de deudas. "
            "Un pago de {{ amount }} vence el {{ due_date }}.",
            "es",
            "declared",
            "es",
        ),
        # Too short to identify: undetermined, never flagged (fewer than 20 letters).
        ("Gracias.", "en", "undetermined", None),
        ("Recibimos su pago.", "en", "undetermined", None),
        ("{{ first_name }} {{ last_name }} {{ amount_due }}", "es", "undetermined", None),
        # A declared language the identifier does not know is not checked.
        ("This is a message from a debt collector, in English.", "hmn", "undetermined", None),
    ],
)
def test_a_text_against_its_declared_language(
    text: str, declared: str, verdict: str, detected: str | None
) -> None:
    found = verify_language(text, declared)
    assert (found.verdict, found.detected) == (verdict, detected), SOURCE
    assert found.mismatch is (verdict == "other")
    if verdict == "other":
        assert found.confidence >= language_id.MIN_CONFIDENCE


def test_an_unsure_answer_is_undetermined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another language found with a confidence below the floor is not flagged."""
    monkeypatch.setattr(language_id, "_classify", lambda spoken: ("pt", 0.55))
    language_id.verify_language.cache_clear()
    try:
        found = verify_language("Esta frase tiene bastantes letras para ser leida.", "es")
    finally:
        language_id.verify_language.cache_clear()
    assert found.undetermined and found.detected == "pt"
    assert "below the 80% needed" in found.why


def test_placeholders_are_removed_and_letters_counted() -> None:
    assert spoken_text("Hola {{ first_name }}, su pago de {{ amount }}.") == "Hola , su pago de ."
    assert letters("Hola {{ first_name }}!") == 4
    assert letters("Pay 1-800-555-0100 now") == 6
    assert identify("Hola {{ first_name }}, su pago vence.").language is None  # 17 letters
    assert identify("Hola, su pago de hoy vence mañana.").letters >= MIN_LETTERS


def test_a_long_text_is_identified_by_its_first_characters() -> None:
    """MAX_IDENTIFIED_CHARS bounds the identifier's work: a page of English, then Spanish."""
    english_first = " ".join([EN] * 30 + [ES] * 30)
    assert len(english_first.split(ES)[0]) > language_id.MAX_IDENTIFIED_CHARS
    assert verify_language(english_first, "en").verdict == "declared"
    assert verify_language(english_first, "es").mismatch


def test_identification_is_deterministic() -> None:
    language_id.verify_language.cache_clear()
    first = verify_language(ES, "en")
    language_id.verify_language.cache_clear()
    assert verify_language(ES, "en") == first


def test_the_identifier_is_not_loaded_at_start_up() -> None:
    """Start-up (bench/bench_startup.py) must not pay for the model or numpy: both are loaded
    on the first check of a text, never by ``import contactrules`` or ``Engine.default()``."""
    child = (
        "import sys, contactrules; contactrules.Engine.default(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'py3langid'}), "
        "'contactrules.templates.language_id' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["[]", "False"]


def test_the_benchmark_restricts_to_the_same_languages() -> None:
    text = (ROOT / "bench" / "bench_language_id.py").read_text(encoding="utf-8")
    assert f"CANDIDATES = {CANDIDATES!r}".replace("'", '"') in text


# --- consumer languages, as `when: languages` reads them --------------------------------------
@pytest.mark.parametrize(
    ("stated", "language"),
    [
        ("es", "es"),
        ("ES", "es"),
        ("es-MX", "es"),
        ("es_US", "es"),
        ("spa", "es"),  # ISO 639-2
        ("zh-Hant-TW", "zh"),
        ("iw", "he"),  # withdrawn ISO 639-1 code
        ("hmn", "hmn"),  # Hmong: no two-letter code
        (None, "unknown"),
        ("Spanish", "unknown"),  # a name, not a code
        ("und", "unknown"),  # "undetermined" names no language
        ("xx", "unknown"),
    ],
)
def test_a_consumer_s_language_is_read_as_template_languages_are(
    stated: str | None, language: str
) -> None:
    assert language_of(stated) == language
    assert normalise_language(stated) == (None if language == "unknown" else language)


RULESET = """\
ruleset: languages
title: No visits to consumers who prefer Spanish (a test rule)
jurisdiction: {country: US}
rules:
  - id: NO-VISIT-ES
    kind: prohibited
    channels: [visit]
    when: {languages: LANGUAGES}
    citation: test policy
    confidence: policy
  - id: LANGUAGE-VERIFIED
    kind: template
    channels: [letter]
    require_template: false
    language_verified: true
    citation: 15 U.S.C. 1692d(2); 12 CFR 1006.14(d), 1006.18(e)
    confidence: convention
"""
NY = ZoneInfo("America/New_York")


def _engine(tmp_path: Path, languages: str) -> Engine:
    (tmp_path / "languages.yaml").write_text(
        RULESET.replace("LANGUAGES", languages), encoding="utf-8"
    )
    return Engine.from_path(tmp_path)


def _contact(channel: str, language: str | None, template: Template | None = None) -> Contact:
    consumer = Consumer(
        id="C-1",
        language=language,
        addresses=[Address(country="US", subdivision="NY", city="New York")],
        phones=[Phone(number="+12125550100", type="mobile")],
        debts=[Debt(id="D1")],
    )
    return Contact(
        channel=channel,
        at=dt.datetime(2026, 6, 2, 10, tzinfo=NY),
        consumer=consumer,
        debt_ids=["D1"],
        template=template,
    )


@pytest.mark.parametrize(
    ("languages", "consumer_language", "allowed"),
    [
        ("[es]", "es", False),
        ("[es]", "es-MX", False),  # read as es
        ("[es]", "ES", False),
        ("[es]", "en", True),
        ("[es]", None, True),  # not listed: a consumer of unknown language is not judged
        ("[es]", "Spanish", True),  # not a code: unknown
        ("[es, unknown]", None, False),  # listed: judged (fail closed)
        ("[es, unknown]", "Spanish", False),
        ("[es, unknown]", "en", True),
        ("[en, es, unknown]", "fr", True),
    ],
)
def test_when_languages_matches_the_consumer_s_language(
    tmp_path: Path, languages: str, consumer_language: str | None, allowed: bool
) -> None:
    engine = _engine(tmp_path, languages)
    decision = engine.evaluate(_contact("visit", consumer_language), history=[])
    assert decision.allowed is allowed
    if not allowed:
        assert [r.rule_id for r in decision.reasons] == ["NO-VISIT-ES"]


def test_when_languages_without_unknown_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "languages.yaml"
    path.write_text(RULESET.replace("LANGUAGES", "[es]"), encoding="utf-8")
    _, problems = lint_paths([path])
    assert [(p.code, p.severity, p.location.line) for p in problems] == [
        ("ruleset.skips-unknown-language", "warning", 8)
    ]
    path.write_text(RULESET.replace("LANGUAGES", "[es, unknown]"), encoding="utf-8")
    assert lint_paths([path])[1] == []
    path.write_text(RULESET.replace("LANGUAGES", "[]"), encoding="utf-8")
    assert [p.code for p in lint_paths([path])[1]] == ["ruleset.dead-condition"]


@pytest.mark.parametrize("written", ["[es-MX]", "[ES]", "[spanish]", "[und]"])
def test_when_languages_takes_primary_subtags_only(tmp_path: Path, written: str) -> None:
    path = tmp_path / "languages.yaml"
    path.write_text(RULESET.replace("LANGUAGES", written), encoding="utf-8")
    rulesets, problems = lint_paths([path])
    assert not rulesets
    assert [(p.code, p.location.line) for p in problems] == [("ruleset.invalid-value", 8)]


# --- the rule option ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "text", "allowed"),
    [
        ("en", EN, True),
        ("es", ES, True),
        ("es", EN, False),  # English labelled es: its English wording would go unread
        ("en", ES, False),
        ("es-MX", ES, True),  # the declared language is read as its primary subtag
        ("es", "Thanks, bye now.", True),  # too short to identify
        ("hmn", EN, True),  # a language the identifier does not know
    ],
)
def test_language_verified_denies_a_mislabelled_message(
    tmp_path: Path, language: str, text: str, allowed: bool
) -> None:
    engine = _engine(tmp_path, "[es, unknown]")
    contact = _contact("letter", "en", Template(language=language, text=text))
    decision = engine.evaluate(contact, history=[])
    assert decision.allowed is allowed
    if not allowed:
        (reason,) = decision.reasons
        assert reason.rule_id == "LANGUAGE-VERIFIED"
        assert reason.facts["detected_language"] == ("es" if text == ES else "en")
        assert float(str(reason.facts["confidence"])) >= 0.8
        assert "reads as" in reason.message


# --- the registry check -------------------------------------------------------------------------
REGISTRY = """\
templates:
  - id: reminder
    version: 1
    language: LANG
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US]
    body: "BODY"
    placeholders:
      required: [first_name]
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
"""


@pytest.mark.parametrize(
    ("language", "body", "detected"),
    [
        ("en", "Hola {{ first_name }}, " + ES, "Spanish (es"),
        ("es", "Hi {{ first_name }}, " + EN, "English (en"),
    ],
)
def test_templates_check_flags_a_mislabelled_body(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    body: str,
    detected: str,
) -> None:
    path = tmp_path / "r.templates.yaml"
    path.write_text(REGISTRY.replace("LANG", language).replace("BODY", body), encoding="utf-8")
    assert main(["templates", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:8:11: error template.wrong-language the body reads as {detected}" in out
    assert f"write language: {'es' if language == 'en' else 'en'} if the text is right" in out
    assert " sha256:" not in out  # a template with a problem gets no hash line


def test_templates_check_passes_a_correct_label_and_prints_sms_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.templates.yaml"
    body = "Hola {{ first_name }}, " + ES  # "llámenos": UCS-2; the placeholder as written
    path.write_text(REGISTRY.replace("LANG", "es").replace("BODY", body), encoding="utf-8")
    assert main(["templates", "check", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("reminder@1 es sha256:")
    assert (
        f"reminder@1 es sms: UCS-2, {len(body)} UCS-2 units, 2 segments "
        "(placeholders counted as written)" in printed.err
    )


def test_the_example_registry_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", str(ROOT / "templates")]) == 0
    assert "error" not in capsys.readouterr().out
