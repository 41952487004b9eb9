"""Home (dial form, recent calls) and the call page."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caller import pages
from caller.models import Call
from caller.phone import InvalidNumber
from tests.factories import make_call, make_recording, make_transcript, make_user
from tests.fakes import CALLS_URL, RECORDING_SID
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "3" * 32


def a_call(n=0, status="completed", **fields):
    return make_call(f"CA{n:032x}" if n else CALL_SID, status=status, **fields)


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_home_shows_the_dial_form_to_people_who_may_dial(staff_client):
    html = staff_client.get("/").content.decode()
    assert 'name="number"' in html


def test_home_hides_the_dial_form_from_people_who_may_not(client):
    client.force_login(make_user("viewer", password="pw-viewer-123"))
    response = client.get("/")
    assert response.status_code == 200
    assert 'name="number"' not in response.content.decode()


def test_dialing_without_the_permission_is_refused(client, mocked_http):
    client.force_login(make_user("viewer", password="pw-viewer-123"))
    response = client.post("/", {"number": "14155551234"})
    assert response.status_code == 403
    assert len(mocked_http.calls) == 0


def test_dialing_a_bad_number_shows_the_error_next_to_the_field(staff_client, mocked_http):
    response = staff_client.post("/", {"number": "123"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="field-error" id="number-error" role="alert">+123 is not a valid phone number' in html
    assert 'aria-invalid="true"' in html
    assert 'value="123"' in html
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


def test_dialing_an_empty_number_says_what_to_enter(staff_client, mocked_http):
    response = staff_client.post("/", {"number": ""})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_dialing_a_good_number_places_the_call_and_comes_back_home(staff_client, staff_user, mocked_http):
    mocked_http.post(CALLS_URL, json={"sid": CALL_SID, "status": "queued"}, status=201)
    response = staff_client.post("/", {"number": "+1 (415) 555-1234"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert parse_qs(mocked_http.calls[0].request.body)["To"] == ["+14155551234"]
    html = response.content.decode()
    assert f"Dialing +1 415-555-1234. Call SID: {CALL_SID}" in html
    assert f'data-call-sid="{CALL_SID}" data-settled="false"' in html
    assert Call.objects.get(sid=CALL_SID).dialed_by == staff_user


def test_a_dial_policy_refusal_shows_its_message_next_to_the_field(staff_client, monkeypatch, mocked_http):
    class CountryNotAllowed(InvalidNumber):
        pass

    def refuse(**kwargs):
        raise CountryNotAllowed("Calls to GB are not allowed: DIAL_ALLOWED_COUNTRIES is US, CA.")

    monkeypatch.setattr("caller.services.call_place", refuse)
    response = staff_client.post("/", {"number": "442079460123"})
    assert response.status_code == 400
    assert 'id="number-error" role="alert">Calls to GB are not allowed' in response.content.decode()


def test_a_twilio_refusal_is_explained_on_the_form(staff_client, mocked_http):
    mocked_http.post(CALLS_URL, json={"code": 21215, "message": "no geo", "status": 400}, status=400)
    response = staff_client.post("/", {"number": "14155551234"})
    assert response.status_code == 400
    assert b"Geo permissions" in response.content
    assert Call.objects.count() == 0


def test_twilio_being_down_answers_502(staff_client, mocked_http):
    mocked_http.post(CALLS_URL, json={"code": 20500, "message": "oops", "status": 500}, status=500)
    response = staff_client.post("/", {"number": "14155551234"})
    assert response.status_code == 502
    assert b"Twilio refused to place the call" in response.content


def test_missing_settings_are_named_on_the_form(staff_client, settings, mocked_http):
    settings.TWILIO_PHONE_NUMBER = ""
    response = staff_client.post("/", {"number": "14155551234"})
    assert response.status_code == 503
    assert b"Missing settings: TWILIO_PHONE_NUMBER" in response.content
    assert len(mocked_http.calls) == 0


def test_home_lists_calls_with_their_transcripts_status(staff_client):
    a_call()
    make_recording(sid=RECORDING_SID, call_sid=CALL_SID)
    transcript = make_transcript(recording_sid=RECORDING_SID, status="processing")
    html = staff_client.get("/").content.decode()
    assert (
        f'<a class="status status-processing" href="/transcription/{transcript.pk}/">Processing</a>' in html
    )


def test_home_reads_transcripts_in_one_query_however_many_calls(staff_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            staff_client.get("/")
        return len(captured)

    for n in range(1, 3):
        a_call(n)
        make_transcript(call_sid=f"CA{n:032x}", status="completed")
    few = queries()
    for n in range(3, 9):
        a_call(n)
        make_transcript(call_sid=f"CA{n:032x}", status="queued")
    assert queries() == few


def test_transcripts_are_found_by_call_sid_or_by_recording_sid(staff_user):
    a_call()
    make_recording(sid=RECORDING_SID, call_sid=CALL_SID)
    by_call = make_transcript(call_sid=CALL_SID)
    by_recording = make_transcript(recording_sid=RECORDING_SID)
    make_transcript(call_sid="CA" + "9" * 32)
    found = pages.transcripts_by_call(staff_user, [CALL_SID])
    assert {t.pk for t in found[CALL_SID]} == {by_call.pk, by_recording.pk}


def status_of(client, *sids):
    return client.get("/calls/status/", {"sid": list(sids)}).json()


def test_the_calls_status_follows_a_ringing_call(staff_client):
    a_call(status="ringing")
    data = status_of(staff_client, CALL_SID)
    assert data["calls"][CALL_SID]["label"] == "Ringing"
    assert data["settled"] is False


def test_the_calls_status_waits_for_a_transcript_to_finish(staff_client):
    a_call()
    transcript = make_transcript(call_sid=CALL_SID, status="processing")
    data = status_of(staff_client, CALL_SID)
    assert data["calls"][CALL_SID]["transcripts"] == [
        {
            "id": transcript.pk,
            "status": "processing",
            "label": "Processing",
            "final": False,
            "url": f"/transcription/{transcript.pk}/",
        }
    ]
    assert data["settled"] is False
    Transcript.objects.filter(pk=transcript.pk).update(status="completed")
    assert status_of(staff_client, CALL_SID)["settled"] is True


def test_the_calls_status_waits_a_while_for_the_transcript_of_a_finished_call(staff_client):
    a_call()
    assert status_of(staff_client, CALL_SID)["settled"] is False
    Call.objects.filter(sid=CALL_SID).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert status_of(staff_client, CALL_SID)["settled"] is True


def test_an_unanswered_call_is_settled_at_once(staff_client):
    a_call(status="no-answer")
    assert status_of(staff_client, CALL_SID)["settled"] is True


def test_the_calls_status_names_a_reserved_sid_that_twilio_has_since_replaced(staff_client):
    reserved = "reserved-" + "0" * 25
    a_call(status="ringing")  # the row once listed under `reserved`, now under Twilio's SID
    data = status_of(staff_client, reserved, CALL_SID)
    assert data["gone"] == [reserved]
    assert list(data["calls"]) == [CALL_SID]


def test_the_calls_status_names_nothing_gone_when_every_call_is_found(staff_client):
    a_call(status="ringing")
    assert status_of(staff_client, CALL_SID)["gone"] == []


def test_the_calls_status_requires_login(client):
    assert client.get("/calls/status/").status_code == 302


def test_the_call_page_plays_each_recording_through_the_proxy(staff_client):
    call = a_call(duration=75)
    make_recording(sid=RECORDING_SID, call=call, call_sid=CALL_SID, duration=74)
    transcript = make_transcript(
        recording_sid=RECORDING_SID, call_sid=CALL_SID, status="completed", text="Ahoy there."
    )
    html = staff_client.get(call.get_absolute_url()).content.decode()
    assert f'<audio controls preload="metadata" src="/recordings/{RECORDING_SID}/media/"></audio>' in html
    assert "1:15 (75 s)" in html
    assert f'href="/transcription/{transcript.pk}/"' in html
    assert "Ahoy there." in html
    assert "api.twilio.com" not in html


def test_the_call_page_has_no_player_before_the_recording_is_complete(staff_client):
    call = a_call(status="in-progress")
    make_recording(call, sid=RECORDING_SID, status="in-progress")
    assert "<audio" not in staff_client.get(call.get_absolute_url()).content.decode()


def test_the_call_page_requires_login(client):
    assert client.get(a_call().get_absolute_url()).status_code == 302


def test_a_user_who_is_not_staff_logs_in_on_the_apps_own_page_and_may_dial(client):

    make_user("caller", password="pw-caller-123", perms=["place_call"])
    response = client.post("/login/", {"username": "caller", "password": "pw-caller-123", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Place a call" in home.content
    assert b'href="/admin/"' not in home.content  # no admin link for non-staff


def test_the_login_page_says_how_to_create_the_first_account(client):
    response = client.get("/login/")
    assert b"manage.py createsuperuser" in response.content


def test_a_wrong_password_is_refused_on_the_login_page(client, staff_user):
    response = client.post("/login/", {"username": "staff", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/", "/calls/", "/transcription/", "/transcription/new/", "/profile/"])
def test_every_page_starts_with_a_skip_link_to_its_content(staff_client, path):
    html = staff_client.get(path).content.decode()
    body = html[html.index("<body>") :]
    assert body.split("<a ", 1)[1].startswith('class="skip-link" href="#main">Skip to content</a>')
    assert '<main id="main" tabindex="-1">' in html


def test_the_login_page_has_the_skip_link_too(client):
    assert 'class="skip-link" href="#main"' in client.get("/login/").content.decode()
