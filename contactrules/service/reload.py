"""What the service judges with, and how it changes without a restart.

A :class:`Snapshot` holds everything a request reads: the config, the key table, and each
tenant's engine (the law, plus the tenant's policy layers stacked on it). It is built whole and
then swapped in with one assignment, so every request sees either the old state or the new one,
never half of each; a request holds the snapshot it started with until it ends.

A reload (SIGHUP, or a watched file that changed) reads the config file again and loads every
ruleset again. If anything fails (a YAML error, a ruleset that no longer lints, a config
problem), the failure is logged with its located problems and the previous snapshot keeps
serving: a typo in a policy file must not take the service down, nor leave it half-updated.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import RulesetError
from ..engine import DEFAULT_SKIP_DIRS, Engine, bundled_rulesets_dir
from ..loading.loader import load_rulesets
from ..rules.ruleset import Ruleset
from .auth import KeyTable
from .config import ServiceConfig, load_config

__all__ = ["Reloader", "Snapshot", "TenantState", "build_snapshot", "files_signature"]

Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class TenantState:
    """One tenant as a request sees it: its engine and its ledger's URL."""

    id: str
    engine: Engine
    ledger_url: str
    policies: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    config: ServiceConfig
    keys: KeyTable
    tenants: dict[str, TenantState]
    loaded_at: dt.datetime
    signature: Signature = field(default=())

    def fingerprints(self) -> dict[str, str]:
        return {t.id: t.engine.fingerprint for t in self.tenants.values()}


def _law(config: ServiceConfig) -> tuple[list[Path], tuple[Path, str] | None]:
    law = config.law_paths()
    if law is None:
        root = bundled_rulesets_dir()
        return [root], (root, "rulesets")
    return list(law), None


def build_snapshot(config: ServiceConfig) -> Snapshot:
    """Load every tenant's rulesets (raises :class:`RulesetError` with located problems).

    Tenants with the same policy layers share one engine (and its caches).
    """
    law, display = _law(config)
    engines: dict[tuple[Path, ...], Engine] = {}
    tenants: dict[str, TenantState] = {}
    for tenant in config.tenants:
        policies = config.policy_paths(tenant)
        engine = engines.get(policies)
        if engine is None:
            rulesets: list[Ruleset] = load_rulesets(
                [*law, *policies], skip_dirs=DEFAULT_SKIP_DIRS, display=display
            )
            engine = engines[policies] = Engine(rulesets)
        tenants[tenant.id] = TenantState(
            id=tenant.id,
            engine=engine,
            ledger_url=config.ledger_url(tenant),
            policies=tuple(str(p) for p in policies),
        )
    keys = KeyTable({t.id: t.keys for t in config.tenants})
    return Snapshot(
        config=config,
        keys=keys,
        tenants=tenants,
        loaded_at=dt.datetime.now(dt.timezone.utc),
        signature=files_signature(watched_paths(config)),
    )


def watched_paths(config: ServiceConfig) -> list[Path]:
    """The files a change of which is a reason to reload: the config file and every ruleset."""
    law, _ = _law(config)
    paths: list[Path] = [config.path] if config.path is not None else []
    paths.extend(law)
    for tenant in config.tenants:
        paths.extend(config.policy_paths(tenant))
    return paths


def files_signature(paths: Iterable[Path]) -> Signature:
    """Path, modification time and size of every YAML file under ``paths`` (cheap: stats only)."""
    found: list[tuple[str, int, int]] = []
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*.y*ml"))
        for path in candidates:
            try:
                info = os.stat(path)
            except OSError:
                found.append((str(path), -1, -1))
                continue
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(sorted(set(found)))


class Reloader:
    """Holds the current snapshot and replaces it whole on :meth:`reload`."""

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        on_change: Callable[[Snapshot, Snapshot], None] | None = None,
        on_failure: Callable[[RulesetError | Exception], None] | None = None,
    ) -> None:
        self.current = snapshot
        self._lock = threading.Lock()
        self._on_change = on_change
        self._on_failure = on_failure

    def reload(self) -> bool:
        """Read the config file and the rulesets again; swap them in if all load. Thread-safe:
        concurrent calls run one after another. Returns whether the new snapshot is serving."""
        with self._lock:
            old = self.current
            try:
                config = old.config if old.config.path is None else load_config(old.config.path)
                changed = [
                    t.id
                    for t in config.tenants
                    if t.id in old.tenants and config.ledger_url(t) != old.tenants[t.id].ledger_url
                ]
                if changed:
                    raise ValueError(
                        f"the ledger of tenant(s) {', '.join(changed)} changed; a ledger changes "
                        "only with a restart (the open connections and pending outcomes belong "
                        "to the old one)"
                    )
                new = build_snapshot(config)
            except Exception as exc:
                if self._on_failure is not None:
                    self._on_failure(exc)
                return False
            self.current = new
        if self._on_change is not None:
            self._on_change(old, new)
        return True

    def stale(self) -> bool:
        """Whether a watched file changed since the current snapshot was built."""
        snapshot = self.current
        return files_signature(watched_paths(snapshot.config)) != snapshot.signature
