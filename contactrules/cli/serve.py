"""``contactrules serve``: run the HTTP service; ``serve hash-key`` and ``serve openapi``.

The service itself is :mod:`contactrules.service`, imported only when this command runs, so
the other commands neither need its extra dependencies nor pay for importing them.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..diagnostics import Diagnostic, exit_status, format_diagnostics
from ..loading.files import path_status

__all__ = ["add_parser", "run"]

_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "prometheus_client", "anyio"})
_MISSING_EXTRA = (
    "contactrules serve needs the service extra: pip install 'contactrules[service]' "
    "(missing: {name})"
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``serve`` command and its two helpers."""
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service (docs/service.md)",
        description="Run the HTTP service with the tenants, keys and ledgers of a config file. "
        "SIGHUP reloads the config file and the rulesets; a failed reload keeps the old ones.",
    )
    serve.add_argument("--config", metavar="FILE", help="the service config file (YAML)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1; about one per core)"
    )
    serve.add_argument(
        "--watch",
        type=float,
        default=None,
        metavar="SECONDS",
        help="look for changed ruleset and config files this often and reload them "
        "(default: the config's watch_seconds; 0: only on SIGHUP)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--no-access-log", action="store_true", help="do not log a line per request")
    helpers = serve.add_subparsers(dest="serve_command", metavar="{hash-key,openapi}")
    key = helpers.add_parser(
        "hash-key", help="print a new random API key and the hash to put in the config file"
    )
    key.add_argument(
        "--stdin", action="store_true", help="hash the key read from standard input instead"
    )
    helpers.add_parser("openapi", help="print the OpenAPI document (docs/openapi.json)")


def run(args: argparse.Namespace) -> int:
    try:
        from .. import service
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
            raise
        print(_MISSING_EXTRA.format(name=exc.name), file=sys.stderr)
        return 2
    if args.serve_command == "hash-key":
        return _hash_key(args.stdin)
    if args.serve_command == "openapi":
        print(json.dumps(service.openapi_document(), indent=2, ensure_ascii=False))
        return 0
    if not args.config:
        print(
            "contactrules serve: give --config FILE (docs/service.md shows a minimal one; "
            "examples/service/demo.yaml is a demo)",
            file=sys.stderr,
        )
        return 2
    status = path_status(args.config)
    if isinstance(status, Diagnostic):  # a wrong path: one located line, exit 2
        print(format_diagnostics([status]), file=sys.stderr)
        return exit_status([status]) or 2
    if args.workers < 1 or not 0 <= args.port <= 65535:
        print("contactrules serve: --workers is at least 1, --port 0 to 65535", file=sys.stderr)
        return 2
    settings = service.Settings(
        config=args.config,
        host=args.host,
        port=args.port,
        workers=args.workers,
        watch_seconds=args.watch,
        log_level=args.log_level,
        access_log=not args.no_access_log,
    )
    return service.serve(settings)


def _hash_key(from_stdin: bool) -> int:
    from ..service.auth import hash_key, new_key

    if from_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            print("contactrules serve hash-key: no key on standard input", file=sys.stderr)
            return 2
        print(hash_key(key))
        return 0
    key = new_key()
    print(f"key:  {key}")
    print(f"hash: {hash_key(key)}")
    print(
        "Give the key to the client (it is shown once and stored nowhere); put the hash under "
        "the tenant's keys: in the config file.",
        file=sys.stderr,
    )
    return 0
