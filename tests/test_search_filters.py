"""The transcripts list's filters and its search by participant, on either database.

Run on PostgreSQL: make test-postgres PYTEST_ARGS='-q tests/test_search_filters.py'
"""

from datetime import timedelta

import pytest

from audio.models import AudioAsset
from caller.models import CallDirection
from tests.factories import make_call, make_transcript, make_user
from transcription.models import Participant

pytestmark = pytest.mark.django_db


def transcript(text, **fields):
    return make_transcript(status="completed", text=text, **fields)


def listed(client, **params):
    response = client.get("/transcription/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return [row["transcript"].pk for row in response.context["rows"]]


def talking_with(number, owner, text="hello"):
    asset = AudioAsset.objects.create(origin_kind="twilio_recording", owner=owner, label=number)
    return transcript(text, audio=asset, owner=owner)


def test_the_date_range_keeps_transcripts_of_those_days(admin_client):
    old = transcript("refund", created_ago=timedelta(days=10))
    new = transcript("refund")
    since = (old.created_at + timedelta(days=1)).date().isoformat()
    assert listed(admin_client, q="refund", since=since) == [new.pk]
    assert listed(admin_client, q="refund", until=old.created_at.date().isoformat()) == [old.pk]


def test_a_date_that_is_not_a_date_is_refused_saying_how_to_write_it(admin_client):
    response = admin_client.get("/transcription/", {"since": "tuesday"})
    assert response.status_code == 400
    assert "From date &#x27;tuesday&#x27; is not a date like 2026-12-01." in response.content.decode()


def test_a_range_that_ends_before_it_starts_is_refused(admin_client):
    response = admin_client.get("/transcription/", {"since": "2026-12-05", "until": "2026-12-01"})
    assert response.status_code == 400
    assert "The From date is after the To date" in response.content.decode()


def test_the_direction_keeps_transcripts_of_calls_that_way(admin_client):
    make_call("CA" + "1" * 32, direction=CallDirection.INBOUND)
    make_call("CA" + "2" * 32, direction=CallDirection.OUTBOUND_API)
    inbound = transcript("refund", call_sid="CA" + "1" * 32)
    transcript("refund", call_sid="CA" + "2" * 32)
    transcript("refund")  # an upload: no call, no direction
    assert listed(admin_client, q="refund", direction="inbound") == [inbound.pk]


def test_an_unknown_direction_is_refused_with_the_choices(admin_client):
    response = admin_client.get("/transcription/", {"direction": "sideways"})
    assert response.status_code == 400
    assert "There is no call direction &#x27;sideways&#x27;: choose one of outbound-api" in (
        response.content.decode()
    )


def test_the_participant_filter_finds_a_name(admin_client):
    named = transcript("hello")
    Participant.objects.create(transcript=named, key="2", name="Alice Martin")
    transcript("hello")
    assert listed(admin_client, who="alice") == [named.pk]


def test_the_participant_filter_finds_a_number_however_it_is_typed(admin_client):
    lead = make_user("lead", superuser=True)
    hit = talking_with("+14155552671", lead)
    talking_with("+14155550000", lead)
    assert listed(admin_client, who="(415) 555-2671") == [hit.pk]


def test_a_number_does_not_find_a_transcript_given_to_someone_else(client):
    caller, given_to = make_user("caller"), make_user("given")
    asset = AudioAsset.objects.create(origin_kind="twilio_recording", owner=caller, label="+14155552671")
    transcript("hello", audio=asset, owner=given_to)
    client.force_login(given_to)
    assert listed(client, who="4155552671") == []


def test_the_participant_filter_never_shows_another_users_transcript(client):
    alice, bob = make_user("alice"), make_user("bob")
    mine = transcript("hello", owner=alice)
    theirs = transcript("hello", owner=bob)
    Participant.objects.create(transcript=mine, key="2", name="Carol")
    Participant.objects.create(transcript=theirs, key="2", name="Carol")
    client.force_login(alice)
    assert listed(client, who="carol") == [mine.pk]


def test_filters_combine_with_words_and_status(admin_client):
    hit = transcript("refund please")
    Participant.objects.create(transcript=hit, key="1", name="Alice")
    other = transcript("voucher please")
    Participant.objects.create(transcript=other, key="1", name="Alice")
    make_transcript(status="processing", text="refund", owner=None)
    assert listed(admin_client, q="refund", who="alice", status="completed") == [hit.pk]


def test_a_name_typed_in_the_search_box_offers_that_participants_transcripts(admin_client):
    named = transcript("hello")
    Participant.objects.create(transcript=named, key="2", name="Alice Martin")
    html = admin_client.get("/transcription/", {"q": "Alice"}).content.decode()
    assert "1 transcript with a participant named or numbered “Alice”" in html
    assert 'href="?who=Alice"' in html


def test_a_number_typed_in_the_search_box_offers_its_transcripts(admin_client):
    lead = make_user("lead", superuser=True)
    talking_with("+14155552671", lead)
    talking_with("+14155552671", lead)
    response = admin_client.get("/transcription/", {"q": "415 555 2671"})
    assert response.context["people"] == 2


def test_a_revised_transcript_is_found_by_its_new_words_only(admin_client):
    row = transcript("the refund is approved")
    # A revision keeps the transcript row holding the latest text (issue 12's design).
    row.text = "the voucher is approved"
    row.words = [{"text": w, "start": i * 500, "end": i * 500 + 400} for i, w in enumerate(row.text.split())]
    row.save(update_fields=["text", "words"])
    assert listed(admin_client, q="voucher") == [row.pk]
    assert listed(admin_client, q="refund") == []


def test_a_reference_number_typed_in_the_search_box_is_not_looked_up_as_a_phone_number(admin_client):
    lead = make_user("lead", superuser=True)
    talking_with("+14155510164", lead)
    response = admin_client.get("/transcription/", {"q": "10164"})
    assert response.context["people"] == 0
    assert listed(admin_client, who="10164") != []  # the participant filter still finds it


@pytest.fixture
def count_limit_of_two(monkeypatch):
    monkeypatch.setattr("search.engine.COUNT_LIMIT", 2)
    monkeypatch.setattr("transcription.views.COUNT_LIMIT", 2)


def test_past_the_count_limit_hits_come_newest_first_and_the_count_says_more_than(
    admin_client, count_limit_of_two
):
    rows = [transcript("refund " * n) for n in (3, 1, 2)]
    transcript("voucher")
    response = admin_client.get("/transcription/", {"q": "refund"})
    # The pages reach as far as the count: the newest two of the three.
    assert [row["transcript"].pk for row in response.context["rows"]] == [rows[2].pk, rows[1].pk]
    html = response.content.decode()
    assert "More than 2 transcripts contain “refund”, newest first" in html
    assert [n for _, _, n in response.context["chips"]] == [None] * 6  # partial counts are not shown


def test_under_the_count_limit_hits_are_ranked_and_counted(admin_client, count_limit_of_two):
    once, often = transcript("refund " + "filler " * 30), transcript("refund refund refund " + "filler " * 30)
    response = admin_client.get("/transcription/", {"q": "refund"})
    assert [row["transcript"].pk for row in response.context["rows"]] == [often.pk, once.pk]
    assert response.context["chips"][0] == ("", "All", 2)


def test_past_the_count_limit_a_status_is_counted_on_its_own(admin_client, count_limit_of_two):
    completed = [transcript("refund") for _ in range(2)]
    for _ in range(2):
        make_transcript(status="processing", text="refund")
    response = admin_client.get("/transcription/", {"q": "refund", "status": "completed"})
    assert response.context["many"] is False
    assert response.context["total"] == 2
    assert sorted(row["transcript"].pk for row in response.context["rows"]) == sorted(t.pk for t in completed)
