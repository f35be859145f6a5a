"""The shipped deployment files work as shipped: nginx accepts the site file, and every systemd
unit calls a `consult` command with options it has."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CONSULT = Path(sys.executable).with_name("consult")


def test_nginx_accepts_the_site_file(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    require(nginx is not None, "nginx is not installed (Debian: nginx-light)")
    openssl = shutil.which("openssl")
    require(openssl is not None, "openssl is not installed")
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [str(openssl), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=consultatie.example.nl", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "consult.conf").read_text()
    # Only the paths of this machine change: certificates and logs, nothing of the routing.
    site = site.replace("/etc/letsencrypt/live/consultatie.example.nl/", f"{tmp_path}/")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "consult.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    include {tmp_path}/consult.conf;\n"
        "}\n"
    )
    result = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_passes_what_the_app_trusts() -> None:
    """The app reads the client's address from the last X-Forwarded-For entry (one trusted
    proxy): nginx must write it, and never log an address or a query string."""
    site = (DEPLOY / "nginx" / "consult.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "proxy_set_header X-Request-Id $request_id;" in site
    log_format = site[site.index("log_format") : site.index(";", site.index("log_format"))]
    for leak in ("$remote_addr", "$request ", "$request_uri", "$args", "$http_"):
        assert leak not in log_format + " "


UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_each_systemd_unit_runs_a_real_consult_command(unit: Path) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(unit)
    start = parser["Service"]["ExecStart"]
    words = shlex.split(start.replace("%%", "%"))
    assert words[0] == "/srv/consult/venv/bin/consult", start
    arguments = [w for w in words[1:] if not w.startswith("/")]
    command = [a for a in arguments if not a.startswith("-")][:2]
    options = [a for a in arguments if a.startswith("-")]
    help_text = subprocess.run(
        [str(CONSULT), *command, "--help"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert help_text.returncode == 0, (unit.name, help_text.stderr)
    for option in options:
        assert re.search(rf"(^|\s|,){re.escape(option)}\b", help_text.stdout), (unit.name, option)
