"""One JSON line per request, with nothing in it that belongs to a citizen."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from consult.logs import LOGGER_NAME, JsonFormatter, configure_logging, log_level
from tests.consult.conftest import MINI, csrf_from

SECRET_CODE = "ABCD-EFGH-JKLM-NPQR"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The request log lines as the JSON formatter writes them."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == LOGGER_NAME
    ]


def test_each_request_logs_one_line_with_the_route_pattern(
    client, load_set, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    reply = client.get(f"/c/{wave}")
    (line,) = request_lines(caplog)
    assert line["method"] == "GET"
    assert line["route"] == "/c/<wave_slug>"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == reply.headers["X-Request-Id"]
    assert len(str(line["request_id"])) == 32


def test_codes_tokens_and_addresses_never_reach_the_log(
    client, load_set, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    caplog.set_level(logging.DEBUG)
    page = client.get(
        f"/c/{wave}/resume?code={SECRET_CODE}", environ_base={"REMOTE_ADDR": "203.0.113.77"}
    )
    token = csrf_from(page.get_data(as_text=True))
    client.post(
        f"/c/{wave}/resume?next={SECRET_CODE}",
        data={"code": SECRET_CODE, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    client.get(f"/c/{wave}/page/{SECRET_CODE}", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    client.get("/api/v1/waves", headers={"Authorization": f"Bearer {SECRET_CODE}"})
    lines = request_lines(caplog)
    assert [line["route"] for line in lines] == [
        "/c/<wave_slug>/resume",
        "/c/<wave_slug>/resume",
        "/c/<wave_slug>/page/<page>",
        lines[-1]["route"],
    ]
    everything = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for secret in (SECRET_CODE, "ABCD", "203.0.113.77", token, "code=", "Bearer"):
        assert secret not in everything


def test_error_pages_show_the_request_id_of_their_log_line(
    client, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    reply = client.get("/no/such/page")
    assert reply.status_code == 404
    request_id = reply.headers["X-Request-Id"]
    assert request_id in reply.get_data(as_text=True)
    (line,) = request_lines(caplog)
    assert line == {**line, "route": "(no route)", "status": 404, "request_id": request_id}


def test_an_id_from_our_proxy_is_kept_and_anything_else_replaced(client) -> None:  # type: ignore[no-untyped-def]
    nginx_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert (
        client.get("/healthz", headers={"X-Request-Id": nginx_id}).headers["X-Request-Id"]
        == nginx_id
    )
    forged = client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"})
    assert forged.headers["X-Request-Id"] != "<script>x</script>"


@pytest.fixture
def app_loggers() -> Iterator[None]:
    """Put the app's loggers back as they were: configuring them is for the whole process."""
    names = ("consult", "flask_limiter", "flask-limiter")
    saved = {
        name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers))
        for name in names
    }
    yield
    for name, (level, handlers) in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).handlers[:] = handlers


def test_the_log_level_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, app_loggers: None
) -> None:
    monkeypatch.setenv("CONSULT_LOG_LEVEL", "warning")
    assert log_level() == "WARNING"
    configure_logging()
    assert not logging.getLogger(LOGGER_NAME).isEnabledFor(logging.INFO)
    monkeypatch.setenv("CONSULT_LOG_LEVEL", "chatty")
    with pytest.raises(ValueError, match="CONSULT_LOG_LEVEL"):
        log_level()
    configure_logging("INFO")
    assert logging.getLogger(LOGGER_NAME).isEnabledFor(logging.INFO)


def test_the_app_answers_in_json_lines() -> None:
    record = logging.LogRecord(LOGGER_NAME, logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"method": "GET", "status": 200}  # type: ignore[attr-defined]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info" and line["method"] == "GET" and line["time"].endswith("Z")
