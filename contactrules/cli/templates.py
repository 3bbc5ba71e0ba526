"""``contactrules templates``: check template registries (and the rules that read each
template), render one template with data, compare two registries.

``render`` has no default registry: the texts a collector sends are the ones its officers
approved, and the example registry in the checkout is approved by nobody, so it must be named
like any other (``--templates templates/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TextIO

from ..diagnostics import Diagnostic, Location, RulesetError, exit_status, format_diagnostics
from ..engine import Engine
from ..loading.files import path_status
from ..loading.yamlsource import SourceDocument, load_yaml_file
from ..models import Channel
from ..templates.diff import compare, describe_changes
from ..templates.language import check_language
from ..templates.matrix import day_in_force, describe, judge_template
from ..templates.registry import Registry, check_paths, load_registry
from ..templates.render import render
from ..templates.sms import sms_length

__all__ = ["check", "diff_command", "parse_reference", "render_command", "run"]

MAX_DATA_BYTES = 1024 * 1024
"""An account's values fit in far less; a larger data file is refused, not read."""


def run(args: argparse.Namespace) -> int:
    """``contactrules templates check PATH…``, ``render ID[@VERSION]`` or ``diff OLD NEW``."""
    if args.templates_command == "check":
        return check(
            args.paths,
            sys.stdout,
            rulesets=args.rulesets,
            on=args.on,
            data=args.data,
            rules=not args.no_rules,
        )
    if args.templates_command == "diff":
        return diff_command(args.old, args.new, args.rulesets, args.on, args.data, sys.stdout)
    return render_command(
        args.template, args.data, args.language, args.templates, args.on, sys.stdout
    )


def check(
    paths: list[str],
    out: TextIO,
    *,
    rulesets: list[str] | None = None,
    on: dt.date | None = None,
    data: str | None = None,
    rules: bool = True,
) -> int:
    """Print each valid template's ``id@version language hash``, then the problems, then (with
    ``rules``) the matrix of the content rules that read each template; the status.

    The matrix is a report: a template denied in some situation does not fail the check (a
    reminder is not meant to be a first message), only problems in the registries do.
    """
    loaded, problems, files = check_paths(paths)
    for template in sorted(loaded, key=lambda t: t.spec.key):
        print(f"{template.spec.label} {template.spec.language} {template.content_hash}", file=out)
    for template in sorted(loaded, key=lambda t: t.spec.key):
        if template.spec.channel is Channel.SMS:  # on stderr: stdout stays one line per hash
            length = sms_length(template.spec.body).describe()
            print(
                f"{template.spec.label} {template.spec.language} sms: {length} "
                "(placeholders counted as written)",
                file=sys.stderr,
            )
    if problems:
        print(format_diagnostics(problems), file=out)
    if rules and loaded:
        engine = _engine(rulesets).with_templates(Registry(tuple(loaded)))
        values = _sample_data(data)
        day = on if on is not None else dt.date.today()
        print(f"\nrules that read each template ({_which(rulesets)}):", file=out)
        for template in sorted(loaded, key=lambda t: t.spec.key):
            cells = judge_template(engine, template, day, data=values)
            for line in describe(template, cells, day_in_force(template, day)):
                print(line, file=out)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{len(loaded)} template(s) in {files} file(s): {errors} error(s)", file=sys.stderr)
    return exit_status(problems)


def _engine(rulesets: list[str] | None) -> Engine:
    return Engine.from_path(*rulesets) if rulesets else Engine.default()


def _which(rulesets: list[str] | None) -> str:
    return "rulesets " + ", ".join(rulesets) if rulesets else "the bundled rulesets"


def _data_file(data: str) -> tuple[dict[str, object], SourceDocument]:
    """A YAML or JSON mapping of placeholder values, read bounded; a located error if not."""
    status = path_status(data)
    if isinstance(status, Diagnostic):
        raise RulesetError([status])
    doc = load_yaml_file(data, max_bytes=MAX_DATA_BYTES)
    if not isinstance(doc.value, dict):
        raise RulesetError(
            [
                Diagnostic(
                    Location(data, 1, 1),
                    "template.data-not-a-mapping",
                    "the data must be a mapping of placeholder names to values, such as "
                    "{first_name: Ana, amount: $120.00}",
                )
            ]
        )
    return doc.value, doc


def _sample_data(data: str | None) -> dict[str, object] | None:
    return None if data is None else _data_file(data)[0]


def diff_command(
    old: list[str],
    new: list[str],
    rulesets: list[str] | None,
    on: dt.date | None,
    data: str | None,
    out: TextIO,
) -> int:
    """Print what changes between two registries; 1 when a rule newly denies a message."""
    before, after = load_registry(old), load_registry(new)
    day = on if on is not None else dt.date.today()
    changes = compare(_engine(rulesets), before, after, day, data=_sample_data(data))
    lines = describe_changes(changes)
    for line in lines:
        print(line, file=out)
    regressions = sum(len(c.newly_denied) for c in changes if c.status == "changed")
    changed = sum(c.status != "unchanged" for c in changes)
    print(
        f"{changed} of {len(changes)} template text(s) in force on {day} differ; "
        f"{regressions} new denial(s) by place and situation",
        file=sys.stderr,
    )
    return 1 if regressions else 0


def parse_reference(reference: str) -> tuple[str, int | None]:
    """``"payment-reminder-sms@2"`` → ``("payment-reminder-sms", 2)``; no ``@``: no version.

    A ``ValueError`` says what is wrong with a version that is not a whole number from 1.
    """
    template_id, at, version = reference.rpartition("@")
    if not at:
        return reference, None
    if not (version.isascii() and version.isdigit()) or int(version) < 1:
        raise ValueError(
            f'"{reference}": the version after @ is a whole number from 1, such as '
            f"{template_id or 'payment-reminder-sms'}@2"
        )
    return template_id, int(version)


def _usage_error(message: str) -> int:
    print(f"contactrules: error {message}", file=sys.stderr)
    return 2


def render_command(
    reference: str,
    data: str,
    language: str,
    registries: list[str],
    on: dt.date | None,
    out: TextIO,
) -> int:
    """Print the rendered message on ``out`` and its ``id@version language hash`` on stderr."""
    try:
        template_id, version = parse_reference(reference)
        check_language(language)
    except ValueError as exc:
        return _usage_error(str(exc))
    values, doc = _data_file(data)
    registry = load_registry(registries)
    day = on if on is not None else dt.date.today()
    chosen = registry.select(template_id, language, version=version, on=day)
    message = render(
        chosen.spec,
        values,
        locate=lambda name: doc.locate((name,)),
        source=data,
    )
    print(f"{chosen.spec.label} {chosen.spec.language} {chosen.content_hash}", file=sys.stderr)
    print(message, file=out)
    return 0
