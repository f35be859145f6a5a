"""`consult serve`: gunicorn through its application API, as an operator starts it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from consult.cli.serve import default_threads, default_workers, gunicorn_options
from tests.consult.conftest import MINI

PORT = 5141
ROOT = Path(__file__).resolve().parents[2]
CONSULT = Path(sys.executable).with_name("consult")


def get(path: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as reply:  # noqa: S310
            return reply.status, reply.read().decode(), dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_until_serving(server: subprocess.Popen[str], deadline_seconds: float = 60) -> None:
    """Poll until the server answers (a deadline, not a timed assertion: a slow start passes)."""
    stop = time.monotonic() + deadline_seconds
    while time.monotonic() < stop:
        assert server.poll() is None, "consult serve exited"
        try:
            if get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("consult serve did not start")


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'consult.sqlite3'}",
        "SECRET_KEY": "serve-test",
        "CONSULT_LOG_LEVEL": "info",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_PARALLELISM": "1",
    }
    env.pop("REDIS_URL", None)
    for command in (["db", "upgrade"], ["surveys", "load", str(MINI), "--open"]):
        subprocess.run([str(CONSULT), *command], env=env, cwd=ROOT, check=True, capture_output=True)
    return env


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(CONSULT), "serve", "--port", str(PORT), "--workers", "2", "--threads", "2"],
        env=environment,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = tmp_path / "serve.log"  # type: ignore[attr-defined]
    try:
        wait_until_serving(process)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_serve_answers_reloads_on_sighup_and_stops_cleanly_on_sigterm(server) -> None:  # type: ignore[no-untyped-def]
    status, page, headers = get("/c/mini-2026")
    assert status == 200 and "mini" in page.lower()
    assert len(headers["X-Request-Id"]) == 32
    assert get("/readyz")[0] == 200
    assert get("/c/mini-2026/resume?code=WXYZ-2345-6789-ABCD")[0] == 200

    server.send_signal(signal.SIGHUP)  # gunicorn's graceful reload: new workers, same socket
    for _ in range(20):  # the old workers finish while the new ones start: every GET answers
        assert get("/c/mini-2026")[0] == 200
    log = server.log_path.read_text()
    assert "Hang up" in log

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    log = server.log_path.read_text()
    assert "Shutting down" in log
    requests = [json.loads(line) for line in log.splitlines() if '"consult.requests"' in line]
    routes = {line["route"] for line in requests}
    assert {"/c/<wave_slug>", "/healthz", "/readyz", "/c/<wave_slug>/resume"} <= routes
    assert "WXYZ" not in log and "127.0.0.1:" not in "".join(map(str, requests))


def test_workers_and_threads_follow_the_cores_unless_told() -> None:
    assert default_workers(2) == 5 and default_workers(8) == 17
    assert default_threads(2) == 2 and default_threads(16) == 4
    options = gunicorn_options(
        host="0.0.0.0",
        port=8000,
        workers=3,
        threads=4,
        timeout=30,
        graceful_timeout=20,
        keepalive=5,
        forwarded_allow_ips="10.0.0.5",
        max_requests=1000,
    )
    assert options["bind"] == "0.0.0.0:8000"
    assert options["forwarded_allow_ips"] == "10.0.0.5"
    assert options["accesslog"] is None  # our JSON lines replace the access log
