"""The transcript page, its status endpoint and its downloads."""

import json

import pytest
from django.template import Context, Template
from django.utils import timezone

from audio.models import AudioAsset, OriginKind
from caller.audio import recording_asset
from caller.models import Recording
from tests.factories import make_call, make_recording, make_transcript, make_user
from tests.fakes import MEDIA_URL, RECORDING_SID

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "2" * 32
WORDS = [
    {"text": "Hello", "start": 0, "end": 400, "confidence": 0.98, "speaker": "A"},
    {"text": "Bob.", "start": 450, "end": 900, "confidence": 0.31, "speaker": "A"},
    {"text": "Hi", "start": 1500, "end": 1800, "confidence": 0.95, "speaker": "B"},
    {"text": "<there>", "start": 1850, "end": 2300, "confidence": 0.7, "speaker": "B"},
]


def twilio_asset():
    """The asset of a Twilio recording: its URL needs Twilio's credentials."""
    return AudioAsset.objects.create(origin_kind=OriginKind.TWILIO_RECORDING, origin_url=MEDIA_URL)


def completed(**fields):
    values = {
        "job_id": "5551722-job",
        "status": "completed",
        "text": "Hello Bob. Hi <there>",
        "words": WORDS,
        "audio_duration": 2.3,
        "confidence": 0.82,
        "speech_model_used": "universal-3-pro",
        "completed_at": timezone.now(),
    }
    values.update(fields)
    return make_transcript(**values)


@pytest.fixture
def call_with_recording():
    call = make_call(sid=CALL_SID, status="completed")
    make_recording(call, sid=RECORDING_SID)
    return call


def recording_audio():
    """The stored recording's audio asset, as caller describes it (its media proxy, its call)."""
    return recording_asset(Recording.objects.get(sid=RECORDING_SID))


def test_the_transcript_page_requires_login(client):
    transcript = completed()
    response = client.get(transcript.get_absolute_url())
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_transcript_page_marks_words_below_the_threshold_as_doubtful(staff_client, settings):
    settings.TRANSCRIPTION_LOW_CONFIDENCE = 0.6
    html = staff_client.get(completed().get_absolute_url()).content.decode()
    # The turn's text, and per word its start (after the word before), length and shade with its
    # score: words.js makes the spans from these.
    assert '<p data-w="0,400 450,450,l31">Hello Bob.</p>' in html
    assert "Next doubtful word (1)" in html


def test_a_word_with_a_space_inside_gets_its_spans_from_the_server(staff_client):
    words = [{**WORDS[0], "text": "New York"}, *WORDS[1:]]
    html = staff_client.get(completed(words=words).get_absolute_url()).content.decode()
    # Its turn's text could not be split back into words by spaces.
    assert '<p><span class="w" data-s="0" data-e="400">New York</span> <span class="w lo"' in html
    assert '<p data-w="1500,300 350,450,m70">Hi &lt;there&gt;</p>' in html


def test_the_threshold_comes_from_the_setting(staff_client, settings):
    settings.TRANSCRIPTION_LOW_CONFIDENCE = 0.99
    html = staff_client.get(completed().get_absolute_url()).content.decode()
    assert "Next doubtful word (4)" in html
    assert "below 99% confidence" in html


def test_the_transcript_page_escapes_word_text(staff_client):
    html = staff_client.get(completed().get_absolute_url()).content.decode()
    assert "&lt;there&gt;" in html
    assert "<there>" not in html


def test_the_transcript_page_labels_speakers(staff_client):
    html = staff_client.get(completed().get_absolute_url()).content.decode()
    assert html.count('<span class="who">Speaker A</span>') == 1
    assert html.count('<span class="who">Speaker B</span>') == 1


def test_the_transcript_page_labels_channels(staff_client):
    words = [{**w, "channel": "2"} for w in WORDS]
    for w in words:
        del w["speaker"]
    html = staff_client.get(completed(words=words).get_absolute_url()).content.decode()
    assert '<span class="who">Channel 2</span>' in html


def test_the_transcript_page_shows_the_job_details(staff_client):
    html = staff_client.get(completed().get_absolute_url()).content.decode()
    assert "5551722-job" in html
    assert "universal-3-pro" in html
    assert "0:02" in html
    assert "82% confidence overall" in html


def test_the_player_streams_the_recording_through_the_proxy(staff_client, call_with_recording):
    transcript = completed(
        recording_sid=RECORDING_SID, call_sid=CALL_SID, audio_url=MEDIA_URL, audio=recording_audio()
    )
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert f'<audio id="player" controls preload="metadata" src="/recordings/{RECORDING_SID}/media/">' in html
    assert "api.twilio.com" not in html
    assert f'href="/calls/{CALL_SID}/"' in html


def test_the_player_finds_the_call_through_the_recording_when_the_call_sid_is_missing(
    staff_client, call_with_recording
):
    transcript = completed(recording_sid=RECORDING_SID, audio=recording_audio())
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert "Transcript of the call to +14155551234" in html


def test_there_is_no_player_for_a_recording_deleted_at_twilio_before_archives_existed(
    staff_client, call_with_recording
):
    # What the assets migration leaves for such a recording: its call, no player.
    audio = recording_audio()
    audio.player_url = ""
    audio.save()
    transcript = completed(recording_sid=RECORDING_SID, call_sid=CALL_SID, audio_url=MEDIA_URL, audio=audio)
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert "<audio" not in html
    assert "No audio to play" in html
    assert f'href="/calls/{CALL_SID}/"' in html


def test_the_player_plays_a_public_audio_url_as_is(staff_client):
    transcript = completed(audio_url="https://cdn.example.com/talk.mp3")
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert 'src="https://cdn.example.com/talk.mp3"' in html


def test_there_is_no_player_for_audio_that_needs_credentials(staff_client):
    transcript = completed(audio_url=MEDIA_URL, audio=twilio_asset())
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert "<audio" not in html
    assert "No audio to play" in html


def test_a_pending_transcript_page_says_it_updates_by_itself(staff_client):
    transcript = make_transcript(status="processing")
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert 'data-final="false"' in html
    assert "updates by itself" in html
    assert "Download" not in html


def test_a_pending_transcript_page_does_not_claim_assemblyai_has_it(staff_client):
    transcript = make_transcript(status="pending", last_error="AssemblyAI answered 503", attempts=2)
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert "Not yet accepted by AssemblyAI" in html
    assert "AssemblyAI is working on it" not in html


def test_a_transcript_without_a_job_says_so_instead_of_an_empty_job_id(staff_client):
    transcript = make_transcript(status="pending")
    html = staff_client.get(transcript.get_absolute_url()).content.decode()
    assert "none yet: not accepted by AssemblyAI" in html
    assert "<code>—</code>" not in html


def test_the_status_endpoint_answers_the_status_as_json(staff_client):
    transcript = make_transcript(status="queued")
    response = staff_client.get(f"/transcription/{transcript.pk}/status/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": transcript.pk,
        "status": "queued",
        "label": "Queued",
        "final": False,
        "url": transcript.get_absolute_url(),
    }


def test_the_status_endpoint_requires_login(client):
    transcript = make_transcript(status="queued")
    assert client.get(f"/transcription/{transcript.pk}/status/").status_code == 302


def test_the_srt_download_is_named_after_the_date_and_the_number(staff_client, call_with_recording):
    transcript = completed(recording_sid=RECORDING_SID, call_sid=CALL_SID, audio=recording_audio())
    response = staff_client.get(f"/transcription/{transcript.pk}/export.srt")
    assert response.status_code == 200
    date = transcript.completed_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="transcript-{date}-14155551234.srt"'
    assert response["Content-Type"].startswith("application/x-subrip")
    body = response.getvalue().decode()
    assert body.startswith("1\n00:00:00,000 --> 00:00:00,900\nSpeaker A: Hello Bob.\n")


def test_the_vtt_download_is_webvtt(staff_client):
    transcript = completed()
    response = staff_client.get(f"/transcription/{transcript.pk}/export.vtt")
    assert response["Content-Type"].startswith("text/vtt")
    assert response["Content-Disposition"].endswith('-5551722-job.vtt"')
    assert response.getvalue().decode().startswith("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\n<v Speaker A>")


def test_the_txt_download_has_one_line_per_speaker_turn(staff_client):
    response = staff_client.get(f"/transcription/{completed().pk}/export.txt")
    assert response.getvalue().decode() == "Speaker A (0:00): Hello Bob.\nSpeaker B (0:01): Hi <there>\n"


def test_the_json_download_keeps_words_but_no_secrets_or_twilio_urls(staff_client):
    transcript = completed(
        audio_url=MEDIA_URL, upload_url="https://cdn.assemblyai.com/upload/x", audio=twilio_asset()
    )
    response = staff_client.get(f"/transcription/{transcript.pk}/export.json")
    body = response.getvalue().decode()  # streamed: read once
    data = json.loads(body)
    assert [{key: w[key] for key in WORDS[0]} for w in data["words"]] == [
        {key: w[key] for key in WORDS[0]} for w in WORDS
    ]
    assert data["job_id"] == "5551722-job"
    assert data["audio_url"] == ""
    assert transcript.webhook_token not in body
    assert "api.twilio.com" not in body
    assert "cdn.assemblyai.com" not in body


def test_exports_wait_for_the_transcript_to_complete(staff_client):
    transcript = make_transcript(status="processing")
    response = staff_client.get(f"/transcription/{transcript.pk}/export.srt")
    assert response.status_code == 409
    assert b"exports are ready once it is completed" in response.content


def test_subtitles_need_word_timings(staff_client):
    transcript = completed(words=[])
    response = staff_client.get(f"/transcription/{transcript.pk}/export.vtt")
    assert response.status_code == 409
    assert b"no word timings" in response.content
    text = staff_client.get(f"/transcription/{transcript.pk}/export.txt").getvalue()
    assert text == b"Hello Bob. Hi <there>\n"


def test_an_unknown_export_format_is_404(staff_client):
    assert staff_client.get(f"/transcription/{completed().pk}/export.docx").status_code == 404


def test_exports_require_login(client):
    assert client.get(f"/transcription/{completed().pk}/export.txt").status_code == 302


def render_admin_link(obj, user):
    return Template("{% load transcript_tags %}{{ obj|admin_change_url:user }}").render(
        Context({"obj": obj, "user": user})
    )


def test_staff_get_a_link_to_the_admin_change_page(admin_user):
    assert render_admin_link(admin_user, admin_user) == f"/admin/auth/user/{admin_user.pk}/change/"


def test_staff_without_permission_on_the_model_get_no_admin_link(staff_user):
    assert render_admin_link(staff_user, staff_user) == ""


def test_people_who_are_not_staff_get_no_admin_link(django_user_model):
    user = make_user("viewer", password="pw-viewer-123", perms=["view_user"])
    user = django_user_model.objects.get(pk=user.pk)  # a fresh object: no permission cache
    assert render_admin_link(user, user) == ""


def test_a_model_without_an_admin_gets_no_link_instead_of_an_error(admin_user):
    from django.contrib.sessions.models import Session

    session = Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    assert render_admin_link(session, admin_user) == ""
