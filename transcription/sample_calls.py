"""Sample calls for a first look: a completed transcript with audio, no vendor account needed.

The audio is copied from `samples/` into the recordings storage (an asset like any other), and the
committed AssemblyAI JSON goes through transcript_apply, the pipeline's own result code, so the
same vendor value checks apply.
"""

from __future__ import annotations

import json
import uuid

from django.db import transaction

import samples
from audio.models import AudioAsset, OriginKind
from audio.services import READ_CHUNK_SIZE, asset_archive

from .models import AudioSource, Transcript
from .pipeline.apply import transcript_apply
from .pipeline.create import transcript_create

TITLES = {"tutorial": "Sample: the tutorial", "conversation": "Sample: a two-party conversation"}


def _chunks(path):
    with path.open("rb") as source:
        while chunk := source.read(READ_CHUNK_SIZE):
            yield chunk


def sample_load(*, owner, sample: samples.Sample) -> Transcript:
    """Store `sample` as a completed transcript owned by `owner`, its audio archived for the player."""
    data = json.loads(sample.transcript.read_text())
    # The sample's job id and Twilio URL are the tutorial's, not this app's: a sample has no job.
    data.pop("id", None)
    data["status"] = "completed"
    asset = AudioAsset.objects.create(
        origin_kind=OriginKind.SAMPLE,
        channels=sample.channels,
        owner_id=getattr(owner, "pk", owner),
        label=TITLES.get(sample.name, f"Sample: {sample.name}"),
    )
    try:
        asset_archive(
            asset=asset,
            chunks=_chunks(sample.audio),
            name=f"samples/{sample.name}-{uuid.uuid4().hex[:12]}{sample.audio.suffix}",
            content_type=samples.AUDIO_CONTENT_TYPE,
        )
        with transaction.atomic():
            # Never redacted: no job at AssemblyAI would ever make its redacted copy.
            transcript = transcript_create(
                audio=asset, audio_source=AudioSource.UPLOAD, owner=owner, redactable=False
            )
            transcript.is_sample = True
            transcript.save(update_fields=["is_sample", "updated_at"])
            transcript_apply(transcript=transcript, data=data)
    except BaseException:
        _asset_delete(asset)
        raise
    return transcript


def samples_load_missing(*, owner) -> tuple[list[Transcript], list[Transcript]]:
    """The samples `owner` does not have yet, loaded; and the ones they have (the page's button).

    A second click must not pile up copies: only a sample the owner deleted comes back.
    """
    have = list(Transcript.objects.filter(owner=owner, is_sample=True).select_related("audio").order_by("pk"))
    labels = {t.audio.label for t in have if t.audio is not None}
    wanted = [s for s in samples.SAMPLES if TITLES.get(s.name, f"Sample: {s.name}") not in labels]
    return [sample_load(owner=owner, sample=sample) for sample in wanted], have


def _asset_delete(asset: AudioAsset) -> None:
    if asset.file:
        asset.file.storage.delete(asset.file.name)
    asset.delete()


def sample_delete(*, transcript: Transcript) -> None:
    """Delete a sample transcript and its audio (the file too). Refuses a transcript that is no sample."""
    if not transcript.is_sample:
        raise ValueError(f"Transcript {transcript.pk} is not a sample: delete it in the admin.")
    asset = transcript.audio
    with transaction.atomic():
        transcript.delete()
        orphaned = asset is not None and not asset.transcripts.exists()
        if orphaned:
            asset.delete()
    # The file goes once the rows are gone for good: a rollback must not leave a row without its file.
    if orphaned and asset.file:
        asset.file.storage.delete(asset.file.name)
