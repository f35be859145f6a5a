"""Benchmark: N concurrent citizens taking the shipped consultation over real HTTP.

    .venv/bin/python bench/load.py [--backend postgresql|sqlite] [--concurrency 10]
                                   [--duration 15] [--workers 2] [--threads 4] [--port 5171]

It makes a fresh database (PostgreSQL: `<TEST_POSTGRES_URL's database>_bench`, dropped and
created; SQLite: a file in a temporary folder), upgrades it, loads and opens
`surveys/definitions/biotech-2026.yaml`, and starts gunicorn on it. Then, with one asyncio
client (aiohttp, one cookie jar per citizen, keep-alive connections):

1. the bare endpoint `/hello` (renders a small template, touches no database) for the same
   number of concurrent clients: what the framework and the server cost by themselves;
2. N citizens, each in a loop: the start page, consent, every question page (GET, read the CSRF
   token, POST valid answers), the review page, send, the thank-you page. At the end of the
   duration each finishes the consultation it is in.

It prints completed consultations/s, page requests/s, p50/p95/p99 per kind of page, errors by
status, the ratio of the citizens' page rate to the bare endpoint's, and the CPU shares of the
client, the server (gunicorn) and everything else (the database, other programs). Then it checks
the database: each consultation the client saw thanked for is stored once, complete, with the
same answers as every other (all citizens answer alike) and nothing twice; the wave's counts hold
exactly the complete responses. The last line is

    RESULT concurrency=N completes_per_s=... pages_per_s=... ratio=... p99_ms=... lost=0 dup=0

Client and server share the machine's cores (and, here, with other programs): the figures are
noisy; compare runs made one after the other with the same command.
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[0] = ROOT

import argparse
import asyncio
import collections
import contextlib
import random
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from consult.models import Answer, Response, ResponseStatus, Wave, WeightingCell
from consult.responding.tokens import hash_token
from surveys.loader import load_file
from surveys.model import Item, QuestionSet

SHIPPED = Path(ROOT) / "surveys" / "definitions" / "biotech-2026.yaml"
WAVE = "biotech-2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RESUME_CODE = re.compile(r'<strong class="code">([A-Z0-9-]+)</strong>')
PAGE_PATH = re.compile(r"/c/[\w-]+/page/(\w+)$")
# Pages are addressed by position; the form names the page it shows.
SHOWN_PAGE = re.compile(r'name="shown_page" value="([^"]+)"')
#: Statuses and failures after which a request is sent again (the server or a worker was gone).
RETRIED = {500, 502, 503, 504}
RETRIES = 5
#: No request waits longer (a worker killed while it answered leaves nothing to wait for).
TIMEOUT = aiohttp.ClientTimeout(total=20)


def valid_fields(item: Item) -> dict[str, list[str]]:
    """Form fields that answer `item` validly (as the test suite's citizen does)."""
    plain = [c for c in item.choices if not c.missing and not c.exclusive]
    if item.type in ("single", "likert"):
        return {item.code: [str(plain[-1].code)]}
    if item.type == "multiple":
        return {item.code: [str(c.code) for c in plain[: int(item.min or 1)]]}
    if item.type == "battery":
        return {row.code: [str(plain[0].code)] for row in item.rows}
    if item.type == "ranking":
        return {f"{item.code}.{c.code}": [str(rank)] for rank, c in enumerate(item.choices, 1)}
    if item.type == "number":
        return {item.code: [str(int(item.min) if item.min is not None else 30)]}
    if item.type == "slider":
        return {item.code: [str(int(item.max if item.max is not None else 10))]}
    if item.type in ("text", "textarea"):
        return {item.code: ["Zorgen over veiligheid & <script>"]}
    return {}


def page_form(
    question_set: QuestionSet, page_id: str, csrf: str, html: str
) -> tuple[list[tuple[str, str]], set[str]]:
    """The answers to post on a page, and the codes they will be stored under: those of the
    items the page shows (an item hidden by a condition has no fields on it)."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf), ("action", "next")]
    codes: set[str] = set()
    for item in question_set.page(page_id).items:
        answers = valid_fields(item)
        if any(f'name="{name}"' in html for name in answers):
            codes.update(item.answer_codes)
        for name, values in answers.items():
            fields += [(name, value) for value in values]
    return fields, codes


@dataclass
class Tally:
    """What the client saw: latencies per kind of request, errors, completed consultations."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    retries: int = 0
    #: The resume code of each consultation the client was thanked for, with the answer codes
    #: it gave.
    completed: list[tuple[str, set[str]]] = field(default_factory=list)
    abandoned: int = 0

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class Failed(Exception):
    """A request that did not answer as a citizen's browser expects."""


async def send(
    http: aiohttp.ClientSession, tally: Tally, kind: str, method: str, url: str, **kwargs: Any
) -> tuple[int, str, str]:
    """One request, timed; sent again when the server was unreachable or failed (5xx).
    Returns status, body and the Location header."""
    for attempt in range(RETRIES + 1):
        started = time.perf_counter()
        try:
            async with http.request(method, url, allow_redirects=False, **kwargs) as answer:
                body = await answer.text()
                status = answer.status
                location = answer.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError) as error:
            tally.errors[f"{kind} {type(error).__name__}"] += 1
            status, body, location = 0, "", ""
        else:
            tally.latencies[kind].append((time.perf_counter() - started) * 1000)
        if status and status not in RETRIED:
            return status, body, location
        if status:
            tally.errors[f"{kind} {status}"] += 1
        if attempt < RETRIES:
            tally.retries += 1
            await asyncio.sleep(0.05 * (attempt + 1))
    raise Failed(f"{kind}: no answer after {RETRIES} retries")


def expect(kind: str, status: int, wanted: int, tally: Tally) -> None:
    if status != wanted:
        tally.errors[f"{kind} {status}"] += 1
        raise Failed(f"{kind}: {status}")


async def citizen(
    base: str,
    connector: aiohttp.BaseConnector,
    question_set: QuestionSet,
    tally: Tally,
    deadline: float,
) -> None:
    """Take the consultation again and again until the deadline, each time as a new browser."""
    while time.monotonic() < deadline:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1 too
        async with aiohttp.ClientSession(
            base, connector=connector, connector_owner=False, cookie_jar=jar, timeout=TIMEOUT
        ) as http:
            try:
                tally.completed.append(await take_part(http, question_set, tally))
            except Failed:
                tally.abandoned += 1


async def take_part(
    http: aiohttp.ClientSession, question_set: QuestionSet, tally: Tally
) -> tuple[str, set[str]]:
    """One consultation from the start page to the thank-you page; returns its resume code and
    the codes it answered."""
    status, body, _ = await send(http, tally, "start GET", "GET", f"/c/{WAVE}")
    expect("start GET", status, 200, tally)
    data = {"csrf_token": CSRF.findall(body)[0], "consent": "y"}
    status, _, location = await send(
        http, tally, "start POST", "POST", f"/c/{WAVE}/start", data=data
    )
    expect("start POST", status, 303, tally)
    token = ""
    codes: set[str] = set()
    for _ in range(100):
        page = PAGE_PATH.search(location)
        if page is None:
            break
        status, body, _ = await send(http, tally, "page GET", "GET", location)
        expect("page GET", status, 200, tally)
        token = token or RESUME_CODE.findall(body)[0]
        page_id = SHOWN_PAGE.findall(body)[0]
        form, shown = page_form(question_set, page_id, CSRF.findall(body)[0], body)
        codes |= shown
        status, body, location = await send(http, tally, "page POST", "POST", location, data=form)
        expect("page POST", status, 303, tally)
    if not location.endswith("/review"):
        tally.errors[f"page POST went to {location}"] += 1
        raise Failed(location)
    status, body, _ = await send(http, tally, "review GET", "GET", location)
    expect("review GET", status, 200, tally)
    data = {"csrf_token": CSRF.findall(body)[0]}
    status, _, location = await send(http, tally, "review POST", "POST", location, data=data)
    expect("review POST", status, 303, tally)
    status, body, _ = await send(http, tally, "thanks GET", "GET", location)
    expect("thanks GET", status, 200, tally)
    if not location.endswith("/thanks"):
        raise Failed(location)
    return token, codes


async def bare_client(
    base: str, connector: aiohttp.BaseConnector, tally: Tally, deadline: float
) -> None:
    async with aiohttp.ClientSession(
        base, connector=connector, connector_owner=False, timeout=TIMEOUT
    ) as http:
        while time.monotonic() < deadline:
            try:
                status, _, _ = await send(http, tally, "bare GET", "GET", "/hello")
                expect("bare GET", status, 200, tally)
            except Failed:
                pass


async def run_phase(base: str, concurrency: int, seconds: float, make: Any) -> float:
    """Run `concurrency` clients made by `make(base, connector, deadline)`; returns seconds."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    started = time.monotonic()
    deadline = started + seconds
    try:
        await asyncio.gather(*(make(base, connector, deadline) for _ in range(concurrency)))
    finally:
        await connector.close()
    return time.monotonic() - started


# --- the machine: CPU of the client, the server and the rest ---------------------------------


def process_tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuShares:
    client: float
    server: float
    rest: float


def measure(server_pid: int, run: Any) -> tuple[Any, CpuShares]:
    """Run `run()` and the share of the machine's cores each party used meanwhile."""
    cores = os.cpu_count() or 1
    before = (own_cpu_seconds(), cpu_seconds(process_tree(server_pid)), machine_busy_seconds())
    started = time.monotonic()
    result = run()
    wall = (time.monotonic() - started) * cores
    after = (own_cpu_seconds(), cpu_seconds(process_tree(server_pid)), machine_busy_seconds())
    client, server, busy = (b - a for a, b in zip(before, after, strict=True))
    server = max(server, 0)  # a killed worker takes its CPU time with it
    return result, CpuShares(client / wall, server / wall, max(busy - client - server, 0) / wall)


class WorkerKiller:
    """SIGKILLs one gunicorn worker (a child of the master) every `every` seconds, as a crash
    would; the master starts another. Clients retry what got no answer."""

    def __init__(self, master: int, every: float) -> None:
        self.master, self.every, self.kills = master, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerKiller:
        if self.every > 0:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        chooser = random.Random(1)
        while not self._stop.wait(self.every):
            # Only a worker that has had time to boot and answer: on a busy machine a new worker
            # takes seconds to start, and killing it again would leave nobody to answer.
            workers = [pid for pid in process_tree(self.master)[1:] if _age(pid) > self.every]
            if workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(chooser.choice(workers), signal.SIGKILL)
                    self.kills += 1


def _age(pid: int) -> float:
    """Seconds since process `pid` started (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as uptime:
            return float(uptime.read().split()[0]) - started
    except OSError:
        return 0.0


def run_citizens(
    base: str,
    server_pid: int,
    concurrency: int,
    seconds: float,
    question_set: QuestionSet,
    kill_every: float = 0,
) -> tuple[Tally, float, int]:
    """The citizens' phase: returns what the client saw, how long it took, and the workers
    killed meanwhile (with `kill_every` seconds)."""
    tally = Tally()
    with WorkerKiller(server_pid, kill_every) as killer:
        elapsed = asyncio.run(
            run_phase(
                base,
                concurrency,
                seconds,
                lambda b, c, d: citizen(b, c, question_set, tally, d),
            )
        )
    return tally, elapsed, killer.kills


# --- setting up: database and server ----------------------------------------------------------


def prepare_database(backend: str, folder: Path) -> str:
    """A fresh database with the shipped consultation open; returns its URL."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        base = make_url(
            os.environ.get("TEST_POSTGRES_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/consult"
        )
        url = base.set(database=f"{base.database}_bench").render_as_string(hide_password=False)
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"{base.database}_bench"
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    consult = [_consult_command()]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    for args in (["db", "upgrade"], ["surveys", "load", str(SHIPPED), "--open"]):
        subprocess.run([*consult, *args], env=env, check=True, capture_output=True, cwd=ROOT)
    return url


def _consult_command() -> str:
    found = Path(sys.executable).parent / "consult"
    return str(found) if found.exists() else shutil.which("consult") or "consult"


def start_server(url: str, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    # Every simulated citizen comes from 127.0.0.1, where a real crowd comes from many
    # addresses: the starts per address that hold back ballot stuffing are lifted here.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "CONSULT_START_BURST": "1000000 per minute",
        "CONSULT_START_LIMIT": "1000000 per minute",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--worker-tmp-dir",
        "/dev/shm",
        "consult.wsgi:app",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    for _ in range(300):
        time.sleep(0.1)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/hello", timeout=2):
                return server
        except OSError:
            continue
    server.terminate()
    raise SystemExit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


# --- checking the database --------------------------------------------------------------------


@dataclass
class Check:
    complete: int
    lost: int
    dup: int
    unacknowledged: int
    counted: int


def check_database(url: str, tally: Tally) -> Check:
    """Compare what the client was thanked for with what the database holds."""
    engine = create_engine(url)
    with engine.connect() as connection:
        wave_id = connection.scalar(select(Wave.id).where(Wave.slug == WAVE))
        responses = {
            token_hash: (id_, status)
            for id_, status, token_hash in connection.execute(
                select(Response.id, Response.status, Response.resume_token_hash).where(
                    Response.wave_id == wave_id
                )
            )
        }
        answers: dict[int, list[tuple[Any, ...]]] = collections.defaultdict(list)
        for response_id, *cell in connection.execute(
            select(Answer.response_id, Answer.code, Answer.option, Answer.number, Answer.text)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.wave_id == wave_id, Response.status == ResponseStatus.COMPLETE)
        ):
            answers[response_id].append(tuple(cell))
        counted = connection.scalar(
            select(func.coalesce(func.sum(WeightingCell.respondents), 0)).where(
                WeightingCell.wave_id == wave_id
            )
        )
    engine.dispose()
    complete_ids = {id_ for id_, status in responses.values() if status == ResponseStatus.COMPLETE}
    lost = dup = 0
    acknowledged = set()
    for token, codes in tally.completed:
        found = responses.get(hash_token(token))
        if found is None or found[1] != ResponseStatus.COMPLETE:
            lost += 1
            continue
        if found[0] in acknowledged:
            dup += 1  # two citizens thanked for one response
        acknowledged.add(found[0])
        cells = answers[found[0]]
        if {cell[0] for cell in cells} != codes:
            lost += 1  # an answer missing (or one it never gave)
        dup += len(cells) - len({cell[:2] for cell in cells})  # a code and option twice
    return Check(
        complete=len(complete_ids),
        lost=lost,
        dup=dup + max(int(counted or 0) - len(complete_ids), 0),
        unacknowledged=len(complete_ids - acknowledged),
        counted=int(counted or 0),
    )


# --- report -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def report_latencies(tally: Tally) -> None:
    print(f"  {'kind':<12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(tally.latencies.items()):
        print(
            f"  {kind:<12} {len(values):>7} {percentile(values, 0.5):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}"
        )
    for error, n in sorted(tally.errors.items()):
        print(f"  error {error}: {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of each phase")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5171)
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL"))
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record the server's stacks during the citizens' phase with py-spy (collapsed "
        "stacks, for flamegraph.pl or speedscope); `pip install py-spy` first",
    )
    parser.add_argument(
        "--kill-every",
        type=float,
        default=0,
        metavar="SECONDS",
        help="SIGKILL a gunicorn worker this often during the citizens' phase (a fault run)",
    )
    args = parser.parse_args()

    question_set = load_file(SHIPPED)
    folder = Path(tempfile.mkdtemp(prefix="consult-load-"))
    url = prepare_database(args.backend, folder)
    server = start_server(url, args, folder / "gunicorn.log")
    base = f"http://127.0.0.1:{args.port}"
    print(
        f"{args.backend}, {args.concurrency} concurrent clients, gunicorn {args.workers} workers "
        f"x {args.threads} threads, {os.cpu_count()} cores shared by client, server, database "
        "and whatever else runs (figures are noisy)"
    )
    try:
        bare = Tally()
        seconds, bare_cpu = measure(
            server.pid,
            lambda: asyncio.run(
                run_phase(
                    base,
                    args.concurrency,
                    args.duration,
                    lambda b, c, d: bare_client(b, c, bare, d),
                )
            ),
        )
        bare_rate = bare.requests / seconds
        print(f"bare endpoint /hello: {bare_rate:.0f} requests/s")
        report_latencies(bare)
        print(
            f"  cpu: client {bare_cpu.client:.0%}, server {bare_cpu.server:.0%}, "
            f"rest {bare_cpu.rest:.0%} of {os.cpu_count()} cores"
        )

        profiler = None
        if args.profile:
            profiler = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--subprocesses",
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--output",
                    args.profile,
                    "--pid",
                    str(server.pid),
                ],
                stdout=subprocess.DEVNULL,
            )
        (citizens, seconds, kills), cpu = measure(
            server.pid,
            lambda: run_citizens(
                base, server.pid, args.concurrency, args.duration, question_set, args.kill_every
            ),
        )
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    completes = len(citizens.completed) / seconds
    pages = citizens.requests / seconds
    all_latencies = [v for values in citizens.latencies.values() for v in values]
    p99 = percentile(all_latencies, 0.99)
    ratio = pages / bare_rate if bare_rate else 0.0
    print(
        f"citizens: {len(citizens.completed)} consultations completed in {seconds:.1f} s "
        f"= {completes:.1f}/s; {pages:.0f} page requests/s ({ratio:.2f} of the bare endpoint); "
        f"{citizens.retries} retries, {citizens.abandoned} abandoned"
        + (f"; {kills} workers killed (their CPU is missing below)" if args.kill_every else "")
    )
    report_latencies(citizens)
    server_ms = cpu.server * seconds * (os.cpu_count() or 1) * 1000
    print(
        f"  server cpu: {server_ms / max(len(citizens.completed), 1):.0f} ms per completed "
        f"consultation, {server_ms / max(citizens.requests, 1):.1f} ms per page request "
        "(steadier than the rates on a shared machine)"
    )
    print(
        f"  cpu: client {cpu.client:.0%}, server {cpu.server:.0%}, rest (database, other "
        f"programs) {cpu.rest:.0%} of {os.cpu_count()} cores"
    )
    check = check_database(url, citizens)
    print(
        f"database: {check.complete} complete responses, {check.counted} counted, "
        f"thanked but not stored whole: {check.lost}; "
        f"stored twice: {check.dup}; stored but not acknowledged: {check.unacknowledged}"
    )
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"RESULT concurrency={args.concurrency} completes_per_s={completes:.1f} "
        f"pages_per_s={pages:.0f} ratio={ratio:.2f} p99_ms={p99:.0f} "
        f"lost={check.lost} dup={check.dup} backend={args.backend}"
        + (f" kills={kills}" if args.kill_every else "")
    )


if __name__ == "__main__":
    main()
