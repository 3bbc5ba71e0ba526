"""Template registries: each kind of bad input is a located problem, the hash is what it claims.

The located-problem cases are table-driven: each edits one clean registry in one place and
names the code and the text at which the problem must be located, so a check that stopped
firing, or pointed elsewhere, fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from contactrules.cli import main
from contactrules.diagnostics import RulesetError
from contactrules.engine import Engine
from contactrules.loading.yamlsource import load_yaml_file
from contactrules.models import Channel, Purpose
from contactrules.schema import templates_schema
from contactrules.templates import (
    MessageTemplate,
    canonical_form,
    check_paths,
    content_hash,
    load_registry,
)
from contactrules.templates.language import TWO_LETTER, check_language

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "templates" / "us-federal.templates.yaml"

BASE = """\
templates:
  - id: reminder
    version: 1
    language: en
    channel: sms
    purpose: payment_reminder
    jurisdictions: [US]
    body: "Hi {{ name }}, {{ amount }} is due. Reply STOP to opt out."
    placeholders:
      required: [name, amount]
    approved_by: Test Officer
    approved_on: "2026-01-10"
    effective_from: "2026-02-01"
"""
ENTRY = BASE.split("\n", 1)[1]


def _write(tmp_path: Path, text: str, name: str = "r.templates.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _position(text: str, needle: str, after: str = "", nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` ``needle`` that follows ``after`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(after + needle, index + 1)
    index += len(after)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True)
class Bad:
    name: str
    old: str
    new: str
    code: str
    at: str  # the located text
    after: str = ""  # what precedes it, where ``at`` alone is not unique
    says: str = ""  # a part of the message
    nth: int = 0  # which occurrence of ``at`` (0: the first)


BAD = [
    Bad(
        "unknown key, with the spelling suggested",
        '    effective_from: "2026-02-01"\n',
        '    effective_from: "2026-02-01"\n    efective_until: "2027-01-01"\n',
        "template.unknown-key",
        "efective_until",
        says='did you mean "effective_until"',
    ),
    Bad(
        "missing approver: an unapproved text does not load",
        "    approved_by: Test Officer\n",
        "",
        "template.missing-key",
        "id: reminder",
        says='"approved_by"',
    ),
    Bad(
        "missing effective_from",
        '    effective_from: "2026-02-01"\n',
        "",
        "template.missing-key",
        "id: reminder",
        says='"effective_from"',
    ),
    Bad("unknown channel", "channel: sms", "channel: text", "template.unknown-value", "text"),
    Bad(
        "unknown purpose",
        "purpose: payment_reminder",
        "purpose: reminder",
        "template.unknown-value",
        "reminder",
        after="purpose: ",
    ),
    Bad(
        "language with a region (BCP 47 primary subtag only)",
        "language: en",
        "language: en-US",
        "template.invalid-value",
        "en-US",
        says='did you mean "en"',
    ),
    Bad(
        "language in capitals",
        "language: en",
        "language: EN",
        "template.invalid-value",
        "EN",
        says='did you mean "en"',
    ),
    Bad(
        "three-letter code of a language that has a two-letter one",
        "language: en",
        "language: spa",
        "template.invalid-value",
        "spa",
        says='did you mean "es"',
    ),
    Bad(
        "a language name, not a code",
        "language: en",
        "language: english",
        "template.invalid-value",
        "english",
    ),
    Bad(
        "a jurisdiction no table knows",
        "jurisdictions: [US]",
        "jurisdictions: [US-XX]",
        "template.invalid-value",
        "US-XX",
    ),
    Bad(
        "no jurisdiction",
        "jurisdictions: [US]",
        "jurisdictions: []",
        "template.invalid-value",
        "jurisdictions: []",  # a list is located at its key
    ),
    Bad("version 0", "version: 1", "version: 0", "template.invalid-value", "0", "version: "),
    Bad(
        "version as text",
        "version: 1",
        'version: "1"',
        "template.invalid-value",
        '"1"',
        "version: ",
    ),
    Bad("id with @", "id: reminder", 'id: "rem@nder"', "template.invalid-value", '"rem@nder"'),
    Bad(
        "body as a number",
        'body: "Hi {{ name }}, {{ amount }} is due. Reply STOP to opt out."',
        "body: 12",
        "template.invalid-value",
        "12",
    ),
    Bad(
        "placeholder name that is not a plain name",
        "required: [name, amount]",
        "required: [Name, amount]",
        "template.invalid-value",
        "Name",
    ),
    Bad(
        "attribute access",
        "{{ name }},",
        "{{ name.first }},",
        "template.syntax",
        '"Hi',
        says="no attribute access",
    ),
    Bad(
        "a dunder name",
        "{{ name }},",
        "{{ __class__ }},",
        "template.syntax",
        '"Hi',
        says="column 4 of the body",
    ),
    Bad("a filter", "{{ amount }}", "{{ amount|upper }}", "template.syntax", '"Hi'),
    Bad("a call", "{{ amount }}", "{{ amount() }}", "template.syntax", '"Hi'),
    Bad(
        "a jinja statement",
        "Reply STOP",
        "{% if x %}Reply STOP",
        "template.syntax",
        '"Hi',
        says="{%",
    ),
    Bad(
        "a {{ never closed",
        "is due.",
        "is due. {{ name",
        "template.syntax",
        '"Hi',
        says="never closed",
    ),
    Bad(
        "a }} that closes nothing",
        "is due.",
        "is due }}.",
        "template.syntax",
        '"Hi',
        says="closes no {{",
    ),
    Bad(
        "placeholder used but not declared",
        "is due.",
        "is due on {{ due_date }}.",
        "template.undeclared-placeholder",
        '"Hi',
        says="{{ due_date }}",
    ),
    Bad(
        "required placeholder declared but not used",
        "required: [name, amount]",
        "required: [name, amount, due_date]",
        "template.unused-placeholder",
        "due_date",
    ),
    Bad(
        "optional placeholder declared but not used",
        "required: [name, amount]",
        "required: [name, amount]\n      optional: [due_date]",
        "template.unused-placeholder",
        "due_date",
    ),
    Bad(
        "placeholder both required and optional",
        "required: [name, amount]",
        "required: [name, amount]\n      optional: [amount]",
        "template.duplicate-placeholder",
        "amount",
        "optional: [",
    ),
    Bad(
        "placeholder required twice",
        "required: [name, amount]",
        "required: [name, amount, name]",
        "template.duplicate-placeholder",
        "name",
        "amount, ",
    ),
    Bad(
        "effective_until before effective_from",
        '    effective_from: "2026-02-01"\n',
        '    effective_from: "2026-02-01"\n    effective_until: "2026-01-31"\n',
        "template.dates-reversed",
        '"2026-01-31"',
        says="never in force",
    ),
    Bad(
        "approved after it comes into force",
        'approved_on: "2026-01-10"',
        'approved_on: "2026-03-01"',
        "template.dates-reversed",
        '"2026-03-01"',
    ),
    Bad(
        "a date that is not YYYY-MM-DD",
        'approved_on: "2026-01-10"',
        "approved_on: 10/01/2026",
        "template.invalid-value",
        "10/01/2026",
    ),
    Bad(
        "the same id, version and language twice",
        BASE,
        BASE + ENTRY,
        "template.duplicate",
        "id: reminder",
        nth=1,
        says="already defined at",
    ),
    Bad(
        "languages of one template on different channels",
        BASE,
        BASE + ENTRY.replace("language: en", "language: es").replace("sms", "email"),
        "template.language-mismatch",
        "email",
        says='in "en"',
    ),
    Bad(
        "languages of one template with different required values",
        BASE,
        BASE
        + ENTRY.replace("language: en", "language: es")
        .replace("{{ amount }} is due", "debe pagar")
        .replace("[name, amount]", "[name]"),
        "template.language-mismatch",
        "required: [name]",
        says="required placeholders",
    ),
    Bad(
        "a YAML key twice",
        "channel: sms\n",
        "channel: sms\n    channel: sms\n",
        "yaml.duplicate-key",
        "channel",
        "sms\n    ",
    ),
    Bad("not a mapping", BASE, "- reminder\n", "template.not-a-mapping", "- reminder"),
    Bad(
        "no templates in the list",
        BASE,
        "templates: []\n",
        "template.invalid-value",
        "templates: []",
    ),
]


def test_the_base_registry_is_clean(tmp_path: Path) -> None:
    loaded, problems, files = check_paths([_write(tmp_path, BASE)])
    assert problems == [] and files == 1
    assert [t.spec.label for t in loaded] == ["reminder@1"]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.name)
def test_bad_input_is_a_located_problem(tmp_path: Path, case: Bad) -> None:
    assert case.old in BASE, case.name
    text = BASE.replace(case.old, case.new, 1)
    path = _write(tmp_path, text)
    _loaded, problems, _files = check_paths([path])
    line, col = _position(text, case.at, case.after, case.nth)
    located = [p for p in problems if p.code == case.code]
    assert located, f"{case.name}: {[str(p) for p in problems]}"
    assert (located[0].location.line, located[0].location.col) == (line, col), [
        str(p) for p in problems
    ]
    assert located[0].location.path == str(path)
    assert case.says in located[0].message
    assert all(p.severity == "error" for p in problems)
    with pytest.raises(RulesetError):
        load_registry([path])


def test_a_bad_entry_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    spanish = ENTRY.replace("language: en", "language: es").replace("channel: sms", "chanel: sms")
    loaded, problems, _ = check_paths([_write(tmp_path, BASE + spanish)])
    assert sorted(p.code for p in problems) == ["template.missing-key", "template.unknown-key"]
    assert [(t.spec.label, t.spec.language) for t in loaded] == [("reminder@1", "en")]


def test_duplicates_are_found_across_files(tmp_path: Path) -> None:
    _write(tmp_path, BASE, "a.templates.yaml")
    _write(tmp_path, BASE, "b.templates.yml")
    _write(tmp_path, "not: a registry\n", "c.yaml")  # not a registry by its name: not read
    _loaded, problems, files = check_paths([tmp_path])
    assert files == 2
    assert [(p.code, Path(p.location.path).name) for p in problems] == [
        ("template.duplicate", "b.templates.yml")
    ]
    assert "a.templates.yaml:2:5" in problems[0].message


def test_no_registry_is_a_problem_not_a_clean_result(tmp_path: Path) -> None:
    _write(tmp_path, BASE, "r.yaml")
    _loaded, problems, files = check_paths([tmp_path])
    assert files == 0
    assert [p.code for p in problems] == ["template.none-found"]


# --- language codes ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("en", True),
        ("es", True),
        ("fr", True),
        ("zh", True),
        ("vi", True),
        ("tl", True),  # Tagalog: ISO 639-1
        ("hmn", True),  # Hmong: no ISO 639-1 code, so the three-letter code is the subtag
        ("eng", False),  # has "en"
        ("fre", False),  # bibliographic code of French
        ("und", False),  # undetermined: no language
        ("En", False),
        ("en-us", False),
        ("xx", False),  # not assigned in ISO 639-1
        ("e", False),
        ("", False),
    ],
)
def test_language_codes(code: str, ok: bool) -> None:
    if ok:
        assert check_language(code) == code
    else:
        with pytest.raises(ValueError):
            check_language(code)


def test_the_language_table_is_iso_639_1() -> None:
    """184 codes (ISO 639-1 as the iso-codes data lists it), each two lower-case letters."""
    assert len(TWO_LETTER) == 184
    assert all(len(c) == 2 and c.isascii() and c.islower() for c in TWO_LETTER)
    assert {"en", "es", "fr", "de", "zh", "ko", "vi", "ht", "ar", "ru", "pt"} <= TWO_LETTER


# --- the content hash ---------------------------------------------------------------------------
def _template(**changes: object) -> MessageTemplate:
    data: dict[str, object] = {
        "id": "reminder",
        "version": 1,
        "language": "es",
        "channel": "sms",
        "purpose": "payment_reminder",
        "jurisdictions": ["US"],
        "body": "Hola {{ name }}, páguenos {{ amount }}. Responda STOP para darse de baja.",
        "placeholders": {"required": ["name", "amount"]},
        "approved_by": "Test Officer",
        "approved_on": "2026-01-10",
        "effective_from": "2026-02-01",
    }
    data.update(changes)
    return MessageTemplate.model_validate(data)


def test_the_hash_is_pinned() -> None:
    """The canonical form is a published format: a change to it must be deliberate."""
    template = _template()
    assert (
        canonical_form(template)
        == (
            '{"body":"Hola {{ name }}, páguenos {{ amount }}. Responda STOP para darse de baja.",'
            '"channel":"sms","id":"reminder","language":"es","optional":[],'
            '"purpose":"payment_reminder","required":["amount","name"],"version":1}'
        ).encode()
    )
    assert content_hash(template) == (
        "sha256:" + __import__("hashlib").sha256(canonical_form(template)).hexdigest()
    )


def test_the_hash_ignores_the_record_around_the_text() -> None:
    base = content_hash(_template())
    assert content_hash(_template(approved_by="Someone Else", approved_on="2026-01-01")) == base
    assert content_hash(_template(jurisdictions=["US-NY"], effective_until="2030-01-01")) == base
    assert content_hash(_template(placeholders={"required": ["amount", "name"]})) == base


@pytest.mark.parametrize(
    "change",
    [
        {"id": "reminder2"},
        {"version": 2},
        {"language": "en"},
        {"channel": "email"},
        {"purpose": "collection"},
        {"placeholders": {"required": ["name"], "optional": ["amount"]}},
    ],
    ids=lambda c: next(iter(c)),
)
def test_the_hash_covers_what_the_message_is(change: dict[str, object]) -> None:
    assert content_hash(_template(**change)) != content_hash(_template())


_BODY = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="{}"),
    min_size=1,
    max_size=80,
).filter(str.strip)


@given(body=_BODY, data=st.data())
def test_any_edit_of_the_body_changes_the_hash(body: str, data: st.DataObject) -> None:
    template = _template(body=body, placeholders={})
    i = data.draw(st.integers(0, len(body)), label="at")
    edit = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="edit")
    char = data.draw(st.characters(codec="utf-8"), label="char")
    if edit == "insert":
        edited = body[:i] + char + body[i:]
    elif edit == "delete":
        edited = body[:i] + body[i + 1 :]
    else:
        edited = body[:i] + char + body[i + 1 :]
    edited_template = template.model_copy(update={"body": edited})
    assert (content_hash(edited_template) == content_hash(template)) == (edited == body)


@given(body=_BODY)
def test_the_hash_is_stable_and_the_form_round_trips(body: str) -> None:
    first = _template(body=body, placeholders={})
    again = MessageTemplate.model_validate(first.model_dump(mode="json"))
    assert content_hash(again) == content_hash(first)
    assert json.loads(canonical_form(first))["body"] == body


# --- the registry ---------------------------------------------------------------------------
def _registry(tmp_path: Path) -> Path:
    v2 = ENTRY.replace("version: 1", "version: 2").replace(
        'effective_from: "2026-02-01"', 'effective_from: "2026-06-01"'
    )
    old = BASE.replace(
        '    effective_from: "2026-02-01"\n',
        '    effective_from: "2026-02-01"\n    effective_until: "2026-05-31"\n',
    )
    return _write(tmp_path, old + v2)


@pytest.mark.parametrize(
    ("version", "day", "chosen"),
    [
        (None, "2026-03-01", 1),
        (None, "2026-05-31", 1),  # effective_until is the last day in force
        (None, "2026-06-01", 2),
        (1, "2026-03-01", 1),
        (2, "2027-01-01", 2),
    ],
)
def test_select_takes_the_version_in_force(
    tmp_path: Path, version: int | None, day: str, chosen: int
) -> None:
    import datetime as dt

    registry = load_registry([_registry(tmp_path)])
    found = registry.select("reminder", "en", version=version, on=dt.date.fromisoformat(day))
    assert found.spec.version == chosen


@pytest.mark.parametrize(
    ("template_id", "language", "version", "day", "code", "says"),
    [
        ("remider", "en", None, "2026-03-01", "template.not-found", 'did you mean "reminder"'),
        ("reminder", "en", 3, "2026-03-01", "template.not-found", "its versions: 1, 2"),
        ("reminder", "es", None, "2026-03-01", "template.not-found", "it has: en"),
        ("reminder", "en", None, "2026-01-31", "template.not-in-effect", "from 2026-02-01"),
        ("reminder", "en", 1, "2026-06-01", "template.not-in-effect", "to 2026-05-31"),
    ],
)
def test_select_refuses_what_is_not_there_or_not_in_force(
    tmp_path: Path,
    template_id: str,
    language: str,
    version: int | None,
    day: str,
    code: str,
    says: str,
) -> None:
    import datetime as dt

    registry = load_registry([_registry(tmp_path)])
    with pytest.raises(RulesetError) as caught:
        registry.select(template_id, language, version=version, on=dt.date.fromisoformat(day))
    (problem,) = caught.value.diagnostics
    assert problem.code == code and says in problem.message


# --- the bundled example, the schema, and the ruleset loader beside registries ---------------
def test_the_bundled_example_registry_is_clean_and_marked_as_an_example() -> None:
    loaded, problems, _ = check_paths([ROOT / "templates"])
    assert problems == []
    found = {(t.spec.id, t.spec.language, t.spec.channel, t.spec.purpose) for t in loaded}
    assert found == {
        ("payment-reminder-sms", "en", Channel.SMS, Purpose.PAYMENT_REMINDER),
        ("payment-reminder-sms", "es", Channel.SMS, Purpose.PAYMENT_REMINDER),
        ("limited-content-voicemail", "en", Channel.VOICEMAIL, Purpose.LIMITED_CONTENT_MESSAGE),
    }
    assert all("EXAMPLE" in t.spec.approved_by for t in loaded)


def test_the_shipped_schema_is_the_generated_one() -> None:
    shipped = ROOT / "contactrules" / "schema" / "templates.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == templates_schema()


def test_the_schema_accepts_the_bundled_registry_and_refuses_unknown_keys() -> None:
    validator = Draft202012Validator(templates_schema())
    Draft202012Validator.check_schema(templates_schema())
    data = load_yaml_file(BUNDLED).value
    assert [e.message for e in validator.iter_errors(data)] == []
    data["templates"][0]["aproved_by"] = "x"
    assert not validator.is_valid(data)


def test_rulesets_and_registries_share_a_folder(tmp_path: Path) -> None:
    """The ruleset loader skips registries by name; ``contactrules check`` checks both."""
    (tmp_path / "us").mkdir()
    federal = ROOT / "rulesets" / "us" / "federal.yaml"
    (tmp_path / "us" / "federal.yaml").write_text(federal.read_text(encoding="utf-8"))
    broken = BASE.replace("language: en", "language: EN")
    _write(tmp_path / "us", broken)
    Engine.from_path(tmp_path)  # the registry is not read as a ruleset
    assert main(["check", str(tmp_path)]) == 1


def test_check_on_a_folder_of_registries_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, BASE)
    assert main(["check", str(tmp_path)]) == 0
    assert "ruleset.none-found" not in capsys.readouterr().out
    _write(tmp_path, BASE.replace("{{ amount }}", "{{ amont }}"))
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "template.undeclared-placeholder" in out and "template.unused-placeholder" in out


def test_check_reads_a_registry_named_directly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, BASE.replace("language: en", "language: EN"))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:4:15: error template.invalid-value" in out
    assert "ruleset." not in out  # not read as a ruleset
