"""The HTTP application: routes, authentication, and the answers' shapes.

Starlette, not FastAPI: request bodies are validated by the library's own models, with the
library's located problems (a JSON pointer, a stable code, a message), which is exactly what
FastAPI's automatic validation would replace; without it, FastAPI's other gift, an OpenAPI
document derived from handler signatures, is lost too. Starlette is the small, well-kept core
both share (routing, requests, responses, lifespan), it adds nothing per request that this
service does not use, and the OpenAPI document is generated from the same models
(:mod:`.openapi`), kept in docs/ and checked by a test.

Judging is inline on the event loop (a decision is CPU work of well under a millisecond; a large
batch goes to a thread so that one request cannot stall the others), and every ledger call runs
in a thread from the tenant's pool (:mod:`.ledgers`).

Fail closed everywhere: an exception while judging is a 500 whose body says the contact was not
judged; no error answer carries anything a client could read as "allowed".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..decision import Decision
from ..diagnostics import RulesetError
from ..ledger import Ledger, LedgerError, Reservation, UnknownRecordError
from ..ledger.base import ConnectionLostError, IdempotencyConflictError
from ..models import Contact, Outcome
from ..records import History
from .inputs import outcome_update, parse_json, reservation_request, scenarios
from .ledgers import LedgerPools
from .logs import REQUEST_ID, log_event, logger
from .metrics import CONTENT_TYPE, Metrics
from .openapi import openapi_document
from .problems import ApiError, error_response, json_response
from .reload import Reloader, Snapshot, TenantState

__all__ = ["Service", "create_app"]

_INFO = "contactrules"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
_RESERVATION_ID = re.compile(r"^rsv_([0-9]{1,18})_([0-9a-f]{12})$")
#: Contacts in one request judged inline on the event loop; more go to a worker thread.
INLINE_CONTACTS = 8
READY_TIMEOUT = 3.0
NOT_JUDGED = (
    "the contact was NOT judged because of an internal error; do not contact on this answer "
    "(the error is logged under this request id)"
)


class Service:
    """What the handlers share: the current rulesets and keys, ledger pools, and metrics."""

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        metrics: Metrics | None = None,
        access_log: bool = True,
    ) -> None:
        self.metrics = metrics or Metrics()
        self.reloader = Reloader(snapshot, on_change=self._changed, on_failure=self._failed)
        self.pools = LedgerPools(snapshot.config.ledger_connections)
        self.access_log = access_log
        self._reloading: asyncio.Lock | None = None

    # --- state ------------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self.reloader.current

    def _changed(self, old: Snapshot, new: Snapshot) -> None:
        self.metrics.reloads.labels("ok").inc()
        self.metrics.serving(new.fingerprints())
        log_event(
            "rulesets.reloaded",
            fingerprints=new.fingerprints(),
            previous=old.fingerprints(),
        )

    def _failed(self, exc: Exception) -> None:
        self.metrics.reloads.labels("failed").inc()
        problems = (
            [str(d) for d in exc.diagnostics[:20]]
            if isinstance(exc, RulesetError)
            else [f"{type(exc).__name__}: {exc}"]
        )
        log_event(
            "rulesets.reload_failed",
            logging.ERROR,
            problems=problems,
            serving=self.snapshot.fingerprints(),
        )

    async def reload(self) -> bool:
        """Reload in a worker thread (loading takes a fraction of a second); one at a time."""
        if self._reloading is None:
            self._reloading = asyncio.Lock()
        async with self._reloading:
            return await anyio.to_thread.run_sync(self.reloader.reload)

    # --- requests ---------------------------------------------------------------------------
    def tenant(self, request: Request) -> TenantState:
        """The caller's tenant, or a 401 that says nothing about why."""
        snapshot = self.snapshot  # the request is served by this snapshot to its end
        request.scope[_INFO]["snapshot"] = snapshot
        tenant_id = snapshot.keys.tenant_for(request.headers.get("authorization"))
        tenant = None if tenant_id is None else snapshot.tenants.get(tenant_id)
        if tenant is None:
            raise ApiError(
                401,
                "service.unauthorized",
                "a valid API key is required: Authorization: Bearer <key>",
                headers={"WWW-Authenticate": 'Bearer realm="contactrules"'},
            )
        request.scope[_INFO]["tenant"] = tenant.id
        return tenant

    async def body(self, request: Request) -> bytes:
        """The body, read up to the configured limit (413 beyond it, before reading it all)."""
        limit = self.snapshot_of(request).config.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    def snapshot_of(self, request: Request) -> Snapshot:
        """The snapshot the request started with (the current one before authentication)."""
        found = request.scope[_INFO].get("snapshot")
        return found if isinstance(found, Snapshot) else self.snapshot

    async def ledger_call(
        self, tenant: TenantState, operation: str, call: Callable[[Ledger], Any]
    ) -> Any:
        """Run a ledger operation for the tenant; ledger failures become 503/409 answers."""
        pool = self.pools.pool(tenant.ledger_url)
        started = time.perf_counter()
        try:
            return await pool.run(tenant.engine, call)
        except IdempotencyConflictError:
            raise ApiError(
                409,
                "service.idempotency-conflict",
                "this Idempotency-Key was used for a different contact; use a new key for a new "
                "contact",
            ) from None
        except UnknownRecordError:
            raise _not_found("reservation") from None
        except LedgerError as exc:
            kind = "unavailable" if isinstance(exc, ConnectionLostError) else "error"
            self.metrics.ledger_errors.labels(tenant.id, kind).inc()
            log_event(
                "ledger_call.failed",
                logging.ERROR,
                tenant=tenant.id,
                operation=operation,
                error_type=type(exc).__name__,
            )
            raise ApiError(
                503,
                "service.ledger-unavailable",
                "the ledger cannot be reached now; nothing was recorded by this attempt that a "
                "retry with the same Idempotency-Key would not return; retry later",
                headers={"Retry-After": "1"},
            ) from None
        finally:
            self.metrics.ledger_seconds.labels(operation).observe(time.perf_counter() - started)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, "service.body-too-large", f"the body is larger than the limit of {limit:,} bytes"
    )


def _not_found(what: str) -> ApiError:
    return ApiError(404, "service.not-found", f"no such {what}")


# --- reservation ids --------------------------------------------------------------------------
def _tag(tenant: str, decision_id: int) -> str:
    return hashlib.sha256(f"{tenant}:{decision_id}".encode()).hexdigest()[:12]


def reservation_id(tenant: str, decision_id: int) -> str:
    """The public id of a reservation: its decision id, tagged for its tenant.

    Each tenant has its own ledger, whose decision ids count from 1 like every other tenant's;
    the tag makes an id one tenant was given unknown (404) to every other tenant, rather than
    naming that tenant's own decision with the same number.
    """
    return f"rsv_{decision_id}_{_tag(tenant, decision_id)}"


def _decision_id(tenant: str, public: str) -> int:
    match = _RESERVATION_ID.match(public)
    if match is None:
        raise _not_found("reservation")
    number = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _tag(tenant, number)):
        raise _not_found("reservation")
    return number


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ApiError(
            400,
            "service.invalid-idempotency-key",
            "Idempotency-Key is 1 to 128 visible ASCII characters (a UUID is a good choice)",
        )
    return key


def _scoped(tenant: str, key: str) -> str:
    """The key as the ledger stores it: a tenant's keys can never meet another tenant's."""
    return f"{tenant}/{key}"


def _reservation_body(
    tenant: TenantState, reservation: Reservation, outcome: Outcome | None = None
) -> dict[str, Any]:
    key = reservation.idempotency_key
    body: dict[str, Any] = {
        "id": reservation_id(tenant.id, reservation.decision_id),
        "allowed": reservation.allowed,
        "recorded": reservation.record_id is not None,
        "idempotency_key": None if key is None else key.split("/", 1)[-1],
        "decision": reservation.decision.as_dict(),
    }
    if outcome is not None:
        body["outcome"] = outcome.value
    return body


# --- handlers ---------------------------------------------------------------------------------
def _deny_rules(decision: Decision) -> list[str]:
    return [r.rule_id for r in decision.reasons]


def _judge_all(
    service: Service, tenant: TenantState, items: list[tuple[tuple[Contact, ...], History]]
) -> list[list[Decision]]:
    engine = tenant.engine
    observe = service.metrics.evaluation_seconds.observe
    out: list[list[Decision]] = []
    for contacts, history in items:
        decisions = []
        for contact in contacts:
            started = time.perf_counter()
            decision = engine.evaluate(contact, history)
            observe(time.perf_counter() - started)
            decisions.append(decision)
        out.append(decisions)
    return out


async def decisions(service: Service, request: Request) -> Response:
    tenant = service.tenant(request)
    data = parse_json(await service.body(request))
    limits = service.snapshot_of(request).config.limits
    parsed, many = scenarios(data, limits.max_contacts)
    items = [(s.contacts, s.history) for s in parsed]
    count = sum(len(c) for c, _ in items)
    if count <= INLINE_CONTACTS:
        judged = _judge_all(service, tenant, items)
    else:
        judged = await anyio.to_thread.run_sync(_judge_all, service, tenant, items)
    allowed = 0
    for group in judged:
        for decision in group:
            allowed += decision.allowed
            service.metrics.judged(tenant.id, decision.allowed, _deny_rules(decision), ledger=False)
    request.scope[_INFO].update(decisions=count, allowed=allowed)
    results = [{"decisions": [d.as_dict() for d in group]} for group in judged]
    return json_response({"results": results} if many else results[0])


async def reserve(service: Service, request: Request) -> Response:
    tenant = service.tenant(request)
    key = _idempotency_key(request)
    contact = reservation_request(parse_json(await service.body(request)))
    scoped = None if key is None else _scoped(tenant.id, key)
    reservation: Reservation = await service.ledger_call(
        tenant, "reserve", lambda ledger: ledger.reserve(contact, idempotency_key=scoped)
    )
    decision = reservation.decision
    service.metrics.judged(tenant.id, decision.allowed, _deny_rules(decision), ledger=True)
    request.scope[_INFO].update(decisions=1, allowed=int(decision.allowed))
    body = _reservation_body(tenant, reservation)
    headers = {"Location": f"/v1/reservations/{body['id']}"}
    if reservation.replayed:  # a retry: the first answer again, nothing new recorded
        headers["Idempotent-Replayed"] = "true"
    return json_response(body, 201, headers)


async def get_reservation(service: Service, request: Request) -> Response:
    tenant = service.tenant(request)
    number = _decision_id(tenant.id, request.path_params["id"])
    found: Reservation | None = await service.ledger_call(
        tenant, "read", lambda ledger: ledger.reservation(number)
    )
    if found is None:
        raise _not_found("reservation")
    return json_response(_reservation_body(tenant, found))


async def patch_reservation(service: Service, request: Request) -> Response:
    tenant = service.tenant(request)
    number = _decision_id(tenant.id, request.path_params["id"])
    outcome = outcome_update(parse_json(await service.body(request)))

    def record(ledger: Ledger) -> Reservation | None:
        found = ledger.reservation(number)
        if found is None or found.record_id is None:
            return found
        ledger.record_outcome(found.record_id, outcome)
        return found

    found: Reservation | None = await service.ledger_call(tenant, "record_outcome", record)
    if found is None:
        raise _not_found("reservation")
    if found.record_id is None:
        raise ApiError(
            409,
            "service.not-recorded",
            "this reservation was denied, so no contact was recorded and it has no outcome",
        )
    return json_response(_reservation_body(tenant, found, outcome))


async def rulesets(service: Service, request: Request) -> Response:
    tenant = service.tenant(request)
    engine = tenant.engine
    return json_response(
        {
            "fingerprint": engine.fingerprint,
            "version": _library_version(),
            "loaded_at": service.snapshot_of(request).loaded_at.isoformat(),
            "rulesets": [
                {
                    "id": rs.id,
                    "title": rs.spec.title,
                    "digest": "sha256:" + rs.digest(),
                    "jurisdiction": rs.spec.jurisdiction.model_dump(mode="json", exclude_none=True),
                    "binds": [b.value for b in rs.spec.binds],
                    "extends": rs.spec.extends,
                    "effective_from": _day(rs.spec.effective_from),
                    "effective_until": _day(rs.spec.effective_until),
                    "rules": len(rs.spec.rules),
                }
                for rs in engine.rulesets
            ],
        }
    )


async def rule(service: Service, request: Request) -> Response:
    from ..cli.explain import describe

    tenant = service.tenant(request)
    rule_id = request.path_params["rule_id"]
    found = tenant.engine.rule(rule_id)
    if found is None:
        raise _not_found("rule")
    item, ruleset = found
    where = ruleset.rule_locations.get(item.id)
    return json_response(
        {
            "id": item.id,
            "kind": item.KIND,
            "ruleset": ruleset.id,
            "title": item.title,
            "citation": item.citation,
            "channels": [c.value for c in item.channels],
            "confidence": item.confidence,
            "severity": item.severity,
            "source": str(where) if where is not None else ruleset.path,
            "note": " ".join(item.note.split()) if item.note else None,
            "explanation": describe(tenant.engine, rule_id),
        }
    )


async def healthz(service: Service, request: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(service: Service, request: Request) -> Response:
    """Ready when the rulesets are loaded and every tenant's ledger answers a read."""
    snapshot = service.snapshot
    failing: list[str] = []
    for tenant in snapshot.tenants.values():
        pool = service.pools.pool(tenant.ledger_url)
        try:
            with anyio.fail_after(READY_TIMEOUT):
                await pool.run(tenant.engine, lambda ledger: ledger.reservation(0))
        except Exception as exc:
            failing.append(tenant.id)
            log_event(
                "ledger_call.unreachable",
                logging.WARNING,
                tenant=tenant.id,
                error_type=type(exc).__name__,
            )
    ready = not failing
    body = {
        "status": "ready" if ready else "not_ready",
        "rulesets": "loaded",
        "ledgers": f"{len(snapshot.tenants) - len(failing)} of {len(snapshot.tenants)} reachable",
    }
    return json_response(body, 200 if ready else 503)


async def metrics(service: Service, request: Request) -> Response:
    return Response(service.metrics.exposition(), media_type=CONTENT_TYPE)


async def openapi(service: Service, request: Request) -> Response:
    return json_response(openapi_document())


def _library_version() -> str:
    from .._version import __version__

    return __version__


def _day(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


# --- wiring -----------------------------------------------------------------------------------
Handler = Callable[[Service, Request], Awaitable[Response]]

#: (method, path template, handler, judges contacts). docs/openapi.json lists the same routes.
ROUTES: tuple[tuple[str, str, Handler, bool], ...] = (
    ("POST", "/v1/decisions", decisions, True),
    ("POST", "/v1/reservations", reserve, True),
    ("GET", "/v1/reservations/{id}", get_reservation, False),
    ("PATCH", "/v1/reservations/{id}", patch_reservation, False),
    ("GET", "/v1/rulesets", rulesets, False),
    ("GET", "/v1/rules/{rule_id}", rule, False),
    ("GET", "/healthz", healthz, False),
    ("GET", "/readyz", readyz, False),
    ("GET", "/metrics", metrics, False),
    ("GET", "/openapi.json", openapi, False),
)


def _endpoint(
    service: Service, template: str, handler: Handler, judges: bool
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        info = request.scope.setdefault(_INFO, {})
        info["route"] = template
        try:
            return await handler(service, request)
        except ApiError as exc:
            return error_response(exc, judged=False if judges else None)
        except Exception:
            logger.error(
                "request failed",
                exc_info=True,
                extra={"event": "request.failed", "fields": {"route": template}},
            )
            code = "service.not-judged" if judges else "service.internal-error"
            message = NOT_JUDGED if judges else "internal error (logged under this request id)"
            return error_response(ApiError(500, code, message), judged=False if judges else None)

    return endpoint


class _Observe:
    """Request id, access log, request metrics, and the last line of defence against errors."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        try:
            text = given.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        request_id = text if _REQUEST_ID.match(text) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        info: dict[str, Any] = {"route": "unmatched"}
        scope[_INFO] = info
        started = time.perf_counter()
        status = 500
        responded = False
        extra_headers = [(b"x-request-id", request_id.encode()), (b"cache-control", b"no-store")]

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status = message["status"]
                responded = True
                message = {**message, "headers": [*message.get("headers", []), *extra_headers]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.error(
                "request failed",
                exc_info=True,
                extra={"event": "request.failed", "fields": {"route": info["route"]}},
            )
            if not responded:
                error = ApiError(500, "service.internal-error", NOT_JUDGED)
                await error_response(error, judged=False)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = info.pop("route")
            info.pop("snapshot", None)
            metrics = self.service.metrics
            metrics.requests.labels(route, scope["method"], str(status)).inc()
            metrics.request_seconds.labels(route).observe(elapsed)
            if self.service.access_log:
                log_event(
                    "request",
                    method=scope["method"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1e3, 3),
                    **info,
                )
            REQUEST_ID.reset(token)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (wrong method) as JSON error bodies."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    codes = {404: "service.not-found", 405: "service.method-not-allowed"}
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    message = "no such endpoint" if status == 404 else "this endpoint does not take that method"
    return error_response(
        ApiError(status, codes.get(status, "service.internal-error"), message, headers=headers)
    )


def create_app(
    snapshot: Snapshot, *, watch_seconds: float | None = None, access_log: bool = True
) -> Starlette:
    """The ASGI application serving ``snapshot`` (reloaded on SIGHUP, and every
    ``watch_seconds`` when a watched file changed; default: the config's ``watch_seconds``)."""
    service = Service(snapshot, access_log=access_log)
    interval = snapshot.config.watch_seconds if watch_seconds is None else watch_seconds
    routes = [
        Route(path, _endpoint(service, path, handler, judges), methods=[method])
        for method, path, handler, judges in ROUTES
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        hup = getattr(signal, "SIGHUP", None)
        if hup is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hup, lambda: tasks.append(loop.create_task(_hup())))
        if interval > 0:
            tasks.append(loop.create_task(_watch(service, interval)))
        await anyio.to_thread.run_sync(_warm_up, service.snapshot)
        service.metrics.serving(service.snapshot.fingerprints())
        log_event("server.started", fingerprints=service.snapshot.fingerprints())
        try:
            yield
        finally:
            if hup is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(hup)
            for task in tasks:
                task.cancel()
            await anyio.to_thread.run_sync(service.pools.close)
            log_event("server.stopped")

    async def _hup() -> None:
        log_event("rulesets.reload_requested", trigger="SIGHUP")
        await service.reload()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.service = service
    return _Observe(app, service)  # type: ignore[return-value]


#: A scenario judged once by each engine at start: it builds the validators and caches the
#: first request would otherwise pay for (a tenth of a second), so no client sees that.
_WARM_UP: dict[str, Any] = {
    "consumer": {
        "id": "warm-up",
        "addresses": [{"country": "US", "subdivision": "OH", "city": "Columbus"}],
        "phones": [{"number": "+16145550100", "type": "mobile"}],
        "debts": [{"id": "D1"}],
    },
    "history": [
        {"channel": "call", "at": "2026-06-01T10:00:00-04:00", "outcome": "no_answer"},
    ],
    "contacts": [
        {"channel": "call", "at": "2026-06-02T07:30:00-04:00", "debt_ids": ["D1"]},
    ],
}


def _warm_up(snapshot: Snapshot) -> None:
    parsed, _ = scenarios(_WARM_UP, 1)
    engines = {id(t.engine): t.engine for t in snapshot.tenants.values()}
    for engine in engines.values():
        for item in parsed:
            for contact in item.contacts:
                engine.evaluate(contact, item.history).as_dict()


async def _watch(service: Service, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            stale = await anyio.to_thread.run_sync(service.reloader.stale)
        except Exception:  # a folder that went away mid-walk: look again next time
            continue
        if stale:
            log_event("rulesets.reload_requested", trigger="watch")
            await service.reload()
