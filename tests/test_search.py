"""Full-text search against the database (SQLite FTS5 by default, PostgreSQL with make test-postgres).

Run on PostgreSQL: make test-postgres PYTEST_ARGS='-q tests/test_search*.py'
"""

import pytest
from django.db import connection

from search.engine import Search
from search.index import PG_TABLE, SQLITE_TABLE, ensure
from tests.factories import make_transcript, make_user
from transcription.models import Transcript
from transcription.selectors import transcripts_visible_to

pytestmark = pytest.mark.django_db


def transcript(text, **fields):
    return make_transcript(status="completed", text=text, **fields)


def found(query, transcripts=None):
    search = Search.parse(query)
    queryset = search.filter(Transcript.objects.all() if transcripts is None else transcripts)
    return list(queryset.order_by(*search.order_by).values_list("pk", flat=True))


def accents_folded() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")
        return cursor.fetchone()[0] == 1


def test_it_finds_a_word_ignoring_case():
    hit = transcript("I asked for a Refund.")
    transcript("I asked for a return.")
    assert found("refund") == [hit.pk]


def test_it_folds_non_ascii_case():
    hit = transcript("Herr MÜLLER ruft an.")
    assert found("müller") == [hit.pk]
    assert found("MÜLLER") == [hit.pk]


def test_it_folds_accents_where_the_database_can():
    if not accents_folded():
        pytest.skip("PostgreSQL without unaccent folds case only (documented in search/index.py)")
    hit = transcript("Un café, s'il vous plaît.")
    assert found("cafe") == [hit.pk]
    assert found("CAFÉ") == [hit.pk]


def test_every_word_must_match():
    both = transcript("refund on tuesday")
    transcript("refund on monday")
    assert found("tuesday refund") == [both.pk]


def test_a_phrase_matches_only_those_words_in_that_order():
    hit = transcript("please call me back tomorrow")
    transcript("back to me, please call")
    assert found('"call me back"') == [hit.pk]


def test_an_excluded_word_removes_its_transcripts():
    kept = transcript("refund approved")
    transcript("refund cancelled")
    assert found("refund -cancelled") == [kept.pk]


def test_a_search_of_exclusions_only_keeps_everything_else():
    kept = transcript("refund approved")
    transcript("refund cancelled")
    assert found("-cancelled") == [kept.pk]


def test_or_matches_either_term():
    refund = transcript("a refund please", created_ago=None)
    ret = transcript("a return please")
    transcript("a voucher please")
    assert sorted(found("refund OR return")) == sorted([refund.pk, ret.pk])


def test_operators_typed_by_a_user_are_plain_words():
    hit = transcript("NOT AND NEAR text")
    transcript("other words")
    for query in ("NOT AND", "NEAR(text", "text*", "'text'", "text:", "a & b | !c", "text^"):
        assert set(found(query)) <= {hit.pk}, query
    assert found("NEAR") == [hit.pk]


def test_more_occurrences_rank_higher():
    once = transcript("refund " + "filler words here " * 20)
    often = transcript("refund refund refund " + "filler words here " * 20)
    assert found("refund") == [often.pk, once.pk]


def test_the_search_only_narrows_the_queryset_it_is_given():
    mine = transcript("refund for me")
    theirs = transcript("refund for them")
    assert found("refund", Transcript.objects.filter(pk=mine.pk)) == [mine.pk]
    assert found("-nothing", Transcript.objects.filter(pk=theirs.pk)) == [theirs.pk]
    assert found("", Transcript.objects.filter(pk=theirs.pk)) == [theirs.pk]


def test_the_index_follows_an_update():
    row = transcript("refund")
    row.text = "voucher"
    row.save()
    assert found("refund") == []
    assert found("voucher") == [row.pk]


def test_the_index_follows_a_bulk_update_and_a_delete():
    row = transcript("refund")
    Transcript.objects.filter(pk=row.pk).update(text="voucher")
    assert found("voucher") == [row.pk]
    Transcript.objects.filter(pk=row.pk).delete()
    assert found("voucher") == []


def test_the_index_follows_bulk_create():
    Transcript.objects.bulk_create([Transcript(text="bulk refund", webhook_token=f"t{n}") for n in range(3)])
    assert len(found("refund")) == 3


def test_a_lost_trigger_is_recreated_and_the_index_rebuilt():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite drops triggers when Django remakes a table")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_transcript_ai")
    row = transcript("refund")
    assert found("refund") == []
    assert ensure(connection) is True
    assert found("refund") == [row.pk]
    assert ensure(connection) is False


def test_the_post_migrate_signal_recreates_a_lost_trigger():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite drops triggers when Django remakes a table")
    from django.core.management.sql import emit_post_migrate_signal

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_transcript_ai")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    row = transcript("refund")
    assert found("refund") == [row.pk]


def test_migrate_leaves_the_index_complete():
    table = SQLITE_TABLE if connection.vendor == "sqlite" else PG_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
    assert ensure(connection) is False


def test_a_hit_links_to_the_moment_it_is_said(admin_client):
    words = [
        {"text": "Hello,", "start": 100, "end": 400},
        {"text": "about", "start": 500, "end": 800},
        {"text": "my", "start": 900, "end": 1000},
        {"text": "refund.", "start": 83_450, "end": 84_000},
    ]
    hit = transcript("Hello, about my refund.", words=words)
    html = admin_client.get("/transcription/", {"q": "refund"}).content.decode()
    assert f'href="/transcription/{hit.pk}/?q=refund#t=83.4"' in html
    assert "Hello, about my <mark>refund</mark>." in html


def test_a_hit_whose_words_do_not_line_up_links_to_the_top(admin_client):
    hit = transcript("Hello, about my refund.", words=[{"text": "Hello,", "start": 100, "end": 400}])
    html = admin_client.get("/transcription/", {"q": "refund"}).content.decode()
    assert f'href="/transcription/{hit.pk}/?q=refund"' in html


def test_the_list_ranks_hits_and_counts_them_per_status(admin_client):
    once = transcript("refund " + "filler " * 30)
    often = transcript("refund refund refund " + "filler " * 30)
    make_transcript(status="processing", text="refund pending")
    response = admin_client.get("/transcription/", {"q": "refund", "status": "completed"})
    assert [row["transcript"].pk for row in response.context["rows"]] == [often.pk, once.pk]
    assert dict((value, n) for value, _, n in response.context["chips"])["processing"] == 1


def test_a_hit_links_with_the_wanted_words_only(admin_client):
    hit = transcript("please call me back")
    html = admin_client.get("/transcription/", {"q": '"call back" OR please -cancel'}).content.decode()
    assert f'href="/transcription/{hit.pk}/?q=call%20back%20please"' in html


@pytest.mark.parametrize("query", ["refund", '"refund please"', "refund OR voucher", "-nothing", "refund -x"])
def test_a_users_search_never_returns_another_users_transcripts(client, query):
    alice, bob = make_user("alice"), make_user("bob")
    mine = transcript("refund please", owner=alice)
    transcript("refund please", owner=bob)
    assert found(query, transcripts_visible_to(alice)) == [mine.pk]
    client.force_login(alice)
    response = client.get("/transcription/", {"q": query})
    assert [row["transcript"].pk for row in response.context["rows"]] == [mine.pk]
    assert response.context["total"] == 1
