"""A call's notes are searched with its transcripts, on SQLite (FTS5) and PostgreSQL (tsvector).

Run on PostgreSQL: make test-postgres PYTEST_ARGS='-q tests/test_call_notes_search.py'
"""

import pytest
from django.db import connection

from caller.models import Call
from search.engine import Search
from search.index import drop_triggers, ensure, notes_of
from tests.factories import make_call, make_transcript, make_user
from transcription.models import Transcript
from transcription.selectors import transcripts_visible_to

pytestmark = pytest.mark.django_db

SID_A = "CA" + "a" * 32
SID_B = "CA" + "b" * 32


def found(query, transcripts=None):
    search = Search.parse(query)
    queryset = search.filter(Transcript.objects.all() if transcripts is None else transcripts)
    return list(queryset.order_by(*search.order_by).values_list("pk", flat=True))


def call_with_transcript(notes, *, sid=SID_A, owner=None, text="Hello, how can I help?"):
    owner = owner or make_user(f"owner-{sid[-4:]}")
    call = make_call(sid=sid, owner=owner, notes=notes)
    transcript = make_transcript(status="completed", text=text, call_sid=sid, owner=owner)
    return call, transcript


def test_a_word_of_the_notes_finds_the_calls_transcript():
    _, hit = call_with_transcript("Customer wants a refund before Friday.")
    make_transcript(status="completed", text="Nothing about money here.")
    assert found("refund") == [hit.pk]


def test_a_phrase_of_the_notes_finds_the_calls_transcript():
    _, hit = call_with_transcript("Follow up next week about the invoice.")
    call_with_transcript("Next follow up: the week after.", sid=SID_B)
    assert found('"follow up next week"') == [hit.pk]


def test_an_excluded_word_of_the_notes_removes_the_transcript():
    _, kept = call_with_transcript("refund approved", text="refund please")
    call_with_transcript("refund cancelled", sid=SID_B, text="refund please")
    assert found("refund -cancelled") == [kept.pk]


def test_or_matches_a_word_of_the_notes_or_of_the_text():
    _, in_notes = call_with_transcript("voucher sent")
    in_text = make_transcript(status="completed", text="a refund then")
    assert sorted(found("refund OR voucher")) == sorted([in_notes.pk, in_text.pk])


def test_words_may_come_from_the_text_and_the_notes_together():
    _, hit = call_with_transcript("Tuesday works for them", text="I want a refund")
    assert found("refund tuesday") == [hit.pk]


def test_notes_fold_non_ascii_case():
    _, hit = call_with_transcript("Rückruf von Herrn MÜLLER erbeten.")
    assert found("müller") == [hit.pk]


def test_another_users_notes_are_never_found():
    alice, bob = make_user("alice"), make_user("bob")
    call_with_transcript("secret merger talk", owner=bob)
    make_transcript(status="completed", text="merger", owner=alice, call_sid="")
    assert found("secret", transcripts_visible_to(alice)) == []


def test_a_transcript_given_to_someone_else_does_not_carry_the_call_owners_notes():
    owner, other = make_user("owner"), make_user("other")
    make_call(sid=SID_A, owner=owner, notes="private remark")
    given = make_transcript(status="completed", text="hello", call_sid=SID_A, owner=other)
    assert found("private", transcripts_visible_to(other)) == []
    assert notes_of(connection, [given.pk]) == {}


def test_editing_the_notes_updates_the_index():
    call, hit = call_with_transcript("call back on monday")
    Call.objects.filter(pk=call.pk).update(notes="call back on friday")
    assert found("monday") == []
    assert found("friday") == [hit.pk]


def test_notes_written_before_the_transcript_are_found_with_it():
    owner = make_user("owner")
    make_call(sid=SID_A, owner=owner, notes="wrote this during the call")
    hit = make_transcript(status="completed", text="hello", call_sid=SID_A, owner=owner)
    assert found("during") == [hit.pk]


def test_a_deleted_call_takes_its_notes_out_of_the_index():
    call, hit = call_with_transcript("gone soon", text="the text stays")
    call.delete()
    assert found("gone") == []
    assert found("stays") == [hit.pk]


def test_a_deleted_transcript_leaves_the_index_consistent():
    call, hit = call_with_transcript("remember this")
    hit.delete()
    assert found("remember") == []
    Call.objects.filter(pk=call.pk).update(notes="something else")
    assert found("something") == []


def test_a_new_transcript_text_keeps_the_notes_in_the_index():
    _, hit = call_with_transcript("keep these notes", text="first words")
    Transcript.objects.filter(pk=hit.pk).update(text="second words")
    assert found("keep") == [hit.pk]
    assert found("first") == []


def test_a_call_given_to_another_owner_moves_its_notes():
    owner, other = make_user("owner"), make_user("other")
    call, hit = call_with_transcript("moved notes", owner=owner)
    Call.objects.filter(pk=call.pk).update(owner=other)
    assert found("moved") == []
    Call.objects.filter(pk=call.pk).update(owner=owner)
    assert found("moved") == [hit.pk]


def test_the_index_is_rebuilt_with_the_notes_after_its_triggers_were_dropped():
    call, hit = call_with_transcript("before the drop")
    drop_triggers(connection)
    Call.objects.filter(pk=call.pk).update(notes="while dropped")
    assert ensure(connection) is True
    assert found("dropped") == [hit.pk]
    assert found("before") == []
    assert ensure(connection) is False


def test_an_index_of_an_older_shape_is_made_again():
    _, hit = call_with_transcript("older shape")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The SQLite objects' SQL is compared with search/index.py's.
            cursor.execute("DROP TRIGGER search_transcript_ai")
            cursor.execute(
                "CREATE TRIGGER search_transcript_ai AFTER INSERT ON transcription_transcript BEGIN "
                "SELECT 1; END"
            )
        else:
            # PostgreSQL's trigger functions' bodies are.
            cursor.execute(
                "CREATE OR REPLACE FUNCTION search_call_notes_index() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RETURN NULL; END $$"
            )
    assert ensure(connection) is True
    assert found("older") == [hit.pk]
    assert ensure(connection) is False


def test_notes_of_answers_the_notes_of_transcripts_that_have_some():
    _, with_notes = call_with_transcript("a note")
    without = make_transcript(status="completed", text="no call")
    assert notes_of(connection, [with_notes.pk, without.pk]) == {with_notes.pk: "a note"}


def migration(app_label, *operations):
    from django.db import migrations

    made = migrations.Migration("test", app_label)
    made.operations = list(operations)
    return made


def test_a_migrate_drops_the_triggers_only_for_a_migration_on_an_indexed_model():
    from django.db import migrations, models

    from search.apps import touches_index

    field = models.TextField(blank=True)
    assert touches_index(migration("caller", migrations.AddField("call", "summary", field)))
    assert touches_index(migration("transcription", migrations.AlterField("transcript", "text", field)))
    assert touches_index(migration("caller", migrations.RenameModel("Call", "PhoneCall")))
    assert touches_index(migration("caller", migrations.DeleteModel("Call")))
    # A field named like the model, on another model; another app's model of the same name.
    assert not touches_index(migration("caller", migrations.AddField("recording", "call", field)))
    assert not touches_index(migration("notify", migrations.AddField("call", "x", field)))
    assert not touches_index(migration("caller", migrations.RunPython(migrations.RunPython.noop)))
