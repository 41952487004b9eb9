"""manage.py archive_recordings: what older installs never archived, in bounded and resumable batches.

Each test taking `recordings_storage` runs on a local folder and on the loopback S3 server.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from audio.models import AudioAsset
from audio.services import asset_archive
from caller.audio import recording_asset
from caller.models import Recording
from tests.factories import make_recording, make_transcript
from tests.fakes import ACCOUNT, mock_media, tone_wav
from tests.fakes.s3 import S3_SECRET

pytestmark = pytest.mark.django_db

AUDIO = tone_wav(0.5)


def sid(n: int) -> str:
    return f"RE{n:032x}"


def old_recordings(mocked_http, count: int, **fields) -> list[Recording]:
    """Completed recordings of an install older than the archive: only Twilio has their audio."""
    recordings = []
    for n in range(1, count + 1):
        recording = make_recording(sid=sid(n), call_sid=f"CA{n:032x}", status="completed", **fields)
        mock_media(mocked_http, AUDIO + bytes([n]), url=recording.media_url, redirect_to=None)
        recordings.append(recording)
    return recordings


def archive_recordings(*args) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("archive_recordings", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def archived_sids() -> set[str]:
    return set(AudioAsset.objects.filter(archived_at__isnull=False).values_list("origin_id", flat=True))


def test_it_archives_what_was_never_archived_with_a_line_each_and_a_summary(recordings_storage, mocked_http):
    old_recordings(mocked_http, 2)
    out, err, failure = archive_recordings()
    assert failure is None and err == ""
    assert archived_sids() == {sid(1), sid(2)}
    lines = out.strip().splitlines()
    assert lines[0].startswith("2 recordings to archive; this run takes 2, into ")
    assert lines[1].startswith(f"[1/2] {sid(1)} archived (")
    assert lines[2].startswith(f"[2/2] {sid(2)} archived (")
    assert lines[-1] == "Archived 2 recordings (0.0 MB), 0 failed, 0 still to archive."
    asset = AudioAsset.objects.get(origin_id=sid(2))
    with asset.file.open("rb") as stored:
        assert stored.read() == AUDIO + bytes([2])


def test_it_is_bounded_by_limit_and_a_rerun_continues_with_the_rest(recordings_storage, mocked_http):
    old_recordings(mocked_http, 3)
    out, _, _ = archive_recordings("--limit", "2")
    assert archived_sids() == {sid(1), sid(2)}
    assert out.strip().splitlines()[-1].endswith("0 failed, 1 still to archive.")
    twilio_asked = len(mocked_http.calls)
    out, _, _ = archive_recordings("--limit", "2")
    assert archived_sids() == {sid(1), sid(2), sid(3)}
    assert len(mocked_http.calls) == twilio_asked + 1  # the verified two were skipped
    assert out.strip().splitlines()[-1].endswith("0 failed, 0 still to archive.")


def test_a_recording_already_archived_is_not_downloaded_again(recordings_storage, mocked_http):
    (recording,) = old_recordings(mocked_http, 1)
    asset_archive(asset=recording_asset(recording), chunks=[AUDIO], name="twilio/x.wav")
    out, _, failure = archive_recordings()
    assert failure is None and len(mocked_http.calls) == 0
    assert out.startswith("0 recordings to archive")


def test_a_failure_is_reported_with_twilios_message_and_the_batch_goes_on(recordings_storage, mocked_http):
    gone = make_recording(sid=sid(9), call_sid="CA" + "9" * 32, status="completed")
    mocked_http.get(
        gone.media_url, status=404, json={"code": 20404, "message": "The requested resource was not found"}
    )
    old_recordings(mocked_http, 1)
    out, err, failure = archive_recordings()
    assert archived_sids() == {sid(1)}
    assert err.startswith(f"[1/2] {sid(9)} failed: ")
    assert "deleted or never existed" in err
    assert "Archived 1 recordings (0.0 MB), 1 failed, 1 still to archive." in out
    assert "run the command again" in str(failure)  # exit status 1, so cron tells someone
    assert "deleted or never existed" in AudioAsset.objects.get(origin_id=sid(9)).archive_error


def test_a_recording_that_failed_before_goes_last_so_a_bounded_run_makes_progress(
    recordings_storage, mocked_http
):
    first, second = old_recordings(mocked_http, 2)
    AudioAsset.objects.create(origin_kind="twilio_recording", origin_id=first.sid, archive_error="Twilio 503")
    archive_recordings("--limit", "1")
    assert archived_sids() == {second.sid}


def test_a_bucket_that_refuses_is_named_with_what_it_said(bucket_storage, mocked_http):
    old_recordings(mocked_http, 1)
    bucket_storage.connection.meta.client.delete_bucket(Bucket=bucket_storage.bucket_name)
    _, err, failure = archive_recordings()
    assert failure is not None
    assert f"[1/1] {sid(1)} failed: The archive could not store" in err and "NoSuchBucket" in err
    assert S3_SECRET not in err


def test_missing_twilio_credentials_stop_the_run_at_once(recordings_storage, mocked_http, settings):
    old_recordings(mocked_http, 2)
    settings.TWILIO_AUTH_TOKEN = ""
    _, err, failure = archive_recordings()
    assert "TWILIO_AUTH_TOKEN" in str(failure)
    assert err == "" and archived_sids() == set()


def test_a_recording_whose_transcript_was_deleted_is_left_alone(recordings_storage, mocked_http):
    from django.utils import timezone

    old_recordings(mocked_http, 1, transcript_deleted_at=timezone.now())
    out, _, _ = archive_recordings()
    assert archived_sids() == set() and len(mocked_http.calls) == 0
    assert out.startswith("0 recordings to archive")


def test_recordings_deleted_at_twilio_before_any_archive_are_counted_apart(recordings_storage, mocked_http):
    make_recording(sid=sid(7), call_sid="CA" + "7" * 32, status="deleted")
    out, _, failure = archive_recordings()
    assert failure is None and len(mocked_http.calls) == 0
    assert (
        out.strip()
        .splitlines()[-1]
        .endswith("0 still to archive; 1 were deleted at Twilio before any archive and cannot be archived.")
    )


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_twilios_copy_of_a_transcribed_recording_is_deleted_once_its_archive_is_verified(
    recordings_storage, task_queue, mocked_http
):
    (recording,) = old_recordings(mocked_http, 1)
    make_transcript(completed=True, recording_sid=recording.sid, call_sid=recording.call_sid)
    deleted = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording.sid}.json"
    mocked_http.delete(deleted, status=204)
    with task_queue.capture(execute=True):
        archive_recordings()
    task_queue.run_all()
    assert task_queue.outcomes == ["deleted"]
    assert Recording.objects.get().status == "deleted"


def test_a_limit_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("archive_recordings", "--limit", "0")
