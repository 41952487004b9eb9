"""The admin: every model's list and page with data, search, and the marked transcript words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_call, make_delivery, make_recording, make_transcript

pytestmark = pytest.mark.django_db

CALL = "CA" + "d" * 32
RECORDING = "RE" + "e" * 32
JOB = "a1b2c3d4-0000-4000-8000-123456789abc"
WORDS = [
    {"text": "Ahoy", "start": 0, "end": 400, "confidence": 0.97},
    {"text": "the", "start": 400, "end": 520, "confidence": 0.56},
    {"text": "<script>alert(1)</script>", "start": 520, "end": 900, "confidence": 0.99},
    {"text": "<b>bold</b>", "start": 900, "end": 1000, "confidence": 0.31},
]


def a_call(sid=CALL, to="+14155551234", user=None):
    return make_call(sid, to=to, status="completed", dialed_by=user)


def a_recording(call, sid=RECORDING):
    return make_recording(call, sid=sid, duration=36, source="RecordVerb")


def a_transcript(job_id=JOB, **fields):
    defaults = {
        "status": "completed",
        "audio_url": "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE",
        "recording_sid": RECORDING,
        "call_sid": CALL,
        "text": "Ahoy the relational mapper",
        "words": WORDS,
        "confidence": 0.93,
        "audio_duration": 36.288,
    }
    return make_transcript(job_id=job_id, **{**defaults, **fields})


@pytest.fixture
def data(admin_user):
    call = a_call(user=admin_user)
    recording = a_recording(call)
    transcript = a_transcript()
    delivery = make_delivery(
        transcript, status="completed", body={"transcript_id": JOB, "status": "completed"}
    )
    return {"call": call, "recording": recording, "transcript": transcript, "delivery": delivery}


# -- lists and pages -----------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/admin/caller/call/", [CALL, "+14155551234", "Completed"]),
        ("/admin/caller/recording/", [RECORDING, "+14155551234"]),
        ("/admin/transcription/transcript/", [JOB, "Completed", RECORDING]),
        ("/admin/transcription/webhookdelivery/", [JOB, "completed"]),
    ],
)
def test_each_changelist_lists_its_rows(admin_client_logged, data, path, expected):
    response = admin_client_logged.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    for text in expected:
        assert text in page


@pytest.mark.parametrize("kind", ["call", "recording", "transcript", "delivery"])
def test_each_change_page_opens(admin_client_logged, data, kind):
    obj = data[kind]
    path = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    response = admin_client_logged.get(path)
    assert response.status_code == 200


def test_the_transcript_list_shows_a_short_error(admin_client_logged):
    a_transcript(status="error", error="Download error, unable to download " + "x" * 200, words=[])
    page = admin_client_logged.get("/admin/transcription/transcript/").content.decode()
    assert "Download error, unable to download xxx" in page
    assert "x" * 100 not in page


def test_the_transcript_list_filters_by_status(admin_client_logged):
    a_transcript(job_id="done-job")
    a_transcript(job_id="failed-job", status="error", recording_sid="", words=[])
    page = admin_client_logged.get("/admin/transcription/transcript/?status__exact=error").content.decode()
    assert "failed-job" in page
    assert "done-job" not in page


# -- search ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["relational mapper", JOB[:8], RECORDING, CALL])
def test_transcripts_can_be_found_by_text_job_id_and_sids(admin_client_logged, data, query):
    a_transcript(job_id="other-job", recording_sid="", call_sid="", text="nothing alike")
    page = admin_client_logged.get("/admin/transcription/transcript/", {"q": query}).content.decode()
    assert JOB in page
    assert "other-job" not in page


@pytest.mark.parametrize("query", ["4155551234", CALL, RECORDING])
def test_calls_can_be_found_by_number_sid_and_recording(admin_client_logged, data, query):
    a_call(sid="CA" + "f" * 32, to="+442071838750")
    page = admin_client_logged.get("/admin/caller/call/", {"q": query}).content.decode()
    assert CALL in page
    assert "CA" + "f" * 32 not in page


def test_recordings_can_be_found_by_the_calls_number(admin_client_logged, data):
    a_recording(a_call(sid="CA" + "f" * 32, to="+442071838750"), sid="RE" + "f" * 32)
    page = admin_client_logged.get("/admin/caller/recording/", {"q": "4155551234"}).content.decode()
    assert RECORDING in page
    assert "RE" + "f" * 32 not in page


# -- the transcript page -----------------------------------------------------------


def transcript_page(client, transcript):
    return client.get(f"/admin/transcription/transcript/{transcript.pk}/change/").content.decode()


def test_the_transcript_page_shows_the_text_and_marks_low_confidence_words(admin_client_logged, data):
    page = transcript_page(admin_client_logged, data["transcript"])
    assert "Ahoy the relational mapper" in page
    assert '<mark class="low-confidence" title="confidence 0.56">the</mark>' in page
    assert "<span>Ahoy</span>" in page
    assert "2 of 4 words below confidence 0.6" in page


def test_the_low_confidence_threshold_comes_from_settings(admin_client_logged, data, settings):
    settings.TRANSCRIPTION_LOW_CONFIDENCE = 0.5
    page = transcript_page(admin_client_logged, data["transcript"])
    assert "<span>the</span>" in page
    assert "1 of 4 words below confidence 0.5" in page


def test_the_transcript_page_escapes_html_in_words(admin_client_logged, data):
    page = transcript_page(admin_client_logged, data["transcript"])
    assert "<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>" in page
    assert '<mark class="low-confidence" title="confidence 0.31">&lt;b&gt;bold&lt;/b&gt;</mark>' in page
    assert "<script>alert(1)" not in page
    assert "<b>bold</b>" not in page


def test_the_transcript_page_keeps_vendor_fields_read_only(admin_client_logged, data):
    page = transcript_page(admin_client_logged, data["transcript"])
    for vendor_field in ("job_id", "status", "text", "confidence", "error", "upload_url"):
        assert f'name="{vendor_field}"' not in page


@pytest.mark.parametrize("status", ["completed", "error"])
def test_a_finished_transcript_keeps_the_audio_and_models_it_was_made_from_read_only(
    admin_client_logged, status
):
    page = transcript_page(admin_client_logged, a_transcript(status=status))
    for field in ("audio_url", "recording_sid", "call_sid", "speech_models"):
        assert f'name="{field}"' not in page


def test_an_unfinished_transcripts_audio_can_still_be_corrected(admin_client_logged):
    page = transcript_page(admin_client_logged, a_transcript(status="pending", text="", words=[]))
    assert 'name="audio_url"' in page
    assert 'name="_save"' in page


def test_saving_the_transcript_page_cannot_change_what_assemblyai_reported(admin_client_logged, data):
    transcript = data["transcript"]
    admin_client_logged.post(
        f"/admin/transcription/transcript/{transcript.pk}/change/",
        {
            "audio_url": transcript.audio_url,
            "recording_sid": RECORDING,
            "call_sid": CALL,
            "speech_models": '["universal-2"]',
            "job_id": "forged",
            "status": "error",
            "text": "forged",
            # The participants inline's management form (no participants).
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    transcript.refresh_from_db()
    assert (transcript.job_id, transcript.status, transcript.text) == (
        JOB,
        "completed",
        "Ahoy the relational mapper",
    )


def test_the_transcript_page_never_shows_the_webhook_token(admin_client_logged, data):
    page = transcript_page(admin_client_logged, data["transcript"])
    assert data["transcript"].webhook_token not in page


def test_transcripts_cannot_be_added_by_hand(admin_client_logged):
    assert admin_client_logged.get("/admin/transcription/transcript/add/").status_code == 403


# -- read-only pages --------------------------------------------------------------


def test_the_admin_says_djtranscribe_in_its_header_and_title(admin_client_logged):
    page = admin_client_logged.get("/admin/").content.decode()
    assert '<a href="/admin/">djtranscribe</a>' in page
    assert "<title>Calls, recordings and transcripts | djtranscribe admin</title>" in page
    assert "Django administration" not in page


@pytest.mark.parametrize("kind", ["recording", "delivery"])
def test_a_page_with_nothing_to_edit_offers_no_save_button(admin_client_logged, data, kind):
    obj = data[kind]
    page = admin_client_logged.get(
        f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    ).content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page


def test_a_call_page_keeps_save_for_its_notes_only(admin_client_logged, data):
    call = data["call"]
    page = admin_client_logged.get(f"/admin/caller/call/{call.pk}/change/").content.decode()
    assert 'name="_save"' in page
    assert '<textarea name="notes"' in page
    assert 'name="to"' not in page


def test_a_finished_transcript_keeps_save_for_naming_its_participants(admin_client_logged, data):
    page = transcript_page(admin_client_logged, data["transcript"])
    assert 'name="participants-TOTAL_FORMS"' in page
    assert 'name="_save"' in page


# -- the call page ---------------------------------------------------------------


def test_the_call_page_shows_its_recordings_and_links_its_transcripts(admin_client_logged, data):
    call = data["call"]
    page = admin_client_logged.get(f"/admin/caller/call/{call.pk}/change/").content.decode()
    assert RECORDING in page
    assert data["recording"].media_url in page
    assert f'<a href="/admin/transcription/transcript/{data["transcript"].pk}/change/">{JOB}</a>' in page


def test_the_call_pages_recordings_are_read_only(admin_client_logged, data):
    page = admin_client_logged.get(f"/admin/caller/call/{data['call'].pk}/change/").content.decode()
    assert 'name="recordings-0-sid"' not in page
    assert 'name="sid"' not in page


def test_the_webhook_delivery_page_shows_the_raw_body(admin_client_logged, data):
    delivery = data["delivery"]
    page = admin_client_logged.get(
        f"/admin/transcription/webhookdelivery/{delivery.pk}/change/"
    ).content.decode()
    assert "&quot;transcript_id&quot;: &quot;a1b2c3d4" in page


# -- cheap lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/caller/call/",
        "/admin/caller/recording/",
        "/admin/transcription/transcript/",
        "/admin/transcription/webhookdelivery/",
    ],
)
def test_changelists_make_the_same_number_of_queries_for_one_row_or_many(
    admin_client_logged, admin_user, path
):
    def add_rows(start, count):
        for i in range(start, start + count):
            call = a_call(sid=f"CA{i:032x}", to=f"+1415555{i:04d}", user=admin_user)
            a_recording(call, sid=f"RE{i:032x}")
            transcript = a_transcript(job_id=f"job-{i}", recording_sid=f"RE{i:032x}", call_sid=call.sid)
            make_delivery(transcript, status="completed")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client_logged.get(path).status_code == 200
        return len(queries)

    add_rows(0, 1)
    one = count_queries()
    add_rows(1, 6)
    assert count_queries() == one


def test_the_webhook_delivery_list_does_not_load_its_transcripts_words(admin_client_logged, data):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client_logged.get("/admin/transcription/webhookdelivery/")
    assert response.status_code == 200
    assert str(data["transcript"]) in response.content.decode()
    selects = [q["sql"] for q in queries if "transcription_webhookdelivery" in q["sql"]]
    assert selects
    assert not any('"transcription_transcript"."words"' in sql for sql in selects)


def test_the_transcript_page_links_to_its_page_in_the_app_and_its_downloads(admin_client_logged, data):
    transcript = data["transcript"]
    path = f"/admin/transcription/transcript/{transcript.pk}/change/"
    page = admin_client_logged.get(path).content.decode()
    assert f'href="/transcription/{transcript.pk}/"' in page
    for kind in ("txt", "json", "srt", "vtt"):
        assert f'href="/transcription/{transcript.pk}/export.{kind}"' in page


def test_an_unfinished_transcript_page_offers_no_downloads(admin_client_logged, data):
    transcript = a_transcript(job_id="job-open", status="processing", recording_sid="", words=[])
    path = f"/admin/transcription/transcript/{transcript.pk}/change/"
    page = admin_client_logged.get(path).content.decode()
    assert f'href="/transcription/{transcript.pk}/"' in page
    assert "export." not in page


def test_the_recording_page_links_to_the_player_and_the_call_page(admin_client_logged, data):
    recording = data["recording"]
    page = admin_client_logged.get(f"/admin/caller/recording/{recording.pk}/change/").content.decode()
    assert f'href="/recordings/{RECORDING}/media/"' in page
    assert f'href="/calls/{CALL}/"' in page
