"""Running the application under uvicorn, in one process or in several worker processes.

Why uvicorn: the reference ASGI server, kept by the same people as Starlette, with a C HTTP
parser (httptools) and event loop (uvloop) when installed.

With ``--workers N > 1`` this module supervises the workers itself, rather than through
uvicorn's supervisor, for one reason: uvicorn answers SIGHUP by replacing its workers with new
processes, and a worker whose new rulesets do not load would not start. Here the supervisor
passes SIGHUP on to each worker, which reloads in place and keeps its previous rulesets if the
new ones fail (:mod:`.reload`). The supervisor reserves the port, starts the workers (each a
fresh interpreter), restarts a worker that dies (a bounded number of times), forwards SIGHUP,
and on SIGINT or SIGTERM lets each worker finish its requests and stop.

Where the system balances connections between sockets (Linux ``SO_REUSEPORT``), each worker
listens on a socket of its own on the port, and the kernel spreads new connections over them.
A single socket shared by the workers would not: an asyncio server accepts every connection
waiting when it wakes, so the first worker to wake takes a whole burst of clients' keep-alive
connections and serves them alone while the others idle. Elsewhere the socket is shared.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, Location, RulesetError, format_diagnostics
from .config import load_config
from .ledgers import in_memory
from .logs import configure, log_event
from .metrics import MULTIPROCESS_ENV
from .reload import Snapshot, build_snapshot

__all__ = ["Settings", "serve"]

#: A worker that could not load its config or rulesets at start exits with this status.
STARTUP_FAILED = 3
#: Worker restarts allowed within ``RESTART_WINDOW`` seconds before the supervisor gives up.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
GRACEFUL_SECONDS = 30


@dataclass(frozen=True)
class Settings:
    """How to serve: the config file, where to listen, how many workers, what to log."""

    config: str
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    watch_seconds: float | None = None
    log_level: str = "info"
    access_log: bool = True


def _uvicorn_config(app: Any, settings: Settings) -> Any:
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # logs.configure has set every logger to JSON
        log_level=settings.log_level,
        access_log=False,  # the application logs each request itself, with its request id
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )


def _app(snapshot: Snapshot, settings: Settings) -> Any:
    from .app import create_app

    return create_app(
        snapshot, watch_seconds=settings.watch_seconds, access_log=settings.access_log
    )


def serve(settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM; return the exit status (a located error is raised as
    :class:`RulesetError` before anything listens)."""
    snapshot = build_snapshot(load_config(settings.config))  # problems: located, before logging
    private = [t.id for t in snapshot.tenants.values() if in_memory(t.ledger_url)]
    if settings.workers > 1 and private:
        raise RulesetError(
            [
                Diagnostic(
                    Location(settings.config),
                    "config.invalid-value",
                    f"tenant(s) {', '.join(private)} keep their ledger in memory, which each "
                    "worker process would hold apart (caps could be exceeded across workers); "
                    "use a SQLite file or PostgreSQL with --workers above 1",
                )
            ]
        )
    _ignore_hangup_until_ready()
    configure(settings.log_level)
    log_event(
        "server.starting",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        fingerprints=snapshot.fingerprints(),
    )
    if settings.workers <= 1:
        import uvicorn

        server = uvicorn.Server(_uvicorn_config(_app(snapshot, settings), settings))
        server.run()
        return 0 if server.started else 1
    return _Supervisor(settings).run()


def _reuse_port() -> bool:
    """Whether the kernel spreads connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _socket(settings: Settings, *, listen: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if _reuse_port():
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.host, settings.port))
    if listen:
        sock.listen(2048)
    return sock


def _worker(settings: Settings, shared: socket.socket | None) -> None:
    """A worker process: load the config and rulesets itself, then serve on its own socket
    (``SO_REUSEPORT``) or on the one the supervisor shares."""
    configure(settings.log_level)
    _ignore_hangup_until_ready()
    try:
        snapshot = build_snapshot(load_config(settings.config))
    except RulesetError as exc:
        print(format_diagnostics(exc.diagnostics), file=sys.stderr)
        sys.exit(STARTUP_FAILED)
    import uvicorn

    sock = shared if shared is not None else _socket(settings, listen=True)
    server = uvicorn.Server(_uvicorn_config(_app(snapshot, settings), settings))
    server.run(sockets=[sock])


def _ignore_hangup_until_ready() -> None:
    """A SIGHUP before the application has installed its reload handler would end the process
    (the default action); until then a reload has nothing to reload, so it is ignored."""
    hup = getattr(signal, "SIGHUP", None)
    if hup is not None:
        signal.signal(hup, signal.SIG_IGN)


class _Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.context = multiprocessing.get_context("spawn")
        self.stop = threading.Event()
        self.hup = threading.Event()
        self.restarts: list[float] = []

    def _bind(self) -> socket.socket:
        """The port, held from the start (a port in use fails here, before any worker runs).

        With ``SO_REUSEPORT`` the supervisor's socket is bound but does not listen, so the
        kernel hands no connection to it; each worker listens on its own.
        """
        sock = _socket(self.settings, listen=not _reuse_port())
        sock.set_inheritable(True)
        # --port 0: the workers join the port the system chose
        self.settings = dataclasses.replace(self.settings, port=sock.getsockname()[1])
        return sock

    def _start(self, sock: socket.socket) -> Any:
        shared = None if _reuse_port() else sock
        process = self.context.Process(target=_worker, args=(self.settings, shared), daemon=False)
        process.start()
        log_event("worker.started", pid=process.pid)
        return process

    def run(self) -> int:
        folder = tempfile.mkdtemp(prefix="contactrules-metrics-")
        os.environ[MULTIPROCESS_ENV] = folder  # inherited by the workers
        sock = self._bind()
        previous = {
            sig: signal.signal(sig, self._signal)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        status = 0
        workers = [self._start(sock) for _ in range(self.settings.workers)]
        try:
            while not self.stop.wait(0.2):
                if self.hup.is_set():
                    self.hup.clear()
                    log_event("rulesets.reload_requested", trigger="SIGHUP", workers=len(workers))
                    for process in workers:
                        if process.is_alive():
                            os.kill(process.pid, signal.SIGHUP)
                for index, process in enumerate(workers):
                    if process.is_alive():
                        continue
                    status = self._replace(index, process, workers, sock)
        finally:
            for process in workers:
                if process.is_alive():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, signal.SIGTERM)
            for process in workers:
                process.join(GRACEFUL_SECONDS + 5)
                if process.is_alive():
                    process.kill()
                    process.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            sock.close()
            shutil.rmtree(folder, ignore_errors=True)
            log_event("server.stopped", status=status)
        return status

    def _replace(self, index: int, process: Any, workers: list[Any], sock: socket.socket) -> int:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(process.pid)  # type: ignore[no-untyped-call]
        code = process.exitcode
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW]
        if code == STARTUP_FAILED or len(self.restarts) >= MAX_RESTARTS:
            log_event("worker.failed", logging.ERROR, pid=process.pid, exit_code=code)
            self.stop.set()
            return 1
        self.restarts.append(now)
        log_event("worker.died", logging.WARNING, pid=process.pid, exit_code=code)
        workers[index] = self._start(sock)
        return 0

    def _signal(self, signum: int, frame: object) -> None:
        if signum == signal.SIGHUP:
            self.hup.set()
        else:
            self.stop.set()
