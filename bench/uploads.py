"""Benchmark: what the upload budget costs, and a citizen's save beside an upload on SQLite.

    .venv/bin/python bench/uploads.py [--rounds 5]

1. Reading the shipped question set (YAML) in the worker itself and within the upload budget
   (`consult.uploads.read_within`: a forked child with resource limits), median of the rounds.
2. On a fresh SQLite file, an organizer uploads the shipped set (read for real, about half a
   second) while a citizen saves a page, each request in a thread of its own: how long the save
   took against the upload. Before write locks were taken only to write, the save waited for
   the whole upload.

Prints one line each:

    RESULT read_inline_ms=<ms> read_within_budget_ms=<ms>
    RESULT upload_ms=<ms> citizen_save_ms=<ms>
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import datetime as dt
import statistics
import tempfile
import threading
import time
from pathlib import Path

from consult import create_app
from consult.accounts import service as accounts
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import Role
from consult.uploads import UploadBudget, read_within
from surveys.files import load_upload

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
MINI = ROOT / "tests" / "consult" / "fixtures" / "mini.yaml"
CHEAP = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


def milliseconds(action, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def reading(rounds: int) -> None:
    data = SHIPPED.read_bytes()
    inline = milliseconds(lambda: load_upload("set.yaml", data), rounds)
    budgeted = milliseconds(
        lambda: read_within(UploadBudget(), load_upload, "set.yaml", data), rounds
    )
    print(f"RESULT read_inline_ms={inline:.0f} read_within_budget_ms={budgeted:.0f}")


def token(html: str) -> str:
    return html.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]


def side_by_side(folder: str) -> None:
    url = f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(Config(database_url=url, secret_key="bench", testing=True, **CHEAP))
    with app.app_context():
        upgrade_database(db)
        passwords = accounts.passwords_for(app.config["CONSULT"])
        accounts.create_user(
            db.session, "a@example.org", Role.ADMIN, "x" * 16, dt.date.today(), passwords=passwords
        )
        db.commit()
    assert (
        app.test_cli_runner().invoke(args=["surveys", "load", str(MINI), "--open"]).exit_code == 0
    )
    citizen = app.test_client()
    page = citizen.get("/c/mini-2026").get_data(as_text=True)
    citizen.post("/c/mini-2026/start", data={"csrf_token": token(page), "consent": "y"})
    form = citizen.get("/c/mini-2026/page/knowledge").get_data(as_text=True)
    organizer = app.test_client()
    login = organizer.get("/admin/login").get_data(as_text=True)
    organizer.post(
        "/admin/login",
        data={"email": "a@example.org", "password": "x" * 16, "csrf_token": token(login)},
    )
    admin_token = token(organizer.get("/admin/").get_data(as_text=True))
    took: dict[str, float] = {}

    def upload() -> None:
        started = time.perf_counter()
        with SHIPPED.open("rb") as file:
            reply = organizer.post(
                "/admin/upload", data={"csrf_token": admin_token, "file": (file, "set.yaml")}
            )
        assert reply.status_code == 303, reply.status_code
        took["upload"] = (time.perf_counter() - started) * 1000

    uploader = threading.Thread(target=upload)
    uploader.start()
    time.sleep(0.05)  # the upload is under way: signed in, reading the file
    started = time.perf_counter()
    saved = citizen.post(
        "/c/mini-2026/page/knowledge",
        data={"csrf_token": token(form), "KNOW": "1", "action": "next"},
    )
    took["save"] = (time.perf_counter() - started) * 1000
    uploader.join()
    assert saved.status_code == 303, saved.status_code
    print(f"RESULT upload_ms={took['upload']:.0f} citizen_save_ms={took['save']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    reading(args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        side_by_side(folder)


if __name__ == "__main__":
    main()
