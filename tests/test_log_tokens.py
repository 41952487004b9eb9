"""Webhook tokens never appear in request logs: the path is logged with the token masked."""

import datetime
import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from djtranscribe.gunicorn_logging import Logger as GunicornLogger
from djtranscribe.lib.redaction import RedactSecrets, mask_tokens
from tests.fakes import url_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def request_logs(caplog):
    """caplog on the request loggers themselves (django's loggers do not propagate to the root)."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.server")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def test_it_masks_the_token_of_a_webhook_path():
    masked = mask_tokens("POST /transcription/webhook/abcDEF123_-xyz/?x=1 HTTP/1.1")
    assert masked == "POST /transcription/webhook/[token]/?x=1 HTTP/1.1"


def test_it_leaves_other_paths_alone():
    assert (
        mask_tokens("GET /transcription/12/export.txt HTTP/1.1")
        == "GET /transcription/12/export.txt HTTP/1.1"
    )


def test_a_refused_webhook_is_logged_by_django_request_without_its_token(client, submitted, request_logs):
    response = client.post(url_for(submitted), data="{}", content_type="application/json")
    assert response.status_code == 401
    logged = "\n".join(record.getMessage() for record in request_logs.records)
    assert "/transcription/webhook/[token]/" in logged
    assert submitted.webhook_token not in logged


def test_the_runserver_access_log_masks_the_token(request_logs):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "POST /transcription/webhook/secret-token-123/ HTTP/1.1", "200", "3"
    )
    [record] = request_logs.records
    assert record.getMessage() == '"POST /transcription/webhook/[token]/ HTTP/1.1" 200 3'


def test_gunicorns_access_log_fields_mask_the_token():
    logger = GunicornLogger(Config())
    path = "/transcription/webhook/secret-token-123/"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
        "HTTP_REFERER": "https://x.example" + path,
    }
    resp = SimpleNamespace(status="200 OK", sent=3, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=1))
    assert "secret-token-123" not in repr(atoms)
    assert atoms["r"] == "POST /transcription/webhook/[token]/ HTTP/1.1"


def test_gunicorn_picks_the_masking_logger_from_the_project_config():
    code = "from gunicorn.app.wsgiapp import WSGIApplication as A; a = A(); print(a.cfg.logger_class)"
    result = subprocess.run(
        [sys.executable, "-c", code, "djtranscribe.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "djtranscribe.gunicorn_logging" in result.stdout, result.stderr


def test_a_traceback_that_carries_a_webhook_path_is_logged_with_the_token_masked():
    try:
        raise ValueError(
            "AssemblyAI refused webhook_url https://x.example/transcription/webhook/tok-123456789/"
        )
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactSecrets().filter(record)
    assert "tok-123456789" not in record.exc_text
    assert "/transcription/webhook/[token]/" in record.exc_text


def test_it_masks_the_secret_path_of_a_slack_incoming_webhook():
    line = '"POST /services/T0123ABCD/B0456EFGH/abcdefGHIJKL0123456789 HTTP/1.1" 200 2'
    assert mask_tokens(line) == '"POST /services/[token] HTTP/1.1" 200 2'
