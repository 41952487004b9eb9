"""The sample calls' committed audio really speaks each transcript word at its stored time.

No speech synthesiser here: the MP3s that scripts/make_sample_audio.py made are decoded with
soundfile (libsndfile) and their loudness measured where the transcripts put words and silences.
"""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import soundfile

import samples
from transcription import vendor_values

FIXTURE = Path(__file__).parent / "fixtures" / "tutorial_transcript.json"
# RMS of full-scale floats: espeak-ng's words measure about 0.04-0.1, digital silence 0.
SPEECH = 0.01
QUIET = 0.002
# MP3 decoders that ignore LAME's gapless tag start about 50 ms late; a reader cannot see that.
LATE_MS = 80


@cache
def decoded(path: Path) -> tuple[np.ndarray, int]:
    signal, rate = soundfile.read(path, dtype="float32", always_2d=True)
    return signal, rate


@cache
def transcript(path: Path) -> dict:
    return json.loads(path.read_text())


def level(sample: samples.Sample, start_ms: int, end_ms: int, channel: int = 0) -> float:
    """RMS of one channel of the sample's audio between two times."""
    signal, rate = decoded(sample.audio)
    piece = signal[start_ms * rate // 1000 : end_ms * rate // 1000, channel]
    assert len(piece), f"{start_ms}-{end_ms} ms is outside the audio"
    return float(np.sqrt(np.mean(np.square(piece))))


def pauses(words: list[dict], audio_end_ms: int) -> list[tuple[int, int]]:
    """Spans where no word should sound: from 300 ms after the words so far end (the script lets a
    word run 250 ms past its end) to just before the next word, when that leaves 150 ms or more."""
    spans, ended = [], 0
    for word, following in zip(words, [*words[1:], None], strict=True):
        ended = max(ended, word["end"])
        upto = following["start"] - 30 if following else audio_end_ms - 30
        if upto - (ended + 300) >= 150:
            spans.append((ended + 300, upto))
    return spans


def test_it_ships_the_tutorial_transcript_unchanged():
    assert samples.TUTORIAL.transcript.read_bytes() == FIXTURE.read_bytes()


@pytest.mark.parametrize("sample", samples.SAMPLES, ids=lambda s: s.name)
def test_its_audio_lasts_as_long_as_its_transcript_says(sample):
    signal, rate = decoded(sample.audio)
    assert len(signal) / rate == pytest.approx(transcript(sample.transcript)["audio_duration"], abs=0.5)


@pytest.mark.parametrize("sample", samples.SAMPLES, ids=lambda s: s.name)
def test_its_audio_has_the_channels_it_declares(sample):
    signal, _ = decoded(sample.audio)
    assert signal.shape[1] == sample.channels


def test_the_sample_audio_stays_small_enough_to_commit():
    assert sum(sample.audio.stat().st_size for sample in samples.SAMPLES) < 600_000


def test_every_tutorial_word_sounds_between_its_start_and_end():
    words = transcript(samples.TUTORIAL.transcript)["words"]
    quiet = [w["text"] for w in words if level(samples.TUTORIAL, w["start"], w["end"]) < SPEECH]
    assert quiet == []


def test_the_tutorial_is_silent_where_nobody_speaks():
    data = transcript(samples.TUTORIAL.transcript)
    spans = pauses(data["words"], round(data["audio_duration"] * 1000))
    assert len(spans) >= 3  # 25.9-28.1 s, 30.9-31.8 s and the end, at least
    assert max(level(samples.TUTORIAL, *span) for span in spans) < QUIET


def test_tutorial_words_after_a_pause_begin_at_their_stored_start():
    data = transcript(samples.TUTORIAL.transcript)
    after_pause = [span[1] + 30 for span in pauses(data["words"], round(data["audio_duration"] * 1000))]
    starts = [w["start"] for w in data["words"] if w["start"] in after_pause]
    assert len(starts) >= 2
    for start in starts:
        assert level(samples.TUTORIAL, start - 200, start - 30) < QUIET
        assert level(samples.TUTORIAL, start, start + LATE_MS + 70) > SPEECH


def test_the_word_at_ten_seconds_is_sounding_at_ten_seconds():
    words = transcript(samples.TUTORIAL.transcript)["words"]
    (word,) = [w for w in words if w["start"] <= 10_000 < w["end"]]
    assert word["text"] == "Code"
    assert level(samples.TUTORIAL, 9_950, 10_050) > SPEECH


@pytest.mark.parametrize(("party", "channel"), [("1", 0), ("2", 1)])
def test_each_party_speaks_on_its_own_channel(party, channel):
    words = transcript(samples.CONVERSATION.transcript)["words"]
    quiet = [
        w["text"]
        for w in words
        if w["channel"] == party and level(samples.CONVERSATION, w["start"], w["end"], channel) < SPEECH
    ]
    assert quiet == []


@pytest.mark.parametrize(("party", "channel"), [("1", 0), ("2", 1)])
def test_a_partys_channel_is_silent_while_only_the_other_speaks(party, channel):
    words = transcript(samples.CONVERSATION.transcript)["words"]
    own = [(w["start"], w["end"] + 300) for w in words if w["channel"] == party]
    others_alone = [
        w for w in words if w["channel"] != party and not any(s < w["end"] and w["start"] < e for s, e in own)
    ]
    assert len(others_alone) > 40
    loud = [
        w["text"] for w in others_alone if level(samples.CONVERSATION, w["start"], w["end"], channel) >= QUIET
    ]
    assert loud == []


def test_the_conversation_is_a_completed_multichannel_result():
    data = transcript(samples.CONVERSATION.transcript)
    assert (data["status"], data["audio_channels"], data["language_code"]) == ("completed", 2, "en_us")
    assert data["speech_model_used"] and data["id"]
    assert 40 <= data["audio_duration"] <= 60
    assert 0 <= data["confidence"] <= 1


def test_the_conversations_words_are_in_time_order_on_channels_one_and_two():
    data = transcript(samples.CONVERSATION.transcript)
    words = data["words"]
    assert {w["channel"] for w in words} == {"1", "2"}  # strings, as AssemblyAI sends them
    assert all(0 <= w["start"] <= w["end"] <= data["audio_duration"] * 1000 for w in words)
    assert [w["start"] for w in words] == sorted(w["start"] for w in words)
    assert all(0 <= w["confidence"] <= 1 for w in words)


def test_the_conversations_utterances_hold_its_words_turn_by_turn():
    data = transcript(samples.CONVERSATION.transcript)
    utterances = data["utterances"]
    assert [w for u in utterances for w in u["words"]] == data["words"]
    assert all(u["text"] == " ".join(w["text"] for w in u["words"]) for u in utterances)
    assert all(
        u["channel"] == u["speaker"] and {w["channel"] for w in u["words"]} == {u["channel"]}
        for u in utterances
    )
    assert " ".join(u["text"] for u in utterances) == data["text"]
    assert all(0 <= u["confidence"] <= 1 for u in utterances)


def test_the_app_keeps_every_value_of_the_conversation():
    cleaned = vendor_values.clean_result(transcript(samples.CONVERSATION.transcript))
    assert cleaned.notes == []
    assert len(cleaned.words) == len(transcript(samples.CONVERSATION.transcript)["words"])


def test_the_script_recorded_how_it_made_each_file():
    manifest = json.loads((samples.DIRECTORY / "sample_audio.json").read_text())
    assert manifest["espeak_ng"].startswith("eSpeak NG")
    assert manifest["lame"].startswith("LAME")
    made = manifest["files"]
    assert set(made) == {sample.audio.name for sample in samples.SAMPLES}
    assert made["conversation.mp3"]["voices"]["1"] != made["conversation.mp3"]["voices"]["2"]
