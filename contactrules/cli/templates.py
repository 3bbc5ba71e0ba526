"""``contactrules templates``: check template registries, render one template with data.

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
from ..loading.files import path_status
from ..loading.yamlsource import load_yaml_file
from ..templates.language import check_language
from ..templates.registry import check_paths, load_registry
from ..templates.render import render

__all__ = ["check", "parse_reference", "render_command", "run"]

MAX_DATA_BYTES = 1024 * 1024
"""An account's values fit in far less; a larger data file is refused, not read."""


def run(args: argparse.Namespace) -> int:
    """``contactrules templates check PATH…`` or ``contactrules templates render ID[@VERSION]``."""
    if args.templates_command == "check":
        return check(args.paths, sys.stdout)
    return render_command(
        args.template, args.data, args.language, args.templates, args.on, sys.stdout
    )


def check(paths: list[str], out: TextIO) -> int:
    """Print each valid template's ``id@version language hash``, then the problems; the status."""
    loaded, problems, files = check_paths(paths)
    for template in sorted(loaded, key=lambda t: t.spec.key):
        print(f"{template.spec.label} {template.spec.language} {template.content_hash}", file=out)
    if problems:
        print(format_diagnostics(problems), file=out)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{len(loaded)} template(s) in {files} file(s): {errors} error(s)", file=sys.stderr)
    return exit_status(problems)


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
    registry = load_registry(registries)
    day = on if on is not None else dt.date.today()
    chosen = registry.select(template_id, language, version=version, on=day)
    message = render(
        chosen.spec,
        doc.value,
        locate=lambda name: doc.locate((name,)),
        source=data,
    )
    print(f"{chosen.spec.label} {chosen.spec.language} {chosen.content_hash}", file=sys.stderr)
    print(message, file=out)
    return 0
