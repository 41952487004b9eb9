"""djtranscribe/settings.py, imported fresh in a subprocess with a chosen environment and `.env`."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "djtranscribe" / "settings.py"
SHOW = """
import json
from djtranscribe import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "BASE_URL": s.BASE_URL,
    "DEBUG": s.DEBUG,
    "ASSEMBLYAI_KEY": s.ASSEMBLYAI_KEY,
    "ASSEMBLYAI_BASE_URL": s.ASSEMBLYAI_BASE_URL,
    "TRANSCRIPTION_SPEECH_MODELS": s.TRANSCRIPTION_SPEECH_MODELS,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "OPTIONS": db.get("OPTIONS", {}),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "SECRET_KEY_FALLBACKS": s.SECRET_KEY_FALLBACKS,
}))
"""


@pytest.fixture
def project(tmp_path):
    """A copy of the settings module in a folder of its own, where a `.env` can be put."""
    package = tmp_path / "djtranscribe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(SETTINGS, package / "settings.py")
    shutil.copy(ROOT / "djtranscribe" / "rest_settings.py", package / "rest_settings.py")  # the API's
    # The whole of lib/: settings read through env.py and its neighbours (storage_url.py).
    shutil.copytree(
        ROOT / "djtranscribe" / "lib", package / "lib", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def run(project: Path, **env: str) -> subprocess.CompletedProcess:
    # A real key: with DEBUG off by default, the development key would refuse to load.
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(project),
        "SECRET_KEY": "settings-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=project, env=clean, capture_output=True, text=True, timeout=60
    )


def load(project: Path, **env: str) -> dict:
    result = run(project, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(project: Path, **env: str) -> str:
    """The last line of the error the settings stop with."""
    result = run(project, **env)
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_a_typo_in_validate_signatures_stops_the_app_instead_of_turning_the_check_off(project):
    error = refusal(project, DJTRANSCRIBE_READ_DOTENV="0", TWILIO_VALIDATE_SIGNATURES="ture")
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: TWILIO_VALIDATE_SIGNATURES='ture'")
    assert "true/false" in error


def test_a_typo_in_the_dotenv_file_stops_the_app_too(project):
    (project / ".env").write_text("TWILIO_DELETE_RECORDINGS=flase\n")
    assert "TWILIO_DELETE_RECORDINGS='flase'" in refusal(project)


def test_a_timeout_that_is_not_a_duration_stops_the_app(project):
    error = refusal(project, DJTRANSCRIBE_READ_DOTENV="0", ASSEMBLYAI_TIMEOUT="thirty")
    assert "ASSEMBLYAI_TIMEOUT='thirty'" in error and "duration" in error


def test_an_integer_setting_that_is_not_a_whole_number_stops_the_app(project):
    assert "DIAL_TIME_LIMIT='1h'" in refusal(project, DJTRANSCRIBE_READ_DOTENV="0", DIAL_TIME_LIMIT="1h")


def test_read_dotenv_is_itself_read_strictly(project):
    assert "DJTRANSCRIBE_READ_DOTENV='nope'" in refusal(project, DJTRANSCRIBE_READ_DOTENV="nope")


def test_read_dotenv_false_ignores_the_dotenv_file_like_0(project):
    (project / ".env").write_text("ASSEMBLYAI_KEY=from-dotenv\n")
    assert load(project, DJTRANSCRIBE_READ_DOTENV="false")["ASSEMBLYAI_KEY"] == ""


def test_base_urls_host_is_allowed_and_trusted_for_csrf(project):
    s = load(project, BASE_URL="https://7764c1810ad3.ngrok.io/")
    assert s["BASE_URL"] == "https://7764c1810ad3.ngrok.io"
    assert "7764c1810ad3.ngrok.io" in s["ALLOWED_HOSTS"]
    assert "https://7764c1810ad3.ngrok.io" in s["CSRF_TRUSTED_ORIGINS"]
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


def test_base_urls_host_is_added_to_hosts_given_in_the_environment(project):
    s = load(project, BASE_URL="https://calls.example.org:8443", ALLOWED_HOSTS="app.internal")
    assert s["ALLOWED_HOSTS"] == ["app.internal", "calls.example.org"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://calls.example.org:8443"]


def test_a_dotenv_file_is_read_when_present(project):
    (project / ".env").write_text("ASSEMBLYAI_KEY=from-dotenv\nBASE_URL=https://dotenv.example.com\n")
    s = load(project)
    assert s["ASSEMBLYAI_KEY"] == "from-dotenv"
    assert "dotenv.example.com" in s["ALLOWED_HOSTS"]


def test_the_environment_wins_over_the_dotenv_file(project):
    (project / ".env").write_text("ASSEMBLYAI_KEY=from-dotenv\n")
    assert load(project, ASSEMBLYAI_KEY="from-env")["ASSEMBLYAI_KEY"] == "from-env"


def test_the_dotenv_file_is_ignored_when_read_dotenv_is_0(project):
    (project / ".env").write_text("ASSEMBLYAI_KEY=from-dotenv\nDEBUG=false\n")
    s = load(project, DJTRANSCRIBE_READ_DOTENV="0", DEBUG="true")
    assert s["ASSEMBLYAI_KEY"] == ""
    assert s["DEBUG"] is True


def test_earlier_secret_keys_are_read_as_a_list(project):
    assert load(project)["SECRET_KEY_FALLBACKS"] == []
    assert load(project, SECRET_KEY_FALLBACKS=" old-key-1 , old-key-2,")["SECRET_KEY_FALLBACKS"] == [
        "old-key-1",
        "old-key-2",
    ]


def test_debug_is_off_unless_set(project):
    assert load(project, DJTRANSCRIBE_READ_DOTENV="0")["DEBUG"] is False


def test_make_run_turns_debug_on_by_default(project):
    assert load(project, DJTRANSCRIBE_READ_DOTENV="0", DJTRANSCRIBE_DEBUG_DEFAULT="true")["DEBUG"] is True


def test_debug_set_in_dotenv_wins_over_make_runs_default(project):
    (project / ".env").write_text("DEBUG=false\n")
    assert load(project, DJTRANSCRIBE_DEBUG_DEFAULT="true")["DEBUG"] is False


def test_defaults_need_no_environment_at_all(project):
    s = load(project, DJTRANSCRIBE_READ_DOTENV="0")
    assert s["BASE_URL"] == "http://127.0.0.1:8000"
    assert s["ASSEMBLYAI_BASE_URL"] == "https://api.assemblyai.com"
    assert s["TRANSCRIPTION_SPEECH_MODELS"] == ["universal-3-pro", "universal-2"]
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["NAME"] == str(project / "db.sqlite3")


def test_sqlite_is_tuned_for_a_server_and_a_worker_writing_at_once(project):
    options = load(project, DJTRANSCRIBE_READ_DOTENV="0")["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_database_url_selects_postgresql(project):
    s = load(project, DJTRANSCRIBE_READ_DOTENV="0", DATABASE_URL="postgres://djt:pw@db.internal:5432/djt")
    assert (s["ENGINE"], s["NAME"]) == ("django.db.backends.postgresql", "djt")
    assert "transaction_mode" not in s["OPTIONS"]


def test_sqlite_keeps_its_connection_between_requests_by_default(project):
    assert load(project, DJTRANSCRIBE_READ_DOTENV="0")["CONN_MAX_AGE"] == 600


def test_postgresql_opens_a_connection_per_request_unless_told(project):
    url = "postgres://djt:pw@db.internal:5432/djt"
    assert load(project, DJTRANSCRIBE_READ_DOTENV="0", DATABASE_URL=url)["CONN_MAX_AGE"] == 0
    assert (
        load(project, DJTRANSCRIBE_READ_DOTENV="0", DATABASE_URL=url, DB_CONN_MAX_AGE="60")["CONN_MAX_AGE"]
        == 60
    )


def test_db_conn_max_age_0_gives_sqlite_a_connection_per_request(project):
    assert load(project, DJTRANSCRIBE_READ_DOTENV="0", DB_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


def test_lists_are_read_comma_separated(project):
    s = load(project, DJTRANSCRIBE_READ_DOTENV="0", TRANSCRIPTION_SPEECH_MODELS=" universal-2 , ")
    assert s["TRANSCRIPTION_SPEECH_MODELS"] == ["universal-2"]


def variables_settings_reads() -> set[str]:
    # settings.py, and storage_url.py which it asks where the archive goes (a URL or AWS_* variables).
    source = SETTINGS.read_text() + (ROOT / "djtranscribe" / "lib" / "storage_url.py").read_text()
    names = set(re.findall(r'env_[a-z_]+\(\s*"([A-Z0-9_]+)"', source))
    names |= set(re.findall(r'^\s+"(AWS_[A-Z0-9_]+)": "', source, re.MULTILINE))
    return names | set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', source))


def test_env_example_documents_every_variable_settings_reads():
    example = (ROOT / ".env.example").read_text()
    assert variables_settings_reads() - set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", example)) == set()


def test_env_example_sets_only_variables_settings_reads():
    example = (ROOT / ".env.example").read_text()
    assert (
        set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE)) - variables_settings_reads() == set()
    )


def test_the_readme_documents_every_variable_settings_reads():
    readme = (ROOT / "README.md").read_text()
    assert {name for name in variables_settings_reads() if f"`{name}" not in readme} == set()


def test_the_env_example_as_a_dotenv_gives_the_defaults(project):
    shutil.copy(ROOT / ".env.example", project / ".env")
    s = load(project)
    assert s["BASE_URL"] == "http://127.0.0.1:8000"
    assert s["ASSEMBLYAI_KEY"] == ""
    assert s["ASSEMBLYAI_BASE_URL"] == "https://api.assemblyai.com"
    assert s["TRANSCRIPTION_SPEECH_MODELS"] == ["universal-3-pro", "universal-2"]
    assert s["NAME"] == str(project / "db.sqlite3")


def test_a_typo_in_a_setting_with_named_choices_stops_the_app_under_any_server(project):
    # The system check names it too, but gunicorn runs no system checks: "uplaod" would mean upload.
    error = refusal(project, DJTRANSCRIBE_READ_DOTENV="0", TRANSCRIPTION_AUDIO_SOURCE="uplaod")
    assert "TRANSCRIPTION_AUDIO_SOURCE='uplaod'" in error and "upload or url" in error


@pytest.mark.parametrize(
    "name, value", [("TRANSCRIPTION_MAX_ATTEMPTS", "0"), ("DIAL_RING_TIMEOUT", "-5"), ("TWILIO_TIMEOUT", "0")]
)
def test_a_count_or_timeout_that_cannot_work_stops_the_app(project, name, value):
    assert f"{name}={value!r}" in refusal(project, DJTRANSCRIBE_READ_DOTENV="0", **{name: value})


def test_a_dial_rate_limit_that_is_not_a_rate_stops_the_app_instead_of_failing_the_first_dial(project):
    error = refusal(project, DJTRANSCRIBE_READ_DOTENV="0", DIAL_RATE_LIMIT="ten a day")
    assert "DIAL_RATE_LIMIT='ten a day'" in error and "10/hour" in error


def test_an_outbound_webhook_url_without_its_secret_stops_the_app(project):
    error = refusal(
        project, DJTRANSCRIBE_READ_DOTENV="0", OUTBOUND_WEBHOOK_URL="https://ops.example.com/hook"
    )
    assert "OUTBOUND_WEBHOOK_URL is set but OUTBOUND_WEBHOOK_SECRET is not" in error


def test_a_malformed_outbound_webhook_secret_stops_the_app_without_showing_it(project):
    error = refusal(project, DJTRANSCRIBE_READ_DOTENV="0", OUTBOUND_WEBHOOK_SECRET="hunter2hunter2hunter2")
    assert "OUTBOUND_WEBHOOK_SECRET cannot be read" in error and "hunter2" not in error
