"""A hard time and memory budget for reading an uploaded file.

The readers refuse the hostile files they know (alias bombs, zip bombs, huge sheets) early, but
a file may still find a slow or greedy path through a parser. So an upload is read in a child
process with resource limits: its address space may grow by at most `memory_mib` (RLIMIT_AS),
it may use `seconds` of CPU (RLIMIT_CPU) and, waited for, as much wall-clock time; past either
it is killed and the organizer told so. The worker that serves citizens never does the work.
The child is forked, so it starts in milliseconds with the parsers already loaded; it only
parses (no database, no Flask) and sends back the result or the error, pickled.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from consult.messages import N_, ExplainedError

T = TypeVar("T")


@dataclass(frozen=True)
class UploadBudget:
    """What reading one upload may cost; `None` reads in the process itself (the CLI: the
    operator's own file)."""

    seconds: float = 10.0
    memory_mib: int = 512


class UploadTooCostly(ExplainedError):
    """The file took more time or memory to read than an upload may."""


def too_costly(budget: UploadBudget) -> UploadTooCostly:
    return UploadTooCostly(
        N_(
            "Reading this file takes more than %(seconds)s seconds or %(mib)s MB of memory, the "
            "most an upload may take. Split it, or remove what it does not need (e.g. unused "
            "sheets or very long texts)."
        ),
        seconds=f"{budget.seconds:g}",
        mib=budget.memory_mib,
    )


def read_within(budget: UploadBudget | None, read: Callable[..., T], *args: Any) -> T:
    """`read(*args)` in a child process within `budget`; its exceptions are raised here as they
    were raised there. Raises `UploadTooCostly` when the child ran out of time or memory."""
    if budget is None:
        return read(*args)
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, budget, read, args))
    child.start()
    sending.close()
    try:
        if not receiving.poll(budget.seconds):
            raise too_costly(budget)
        try:
            outcome, value = receiving.recv()
        except EOFError:  # killed by the CPU limit, or it could not even report its MemoryError
            raise too_costly(budget) from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "memory":
        raise too_costly(budget)
    if outcome == "error":
        raise value
    return value  # type: ignore[no-any-return]


def _child(
    sending: Connection, budget: UploadBudget, read: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    """Limit this process, read, and send back ("ok", result), ("error", exception) or
    ("memory", None)."""
    grown_to = _address_space() + budget.memory_mib * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        grown_to = min(grown_to, hard)
    resource.setrlimit(resource.RLIMIT_AS, (grown_to, hard))
    cpu = max(1, math.ceil(budget.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        result: tuple[str, Any] = ("ok", read(*args))
    except MemoryError:
        result = ("memory", None)
    except Exception as error:  # noqa: BLE001 - any failure is the parent's to raise
        result = ("error", error)
    try:
        sending.send(result)
    except MemoryError:
        sending.send(("memory", None))
    except Exception as error:  # noqa: BLE001 - e.g. an exception that cannot be pickled
        sending.send(("error", RuntimeError(f"reading the upload failed: {error!r}")))
    sending.close()


def _address_space() -> int:
    """This process's current address space in bytes (the forked parent's, parsers loaded)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")
