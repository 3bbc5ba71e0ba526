"""Prometheus metrics: what operators watch (decisions by verdict and deny rule, latencies,
ledger failures, reloads), with no personal data in any label.

Labels are bounded sets: tenant ids (from the config), rule ids (from the loaded rulesets),
route templates (``/v1/reservations/{id}``, never the raw path), status codes, and error kinds.
With several worker processes each one writes its values to files in a folder the supervisor
creates (prometheus_client's multiprocess mode) and ``/metrics`` adds them up, so a scrape sees
the whole service whichever worker answers it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE", "MULTIPROCESS_ENV", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Seconds: half a millisecond to ten seconds, dense where decisions fall (1–20 ms).
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Metrics:
    """The service's metrics, registered on a registry of their own (one per application)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_ENV))
        reg = self.registry
        self.requests = Counter(
            "contactrules_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=reg,
        )
        self.request_seconds = Histogram(
            "contactrules_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.decisions = Counter(
            "contactrules_decisions",
            "Decisions given by POST /v1/decisions, by tenant and verdict (allowed, denied).",
            ["tenant", "verdict"],
            registry=reg,
        )
        self.reservations = Counter(
            "contactrules_reservations",
            "Reservations decided by the ledger, by tenant and verdict (allowed, denied).",
            ["tenant", "verdict"],
            registry=reg,
        )
        self.denials = Counter(
            "contactrules_denials",
            "Reasons of denied decisions and reservations, by tenant and rule id.",
            ["tenant", "rule_id"],
            registry=reg,
        )
        self.evaluation_seconds = Histogram(
            "contactrules_evaluation_duration_seconds",
            "Engine time per decision (validation and HTTP excluded).",
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.ledger_seconds = Histogram(
            "contactrules_ledger_duration_seconds",
            "Ledger call time (waiting for a connection included), by operation.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.ledger_errors = Counter(
            "contactrules_ledger_errors",
            "Ledger calls that failed, by tenant and kind (unavailable, error).",
            ["tenant", "kind"],
            registry=reg,
        )
        self.reloads = Counter(
            "contactrules_ruleset_reloads",
            "Ruleset reloads, by result (ok, failed: the previous rulesets kept serving).",
            ["result"],
            registry=reg,
        )
        self.fingerprint = Gauge(
            "contactrules_rulesets_fingerprint",
            "1 for the ruleset fingerprint each tenant is judged by now, 0 for earlier ones.",
            ["tenant", "fingerprint"],
            registry=reg,
            multiprocess_mode="liveall",
        )
        self._served: dict[str, str] = {}

    def judged(
        self, tenant: str, allowed: bool, deny_rules: Iterable[str], *, ledger: bool
    ) -> None:
        """Count one decision (from the ledger when ``ledger``) and each rule that denied it."""
        counter = self.reservations if ledger else self.decisions
        counter.labels(tenant, "allowed" if allowed else "denied").inc()
        for rule_id in deny_rules:
            self.denials.labels(tenant, rule_id).inc()

    def serving(self, fingerprints: dict[str, str]) -> None:
        """Record the fingerprint each tenant is served with (after a start or a reload)."""
        for tenant, old in self._served.items():
            if fingerprints.get(tenant) != old:
                self.fingerprint.labels(tenant, old).set(0)
        for tenant, new in fingerprints.items():
            self.fingerprint.labels(tenant, new).set(1)
        self._served = dict(fingerprints)

    def exposition(self) -> bytes:
        """The text a Prometheus scrape reads: this process's, or every worker's added up."""
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
