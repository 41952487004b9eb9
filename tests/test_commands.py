"""`manage.py transcribe` and `manage.py print_transcription`: output, exit codes, stored rows."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from django.core.management import get_commands, load_command_class

from tests.factories import make_recording, make_transcript
from tests.fakes import AAI, ACCOUNT, submitted_bodies
from transcription.management.commands import transcribe
from transcription.models import AudioSource, Transcript, TranscriptStatus

pytestmark = pytest.mark.django_db

JOB = "5551722-f677-48a2-b3ae-a6a4b2b5b6c1"
AUDIO_URL = "https://example.com/call.mp3"
UPLOAD_URL = "https://cdn.assemblyai.com/upload/1b2c"
RECORDING = "RE" + "3b42cf470bef829c3680ded961a09300"
CALL = "CA" + "da3f2f49ff4e8ef2be6b726edb998c92"
TWILIO_RECORDING_JSON = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json"
TWILIO_MEDIA = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}"
ROOT = Path(__file__).resolve().parent.parent


def job(status="queued", **extra):
    return {"id": JOB, "status": status, "audio_url": AUDIO_URL, **extra}


@pytest.fixture
def run(capsys, monkeypatch):
    """Run a command as `manage.py` does: (exit code, stdout, stderr)."""
    # run_from_argv closes every DB connection at the end, which would break the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(*argv):
        command = load_command_class(get_commands()[argv[0]], argv[0])  # as manage.py picks it
        try:
            command.run_from_argv(["manage.py", *argv])
            code = 0
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def sleeps(monkeypatch):
    """--wait sleeps nowhere; the delays it asked for are kept."""
    delays = []
    monkeypatch.setattr(transcribe, "_sleep", delays.append)
    return delays


@pytest.fixture
def uploads(mocked_http):
    """Mock /v2/upload and keep what was sent: the body object and its bytes."""
    seen = []

    def callback(request):
        seen.append({"body": request.body, "bytes": b"".join(request.body)})
        return 200, {}, json.dumps({"upload_url": UPLOAD_URL})

    mocked_http.add_callback(responses.POST, f"{AAI}/v2/upload", callback=callback)
    return seen


def twilio_recording():
    return {
        "sid": RECORDING,
        "call_sid": CALL,
        "account_sid": ACCOUNT,
        "status": "completed",
        "duration": "36",
        "channels": 1,
        "source": "RecordVerb",
        "error_code": None,
        "start_time": "Tue, 05 Jan 2021 17:00:00 +0000",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json",
    }


# -- transcribe: sources ------------------------------------------------------


def test_transcribe_submits_a_url_stores_the_transcript_and_prints_its_job_id(run, mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    code, out, err = run("transcribe", AUDIO_URL)
    assert (code, out, err) == (0, f"{JOB}\n", "")
    assert submitted_bodies(mocked_http)[0]["audio_url"] == AUDIO_URL
    transcript = Transcript.objects.get()
    assert (transcript.job_id, transcript.status, transcript.audio_url) == (JOB, "queued", AUDIO_URL)
    assert transcript.audio_source == AudioSource.URL


def test_transcribe_streams_a_local_file_to_upload_and_submits_the_upload_url(
    run, mocked_http, uploads, tmp_path
):
    audio = os.urandom(600_000)  # more than two upload chunks
    path = tmp_path / "call.wav"
    path.write_bytes(audio)
    mocked_http.post(f"{AAI}/v2/transcript", json=job(audio_url=UPLOAD_URL))
    code, out, _ = run("transcribe", str(path))
    assert (code, out) == (0, f"{JOB}\n")
    assert isinstance(uploads[0]["body"], Iterator)
    assert uploads[0]["bytes"] == audio
    assert submitted_bodies(mocked_http)[0]["audio_url"] == UPLOAD_URL
    transcript = Transcript.objects.get()
    assert (transcript.audio_source, transcript.upload_url) == (AudioSource.UPLOAD, UPLOAD_URL)


def test_transcribe_relays_a_recording_sids_media_through_upload(run, mocked_http, uploads, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "upload"
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    mocked_http.get(TWILIO_MEDIA, body=b"RIFF-twilio-wav-bytes")
    mocked_http.post(f"{AAI}/v2/transcript", json=job(audio_url=UPLOAD_URL))
    code, out, _ = run("transcribe", RECORDING)
    assert (code, out) == (0, f"{JOB}\n")
    assert uploads[0]["bytes"] == b"RIFF-twilio-wav-bytes"
    media_request = next(c.request for c in mocked_http.calls if c.request.url == TWILIO_MEDIA)
    assert media_request.headers["Authorization"].startswith("Basic ")
    assert submitted_bodies(mocked_http)[0]["audio_url"] == UPLOAD_URL
    transcript = Transcript.objects.get()
    assert (transcript.recording_sid, transcript.call_sid, transcript.audio_url) == (
        RECORDING,
        CALL,
        TWILIO_MEDIA,
    )


def test_transcribe_reads_the_audio_source_setting_as_the_pipeline_does(run, mocked_http, uploads, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "Upload"
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    mocked_http.get(TWILIO_MEDIA, body=b"RIFF-twilio-wav-bytes")
    mocked_http.post(f"{AAI}/v2/transcript", json=job(audio_url=UPLOAD_URL))
    code, _, _ = run("transcribe", RECORDING)
    assert code == 0
    assert submitted_bodies(mocked_http)[0]["audio_url"] == UPLOAD_URL


def test_transcribe_hands_a_recording_url_over_when_audio_source_is_url(run, mocked_http, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "url"
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    mocked_http.post(f"{AAI}/v2/transcript", json=job(audio_url=TWILIO_MEDIA))
    code, _, _ = run("transcribe", RECORDING)
    assert code == 0
    assert submitted_bodies(mocked_http)[0]["audio_url"] == TWILIO_MEDIA
    assert not any(c.request.url == TWILIO_MEDIA for c in mocked_http.calls)


# -- transcribe: failures ------------------------------------------------------


def test_transcribe_refuses_a_missing_file_without_a_request_or_a_row(run, mocked_http):
    code, out, err = run("transcribe", "recordings/nope.wav")
    assert code == 1
    assert out == ""
    assert (
        err == "CommandError: 'recordings/nope.wav' is not an http(s) URL, an existing file or a "
        "RecordingSid (RE + 32 hex digits): no such file.\n"
    )
    assert len(mocked_http.calls) == 0
    assert Transcript.objects.count() == 0


def test_transcribe_refuses_an_unreadable_file(run, tmp_path):
    code, _, err = run("transcribe", str(tmp_path))  # a directory
    assert code == 1
    assert err.startswith(f"CommandError: Cannot read {tmp_path}")


def test_transcribe_refuses_an_empty_file_without_uploading_it(run, mocked_http, tmp_path):
    path = tmp_path / "silence.wav"
    path.write_bytes(b"")
    code, _, err = run("transcribe", str(path))
    assert code == 1
    assert err == f"CommandError: {path} is empty: there is no audio to transcribe.\n"
    assert len(mocked_http.calls) == 0
    assert Transcript.objects.count() == 0


def test_transcribe_names_the_missing_key(run, settings, mocked_http):
    settings.ASSEMBLYAI_KEY = ""
    code, _, err = run("transcribe", AUDIO_URL)
    assert code == 1
    assert "ASSEMBLYAI_KEY is not set" in err
    assert len(err.strip().splitlines()) == 1
    assert Transcript.objects.count() == 0


def test_transcribe_reports_a_rejected_key_and_leaves_no_row(run, mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json={"error": "Invalid API key"}, status=401)
    code, out, err = run("transcribe", AUDIO_URL)
    assert code == 1
    assert out == ""
    assert err.startswith("CommandError: AssemblyAI answered 401 to POST /v2/transcript: Invalid API key.")
    assert "Check ASSEMBLYAI_KEY" in err
    assert "Traceback" not in err
    assert Transcript.objects.count() == 0


def test_transcribe_reports_a_refused_twilio_download_before_uploading(run, mocked_http, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "upload"
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    mocked_http.get(TWILIO_MEDIA, status=401)
    code, _, err = run("transcribe", RECORDING)
    assert code == 1
    assert "Twilio answered 401 to the recording download" in err
    assert not any("/v2/" in c.request.url for c in mocked_http.calls)
    assert Transcript.objects.count() == 0


def test_transcribe_reports_an_unknown_recording_sid(run, mocked_http):
    mocked_http.get(
        TWILIO_RECORDING_JSON,
        json={"code": 20404, "message": "The requested resource was not found", "status": 404},
        status=404,
    )
    code, _, err = run("transcribe", RECORDING)
    assert code == 1
    assert f"Twilio refused to fetch recording {RECORDING}" in err
    assert Transcript.objects.count() == 0


def test_transcribe_refuses_a_recording_that_already_has_a_transcript(run, mocked_http, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "upload"
    make_transcript(job_id="earlier-job", recording_sid=RECORDING, status="completed")
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    code, _, err = run("transcribe", RECORDING)
    assert code == 1
    assert "already has a transcript (completed): python manage.py print_transcription earlier-job" in err
    assert [c.request.url for c in mocked_http.calls] == [TWILIO_RECORDING_JSON]  # no download, no upload


def test_transcribe_fails_cleanly_in_a_real_process():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "transcribe", "/no/such/file.wav"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "CommandError: '/no/such/file.wav' is not an http(s) URL, an existing file or a RecordingSid "
        "(RE + 32 hex digits): no such file."
    ]


# -- transcribe --wait ---------------------------------------------------------


def test_transcribe_wait_shows_progress_and_prints_the_text(run, mocked_http, sleeps):
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    for data in (job("processing"), job("processing"), job("completed", text="Ahoy there.")):
        mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=data)
    code, out, err = run("transcribe", AUDIO_URL, "--wait")
    assert code == 0
    assert out == f"{JOB}\n\nAhoy there.\n"
    assert err == "queued\nprocessing.\ncompleted\n"
    assert Transcript.objects.get().text == "Ahoy there."


def test_transcribe_wait_backs_off_up_to_the_poll_interval(run, mocked_http, sleeps, settings):
    settings.TRANSCRIPTION_POLL_INTERVAL = 2.0
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    for _ in range(5):
        mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("processing"))
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("completed", text="done"))
    code, _, _ = run("transcribe", AUDIO_URL, "--wait")
    assert code == 0
    assert sleeps == [1.0, 1.5, 2.0, 2.0, 2.0, 2.0]


def test_transcribe_wait_keeps_polling_through_a_transient_error(run, mocked_http, sleeps):
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", body=requests.ReadTimeout("slow"))
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("completed", text="still here"))
    code, out, err = run("transcribe", AUDIO_URL, "--wait")
    assert code == 0
    assert out.endswith("\nstill here\n")
    assert "did not answer" in err and "Retrying." in err


def test_transcribe_wait_exits_non_zero_with_assemblyais_error(run, mocked_http, sleeps):
    message = (
        f"Download error, unable to download {AUDIO_URL}. "
        "Please make sure the file exists and is accessible from the internet."
    )
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("error", error=message))
    code, out, err = run("transcribe", AUDIO_URL, "--wait")
    assert code == 1
    assert out == f"{JOB}\n"
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"CommandError: Transcript {JOB} failed: Download error")
    assert "TRANSCRIPTION_AUDIO_SOURCE=upload" in last
    assert Transcript.objects.get().status == TranscriptStatus.ERROR


def test_transcribe_wait_gives_up_after_the_timeout(run, mocked_http, sleeps):
    mocked_http.post(f"{AAI}/v2/transcript", json=job())
    code, _, err = run("transcribe", AUDIO_URL, "--wait", "--timeout", "0")
    assert code == 1
    assert f"Still queued after 0 s; check later with python manage.py print_transcription {JOB}" in err
    assert sleeps == []


# -- print_transcription -------------------------------------------------------


def test_print_transcription_prints_the_json_a_blank_line_and_the_text(run, mocked_http):
    data = job("completed", text="An object relational mapper is a code library.", confidence=0.93)
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=data)
    code, out, err = run("print_transcription", JOB)
    assert (code, err) == (0, "")
    printed_json, text = out.split("\n\n", 1)
    assert json.loads(printed_json) == data
    assert text == "An object relational mapper is a code library.\n"
    stored = Transcript.objects.get(job_id=JOB)
    assert (stored.status, stored.confidence) == ("completed", 0.93)


def test_print_transcription_says_when_the_job_is_not_finished(run, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("processing"))
    code, out, err = run("print_transcription", JOB)
    assert code == 0
    assert json.loads(out)["status"] == "processing"
    assert err == "Not finished yet (processing): run this again in a moment.\n"


def test_print_transcription_exits_non_zero_for_a_failed_job(run, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=job("error", error="Download error"))
    code, out, err = run("print_transcription", JOB)
    assert code == 1
    assert json.loads(out)["status"] == "error"
    assert err == f"CommandError: Transcript {JOB} failed: Download error\n"


def test_print_transcription_explains_an_unknown_id(run, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json={"error": "Transcript lookup error"}, status=400)
    code, out, err = run("print_transcription", JOB)
    assert (code, out) == (1, "")
    assert err == (
        f"CommandError: AssemblyAI answered 400 to GET /v2/transcript/{JOB}: Transcript lookup error. "
        f"Check the id: AssemblyAI knows no transcript {JOB} for this key and region.\n"
    )
    assert Transcript.objects.count() == 0


def test_print_transcription_refuses_an_id_that_would_change_the_url(run, mocked_http):
    code, _, err = run("print_transcription", "../upload")
    assert code == 1
    assert "is not an AssemblyAI transcript id" in err
    assert len(mocked_http.calls) == 0


def test_print_transcription_names_the_missing_key(run, settings):
    settings.ASSEMBLYAI_KEY = ""
    code, _, err = run("print_transcription", JOB)
    assert code == 1
    assert "ASSEMBLYAI_KEY is not set" in err


def test_a_failed_transcribe_of_a_recording_leaves_it_to_be_transcribed_later(run, mocked_http, settings):
    from caller.models import Recording

    settings.TRANSCRIPTION_AUDIO_SOURCE = "url"
    make_recording(sid=RECORDING, call_sid=CALL, status="completed")
    mocked_http.get(TWILIO_RECORDING_JSON, json=twilio_recording())
    mocked_http.post(f"{AAI}/v2/transcript", status=503, json={"error": "Service unavailable"})
    code, _, err = run("transcribe", RECORDING)
    assert code == 1 and "503" in err
    assert not Transcript.objects.exists()
    # Not a deletion on purpose: sync_transcripts may still pick the recording up.
    assert Recording.objects.get(sid=RECORDING).transcript_deleted_at is None


def test_deleting_a_recordings_transcript_on_purpose_marks_the_recording(mocked_http):
    from caller.models import Recording

    make_recording(sid=RECORDING, call_sid=CALL, status="completed")
    make_transcript(recording_sid=RECORDING, audio_url=TWILIO_MEDIA).delete()
    assert Recording.objects.get(sid=RECORDING).transcript_deleted_at is not None
