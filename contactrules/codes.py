"""Every diagnostic code and engine reason id contactrules can emit, in one table.

A compliance officer who meets ``ruleset.looser-than-parent`` in a CI log, or a reason id
``CONTACTRULES-NO-ZONE`` in a denied decision, looks it up here (or in ``docs/codes.md``,
generated from this table by :func:`markdown`). Tooling may match on the codes: they are stable.

Two families of codes are built rather than written out: the loader turns each pydantic error
type into ``ruleset.<suffix>`` (:data:`VALIDATION_SUFFIXES`), and the scenario, case-file and
template registry readers re-prefix those as ``input.<suffix>``, ``cases.<suffix>`` and
``template.<suffix>``. Every code those can
produce is an entry of the table all the same. A test keeps the table and the package in step:
every code the source can emit is listed, and every entry is emitted somewhere.

This module imports nothing from the package, so any module may use its constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "TABLE",
    "VALIDATION_SUFFIXES",
    "Code",
    "CodeSeverity",
    "lookup",
    "markdown",
]

CodeSeverity = Literal["error", "warning", "deny"]
"""``error`` and ``warning``: a diagnostic printed for a file; ``deny``: a reason in a decision."""

_USAGE = "2"
_PROBLEM = "1"
_WARNING = "0 (1 with `check --strict`)"
_FILE = "1 (2 from `replay`)"


@dataclass(frozen=True)
class Code:
    """One code: what it is called, how bad it is, what it means, and what it looks like."""

    code: str
    severity: CodeSeverity
    meaning: str
    example: str
    exit_status: str | None = None
    """For command-line diagnostics, the exit status it leads to; ``None`` for reason ids."""

    def __str__(self) -> str:
        return self.code


# --- YAML: the file is not the plain YAML contactrules reads --------------------------------
YAML_SYNTAX = Code(
    "yaml.syntax",
    "error",
    "The file is not valid YAML, so nothing in it can be read; the location is where the "
    "parser gave up.",
    "`end: 21:00` followed by a line indented with a tab",
    _PROBLEM,
)
YAML_TOO_DEEP = Code(
    "yaml.too-deep",
    "error",
    "Lists and mappings are nested deeper than any ruleset or scenario needs, so the file is "
    "refused rather than read without bound.",
    "a value nested in more than 64 levels of `- [`",
    _PROBLEM,
)
YAML_TOO_LARGE = Code(
    "yaml.too-large",
    "error",
    "The document would expand (through anchors and aliases, or sheer size) beyond what the "
    "reader accepts, so it is refused rather than read without bound.",
    "an alias bomb: a few lines of `&a`/`*a` that expand to over 200,000 nodes",
    _PROBLEM,
)
YAML_TAG = Code(
    "yaml.tag",
    "error",
    "A YAML tag (`!something`) asks for a special value type; rulesets and scenarios hold plain "
    "values only.",
    "`start: !!python/object 08:00`",
    _PROBLEM,
)
YAML_NODE = Code(
    "yaml.node",
    "error",
    "The parser produced a kind of YAML node the reader does not know; write plain values, "
    "lists and mappings.",
    "a node type added by a future YAML parser",
    _PROBLEM,
)
YAML_MERGE_KEY = Code(
    "yaml.merge-key",
    "error",
    "Merge keys (`<<`) copy values from elsewhere in the file, which hides what a rule says; "
    "write the values out.",
    "`<<: *defaults`",
    _PROBLEM,
)
YAML_KEY_TYPE = Code(
    "yaml.key-type",
    "error",
    "A key is a list or a mapping; every key must be plain text.",
    "`[start, end]: 08:00`",
    _PROBLEM,
)
YAML_DUPLICATE_KEY = Code(
    "yaml.duplicate-key",
    "error",
    "The same key appears twice in one mapping; the second would silently replace the first.",
    "two `max:` lines in the same rule",
    _PROBLEM,
)
YAML_FORBIDDEN_CHARACTER = Code(
    "yaml.forbidden-character",
    "error",
    "The text holds a control character YAML does not allow (often pasted from a terminal or "
    "a word processor); retype the line.",
    "a NUL or backspace character inside a rule id",
    _PROBLEM,
)

# --- files: the file or folder cannot be read -----------------------------------------------
FILE_NOT_FOUND = Code(
    "file.not-found",
    "error",
    "A file or folder named on the command line does not exist: the command was misused.",
    "`contactrules check rulsets/`",
    _USAGE,
)
FILE_NOT_REGULAR = Code(
    "file.not-regular",
    "error",
    "The path is a folder, pipe or device where a file was expected, so it is not read "
    "(a pipe could block for ever).",
    "`contactrules evaluate /dev/stdin`",
    _FILE,
)
FILE_UNREADABLE = Code(
    "file.unreadable",
    "error",
    "The operating system refused to read the file or list the folder; the message gives its "
    "reason (permission denied, …). Nothing in it is skipped in silence.",
    "a ruleset folder without read permission",
    _FILE,
)
FILE_TOO_LARGE = Code(
    "file.too-large",
    "error",
    "The file is larger than any ruleset, scenario or case file needs, so it is refused "
    "rather than read without bound.",
    "a 2 GB log file passed to `contactrules check`",
    _FILE,
)
FILE_ENCODING = Code(
    "file.encoding",
    "error",
    "The file is not UTF-8 text; save it as UTF-8.",
    "a ruleset saved as Windows-1252 with an accented city name",
    _FILE,
)
FILE_IO_ERROR = Code(
    "file.io-error",
    "error",
    "Reading or writing a file failed part-way (disk full, device gone); the message gives the "
    "operating system's reason.",
    "`contactrules calendar US-MA --svg /full-disk/week.svg`",
    _USAGE,
)

# --- rulesets: the file is YAML, but not a ruleset contactrules can trust --------------------
RULESET_NOT_A_MAPPING = Code(
    "ruleset.not-a-mapping",
    "error",
    "A ruleset file must be a mapping with `ruleset:`, `title:`, `jurisdiction:` and `rules:`.",
    "a file that is only a list of rules",
    _PROBLEM,
)
RULESET_NONE_FOUND = Code(
    "ruleset.none-found",
    "error",
    "The files or folders named hold no ruleset file; an empty check would look clean, so it "
    "is a problem.",
    "`contactrules check docs/`",
    _PROBLEM,
)
RULESET_UNKNOWN_KEY = Code(
    "ruleset.unknown-key",
    "error",
    "A key is not one this place in a ruleset accepts (often a misspelling, named in the "
    "message); it would otherwise be ignored.",
    "`mx: 7` in a `frequency_cap` rule (did you mean `max`?)",
    _PROBLEM,
)
RULESET_MISSING_KEY = Code(
    "ruleset.missing-key",
    "error",
    "A required key is missing, such as a rule's `citation` or `kind`.",
    "a rule without `citation:`",
    _PROBLEM,
)
RULESET_UNKNOWN_KIND = Code(
    "ruleset.unknown-kind",
    "error",
    "A rule's `kind` is not one of the rule kinds (docs/rule-kinds.md lists them).",
    "`kind: time-window` (did you mean `time_window`?)",
    _PROBLEM,
)
RULESET_UNKNOWN_VALUE = Code(
    "ruleset.unknown-value",
    "error",
    "A value must be one of a fixed list (a channel, a weekday, …) and is not.",
    "`channels: [telephone]` (did you mean `call`?)",
    _PROBLEM,
)
RULESET_INVALID_VALUE = Code(
    "ruleset.invalid-value",
    "error",
    "A value has the wrong form or is out of range; the message says what is expected.",
    "`start: 8am` where `08:00` is expected",
    _PROBLEM,
)
RULESET_UNKNOWN_CALENDAR = Code(
    "ruleset.unknown-calendar",
    "error",
    "A rule names a holiday calendar, or a holiday in it, that the holiday data does not know.",
    "`holidays: {country: US, subdivision: XX}`",
    _PROBLEM,
)
RULESET_UNKNOWN_EXTENDS = Code(
    "ruleset.unknown-extends",
    "error",
    "The ruleset `extends:` a ruleset id that is not among the rulesets loaded with it.",
    "`extends: us-federl`",
    _PROBLEM,
)
RULESET_DUPLICATE_RULESET = Code(
    "ruleset.duplicate-ruleset",
    "error",
    "Two files use the same ruleset id, so layers and reasons would be ambiguous.",
    "two files with `ruleset: us-ma`",
    _PROBLEM,
)
RULESET_DUPLICATE_RULE_ID = Code(
    "ruleset.duplicate-rule-id",
    "error",
    "Two rules use the same rule id, so a denial could not say which rule it cites.",
    "two rules with `id: US-MA-HOURS`",
    _PROBLEM,
)
RULESET_LOOSER_THAN_PARENT = Code(
    "ruleset.looser-than-parent",
    "error",
    "A layer allows more than the ruleset it extends; a layer may only tighten (the stricter "
    "rule still applies).",
    "a state rule allowing calls until 22:00 over a federal 21:00 limit",
    _PROBLEM,
)
RULESET_UNKNOWN_JURISDICTION = Code(
    "ruleset.unknown-jurisdiction",
    "error",
    "The `jurisdiction:` names a country or subdivision code that does not exist.",
    "`jurisdiction: {country: US, subdivision: MAS}`",
    _PROBLEM,
)
RULESET_DEAD_CONDITION = Code(
    "ruleset.dead-condition",
    "warning",
    "A condition can match no contact (an empty list, every purpose excluded), so the rule "
    "never applies.",
    "`when: {recipients: []}`",
    _WARNING,
)
RULESET_EMPTY_FILTER = Code(
    "ruleset.empty-filter",
    "warning",
    "A filter on past contacts matches none, so the rule counts nothing and never denies.",
    "`counts: {outcomes: []}` in a `frequency_cap` rule",
    _WARNING,
)
RULESET_SKIPS_UNKNOWN_LANGUAGE = Code(
    "ruleset.skips-unknown-language",
    "warning",
    "`when: languages` does not list `unknown`, so the rule does not judge a consumer whose "
    "preferred language is not stated; list `unknown` unless the rule must apply only to "
    "consumers known to prefer the languages listed.",
    "`when: {languages: [es]}`",
    _WARNING,
)
RULESET_UNREACHABLE_CAP = Code(
    "ruleset.unreachable-cap",
    "warning",
    "A cap is higher than any history can reach in its window, so it never denies.",
    "`max: 100000` contacts in 7 days",
    _WARNING,
)
RULESET_ZERO_CAP = Code(
    "ruleset.zero-cap",
    "warning",
    "A cap of 0 denies every contact on its channels; `kind: prohibited` says that plainly.",
    "`max: 0` in a `frequency_cap` rule",
    _WARNING,
)
RULESET_NEVER_EFFECTIVE = Code(
    "ruleset.never-effective",
    "warning",
    "The rule's or ruleset's effective dates leave no day on which it is in force.",
    "`effective_from: 2027-01-01` with `effective_until: 2026-01-01`",
    _WARNING,
)
RULESET_NEVER_DENIES = Code(
    "ruleset.never-denies",
    "warning",
    "The rule, as written, can never deny a contact (for example, hours that cover the whole day).",
    "`start: 00:00`, `end: 24:00` in a `time_window` rule",
    _WARNING,
)
RULESET_UNCONFIRMED = Code(
    "ruleset.unconfirmed",
    "warning",
    "The rule rests on a source marked `confidence: unconfirmed`; verify it before relying on "
    "it (convention K10).",
    "`confidence: unconfirmed` with `note: draft bill, not yet in force`",
    _WARNING,
)
RULESET_UNKNOWN_PLACEHOLDER = Code(
    "ruleset.unknown-placeholder",
    "warning",
    "The rule's `message:` uses a `{placeholder}` that is not a fact of its rule kind, so it "
    "would print as written.",
    '`message: "only {limt} calls a week"` (did you mean `{limit}`?)',
    _WARNING,
)
RULESET_EXPIRED = Code(
    "ruleset.expired",
    "warning",
    "The rule's `effective_until` date has passed; it only judges past contacts now.",
    "`effective_until: 2020-12-31`",
    _WARNING,
)

# --- scenario files (`contactrules evaluate`) ------------------------------------------------
INPUT_NOT_A_MAPPING = Code(
    "input.not-a-mapping",
    "error",
    "A scenario file must be a mapping with `consumer:` and `contacts:`.",
    "a scenario file that is only a list of contacts",
    _PROBLEM,
)
INPUT_UNKNOWN_KEY = Code(
    "input.unknown-key",
    "error",
    "A key in a scenario file is not one this place accepts (often a misspelling).",
    "`chanel: call` in a contact",
    _PROBLEM,
)
INPUT_MISSING_KEY = Code(
    "input.missing-key",
    "error",
    "A required key is missing from a scenario file.",
    "a contact without `at:`",
    _PROBLEM,
)
INPUT_UNKNOWN_VALUE = Code(
    "input.unknown-value",
    "error",
    "A value in a scenario file must be one of a fixed list and is not.",
    "`channel: telephone`",
    _PROBLEM,
)
INPUT_INVALID_VALUE = Code(
    "input.invalid-value",
    "error",
    "A value in a scenario file has the wrong form; the message says what is expected.",
    "`at: 2026-06-02T10:30` without a UTC offset (local time must be unambiguous)",
    _PROBLEM,
)
INPUT_INVALID_CONTACT = Code(
    "input.invalid-contact",
    "error",
    "A proposed contact does not fit its consumer (for example, it names a debt the consumer "
    "does not have); the other contacts are still judged.",
    "`debt_ids: [D-9]` for a consumer whose only debt is D-1",
    _PROBLEM,
)
INPUT_INVALID = Code(
    "input.invalid",
    "error",
    "Input given to a command is invalid in a way no file location can show; one line says what.",
    "an object passed to the library that fails validation outside any file",
    _USAGE,
)

# --- ruleset test cases (`contactrules test`, *.cases.yaml) ---------------------------------
CASES_NONE_FOUND = Code(
    "cases.none-found",
    "error",
    "No `*.cases.yaml` file with cases was found under the paths given, so nothing was tested.",
    "`contactrules test rulesets/xx/` where no cases file exists",
    _PROBLEM,
)
CASES_UNKNOWN_KEY = Code(
    "cases.unknown-key",
    "error",
    "A key in a case file is not one this place accepts (often a misspelling).",
    "`expects:` where `expect:` is meant",
    _PROBLEM,
)
CASES_MISSING_KEY = Code(
    "cases.missing-key",
    "error",
    "A required key is missing from a case file.",
    "a case without `contact:`",
    _PROBLEM,
)
CASES_UNKNOWN_VALUE = Code(
    "cases.unknown-value",
    "error",
    "A value in a case file must be one of a fixed list and is not.",
    "`channel: fax`",
    _PROBLEM,
)
CASES_INVALID_VALUE = Code(
    "cases.invalid-value",
    "error",
    "A value in a case file has the wrong form; the message says what is expected.",
    "`allowed: maybe`",
    _PROBLEM,
)
CASES_UNKNOWN_CONSUMER = Code(
    "cases.unknown-consumer",
    "error",
    "A case names a consumer that is not defined under `consumers:` in the same file.",
    "`consumer: alice` with only `bob` under `consumers:`",
    _PROBLEM,
)
CASES_INVALID_CONTACT = Code(
    "cases.invalid-contact",
    "error",
    "A case's contact does not fit its consumer (for example, a debt the consumer lacks).",
    "`debt_ids: [D-9]` for a consumer whose only debt is D-1",
    _PROBLEM,
)
CASES_UNKNOWN_RULESET = Code(
    "cases.unknown-ruleset",
    "error",
    "A case file's `rulesets:` names a ruleset id that is not loaded.",
    "`rulesets: [us-federl]`",
    _PROBLEM,
)

# --- message template registries (`contactrules templates`, *.templates.yaml) -------------
TEMPLATE_NOT_A_MAPPING = Code(
    "template.not-a-mapping",
    "error",
    "A template registry file must be a mapping with `templates:`, a list of templates.",
    "a `*.templates.yaml` file that is only a list",
    _PROBLEM,
)
TEMPLATE_NONE_FOUND = Code(
    "template.none-found",
    "error",
    "The files or folders named hold no template registry (`*.templates.yaml`); an empty check "
    "would look clean, so it is a problem.",
    "`contactrules templates check rulesets/` when the registries are elsewhere",
    _PROBLEM,
)
TEMPLATE_UNKNOWN_KEY = Code(
    "template.unknown-key",
    "error",
    "A key in a template registry is not one this place accepts (often a misspelling, named in "
    "the message); it would otherwise be ignored.",
    "`efective_until: 2027-01-01` (did you mean `effective_until`?)",
    _PROBLEM,
)
TEMPLATE_MISSING_KEY = Code(
    "template.missing-key",
    "error",
    "A required key is missing from a template, such as `approved_by` or `effective_from`: a "
    "text nobody approved, or with no first day, is not loaded.",
    "a template without `approved_on:`",
    _PROBLEM,
)
TEMPLATE_UNKNOWN_VALUE = Code(
    "template.unknown-value",
    "error",
    "A value in a template registry must be one of a fixed list (a channel, a purpose) and is not.",
    "`channel: text` (did you mean `sms`?)",
    _PROBLEM,
)
TEMPLATE_INVALID_VALUE = Code(
    "template.invalid-value",
    "error",
    "A value in a template registry has the wrong form; the message says what is expected "
    "(a language code, a jurisdiction, a placeholder name, a date).",
    "`language: en-US` where the primary language subtag `en` is expected",
    _PROBLEM,
)
TEMPLATE_SYNTAX = Code(
    "template.syntax",
    "error",
    "A template body breaks the placeholder syntax: a `{{` never closed, a `}}` closing nothing, "
    "a `{%` or `{#` of another template language, or something other than a plain name between "
    "`{{` and `}}` (no attribute access, calls or filters).",
    "`{{ consumer.name }}` or `{{ __class__ }}`",
    _PROBLEM,
)
TEMPLATE_UNDECLARED_PLACEHOLDER = Code(
    "template.undeclared-placeholder",
    "error",
    "The body uses a placeholder that `placeholders:` declares neither required nor optional, "
    "so nobody said whether the message may be sent without it.",
    "`{{ due_date }}` in the body, not under `placeholders:`",
    _PROBLEM,
)
TEMPLATE_UNUSED_PLACEHOLDER = Code(
    "template.unused-placeholder",
    "error",
    "A declared placeholder does not appear in the body (often a misspelling on one side).",
    "`required: [amount]` with `{{ amont }}` in the body",
    _PROBLEM,
)
TEMPLATE_DUPLICATE_PLACEHOLDER = Code(
    "template.duplicate-placeholder",
    "error",
    "A placeholder is declared twice, or both required and optional, so whether it may be left "
    "empty is unclear.",
    "`required: [amount]` and `optional: [amount]`",
    _PROBLEM,
)
TEMPLATE_DATES_REVERSED = Code(
    "template.dates-reversed",
    "error",
    "A template's dates are out of order: `effective_until` before `effective_from` (never in "
    "force), or `approved_on` after `effective_from` (in force before it was approved).",
    "`effective_from: 2027-01-01` with `effective_until: 2026-12-31`",
    _PROBLEM,
)
TEMPLATE_DUPLICATE = Code(
    "template.duplicate",
    "error",
    "The same template id, version and language is defined twice, so which text is approved "
    "would be ambiguous; a changed text needs a new version.",
    "two entries `payment-reminder-sms`, `version: 1`, `language: es`",
    _PROBLEM,
)
TEMPLATE_LANGUAGE_MISMATCH = Code(
    "template.language-mismatch",
    "error",
    "The languages of one `id@version` differ in channel, purpose or required placeholders, so "
    "they are not the same message translated.",
    "the English text `channel: sms` and the Spanish one `channel: email`",
    _PROBLEM,
)
TEMPLATE_WRONG_LANGUAGE = Code(
    "template.wrong-language",
    "error",
    "The body reads, with confidence, as another language than its `language:` says, so a rule "
    "that looks its phrases up by language would read it for the wrong words. Correct "
    "`language:` or the text (docs/template-language.md).",
    "a Spanish text with `language: en`",
    _PROBLEM,
)
TEMPLATE_NOT_FOUND = Code(
    "template.not-found",
    "error",
    "The registry has no template with this id, version or language.",
    "`contactrules templates render payment-reminder-sms --language fr` with no French text",
    _PROBLEM,
)
TEMPLATE_NOT_IN_EFFECT = Code(
    "template.not-in-effect",
    "error",
    "No version of the template is in force on the day (before its `effective_from` or after "
    "its `effective_until`), so none is rendered.",
    "`contactrules templates render payment-reminder-sms@1 --on 2020-01-01`",
    _PROBLEM,
)
TEMPLATE_MISSING_VALUE = Code(
    "template.missing-value",
    "error",
    "A required placeholder has no value, or a null or blank one; the message is not rendered "
    "with a hole in it.",
    "data without `amount` for a reminder that requires it",
    _PROBLEM,
)
TEMPLATE_INVALID_DATA = Code(
    "template.invalid-data",
    "error",
    "A value for a placeholder is not text or a finite number (a list, a mapping, true or "
    "false), so there is no one way to write it.",
    "`amount: [120, 50]`",
    _PROBLEM,
)
TEMPLATE_DATA_NOT_A_MAPPING = Code(
    "template.data-not-a-mapping",
    "error",
    "The data file for `contactrules templates render` must be a mapping of placeholder names "
    "to values.",
    "a JSON data file that is a list",
    _PROBLEM,
)
TEMPLATE_TOO_LONG = Code(
    "template.too-long",
    "error",
    "The rendered message would be longer than 100,000 characters, so it is refused rather "
    "than built.",
    "a 200,000-character value for a placeholder",
    _PROBLEM,
)

# --- disclosure libraries (*.disclosures.yaml, named by `template` rules) --------------------
DISCLOSURE_UNKNOWN_KEY = Code(
    "disclosure.unknown-key",
    "error",
    "A key in a disclosure library is not one this place accepts (often a misspelling, named in "
    "the message); it would otherwise be ignored.",
    "`wording:` instead of `wordings:`",
    _PROBLEM,
)
DISCLOSURE_MISSING_KEY = Code(
    "disclosure.missing-key",
    "error",
    "A disclosure lacks a key it must have (`id`, `title`, `citation`, `jurisdictions`, "
    "`elements`).",
    "a disclosure without `citation:`",
    _PROBLEM,
)
DISCLOSURE_UNKNOWN_VALUE = Code(
    "disclosure.unknown-value",
    "error",
    "A value in a disclosure library is not one of the values its key accepts.",
    "`confidence: probable`",
    _PROBLEM,
)
DISCLOSURE_INVALID_VALUE = Code(
    "disclosure.invalid-value",
    "error",
    "A value in a disclosure library has the wrong type or form: a form with an empty term, a "
    "bad language code or jurisdiction, an id with spaces.",
    '`forms: {en: ["attempt ... ... debt"]}`',
    _PROBLEM,
)
DISCLOSURE_WORDING_UNMATCHED = Code(
    "disclosure.wording-unmatched",
    "error",
    "A wording listed for a disclosure does not carry one of its elements by any form of its "
    "language, so the forms no longer recognise the text they stand for.",
    "a wording that says `attempting to recover a debt` when the forms only know `collect`",
    _PROBLEM,
)
DISCLOSURE_DUPLICATE_ID = Code(
    "disclosure.duplicate-id",
    "error",
    "Two disclosures (in one library or in two, the bundled one included) have the same id, so "
    "a rule that names it would be ambiguous.",
    "`id: US-FED-1006.6e-OPT-OUT` in a library of your own",
    _PROBLEM,
)

# --- the ledger and its audit files (`contactrules replay`) ---------------------------------
LEDGER_OPEN = Code(
    "ledger.open",
    "error",
    "The ledger cannot be opened (wrong URL, no such database, a schema newer than this "
    "version, an identifier key that is not the ledger's); nothing was replayed, verified, "
    "exported or erased.",
    "`contactrules replay sqlite:///missing.db`",
    _USAGE,
)
LEDGER_READ = Code(
    "ledger.read",
    "error",
    "The ledger failed while its decisions were being read back.",
    "the database server went away during `contactrules replay`",
    _USAGE,
)
AUDIT_INVALID_ENTRY = Code(
    "audit.invalid-entry",
    "error",
    "A line of an exported audit file cannot be read back as a logged decision.",
    "a truncated last line in `audit.jsonl`",
    _PROBLEM,
)
LEDGER_WRITE = Code(
    "ledger.write",
    "error",
    "The ledger failed while it was being written (`contactrules audit erase`); the "
    "transaction was rolled back unless the message says its outcome is unknown.",
    "the database server went away during `contactrules audit erase`",
    _USAGE,
)
LEDGER_UNKNOWN_CONSUMER = Code(
    "ledger.unknown-consumer",
    "error",
    "The ledger holds no personal data of this consumer: another id, erased already, or (with "
    "keyed identifiers) the key is missing or not the ledger's.",
    "`contactrules audit erase sqlite:///contacts.db C-999`",
    _PROBLEM,
)
AUDIT_ALTERED_ENTRY = Code(
    "audit.altered-entry",
    "error",
    "An entry of the audit chain was changed after it was logged: its fields no longer hash to "
    "its entry hash, or its decision, inputs or consumer id no longer hash to what was chained, "
    "or its columns disagree with its logged decision. The message says which.",
    "`UPDATE decisions SET allowed = true` on a denied decision",
    _PROBLEM,
)
AUDIT_MISSING_ENTRY = Code(
    "audit.missing-entry",
    "error",
    "A position of the audit chain is empty, or the chain ends before the head the ledger "
    "recorded: entries were deleted.",
    "`DELETE FROM decisions WHERE id = 7`",
    _PROBLEM,
)
AUDIT_UNEXPECTED_ENTRY = Code(
    "audit.unexpected-entry",
    "error",
    "An entry that the ledger did not chain: a decision outside the chain, a position held "
    "twice, or entries after the recorded head (inserted, or appended without the ledger).",
    "an `INSERT INTO decisions` made by hand",
    _PROBLEM,
)
AUDIT_BROKEN_LINK = Code(
    "audit.broken-link",
    "error",
    "An entry does not name the hash of the entry before it, or the recorded head does not "
    "name the last entry: the entry before it (or the last one) was replaced.",
    "a logged decision replaced by another with a recomputed hash",
    _PROBLEM,
)
AUDIT_ANCHOR_MISMATCH = Code(
    "audit.anchor-mismatch",
    "error",
    "A head recorded earlier and given with `--anchor` is not in the chain as it was: the chain "
    "up to it was rewritten or cut.",
    "`contactrules audit verify LEDGER --anchor 120:sha256:…` after the log was rebuilt",
    _PROBLEM,
)

# --- the service's config file (`contactrules serve --config`) ------------------------------
_SERVE = "1 (the service does not start; a reload keeps the previous state)"
CONFIG_NOT_A_MAPPING = Code(
    "config.not-a-mapping",
    "error",
    "A service config file must be a mapping with `tenants:` (docs/service.md).",
    "a config file that is only a list of tenants",
    _SERVE,
)
CONFIG_UNKNOWN_KEY = Code(
    "config.unknown-key",
    "error",
    "A key in the service config file is not one this place accepts (often a misspelling).",
    "`ledgr:` in a tenant",
    _SERVE,
)
CONFIG_MISSING_KEY = Code(
    "config.missing-key",
    "error",
    "A required key is missing from the service config file.",
    "a tenant without `keys:`",
    _SERVE,
)
CONFIG_UNKNOWN_VALUE = Code(
    "config.unknown-value",
    "error",
    "A value in the service config file must be one of a fixed list and is not.",
    "a value outside its list of choices",
    _SERVE,
)
CONFIG_INVALID_VALUE = Code(
    "config.invalid-value",
    "error",
    "A value in the service config file has the wrong form, or the file asks for something "
    "that cannot be served safely; the message says which.",
    "a key written in clear instead of its `sha256:` hash; two tenants sharing one ledger",
    _SERVE,
)
CONFIG_MISSING_VARIABLE = Code(
    "config.missing-variable",
    "error",
    "A ledger URL names an environment variable (`${NAME}`) that is not set.",
    "`ledger: ${ACME_LEDGER}` with no `ACME_LEDGER` in the environment",
    _SERVE,
)

# --- the HTTP service's error answers (`contactrules serve`, docs/service.md) ------------------
SERVICE_MALFORMED_JSON = Code(
    "service.malformed-json",
    "error",
    "The request body is not JSON (or is nested too deeply to read); the problem gives the line "
    "and column. Nothing was judged.",
    "a body cut off in the middle",
    "HTTP 400",
)
SERVICE_INVALID_IDEMPOTENCY_KEY = Code(
    "service.invalid-idempotency-key",
    "error",
    "The `Idempotency-Key` header is not 1 to 128 visible ASCII characters. Nothing was reserved.",
    "a key with a space in it",
    "HTTP 400",
)
SERVICE_UNAUTHORIZED = Code(
    "service.unauthorized",
    "error",
    "No API key, another scheme than Bearer, or a key the service does not know; the answer "
    "is the same for each, so it tells nothing about which keys exist.",
    "a request without `Authorization: Bearer …`",
    "HTTP 401",
)
SERVICE_NOT_FOUND = Code(
    "service.not-found",
    "error",
    "No such endpoint, or no such reservation or rule for the caller's tenant (another "
    "tenant's are not found either).",
    "GET /v1/reservations/{id} with an id another tenant was given",
    "HTTP 404",
)
SERVICE_METHOD_NOT_ALLOWED = Code(
    "service.method-not-allowed",
    "error",
    "The endpoint exists but does not take this method.",
    "DELETE /v1/decisions",
    "HTTP 405",
)
SERVICE_IDEMPOTENCY_CONFLICT = Code(
    "service.idempotency-conflict",
    "error",
    "The `Idempotency-Key` was already used for a different contact; a new contact needs a new "
    "key. Nothing was reserved.",
    "a client that reuses one key for every call",
    "HTTP 409",
)
SERVICE_NOT_RECORDED = Code(
    "service.not-recorded",
    "error",
    "An outcome was sent for a reservation that was denied, so no contact was recorded.",
    "PATCH /v1/reservations/{id} after `allowed: false`",
    "HTTP 409",
)
SERVICE_BODY_TOO_LARGE = Code(
    "service.body-too-large",
    "error",
    "The request body is larger than the configured limit (1 MiB by default). Nothing was judged.",
    "a 2 MB scenario list",
    "HTTP 413",
)
SERVICE_TOO_MANY_CONTACTS = Code(
    "service.too-many-contacts",
    "error",
    "One request proposes more contacts than the configured limit (1,000 by default); split "
    "it. Nothing was judged.",
    "a list of 5,000 scenarios",
    "HTTP 413",
)
SERVICE_INVALID_INPUT = Code(
    "service.invalid-input",
    "error",
    "The body is JSON but not valid input; each problem is located by JSON pointer with its "
    "`input.` code. Nothing was judged.",
    "`at` without a UTC offset",
    "HTTP 422",
)
SERVICE_NOT_JUDGED = Code(
    "service.not-judged",
    "error",
    "An internal error while judging: the contact was not judged and must not be made on this "
    "answer (fail closed); the error is logged under the request id.",
    "a bug in a rule kind that escapes the engine",
    "HTTP 500",
)
SERVICE_INTERNAL_ERROR = Code(
    "service.internal-error",
    "error",
    "An internal error outside judging; logged under the request id.",
    "a failure while writing the answer",
    "HTTP 500",
)
SERVICE_LEDGER_UNAVAILABLE = Code(
    "service.ledger-unavailable",
    "error",
    "The tenant's ledger cannot be reached now; retry after `Retry-After` seconds with the same "
    "`Idempotency-Key`, which returns the reservation if this attempt made one.",
    "PostgreSQL restarting",
    "HTTP 503",
)

# --- the book a screen reads (`contactrules screen`, docs/screening.md) ------------------------
_BAD_ROW = "0 (1 with `screen --strict`, and nothing is written)"
SCREEN_BAD_SCHEMA = Code(
    "screen.bad-schema",
    "error",
    "An accounts or history file's columns do not fit the book's schema: an unknown or repeated "
    "column, a required one missing, a `consumer_id` that is not text, or timestamps without a "
    "time zone. No row of it can be judged, so the screen stops before writing anything.",
    "a history file with a column `chanel`, or `at` stored as a naive timestamp",
    _PROBLEM,
)
SCREEN_UNREADABLE = Code(
    "screen.unreadable",
    "error",
    "The file cannot be read as the format its name says (a damaged Parquet file, a CSV row "
    "with too many cells); the screen stops before writing anything.",
    "a Parquet file cut short by a failed copy",
    _PROBLEM,
)
SCREEN_UNSORTED = Code(
    "screen.unsorted",
    "error",
    "The accounts or history file is not sorted by `consumer_id`, so it cannot be joined as a "
    "stream; the screen stops before writing anything. Sort the files, or pass `--sort`.",
    "history rows of consumer C-9 followed by rows of C-1",
    _PROBLEM,
)
SCREEN_INVALID_VALUE = Code(
    "screen.invalid-value",
    "warning",
    "A cell of the row does not validate (a malformed instant, an unknown channel, a blank id, "
    "a CSV cell that is not JSON where JSON belongs). The row's account is denied with "
    "`CONTACTRULES-INVALID-ROWS`.",
    "`at` = `2026-06-01 09:00` with no UTC offset",
    _BAD_ROW,
)
SCREEN_MISSING_CONSUMER_ID = Code(
    "screen.missing-consumer-id",
    "warning",
    "The row has no `consumer_id`, so it cannot be tied to an account; it is reported and "
    "left out.",
    "a history row with an empty first cell",
    _BAD_ROW,
)
SCREEN_UNKNOWN_CONSUMER = Code(
    "screen.unknown-consumer",
    "warning",
    "A history row names a consumer no account row has; it is reported and left out.",
    "history for C-77 when the accounts file has no C-77",
    _BAD_ROW,
)
SCREEN_DUPLICATE_ACCOUNT = Code(
    "screen.duplicate-account",
    "warning",
    "Two or more account rows have the same `consumer_id`; which is right cannot be told, so "
    "the consumer is denied with `CONTACTRULES-INVALID-ROWS`.",
    "C-1 listed twice with different addresses",
    _BAD_ROW,
)
SCREEN_UNKNOWN_DEBT = Code(
    "screen.unknown-debt",
    "warning",
    "A history row names a debt its account does not have; the account is denied with "
    "`CONTACTRULES-INVALID-INPUT`, as `evaluate` denies it.",
    "a record with `debt_ids` [D-9] for an account whose only debt is D-1",
    _BAD_ROW,
)
SCREEN_NO_DEBTS = Code(
    "screen.no-debts",
    "warning",
    "The account has no debts, so there is nothing a contact could be about; it is denied with "
    "`CONTACTRULES-INVALID-ROWS`.",
    "an account row whose `debts` list is empty",
    _BAD_ROW,
)

# --- engine reason ids: why a decision was denied before any rule could judge it ------------
REASON_NO_ZONE = Code(
    "CONTACTRULES-NO-ZONE",
    "deny",
    "No time zone can be derived for the consumer (no address, phone zone or explicit zone), "
    "so local time is unknown and every rule that needs it denies.",
    "a consumer with no address and only an e-mail address, called at 10:00 UTC",
)
REASON_UNKNOWN_ZONE = Code(
    "CONTACTRULES-UNKNOWN-ZONE",
    "deny",
    "A time zone given for the consumer is not a known IANA zone, so local time there cannot "
    "be known.",
    '`zone: "America/New_Yrok"` on a phone',
)
REASON_TOO_MANY_ZONES = Code(
    "CONTACTRULES-TOO-MANY-ZONES",
    "deny",
    "The consumer has more candidate time zones than one evaluation judges; the contact is "
    "denied rather than judged in only some of them.",
    "a consumer with addresses in dozens of countries",
)
REASON_NO_RULESET = Code(
    "CONTACTRULES-NO-RULESET",
    "deny",
    "No loaded ruleset covers the consumer's location for this collector type; the contact is "
    "denied rather than allowed without rules.",
    "a consumer in a country no ruleset covers",
)
REASON_TEMPLATE_UNRESOLVED = Code(
    "CONTACTRULES-TEMPLATE-UNRESOLVED",
    "deny",
    "The contact names an approved template by id, and it cannot be resolved to the message "
    "that would be sent (no registry loaded, an unknown id, version or language, a text not in "
    "force on the consumer's local date, another channel, purpose or jurisdiction, or a "
    "required value missing); the contact is denied rather than judged without its text.",
    "`template: {id: payment-reminder-sms, language: fr, data: {...}}` with no French text",
)
REASON_INVALID_INPUT = Code(
    "CONTACTRULES-INVALID-INPUT",
    "deny",
    "The contact history names a debt the consumer does not have, so counts cannot be trusted "
    "and the contact is denied.",
    "a history record with `debt_ids: [D-9]` for a consumer whose only debt is D-1",
)
REASON_INVALID_ROWS = Code(
    "CONTACTRULES-INVALID-ROWS",
    "deny",
    "Some of the account's rows in a screened book could not be read (the account row itself, "
    "or some of its history): its history is partial, so counts cannot be trusted and every "
    "contact is denied. The bad rows are reported with file, row and column.",
    "a history row of the account whose `at` has no UTC offset",
)
REASON_CLOCK_SKEW = Code(
    "CONTACTRULES-CLOCK-SKEW",
    "deny",
    "The ledger refused to book a contact proposed further ahead of its own clock than the "
    "tolerance (five minutes by default): the proposing machine's clock is probably wrong. "
    "Nothing was recorded; the facts give both clocks.",
    "a worker whose clock runs a day fast reserving a call for tomorrow's date",
)

VALIDATION_SUFFIXES = (
    "unknown-key",
    "missing-key",
    "unknown-kind",
    "unknown-value",
    "invalid-value",
)
"""What the loader turns pydantic's error types into (``ruleset.<suffix>``). Scenario, case and
template files hold no rules, so their ``input.``, ``cases.`` and ``template.`` copies never say
``unknown-kind``."""

TABLE: tuple[Code, ...] = tuple(v for v in tuple(globals().values()) if isinstance(v, Code))
"""Every code, in the order written above (grouped by prefix)."""

_BY_CODE = {c.code: c for c in TABLE}


def lookup(code: str) -> Code:
    """The table entry for ``code``; a ``KeyError`` names a code the table lacks."""
    return _BY_CODE[code]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The code reference for docs/codes.md, generated from :data:`TABLE`."""
    diagnostics = [c for c in TABLE if c.severity != "deny"]
    reasons = [c for c in TABLE if c.severity == "deny"]
    parts = [
        "# Diagnostic codes and reason ids",
        "",
        "Generated from `contactrules/codes.py` by `codes.markdown()`; do not edit by hand",
        "(a test keeps this file, the table and the code that emits each code in sync).",
        "",
        "A *diagnostic* is printed for a file as `path:line:col: severity code message`",
        "(see [bad-input.md](bad-input.md)). Errors fail the command; warnings fail it only",
        "under `contactrules check --strict`. Exit status: 0 fine, 1 problems in the files,",
        "2 the command was misused or could not run.",
        "",
        "A *reason id* is the `rule_id` of a reason the engine itself gives when it denies a",
        "contact before any rule could judge it (fail closed).",
        "",
        f"{len(diagnostics)} diagnostic codes and {len(reasons)} reason ids.",
        "",
        "## Diagnostic codes",
        "",
        "| Code | Severity | Exit status | Meaning | Example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in diagnostics:
        parts.append(
            f"| `{c.code}` | {c.severity} | {_cell(c.exit_status or '')} | {_cell(c.meaning)} "
            f"| {_cell(c.example)} |"
        )
    parts += [
        "",
        "## Engine reason ids",
        "",
        "| Reason id | Verdict | Meaning | Example |",
        "| --- | --- | --- | --- |",
    ]
    for c in reasons:
        parts.append(f"| `{c.code}` | {c.severity} | {_cell(c.meaning)} | {_cell(c.example)} |")
    return "\n".join(parts) + "\n"
