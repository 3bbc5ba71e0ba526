"""contactrules over HTTP: an ASGI service for dialers, SMS gateways and CRMs in any language.

``contactrules serve --config service.yaml`` runs it (docs/service.md). Decisions, atomic
reservations through each tenant's own ledger, the rulesets and rules that decide, health,
readiness and Prometheus metrics; API keys select a tenant, whose policy layers are stacked on
the law. Needs the ``service`` extra (``pip install 'contactrules[service]'``); ``import
contactrules`` never imports this package.

Modules, one job each: :mod:`.config` (the config file), :mod:`.auth` (API keys),
:mod:`.reload` (rulesets and keys as one snapshot, reloaded atomically), :mod:`.inputs` (request
bodies through the library's models), :mod:`.problems` (error answers), :mod:`.ledgers`
(per-tenant ledger pools), :mod:`.metrics`, :mod:`.logs` (JSON logs), :mod:`.openapi`,
:mod:`.app` (routes) and :mod:`.server` (uvicorn, one or several workers).
"""

from __future__ import annotations

from .app import create_app
from .auth import hash_key, new_key
from .config import ServiceConfig, Tenant, load_config
from .openapi import openapi_document
from .problems import ApiError
from .reload import Snapshot, build_snapshot
from .server import Settings, serve

__all__ = [
    "ApiError",
    "ServiceConfig",
    "Settings",
    "Snapshot",
    "Tenant",
    "build_snapshot",
    "create_app",
    "hash_key",
    "load_config",
    "new_key",
    "openapi_document",
    "serve",
]
