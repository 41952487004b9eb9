"""An audio asset for each existing transcript whose origin can be told (a recording SID or a URL)."""

from django.db import migrations


def assets_for_transcripts(apps, schema_editor):
    Transcript = apps.get_model("transcription", "Transcript")
    AudioAsset = apps.get_model("audio", "AudioAsset")
    rows = Transcript.objects.filter(audio__isnull=True).exclude(recording_sid="", audio_url="")
    for transcript in rows.iterator(chunk_size=500):
        if transcript.recording_sid:
            asset, _ = AudioAsset.objects.get_or_create(
                origin_kind="twilio_recording",
                origin_id=transcript.recording_sid,
                defaults={"origin_url": transcript.audio_url},
            )
        else:
            asset = AudioAsset.objects.create(origin_kind="url", origin_url=transcript.audio_url)
        Transcript.objects.filter(pk=transcript.pk).update(audio=asset)


class Migration(migrations.Migration):
    dependencies = [
        ("audio", "0001_initial"),
        ("transcription", "0003_transcript_audio"),
    ]

    operations = [migrations.RunPython(assets_for_transcripts, migrations.RunPython.noop)]
