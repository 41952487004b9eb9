"""No dead ends: an unreachable BASE_URL said before dialing, a dial form that cannot work disabled,
"Try again" on an errored transcript, callbacks waiting for a worker that is not running."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from caller.callbacks import recording_callback_fields
from caller.reachability import base_url_problem
from caller.tasks import store_recording
from tests.factories import make_transcript, make_user
from tests.fakes.assemblyai import JOB_ID
from tests.fakes.tasks import DATABASE_TASKS
from tests.fakes.twilio import recording_callback
from transcription.models import TranscriptStatus

from .test_settings import load, project  # noqa: F401 (project: the fixture load() needs)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialer(client):
    user = make_user("dee", password="pw-dee-123", perms=["place_call"])
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("base_url", "why"),
    [
        ("http://127.0.0.1:8000", "loopback"),
        ("http://localhost:8011", "this computer"),
        ("https://192.168.1.20", "private"),
        ("https://10.1.2.3:8443", "private"),
        ("http://calls.example.org", "plain http"),
        ("https://devbox:8000", "local name"),
    ],
)
def test_it_names_why_twilio_cannot_reach_a_base_url(base_url, why):
    problem = base_url_problem(base_url)
    assert problem.startswith(f"Twilio cannot reach {base_url}: start ngrok and set BASE_URL")
    assert why in problem


def test_a_public_https_base_url_is_fine():
    assert base_url_problem("https://7764c1810ad3.ngrok-free.app") == ""


def test_the_home_page_warns_before_a_call_is_placed(client, dialer, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    html = client.get("/").content.decode()
    assert "Twilio cannot reach http://127.0.0.1:8000: start ngrok and set BASE_URL" in html


def test_the_dial_page_warns_too(client, dialer, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    html = client.get("/dial/14155551234/").content.decode()
    assert "Twilio cannot reach http://127.0.0.1:8000" in html


def test_no_warning_when_twilio_can_reach_the_app(client, dialer):
    assert "Twilio cannot reach" not in client.get("/").content.decode()


def test_without_twilio_the_dial_form_is_disabled_and_says_so_once(client, dialer, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    html = client.get("/").content.decode()
    assert html.count("Twilio is not configured") == 1
    assert 'disabled aria-describedby="twilio-missing"' in html


def test_the_setup_card_says_where_the_env_file_comes_from(client, dialer, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    assert "start it with <code>cp .env.example .env</code>" in client.get("/").content.decode()


def test_with_twilio_the_dial_form_is_enabled(client, dialer):
    assert 'fieldset class="plain">' in client.get("/").content.decode()


def test_make_run_passes_its_port_to_the_default_base_url():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "run worker migrate: export DJTRANSCRIBE_DEFAULT_BASE_URL = http://$(HOST):$(PORT)" in makefile


def test_the_default_base_url_follows_make_runs_port(project):  # noqa: F811
    env = {"DJTRANSCRIBE_READ_DOTENV": "0", "DJTRANSCRIBE_DEBUG_DEFAULT": "true"}
    assert load(project, **env, DJTRANSCRIBE_DEFAULT_BASE_URL="http://127.0.0.1:8011")["BASE_URL"] == (
        "http://127.0.0.1:8011"
    )
    assert load(project, **env)["BASE_URL"] == "http://127.0.0.1:8000"


def test_a_set_base_url_wins_over_make_runs_port(project):  # noqa: F811
    env = {"DJTRANSCRIBE_READ_DOTENV": "0", "DJTRANSCRIBE_DEBUG_DEFAULT": "true"}
    got = load(
        project, **env, BASE_URL="https://x.ngrok-free.app", DJTRANSCRIBE_DEFAULT_BASE_URL="http://h:1"
    )
    assert got["BASE_URL"] == "https://x.ngrok-free.app"


def errored(owner):
    return make_transcript(
        owner=owner,
        job_id=JOB_ID,
        status=TranscriptStatus.ERROR,
        error="Transcoding failed. File does not appear to contain audio.",
        audio_url="https://media.example.org/a.mp3",
    )


def test_an_errored_transcript_offers_try_again_with_the_vendors_message(client, dialer):
    transcript = errored(dialer)
    html = client.get(transcript.get_absolute_url()).content.decode()
    assert "File does not appear to contain audio." in html
    assert f'action="/transcription/{transcript.pk}/retry/"' in html and "Try again" in html


def test_a_completed_transcript_offers_no_try_again(client, dialer):
    transcript = make_transcript(completed=True, owner=dialer)
    assert "Try again" not in client.get(transcript.get_absolute_url()).content.decode()


def test_try_again_starts_the_transcript_over_as_a_new_job(client, dialer, mocked_http):
    transcript = errored(dialer)
    response = client.post(f"/transcription/{transcript.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == transcript.get_absolute_url()
    transcript.refresh_from_db()
    assert transcript.status == TranscriptStatus.PENDING
    assert transcript.job_id is None and transcript.error == ""


def test_try_again_leaves_a_completed_transcript_alone(client, dialer):
    transcript = make_transcript(completed=True, owner=dialer)
    client.post(f"/transcription/{transcript.pk}/retry/")
    transcript.refresh_from_db()
    assert transcript.status == TranscriptStatus.COMPLETED


def test_someone_else_cannot_retry_it(client, dialer):
    transcript = errored(make_user("bob"))
    assert client.post(f"/transcription/{transcript.pk}/retry/").status_code == 404
    transcript.refresh_from_db()
    assert transcript.status == TranscriptStatus.ERROR


def test_try_again_takes_only_post(client, dialer):
    transcript = errored(dialer)
    assert client.get(f"/transcription/{transcript.pk}/retry/").status_code == 405


def queue_callback(*, waited: timedelta, run_after=None):
    """A recording callback the view queued `waited` ago (the task row, as the request writes it)."""
    task = store_recording.using(run_after=run_after) if run_after else store_recording
    task.enqueue(recording_callback_fields(recording_callback()))
    DBTaskResult.objects.filter(enqueued_at__gt=timezone.now() - timedelta(seconds=5)).update(
        enqueued_at=timezone.now() - waited
    )


@pytest.fixture
def lead(client):
    user = make_user("lee", password="pw-lee-123", perms=["place_call", "view_all_calls"])
    client.force_login(user)
    return user


@override_settings(TASKS=DATABASE_TASKS)
def test_callbacks_no_worker_took_are_named_on_the_home_page_with_how_to_start_one(client, lead):
    queue_callback(waited=timedelta(minutes=3))
    queue_callback(waited=timedelta(minutes=2))
    page = client.get("/").content.decode()
    assert "2 callbacks from Twilio or AssemblyAI have waited since" in page
    assert "is a worker running, and free?" in page
    assert "db_worker --queue-name inbox" in page


@override_settings(TASKS=DATABASE_TASKS)
def test_only_those_who_see_every_call_are_told_of_everyones_callbacks(client, dialer):
    queue_callback(waited=timedelta(minutes=3))
    assert 'id="worker-late"' not in client.get("/").content.decode()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_retry_is_late_from_when_it_was_due_not_from_when_it_was_first_queued(client, lead):
    queue_callback(waited=timedelta(minutes=5), run_after=timezone.now() - timedelta(seconds=10))
    assert 'id="worker-late"' not in client.get("/").content.decode()
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(minutes=2))
    assert 'id="worker-late"' in client.get("/").content.decode()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_callback_queued_seconds_ago_or_a_retry_waiting_for_its_time_is_not_late(client, lead):
    queue_callback(waited=timedelta(seconds=10))
    queue_callback(waited=timedelta(minutes=5), run_after=timezone.now() + timedelta(seconds=40))
    assert 'id="worker-late"' not in client.get("/").content.decode()


@override_settings(TASKS=DATABASE_TASKS)
def test_once_the_worker_has_taken_them_the_notice_goes(client, lead):
    queue_callback(waited=timedelta(minutes=3))
    assert 'id="worker-late"' in client.get("/").content.decode()
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert 'id="worker-late"' not in client.get("/").content.decode()
