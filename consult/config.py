"""Configuration read once from the environment into one typed object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    """Settings the app needs; tests build one directly instead of touching the environment."""

    database_url: str
    secret_key: str
    redis_url: str | None = None
    # A PostgreSQL streaming replica of `database_url`: results pages and downloads read there.
    database_replica_url: str | None = None
    testing: bool = False
    csrf_enabled: bool = True
    secure_cookies: bool = False
    # argon2id cost of staff passwords: argon2-cffi's defaults (RFC 9106's low-memory profile),
    # slow on purpose. Tests use the cheapest; a change rehashes each password at its next sign-in.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # How many proxies in front of the app append to X-Forwarded-For (and set X-Forwarded-Proto).
    # 0: the header is ignored, a client could write anything in it; the connection's address
    # counts. Set it to the real number of proxies, never more.
    trusted_proxies: int = 0
    # What reading one uploaded question set or margins file may cost (consult/uploads.py):
    # seconds of CPU and of waiting, and MB of memory beyond what the worker already uses.
    upload_seconds: float = 10.0
    upload_memory_mib: int = 512
    # New responses per wave and address before a start waits, and before starts are refused
    # (limits' notation, e.g. "30 per 10 minutes"); None: the defaults in consult/rate_limits.py.
    start_burst: str | None = None
    start_limit: str | None = None

    @classmethod
    def from_environment(cls, instance_path: str) -> Config:
        """Read DATABASE_URL, DATABASE_REPLICA_URL, SECRET_KEY, REDIS_URL, the ARGON2_* costs,
        CONSULT_TRUSTED_PROXIES, the UPLOAD_* budget and CONSULT_START_*, with safe local
        defaults."""
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        default_db = "sqlite:///" + str(Path(instance_path) / "consult.sqlite3")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or default_db,
            secret_key=os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
            redis_url=os.environ.get("REDIS_URL") or None,
            database_replica_url=os.environ.get("DATABASE_REPLICA_URL") or None,
            secure_cookies=os.environ.get("SECURE_COOKIES", "") == "1",
            argon2_time_cost=int(os.environ.get("ARGON2_TIME_COST") or cls.argon2_time_cost),
            argon2_memory_kib=int(os.environ.get("ARGON2_MEMORY_KIB") or cls.argon2_memory_kib),
            argon2_parallelism=int(os.environ.get("ARGON2_PARALLELISM") or cls.argon2_parallelism),
            trusted_proxies=_proxy_count(os.environ.get("CONSULT_TRUSTED_PROXIES") or "0"),
            upload_seconds=float(os.environ.get("UPLOAD_SECONDS") or cls.upload_seconds),
            upload_memory_mib=int(os.environ.get("UPLOAD_MEMORY_MIB") or cls.upload_memory_mib),
            start_burst=_rate(os.environ.get("CONSULT_START_BURST"), "CONSULT_START_BURST"),
            start_limit=_rate(os.environ.get("CONSULT_START_LIMIT"), "CONSULT_START_LIMIT"),
        )


def _proxy_count(text: str) -> int:
    """A small whole number: a typo must stop the start, not silently trust every header."""
    if not text.strip().isdigit() or int(text) > 10:
        raise ValueError(f"CONSULT_TRUSTED_PROXIES must be a number from 0 to 10, not {text!r}")
    return int(text)


def _rate(text: str | None, name: str) -> str | None:
    """A rate such as "30 per 10 minutes"; a typo must stop the start, not drop the limit."""
    if not text:
        return None
    from limits import parse

    try:
        parse(text)
    except ValueError as error:
        raise ValueError(
            f"{name} must be a rate such as '30 per 10 minutes', not {text!r}"
        ) from error
    return text


def _instance_secret(instance_path: str) -> str:
    """Generate a secret key once and keep it in the instance folder: sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
