"""Subtitles and text built from AssemblyAI's words."""

import datetime

import pytest

from transcription import exports


def word(text, start, end, confidence=0.9, **extra):
    return {"text": text, "start": start, "end": end, "confidence": confidence, **extra}


def spoken(*texts, start=0, step=300, **extra):
    """Words one after another, `step` ms each, no pauses."""
    return [word(t, start + i * step, start + (i + 1) * step - 20, **extra) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    "ms, srt, vtt",
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (1234, "00:00:01,234", "00:00:01.234"),
        (61_005, "00:01:01,005", "00:01:01.005"),
        (3_723_456, "01:02:03,456", "01:02:03.456"),
    ],
)
def test_it_formats_timestamps_for_srt_with_a_comma_and_for_vtt_with_a_dot(ms, srt, vtt):
    assert exports.timestamp(ms, ",") == srt
    assert exports.timestamp(ms, ".") == vtt


def test_it_writes_numbered_srt_cues():
    srt = exports.to_srt(spoken("Hello", "there.", start=1000) + spoken("How", "are", "you?", start=2000))
    assert srt == (
        "1\n00:00:01,000 --> 00:00:01,580\nHello there.\n\n2\n00:00:02,000 --> 00:00:02,880\nHow are you?\n"
    )


def test_it_writes_a_webvtt_header_and_dotted_times():
    vtt = exports.to_vtt(spoken("Hello", "there.", start=1000))
    assert vtt == "WEBVTT\n\n00:00:01.000 --> 00:00:01.580\nHello there.\n"


def test_it_starts_a_new_caption_when_the_speaker_changes():
    words = spoken("Hi", "Bob", speaker="A") + spoken("Hello", "Alice", start=600, speaker="B")
    cues = exports.captions(words)
    assert [(c.label, c.text) for c in cues] == [("Speaker A", "Hi Bob"), ("Speaker B", "Hello Alice")]


def test_it_names_the_speaker_in_srt_only_when_it_changes():
    words = (
        spoken("One.", speaker="A")
        + spoken("Two.", start=300, speaker="A")
        + spoken("Three.", start=600, speaker="B")
    )
    srt = exports.to_srt(words)
    assert "Speaker A: One." in srt
    assert "\nTwo.\n" in srt
    assert "Speaker B: Three." in srt


def test_it_marks_each_vtt_cue_with_its_voice():
    vtt = exports.to_vtt(spoken("Hi.", channel="1") + spoken("Yes.", start=300, channel="2"))
    assert "<v Channel 1>Hi." in vtt
    assert "<v Channel 2>Yes." in vtt


def test_it_escapes_markup_in_vtt():
    vtt = exports.to_vtt([word("<b>&", 0, 500)])
    assert "&lt;b&gt;&amp;" in vtt


def test_it_keeps_captions_within_84_characters_on_two_lines_of_42():
    words = spoken(*(["communication"] * 40))
    cues = exports.captions(words)
    assert len(cues) > 1
    for cue in cues:
        assert len(cue.text) <= exports.CAPTION_CHARS
        assert all(len(line) <= exports.LINE_CHARS for line in exports.split_lines(cue.text))


def test_it_keeps_captions_within_six_seconds():
    words = spoken(*(["a"] * 60), step=400)
    cues = exports.captions(words)
    assert all(cue.end - cue.start <= exports.CAPTION_MS for cue in cues)
    assert sum(len(cue.words) for cue in cues) == 60


def test_it_starts_a_new_caption_after_a_long_pause():
    cues = exports.captions([word("before", 0, 400), word("after", 3000, 3400)])
    assert [c.text for c in cues] == ["before", "after"]


def test_it_ends_a_caption_at_the_end_of_a_sentence():
    cues = exports.captions(spoken("Yes.", "I", "agree."))
    assert [c.text for c in cues] == ["Yes.", "I agree."]


def test_it_ends_a_cue_before_the_next_one_begins():
    words = [word("Overlap.", 0, 1500), word("Next", 1200, 1600)]
    srt = exports.to_srt(words)
    assert "00:00:00,000 --> 00:00:01,200" in srt


def test_it_splits_a_long_caption_into_two_lines_near_the_middle():
    lines = exports.split_lines("the quick brown fox jumps over the lazy dog and runs away")
    assert lines == ["the quick brown fox jumps over", "the lazy dog and runs away"]


def test_it_skips_words_without_timings():
    words = [{"text": "lost"}, word("kept", 0, 100), {"text": "odd", "start": "x", "end": 5}]
    assert exports.to_srt(words) == "1\n00:00:00,000 --> 00:00:00,100\nkept\n"


def test_txt_is_the_text_when_nobody_is_labelled():
    assert exports.to_txt(text="Hello there.", words=spoken("Hello", "there.")) == "Hello there.\n"


def test_txt_gives_one_line_per_speaker_turn_with_its_time():
    words = spoken("Hi", "Bob.", speaker="A") + spoken("Hello.", start=600, speaker="B")
    assert (
        exports.to_txt(text="ignored", words=words) == "Speaker A (0:00): Hi Bob.\nSpeaker B (0:00): Hello.\n"
    )


def test_paragraphs_break_on_a_pause_of_two_seconds_after_a_sentence():
    paragraphs = exports.paragraphs([word("one", 0, 100), word("two.", 500, 600), word("three", 2700, 2800)])
    assert [p.text for p in paragraphs] == ["one two.", "three"]


def test_paragraphs_never_break_mid_sentence_on_a_short_pause():
    paragraphs = exports.paragraphs([word("one", 0, 100), word("two", 500, 600), word("three.", 2700, 2800)])
    assert [p.text for p in paragraphs] == ["one two three."]


def test_paragraphs_break_a_long_monologue_at_the_next_sentence_end():
    words = [word(f"w{k}{'.' if k % 10 == 9 else ''}", k * 1000, k * 1000 + 900) for k in range(60)]
    paragraphs = exports.paragraphs(words)
    assert len(paragraphs) == 2
    assert all(p.text.endswith(".") for p in paragraphs)


def test_paragraphs_break_unpunctuated_speech_after_a_very_long_pause():
    paragraphs = exports.paragraphs([word("one", 0, 100), word("two", 9000, 9100)])
    assert [p.text for p in paragraphs] == ["one", "two"]


@pytest.mark.parametrize(
    "label, fallback, expected",
    [
        ("+14155551234", "job", "transcript-2026-11-24-14155551234.srt"),
        ("", "5f1c-uuid", "transcript-2026-11-24-5f1c-uuid.srt"),
        ("", "", "transcript-2026-11-24.srt"),
    ],
)
def test_file_names_carry_the_date_and_the_number_or_the_job(label, fallback, expected):
    date = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)
    assert exports.filename(kind="srt", date=date, label=label, fallback=fallback) == expected


def test_the_streamed_json_is_the_same_document_as_the_whole_one():
    from transcription.exports import iter_json, to_json

    data = {"text": "Grüße, <b>", "words": [{"text": "Grüße,", "start": 0, "end": 1}], "n": None}
    assert "".join(iter_json(data)) == to_json(data)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["txt", "json", "srt", "vtt"])
def test_a_download_is_streamed_in_chunks(admin_client, kind):
    from tests.factories import make_transcript

    transcript = make_transcript(completed=True)
    response = admin_client.get(f"/transcription/{transcript.pk}/export.{kind}")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content)
