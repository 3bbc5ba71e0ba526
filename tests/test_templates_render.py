"""Rendering: placeholders filled and nothing else, every problem refused, and the commands.

Nothing in a template may run code or reach anything but the values given: the syntax has no
expressions, and names that would mean attribute access or interpreter internals in other
template languages are refused when a registry is loaded and again when a template is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactrules.cli import main
from contactrules.diagnostics import RulesetError
from contactrules.templates import MAX_RENDERED_CHARS, MessageTemplate, render
from contactrules.templates.syntax import Placeholder, parse

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "templates"


def _template(
    body: str, required: Sequence[str] = (), optional: Sequence[str] = ()
) -> MessageTemplate:
    return MessageTemplate.model_validate(
        {
            "id": "t",
            "version": 1,
            "language": "en",
            "channel": "sms",
            "purpose": "payment_reminder",
            "jurisdictions": ["US"],
            "body": body,
            "placeholders": {"required": list(required), "optional": list(optional)},
            "approved_by": "Test Officer",
            "approved_on": "2026-01-10",
            "effective_from": "2026-02-01",
        }
    )


def _problems(template: MessageTemplate, values: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RulesetError) as caught:
        render(template, values)
    return [(p.code, p.message) for p in caught.value.diagnostics]


# --- the scanner ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("Hi {{ name }}!", ("Hi ", Placeholder("name", 3), "!")),
        ("{{name}}", (Placeholder("name", 0),)),
        ("{{   a1_b   }}", (Placeholder("a1_b", 0),)),
        ("{ single } braces {are text}", ("{ single } braces {are text}",)),
        ("{{ a }}{{ b }}", (Placeholder("a", 0), Placeholder("b", 7))),
        ("", ()),
    ],
)
def test_the_scanner_reads_text_and_placeholders(body: str, segments: tuple[object, ...]) -> None:
    assert parse(body) == (segments, ())


@pytest.mark.parametrize(
    "body",
    [
        "{{ __class__ }}",
        "{{ a.b }}",
        "{{ a['b'] }}",
        "{{ a[0] }}",
        "{{ a() }}",
        "{{ a|safe }}",
        "{{ a or 'x' }}",
        "{{ 1 + 1 }}",
        "{{ Name }}",
        "{{ _private }}",
        "{{ }}",
        "{{{ a }}}",
        "{% for x in y %}{{ x }}{% endfor %}",
        "{# comment #}",
        "{{ a",
        "a }}",
        "{{ " + "a" * 65 + " }}",
    ],
)
def test_the_scanner_refuses_anything_but_a_plain_name(body: str) -> None:
    _segments, problems = parse(body)
    assert problems


@given(st.text(max_size=300))
def test_the_scanner_takes_any_text(body: str) -> None:
    segments, problems = parse(body)
    assert all(0 <= p.offset < len(body) for p in problems)
    if not any(tag in body for tag in ("{{", "}}", "{%", "{#")):
        assert (segments, problems) == (((body,) if body else ()), ())


def test_the_scanner_is_linear_on_many_openings() -> None:
    """Many unclosed ``{{`` and many ``}}`` cost one pass (a backtracking pattern would not)."""
    assert parse("{{ a " * 50_000)[1]
    assert len(parse("}}" * 50_000)[1]) == 50_000


# --- rendering --------------------------------------------------------------------------------
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="{}"), max_size=20)
_NAMES = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), unique=True, max_size=5)


@given(names=_NAMES, data=st.data())
def test_rendering_fills_each_placeholder_with_its_value(
    names: list[str], data: st.DataObject
) -> None:
    texts = data.draw(st.lists(_TEXT, min_size=len(names) + 1, max_size=len(names) + 1))
    values = {
        n: data.draw(st.one_of(_TEXT.filter(str.strip), st.integers()), label=n) for n in names
    }
    body = texts[0] + "".join(f"{{{{ {n} }}}}" + t for n, t in zip(names, texts[1:], strict=True))
    if not body.strip():
        body = "x" + body
        texts[0] = "x" + texts[0]
    expected = texts[0] + "".join(str(values[n]) + t for n, t in zip(names, texts[1:], strict=True))
    assert render(_template(body, required=names), values) == expected


def test_a_value_is_inserted_as_text_never_read_again() -> None:
    template = _template("Hi {{ name }}.", required=["name"])
    for value in ("{{ name }}", "{{ __class__ }}", "{% import os %}", "${x} %s {0}"):
        assert render(template, {"name": value}) == f"Hi {value}."


def test_numbers_are_written_as_given() -> None:
    template = _template("{{ a }} {{ b }} {{ c }}", required=["a", "b", "c"])
    assert render(template, {"a": 120, "b": 120.5, "c": -3}) == "120 120.5 -3"


def test_extra_values_are_ignored() -> None:
    template = _template("Hi {{ name }}.", required=["name"])
    assert render(template, {"name": "Ana", "balance": [1, 2], "ssn": "000"}) == "Hi Ana."


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_or_blank_required_value_is_an_error_naming_it(value: str | None) -> None:
    template = _template("You owe {{ amount }}.", required=["amount"])
    values = {} if value is None else {"amount": value}
    for values_given in (values, {"amount": None}):
        assert [code for code, _ in _problems(template, values_given)] == ["template.missing-value"]
        assert '"amount"' in _problems(template, values_given)[0][1]


def test_every_missing_value_is_reported_at_once() -> None:
    template = _template("{{ a }} {{ b }} {{ c }}", required=["a", "b", "c"])
    problems = _problems(template, {"b": "x"})
    assert [(code, message.split('"')[1]) for code, message in problems] == [
        ("template.missing-value", "a"),
        ("template.missing-value", "c"),
    ]


@pytest.mark.parametrize("values", [{}, {"note": None}])
def test_only_an_optional_value_may_be_left_out(values: dict[str, Any]) -> None:
    template = _template("Hi {{ name }}.{{ note }}", required=["name"], optional=["note"])
    assert render(template, {"name": "Ana", **values}) == "Hi Ana."
    assert render(template, {"name": "Ana", "note": " Thanks."}) == "Hi Ana. Thanks."


@pytest.mark.parametrize(
    "value", [True, False, [1], {"a": 1}, float("nan"), float("inf"), b"bytes"]
)
def test_a_value_that_is_not_text_or_a_finite_number_is_refused(value: object) -> None:
    template = _template("{{ a }}", required=["a"])
    assert [code for code, _ in _problems(template, {"a": value})] == ["template.invalid-data"]
    optional = _template("x{{ a }}", optional=["a"])
    assert [code for code, _ in _problems(optional, {"a": value})] == ["template.invalid-data"]


def test_the_output_is_bounded() -> None:
    template = _template("{{ a }}{{ a }}", required=["a"])
    half = "x" * (MAX_RENDERED_CHARS // 2)
    assert len(render(template, {"a": half})) == MAX_RENDERED_CHARS
    assert [code for code, _ in _problems(template, {"a": half + "x"})] == ["template.too-long"]


@pytest.mark.parametrize("body", ["{{ __class__ }}", "{{ a.b }}", "{{ a.__class__ }}"])
def test_a_template_built_in_code_cannot_reach_attributes(body: str) -> None:
    """Even a template that skipped the registry's checks renders nothing it should not."""
    template = MessageTemplate.model_construct(**_template("x").model_dump())
    template = template.model_copy(update={"body": body})
    with pytest.raises(RulesetError) as caught:
        render(template, {"a": "x", "__class__": "x"})
    assert {p.code for p in caught.value.diagnostics} == {"template.syntax"}


def test_a_template_built_in_code_must_declare_its_placeholders() -> None:
    template = _template("x").model_copy(update={"body": "Hi {{ name }}"})
    assert [code for code, _ in _problems(template, {"name": "Ana"})] == [
        "template.undeclared-placeholder"
    ]


# --- the commands -----------------------------------------------------------------------------
DATA = {
    "first_name": "Ana",
    "agent_name": "Jordan Lee",
    "company_name": "Acme Recovery",
    "amount": "$120.00",
    "due_date": "15 de junio",
    "callback_phone": "1-800-555-0100",
    "consumer_name": "Ana Ruiz",
}


def _data(tmp_path: Path, values: object = DATA, name: str = "data.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(values), encoding="utf-8")
    return str(path)


def _render(
    capsys: pytest.CaptureFixture[str], *args: str, on: str = "2026-06-02"
) -> tuple[int, str, str]:
    code = main(["templates", "render", *args, "--templates", str(BUNDLED), "--on", on])
    out, err = capsys.readouterr()
    return code, out, err


def test_render_prints_the_spanish_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _render(
        capsys, "payment-reminder-sms", "--data", _data(tmp_path), "--language", "es"
    )
    assert code == 0, err
    assert out == (
        "Ana, le escribe Jordan Lee de Acme Recovery, un cobrador de deudas. Un pago de $120.00 "
        "vence el 15 de junio. ¿Preguntas? Llame al 1-800-555-0100. Responda STOP para darse "
        "de baja de los mensajes de texto.\n"
    )
    assert err.startswith("payment-reminder-sms@1 es sha256:")


def test_render_reads_yaml_data_and_a_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("agent_name: Jordan Lee\nconsumer_name: Ana Ruiz\ncallback_phone: 555\n")
    code, out, _ = _render(
        capsys, "limited-content-voicemail@1", "--data", str(data), "--language", "en"
    )
    assert code == 0
    assert out == (
        "Hello, this is Jordan Lee calling for Ana Ruiz. Please call me back at 555. Thank you.\n"
    )


def test_render_missing_value_exits_1_and_prints_no_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {k: v for k, v in DATA.items() if k != "amount"}
    code, out, err = _render(
        capsys, "payment-reminder-sms", "--data", _data(tmp_path, values), "--language", "en"
    )
    assert code == 1 and out == ""
    assert 'template.missing-value no value for "amount"' in err


def test_render_locates_a_bad_value_in_the_data_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("agent_name: Jordan Lee\nconsumer_name: [Ana]\ncallback_phone: 555\n")
    code, out, err = _render(
        capsys, "limited-content-voicemail", "--data", str(data), "--language", "en"
    )
    assert code == 1 and out == ""
    assert f"{data}:2:16: error template.invalid-data" in err


@pytest.mark.parametrize(
    ("args", "on", "status", "says"),
    [
        (["payment-reminder-sms", "--language", "fr"], "2026-06-02", 1, "template.not-found"),
        (["payment-reminder-sms@2", "--language", "en"], "2026-06-02", 1, "template.not-found"),
        (["payment-reminder-sms", "--language", "en"], "2026-01-31", 1, "template.not-in-effect"),
        (["payment-reminder-sms@x", "--language", "en"], "2026-06-02", 2, "whole number"),
        (["payment-reminder-sms@0", "--language", "en"], "2026-06-02", 2, "whole number"),
        (["payment-reminder-sms", "--language", "EN"], "2026-06-02", 2, 'did you mean "en"'),
    ],
)
def test_render_refusals_and_their_exit_status(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    on: str,
    status: int,
    says: str,
) -> None:
    code, out, err = _render(capsys, *args, "--data", _data(tmp_path), on=on)
    assert (code, out) == (status, "")
    assert says in err


def test_render_data_must_be_a_mapping_and_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _render(
        capsys, "payment-reminder-sms", "--data", _data(tmp_path, [1, 2]), "--language", "en"
    )
    assert code == 1 and "template.data-not-a-mapping" in err
    code, _, err = _render(
        capsys, "payment-reminder-sms", "--data", str(tmp_path / "nope.json"), "--language", "en"
    )
    assert code == 2 and "file.not-found" in err


def test_render_has_no_default_registry(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["templates", "render", "x", "--data", "d.json", "--language", "en"])
    assert caught.value.code == 2
    assert "--templates" in capsys.readouterr().err


def test_check_prints_each_template_and_its_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", str(BUNDLED), "--no-rules"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "limited-content-voicemail@1 en",
        "payment-reminder-sms@1 en",
        "payment-reminder-sms@1 es",
    ]
    assert all(len(line.rsplit(" sha256:", 1)[1]) == 64 for line in lines)
    assert "3 template(s) in 1 file(s): 0 error(s)" in err


def test_check_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", str(tmp_path)]) == 1  # no registry: not clean
    assert "template.none-found" in capsys.readouterr().out
    assert main(["templates", "check", str(tmp_path / "missing")]) == 2
    assert "file.not-found" in capsys.readouterr().out
    bad = tmp_path / "x.templates.yaml"
    text = (BUNDLED / "us-federal.templates.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("{{ due_date }}", "{{ due_date.day }}", 1), encoding="utf-8")
    assert main(["templates", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "error template.syntax" in out
    assert "payment-reminder-sms@1 en " not in out  # the broken text gets no hash
    assert "payment-reminder-sms@1 es " in out


def test_schema_command_prints_the_registry_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "templates"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "contactrules template registry"


def test_render_refuses_a_data_path_that_is_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _render(
        capsys, "payment-reminder-sms", "--data", str(tmp_path), "--language", "en"
    )
    assert (code, out) == (1, "")
    assert f"{tmp_path}: error file.not-regular" in err
