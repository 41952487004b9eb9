"""Transcript words stored with orjson (djtranscribe/lib/fastjson.py): same values back, no migration."""

import pytest

from djtranscribe.lib.fastjson import FastJSONField
from tests.factories import make_transcript
from transcription.models import Revision, Transcript

pytestmark = pytest.mark.django_db


def test_words_come_back_exactly_as_saved_including_non_ascii_and_floats():
    words = [
        {"text": "Müller", "start": 0, "end": 480, "confidence": 0.93, "speaker": "A"},
        {"text": "naïve—“quoted”", "start": 480, "end": 1000, "confidence": 1.0, "speaker": None},
        {"text": "日本", "start": 1000, "end": 1500, "confidence": 0.5, "channel": "2", "edited": True},
    ]
    transcript = make_transcript(words=words, utterances=[{"speaker": "A", "text": "Müller"}])

    stored = Transcript.objects.get(pk=transcript.pk)

    assert stored.words == words
    assert stored.utterances == [{"speaker": "A", "text": "Müller"}]


def test_a_value_orjson_refuses_is_still_stored_by_the_standard_library():
    huge = 2**70  # beyond orjson's 64-bit integers
    transcript = make_transcript(words=[{"text": "x", "start": 0, "end": huge}])

    assert Transcript.objects.get(pk=transcript.pk).words[0]["end"] == huge


def test_lookups_into_the_words_still_work():
    make_transcript(words=[{"text": "alpha", "start": 0, "end": 1}])
    make_transcript(words=[])

    assert Transcript.objects.filter(words__0__text="alpha").count() == 1


def test_the_field_deconstructs_as_djangos_own_so_migrations_see_no_change():
    for field in (Transcript._meta.get_field("words"), Revision._meta.get_field("original_words")):
        assert isinstance(field, FastJSONField)
        _name, path, _args, kwargs = field.deconstruct()
        assert path == "django.db.models.JSONField"
        assert "encoder" not in kwargs
