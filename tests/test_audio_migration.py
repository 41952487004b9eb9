"""The data migration that gives existing transcripts their audio assets."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from search import people
from search.index import drop_triggers, ensure

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("transcription", "0003_transcript_audio"), ("audio", "0001_initial")]
AFTER = [("transcription", "0004_transcript_audio_assets")]
RECORDING = "RE" + "5" * 32


def migrate(targets):
    # As the migrate command does (search/apps.py): the search indexes' triggers name two apps'
    # tables, so they are dropped while migrations remake tables, and made again after (with the
    # participants' trigram indexes, which go with their tables when a migration drops them).
    drop_triggers(connection)
    people.drop_triggers(connection)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ensure(connection)
    people.ensure(connection)
    return executor.loader.project_state(targets).apps


def test_old_transcripts_get_an_asset_for_their_recording_or_url_and_the_rest_none():
    apps = migrate(BEFORE)
    Transcript = apps.get_model("transcription", "Transcript")
    recorded = Transcript.objects.create(recording_sid=RECORDING, audio_url="https://api.twilio.com/x")
    by_url = Transcript.objects.create(audio_url="https://cdn.example.com/a.mp3")
    uploaded = Transcript.objects.create()  # a local file: nothing kept to point at
    try:
        apps = migrate(AFTER)
        Transcript = apps.get_model("transcription", "Transcript")
        recorded, by_url, uploaded = (Transcript.objects.get(pk=t.pk) for t in (recorded, by_url, uploaded))
        assert (recorded.audio.origin_kind, recorded.audio.origin_id) == ("twilio_recording", RECORDING)
        assert recorded.audio.archived_at is None  # older installs never kept the audio
        assert (by_url.audio.origin_kind, by_url.audio.origin_url) == ("url", "https://cdn.example.com/a.mp3")
        assert uploaded.audio is None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_recording_assets_of_old_transcripts_are_described_with_the_proxy_and_the_call():
    apps = migrate([("caller", "0001_initial"), *BEFORE])
    Call, Recording = apps.get_model("caller", "Call"), apps.get_model("caller", "Recording")
    Transcript = apps.get_model("transcription", "Transcript")
    call = Call.objects.create(sid="CA" + "6" * 32, to="+14155551234", from_number="+15005550006")
    Recording.objects.create(sid=RECORDING, call_sid=call.sid, account_sid="AC" + "a" * 32)
    gone = "RE" + "7" * 32
    Recording.objects.create(sid=gone, call_sid=call.sid, account_sid="AC" + "a" * 32, status="deleted")
    kept = Transcript.objects.create(recording_sid=RECORDING)
    deleted = Transcript.objects.create(recording_sid=gone)
    try:
        apps = migrate([("caller", "0004_recording_assets_described")])
        Transcript = apps.get_model("transcription", "Transcript")
        kept, deleted = Transcript.objects.get(pk=kept.pk), Transcript.objects.get(pk=deleted.pk)
        assert (kept.audio.player_url, kept.audio.label, kept.audio.page_url) == (
            f"/recordings/{RECORDING}/media/",
            "+14155551234",
            f"/calls/{call.sid}/",
        )
        assert deleted.audio.player_url == ""  # deleted at Twilio, never archived
        assert deleted.audio.title == "Call to +14155551234"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
