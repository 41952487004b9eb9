"""NUL characters in URLs and query strings: PostgreSQL refuses them in text, so they stop with a
400 before any view, never reach a query and become a 500 (on SQLite too, so both answer alike)."""

import pytest

from tests.factories import make_call

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "7" * 32


def test_a_transcript_search_with_a_nul_gets_400(staff_client):
    response = staff_client.get("/transcription/", {"q": "refund\x00tuesday"})
    assert response.status_code == 400
    assert "NUL characters are not allowed" in response.content.decode()


def test_the_calls_status_with_a_nul_in_a_sid_gets_400(staff_client):
    make_call(sid=CALL_SID, status="ringing")
    assert staff_client.get("/calls/status/", {"sid": [CALL_SID, "CA\x00"]}).status_code == 400


def test_a_call_page_with_a_nul_in_its_path_gets_400(staff_client):
    assert staff_client.get("/calls/CA%00x/").status_code == 400


def test_an_admin_search_with_a_nul_gets_400(admin_client_logged):
    response = admin_client_logged.get("/admin/transcription/transcript/", {"q": "\x00"})
    assert response.status_code == 400


def test_ordinary_queries_pass(staff_client):
    make_call(sid=CALL_SID, status="ringing")
    response = staff_client.get("/calls/status/", {"sid": CALL_SID})
    assert response.status_code == 200
    assert list(response.json()["calls"]) == [CALL_SID]


def test_a_webhook_post_with_a_nul_in_its_token_still_gets_200(client, settings):
    # AssemblyAI never retries a 4xx: its webhook answers every authenticated POST with 200.
    response = client.post(
        "/transcription/webhook/%00/",
        data=b'{"status": "completed"}',
        content_type="application/json",
        headers={"X-Webhook-Secret": settings.ASSEMBLYAI_WEBHOOK_SECRET},
    )
    assert response.status_code == 200
