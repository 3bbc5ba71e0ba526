"""The documentation that is generated from code, or that shows code, stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contactrules.rules.reference import kinds_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_rule_kind_reference_is_generated_from_the_code() -> None:
    written = (ROOT / "docs" / "rule-kinds.md").read_text(encoding="utf-8")
    assert written == kinds_markdown(), "run: contactrules explain --all > docs/rule-kinds.md"


def test_readme_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), namespace)
    assert (tmp_path / "contacts.db").exists() and (tmp_path / "audit.jsonl").exists()
    assert namespace["reservation"].allowed is False  # type: ignore[attr-defined]
    decision = namespace["decision"]
    assert decision.allowed is False  # type: ignore[attr-defined]
    assert decision.reasons[0].rule_id == "US-FED-REGF-1006.6b1i-HOURS"  # type: ignore[attr-defined]
    assert decision.next_allowed_at.hour == 11  # type: ignore[attr-defined]


def test_shipped_json_schemas_match_the_models() -> None:
    import json

    from contactrules.schema import disclosures_schema, input_schema, ruleset_schema

    folder = ROOT / "contactrules" / "schema"
    assert json.loads((folder / "ruleset.schema.json").read_text()) == ruleset_schema()
    assert json.loads((folder / "input.schema.json").read_text()) == input_schema()
    assert json.loads((folder / "disclosures.schema.json").read_text()) == disclosures_schema()
