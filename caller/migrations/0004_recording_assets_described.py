"""Describe the recording assets made for existing transcripts: the media proxy to play, the call."""

import re

from django.db import migrations
from django.urls import reverse

RECORDING_SID_RE = re.compile(r"^RE[0-9a-f]{32}\Z")


def describe_recording_assets(apps, schema_editor):
    AudioAsset = apps.get_model("audio", "AudioAsset")
    Recording = apps.get_model("caller", "Recording")
    Call = apps.get_model("caller", "Call")
    assets = AudioAsset.objects.filter(origin_kind="twilio_recording", player_url="", page_url="")
    for asset in assets.iterator(chunk_size=500):
        recording = Recording.objects.filter(sid=asset.origin_id).first()
        call = None
        if recording is not None:
            call = Call.objects.filter(sid=recording.call_sid).first()
        # Deleted at Twilio before archives existed: a player would only show an error.
        playable = RECORDING_SID_RE.match(asset.origin_id) and not (recording and recording.status == "deleted")
        AudioAsset.objects.filter(pk=asset.pk).update(
            owner_id=recording.owner_id if recording is not None else None,
            player_url=reverse("recording-media", args=[asset.origin_id]) if playable else "",
            label=call.to if call else "",
            title=f"Call to {call.to}" if call else "",
            page_url=reverse("call-detail", args=[call.sid]) if call else "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("caller", "0003_owners_from_dialed_by_and_leads"),
        ("audio", "0003_audioasset_owner"),
        ("transcription", "0004_transcript_audio_assets"),
    ]

    operations = [migrations.RunPython(describe_recording_assets, migrations.RunPython.noop)]
