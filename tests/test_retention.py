"""Retention: transcript_delete and `manage.py purge_transcripts --older-than DAYS`."""

from datetime import timedelta

import pytest
import requests
from django.core.management import CommandError, call_command

from tests.factories import make_delivery, make_transcript
from transcription.models import Transcript, WebhookDelivery
from transcription.retention import TranscriptKept, transcript_delete

pytestmark = pytest.mark.django_db

AAI = "https://api.assemblyai.com/v2/transcript"


def stored(job_id: str | None = "job-1", *, days_old: int = 0, deliveries: int = 1) -> Transcript:
    """A completed transcript made `days_old` days ago, with its webhook deliveries."""
    transcript = make_transcript(
        job_id=job_id, status="completed", text="hello", created_ago=timedelta(days=days_old)
    )
    for _ in range(deliveries):
        make_delivery(transcript, status="completed")
    return transcript


# -- transcript_delete ------------------------------------------------------------------


def test_it_deletes_at_assemblyai_first_then_the_row_and_its_deliveries(mocked_http):
    transcript = stored(deliveries=2)
    mocked_http.delete(
        f"{AAI}/job-1", json={"id": "job-1", "status": "completed", "text": "Deleted by user."}
    )
    assert transcript_delete(transcript) is True
    assert [call.request.method for call in mocked_http.calls] == ["DELETE"]
    assert Transcript.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_it_also_deletes_deliveries_that_only_carry_the_job_id(mocked_http):
    transcript = stored(deliveries=0)
    make_delivery(job_id="job-1", status="completed")  # arrived before the row matched
    make_delivery(job_id="job-other", status="completed")
    mocked_http.delete(f"{AAI}/job-1", json={"id": "job-1"})
    transcript_delete(transcript)
    assert list(WebhookDelivery.objects.values_list("job_id", flat=True)) == ["job-other"]


@pytest.mark.parametrize(
    "status, body",
    [(404, {"error": "Not found"}), (400, {"error": "Transcript lookup error, transcript id not found"})],
)
def test_it_tolerates_a_job_assemblyai_no_longer_knows(mocked_http, status, body):
    transcript = stored()
    mocked_http.delete(f"{AAI}/job-1", json=body, status=status)
    assert transcript_delete(transcript) is False
    assert Transcript.objects.count() == 0


@pytest.mark.parametrize(
    "status, body, reason",
    [
        (503, {"error": "Service unavailable"}, "Try again later"),
        (429, {"error": "Too many requests"}, "Try again later"),
        (401, {"error": "Invalid API key"}, "Check ASSEMBLYAI_KEY"),
        (400, {"error": "Transcript is still processing"}, "still processing"),
    ],
)
def test_it_keeps_the_row_when_assemblyai_does_not_delete_saying_why(mocked_http, status, body, reason):
    transcript = stored()
    mocked_http.delete(f"{AAI}/job-1", json=body, status=status)
    with pytest.raises(TranscriptKept, match=reason) as caught:
        transcript_delete(transcript)
    assert f"Kept transcript {transcript.pk} (job-1)" in str(caught.value)
    assert Transcript.objects.filter(pk=transcript.pk).exists()
    assert WebhookDelivery.objects.count() == 1


def test_it_keeps_the_row_when_assemblyai_cannot_be_reached(mocked_http):
    transcript = stored()
    mocked_http.delete(f"{AAI}/job-1", body=requests.ConnectionError("refused"))
    with pytest.raises(TranscriptKept, match="Could not connect to AssemblyAI"):
        transcript_delete(transcript)
    assert Transcript.objects.count() == 1


def test_a_transcript_never_submitted_is_deleted_without_asking_assemblyai(mocked_http):
    transcript = stored(job_id=None, deliveries=0)
    assert transcript_delete(transcript) is False
    assert len(mocked_http.calls) == 0
    assert Transcript.objects.count() == 0


def test_remote_false_leaves_assemblyais_copy_alone(mocked_http):
    transcript = stored()
    assert transcript_delete(transcript, remote=False) is False
    assert len(mocked_http.calls) == 0
    assert Transcript.objects.count() == 0


# -- purge_transcripts -------------------------------------------------------------------


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("purge_transcripts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_purge_deletes_only_transcripts_older_than_the_given_days(mocked_http):
    old = stored("job-old", days_old=40)
    young = stored("job-young", days_old=5)
    mocked_http.delete(f"{AAI}/job-old", json={"id": "job-old"})
    out = run("--older-than", "30")
    assert "Deleted 1 transcripts older than 30 days (1 at AssemblyAI)" in out
    assert list(Transcript.objects.values_list("pk", flat=True)) == [young.pk]
    assert not Transcript.objects.filter(pk=old.pk).exists()
    assert [call.request.url for call in mocked_http.calls] == [f"{AAI}/job-old"]


def test_purge_also_deletes_old_deliveries_that_match_no_transcript(mocked_http):
    make_delivery(job_id="unknown", status="completed", received_ago=timedelta(days=90))
    make_delivery(job_id="recent", status="completed")
    out = run("--older-than", "30")
    assert "and 1 unmatched webhook deliveries" in out
    assert list(WebhookDelivery.objects.values_list("job_id", flat=True)) == ["recent"]


def test_purge_dry_run_counts_and_deletes_nothing(mocked_http):
    stored("job-old", days_old=40)
    out = run("--older-than", "30", "--dry-run")
    assert "Would delete 1 transcripts" in out
    assert "nothing deleted" in out
    assert Transcript.objects.count() == 1
    assert len(mocked_http.calls) == 0


def test_purge_reports_kept_transcripts_and_fails_so_cron_notices(mocked_http):
    stored("job-a", days_old=40)
    stored("job-b", days_old=41)
    mocked_http.delete(f"{AAI}/job-a", json={"id": "job-a"})
    mocked_http.delete(f"{AAI}/job-b", json={"error": "Service unavailable"}, status=503)
    with pytest.raises(CommandError, match="Deleted 1 transcripts .* kept 1 that AssemblyAI did not delete"):
        run("--older-than", "30")
    assert list(Transcript.objects.values_list("job_id", flat=True)) == ["job-b"]


def test_purge_local_only_never_calls_assemblyai(mocked_http, settings):
    settings.ASSEMBLYAI_KEY = ""
    stored("job-old", days_old=40)
    out = run("--older-than", "30", "--local-only")
    assert "Deleted 1 transcripts older than 30 days (0 at AssemblyAI)" in out
    assert len(mocked_http.calls) == 0


def test_purge_without_an_api_key_says_what_to_do_and_deletes_nothing(mocked_http, settings):
    settings.ASSEMBLYAI_KEY = ""
    stored("job-old", days_old=40)
    with pytest.raises(CommandError, match="ASSEMBLYAI_KEY is not set.*--local-only"):
        run("--older-than", "30")
    assert Transcript.objects.count() == 1


def test_purge_refuses_a_negative_age():
    with pytest.raises(CommandError, match="0 days or more"):
        run("--older-than", "-1")
