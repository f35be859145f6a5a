"""`consult serve`: the app under gunicorn."""

from __future__ import annotations

import sys

import click


@click.command("serve", help="Serve the app (gunicorn when available, else Flask's server).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, envvar="PORT")
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # Access logs show method and path only: gunicorn's default format would log client
        # addresses, and the query string can carry a resume or invitation code.
        "--access-logformat",
        '"%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "consult.wsgi:app",
    ]
    run()
