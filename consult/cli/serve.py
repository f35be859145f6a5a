"""`consult serve`: the app under gunicorn, configured through gunicorn's application API.

gunicorn's own master handles the signals: SIGHUP reloads the configuration and replaces the
workers gracefully (each finishes its requests), SIGTERM stops them gracefully, SIGINT/SIGQUIT
at once. Behind a proxy, `CONSULT_TRUSTED_PROXIES` makes the app read the client's address from
X-Forwarded-For (Werkzeug's ProxyFix in `consult.app`); `--forwarded-allow-ips` is gunicorn's own
list of addresses whose forwarded headers it trusts (`X-Forwarded-Proto` for `wsgi.url_scheme`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import click


def default_workers(cpus: int | None = None) -> int:
    """gunicorn's rule of thumb, 2 x cores + 1: a worker waits on the database about half the
    time, so two per core keep the cores busy."""
    return 2 * (cpus or os.cpu_count() or 1) + 1


def default_threads(cpus: int | None = None) -> int:
    """A few threads per worker hide database and network waits without the memory of more
    processes; the GIL makes more than a handful useless for our CPU-bound pages."""
    return 2 if (cpus or os.cpu_count() or 1) <= 2 else 4


def gunicorn_options(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    timeout: int,
    graceful_timeout: int,
    keepalive: int,
    forwarded_allow_ips: str,
    max_requests: int,
) -> dict[str, Any]:
    """The gunicorn settings `consult serve` runs with (a function, so tests can read them)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # gthread: a slow client or a long download occupies a thread, not a whole worker.
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "keepalive": keepalive,
        "forwarded_allow_ips": forwarded_allow_ips,
        # Recycling workers now and then bounds the memory a leak could take.
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10 if max_requests else 0,
        # The app logs one JSON line per request itself (consult.logs): no access log with
        # addresses or query strings; gunicorn's own messages go to stderr.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": os.environ.get("CONSULT_LOG_LEVEL", "info").lower(),
        "proc_name": "consult",
    }


def _application(options: dict[str, Any]) -> Any:
    from gunicorn.app.base import BaseApplication

    class ConsultApplication(BaseApplication):  # type: ignore[misc]
        """gunicorn with our settings and our app; each worker builds the app after fork (no
        preload), so a reload on SIGHUP picks up new code and configuration."""

        def __init__(self, settings: dict[str, Any]) -> None:
            self.settings = settings
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from consult.app import compute_on_one_core, create_app

            compute_on_one_core()
            return create_app()

    return ConsultApplication(options)


@click.command("serve", help="Serve the app with gunicorn (workers and threads from the cores).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, envvar="PORT")
@click.option("--workers", type=int, help="Worker processes  [default: 2 x cores + 1]")
@click.option("--threads", type=int, help="Threads per worker  [default: 2, 4 above 2 cores]")
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=int,
    help="Seconds before a silent worker is restarted.",
)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=int,
    help="Seconds a worker has to finish its requests at a reload or stop.",
)
@click.option(
    "--keepalive",
    default=5,
    show_default=True,
    type=int,
    help="Seconds to keep an idle connection from the proxy open.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1,::1",
    show_default=True,
    envvar="FORWARDED_ALLOW_IPS",
    help="Proxy addresses whose X-Forwarded-Proto gunicorn trusts ('*' for any).",
)
@click.option(
    "--max-requests",
    default=10000,
    show_default=True,
    type=int,
    help="Requests after which a worker is replaced (0: never).",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading, one process.")
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int | None,
    timeout: int,
    graceful_timeout: int,
    keepalive: int,
    forwarded_allow_ips: str,
    max_requests: int,
    dev: bool,
) -> None:
    from consult.logs import log_level

    level = log_level()  # a typo in CONSULT_LOG_LEVEL stops here, not in every worker
    if dev:
        from werkzeug.serving import run_simple

        from consult.app import create_app

        # Reloads on a code change; no interactive debugger (it would run code for anyone).
        # Werkzeug's access lines carry addresses and query strings: ours replace them.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        run_simple(host, port, create_app(), use_reloader=True, threaded=True)
        return
    options = gunicorn_options(
        host=host,
        port=port,
        workers=workers or default_workers(),
        threads=threads or default_threads(),
        timeout=timeout,
        graceful_timeout=graceful_timeout,
        keepalive=keepalive,
        forwarded_allow_ips=forwarded_allow_ips,
        max_requests=max_requests,
    )
    options["loglevel"] = level.lower()
    _application(options).run()
