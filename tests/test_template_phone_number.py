"""The template kind's ``require_phone_number`` and the words a forbidden-wording deny reports.

A limited-content message must give a telephone number to reply to (12 CFR 1006.2(j)); rulesets
have no regular expressions, so the kind counts digits instead. A deny for obscene or profane
language (15 U.S.C. 1692d(2)) names every word it found.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactrules.loading.loader import lint_paths
from contactrules.rules.template import contains_phone_number


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Please call me back at 800-555-0100.", True),
        ("Call +1 (800) 555-0100 today.", True),
        ("Call 800.555.0100", True),
        ("Call 8005550100", True),
        ("Call +44 20 7946 0958", True),  # eleven digits
        ("Call 555-0100", False),  # seven digits: no area code
        ("Call 1-800-FLOWERS", False),  # letters are not digits
        ("Your balance is $1,234,567.89", False),  # commas break the run
        ("Reference 1234567890123456", False),  # sixteen digits: not a telephone number
        ("Hi, this is Jordan Lee. Please call me back.", False),
        ("", False),
    ],
)
def test_a_telephone_number_is_ten_to_fifteen_joined_digits(text: str, found: bool) -> None:
    assert contains_phone_number(text) is found


@given(st.text(max_size=200))
def test_finding_a_number_never_fails_on_any_text(text: str) -> None:
    assert isinstance(contains_phone_number(text), bool)


def _lint(tmp_path: Path, rule: str) -> list[str]:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "ruleset: lcm\ntitle: LCM\njurisdiction: {country: US}\nrules:\n" + rule,
        encoding="utf-8",
    )
    rulesets, problems = lint_paths([path])
    assert rulesets, [str(p) for p in problems]
    return [p.code for p in problems]


def test_a_rule_that_only_requires_a_number_is_not_said_never_to_deny(tmp_path: Path) -> None:
    rule = (
        "  - {id: LCM-NUMBER, kind: template, channels: [voicemail], require_template: false,\n"
        "     require_phone_number: true, citation: 12 CFR 1006.2(j)}\n"
    )
    assert "ruleset.never-denies" not in _lint(tmp_path, rule)


def test_require_phone_number_takes_only_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "ruleset: lcm\ntitle: LCM\njurisdiction: {country: US}\nrules:\n"
        "  - {id: LCM-NUMBER, kind: template, channels: [voicemail],\n"
        '     require_phone_number: "yes", citation: 12 CFR 1006.2(j)}\n',
        encoding="utf-8",
    )
    _, problems = lint_paths([path])
    assert any(p.severity == "error" and "require_phone_number" in str(p) for p in problems)
