"""Production settings: check --deploy is clean, unsafe starts are refused, static files are served.

Settings are read once at import, so each case runs in a fresh Python with its own environment.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJTRANSCRIBE_READ_DOTENV": "0",
    "DJANGO_SETTINGS_MODULE": "djtranscribe.settings",
    "DEBUG": "false",
    "BASE_URL": "https://transcribe.example.org",
    "TWILIO_ACCOUNT_SID": "AC" + "b" * 32,
    "TWILIO_AUTH_TOKEN": "production-token",
    "TWILIO_PHONE_NUMBER": "+14155550100",
    "ASSEMBLYAI_KEY": "production-key",
    "ASSEMBLYAI_WEBHOOK_SECRET": "production-webhook-secret",
}


def run_python(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, *args],
        env={**clean, **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50), **overrides}


def settings_of(env: dict[str, str], *names: str) -> dict:
    code = "import json, djtranscribe.settings as s; print(json.dumps({n: getattr(s, n, None) for n in %r}))"
    result = run_python(["-c", code % (names,)], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_reports_no_warnings_with_production_values():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_hsts_is_turned_off_by_env():
    env = production_env(SECURE_HSTS_SECONDS="0")
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr


@pytest.mark.parametrize("key", ["", "django-insecure-djtranscribe-development-key-change-me"])
def test_the_app_refuses_to_start_with_debug_off_and_no_real_secret_key(key):
    result = run_python(["manage.py", "check"], production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DEBUG is off but SECRET_KEY (or SECRET_KEY_FALLBACKS) is empty"
        in result.stderr
    )
    assert "secrets.token_urlsafe" in result.stderr


def test_the_public_development_key_is_refused_as_a_fallback_too():
    env = production_env(
        SECRET_KEY_FALLBACKS="an-old-key-0123456789,django-insecure-djtranscribe-development-key-change-me"
    )
    result = run_python(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FALLBACKS) is empty or the development key" in result.stderr
    env = production_env(SECRET_KEY_FALLBACKS="an-old-key-0123456789")
    assert run_python(["manage.py", "check"], env).returncode == 0


def test_a_server_with_no_environment_at_all_refuses_to_start():
    result = run_python(["manage.py", "check"], {"DJTRANSCRIBE_READ_DOTENV": "0"})
    assert result.returncode != 0
    assert (
        "DEBUG is off but SECRET_KEY (or SECRET_KEY_FALLBACKS) is empty or the development key"
        in result.stderr
    )


def test_make_run_and_run_py_turn_debug_on_for_local_development():
    makefile = (BASE_DIR / "Makefile").read_text()
    run_py = (BASE_DIR / "scripts" / "run.py").read_text()
    assert "run worker migrate: export DJTRANSCRIBE_DEBUG_DEFAULT = true" in makefile
    assert 'os.environ.setdefault("DJTRANSCRIBE_DEBUG_DEFAULT", "true")' in run_py


def test_the_development_key_is_fine_with_make_runs_debug_default():
    env = {"DJTRANSCRIBE_READ_DOTENV": "0", "DJTRANSCRIBE_DEBUG_DEFAULT": "true"}
    assert run_python(["manage.py", "check"], env).returncode == 0


def test_the_development_key_is_fine_with_debug_on():
    result = run_python(["manage.py", "check"], production_env(SECRET_KEY="", DEBUG="true"))
    assert result.returncode == 0, result.stderr


def test_an_https_base_url_turns_on_redirect_secure_cookies_and_hsts():
    values = settings_of(
        production_env(),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    }


def test_a_local_http_base_url_leaves_https_settings_off():
    values = settings_of(
        production_env(BASE_URL="http://127.0.0.1:8000", DEBUG="true"),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    )
    assert values == {"SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False, "SECURE_HSTS_SECONDS": 0}


def test_each_https_setting_can_be_overridden_by_env():
    values = settings_of(production_env(SECURE_SSL_REDIRECT="false"), "SECURE_SSL_REDIRECT")
    assert values == {"SECURE_SSL_REDIRECT": False}


def test_x_forwarded_proto_is_trusted_only_when_told_to():
    untold = settings_of(production_env(), "SECURE_PROXY_SSL_HEADER")
    told = settings_of(production_env(TRUST_X_FORWARDED_PROTO="true"), "SECURE_PROXY_SSL_HEADER")
    assert untold == {"SECURE_PROXY_SSL_HEADER": None}
    assert told == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_trusted_proxy_an_https_request_is_not_redirected(client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
def test_without_trust_a_forged_x_forwarded_proto_still_gets_redirected(client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_the_admin_css_after_collectstatic_with_debug_off(tmp_path):
    port = _free_port()
    env = production_env(
        BASE_URL=f"http://127.0.0.1:{port}",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    collected = run_python(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    assert collected.returncode == 0, collected.stderr
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "djtranscribe.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env={**clean, **env},
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, page = _get(f"http://127.0.0.1:{port}/admin/login/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.3)
        assert status == 200
        css = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
        assert css, "the admin page links no hashed stylesheet (is the manifest storage on?)"
        status, headers, body = _get(f"http://127.0.0.1:{port}{css[1].decode()}")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers.get("Cache-Control", "")
        assert b"body" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
