"""The service's configuration file: tenants, their hashed API keys, policy layers and ledgers.

Why a file and not flags: a tenant (a client or creditor of the collector) carries several
facts that must change together (its keys, the policy rulesets stacked on the law for it, the
ledger that holds its records), and a key rotation or a new policy layer is reviewed as a diff.

The file is YAML, read by the same bounded loader as rulesets and validated by a strict model
(unknown keys are errors), so a bad file is reported as ``path:line:col: error config.… message``
before the service starts, and a reload that finds one keeps serving the previous state.

Relative paths (policy rulesets, ``rulesets``, SQLite files) are read from the folder that holds
the file, so the same file works wherever the service is started from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..diagnostics import Diagnostic, Location, RulesetError
from ..loading.validation import validation_diagnostics
from ..loading.yamlsource import load_yaml_file

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONTACTS",
    "KEY_HASH",
    "Limits",
    "ServiceConfig",
    "Tenant",
    "load_config",
]

DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_CONTACTS = 1000
#: A stored key: the SHA-256 of the key text, written ``sha256:`` and 64 lower-case hex digits.
KEY_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_TENANT_ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_CONFIG_BYTES = 1_048_576


def _key_hash(value: str) -> str:
    if not KEY_HASH.match(value):
        raise PydanticCustomError(
            "key_hash",
            'a key is stored as its hash, "sha256:" and 64 hex digits (print one with '
            "`contactrules serve hash-key`); never write the key itself here",
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tenant(_Strict):
    """A client of the service: who may call (keys), which policy binds, where records go."""

    id: str = Field(pattern=_TENANT_ID, description="Short id, e.g. acme; shown in logs.")
    keys: list[str] = Field(
        min_length=1, description="Hashes of the tenant's API keys (several during a rotation)."
    )
    policies: list[str] = Field(
        default_factory=list,
        description="Policy ruleset files or folders stacked on the law for this tenant.",
    )
    ledger: str = Field(
        description="The tenant's own ledger: sqlite:///file.db, sqlite://:memory: or "
        "postgresql://…?schema=NAME; ${VAR} is replaced by the environment variable VAR."
    )

    @field_validator("keys")
    @classmethod
    def _hashes(cls, value: list[str]) -> list[str]:
        return [_key_hash(v) for v in value]


class Limits(_Strict):
    max_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=64 * 1_048_576, strict=True
    )
    max_contacts: int = Field(default=DEFAULT_MAX_CONTACTS, ge=1, le=100_000, strict=True)


class ServiceConfig(_Strict):
    """The whole file. ``rulesets`` is the law every tenant is judged by (default: bundled)."""

    rulesets: list[str] | None = Field(
        default=None,
        description="Ruleset files or folders of the law; omitted: the bundled rulesets.",
    )
    tenants: list[Tenant] = Field(min_length=1)
    limits: Limits = Field(default_factory=Limits)
    ledger_connections: int = Field(
        default=4,
        ge=1,
        le=64,
        strict=True,
        description="Connections each worker process opens to each tenant's ledger, at most.",
    )
    watch_seconds: float = Field(
        default=0,
        ge=0,
        le=3600,
        description="How often to look for changed ruleset or config files and reload them; "
        "0: only on SIGHUP.",
    )
    #: The folder relative paths are read from (the config file's); not written in the file.
    _base: Path = PrivateAttr(default_factory=Path.cwd)
    #: The file itself, when read from one (a reload reads it again).
    _path: Path | None = PrivateAttr(default=None)

    @property
    def base(self) -> Path:
        return self._base

    @property
    def path(self) -> Path | None:
        return self._path

    @model_validator(mode="after")
    def _unique(self) -> ServiceConfig:
        seen_ids: set[str] = set()
        seen_keys: set[str] = set()
        seen_ledgers: set[str] = set()
        for tenant in self.tenants:
            if tenant.id in seen_ids:
                raise PydanticCustomError(
                    "tenant_duplicate", 'tenant id "{id}" is used twice', {"id": tenant.id}
                )
            seen_ids.add(tenant.id)
            for key in tenant.keys:
                if key in seen_keys:
                    raise PydanticCustomError(
                        "key_duplicate",
                        "the same key hash belongs to two tenants; a key selects one tenant",
                    )
                seen_keys.add(key)
            if tenant.ledger in seen_ledgers:
                raise PydanticCustomError(
                    "ledger_shared",
                    'tenant "{id}" names a ledger another tenant uses; each tenant has its own '
                    "(a SQLite file or a PostgreSQL schema), which is what keeps records apart",
                    {"id": tenant.id},
                )
            seen_ledgers.add(tenant.ledger)
        return self

    # --- resolved paths -------------------------------------------------------------------
    def law_paths(self) -> tuple[Path, ...] | None:
        """The law's ruleset paths (None: the bundled rulesets)."""
        if self.rulesets is None:
            return None
        return tuple(self._resolve(p) for p in self.rulesets)

    def policy_paths(self, tenant: Tenant) -> tuple[Path, ...]:
        return tuple(self._resolve(p) for p in tenant.policies)

    def ledger_url(self, tenant: Tenant) -> str:
        """The tenant's ledger URL with ``${VAR}`` filled in and a relative SQLite path made
        relative to the config file's folder (a missing variable is a :class:`RulesetError`)."""
        url = _expand(tenant.ledger, self.path or self.base)
        for prefix in ("sqlite:///",):
            if url.startswith(prefix) and not url.startswith("sqlite:////"):
                rest = url[len(prefix) :]
                if rest and not rest.startswith(":memory:"):
                    return prefix + str((self.base / rest).resolve())
        if "://" not in url:
            return str((self.base / url).resolve())
        return url

    def _resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else self.base / candidate


def _expand(text: str, where: Path) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if found is None:
            raise RulesetError(
                [
                    Diagnostic(
                        Location(str(where)),
                        "config.missing-variable",
                        f"the ledger URL names ${{{name}}}, and the environment has no {name}",
                    )
                ]
            )
        return found

    return _ENV.sub(value, text)


def load_config(path: Path | str) -> ServiceConfig:
    """Read and validate a config file; raise :class:`RulesetError` with located problems."""
    shown = str(path)
    doc = load_yaml_file(path, max_bytes=MAX_CONFIG_BYTES, shown=shown)
    if not isinstance(doc.value, dict):
        raise RulesetError(
            [
                Diagnostic(
                    Location(shown, 1, 1),
                    "config.not-a-mapping",
                    "a service config file is a mapping with tenants: (see docs/service.md)",
                )
            ]
        )
    try:
        config = ServiceConfig.model_validate(doc.value)
    except ValidationError as exc:
        problems = validation_diagnostics(exc, doc, ServiceConfig)
        raise RulesetError(
            [
                Diagnostic(p.location, p.code.replace("ruleset.", "config."), p.message)
                for p in problems
            ]
        ) from None
    config._path = Path(path).resolve()
    config._base = config._path.parent
    for tenant in config.tenants:  # a missing ${VAR} is found now, not at the first reservation
        config.ledger_url(tenant)
    return config
