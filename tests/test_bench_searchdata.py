"""The search bench's generated data (bench/searchdata.py) is shaped as the app leaves it, on either
database: each transcript with its call, its audio asset and two participants the list can find.

Run on PostgreSQL: make test-postgres PYTEST_ARGS='-q tests/test_bench_searchdata.py'
"""

import random

import pytest
from django.db import connection

from bench import searchdata
from bench.scale import fake_transcript
from tests.factories import make_user
from transcription.finding import people_condition
from transcription.models import Participant, Transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    user = make_user("bench")
    rng = random.Random(1)
    searchdata.make_pool(connection, [fake_transcript(rng) for _ in range(2)])
    searchdata.generate(connection, 0, 3, user.pk, 2)
    return Transcript.objects.order_by("pk")


def test_every_generated_transcript_has_a_named_person_and_a_number(generated):
    assert [dict(t.participants.values_list("key", "name")) for t in generated] == [
        {"1": "Grace Hopper", "2": "+1 415-555-0000"},
        {"1": searchdata.names()[7919 % len(searchdata.names())], "2": "+1 415-555-0001"},
        {"1": searchdata.names()[2 * 7919 % len(searchdata.names())], "2": "+1 415-555-0002"},
    ]


def test_generated_participants_and_numbers_are_found_by_the_list(generated):
    first = generated[0]
    assert list(Transcript.objects.filter(people_condition("grace hop")).values_list("pk", flat=True)) == [
        first.pk
    ]
    assert list(Transcript.objects.filter(people_condition("4155550001")).values_list("pk", flat=True)) == [
        generated[1].pk
    ]
    assert Participant.objects.count() == 6


@pytest.mark.parametrize("rows", [40, 400])
def test_the_rare_word_is_said_in_as_many_transcripts_at_every_size_and_found_with_its_moment(rows):
    from search.engine import Search

    user = make_user("bench")
    rng = random.Random(1)
    searchdata.make_pool(connection, [fake_transcript(rng) for _ in range(2)])
    searchdata.generate(connection, 0, rows, user.pk, 2)
    search = Search.parse(searchdata.RARE_WORD)
    found = list(search.filter(Transcript.objects.all()).order_by("pk"))
    assert len(found) == searchdata.RARE_HITS
    assert all(t.words[-1]["text"] == searchdata.RARE_WORD for t in found)
    assert all(moment.startswith("t=") for moment in search.fragments(found).values())
    assert len(search.fragments(found)) == searchdata.RARE_HITS


def test_rows_past_a_quarter_million_are_made_on_either_database():
    # PostgreSQL's integers overflowed in the spread of creation times past ~271,000 rows.
    from datetime import timedelta

    from django.utils import timezone

    user = make_user("bench")
    rng = random.Random(1)
    searchdata.make_pool(connection, [fake_transcript(rng) for _ in range(2)])
    searchdata.generate(connection, 300_000, 300_003, user.pk, 2)
    made = list(Transcript.objects.values_list("created_at", flat=True))
    assert len(made) == 3
    assert all(timezone.now() - timedelta(days=366) < when <= timezone.now() for when in made)
